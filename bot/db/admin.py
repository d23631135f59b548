"""PostgreSQL administration outside a transaction (CREATE / DROP DATABASE), for benchmarks and tests that
make throwaway databases."""

from __future__ import annotations

from sqlalchemy.engine import make_url


async def pg_admin(url: str, *statements: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    parsed = make_url(url)
    connection = await asyncpg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        database=parsed.database or "postgres",
    )
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()
