"""Stopping within the grace period: an event still being processed is given up, not lost."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.bootstrap import Desk
from bot.clock import FixedClock
from bot.db.models import SlackDelivery
from bot.localslack.driver import LocalSlack
from bot.services.inbox import Inbox
from tests.databases import Database


@pytest.fixture(autouse=True)
def _wednesday_afternoon(clock: FixedClock) -> None:
    clock.set(datetime(2026, 11, 25, 12, 30, tzinfo=UTC))


async def test_an_event_unfinished_at_the_end_of_the_grace_period_stays_in_the_inbox(
    desk: Desk, slack: LocalSlack, db: Database, clock: FixedClock
) -> None:
    never = asyncio.Event()
    assert desk.bolt is not None

    @desk.bolt.middleware
    async def stuck(body: dict[str, Any], next: Callable[[], Awaitable[None]]) -> None:
        if "stuck in a listener" in json.dumps(body):
            await never.wait()  # a listener that hangs on something outside the desk
        await next()

    await slack.send_message("anna", "anna", "my laptop is broken")
    await desk.settle()
    posted = await slack.send_message("anna", "anna", "this one is stuck in a listener")
    assert posted.deliveries[0].status == 200

    assert await desk.edge.settle_within(0.2) == 1
    assert not desk.edge.busy
    async with db.sessions() as session:
        rows = list(await session.scalars(select(SlackDelivery).order_by(SlackDelivery.id)))
    assert [row.processed_at is not None for row in rows] == [True, False]
    # The next process takes it once the lease of the one that stopped has run out.
    inbox = Inbox(db.sessions, clock)
    assert await inbox.pending() == []
    clock.advance(Inbox.LEASE + timedelta(seconds=1))
    assert await inbox.pending() == [rows[1].id]
