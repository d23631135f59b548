"""How long one team's morning digest takes to build with 1,000,000 tickets in the database, and the plans of its
aggregate queries. Prints one JSON line per database.

    python -m bot.bench.digest_build [--tickets 1000000] [--postgres postgresql+asyncpg://postgres@host/db]

The history is generated with a fixed seed: tickets over three years across the five teams of app.yaml (IT has
40%), two SLA clocks per ticket (stopped with an outcome when answered/resolved, running for open tickets, some
warned or breached), and a rating for a fifth of the resolved tickets. It is bulk-loaded into a throwaway SQLite
file (executemany in big batches) and, with --postgres, a throwaway database created next to the given one
(COPY through asyncpg) and dropped afterwards. PostgreSQL gets an ANALYZE, as autovacuum would do by itself;
SQLite gets none, as a desk's SQLite file never does. Each build runs on a warm connection, 3 times.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement, Executable

from bot.clock import FixedClock
from bot.config import DeskConfig, load_config
from bot.db.admin import pg_admin
from bot.db.engine import create_engine, make_sessionmaker
from bot.db.migrate import upgrade
from bot.services.digest import TREND_DAYS, DigestService, day_window, local_midnight
from bot.sla.policy import SlaPolicies

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)  # Friday 09:00 in Stockholm
TODAY = NOW.date()
YEARS_OF_HISTORY = 3
BATCH = 50_000
TEAMS = (("it", 0.4), ("hr", 0.1), ("finance", 0.2), ("facilities", 0.2), ("comms", 0.1))
OPEN_STATES = ("new", "open", "in_progress", "waiting_on_requester", "awaiting_approval")
PRIORITIES = ("low", "medium", "medium", "high", "critical")
AGENTS = ("U0LENA0001", "U0OSKAR001", "U0AGNES001", "U0PER00001", "U0MAJA0001", "U0SARA0001")
TICKET_COLUMNS = [
    "id",
    "key",
    "team_id",
    "number",
    "kind",
    "priority",
    "state",
    "title",
    "description",
    "fields",
    "language",
    "requester_id",
    "assignee_id",
    "created_at",
    "updated_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "version",
]
CLOCK_COLUMNS = [
    "id",
    "ticket_id",
    "kind",
    "calendar",
    "target_minutes",
    "started_at",
    "due_at",
    "warn_at",
    "stopped_at",
    "met",
    "breached_at",
    "version",
]
FEEDBACK_COLUMNS = ["id", "ticket_id", "team_id", "requester_id", "requested_at", "rating", "comment", "created_at"]


class Explain(Executable, ClauseElement):
    """EXPLAIN of a statement, compiled with the statement's own bind types (so UTC datetimes bind as they do
    in the desk)."""

    inherit_cache = False

    def __init__(self, statement: Any) -> None:
        self.statement = statement


@compiles(Explain)
def _explain(element: Explain, compiler: SQLCompiler, **kw: Any) -> str:
    prefix = "EXPLAIN QUERY PLAN " if compiler.dialect.name == "sqlite" else "EXPLAIN "
    sql = prefix + compiler.process(element.statement, **kw)
    # The plan's rows are text, not the statement's columns: no result types may be applied to them.
    compiler._result_columns = []
    compiler._ordered_columns = False
    return sql


def _history(
    total: int, seed: int
) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    """(tickets, clocks, feedback) in batches; datetimes aware UTC."""
    rng = random.Random(seed)
    span = YEARS_OF_HISTORY * 365 * 24 * 3600
    start = NOW - timedelta(seconds=span)
    numbers = {team: 0 for team, _ in TEAMS}
    weights = [share for _, share in TEAMS]
    names = [team for team, _ in TEAMS]
    clock_id = feedback_id = 0
    tickets: list[tuple[Any, ...]] = []
    clocks: list[tuple[Any, ...]] = []
    feedback: list[tuple[Any, ...]] = []
    for ticket_id in range(1, total + 1):
        team = rng.choices(names, weights)[0]
        numbers[team] += 1
        created = start + timedelta(seconds=rng.randrange(span))
        age = NOW - created
        answered = created + timedelta(minutes=rng.randrange(5, 600))
        done = answered + timedelta(minutes=rng.randrange(30, 5 * 24 * 60))
        still_open = (age < timedelta(days=30) and rng.random() < 0.15) or done >= NOW
        priority = rng.choice(PRIORITIES)
        fr_due = created + timedelta(hours=4)
        res_due = created + timedelta(hours=27)
        if still_open:
            state = rng.choice(OPEN_STATES)
            assignee = rng.choice(AGENTS) if state not in ("new", "open") or rng.random() < 0.3 else None
            first = answered if assignee and answered < NOW else None
            resolved = None
            closed = None
        else:
            state = "closed" if age > timedelta(days=2) else "resolved"
            assignee = rng.choice(AGENTS)
            first, resolved = answered, done
            closed = done + timedelta(days=1) if state == "closed" else None
        tickets.append(
            (
                ticket_id,
                f"{team.upper()}-{numbers[team]}",
                team,
                numbers[team],
                "request",
                priority,
                state,
                f"Ticket {ticket_id}",
                "",
                "{}",
                "en",
                "U0ANNA0001",
                assignee,
                created,
                resolved or first or created,
                first,
                resolved,
                closed,
                1,
            )
        )
        for kind, stopped, due in (("first_response", first, fr_due), ("resolution", resolved, res_due)):
            clock_id += 1
            met = None if stopped is None else stopped <= due
            breached = due if (stopped is None and due <= NOW) or met is False else None
            warn = due - (due - created) / 4
            clocks.append(
                (clock_id, ticket_id, kind, "stockholm-office", 240, created, due, warn, stopped, met, breached, 1)
            )
        if resolved is not None and rng.random() < 0.2:
            feedback_id += 1
            rated = resolved + timedelta(hours=rng.randrange(1, 48))
            if rated < NOW:
                comment = rng.choice((None, None, "Thanks!", "Took a while", "Great help"))
                feedback.append(
                    (feedback_id, ticket_id, team, "U0ANNA0001", resolved, rng.randint(1, 5), comment, rated)
                )
        if len(tickets) >= BATCH:
            yield tickets, clocks, feedback
            tickets, clocks, feedback = [], [], []
    if tickets:
        yield tickets, clocks, feedback


def _sqlite_value(value: Any) -> Any:
    # SQLAlchemy's SQLite DATETIME format, naive UTC (what bot.db.types.UTCDateTime stores).
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _load_sqlite(path: Path, total: int, seed: int) -> float:
    began = time.perf_counter()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=OFF")
    connection.execute("PRAGMA synchronous=OFF")
    try:
        # Secondary indexes are built once after the load (a sorted build), not maintained row by row.
        indexes = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('tickets', 'sla_clocks', 'feedback')"
        ).fetchall()
        for name, _ in indexes:
            connection.execute(f'DROP INDEX "{name}"')
        for tickets, clocks, feedback in _history(total, seed):
            for table, columns, rows in (
                ("tickets", TICKET_COLUMNS, tickets),
                ("sla_clocks", CLOCK_COLUMNS, clocks),
                ("feedback", FEEDBACK_COLUMNS, feedback),
            ):
                marks = ", ".join("?" for _ in columns)
                connection.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                    ([_sqlite_value(v) for v in row] for row in rows),
                )
            connection.commit()
        for _, sql in indexes:
            connection.execute(sql)
        connection.commit()
    finally:
        connection.close()
    return time.perf_counter() - began


async def _load_postgres(url: str, total: int, seed: int) -> float:
    import asyncpg  # type: ignore[import-untyped]

    parsed = make_url(url)
    began = time.perf_counter()
    connection = await asyncpg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        database=parsed.database,
    )
    try:
        # Secondary indexes are built once after the load (a sorted build), not maintained row by row.
        indexes = await connection.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexname LIKE 'ix_%' "
            "AND tablename IN ('tickets', 'sla_clocks', 'feedback')"
        )
        for index in indexes:
            await connection.execute(f'DROP INDEX "{index["indexname"]}"')
        for tickets, clocks, feedback in _history(total, seed):
            await connection.copy_records_to_table("tickets", records=tickets, columns=TICKET_COLUMNS)
            await connection.copy_records_to_table("sla_clocks", records=clocks, columns=CLOCK_COLUMNS)
            await connection.copy_records_to_table("feedback", records=feedback, columns=FEEDBACK_COLUMNS)
        for index in indexes:
            await connection.execute(index["indexdef"])
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return time.perf_counter() - began


def _queries(service: DigestService, tz: str) -> dict[str, Any]:
    from bot.db.models import Ticket

    yesterday = TODAY - timedelta(days=1)
    start, end = day_window(yesterday, tz)
    days = [TODAY - timedelta(days=n) for n in range(TREND_DAYS, 0, -1)]
    bounds = [local_midnight(day, tz) for day in days] + [local_midnight(TODAY, tz)]
    month = local_midnight(TODAY - timedelta(days=30), tz)
    return {
        "trend_opened": service.trend_query("it", bounds, Ticket.created_at),
        "trend_resolved": service.trend_query("it", bounds, Ticket.resolved_at),
        "sla_first_response": service.sla_query("it", "first_response", start, end),
        "sla_resolution": service.sla_query("it", "resolution", start, end),
        "first_response_times": service.durations_query("it", Ticket.first_response_at, start, end),
        "resolution_times": service.durations_query("it", Ticket.resolved_at, start, end),
        "open_by_state": service.states_query("it"),
        "unassigned_backlog": service.oldest_query("it"),
        "at_risk_and_breached": service.risk_query("it", NOW),
        "ratings_30_days": service.ratings_query("it", month, bounds[-1]),
    }


async def _measure(kind: str, url: str, config: DeskConfig, loaded_s: float, total: int) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        sessions = make_sessionmaker(engine)
        policies = SlaPolicies(config)
        service = DigestService(sessions, FixedClock(NOW), config, policies)
        await service.build("it", TODAY)  # warm: connection, statement caches, the calendar's year tables
        times = []
        for _ in range(3):
            began = time.perf_counter()
            digest = await service.build("it", TODAY)
            times.append((time.perf_counter() - began) * 1000)
        plans: dict[str, list[str]] = {}
        async with sessions() as session:
            for name, query in _queries(service, policies.timezone("it")).items():
                rows = (await session.execute(Explain(query))).all()
                plans[name] = [str(row[-1]) for row in rows]
        return {
            "benchmark": "digest_build",
            "database": kind,
            "tickets": total,
            "team": "it",
            "load_s": round(loaded_s, 1),
            "build_ms": {
                "min": round(min(times), 1),
                "median": round(statistics.median(times), 1),
                "max": round(max(times), 1),
            },
            "figures": {
                "opened": digest.opened,
                "resolved": digest.resolved,
                "open": digest.open_total,
                "at_risk": digest.at_risk,
                "breached": digest.breached,
                "ratings_30d": digest.ratings_30d,
            },
            "explain": plans,
        }
    finally:
        await engine.dispose()


async def _run(args: argparse.Namespace, app_yaml: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="digest-bench-") as workdir:
        url = f"sqlite+aiosqlite:///{Path(workdir) / 'desk.db'}"
        config = load_config(app_yaml, env={"DATABASE_URL": url})
        engine = create_engine(url)
        await upgrade(engine)
        await engine.dispose()
        loaded = _load_sqlite(Path(workdir) / "desk.db", args.tickets, args.seed)
        print(json.dumps(await _measure("sqlite", url, config, loaded, args.tickets)), flush=True)
    if args.postgres:
        name = f"sd_bench_{os.getpid()}"
        url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
        await pg_admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await pg_admin(args.postgres, f'CREATE DATABASE "{name}"')
        try:
            engine = create_engine(url)
            await upgrade(engine)
            await engine.dispose()
            loaded = await _load_postgres(url, args.tickets, args.seed)
            config = load_config(app_yaml, env={"DATABASE_URL": url})
            print(json.dumps(await _measure("postgresql", url, config, loaded, args.tickets)), flush=True)
        finally:
            await pg_admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.digest_build", description=__doc__)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--postgres", metavar="URL", help="also measure on a throwaway database on this server")
    args = parser.parse_args(argv)
    asyncio.run(_run(args, Path(__file__).resolve().parents[2] / "app.yaml"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
