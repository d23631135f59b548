from __future__ import annotations

from sqlalchemy import select

from bot.clock import FixedClock
from bot.db.models import OutboxMessage
from bot.services.outbox import Notice, enqueue, enqueue_many
from tests.databases import Database


async def test_enqueue_many_queues_each_key_once_and_says_which_were_new(db: Database, clock: FixedClock) -> None:
    async with db.sessions.begin() as session:
        await enqueue(session, kind="sla_warning", dedupe_key="sla:warn:1:60", at=clock.now(), payload={"n": 1})
        queued = await enqueue_many(
            session,
            [
                Notice("sla_warning", "sla:warn:1:60", {"n": 2}),
                Notice("sla_breach", "sla:breach:1:60", {"n": 3}),
                Notice("sla_warning", "sla:warn:2:60", {"n": 4}),
            ],
            at=clock.now(),
        )
        assert await enqueue_many(session, [], at=clock.now()) == set()
    assert queued == {"sla:breach:1:60", "sla:warn:2:60"}
    async with db.sessions() as session:
        rows = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert [(r.dedupe_key, r.payload, r.next_attempt_at) for r in rows] == [
        ("sla:warn:1:60", {"n": 1}, clock.now()),
        ("sla:breach:1:60", {"n": 3}, clock.now()),
        ("sla:warn:2:60", {"n": 4}, clock.now()),
    ]
