"""A real Bolt app against the stand-in, both ways over HTTP: what the driver delivers, Bolt accepts and
routes; what Bolt sends back (say, respond, views.open, ack with response_action), the stand-in applies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.localslack.driver import LocalSlack

FORM = {
    "type": "modal",
    "callback_id": "new_request",
    "title": {"type": "plain_text", "text": "New request"},
    "submit": {"type": "plain_text", "text": "Send"},
    "blocks": [
        {
            "type": "input",
            "block_id": "summary",
            "label": {"type": "plain_text", "text": "Summary"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        }
    ],
}


def build_app(slack: LocalSlack) -> AsyncApp:
    app = AsyncApp(
        client=AsyncWebClient(token=slack.bot_token, base_url=slack.api_url),
        signing_secret=slack.signing_secret,
        # Finish listeners before answering so the test sees their effects when the delivery returns.
        process_before_response=True,
    )

    @app.event("message")
    async def echo(event: dict[str, Any], say: Any) -> None:
        await say(
            text=f"You said: {event['text']}",
            blocks=[
                {"type": "section", "text": {"type": "mrkdwn", "text": f"You said: {event['text']}"}},
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": "solved",
                            "text": {"type": "plain_text", "text": "Solved"},
                        }
                    ],
                },
            ],
        )

    @app.action("solved")
    async def solved(ack: Any, respond: Any) -> None:
        await ack()
        await respond(replace_original=True, text="Glad it worked out")

    @app.command("/desk")
    async def desk_command(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=FORM)

    @app.view("new_request")
    async def submitted(ack: Any, view: dict[str, Any], client: AsyncWebClient, body: dict[str, Any]) -> None:
        summary = view["state"]["values"]["summary"]["value"]["value"]
        if len(summary) < 5:
            await ack(response_action="errors", errors={"summary": "Say a bit more"})
            return
        await ack()
        await client.chat_postMessage(channel=body["user"]["id"], text=f"Ticket opened: {summary}")

    return app


@pytest.fixture
async def bolt(slack: LocalSlack) -> AsyncIterator[AsyncApp]:
    app = build_app(slack)
    runner = web.AppRunner(app.web_app(path="/slack/events"))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    slack.request_url = f"http://127.0.0.1:{port}/slack/events"
    yield app
    await runner.cleanup()


async def test_bolt_hears_a_dm_replies_and_handles_the_button(slack: LocalSlack, bolt: AsyncApp) -> None:
    posted = await slack.send_message("anna", "anna", "printer jammed")
    assert [d.status for d in posted.deliveries] == [200]
    reply = slack.dm_with("anna")[-1]
    assert reply.text == "You said: printer jammed"
    assert reply.bot_id == "B0DESKBOT1"

    clicked = await slack.click("anna", reply, "solved")
    assert clicked.status == 200
    assert slack.dm_with("anna")[-1].text_content == "Glad it worked out"


async def test_bolt_opens_a_modal_from_a_command_and_answers_its_submission(slack: LocalSlack, bolt: AsyncApp) -> None:
    answered = await slack.slash_command("erik", "/desk", "new")
    assert answered.status == 200
    [form] = slack.open_views("erik")
    assert form.callback_id == "new_request"

    short = await slack.submit_view("erik", form, {"value": "help"})
    assert short.json() == {"response_action": "errors", "errors": {"summary": "Say a bit more"}}
    assert slack.open_views("erik") == [form]

    await slack.submit_view("erik", form, {"value": "Need Figma access"})
    assert slack.open_views("erik") == []
    assert slack.dm_with("erik")[-1].text == "Ticket opened: Need Figma access"


async def test_bolt_refuses_a_delivery_signed_with_another_secret(slack: LocalSlack, bolt: AsyncApp) -> None:
    slack.workspace.app = type(slack.workspace.app)(signing_secret="not-the-desks-secret")
    posted = await slack.send_message("anna", "anna", "hello?")
    assert [d.status for d in posted.deliveries] == [401]
    assert [m.text for m in slack.dm_with("anna")] == ["hello?"]


async def test_bolt_skips_the_echo_of_its_own_reply(clock, bolt: AsyncApp, slack: LocalSlack) -> None:
    slack.echo_own_posts()
    await slack.send_message("anna", "anna", "is the VPN down?")
    await slack.settle()
    assert [m.text for m in slack.dm_with("anna")] == ["is the VPN down?", "You said: is the VPN down?"]
    assert [d.kind for d in slack.deliveries] == ["event", "event"]
    assert all(d.status == 200 for d in slack.deliveries)
