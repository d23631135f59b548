"""Engines and sessions for SQLite (embedded default) and PostgreSQL (several processes)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

from bot.config.schema import DatabaseSection


def create_engine(settings: DatabaseSection | str) -> AsyncEngine:
    if isinstance(settings, str):
        settings = DatabaseSection(url=settings)
    url = make_url(settings.url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(settings)
    engine = create_async_engine(
        settings.url,
        echo=settings.echo,
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        pool_timeout=settings.pool_timeout,
        pool_recycle=1800,
        connect_args={"timeout": settings.pool_timeout, "command_timeout": 30},
    )
    _ping_after_idle(engine)
    return engine


# SQLAlchemy's pool_pre_ping pings at every checkout; with asyncpg a ping is three round trips (BEGIN, a
# query, ROLLBACK), which doubled the round trips of a short transaction. A connection back in the pool for
# less than this has just worked; only one that sat idle longer (where a restart or a load balancer may have
# dropped it) is pinged before use.
PING_AFTER_IDLE = 10.0


def _ping_after_idle(engine: AsyncEngine) -> None:
    idle = PING_AFTER_IDLE

    @event.listens_for(engine.sync_engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < idle:
            return
        try:
            dbapi_connection.ping()
        except Exception as error:
            # The pool drops this connection and checks out another (SQLAlchemy's documented recipe for
            # pessimistic disconnect handling).
            raise exc.DisconnectionError(f"connection idle {time.monotonic() - since:.0f} s failed its ping") from error


def _sqlite_engine(settings: DatabaseSection) -> AsyncEngine:
    url = make_url(settings.url)
    if url.database and url.database != ":memory:":
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    # One connection, handed out in turn: SQLite admits one writer at a time anyway, and a writer that finds
    # the lock taken sleeps in SQLite's busy handler (up to 100 ms a try), which is what made acknowledgements
    # slow under load. The pool's queue makes the desk's own transactions wait their turn without sleeping.
    engine = create_async_engine(
        settings.url,
        echo=settings.echo,
        connect_args={"timeout": 30},
        pool_size=1,
        max_overflow=0,
        pool_timeout=60,
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction control from the sqlite3 module so we can say BEGIN IMMEDIATE ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(_SINGLE_STATEMENTS):
            return  # each statement is its own transaction (single_statement_engine)
        # A deferred transaction that reads and then writes fails with SQLITE_BUSY when another writer got
        # in between, without waiting; taking the write lock up front makes writers queue on busy_timeout.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


_SINGLE_STATEMENTS = "servicedesk_single_statements"


def single_statement_engine(engine: AsyncEngine) -> AsyncEngine:
    """The same pool, with every statement its own transaction: for writes that are one statement anyway,
    this spares the BEGIN and COMMIT round trips. On PostgreSQL that is the AUTOCOMMIT isolation level; on
    SQLite, where the driver already leaves transactions to us, it is skipping our BEGIN IMMEDIATE (the
    isolation-level switch would cost two PRAGMAs at every checkout and checkin)."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{_SINGLE_STATEMENTS: True})
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: objects stay readable after commit without lazy loads under asyncio.
    # A Session class of its own, so that session events a desk listens for (the outbox's "queued, now
    # committed") fire for that desk's sessions only, not for every desk a test process builds.
    session_class = type("DeskSession", (Session,), {})
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=session_class)
