"""Every bad input gets a clear answer and changes nothing; nothing is answered twice."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bot.blocks.ids import ActionId, CallbackId
from bot.bootstrap import Desk, build_desk
from bot.clock import FixedClock
from bot.config import load_config
from bot.db.models import IntakeRequest, SlackDelivery, Ticket
from bot.localslack import payloads
from bot.localslack.driver import LocalSlack
from bot.localslack.signing import signed_headers
from bot.services.requests import RequestForm
from bot.web import create_web_app
from tests.conftest import REPO
from tests.databases import Database
from tests.slack.conftest import desk_env


@pytest.fixture(autouse=True)
def _wednesday_afternoon(clock: FixedClock) -> None:
    clock.set(datetime(2026, 11, 25, 12, 30, tzinfo=UTC))


async def count(db: Database, model: Any) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def mrkdwn_texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["text"]] if node.get("type") == "mrkdwn" else []
        return found + [t for value in node.values() for t in mrkdwn_texts(value)]
    if isinstance(node, list):
        return [t for value in node for t in mrkdwn_texts(value)]
    return []


def dm_event(slack: LocalSlack, text: str, **extra: Any) -> dict[str, Any]:
    channel = slack.workspace.open_im("U0ANNA0001")
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": channel.id,
        "user": "U0ANNA0001",
        "text": text,
        "ts": slack.workspace.new_ts(),
        "team": "T0DESK0001",
    }
    event.update(extra)
    return payloads.envelope(slack.workspace, event, datetime.now(UTC))


async def post_raw(
    slack: LocalSlack,
    body: bytes,
    *,
    secret: str | None = None,
    timestamp: Any = None,
    content_type: str = "application/json",
) -> tuple[int, str]:
    assert slack.request_url
    headers = signed_headers(secret or slack.signing_secret, int(time.time()), body, content_type)
    if timestamp is not None:
        headers["X-Slack-Request-Timestamp"] = str(timestamp)
    async with (
        aiohttp.ClientSession() as session,
        session.post(slack.request_url, data=body, headers=headers) as response,
    ):
        return response.status, await response.text()


async def test_bad_signatures_get_401_and_change_nothing(desk: Desk, slack: LocalSlack, db: Database) -> None:
    body = json.dumps(dm_event(slack, "my laptop is broken")).encode()
    assert (await post_raw(slack, body, secret="not-the-secret"))[0] == 401
    assert (await post_raw(slack, body, timestamp=int(time.time()) - 6 * 60))[0] == 401
    status, text = await post_raw(slack, body, timestamp="yesterday")
    assert (status, json.loads(text)["error"]) == (401, "invalid signature")
    assert slack.request_url
    async with aiohttp.ClientSession() as session, session.post(slack.request_url, data=body) as response:
        assert response.status == 401
    await desk.settle()
    assert await count(db, SlackDelivery) == 0
    assert await count(db, IntakeRequest) == 0
    assert slack.calls("chat.postMessage") == []


async def test_an_empty_signing_secret_refuses_everything_without_a_500(
    db: Database, slack: LocalSlack, clock: FixedClock
) -> None:
    config = load_config(REPO / "app.yaml", env=desk_env(db, slack, SLACK_SIGNING_SECRET=""))
    desk = await build_desk(config, clock=clock, migrate=False)
    server = TestServer(create_web_app(desk), host="127.0.0.1")
    await server.start_server()
    slack.request_url = str(server.make_url("/slack/events"))
    try:
        status, _ = await post_raw(slack, json.dumps(dm_event(slack, "hello")).encode())
        assert status == 401
    finally:
        await server.close()
        await desk.close()


async def test_a_redelivered_event_is_answered_once(desk: Desk, slack: LocalSlack, db: Database) -> None:
    posted = await slack.send_message("anna", "anna", "the printer on floor 3 is jammed")
    await desk.settle()
    again = await slack.redeliver(posted.deliveries[0], retry_num=1, reason="http_timeout")
    again_2 = await slack.redeliver(posted.deliveries[0], retry_num=2, reason="http_error")
    await desk.settle()
    assert (again.status, again_2.status) == (200, 200)
    assert len(slack.thread("anna", posted.message.ts)) == 2  # the question and one answer
    assert await count(db, IntakeRequest) == 1


async def test_double_clicks_and_double_submits_open_one_ticket(desk: Desk, slack: LocalSlack, db: Database) -> None:
    posted = await slack.send_message("anna", "anna", "the printer on floor 3 is jammed")
    await desk.settle()
    reply = slack.thread("anna", posted.message.ts)[-1]
    await slack.click("anna", reply, ActionId.CHOOSE_ITEM, block_id="offer.printer-problem")
    await slack.click("anna", reply, ActionId.CHOOSE_ITEM, block_id="offer.printer-problem")
    await slack.submit_view("anna", slack.open_views("anna")[-1], {})
    await desk.settle()
    # The same request submitted again (a second form, a retried submission) finds the first ticket.
    intake = await desk.intake.get(1)
    assert intake is not None
    form = RequestForm(
        requester_id="U0ANNA0001",
        item_id="printer-problem",
        team_id=None,
        description="the printer on floor 3 is jammed",
        values={},
        language="en",
        origin_key=f"intake:{intake.id}",
        intake_id=intake.id,
    )
    results = await asyncio.gather(desk.requests.submit(form), desk.requests.submit(form))
    assert [created for _, created in results] == [False, False]
    assert {ticket.key for ticket, _ in results} == {"IT-1"}
    # Pressing the old button once more says where the request already is.
    await slack.click("anna", reply, ActionId.CHOOSE_ITEM, block_id="offer.printer-problem")
    assert "That's already with the team as *IT-1*." in slack.open_views("anna")[-1].text_content
    await desk.settle()
    assert await count(db, Ticket) == 1
    confirmations = [m for m in slack.thread("anna", posted.message.ts) if "Your request" in m.text_content]
    assert len(confirmations) == 1


async def test_own_and_other_bots_messages_and_edits_are_ignored(desk: Desk, slack: LocalSlack, db: Database) -> None:
    slack.echo_own_posts(True)
    posted = await slack.send_message("anna", "anna", "the printer on floor 3 is jammed")
    await desk.settle()
    await slack.settle()
    await desk.settle()
    assert len(slack.thread("anna", posted.message.ts)) == 2  # our echoed reply did not start a loop

    for extra in (
        {"bot_id": "B0OTHERBOT", "subtype": "bot_message"},
        {"subtype": "message_changed", "message": {"text": "edited"}},
        {"subtype": "message_deleted"},
        {"subtype": "channel_join"},
    ):
        status, _ = await post_raw(slack, json.dumps(dm_event(slack, "my laptop is broken", **extra)).encode())
        assert status == 200
    await desk.settle()
    assert await count(db, IntakeRequest) == 1


async def test_user_text_is_escaped_and_long_text_is_kept_whole(desk: Desk, slack: LocalSlack, db: Database) -> None:
    nasty = "<!channel> printer jammed, ask <@U0LENA0001> or see <http://evil.example|our wiki> & more "
    long_text = nasty + "lorem ipsum " * 3500  # over 40,000 characters in all
    assert len(long_text) > 40_000
    posted = await slack.send_message("anna", "anna", long_text[:40_000])
    await desk.settle()
    reply = slack.thread("anna", posted.message.ts)[-1]
    await slack.click("anna", reply, ActionId.CHOOSE_ITEM, block_id="offer.printer-problem")
    await slack.submit_view("anna", slack.open_views("anna")[-1], {})
    await desk.settle()

    async with db.sessions() as session:
        ticket = await session.scalar(select(Ticket))
    assert ticket is not None
    assert ticket.description == long_text[:40_000].strip()
    card = slack.messages_in("#it-triage")[-1]
    # mrkdwn is where Slack would ping or link; plain_text (the header) is always shown literally.
    shown = " ".join(mrkdwn_texts(card.blocks))
    assert "&lt;!channel&gt;" in shown
    assert "&lt;@U0LENA0001&gt;" in shown
    assert "&lt;http://evil.example|our wiki&gt;" in shown
    assert "<!channel>" not in shown
    assert "<http://evil" not in shown
    assert len(json.dumps(card.blocks)) < 20_000


@pytest.mark.parametrize(
    "text",
    ["<@U0DESKBOT1>", ":wave: :smile:", "\u200b\u200b", "   "],
    ids=["mention-only", "emoji-only", "zero-width", "blank"],
)
async def test_messages_without_words_get_a_gentle_prompt(
    desk: Desk, slack: LocalSlack, db: Database, text: str
) -> None:
    posted = await slack.send_message("anna", "anna", text)
    await desk.settle()
    assert "Tell me what you need in a few words" in slack.thread("anna", posted.message.ts)[-1].text_content
    assert await count(db, IntakeRequest) == 0


async def test_right_to_left_text_is_handled(desk: Desk, slack: LocalSlack) -> None:
    posted = await slack.send_message("anna", "anna", "\u202bהמחשב שלי לא נדלק\u202c لا يعمل")
    await desk.settle()
    assert len(slack.thread("anna", posted.message.ts)) == 2


async def test_unknown_actions_and_stale_buttons_are_answered_gracefully(
    desk: Desk, slack: LocalSlack, db: Database
) -> None:
    posted = await slack.send_message("anna", "anna", "the printer on floor 3 is jammed")
    await desk.settle()
    reply = slack.thread("anna", posted.message.ts)[-1]
    # A button from an older version of the desk, with an action id nobody handles any more.
    reply.blocks.append(
        {
            "type": "actions",
            "elements": [
                {"type": "button", "action_id": "desk.retired", "text": {"type": "plain_text", "text": "Old"}}
            ],
        }
    )
    answer = await slack.click("anna", reply, "desk.retired")
    assert answer.status == 200
    assert "This button is out of date" in slack.ephemerals_for("anna")[-1].text_content

    # A service that was removed from app.yaml since the answer was drawn.
    stale = json.dumps({"r": 1, "i": "fax-machine"})
    reply.blocks.append(
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": ActionId.CHOOSE_ITEM,
                    "value": stale,
                    "text": {"type": "plain_text", "text": "Fax"},
                }
            ],
            "block_id": "stale",
        }
    )
    await slack.click("anna", reply, ActionId.CHOOSE_ITEM, block_id="stale")
    assert "That service no longer exists" in slack.open_views("anna")[-1].text_content

    # Closing a form is acknowledged and changes nothing.
    await slack.click("anna", reply, ActionId.CHOOSE_ITEM, block_id="offer.printer-problem")
    form = slack.open_views("anna")[-1]
    assert form.callback_id == CallbackId.REQUEST_FORM
    closed = await slack.close_view("anna", form)
    assert closed is not None
    assert closed.status == 200
    assert await count(db, Ticket) == 0
