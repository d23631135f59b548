"""INSERT ... ON CONFLICT DO NOTHING for both databases (the dialects spell it with different imports)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_ignore(session: AsyncSession, model: Any, values: dict[str, Any]) -> bool:
    """Insert a row unless one with the same key exists; True when this call inserted it."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(model).values(**values).on_conflict_do_nothing()
    result = await session.execute(statement)
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
