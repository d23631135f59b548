"""The triage card's buttons, menus and modals. Every press is checked against who may do it; refusals and
stale presses get an ephemeral explanation and change nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from bot.blocks.agent_forms import NOTE_BLOCK, note_modal, read_note, resolve_modal
from bot.blocks.ids import ActionId, CallbackId
from bot.domain.lifecycle import IllegalTransition
from bot.errors import DeskError
from bot.i18n import t
from handlers.errors import explain, message_for
from handlers.replies import ticket_id_of

if TYPE_CHECKING:
    from bot.bootstrap import Desk


def register(app: AsyncApp, desk: Desk) -> None:
    card = AgentCard(desk)
    app.action(ActionId.CLAIM)(card.on_claim)
    app.action(ActionId.ASSIGN)(card.on_assign)
    app.action(ActionId.PRIORITY)(card.on_priority)
    app.action(ActionId.WAIT)(card.on_wait)
    app.action(ActionId.RESOLVE)(card.on_resolve)
    app.action(ActionId.NOTE)(card.on_note)
    app.action(ActionId.CARD_MENU)(card.on_menu)
    app.action(ActionId.CANCEL_OWN)(card.on_cancel_own)
    app.view_submission(CallbackId.RESOLVE_FORM)(card.on_resolve_submitted)
    app.view_submission(CallbackId.NOTE_FORM)(card.on_note_submitted)


class AgentCard:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def _run(self, body: dict[str, Any], operation: Any) -> None:
        try:
            await operation
        except (DeskError, IllegalTransition) as error:
            await explain(self.desk, body, error)

    async def on_claim(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        ticket_id = ticket_id_of(action)
        if ticket_id is not None:
            await self._run(body, self.desk.triage.claim(ticket_id, body["user"]["id"]))

    async def on_assign(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        ticket_id = _card_ticket(action)
        assignee = action.get("selected_user")
        if ticket_id is not None and assignee:
            await self._run(body, self.desk.triage.assign(ticket_id, body["user"]["id"], str(assignee)))

    async def on_priority(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        ticket_id = _card_ticket(action)
        priority = (action.get("selected_option") or {}).get("value")
        if ticket_id is not None and priority in ("low", "medium", "high", "critical"):
            await self._run(body, self.desk.triage.set_priority(ticket_id, body["user"]["id"], str(priority)))

    async def on_wait(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        ticket_id = ticket_id_of(action)
        if ticket_id is not None:
            await self._run(body, self.desk.triage.wait_on_requester(ticket_id, body["user"]["id"]))

    async def on_resolve(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        await self._open_note_form(body, action, resolve=True)

    async def on_note(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        await self._open_note_form(body, action, resolve=False)

    async def _open_note_form(self, body: dict[str, Any], action: dict[str, Any], *, resolve: bool) -> None:
        ticket_id = ticket_id_of(action)
        user = str(body["user"]["id"])
        if ticket_id is None:
            return
        try:
            check = self.desk.triage.may_resolve if resolve else self.desk.triage.may_note
            ticket = await check(ticket_id, user)
        except DeskError as error:
            await explain(self.desk, body, error)
            return
        language = await self.desk.people.language(user)
        modal = resolve_modal if resolve else note_modal
        await self.desk.gateway.open_view(str(body["trigger_id"]), modal(language, ticket.id, ticket.key))

    async def on_resolve_submitted(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        await self._submit_note(ack, body, view, resolve=True)

    async def on_note_submitted(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        await self._submit_note(ack, body, view, resolve=False)

    async def _submit_note(self, ack: Any, body: dict[str, Any], view: dict[str, Any], *, resolve: bool) -> None:
        user = str(body["user"]["id"])
        language = await self.desk.people.language(user)
        ticket_id, text = read_note(view)
        if ticket_id is None or not text.strip():
            await ack(response_action="errors", errors={NOTE_BLOCK: t(language, "request.required")})
            return
        try:
            if resolve:
                await self.desk.triage.resolve(ticket_id, user, text.strip())
            else:
                await self.desk.triage.may_note(ticket_id, user)
                await self.desk.conversation.add_note(ticket_id, user_id=user, text=text.strip())
        except (DeskError, IllegalTransition) as error:
            await ack(response_action="errors", errors={NOTE_BLOCK: message_for(language, error)})
            return
        await ack()

    async def on_menu(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        choice = str((action.get("selected_option") or {}).get("value") or "")
        verb, _, rest = choice.partition(":")
        ident, _, argument = rest.partition(":")
        if not ident.isdigit():
            return
        user = str(body["user"]["id"])
        if verb == "cancel":
            await self._run(body, self.desk.triage.cancel_duplicate(int(ident), user))
        elif verb == "move" and argument:
            await self._run(body, self.desk.triage.move(int(ident), user, argument))

    async def on_cancel_own(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        ticket_id = ticket_id_of(action)
        if ticket_id is not None:
            await self._run(body, self.desk.triage.cancel_own(ticket_id, body["user"]["id"]))


def _card_ticket(action: dict[str, Any]) -> int | None:
    """Selects carry no value of ours; the card's actions block is named card.<ticket id>."""
    block_id = str(action.get("block_id") or "")
    ident = block_id.removeprefix("card.")
    return int(ident) if block_id.startswith("card.") and ident.isdigit() else None
