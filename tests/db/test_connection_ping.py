"""A PostgreSQL connection that sat idle in the pool is checked before use, so a server restart or a dropped
connection costs a reconnect, not an error; a connection that just worked is used without the extra round trips."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import engine as engines
from tests.databases import Database


async def _drop_server_side(db: Database) -> None:
    """What a PostgreSQL restart or an idle-connection reaper does to the pool's connections."""
    admin = engines.create_engine(db.url)
    try:
        async with admin.connect() as connection:
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
    finally:
        await admin.dispose()


@asynccontextmanager
async def _engine_pinging_after(
    db: Database, monkeypatch: pytest.MonkeyPatch, idle: float
) -> AsyncIterator[AsyncEngine]:
    if db.kind != "postgresql":
        pytest.skip("SQLite has no server to drop connections")
    monkeypatch.setattr(engines, "PING_AFTER_IDLE", idle)
    engine = engines.create_engine(db.url)
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(text("SELECT 1")) == 1
        await _drop_server_side(db)
        yield engine
    finally:
        await engine.dispose()


async def test_a_dropped_idle_connection_is_replaced_before_use(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    async with _engine_pinging_after(db, monkeypatch, 0.0) as engine, engine.connect() as connection:
        assert await connection.scalar(text("SELECT 2")) == 2


async def test_a_connection_back_from_use_a_moment_ago_is_not_pinged(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with _engine_pinging_after(db, monkeypatch, 3600.0) as engine:
        # Within the idle window the pool trusts the connection: the drop shows as the statement's error.
        with pytest.raises(DBAPIError):
            async with engine.connect() as connection:
                await connection.scalar(text("SELECT 2"))
