"""Socket Mode uses the same inbox and listeners as HTTP: an event is stored before it is acknowledged, and a
slash command's answer goes back over the socket."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from sqlalchemy import func, select

from bot.bootstrap import Desk
from bot.db.models import SlackDelivery
from bot.localslack import payloads
from bot.localslack.context import ResponseTarget
from bot.localslack.driver import LocalSlack
from bot.slack.socket_mode import SocketModeBridge
from tests.databases import Database


@dataclass
class RecordingSocket:
    """Stands in for the WebSocket client: records the acknowledgements the desk sends back."""

    sent: list[SocketModeResponse] = field(default_factory=list)

    async def send_socket_mode_response(self, response: SocketModeResponse) -> None:
        self.sent.append(response)


async def test_an_event_is_stored_before_it_is_acknowledged_and_answered_once(
    desk: Desk, slack: LocalSlack, db: Database
) -> None:
    socket = RecordingSocket()
    bridge = SocketModeBridge(desk.edge)
    channel = slack.workspace.open_im("U0ANNA0001")
    message = slack.workspace.post(channel, text="my vpn keeps dropping", user="U0ANNA0001")
    envelope = payloads.envelope(
        slack.workspace, payloads.user_message_event(slack.workspace, channel, message), desk.clock.now()
    )
    request = SocketModeRequest(type="events_api", envelope_id="env-1", payload=envelope)

    await bridge.on_request(socket, request)
    await bridge.on_request(socket, request)  # Slack retries when our ack was lost
    await desk.settle()

    assert [r.envelope_id for r in socket.sent] == ["env-1", "env-1"]
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(SlackDelivery)) == 1
    thread = slack.thread("anna", message.ts)
    assert len(thread) == 2
    assert "VPN or remote access problem" in thread[-1].text_content


async def test_a_slash_command_is_answered_over_the_socket(desk: Desk, slack: LocalSlack) -> None:
    socket = RecordingSocket()
    bridge = SocketModeBridge(desk.edge)
    user = slack.workspace.user("anna")
    where = slack.workspace.open_im(user.id)
    form: dict[str, Any] = payloads.slash_command_form(
        slack.workspace,
        user,
        where,
        "/helpdesk",
        "status",
        "http://127.0.0.1:1/unused",
        slack.workspace.issue_trigger(user.id),
    )
    response_url = slack.standin.new_response_url(ResponseTarget(channel_id=where.id, user_id=user.id))
    form["response_url"] = response_url
    await bridge.on_request(socket, SocketModeRequest(type="slash_commands", envelope_id="env-2", payload=form))
    assert socket.sent[-1].envelope_id == "env-2"
    assert "You have no open tickets." in slack.ephemerals_for("anna")[-1].text_content
