from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk.errors import SlackApiError
from sqlalchemy import select, update

from bot.clock import FixedClock
from bot.config import DeskConfig, load_config
from bot.db.models import OutboxMessage, Ticket
from bot.notify.sla_messages import SlaMessages, requester_sla_line, status_label
from bot.services.outbox import OutboxDispatcher
from bot.services.sla_engine import SlaEngine
from bot.services.tickets import NewTicket, TicketService
from bot.sla.clock import ClockStatus
from bot.sla.policy import SlaPolicies
from bot.slack.gateway import SlackUser
from tests.databases import Database

REPO = Path(__file__).resolve().parents[2]
STOCKHOLM = ZoneInfo("Europe/Stockholm")
ANNA, LENA, OSKAR = "U0ANNA0001", "U0LENA0001", "U0OSKAR001"


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM).astimezone(UTC)  # type: ignore[misc]


@dataclass
class Post:
    channel: str
    text: str
    thread_ts: str | None
    key: str | None
    ts: str


@dataclass
class RecordingGateway:
    """Records what would reach Slack; answers find_own_message from what it recorded."""

    locales: Mapping[str, str] = field(default_factory=dict)
    unreachable: set[str] = field(default_factory=set)
    lose_next_reply: bool = False
    posts: list[Post] = field(default_factory=list)

    async def post(
        self,
        channel: str,
        text: str,
        blocks: Sequence[dict[str, Any]] | None = None,
        *,
        thread_ts: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> tuple[str, str]:
        key = (metadata or {}).get("event_payload", {}).get("key")
        ts = f"1764000000.{len(self.posts):06d}"
        self.posts.append(Post(channel, text, thread_ts, key, ts))
        if self.lose_next_reply:
            # Slack took the message, but the answer never came back (timeout, process killed).
            self.lose_next_reply = False
            raise TimeoutError("no response from Slack")
        return channel, ts

    async def open_dm(self, user: str) -> str:
        if user in self.unreachable:
            raise SlackApiError("user_disabled", {"ok": False, "error": "user_disabled"})
        return "D" + user[1:]

    async def user(self, user_id: str) -> SlackUser:
        return SlackUser(user_id, user_id, self.locales.get(user_id, "en-US"), "Europe/Stockholm", False, False)

    async def find_own_message(self, channel: str, key: str, *, thread_ts: str | None = None) -> str | None:
        for post in self.posts:
            if (post.channel, post.thread_ts, post.key) == (channel, thread_ts, key):
                return post.ts
        return None


@pytest.fixture(scope="module")
def config() -> DeskConfig:
    return load_config(REPO / "app.yaml", env={})


@dataclass
class Desk:
    db: Database
    clock: FixedClock
    tickets: TicketService
    engine: SlaEngine
    gateway: RecordingGateway
    messages: SlaMessages

    def dispatcher(self) -> OutboxDispatcher:
        dispatcher = OutboxDispatcher(self.db.sessions, self.clock)
        self.messages.register(dispatcher)
        return dispatcher

    async def open(self, **overrides: Any) -> int:
        values: dict[str, Any] = {
            "team_id": "it",
            "title": "Laptop <!channel> won't start & more",
            "description": "Black screen.",
            "requester_id": ANNA,
            "kind": "incident",
            "priority": "high",
            "catalog_item_id": "laptop-broken",
        }
        values.update(overrides)
        ticket = await self.tickets.open_ticket(NewTicket(**values))
        return ticket.id

    async def post_card(self, ticket_id: int) -> None:
        async with self.db.sessions.begin() as session:
            await session.execute(
                update(Ticket).where(Ticket.id == ticket_id).values(triage_channel="C0ITTRIAGE", triage_ts="111.222")
            )


@pytest.fixture
def desk(db: Database, clock: FixedClock, config: DeskConfig) -> Desk:
    clock.set(local(2026, 11, 25, 10, 0))
    policies = SlaPolicies(config)
    engine = SlaEngine(db.sessions, clock, policies)
    gateway = RecordingGateway(locales={OSKAR: "sv-SE"})
    messages = SlaMessages(db.sessions, gateway, config, policies, clock)
    return Desk(db, clock, TicketService(db.sessions, clock, observers=[engine]), engine, gateway, messages)


async def test_unassigned_warning_goes_to_the_cards_thread_with_the_title_escaped(desk: Desk) -> None:
    ticket_id = await desk.open()
    await desk.post_card(ticket_id)
    desk.clock.set(local(2026, 11, 25, 10, 50))
    await desk.engine.sweep()
    assert await desk.dispatcher().drain() == 1

    [post] = desk.gateway.posts
    assert (post.channel, post.thread_ts) == ("C0ITTRIAGE", "111.222")
    assert post.key is not None
    assert post.key.startswith("sla:warn:")
    assert post.text == (
        ":hourglass_flowing_sand: *IT-1* Laptop &lt;!channel&gt; won't start &amp; more: the first response is due "
        "11:00 today (1 working hour target). Time is running out."
    )


async def test_assigned_warning_is_a_dm_in_the_assignees_language(desk: Desk) -> None:
    ticket_id = await desk.open()
    await desk.tickets.assign(ticket_id, OSKAR, actor_id=LENA)
    desk.clock.set(local(2026, 11, 25, 10, 50))
    await desk.engine.sweep()
    await desk.dispatcher().drain()

    [post] = desk.gateway.posts
    assert (post.channel, post.thread_ts) == ("D0OSKAR001", None)
    assert "första svaret ska komma senast i dag 11:00 (mål 1 arbetstimme)" in post.text


async def test_warning_falls_back_to_the_triage_channel_when_the_assignee_cannot_be_reached(desk: Desk) -> None:
    ticket_id = await desk.open()
    await desk.tickets.assign(ticket_id, OSKAR, actor_id=LENA)
    desk.gateway.unreachable.add(OSKAR)
    desk.clock.set(local(2026, 11, 25, 10, 50))
    await desk.engine.sweep()
    assert await desk.dispatcher().drain() == 1
    assert [p.channel for p in desk.gateway.posts] == ["C0ITTRIAGE"]


async def test_breach_is_posted_once_in_the_card_thread_and_once_to_each_lead(desk: Desk) -> None:
    ticket_id = await desk.open()
    await desk.post_card(ticket_id)
    desk.clock.set(local(2026, 11, 25, 11, 5))
    await desk.engine.sweep()
    await desk.dispatcher().drain()
    await desk.engine.sweep()
    await desk.dispatcher().drain()

    assert [(p.channel, p.thread_ts) for p in desk.gateway.posts] == [("C0ITTRIAGE", "111.222"), ("D0LENA0001", None)]
    assert all(p.key and p.key.startswith("sla:breach:") for p in desk.gateway.posts)
    assert desk.gateway.posts[1].text.startswith(":rotating_light: *IT-1* Laptop &lt;!channel&gt;")
    assert "(IT): the first response was due 11:00 today (1 working hour target) and is now overdue." in (
        desk.gateway.posts[1].text
    )


async def test_a_retry_after_slack_took_the_message_does_not_post_it_again(desk: Desk) -> None:
    await desk.open()
    desk.clock.set(local(2026, 11, 25, 11, 5))
    await desk.engine.sweep()
    desk.gateway.lose_next_reply = True
    assert await desk.dispatcher().drain() == 0  # the channel post reached Slack; we never heard back

    desk.clock.advance(timedelta(minutes=5))  # past the retry backoff; a fresh process delivers
    assert await desk.dispatcher().drain() == 1
    assert [p.channel for p in desk.gateway.posts] == ["C0ITTRIAGE", "D0LENA0001"]
    async with desk.db.sessions() as session:
        [row] = list(await session.scalars(select(OutboxMessage).where(OutboxMessage.kind != "triage_card")))
    assert (row.attempts, row.sent_at is not None) == (2, True)


async def test_a_lead_who_cannot_be_reached_does_not_hold_back_the_breach(desk: Desk) -> None:
    await desk.open()
    desk.gateway.unreachable.add(LENA)
    desk.clock.set(local(2026, 11, 25, 11, 5))
    await desk.engine.sweep()
    assert await desk.dispatcher().drain() == 1
    assert [p.channel for p in desk.gateway.posts] == ["C0ITTRIAGE"]


async def test_a_warning_settled_before_delivery_is_not_sent(desk: Desk) -> None:
    ticket_id = await desk.open()
    desk.clock.set(local(2026, 11, 25, 10, 50))
    await desk.engine.sweep()
    await desk.tickets.claim(ticket_id, LENA)  # answered before the dispatcher got to it
    assert await desk.dispatcher().drain() == 1
    assert desk.gateway.posts == []


async def test_two_dispatchers_deliver_each_sla_message_once(desk: Desk) -> None:
    for _ in range(4):
        await desk.open()
    desk.clock.set(local(2026, 11, 25, 10, 50))
    await asyncio.gather(desk.engine.sweep(), desk.engine.sweep())
    await asyncio.gather(desk.dispatcher().drain(), desk.dispatcher().drain())
    keys = [p.key for p in desk.gateway.posts]
    assert len(keys) == 4
    assert len(set(keys)) == 4


async def test_requester_reads_the_promise_in_local_time_and_why_the_clock_waits(desk: Desk) -> None:
    desk.clock.set(local(2026, 11, 27, 16, 30))
    ticket_id = await desk.open()
    now = desk.clock.now()
    views = await desk.engine.clock_views(None, ticket_id)
    assert requester_sla_line("en", views, now, "Europe/Stockholm") == "Expected first response by Monday 08:30."
    assert requester_sla_line("sv", views, now, "Europe/Stockholm") == "Förväntat första svar senast måndag 08:30."

    await desk.tickets.claim(ticket_id, LENA)
    await desk.tickets.wait_on_requester(ticket_id, actor_id=LENA, question="Which model?")
    views = await desk.engine.clock_views(None, ticket_id)
    assert requester_sla_line("en", views, now, "Europe/Stockholm") == (
        "The clock is paused while we wait for your answer; it starts again when you reply."
    )
    await desk.tickets.requester_replied(ticket_id, actor_id=ANNA)
    views = await desk.engine.clock_views(None, ticket_id)
    assert requester_sla_line("en", views, now, "Europe/Stockholm") == "Expected to be resolved by Monday 15:30."


def test_card_status_labels_exist_in_both_languages() -> None:
    assert [status_label("en", s) for s in ClockStatus] == ["on track", "at risk", "breached", "paused", "met"]
    assert status_label("sv", ClockStatus.BREACHED) == "försenad"
