from __future__ import annotations

from datetime import timedelta

from bot.clock import FixedClock
from bot.scheduler import Leases, Scheduler
from tests.databases import Database


async def test_one_process_holds_a_lease_until_it_expires(db: Database, clock: FixedClock) -> None:
    first, second = Leases(db.sessions, clock, "host:1"), Leases(db.sessions, clock, "host:2")
    assert await first.acquire("digest", timedelta(seconds=60))
    assert not await second.acquire("digest", timedelta(seconds=60))
    assert await first.acquire("digest", timedelta(seconds=60))  # renewing is fine

    clock.advance(timedelta(seconds=61))  # the first process died and stopped renewing
    assert await second.acquire("digest", timedelta(seconds=60))
    assert not await first.acquire("digest", timedelta(seconds=60))

    await second.release("digest")
    assert await first.acquire("digest", timedelta(seconds=60))


async def test_a_job_runs_only_where_the_lease_is_held(db: Database, clock: FixedClock) -> None:
    runs: list[str] = []
    schedulers = []
    for name in ("a", "b"):
        scheduler = Scheduler(Leases(db.sessions, clock, name))

        async def job(name: str = name) -> None:
            runs.append(name)

        scheduler.every("sweep", 5, job)
        schedulers.append(scheduler)
    for _ in range(3):
        for scheduler in schedulers:
            await scheduler.run_once("sweep")
    assert runs == ["a", "a", "a"]
