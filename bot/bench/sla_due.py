"""Due-time computations per second on the Stockholm office calendar (08:00-17:00 Monday to Friday, Swedish
holidays, eves closed), for short and long targets. Prints one JSON line.

    python -m bot.bench.sla_due [--count 2000] [--repeats 5]

Each repeat computes the due time of `count` clocks started at random minutes of 2026 (fixed seed) on one
warm calendar, as a long-running desk process would; also with two pauses per clock through `due_at`.
`cold_first_due_ms` is the first due time on a fresh calendar (loading the year's holidays and clock changes).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.sla.calendar import BusinessCalendar, CalendarSpec
from bot.sla.clock import ClockFacts, due_at

TARGETS = {"1h": 60, "8h": 8 * 60, "40h": 40 * 60, "400h": 400 * 60}


def _starts(count: int, seed: int) -> list[datetime]:
    rng = random.Random(seed)
    year_start = datetime(2026, 1, 1, tzinfo=UTC)
    return [year_start + timedelta(minutes=rng.randrange(365 * 24 * 60)) for _ in range(count)]


def _rates(run: Callable[[], None], count: int, repeats: int) -> dict[str, float]:
    run()  # warm the per-date and per-year caches once, as a running desk has them
    rates = []
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        rates.append(count / (time.perf_counter() - began))
    return {
        "min": round(min(rates)),
        "median": round(statistics.median(rates)),
        "max": round(max(rates)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.sla_due", description=__doc__)
    parser.add_argument("--count", type=int, default=2000, help="due times per repeat and target")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    spec = CalendarSpec.office("stockholm", "Europe/Stockholm", holiday_country="SE", closed_eves=True)
    cold = []
    for _ in range(args.repeats):
        began = time.perf_counter()
        BusinessCalendar(spec).add(datetime(2026, 6, 18, 15, 0, tzinfo=UTC), 40 * 60)
        cold.append((time.perf_counter() - began) * 1000)
    calendar = BusinessCalendar(spec)
    starts = _starts(args.count, seed=7)
    results: dict[str, dict[str, float]] = {}
    for label, minutes in TARGETS.items():

        def plain(minutes: int = minutes) -> None:
            for start in starts:
                calendar.add(start, minutes)

        results[label] = _rates(plain, args.count, args.repeats)

    facts = [
        ClockFacts(
            started_at=start,
            target_minutes=8 * 60,
            pauses=[
                (start + timedelta(hours=2), start + timedelta(hours=20)),
                (start + timedelta(days=2), start + timedelta(days=3)),
            ],
        )
        for start in starts
    ]

    def paused() -> None:
        for fact in facts:
            due_at(calendar, fact)

    results["8h with 2 pauses"] = _rates(paused, args.count, args.repeats)
    print(
        json.dumps(
            {
                "benchmark": "sla_due",
                "unit": "due-time computations per second",
                "calendar": "Europe/Stockholm 08:00-17:00 Mon-Fri, SE holidays, eves closed",
                "count": args.count,
                "repeats": args.repeats,
                "results": results,
                "cold_first_due_ms": {
                    "min": round(min(cold), 2),
                    "median": round(statistics.median(cold), 2),
                    "max": round(max(cold), 2),
                },
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
