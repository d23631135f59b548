"""What a POST to a `response_url` does: replace or delete the message acted on, or say something new,
in the channel or only to the person who acted. Slack allows five uses per URL."""

from __future__ import annotations

from typing import Any

from bot.localslack.blockkit import validate_message_blocks
from bot.localslack.context import ResponseTarget, StandIn
from bot.localslack.errors import SlackApiError
from bot.localslack.workspace import with_ids

MAX_USES = 5


def respond(si: StandIn, key: str, body: dict[str, Any]) -> None:
    target = si.response_targets.get(key)
    if target is None:
        raise SlackApiError("invalid_url")
    if target.uses >= MAX_USES:
        raise SlackApiError("used_url")
    blocks = body.get("blocks")
    if blocks is not None:
        violations = validate_message_blocks(blocks)
        if violations:
            raise SlackApiError("invalid_blocks", errors=[str(v) for v in violations])
    target.uses += 1
    if body.get("delete_original"):
        _delete_original(si, target)
    elif body.get("replace_original"):
        _replace_original(si, target, body)
    else:
        _new_message(si, target, body)


def _delete_original(si: StandIn, target: ResponseTarget) -> None:
    if target.message_ts is not None:
        si.workspace.delete(target.channel_id, target.message_ts)
    elif target.ephemeral_ts is not None:
        for ephemeral in si.workspace.ephemerals:
            if ephemeral.ts == target.ephemeral_ts:
                ephemeral.deleted = True
    else:
        raise SlackApiError("no_original_message")


def _replace_original(si: StandIn, target: ResponseTarget, body: dict[str, Any]) -> None:
    text = str(body.get("text") or "")
    blocks = with_ids(body.get("blocks"))
    if target.message_ts is not None:
        message = si.workspace.message(target.channel_id, target.message_ts)
        message.text, message.blocks = text, blocks
    elif target.ephemeral_ts is not None:
        for ephemeral in si.workspace.ephemerals:
            if ephemeral.ts == target.ephemeral_ts:
                ephemeral.text, ephemeral.blocks = text, blocks
    else:
        raise SlackApiError("no_original_message")


def _new_message(si: StandIn, target: ResponseTarget, body: dict[str, Any]) -> None:
    text = str(body.get("text") or "")
    blocks = body.get("blocks")
    if not text and not blocks:
        raise SlackApiError("no_text")
    channel = si.workspace.channel(target.channel_id)
    thread_ts = body.get("thread_ts") or target.thread_ts
    if body.get("response_type") == "in_channel":
        posted = si.workspace.post(
            channel,
            text=text,
            blocks=blocks,
            user=si.workspace.app.bot_user_id,
            bot_id=si.workspace.app.bot_id,
            thread_ts=thread_ts,
        )
        si.bot_posted(posted)
    else:
        si.workspace.post_ephemeral(channel, target.user_id, text=text, blocks=blocks, thread_ts=thread_ts)
