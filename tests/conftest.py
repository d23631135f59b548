from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FixedClock
from tests.databases import PG_ENV, Database, Templates, database_copy, postgres_url

REPO = Path(__file__).resolve().parents[1]
SHARED_DEV_SET = REPO.parent / "shared" / "eval" / "dev"


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    holder = Templates(tmp_path_factory.mktemp("templates"))
    # PostgreSQL's template must exist before any event loop of a test runs it via asyncio.run.
    if postgres_url():
        holder.postgres(postgres_url() or "")
    holder.sqlite()
    yield holder
    holder.drop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    if kind == "postgresql" and not postgres_url():
        pytest.skip(f"PostgreSQL leg skipped: set {PG_ENV}=postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    return kind


@pytest.fixture
async def db(db_kind: str, templates: Templates, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated database of its own for this test, on SQLite and (when configured) PostgreSQL."""
    async with database_copy(db_kind, templates, tmp_path) as database:
        yield database


@pytest.fixture
async def empty_db(db_kind: str, templates: Templates, tmp_path: Path) -> AsyncIterator[Database]:
    """A database with no tables at all, for migration tests."""
    async with database_copy(db_kind, templates, tmp_path, migrated=False) as database:
        yield database


@pytest.fixture
def clock() -> FixedClock:
    # A Wednesday morning in Stockholm: inside opening hours, far from DST switches.
    return FixedClock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
