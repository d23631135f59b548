"""Submitted and closed modals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from bot.blocks.ids import BlockId, CallbackId, field_block_id
from bot.blocks.request_form import FormContext, read_form_state
from bot.i18n import t
from bot.services.requests import FormInvalid, RequestForm, UnknownItem

if TYPE_CHECKING:
    from bot.bootstrap import Desk


def register(app: AsyncApp, desk: Desk) -> None:
    listeners = ViewListeners(desk)
    app.view_submission(CallbackId.REQUEST_FORM)(listeners.on_request_submitted)
    app.view_closed(CallbackId.REQUEST_FORM)(listeners.on_closed)
    app.view_closed(CallbackId.CATALOGUE)(listeners.on_closed)


class ViewListeners:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def on_request_submitted(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = str(body["user"]["id"])
        language = await self.desk.people.language(user)
        carried = FormContext.decode(view.get("private_metadata"))
        if carried is None:
            await ack(response_action="errors", errors={BlockId.DESCRIPTION: t(language, "request.gone")})
            return
        description, values = read_form_state(view)
        intake = await self.desk.intake.get(carried.intake_id) if carried.intake_id else None
        if intake is not None and intake.user_id != user:
            intake = None
        origin = f"intake:{intake.id}" if intake is not None else f"view:{view['id']}"
        permalink = None
        if carried.source_channel and carried.source_ts:
            permalink = await self.desk.gateway.permalink(carried.source_channel, carried.source_ts)
        form = RequestForm(
            requester_id=user,
            item_id=carried.item_id,
            team_id=carried.team_id,
            description=description,
            values=values,
            language=language,
            origin_key=origin,
            intake_id=intake.id if intake else None,
            # Updates go to the thread the request was made in; from a shortcut or the catalogue, to a DM.
            requester_channel=intake.channel if intake and intake.thread_ts else None,
            requester_thread_ts=intake.thread_ts if intake and intake.channel else None,
            source_channel=carried.source_channel,
            source_ts=carried.source_ts,
            source_permalink=permalink,
            full_text=intake.text.strip() if intake else None,
        )
        try:
            await self.desk.requests.submit(form)
        except FormInvalid as invalid:
            errors = {
                (BlockId.DESCRIPTION if key == "description" else field_block_id(key)): t(
                    language, f"request.{error.key}", **dict(error.params or {})
                )
                for key, error in invalid.errors.items()
            }
            await ack(response_action="errors", errors=errors)
            return
        except UnknownItem:
            await ack(response_action="errors", errors={BlockId.DESCRIPTION: t(language, "request.unknown_item")})
            return
        await ack()

    async def on_closed(self, ack: Any) -> None:
        await ack()
