"""Approvers decide from their DM: Approve at once, Reject with a reason."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from bot.blocks.agent_forms import NOTE_BLOCK, read_note, text_modal
from bot.blocks.ids import ActionId, CallbackId
from bot.domain.lifecycle import IllegalTransition
from bot.errors import DeskError
from bot.i18n import t
from handlers.errors import explain, message_for
from handlers.replies import ticket_id_of

if TYPE_CHECKING:
    from bot.bootstrap import Desk


def register(app: AsyncApp, desk: Desk) -> None:
    listeners = ApprovalListeners(desk)
    app.action(ActionId.APPROVE)(listeners.on_approve)
    app.action(ActionId.REJECT)(listeners.on_reject)
    app.view_submission(CallbackId.REJECT_FORM)(listeners.on_reject_submitted)


class ApprovalListeners:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def on_approve(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        ticket_id = ticket_id_of(action)
        if ticket_id is None:
            return
        try:
            await self.desk.approvals.decide(ticket_id, str(body["user"]["id"]), approve=True)
        except (DeskError, IllegalTransition) as error:
            await explain(self.desk, body, error)

    async def on_reject(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        ticket_id = ticket_id_of(action)
        if ticket_id is None:
            return
        user = str(body["user"]["id"])
        try:
            ticket = await self.desk.approvals.may_decide(ticket_id, user)
        except DeskError as error:
            await explain(self.desk, body, error)
            return
        language = await self.desk.people.language(user)
        modal = text_modal(
            CallbackId.REJECT_FORM, language, ticket.id, ticket.key, "approval.reason_title", "approval.reason_label"
        )
        await self.desk.gateway.open_view(str(body["trigger_id"]), modal)

    async def on_reject_submitted(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = str(body["user"]["id"])
        language = await self.desk.people.language(user)
        ticket_id, reason = read_note(view)
        if ticket_id is None or not reason.strip():
            await ack(response_action="errors", errors={NOTE_BLOCK: t(language, "request.required")})
            return
        try:
            await self.desk.approvals.decide(ticket_id, user, approve=False, reason=reason.strip())
        except (DeskError, IllegalTransition) as error:
            await ack(response_action="errors", errors={NOTE_BLOCK: message_for(language, error)})
            return
        await ack()
