"""EXPLAIN for any SQLAlchemy statement, with its bind parameters processed as usual: how tests and the
benchmark show that a query uses its index on SQLite (EXPLAIN QUERY PLAN) and PostgreSQL (EXPLAIN)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement, Executable


class _Explain(Executable, ClauseElement):
    inherit_cache = False

    def __init__(self, statement: Any, prefix: str) -> None:
        self.statement = statement
        self.prefix = prefix


@compiles(_Explain)
def _compile_explain(element: _Explain, compiler: Any, **kw: Any) -> str:
    return f"{element.prefix} {compiler.process(element.statement, **kw)}"


async def explain(session: AsyncSession, statement: Any) -> str:
    """The plan as one text, one line per plan row."""
    dialect = session.get_bind().dialect.name
    prefix = "EXPLAIN QUERY PLAN" if dialect == "sqlite" else "EXPLAIN"
    rows = (await session.execute(_Explain(statement, prefix))).all()
    # SQLite's rows are (id, parent, notused, detail); PostgreSQL's are one text column.
    return "\n".join(str(row[-1]) for row in rows)
