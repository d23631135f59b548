"""/helpdesk [text] | /helpdesk status [KEY], and the two shortcuts."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp, AsyncRespond

from bot.blocks.ids import CallbackId
from bot.blocks.queue import queue_blocks
from bot.blocks.request_form import FormContext, catalogue_view, loading_view, request_view
from bot.blocks.status import status_blocks
from bot.blocks.suggestion import suggestion_blocks
from bot.blocks.text import escape
from bot.i18n import t
from handlers.employee_messages import has_words

if TYPE_CHECKING:
    from bot.bootstrap import Desk

_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9]*-\d+$")


def register(app: AsyncApp, desk: Desk) -> None:
    listeners = CommandListeners(desk)
    app.command("/helpdesk")(listeners.on_helpdesk)
    app.shortcut(CallbackId.NEW_REQUEST_SHORTCUT)(listeners.on_new_request)
    app.shortcut(CallbackId.TICKET_FROM_MESSAGE)(listeners.on_ticket_from_message)


class CommandListeners:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def on_helpdesk(self, ack: Any, command: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        user = str(command["user_id"])
        text = str(command.get("text") or "").strip()
        language = await self.desk.people.language(user)
        words = text.split()
        if words and words[0].lower() in ("status", "läge"):
            key = words[1] if len(words) > 1 else None
            if key is not None and not _KEY.match(key):
                await respond(text=t(language, "status.not_yours", key=escape(key)), response_type="ephemeral")
                return
            listing = await self.desk.status.for_requester(user, key=key)
            reply, blocks = status_blocks(listing, language, self.desk.clock.now(), self.desk.policies)
            await respond(text=reply, blocks=blocks, response_type="ephemeral")
            return
        if words and words[0].lower() in ("queue", "kö"):
            teams = await self.desk.people.teams_of(user)
            if not teams:
                await respond(text=t(language, "queue.not_agent"), response_type="ephemeral")
                return
            queue = await self.desk.queue.for_agent(user, teams)
            timezone = self.desk.policies.timezone(teams[0])
            blocks = queue_blocks(queue, language, self.desk.clock.now(), timezone)
            await respond(text=t(language, "queue.title"), blocks=blocks, response_type="ephemeral")
            return
        if not has_words(text):
            await self.desk.gateway.open_view(str(command["trigger_id"]), catalogue_view(self.desk.config, language))
            return
        suggestion = await self.desk.intake.understand(
            origin_key=f"cmd:{command['trigger_id']}", user_id=user, text=text, language=language
        )
        timezone = self.desk.policies.timezone(suggestion.default_team.id)
        reply, blocks = suggestion_blocks(suggestion, self.desk.clock.now(), timezone)
        await respond(text=reply, blocks=blocks, response_type="ephemeral")

    async def on_new_request(self, ack: Any, shortcut: dict[str, Any]) -> None:
        await ack()
        user = str(shortcut["user"]["id"])
        language = await self.desk.people.language(user)
        await self.desk.gateway.open_view(str(shortcut["trigger_id"]), catalogue_view(self.desk.config, language))

    async def on_ticket_from_message(self, ack: Any, shortcut: dict[str, Any]) -> None:
        """Open the form at once (the trigger id lives 3 seconds), then fill it with the message and the
        service the matcher thinks fits."""
        await ack()
        user = str(shortcut["user"]["id"])
        language = await self.desk.people.language(user)
        view = await self.desk.gateway.open_view(str(shortcut["trigger_id"]), loading_view(language))
        message = shortcut.get("message") or {}
        channel = str((shortcut.get("channel") or {}).get("id") or "")
        ts = str(message.get("ts") or shortcut.get("message_ts") or "")
        text = str(message.get("text") or "")
        if not has_words(text):
            text = ""
        suggestion = await self.desk.intake.understand(
            origin_key=f"shortcut:{channel}:{ts}:{user}",
            user_id=user,
            text=text or "-",
            language=language,
            channel=channel,
            ts=ts,
        )
        item = suggestion.items[0].item if suggestion.items and suggestion.decision.value == "confident" else None
        team = self.desk.config.team(item.team) if item else suggestion.default_team
        permalink = await self.desk.gateway.permalink(channel, ts) if channel and ts else None
        author = str(message.get("user") or user)
        note = t(language, "message.quoted", permalink=permalink, user=author) if permalink else None
        form = request_view(
            config=self.desk.config,
            item=item,
            team=team,
            language=language,
            context_data=FormContext(
                item_id=item.id if item else None,
                team_id=team.id,
                intake_id=suggestion.intake_id,
                source_channel=channel or None,
                source_ts=ts or None,
            ),
            initial_text=text,
            source_note=note,
        )
        await self.desk.gateway.update_view(str(view["id"]), form, hash=view.get("hash"))
