"""What the desk receives when people act: signed, in Slack's documented shapes, redelivered like Slack."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.localslack.driver import LocalSlack
from bot.localslack.interactions import InvalidResponseAction, SubmissionBlocked
from bot.localslack.models import Channel

from .conftest import FakeDesk

CARD = [
    {
        "type": "section",
        "block_id": "summary",
        "text": {"type": "mrkdwn", "text": "IT-42 Laptop will not start"},
    },
    {
        "type": "actions",
        "block_id": "ticket_actions",
        "elements": [
            {
                "type": "button",
                "action_id": "claim",
                "text": {"type": "plain_text", "text": "Claim"},
                "value": "42",
            },
            {
                "type": "static_select",
                "action_id": "priority",
                "placeholder": {"type": "plain_text", "text": "Priority"},
                "options": [
                    {"text": {"type": "plain_text", "text": "High"}, "value": "high"},
                    {"text": {"type": "plain_text", "text": "Low"}, "value": "low"},
                ],
            },
        ],
    },
]

FORM: dict[str, Any] = {
    "type": "modal",
    "callback_id": "new_request",
    "notify_on_close": True,
    "private_metadata": '{"service": "laptop"}',
    "title": {"type": "plain_text", "text": "Laptop problem"},
    "submit": {"type": "plain_text", "text": "Send"},
    "blocks": [
        {
            "type": "input",
            "block_id": "summary",
            "label": {"type": "plain_text", "text": "What happened?"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        },
        {
            "type": "input",
            "block_id": "urgency",
            "label": {"type": "plain_text", "text": "Urgency"},
            "element": {
                "type": "static_select",
                "action_id": "choice",
                "options": [
                    {"text": {"type": "plain_text", "text": "Blocked"}, "value": "blocked"},
                    {"text": {"type": "plain_text", "text": "Annoying"}, "value": "annoying"},
                ],
            },
        },
        {
            "type": "input",
            "block_id": "approver",
            "optional": True,
            "label": {"type": "plain_text", "text": "Approver"},
            "element": {"type": "users_select", "action_id": "user"},
        },
    ],
}


async def test_a_dm_is_delivered_as_a_signed_event_callback(slack: LocalSlack, desk: FakeDesk) -> None:
    posted = await slack.send_message("anna", "anna", "my laptop won't start")
    assert [d.status for d in posted.deliveries] == [200]
    received = desk.last
    assert received.signature_valid
    assert received.headers["X-Slack-Signature"].startswith("v0=")
    envelope = received.body
    assert envelope["type"] == "event_callback"
    assert envelope["team_id"] == "T0DESK0001"
    assert envelope["api_app_id"] == "A0DESKAPP1"
    assert envelope["event_id"].startswith("Ev")
    assert envelope["authorizations"][0]["user_id"] == "U0DESKBOT1"
    assert envelope["is_ext_shared_channel"] is False
    assert envelope["event_context"]
    event = envelope["event"]
    assert event["type"] == "message"
    assert event["channel_type"] == "im"
    assert event["channel"] == "D0ANNA0001"
    assert event["user"] == "U0ANNA0001"
    assert event["text"] == "my laptop won't start"
    assert event["ts"] == posted.message.ts == event["event_ts"]


async def test_a_mention_in_a_channel_also_sends_app_mention(slack: LocalSlack, desk: FakeDesk) -> None:
    await slack.send_message("erik", "#help", "<@U0DESKBOT1> behöver tillgång till Figma")
    kinds = [(r.body["event"]["type"], r.body["event"].get("channel_type")) for r in desk.received]
    assert kinds == [("message", "channel"), ("app_mention", None)]
    assert desk.received[0].body["event_id"] != desk.received[1].body["event_id"]


async def test_thread_replies_and_private_channels_say_where_they_are(slack: LocalSlack, desk: FakeDesk) -> None:
    parent = await slack.send_message("agnes-hr", "#hr-triage", "New case")
    await slack.send_message("agnes-hr", "#hr-triage", "Following up", thread_ts=parent.message.ts)
    event = desk.last.body["event"]
    assert event["channel_type"] == "group"
    assert event["thread_ts"] == parent.message.ts
    assert event["parent_user_id"] == "U0AGNES001"


async def test_the_bot_does_not_hear_rooms_it_is_not_in(slack: LocalSlack, desk: FakeDesk) -> None:
    slack.workspace.channels["C0RANDOM01"] = Channel(id="C0RANDOM01", name="random", members={"U0ANNA0001"})
    posted = await slack.send_message("anna", "#random", "lunch?")
    assert posted.deliveries == []
    assert desk.received == []
    with pytest.raises(PermissionError):
        await slack.send_message("erik", "#random", "me too")


async def test_redelivery_repeats_the_event_with_retry_headers(slack: LocalSlack, desk: FakeDesk) -> None:
    posted = await slack.send_message("anna", "anna", "hello")
    again = await slack.redeliver(posted.deliveries[0], retry_num=1, reason="http_timeout")
    assert again.status == 200
    first, second = desk.received
    assert second.signature_valid
    assert second.headers["X-Slack-Retry-Num"] == "1"
    assert second.headers["X-Slack-Retry-Reason"] == "http_timeout"
    assert "X-Slack-Retry-Num" not in first.headers
    assert second.body["event_id"] == first.body["event_id"]


async def test_slash_command_is_form_encoded_and_its_response_url_answers(slack: LocalSlack, desk: FakeDesk) -> None:
    await slack.slash_command("erik", "/desk", "status IT-42", channel="#help")
    form = desk.last.body
    assert desk.last.content_type == "application/x-www-form-urlencoded"
    assert desk.last.signature_valid
    assert form["command"] == "/desk"
    assert form["text"] == "status IT-42"
    assert form["user_id"] == "U0ERIK0001"
    assert form["channel_id"] == "C0HELPCHAN"
    assert form["team_id"] == "T0DESK0001"
    assert form["api_app_id"] == "A0DESKAPP1"
    assert form["trigger_id"]
    async with aiohttp.ClientSession() as session:
        await session.post(form["response_url"], json={"text": "IT-42 is in progress"})
        await session.post(form["response_url"], json={"text": "Shared", "response_type": "in_channel"})
    assert [e.text for e in slack.ephemerals_for("erik")] == ["IT-42 is in progress"]
    assert slack.last_message("#help").text == "Shared"


async def test_a_click_on_a_message_sends_block_actions_and_replace_original_edits_it(
    slack: LocalSlack, desk: FakeDesk, client: AsyncWebClient
) -> None:
    posted = await client.chat_postMessage(channel="C0ITTRIAGE", text="IT-42", blocks=CARD)
    card = slack.last_message("#it-triage")
    await slack.click("lena-it", card, "claim")
    payload = desk.last.body
    assert payload["type"] == "block_actions"
    assert payload["container"] == {
        "type": "message",
        "message_ts": posted["ts"],
        "channel_id": "C0ITTRIAGE",
        "is_ephemeral": False,
    }
    assert payload["user"]["id"] == "U0LENA0001"
    assert payload["message"]["ts"] == posted["ts"]
    action = payload["actions"][0]
    assert (action["type"], action["action_id"], action["block_id"], action["value"]) == (
        "button",
        "claim",
        "ticket_actions",
        "42",
    )
    assert action["action_ts"]
    replaced = [{"type": "section", "text": {"type": "mrkdwn", "text": "IT-42 claimed by <@U0LENA0001>"}}]
    async with (
        aiohttp.ClientSession() as session,
        session.post(payload["response_url"], json={"replace_original": True, "blocks": replaced}) as r,
    ):
        assert r.status == 200
    assert slack.last_message("#it-triage").text_content == "IT-42 claimed by <@U0LENA0001>"


async def test_picking_from_a_menu_carries_the_selected_option(
    slack: LocalSlack, desk: FakeDesk, client: AsyncWebClient
) -> None:
    await client.chat_postMessage(channel="C0ITTRIAGE", text="IT-42", blocks=CARD)
    await slack.click("oskar-it", slack.last_message("#it-triage"), "priority", "high")
    assert desk.last.body["actions"][0]["selected_option"] == {
        "text": {"type": "plain_text", "text": "High"},
        "value": "high",
    }


async def open_form(slack: LocalSlack, desk: FakeDesk, client: AsyncWebClient) -> str:
    await slack.global_shortcut("anna", "new_request")
    assert desk.last.body["type"] == "shortcut"
    assert desk.last.body["callback_id"] == "new_request"
    opened = await client.views_open(trigger_id=desk.last.body["trigger_id"], view=FORM)
    view_id: str = opened["view"]["id"]
    return view_id


async def test_submitting_a_modal_sends_state_values_and_an_empty_answer_closes_it(
    slack: LocalSlack, desk: FakeDesk, client: AsyncWebClient
) -> None:
    view_id = await open_form(slack, desk, client)
    await slack.submit_view("anna", view_id, {"summary.value": "Black screen", "choice": "blocked"})
    payload = desk.last.body
    assert payload["type"] == "view_submission"
    assert payload["view"]["callback_id"] == "new_request"
    assert payload["view"]["private_metadata"] == '{"service": "laptop"}'
    values = payload["view"]["state"]["values"]
    assert values["summary"]["value"] == {"type": "plain_text_input", "value": "Black screen"}
    assert values["urgency"]["choice"]["selected_option"]["value"] == "blocked"
    assert values["approver"]["user"] == {"type": "users_select", "selected_user": None}
    assert slack.open_views("anna") == []


async def test_errors_keep_the_modal_open_and_update_replaces_it(
    slack: LocalSlack, desk: FakeDesk, client: AsyncWebClient
) -> None:
    view_id = await open_form(slack, desk, client)
    desk.answer_next({"response_action": "errors", "errors": {"summary": "Say a bit more"}})
    answered = await slack.submit_view("anna", view_id, {"value": "?", "choice": "annoying"})
    assert answered.json()["errors"] == {"summary": "Say a bit more"}
    assert [v.id for v in slack.open_views("anna")] == [view_id]

    thanks = {"type": "modal", "title": {"type": "plain_text", "text": "Thanks"}, "blocks": []}
    desk.answer_next({"response_action": "update", "view": thanks})
    await slack.submit_view("anna", view_id, {"value": "It beeps three times"})
    assert desk.last.body["view"]["state"]["values"]["urgency"]["choice"]["selected_option"]["value"] == "annoying"
    assert slack.open_views("anna")[0].text_content == "Thanks"


async def test_a_required_field_left_empty_blocks_submission_like_the_client(
    slack: LocalSlack, desk: FakeDesk, client: AsyncWebClient
) -> None:
    view_id = await open_form(slack, desk, client)
    with pytest.raises(SubmissionBlocked, match="urgency"):
        await slack.submit_view("anna", view_id, {"value": "Black screen"})
    assert desk.last.body["type"] == "shortcut"


async def test_closing_a_modal_notifies_when_asked(slack: LocalSlack, desk: FakeDesk, client: AsyncWebClient):
    view_id = await open_form(slack, desk, client)
    await slack.close_view("anna", view_id)
    assert desk.last.body["type"] == "view_closed"
    assert desk.last.body["view"]["id"] == view_id
    assert desk.last.body["is_cleared"] is False
    assert slack.open_views("anna") == []


async def test_message_shortcut_reaction_and_app_home(slack: LocalSlack, desk: FakeDesk) -> None:
    posted = await slack.send_message("erik", "#help", "the printer is on fire")
    await slack.message_shortcut("erik", posted.message, "make_ticket")
    action = desk.last.body
    assert action["type"] == "message_action"
    assert action["callback_id"] == "make_ticket"
    assert action["message"]["text"] == "the printer is on fire"
    assert action["channel"] == {"id": "C0HELPCHAN", "name": "help"}
    assert action["response_url"]
    assert action["trigger_id"]

    await slack.add_reaction("erik", "#help", posted.message.ts, "fire")
    event = desk.last.body["event"]
    assert (event["type"], event["reaction"], event["item"]["ts"]) == (
        "reaction_added",
        "fire",
        posted.message.ts,
    )

    await slack.open_app_home("erik")
    event = desk.last.body["event"]
    assert (event["type"], event["tab"], event["user"]) == ("app_home_opened", "home", "U0ERIK0001")
    assert all(r.signature_valid for r in desk.received)


async def test_the_bots_own_posts_are_echoed_when_asked(clock, desk: FakeDesk, slack: LocalSlack) -> None:
    async with LocalSlack(clock=clock, echo_bot_messages=True, request_url=slack.request_url) as echoing:
        client = AsyncWebClient(token=echoing.bot_token, base_url=echoing.api_url)
        posted = await client.chat_postMessage(channel="U0ANNA0001", text="Your ticket IT-1 is open")
        await echoing.settle()
    event = desk.last.body["event"]
    assert desk.last.signature_valid
    assert (event["type"], event["channel_type"], event["ts"]) == ("message", "im", posted["ts"])
    assert event["bot_id"] == "B0DESKBOT1"
    assert event["user"] == "U0DESKBOT1"


async def test_a_choice_inside_a_modal_is_kept_in_its_state(
    slack: LocalSlack, desk: FakeDesk, client: AsyncWebClient
) -> None:
    view_id = await open_form(slack, desk, client)
    await slack.click("anna", view_id, "choice", "annoying")
    payload = desk.last.body
    assert payload["container"] == {"type": "view", "view_id": view_id}
    assert payload["actions"][0]["selected_option"]["value"] == "annoying"
    await slack.submit_view("anna", view_id, {"value": "Fan is loud"})
    values = desk.last.body["view"]["state"]["values"]
    assert values["urgency"]["choice"]["selected_option"]["value"] == "annoying"


async def test_a_desk_slower_than_three_seconds_counts_as_a_failed_delivery(clock, desk: FakeDesk, slack):
    desk.delay = 0.5
    async with LocalSlack(clock=clock, request_url=slack.request_url, delivery_timeout=0.1) as impatient:
        posted = await impatient.send_message("anna", "anna", "anyone there?")
        [delivery] = posted.deliveries
        assert delivery.failure == "http_timeout"
        desk.delay = 0
        retried = await impatient.redeliver(delivery, retry_num=1, reason=delivery.failure)
    assert retried.status == 200
    assert desk.last.headers["X-Slack-Retry-Reason"] == "http_timeout"


async def test_a_desk_that_is_down_is_a_connection_failure(slack: LocalSlack) -> None:
    slack.request_url = "http://127.0.0.1:9/slack/events"
    posted = await slack.send_message("anna", "anna", "hello")
    assert [d.failure for d in posted.deliveries] == ["connection_failed"]


async def test_an_answer_slack_would_refuse_is_reported_and_the_modal_stays(
    slack: LocalSlack, desk: FakeDesk, client: AsyncWebClient
) -> None:
    view_id = await open_form(slack, desk, client)
    desk.answer_next({"response_action": "errors", "errors": {"no_such_block": "wrong"}})
    with pytest.raises(InvalidResponseAction, match="no_such_block"):
        await slack.submit_view("anna", view_id, {"value": "x", "choice": "blocked"})
    too_long = {"type": "modal", "title": {"type": "plain_text", "text": "T" * 30}, "blocks": []}
    desk.answer_next({"response_action": "update", "view": too_long})
    with pytest.raises(InvalidResponseAction, match="json-pointer:/view/title/text"):
        await slack.submit_view("anna", view_id)
    assert [v.id for v in slack.open_views("anna")] == [view_id]
