"""Slack misbehaves for a while (429 with Retry-After, 500s, dropped connections, answers lost after the
message was posted), then recovers: every requester and every team still hears each thing exactly once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.blocks.ids import ActionId
from bot.bootstrap import Desk
from bot.clock import FixedClock
from bot.db.models import OutboxMessage, Ticket
from bot.localslack.driver import LocalSlack
from tests.databases import Database


@pytest.fixture(autouse=True)
def _wednesday_morning(clock: FixedClock) -> None:
    clock.set(datetime(2026, 11, 25, 8, 0, tzinfo=UTC))


def desk_posts(slack: LocalSlack) -> Counter[str]:
    """How many messages the desk has in Slack per metadata key (each key is one thing someone should see)."""
    keys: Counter[str] = Counter()
    for message in slack.workspace.messages.values():
        key = ((message.metadata or {}).get("event_payload") or {}).get("key")
        if key and message.user == slack.workspace.app.bot_user_id:
            keys[str(key)] += 1
    return keys


async def test_outage_then_recovery_delivers_everything_once(
    desk: Desk, slack: LocalSlack, db: Database, clock: FixedClock
) -> None:
    requests = [
        ("the printer on floor 3 is jammed", "printer-problem"),
        ("my vpn drops every ten minutes", "vpn-problem"),
        ("the wifi in the canteen is down", "wifi-network"),
    ]
    threads = []
    for text, _ in requests:
        posted = await slack.send_message("anna", "anna", text)
        threads.append(posted.message.ts)
    await desk.settle()
    # Slack starts failing just as the tickets are written: cards and confirmations cannot go out.
    slack.faults.inject("chat.postMessage", "lost_answer", times=2)
    slack.faults.inject("chat.postMessage", "rate_limited", times=2, retry_after=1)
    slack.faults.inject("chat.postMessage", "server_error", times=3)
    slack.faults.inject("chat.postMessage", "drop", times=2)
    for ts, (_, item) in zip(threads, requests, strict=True):
        await slack.click("anna", slack.thread("anna", ts)[-1], ActionId.CHOOSE_ITEM, block_id=f"offer.{item}")
        values = {"field.summary.value": "see above"} if item == "vpn-problem" else {}
        await slack.submit_view("anna", slack.open_views("anna")[-1], values)
        await desk.settle()

    # Nothing is lost while Slack is down: the side effects wait in the outbox.
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Ticket)) == 3
    # Slack recovers; the outbox retries after its back-off.
    for _ in range(8):
        clock.advance(timedelta(minutes=5))
        await desk.edge.recover()
        await desk.settle()
    async with db.sessions() as session:
        unsent = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
        )
    assert unsent == 0

    posts = desk_posts(slack)
    assert {key: n for key, n in posts.items() if n != 1} == {}
    assert sum(1 for key in posts if key.startswith("card:")) == 3
    for ts in threads:
        confirmations = [m for m in slack.thread("anna", ts) if "Your request" in m.text_content]
        assert len(confirmations) == 1
    assert len(slack.messages_in("#it-triage")) == 3
    # Every kind of fault really happened.
    kinds = Counter(call.fault for call in slack.calls("chat.postMessage") if call.fault)
    assert set(kinds) == {"lost_answer", "rate_limited", "server_error", "drop"}
