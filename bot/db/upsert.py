"""INSERT ... ON CONFLICT DO NOTHING for both databases (the dialects spell it with different imports)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_ignoring_conflicts(session: AsyncSession, target: Any) -> postgresql.Insert | sqlite.Insert:
    """INSERT INTO target ... ON CONFLICT DO NOTHING in the session's dialect; rows whose key exists are
    skipped, so with RETURNING only the rows this statement inserted come back."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    return insert(target).on_conflict_do_nothing()


async def insert_ignore(session: AsyncSession, model: Any, values: dict[str, Any]) -> bool:
    """Insert a row unless one with the same key exists; True when this call inserted it."""
    result = await session.execute(insert_ignoring_conflicts(session, model).values(**values))
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
