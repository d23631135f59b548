"""A committed side effect starts its delivery at once; the dispatcher's poll is only the safety net."""

from __future__ import annotations

import asyncio

import pytest

from bot.clock import FixedClock
from bot.db.engine import make_sessionmaker
from bot.services.outbox import OutboxDispatcher, OutboxItem, enqueue
from tests.databases import Database

# Far longer than the test may take: only a wake-up can deliver in time.
NEVER = 3600.0


async def test_a_commit_that_queued_wakes_the_dispatcher_even_mid_round(db: Database, clock: FixedClock) -> None:
    sent: list[str] = []
    round_started = asyncio.Event()
    release = asyncio.Event()
    both_sent = asyncio.Event()

    async def send(item: OutboxItem) -> None:
        if item.dedupe_key == "first":
            # Hold the first round open while a second side effect is committed.
            round_started.set()
            await release.wait()
        sent.append(item.dedupe_key)
        if len(sent) == 2:
            both_sent.set()

    async def failed_change() -> None:
        async with db.sessions.begin() as session:
            await enqueue(session, kind="note", dedupe_key="undone", at=clock.now())
            raise RuntimeError("the change failed")

    dispatcher = OutboxDispatcher(db.sessions, clock, {"note": send})
    dispatcher.wake_on_commit(db.sessions)
    async with db.sessions.begin() as session:
        await enqueue(session, kind="note", dedupe_key="first", at=clock.now())
    stop = asyncio.Event()
    loop = asyncio.create_task(dispatcher.run(stop, interval=NEVER))
    try:
        await asyncio.wait_for(round_started.wait(), 10)
        async with db.sessions.begin() as session:
            await enqueue(session, kind="note", dedupe_key="second", at=clock.now())
        release.set()
        await asyncio.wait_for(both_sent.wait(), 10)
        # A transaction that queued nothing, or rolled back what it queued, wakes nobody.
        async with db.sessions.begin() as session:
            pass
        with pytest.raises(RuntimeError):
            await failed_change()
        assert not dispatcher.woken
    finally:
        stop.set()
        await loop
    assert sent == ["first", "second"]


async def test_another_desks_commits_do_not_wake_this_dispatcher(db: Database, clock: FixedClock) -> None:
    mine = OutboxDispatcher(db.sessions, clock)
    mine.wake_on_commit(db.sessions)
    theirs = make_sessionmaker(db.engine)
    async with theirs.begin() as session:
        await enqueue(session, kind="note", dedupe_key="theirs", at=clock.now())
    assert not mine.woken
    async with db.sessions.begin() as session:
        await enqueue(session, kind="note", dedupe_key="mine", at=clock.now())
    assert mine.woken
