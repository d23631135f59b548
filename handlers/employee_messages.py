"""Plain words to the desk: a DM, an @mention, or a reply in a ticket's thread."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from bot.domain.forms import meaningful
from handlers.replies import empty_request_blocks, post_suggestion

if TYPE_CHECKING:
    from bot.bootstrap import Desk

# Subtypes that are still someone writing to us; everything else (edits, deletes, joins, bot posts) is not.
READABLE_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})
_EMOJI = re.compile(r":[a-z0-9_+\-']+:")
_MENTION = re.compile(r"<[@!#][^>]*>")


def has_words(text: str) -> bool:
    return bool(meaningful(_EMOJI.sub("", _MENTION.sub("", text))))


def register(app: AsyncApp, desk: Desk) -> None:
    listeners = MessageListeners(desk)
    app.event("message")(listeners.on_message)
    app.event("app_mention")(listeners.on_mention)


class MessageListeners:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def on_message(self, event: dict[str, Any]) -> None:
        if event.get("subtype") not in READABLE_SUBTYPES or event.get("bot_id") or not event.get("user"):
            return
        channel, ts, user = str(event["channel"]), str(event["ts"]), str(event["user"])
        text = str(event.get("text") or "")
        thread_ts = event.get("thread_ts")
        if thread_ts and thread_ts != ts:
            found = await self.desk.conversation.ticket_for_thread(channel, str(thread_ts))
            if found is not None:
                ticket, side = found
                if side == "requester" and user == ticket.requester_id and ticket.state.value == "closed":
                    await self.desk.feedback.reply_after_close(ticket, user_id=user, text=text, channel=channel, ts=ts)
                elif side == "requester" and user == ticket.requester_id:
                    await self.desk.conversation.from_requester(
                        ticket.id, user_id=user, text=text, channel=channel, ts=ts
                    )
                elif side == "triage" and await self.desk.people.is_agent(ticket.team_id, user):
                    prefix = self.desk.config.desk.internal_prefix
                    internal = bool(prefix) and text.lstrip().startswith(prefix)
                    await self.desk.conversation.from_agent(
                        ticket.id, user_id=user, text=text, channel=channel, ts=ts, internal=internal
                    )
                return
        if event.get("channel_type") != "im":
            return  # in channels we answer @mentions only
        await self._understand(user, channel, ts, text, thread_ts=str(thread_ts) if thread_ts else ts)

    async def on_mention(self, event: dict[str, Any]) -> None:
        if event.get("bot_id") or not event.get("user"):
            return
        channel, ts, user = str(event["channel"]), str(event["ts"]), str(event["user"])
        thread_ts = event.get("thread_ts")
        if thread_ts and thread_ts != ts and await self.desk.conversation.ticket_for_thread(channel, str(thread_ts)):
            return  # a mention inside a ticket's thread is conversation; the message event relays it
        await self._understand(user, channel, ts, str(event.get("text") or ""), thread_ts=str(thread_ts or ts))

    async def _understand(self, user: str, channel: str, ts: str, text: str, *, thread_ts: str) -> None:
        language = await self.desk.people.language(user)
        if not has_words(text):
            reply, blocks = empty_request_blocks(language)
            await self.desk.gateway.post(channel, reply, blocks, thread_ts=thread_ts)
            return
        suggestion = await self.desk.intake.understand(
            origin_key=f"msg:{channel}:{ts}",
            user_id=user,
            text=text,
            language=language,
            channel=channel,
            ts=ts,
            thread_ts=thread_ts,
        )
        await post_suggestion(self.desk, suggestion, channel, thread_ts)
