"""chat.* methods: posting, updating and deleting messages, ephemerals and permalinks."""

from __future__ import annotations

from typing import Any

from bot.localslack.blockkit import (
    MAX_BLOCKS_TEXT,
    MAX_MESSAGE_TEXT,
    blocks_text_length,
    validate_message_blocks,
)
from bot.localslack.context import Args, StandIn, invalid_blocks
from bot.localslack.errors import SlackApiError
from bot.localslack.models import Channel, Message
from bot.localslack.workspace import with_ids


def _content(args: Args, *, required: bool = True) -> tuple[str, list[dict[str, Any]] | None]:
    text = args.text("text")
    blocks = args.json("blocks", "invalid_blocks_format")
    attachments = args.json("attachments", "invalid_attachments")
    if required and not text and not blocks and not attachments:
        raise SlackApiError("no_text")
    if len(text) > MAX_MESSAGE_TEXT:
        raise SlackApiError("msg_too_long")
    if blocks is not None:
        violations = validate_message_blocks(blocks)
        if violations:
            raise invalid_blocks(violations)
        if blocks_text_length(blocks) > MAX_BLOCKS_TEXT:
            raise SlackApiError("msg_blocks_too_long")
    return text, blocks


def _postable_channel(si: StandIn, args: Args, name: str = "channel") -> Channel:
    ref = args.opt(name)
    if ref is None:
        raise SlackApiError("channel_not_found")
    channel = si.workspace.channel(ref)
    if not channel.is_im and si.workspace.app.bot_user_id not in channel.members:
        if channel.is_private:
            raise SlackApiError("channel_not_found")
        raise SlackApiError("not_in_channel")
    return channel


def _bot_message(si: StandIn, message: Message) -> dict[str, Any]:
    body = message.to_api()
    body["team"] = si.workspace.app.team_id
    body["bot_profile"] = {
        "id": si.workspace.app.bot_id,
        "app_id": si.workspace.app.app_id,
        "name": si.workspace.app.bot_name,
        "team_id": si.workspace.app.team_id,
    }
    return body


def post_message(si: StandIn, args: Args) -> dict[str, Any]:
    channel = _postable_channel(si, args)
    text, blocks = _content(args)
    metadata = args.json("metadata", "invalid_metadata_format")
    message = si.workspace.post(
        channel,
        text=text,
        blocks=blocks,
        user=si.workspace.app.bot_user_id,
        bot_id=si.workspace.app.bot_id,
        thread_ts=args.opt("thread_ts"),
        reply_broadcast=args.flag("reply_broadcast"),
        metadata=metadata,
    )
    si.bot_posted(message)
    return {"ok": True, "channel": channel.id, "ts": message.ts, "message": _bot_message(si, message)}


def _own_message(si: StandIn, args: Args, error: str) -> Message:
    channel = si.workspace.channel(args.text("channel"))
    message = si.workspace.message(channel.id, args.text("ts"))
    if message.bot_id != si.workspace.app.bot_id:
        raise SlackApiError(error)
    return message


def update(si: StandIn, args: Args) -> dict[str, Any]:
    message = _own_message(si, args, "cant_update_message")
    text, blocks = _content(args, required=False)
    if "text" in args.raw:
        message.text = text
    # As documented for chat.update: leaving out `blocks` keeps the old ones; an empty array removes them.
    if blocks is not None:
        message.blocks = with_ids(blocks)
    if args.raw.get("metadata") is not None:
        message.metadata = args.json("metadata", "invalid_metadata_format")
    return {
        "ok": True,
        "channel": message.channel,
        "ts": message.ts,
        "text": message.text,
        "message": _bot_message(si, message),
    }


def delete(si: StandIn, args: Args) -> dict[str, Any]:
    message = _own_message(si, args, "cant_delete_message")
    si.workspace.delete(message.channel, message.ts)
    return {"ok": True, "channel": message.channel, "ts": message.ts}


def post_ephemeral(si: StandIn, args: Args) -> dict[str, Any]:
    channel = _postable_channel(si, args)
    user = si.workspace.user(args.text("user"))
    if user.id not in channel.members:
        raise SlackApiError("user_not_in_channel")
    text, blocks = _content(args)
    ephemeral = si.workspace.post_ephemeral(channel, user.id, text=text, blocks=blocks, thread_ts=args.opt("thread_ts"))
    return {"ok": True, "message_ts": ephemeral.ts}


def get_permalink(si: StandIn, args: Args) -> dict[str, Any]:
    channel = si.workspace.channel(args.text("channel"))
    message = si.workspace.message(channel.id, args.text("message_ts"))
    link = f"{si.base_url}/archives/{channel.id}/p{message.ts.replace('.', '')}"
    if message.is_reply:
        link += f"?thread_ts={message.thread_ts}&cid={channel.id}"
    return {"ok": True, "channel": channel.id, "permalink": link}


METHODS = {
    "chat.postMessage": post_message,
    "chat.update": update,
    "chat.delete": delete,
    "chat.postEphemeral": post_ephemeral,
    "chat.getPermalink": get_permalink,
}
