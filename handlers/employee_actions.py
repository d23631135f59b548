"""Buttons on the desk's answers: choose a service, "this solved it", "I still need help", free text,
browse the catalogue, and the catalogue picker inside the modal."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from bot.blocks.ids import ActionId
from bot.blocks.request_form import FormContext, catalogue_view, loading_view, request_view
from bot.blocks.suggestion import promise_line, suggestion_blocks
from bot.blocks.text import decode_value, section
from bot.i18n import t
from bot.services.intake import IntakeView, Suggestion
from handlers.replies import container_place

if TYPE_CHECKING:
    from bot.bootstrap import Desk


def register(app: AsyncApp, desk: Desk) -> None:
    listeners = EmployeeActions(desk)
    app.action(ActionId.CHOOSE_ITEM)(listeners.on_choose_item)
    app.action(ActionId.FREE_TEXT)(listeners.on_free_text)
    app.action(ActionId.BROWSE)(listeners.on_browse)
    app.action(ActionId.NEW_REQUEST)(listeners.on_browse)
    app.action(ActionId.ARTICLE_SOLVED)(listeners.on_solved)
    app.action(ActionId.STILL_NEED_HELP)(listeners.on_still_need_help)
    app.action(ActionId.PICK_ITEM)(listeners.on_pick_item)


class EmployeeActions:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def on_choose_item(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        value = decode_value(action.get("value"))
        await self._open_form(body, value.get("r"), item_id=value.get("i"), team_id=None)

    async def on_free_text(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        value = decode_value(action.get("value"))
        await self._open_form(body, value.get("r"), item_id=None, team_id=value.get("t"))

    async def on_browse(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        user = str(body["user"]["id"])
        language = await self.desk.people.language(user)
        value = decode_value(action.get("value"))
        intake_id = value.get("r") if isinstance(value.get("r"), int) else None
        await self.desk.gateway.open_view(
            str(body["trigger_id"]), catalogue_view(self.desk.config, language, intake_id=intake_id)
        )

    async def on_pick_item(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        """The catalogue modal's select: swap in the chosen service's form."""
        await ack()
        view = body.get("view") or {}
        user = str(body["user"]["id"])
        language = await self.desk.people.language(user)
        picked = str((action.get("selected_option") or {}).get("value") or "")
        carried = FormContext.decode(view.get("private_metadata")) or FormContext(None, None)
        kind, _, ident = picked.partition(":")
        intake = await self._intake(carried.intake_id, user)
        form = self._form(
            language, intake, item_id=ident if kind == "item" else None, team_id=ident if kind == "team" else None
        )
        await self.desk.gateway.update_view(str(view["id"]), form, hash=view.get("hash"))

    async def on_solved(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        user = str(body["user"]["id"])
        value = decode_value(action.get("value"))
        language = await self.desk.people.language(user)
        if isinstance(value.get("r"), int) and isinstance(value.get("a"), str):
            await self.desk.intake.article_solved(value["r"], value["a"], user)
        channel, thread = container_place(body)
        if channel:
            await self.desk.gateway.ephemeral(channel, user, t(language, "suggest.solved_thanks"), thread_ts=thread)

    async def on_still_need_help(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        user = str(body["user"]["id"])
        value = decode_value(action.get("value"))
        language = await self.desk.people.language(user)
        suggestion = await self.desk.intake.suggestion(value["r"]) if isinstance(value.get("r"), int) else None
        channel, thread = container_place(body)
        if suggestion is None or channel is None:
            if channel:
                await self.desk.gateway.ephemeral(channel, user, t(language, "errors.stale"), thread_ts=thread)
            return
        services_only = Suggestion(
            intake_id=suggestion.intake_id,
            decision=suggestion.decision,
            items=suggestion.items,
            articles=(),
            default_team=suggestion.default_team,
            language=suggestion.language,
            is_new=False,
            reply_ts=suggestion.reply_ts,
            ticket_id=suggestion.ticket_id,
        )
        _, blocks = suggestion_blocks(
            services_only, self.desk.clock.now(), self.desk.policies.timezone(suggestion.default_team.id)
        )
        intro = t(language, "suggest.still_help", team=suggestion.default_team.name)
        await self.desk.gateway.post(channel, intro, [section(intro), *blocks[1:]], thread_ts=thread)

    async def _intake(self, intake_id: Any, user: str) -> IntakeView | None:
        if not isinstance(intake_id, int):
            return None
        intake = await self.desk.intake.get(intake_id)
        # Someone else's request (a forged or forwarded button) does not prefill anything.
        return intake if intake is not None and intake.user_id == user else None

    async def _open_form(self, body: dict[str, Any], intake_id: Any, *, item_id: Any, team_id: Any) -> None:
        """Open first (the trigger id expires after 3 seconds), then fill in with views.update."""
        user = str(body["user"]["id"])
        language = await self.desk.people.language(user)
        view = await self.desk.gateway.open_view(str(body["trigger_id"]), loading_view(language))
        intake = await self._intake(intake_id, user)
        if intake is not None and intake.ticket_id is not None:
            ticket = await self.desk.tickets.get(intake.ticket_id)
            form = _notice_view(language, t(language, "suggest.already_ticket", key=ticket.key))
        else:
            form = self._form(
                language,
                intake,
                item_id=item_id if isinstance(item_id, str) else None,
                team_id=team_id if isinstance(team_id, str) else None,
            )
        await self.desk.gateway.update_view(str(view["id"]), form, hash=view.get("hash"))

    def _form(
        self, language: str, intake: IntakeView | None, *, item_id: str | None, team_id: str | None
    ) -> dict[str, Any]:
        config = self.desk.config
        item = None
        if item_id is not None:
            try:
                item = config.item(item_id)
            except KeyError:
                return _notice_view(language, t(language, "request.unknown_item"))
        try:
            team = config.team(item.team if item else team_id or config.desk.default_team)
        except KeyError:
            return _notice_view(language, t(language, "request.gone"))
        promise = None
        if item is not None:
            now = self.desk.clock.now()
            promise = promise_line(
                self.desk.intake.offer(item, now), language, now, self.desk.policies.timezone(team.id)
            )
        return request_view(
            config=config,
            item=item,
            team=team,
            language=language,
            context_data=FormContext(
                item_id=item.id if item else None,
                team_id=team.id,
                intake_id=intake.id if intake else None,
                source_channel=intake.channel if intake else None,
                source_ts=intake.ts if intake else None,
            ),
            initial_text=intake.text if intake else "",
            promise=promise,
        )


def _notice_view(language: str, text: str) -> dict[str, Any]:
    view = loading_view(language)
    view["blocks"] = [section(text)]
    return view
