"""Real databases for tests, built by the real migrations. Each test gets its own copy of a migrated template:
a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL. Both are much faster than migrating anew."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db.admin import pg_admin
from bot.db.engine import create_engine, make_sessionmaker
from bot.db.migrate import upgrade

PG_ENV = "SERVICEDESK_TEST_DATABASE_URL"


def postgres_url() -> str | None:
    return os.environ.get(PG_ENV) or None


@dataclass
class Database:
    kind: str
    url: str
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


class Templates:
    """Migrated template databases, made once per test session."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.sqlite_template: Path | None = None
        self.pg_template: str | None = None

    def sqlite(self) -> Path:
        if self.sqlite_template is None:
            path = self.workdir / "template.db"
            asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
            self.sqlite_template = path
        return self.sqlite_template

    def postgres(self, base_url: str) -> str:
        if self.pg_template is None:
            name = f"sd_template_{os.getpid()}"
            asyncio.run(
                pg_admin(base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
            )
            asyncio.run(_migrate(_with_database(base_url, name)))
            self.pg_template = name
        return self.pg_template

    def drop(self) -> None:
        base = postgres_url()
        if self.pg_template and base:
            asyncio.run(pg_admin(base, f'DROP DATABASE IF EXISTS "{self.pg_template}" WITH (FORCE)'))


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


@asynccontextmanager
async def database_copy(
    kind: str, templates: Templates, tmp_path: Path, *, migrated: bool = True
) -> AsyncIterator[Database]:
    if kind == "sqlite":
        path = tmp_path / f"desk-{uuid.uuid4().hex[:8]}.db"
        if migrated:
            shutil.copyfile(templates.sqlite(), path)
        url = f"sqlite+aiosqlite:///{path}"
        engine = create_engine(url)
        try:
            yield Database(kind, url, engine, make_sessionmaker(engine))
        finally:
            await engine.dispose()
        return

    base = postgres_url()
    assert base is not None
    name = f"sd_test_{uuid.uuid4().hex[:12]}"
    if migrated:
        template = templates.postgres(base) if templates.pg_template is None else templates.pg_template
        await pg_admin(base, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    else:
        await pg_admin(base, f'CREATE DATABASE "{name}"')
    url = _with_database(base, name)
    engine = create_engine(url)
    try:
        yield Database(kind, url, engine, make_sessionmaker(engine))
    finally:
        await engine.dispose()
        await pg_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
