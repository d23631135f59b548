"""Helpers shared by listeners: answering with a suggestion, reading the common payload fields."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.blocks.suggestion import suggestion_blocks
from bot.blocks.text import context, decode_value, section
from bot.i18n import t
from bot.services.intake import Suggestion

if TYPE_CHECKING:
    from bot.bootstrap import Desk


def reply_metadata(key: str) -> dict[str, Any]:
    return {"event_type": "desk_reply", "event_payload": {"key": key}}


async def post_suggestion(desk: Desk, suggestion: Suggestion, channel: str, thread_ts: str | None) -> None:
    """Reply once per request: a redelivered event finds the reply it already got (by its metadata key)."""
    if not suggestion.is_new and suggestion.reply_ts:
        return
    key = f"intake:{suggestion.intake_id}"
    if not suggestion.is_new and await desk.gateway.find_own_message(channel, key, thread_ts=thread_ts):
        return
    timezone = desk.policies.timezone(suggestion.default_team.id)
    text, blocks = suggestion_blocks(suggestion, desk.clock.now(), timezone)
    _, ts = await desk.gateway.post(channel, text, blocks, thread_ts=thread_ts, metadata=reply_metadata(key))
    await desk.intake.replied(suggestion.intake_id, ts)


def empty_request_blocks(language: str) -> tuple[str, list[dict[str, Any]]]:
    text = t(language, "suggest.empty")
    return text, [section(text)]


def error_blocks(language: str, key: str = "errors.generic", **params: Any) -> tuple[str, list[dict[str, Any]]]:
    text = t(language, key, **params)
    return text, [context(text)]


def ticket_id_of(action: dict[str, Any]) -> int | None:
    """The ticket a button is about (its value's "k"); None for a value that is not ours (an old message,
    a forged click), which the listener then ignores."""
    value = decode_value(action.get("value"))
    return value["k"] if isinstance(value.get("k"), int) else None


def container_place(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """(channel, thread ts) of the message a button sits on."""
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    thread = message.get("thread_ts") or container.get("thread_ts") or message.get("ts") or container.get("message_ts")
    return channel, thread
