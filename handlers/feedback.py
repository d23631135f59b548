"""The requester's last word: confirm or reopen, rate and comment; the lead's follow-up on a low rating."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from bot.blocks.agent_forms import NOTE_BLOCK, read_note, text_modal
from bot.blocks.ids import ActionId, CallbackId
from bot.blocks.text import decode_value
from bot.domain.lifecycle import IllegalTransition
from bot.errors import DeskError
from bot.i18n import t
from handlers.errors import explain, message_for
from handlers.replies import container_place, ticket_id_of

if TYPE_CHECKING:
    from bot.bootstrap import Desk


def register(app: AsyncApp, desk: Desk) -> None:
    listeners = FeedbackListeners(desk)
    app.action(ActionId.CONFIRM_SOLVED)(listeners.on_confirm)
    app.action(ActionId.STILL_A_PROBLEM)(listeners.on_still_a_problem)
    app.action(re.compile(rf"^{re.escape(ActionId.RATE)}\.[1-5]$"))(listeners.on_rate)
    app.action(ActionId.FOLLOW_UP)(listeners.on_follow_up)
    app.view_submission(CallbackId.REOPEN_FORM)(listeners.on_reopen_submitted)
    app.view_submission(CallbackId.RATING_COMMENT_FORM)(listeners.on_comment_submitted)
    app.view_closed(CallbackId.RATING_COMMENT_FORM)(listeners.on_comment_closed)
    app.view_submission(CallbackId.FOLLOW_UP_FORM)(listeners.on_follow_up_submitted)


class FeedbackListeners:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def on_confirm(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        ticket_id = ticket_id_of(action)
        if ticket_id is None:
            return
        try:
            await self.desk.feedback.confirm_solved(ticket_id, body["user"]["id"])
        except (DeskError, IllegalTransition) as error:
            await explain(self.desk, body, error)

    async def on_still_a_problem(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        await self._open(body, action, CallbackId.REOPEN_FORM, "rating.reopen_title", "rating.reopen_label")

    async def on_rate(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        value = decode_value(action.get("value"))
        user = str(body["user"]["id"])
        if not isinstance(value.get("k"), int) or value.get("r") not in (1, 2, 3, 4, 5):
            return
        try:
            ticket, recorded = await self.desk.feedback.rate(value["k"], user, int(value["r"]))
        except DeskError as error:
            await explain(self.desk, body, error)
            return
        language = await self.desk.people.language(user)
        channel, thread = container_place(body)
        if not recorded:
            if channel:
                await self.desk.gateway.ephemeral(
                    channel, user, t(language, "notice.already_rated", key=ticket.key), thread_ts=thread
                )
            return
        modal = text_modal(
            CallbackId.RATING_COMMENT_FORM,
            language,
            ticket.id,
            ticket.key,
            "rating.comment_title",
            "rating.comment_label",
            optional=True,
        )
        await self.desk.gateway.open_view(str(body["trigger_id"]), modal)
        if channel:
            await self.desk.gateway.ephemeral(channel, user, t(language, "notice.rated"), thread_ts=thread)

    async def on_follow_up(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        await self._open(body, action, CallbackId.FOLLOW_UP_FORM, "rating.follow_up_title", "rating.follow_up_label")

    async def _open(self, body: dict[str, Any], action: dict[str, Any], callback: str, title: str, label: str) -> None:
        ticket_id = ticket_id_of(action)
        if ticket_id is None:
            return
        user = str(body["user"]["id"])
        language = await self.desk.people.language(user)
        try:
            ticket = await self.desk.tickets.get(ticket_id)
        except DeskError as error:
            await explain(self.desk, body, error)
            return
        await self.desk.gateway.open_view(
            str(body["trigger_id"]), text_modal(callback, language, ticket.id, ticket.key, title, label)
        )

    async def _submit(
        self, ack: Any, body: dict[str, Any], view: dict[str, Any], operation: Any, *, optional: bool
    ) -> None:
        user = str(body["user"]["id"])
        language = await self.desk.people.language(user)
        ticket_id, text = read_note(view)
        if ticket_id is None or (not optional and not text.strip()):
            await ack(response_action="errors", errors={NOTE_BLOCK: t(language, "request.required")})
            return
        try:
            await operation(ticket_id, user, text.strip())
        except (DeskError, IllegalTransition) as error:
            await ack(response_action="errors", errors={NOTE_BLOCK: message_for(language, error)})
            return
        await ack()

    async def on_reopen_submitted(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        await self._submit(ack, body, view, self.desk.feedback.still_a_problem, optional=False)

    async def on_comment_submitted(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        async def comment(ticket_id: int, user: str, text: str) -> None:
            await self.desk.feedback.comment(ticket_id, user, text)

        await self._submit(ack, body, view, comment, optional=True)

    async def on_comment_closed(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        await ack()
        ticket_id, _ = read_note(view)
        if ticket_id is not None:
            # No comment coming: a low rating may reach the lead now.
            await self.desk.feedback.comment(ticket_id, str(body["user"]["id"]), "")

    async def on_follow_up_submitted(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        await self._submit(ack, body, view, self.desk.feedback.follow_up, optional=False)
