from __future__ import annotations

from sqlalchemy import inspect

from bot.db.migrate import current_revision, downgrade, head_revision, schema_drift, upgrade
from tests.databases import Database


async def test_upgrade_on_empty_database_reaches_head_without_drift(empty_db: Database) -> None:
    assert await current_revision(empty_db.engine) is None

    await upgrade(empty_db.engine)

    assert await current_revision(empty_db.engine) == head_revision()
    assert await schema_drift(empty_db.engine) == []


async def test_downgrade_to_base_removes_every_table_and_upgrade_restores_them(empty_db: Database) -> None:
    await upgrade(empty_db.engine)
    await downgrade(empty_db.engine, "base")

    async with empty_db.engine.connect() as connection:
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert tables <= {"alembic_version"}

    await upgrade(empty_db.engine)
    assert await schema_drift(empty_db.engine) == []


async def test_upgrade_twice_is_harmless(db: Database) -> None:
    await upgrade(db.engine)
    assert await current_revision(db.engine) == head_revision()
