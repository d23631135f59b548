"""Block Kit the way Slack judges it: what it accepts, what it refuses and how it names the fault."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.localslack.blockkit import validate_message_blocks, validate_view


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(text: str = "Claim", action_id: str = "claim", **extra: Any) -> dict[str, Any]:
    return {"type": "button", "text": {"type": "plain_text", "text": text}, "action_id": action_id, **extra}


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def reasons(blocks: Any) -> list[str]:
    return [str(v) for v in validate_message_blocks(blocks)]


def test_a_typical_triage_card_is_accepted() -> None:
    card = [
        {"type": "header", "text": {"type": "plain_text", "text": "IT-42 Laptop will not start"}},
        section("*Requester* <@U0ANNA0001>", accessory=button("Open", "open", value="IT-42")),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f"*F{n}*"} for n in range(10)]},
        {"type": "divider"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "SLA: first response by 11:00"}]},
        {
            "type": "actions",
            "block_id": "ticket:42",
            "elements": [
                button("Claim", "claim", style="primary", value="42"),
                {
                    "type": "static_select",
                    "action_id": "priority",
                    "placeholder": {"type": "plain_text", "text": "Priority"},
                    "options": [option("High", "high"), option("Low", "low")],
                },
                {"type": "users_select", "action_id": "assign"},
                {"type": "datepicker", "action_id": "due", "initial_date": "2026-12-01"},
                {"type": "overflow", "action_id": "more", "options": [option("Close", "close")]},
            ],
        },
        {
            "type": "rich_text",
            "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": "hi"}]}],
        },
    ]
    assert reasons(card) == []


def test_section_text_over_3000_characters_is_named_with_its_pointer() -> None:
    assert reasons([section("x" * 3001)]) == [
        "failed to match all allowed schemas [json-pointer:/blocks/0/text]",
        "must be less than 3001 characters [json-pointer:/blocks/0/text/text]",
    ]
    assert reasons([section("x" * 3000)]) == []


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        ([section("hi")] * 51, "no more than 50 items allowed [json-pointer:/blocks]"),
        (
            [{"type": "header", "text": {"type": "mrkdwn", "text": "*bold*"}}],
            "failed to match all allowed schemas [json-pointer:/blocks/0/text]",
        ),
        (
            [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
            "must be less than 151 characters [json-pointer:/blocks/0/text/text]",
        ),
        (
            [{"type": "actions", "elements": [button(action_id="a" * 256)]}],
            "must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]",
        ),
        (
            [{"type": "actions", "elements": [button(text="b" * 76)]}],
            "must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]",
        ),
        (
            [{"type": "actions", "elements": [button(value="v" * 2001)]}],
            "must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]",
        ),
        (
            [{"type": "actions", "elements": [button(action_id=f"b{n}") for n in range(26)]}],
            "no more than 25 items allowed [json-pointer:/blocks/0/elements]",
        ),
        (
            [{"type": "actions", "elements": [button(), button()]}],
            "duplicate action_id: claim [json-pointer:/blocks/0/elements/1/action_id]",
        ),
        (
            [section("a", block_id="same"), section("b", block_id="same")],
            "duplicate block_id: same [json-pointer:/blocks/1/block_id]",
        ),
        (
            [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}],
            "no more than 10 items allowed [json-pointer:/blocks/0/fields]",
        ),
        (
            [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}],
            "no more than 10 items allowed [json-pointer:/blocks/0/elements]",
        ),
        (
            [
                section(
                    "pick",
                    accessory={"type": "static_select", "action_id": "s", "options": [option("o" * 76, "v")]},
                )
            ],
            "must be less than 76 characters [json-pointer:/blocks/0/accessory/options/0/text/text]",
        ),
        (
            [
                section(
                    "pick",
                    accessory={
                        "type": "static_select",
                        "action_id": "s",
                        "options": [option("o", "v" * 151)],
                    },
                )
            ],
            "must be less than 151 characters [json-pointer:/blocks/0/accessory/options/0/value]",
        ),
        (
            [
                section(
                    "pick",
                    accessory={
                        "type": "static_select",
                        "action_id": "s",
                        "options": [option(str(n), str(n)) for n in range(101)],
                    },
                )
            ],
            "no more than 100 items allowed [json-pointer:/blocks/0/accessory/options]",
        ),
        ([{"type": "carousel"}], "failed to match all allowed schemas [json-pointer:/blocks/0]"),
        (
            [{"type": "section", "text": {"type": "mrkdwn", "text": "hi", "emoji": True}}],
            "unexpected field: emoji [json-pointer:/blocks/0/text/emoji]",
        ),
        (
            [section("hi", block_id="b" * 256)],
            "must be less than 256 characters [json-pointer:/blocks/0/block_id]",
        ),
        (
            [{"type": "actions", "elements": [{"type": "plain_text_input"}]}],
            "failed to match all allowed schemas",
        ),
    ],
)
def test_limits_are_refused_with_slacks_wording(blocks: list[dict[str, Any]], expected: str) -> None:
    assert any(reason.startswith(expected) for reason in reasons(blocks)), reasons(blocks)


def modal(**extra: Any) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
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
    view.update(extra)
    return view


def view_reasons(view: Any) -> list[str]:
    return [str(v) for v in validate_view(view)]


def test_view_limits() -> None:
    assert view_reasons(modal()) == []
    assert "must be less than 25 characters [json-pointer:/view/title/text]" in view_reasons(
        modal(title={"type": "plain_text", "text": "t" * 25})
    )
    assert "must be less than 25 characters [json-pointer:/view/submit/text]" in view_reasons(
        modal(submit={"type": "plain_text", "text": "s" * 25})
    )
    assert "must be less than 3001 characters [json-pointer:/view/private_metadata]" in view_reasons(
        modal(private_metadata="m" * 3001)
    )
    assert "must be less than 256 characters [json-pointer:/view/callback_id]" in view_reasons(
        modal(callback_id="c" * 256)
    )
    assert "no more than 100 items allowed [json-pointer:/view/blocks]" in view_reasons(
        modal(blocks=[{"type": "divider"}] * 101)
    )
    without_submit = modal()
    del without_submit["submit"]
    assert view_reasons(without_submit) == [
        "submit is required when an input block is within the blocks array [json-pointer:/view]"
    ]


async def test_chat_post_message_answers_invalid_blocks_with_errors(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel="C0HELPCHAN", text="fallback", blocks=[section("x" * 3001)])
    body = refused.value.response.data
    assert body["error"] == "invalid_blocks"
    assert "must be less than 3001 characters [json-pointer:/blocks/0/text/text]" in body["errors"]
    assert (
        "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
        in (body["response_metadata"]["messages"])
    )


async def test_views_publish_answers_invalid_arguments_with_messages(client: AsyncWebClient) -> None:
    home = {"type": "home", "blocks": [section("x" * 3001)]}
    with pytest.raises(SlackApiError) as refused:
        await client.views_publish(user_id="U0ANNA0001", view=home)
    body = refused.value.response.data
    assert body["error"] == "invalid_arguments"
    assert (
        "[ERROR] must be less than 3001 characters [json-pointer:/view/blocks/0/text/text]"
        in (body["response_metadata"]["messages"])
    )


async def test_many_full_sections_together_are_too_long_for_one_message(client: AsyncWebClient) -> None:
    five_full_sections = [section("x" * 3000) for _ in range(5)]
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel="C0HELPCHAN", text="digest", blocks=five_full_sections)
    assert refused.value.response["error"] == "msg_blocks_too_long"
    assert (await client.chat_postMessage(channel="C0HELPCHAN", text="digest", blocks=five_full_sections[:3]))["ok"]
