"""Writes made at the same moment share a transaction, yet each caller gets its own answer, and only after
its write is committed."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import FixedClock
from bot.db.group_commit import GroupCommit
from bot.db.models import SlackDelivery
from bot.services.inbox import Inbox
from tests.databases import Database


async def test_events_stored_together_are_each_stored_once_and_told_so(db: Database, clock: FixedClock) -> None:
    inbox = Inbox(db.sessions, clock)
    await inbox.store("event:Ev0", "event", {"body": "stored before"})
    # 30 deliveries at once: 25 events, 4 of them delivered twice in the same moment, one stored before.
    keys = [f"event:Ev{n}" for n in range(1, 26)] + ["event:Ev1", "event:Ev2", "event:Ev3", "event:Ev4", "event:Ev0"]
    items = await asyncio.gather(*(inbox.store(key, "event", {"body": key}) for key in keys))
    new = [item for item in items if item is not None]
    assert len(new) == 25
    assert len({item.id for item in new}) == 25
    assert [item.payload["body"] for item in new] == keys[:25]
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(SlackDelivery)) == 26


async def test_a_bad_write_fails_alone_and_its_batch_mates_are_written(db: Database) -> None:
    written: list[int] = []

    async def write(session: AsyncSession, numbers: Sequence[int]) -> list[int]:
        if 13 in numbers:
            raise ValueError("unlucky number")
        written.extend(numbers)
        return [n * 2 for n in numbers]

    batcher: GroupCommit[int, int] = GroupCommit(db.sessions, write)
    results = await asyncio.gather(*(batcher.submit(n) for n in (12, 13, 14)), return_exceptions=True)
    assert results[0] == 24
    assert isinstance(results[1], ValueError)
    assert results[2] == 28
    assert sorted(written) == [12, 14]
    assert await batcher.submit(21) == 42


async def test_when_the_database_is_unreachable_a_batch_fails_at_once_not_write_by_write(db: Database) -> None:
    calls: list[list[int]] = []

    async def write(session: AsyncSession, numbers: Sequence[int]) -> list[int]:
        calls.append(list(numbers))
        raise OperationalError("INSERT ...", {}, ConnectionRefusedError("connection refused"))

    batcher: GroupCommit[int, int] = GroupCommit(db.sessions, write)
    results = await asyncio.gather(*(batcher.submit(n) for n in (1, 2, 3, 4)), return_exceptions=True)
    assert all(isinstance(result, OperationalError) for result in results)
    # One attempt for the batch: four more, each waiting out the same timeout, would hold up every later write.
    assert calls == [[1, 2, 3, 4]]


async def test_a_batch_write_that_breaks_its_promise_fails_its_writers_instead_of_leaving_them_waiting(
    db: Database,
) -> None:
    async def write(session: AsyncSession, numbers: Sequence[int]) -> list[int]:
        return list(numbers)[:-1]  # one result short

    batcher: GroupCommit[int, int] = GroupCommit(db.sessions, write)
    results = await asyncio.wait_for(
        asyncio.gather(*(batcher.submit(n) for n in (1, 2, 3)), return_exceptions=True), timeout=10
    )
    assert all(isinstance(result, Exception) for result in results)
    await batcher.drain()


async def test_shutdown_waits_for_writes_whose_writers_gave_up(db: Database) -> None:
    release = asyncio.Event()
    written: list[int] = []

    async def write(session: AsyncSession, numbers: Sequence[int]) -> list[int]:
        await release.wait()
        written.extend(numbers)
        return list(numbers)

    batcher: GroupCommit[int, int] = GroupCommit(db.sessions, write)
    writer = asyncio.create_task(batcher.submit(7))
    await asyncio.sleep(0)
    writer.cancel()
    draining = asyncio.create_task(batcher.drain())
    await asyncio.sleep(0)
    assert not draining.done()
    release.set()
    await asyncio.wait_for(draining, timeout=10)
    assert written == [7]


async def test_a_writer_that_gives_up_does_not_cancel_the_others(db: Database) -> None:
    release = asyncio.Event()

    async def write(session: AsyncSession, numbers: Sequence[int]) -> list[int]:
        await release.wait()
        return list(numbers)

    batcher: GroupCommit[int, int] = GroupCommit(db.sessions, write)
    impatient = asyncio.create_task(batcher.submit(1))
    patient = asyncio.create_task(batcher.submit(2))
    await asyncio.sleep(0)
    impatient.cancel()
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await impatient
    assert await patient == 2
