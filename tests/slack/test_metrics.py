"""/metrics through the real desk and the Slack stand-in: what an operator's dashboard would show."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.bootstrap import Desk, build_desk
from bot.clock import FixedClock
from bot.config import load_config
from bot.localslack import payloads
from bot.localslack.driver import LocalSlack
from bot.slack.socket_mode import SocketModeBridge
from tests.conftest import REPO
from tests.databases import Database
from tests.slack.conftest import desk_env
from tests.slack.test_socket_mode import RecordingSocket

LENA = "U0LENA0001"


@pytest.fixture(autouse=True)
def _wednesday_afternoon(clock: FixedClock) -> None:
    clock.set(datetime(2026, 11, 25, 12, 30, tzinfo=UTC))


class Scrape:
    def __init__(self, text: str) -> None:
        self.text = text
        self.samples = {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }

    def value(self, name: str, **labels: str) -> float | None:
        return self.samples.get((name, tuple(sorted(labels.items()))))


async def scrape(slack: LocalSlack) -> Scrape:
    assert slack.request_url
    url = slack.request_url.replace("/slack/events", "/metrics")
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        return Scrape(await response.text())


async def test_events_redeliveries_tickets_and_slack_calls_are_counted(desk: Desk, slack: LocalSlack) -> None:
    before = await scrape(slack)
    assert before.value("desk_slack_events_received_total") == 0
    assert before.value("desk_inbox_backlog") == 0
    assert before.value("desk_outbox_backlog") == 0

    posted = await slack.send_message("anna", "anna", "the printer on floor 3 is jammed")
    await desk.settle()
    await slack.redeliver(posted.deliveries[0], retry_num=1, reason="http_timeout")
    await desk.settle()
    after_dm = await scrape(slack)
    assert after_dm.value("desk_slack_events_received_total") == 1
    assert after_dm.value("desk_slack_events_duplicate_total") == 1
    assert after_dm.value("desk_slack_events_failed_total") == 0
    assert after_dm.value("desk_slack_ack_seconds_count", kind="event") == 2
    # The answer in the DM thread went through the counted Web API client.
    assert after_dm.value("desk_slack_api_calls_total", method="chat.postMessage") == len(
        slack.calls("chat.postMessage")
    )

    help_post = await slack.send_message("anna", "#help", "my VPN keeps disconnecting every ten minutes")
    await desk.settle()
    await slack.add_reaction("lena-it", "#help", help_post.message.ts, "ticket")
    await desk.settle()
    opened = await scrape(slack)
    assert opened.value("desk_tickets_opened_total", team="it") == 1
    assert opened.value("desk_tickets_resolved_total", team="it") is None
    # Triage card and requester confirmation, delivered from the outbox and counted by kind.
    assert opened.value("desk_outbox_delivered_total", kind="triage_card") == 1
    assert opened.value("desk_outbox_delivered_total", kind="requester_notice") == 1
    assert opened.value("desk_outbox_backlog") == 0
    assert opened.value("desk_inbox_backlog") == 0

    ticket = await desk.tickets.get("IT-1")
    await desk.tickets.claim(ticket.id, LENA)
    await desk.tickets.resolve(ticket.id, actor_id=LENA, note="Restarted the VPN client")
    resolved = await scrape(slack)
    assert resolved.value("desk_tickets_resolved_total", team="it") == 1
    assert resolved.value("desk_tickets_opened_total", team="it") == 1
    # Queued by the resolution and not sent yet: the backlog is read from the database at scrape time.
    assert (resolved.value("desk_outbox_backlog") or 0) >= 1
    await desk.settle()
    assert (await scrape(slack)).value("desk_outbox_backlog") == 0


async def test_slack_api_errors_are_counted_by_method_and_error(desk: Desk, slack: LocalSlack) -> None:
    with pytest.raises(SlackApiError):
        await desk.gateway.post("C0NOWHERE1", "hello")
    metrics = await scrape(slack)
    assert metrics.value("desk_slack_api_calls_total", method="chat.postMessage") == 1
    assert metrics.value("desk_slack_api_errors_total", method="chat.postMessage", error="channel_not_found") == 1


async def test_commands_and_interactions_have_their_own_acknowledgement_latency(desk: Desk, slack: LocalSlack) -> None:
    await slack.slash_command("anna", "/helpdesk", "status")
    await desk.settle()
    metrics = await scrape(slack)
    assert metrics.value("desk_slack_ack_seconds_count", kind="command") == 1
    assert metrics.value("desk_slack_ack_seconds_count", kind="event") is None


async def test_each_desk_counts_for_itself(desk: Desk, slack: LocalSlack, db: Database, clock: FixedClock) -> None:
    # Tests (and a process serving two configurations) build several desks: none counts into another's registry.
    other = await build_desk(load_config(REPO / "app.yaml", env=desk_env(db, slack)), clock=clock, migrate=False)
    try:
        await slack.send_message("anna", "anna", "hello")
        await desk.settle()
        assert desk.metrics.registry.get_sample_value("desk_slack_events_received_total") == 1
        assert other.metrics.registry.get_sample_value("desk_slack_events_received_total") == 0
    finally:
        await other.close()


async def test_a_failing_listener_is_counted_and_the_event_kept(desk: Desk, slack: LocalSlack) -> None:
    assert desk.bolt is not None

    @desk.bolt.middleware
    async def broken(body: dict[str, Any], next: Callable[[], Awaitable[None]]) -> None:
        if "breaks the listener" in json.dumps(body):
            raise RuntimeError("a bug in a listener")
        await next()

    await slack.send_message("anna", "anna", "this message breaks the listener")
    await desk.settle()
    metrics = await scrape(slack)
    assert metrics.value("desk_slack_events_received_total") == 1
    assert metrics.value("desk_slack_events_failed_total") == 1
    assert metrics.value("desk_inbox_backlog") == 1  # kept for a retry


async def test_socket_mode_requests_are_counted_like_http_ones(desk: Desk, slack: LocalSlack) -> None:
    socket = RecordingSocket()
    bridge = SocketModeBridge(desk.edge)
    channel = slack.workspace.open_im("U0ANNA0001")
    message = slack.workspace.post(channel, text="my vpn keeps dropping", user="U0ANNA0001")
    envelope = payloads.envelope(
        slack.workspace, payloads.user_message_event(slack.workspace, channel, message), desk.clock.now()
    )
    request = SocketModeRequest(type="events_api", envelope_id="env-1", payload=envelope)
    await bridge.on_request(socket, request)
    await bridge.on_request(socket, request)
    await desk.settle()
    metrics = await scrape(slack)
    assert metrics.value("desk_slack_events_received_total") == 1
    assert metrics.value("desk_slack_events_duplicate_total") == 1
    assert metrics.value("desk_slack_ack_seconds_count", kind="event") == 2
