"""SLA sweep time with many tickets: 1,000,000 tickets of which 100,000 open, on SQLite and PostgreSQL.
Prints one JSON line.

    python -m bot.bench.sla_sweep [--tickets 1000000] [--open 100000] [--sweeps 7] [--postgres URL]

Each database is a throwaway one (a temporary SQLite file; a new PostgreSQL database created next to the one
in the URL and dropped after), migrated by the real migrations and bulk-loaded through the drivers' fast
paths (executemany on SQLite, COPY on PostgreSQL). The PostgreSQL leg runs only with --postgres URL or
SERVICEDESK_TEST_DATABASE_URL.

The open tickets' clocks are loaded as a sweeper that kept up would have left them at the start instant:
markers set for what already passed, next_check_at in the future. Then:
- idle sweeps: nothing is due; what one pass costs when there is nothing to do (should not grow with open);
- busy sweeps: the clock moves on `--step` minutes per pass, so the clocks whose warning or due time passed
  in between are due; each pass warns/breaches them and queues outbox rows in one transaction.
The plan of the sweep query (EXPLAIN) shows the range scan on ix_sla_clocks_next_check_at.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import FixedClock
from bot.config import load_config
from bot.db.admin import pg_admin
from bot.db.engine import create_engine, make_sessionmaker
from bot.db.explain import explain
from bot.db.migrate import upgrade
from bot.services.sla_engine import FIRST_RESPONSE, RESOLUTION, SlaEngine, due_clocks_query
from bot.sla.clock import ClockFacts, due_at, next_check_at, warn_at
from bot.sla.policy import SlaPolicies

REPO = Path(__file__).resolve().parents[2]
# A Wednesday 10:00 in Stockholm: inside opening hours, so clocks come due as the sweeps move on.
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
CHUNK = 20_000
TICKET_COLUMNS = (
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
    "version",
    "created_at",
    "updated_at",
)
CLOCK_COLUMNS = (
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
    "warned_at",
    "breached_at",
    "next_check_at",
    "version",
)
PRIORITIES = ("low", "medium", "high", "critical")


class Loader:
    """Generates the rows chunk by chunk (a million tickets do not fit comfortably in memory at once)."""

    def __init__(self, policies: SlaPolicies, tickets: int, open_count: int, seed: int = 7) -> None:
        self.policies = policies
        self.tickets = tickets
        self.open_count = open_count
        self.rng = random.Random(seed)
        self.calendar = policies.team_calendar("it")
        self.clock_id = 0

    def chunks(self) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
        # Every tenth ticket is open, spread through the id range like a real desk's history.
        stride = max(self.tickets // max(self.open_count, 1), 1)
        for first in range(1, self.tickets + 1, CHUNK):
            tickets, clocks = [], []
            for ticket_id in range(first, min(first + CHUNK, self.tickets + 1)):
                is_open = ticket_id % stride == 0 and ticket_id // stride <= self.open_count
                tickets_row, clock_rows = self._ticket(ticket_id, is_open)
                tickets.append(tickets_row)
                clocks.extend(clock_rows)
            yield tickets, clocks

    def _ticket(self, ticket_id: int, is_open: bool) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
        rng = self.rng
        priority = PRIORITIES[rng.randrange(4)]
        first_target, resolution_target = self.policies.targets("it", None, priority)
        if is_open:
            # Open tickets started within the last two weeks; 30% still wait for a first response.
            waiting = rng.random() < 0.3
            started = START - timedelta(minutes=rng.randrange(2 * 24 * 60 if waiting else 14 * 24 * 60))
            state = "open" if waiting else "in_progress"
            clocks = [
                self._running(ticket_id, FIRST_RESPONSE, first_target, started)
                if waiting
                else self._stopped(ticket_id, FIRST_RESPONSE, first_target, started, started + timedelta(minutes=30))
            ]
            clocks.append(self._running(ticket_id, RESOLUTION, resolution_target, started))
        else:
            started = START - timedelta(days=15 + rng.randrange(3 * 365))
            state = "closed"
            clocks = [
                self._stopped(ticket_id, FIRST_RESPONSE, first_target, started, started + timedelta(hours=1)),
                self._stopped(ticket_id, RESOLUTION, resolution_target, started, started + timedelta(days=2)),
            ]
        row = (
            ticket_id,
            f"IT-{ticket_id}",
            "it",
            ticket_id,
            "incident",
            priority,
            state,
            f"Benchmark ticket {ticket_id}",
            "",
            "{}",
            "en",
            "U0ANNA0001",
            1,
            started,
            started,
        )
        return row, clocks

    def _next_id(self) -> int:
        self.clock_id += 1
        return self.clock_id

    def _running(self, ticket_id: int, kind: str, target: int, started: datetime) -> tuple[Any, ...]:
        facts = ClockFacts(started, target)
        share = self.policies.warn_share
        due, warning = due_at(self.calendar, facts), warn_at(self.calendar, facts, share)
        # As a sweeper that kept up until START would have left it.
        warned = warning is not None and warning <= START
        breached = due is not None and due <= START
        upcoming = next_check_at(self.calendar, facts, share, warned=warned, breached=breached)
        return (
            self._next_id(),
            ticket_id,
            kind,
            "stockholm-office",
            target,
            started,
            due,
            warning,
            None,
            None,
            START if warned else None,
            START if breached else None,
            upcoming,
            1,
        )

    def _stopped(self, ticket_id: int, kind: str, target: int, started: datetime, stopped: datetime) -> tuple[Any, ...]:
        due = started + timedelta(minutes=target * 2)  # roughly: no calendar work for a million closed clocks
        clock_id = self._next_id()
        return (
            clock_id,
            ticket_id,
            kind,
            "stockholm-office",
            target,
            started,
            due,
            due,
            stopped,
            True,
            None,
            None,
            None,
            1,
        )


def _sqlite_value(value: Any) -> Any:
    # The text form SQLAlchemy's SQLite DateTime stores (naive UTC), so range comparisons agree with its binds.
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


async def _load(engine: AsyncEngine, loader: Loader) -> None:
    dialect = engine.dialect.name
    async with engine.begin() as conn:
        if dialect == "postgresql":
            raw = await conn.get_raw_connection()
            pg: Any = raw.driver_connection
            for tickets, clocks in loader.chunks():
                await pg.copy_records_to_table("tickets", records=tickets, columns=list(TICKET_COLUMNS))
                await pg.copy_records_to_table("sla_clocks", records=clocks, columns=list(CLOCK_COLUMNS))
            await conn.execute(text("SELECT setval('tickets_id_seq', (SELECT max(id) FROM tickets))"))
            await conn.execute(text("SELECT setval('sla_clocks_id_seq', (SELECT max(id) FROM sla_clocks))"))
        else:
            ticket_sql = _insert_sql("tickets", TICKET_COLUMNS)
            clock_sql = _insert_sql("sla_clocks", CLOCK_COLUMNS)
            for tickets, clocks in loader.chunks():
                await conn.exec_driver_sql(ticket_sql, [tuple(map(_sqlite_value, row)) for row in tickets])
                await conn.exec_driver_sql(clock_sql, [tuple(map(_sqlite_value, row)) for row in clocks])
    async with engine.connect() as conn:
        await conn.execute(text("ANALYZE"))
        await conn.commit()


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"


def _spread(values: Sequence[float]) -> dict[str, float]:
    return {"min": round(min(values), 2), "median": round(statistics.median(values), 2), "max": round(max(values), 2)}


async def _leg(url: str, args: argparse.Namespace, policies: SlaPolicies) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        loader = Loader(policies, args.tickets, args.open)
        began = time.perf_counter()
        await _load(engine, loader)
        load_seconds = time.perf_counter() - began

        clock = FixedClock(START)
        sla = SlaEngine(make_sessionmaker(engine), clock, policies)
        idle = []
        for _ in range(args.sweeps):
            began = time.perf_counter()
            result = await sla.sweep(args.batch)
            idle.append((time.perf_counter() - began) * 1000)
            assert result.checked == 0, "the load left clocks due at the start"
        busy, due_counts = [], []
        for _ in range(args.sweeps):
            clock.advance(timedelta(minutes=args.step))
            began = time.perf_counter()
            result = await sla.sweep(args.batch)
            busy.append((time.perf_counter() - began) * 1000)
            due_counts.append(result.checked)
        async with make_sessionmaker(engine)() as session:
            plan = await explain(session, due_clocks_query(clock.now(), args.batch))
        return {
            "load_s": round(load_seconds, 1),
            "idle_sweep_ms": _spread(idle),
            "busy_sweep_ms": _spread(busy),
            "due_per_busy_sweep": _spread(due_counts),
            "busy_ms_per_due_clock": round(statistics.median(busy) / max(statistics.median(due_counts), 1), 3),
            "plan": plan,
        }
    finally:
        await engine.dispose()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    policies = SlaPolicies(load_config(args.config, env={}))
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="sla-sweep-bench-") as workdir:
        results["sqlite"] = await _leg(f"sqlite+aiosqlite:///{workdir}/bench.db", args, policies)
    if args.postgres:
        name = f"sd_bench_{uuid.uuid4().hex[:10]}"
        await pg_admin(args.postgres, f'CREATE DATABASE "{name}"')
        try:
            url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
            results["postgresql"] = await _leg(url, args, policies)
        finally:
            await pg_admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.sla_sweep", description=__doc__)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--sweeps", type=int, default=7, help="idle and busy sweeps each")
    parser.add_argument("--step", type=int, default=5, help="minutes the clock moves between busy sweeps")
    parser.add_argument("--batch", type=int, default=500, help="the sweeper's limit per pass")
    parser.add_argument("--config", default=str(REPO / "app.yaml"), help="calendars and SLA policies")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("SERVICEDESK_TEST_DATABASE_URL"),
        metavar="URL",
        help="a PostgreSQL server to create a throwaway database on (default: $SERVICEDESK_TEST_DATABASE_URL)",
    )
    args = parser.parse_args(argv)
    results = asyncio.run(run(args))
    print(
        json.dumps(
            {
                "benchmark": "sla_sweep",
                "tickets": args.tickets,
                "open": args.open,
                "clocks": args.tickets * 2,
                "batch": args.batch,
                "step_minutes": args.step,
                "sweeps": args.sweeps,
                "results": results,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
