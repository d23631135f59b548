"""Modals and home tabs: triggers that expire, stacks, hashes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import FixedClock
from bot.localslack.driver import LocalSlack

from .conftest import FakeDesk


def modal(title: str = "New request", **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "new_request",
        "title": {"type": "plain_text", "text": title},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Tell us more"}}],
        **extra,
    }


async def trigger_from_shortcut(slack: LocalSlack, desk: FakeDesk, user: str = "anna") -> str:
    await slack.global_shortcut(user, "new_request")
    trigger_id: str = desk.last.body["trigger_id"]
    return trigger_id


async def test_a_fresh_trigger_opens_a_modal_for_the_person_who_acted(
    slack: LocalSlack, desk: FakeDesk, client: AsyncWebClient
) -> None:
    trigger_id = await trigger_from_shortcut(slack, desk)
    opened = await client.views_open(trigger_id=trigger_id, view=modal())
    assert opened["view"]["id"].startswith("V")
    assert opened["view"]["callback_id"] == "new_request"
    assert [v.id for v in slack.open_views("anna")] == [opened["view"]["id"]]


async def test_a_trigger_expires_after_three_seconds(
    slack: LocalSlack, desk: FakeDesk, client: AsyncWebClient, clock: FixedClock
) -> None:
    trigger_id = await trigger_from_shortcut(slack, desk)
    clock.advance(timedelta(seconds=3, milliseconds=1))
    with pytest.raises(SlackApiError) as refused:
        await client.views_open(trigger_id=trigger_id, view=modal())
    assert refused.value.response["error"] == "expired_trigger_id"
    assert slack.open_views("anna") == []


async def test_a_trigger_works_once_and_must_be_real(slack: LocalSlack, desk: FakeDesk, client: AsyncWebClient) -> None:
    trigger_id = await trigger_from_shortcut(slack, desk)
    await client.views_open(trigger_id=trigger_id, view=modal())
    with pytest.raises(SlackApiError) as again:
        await client.views_open(trigger_id=trigger_id, view=modal())
    assert again.value.response["error"] == "exchanged_trigger_id"
    with pytest.raises(SlackApiError) as made_up:
        await client.views_open(trigger_id="12345.98765.abcd2358fdea", view=modal())
    assert made_up.value.response["error"] == "invalid_trigger_id"


async def test_an_overlong_title_is_refused_before_the_trigger_is_spent(
    slack: LocalSlack, desk: FakeDesk, client: AsyncWebClient
) -> None:
    trigger_id = await trigger_from_shortcut(slack, desk)
    with pytest.raises(SlackApiError) as refused:
        await client.views_open(trigger_id=trigger_id, view=modal(title="A title that is far too long"))
    assert refused.value.response["error"] == "invalid_arguments"
    assert (
        "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"
        in (refused.value.response["response_metadata"]["messages"])
    )
    assert (await client.views_open(trigger_id=trigger_id, view=modal()))["ok"]


async def test_views_stack_to_three_and_update_checks_the_hash(
    slack: LocalSlack, desk: FakeDesk, client: AsyncWebClient
) -> None:
    root = await client.views_open(trigger_id=await trigger_from_shortcut(slack, desk), view=modal())
    for n in range(2):
        pushed = await client.views_push(trigger_id=await trigger_from_shortcut(slack, desk), view=modal(f"Step {n}"))
        assert pushed["view"]["root_view_id"] == root["view"]["id"]
    with pytest.raises(SlackApiError) as full:
        await client.views_push(trigger_id=await trigger_from_shortcut(slack, desk), view=modal("Too deep"))
    assert full.value.response["error"] == "push_limit_reached"

    stale_hash = root["view"]["hash"]
    await client.views_update(view_id=root["view"]["id"], view=modal("Loading done"), hash=stale_hash)
    with pytest.raises(SlackApiError) as conflict:
        await client.views_update(view_id=root["view"]["id"], view=modal("Late"), hash=stale_hash)
    assert conflict.value.response["error"] == "hash_conflict"
    assert slack.open_views("anna")[0].title == {"type": "plain_text", "text": "Loading done"}


async def test_update_by_external_id_and_unknown_view(slack: LocalSlack, desk: FakeDesk, client: AsyncWebClient):
    trigger_id = await trigger_from_shortcut(slack, desk)
    await client.views_open(trigger_id=trigger_id, view=modal(external_id="request-7"))
    await client.views_update(external_id="request-7", view=modal("Saved", external_id="request-7"))
    assert slack.open_views("anna")[0].title == {"type": "plain_text", "text": "Saved"}
    with pytest.raises(SlackApiError) as missing:
        await client.views_update(view_id="V0NOTTHERE", view=modal())
    assert missing.value.response["error"] == "not_found"


async def test_home_tab_is_published_per_user(slack: LocalSlack, client: AsyncWebClient) -> None:
    home = {
        "type": "home",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Your tickets"}}],
    }
    await client.views_publish(user_id="U0ANNA0001", view=home)
    shown = slack.home_of("anna")
    assert shown is not None
    assert "Your tickets" in shown.text_content
    assert slack.home_of("erik") is None
