"""What nobody else handled: buttons from old messages, unknown actions, shortcuts we do not know."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from bot.i18n import t
from handlers.replies import container_place

if TYPE_CHECKING:
    from bot.bootstrap import Desk

log = logging.getLogger(__name__)
ANY = re.compile(".*")


def register(app: AsyncApp, desk: Desk) -> None:
    async def unknown_action(ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        user = str((body.get("user") or {}).get("id") or "")
        log.info("unknown action %s from %s", action.get("action_id"), user)
        channel, thread = container_place(body)
        if channel and user:
            language = await desk.people.language(user)
            await desk.gateway.ephemeral(channel, user, t(language, "errors.stale"), thread_ts=thread)

    async def unknown_view(ack: Any, body: dict[str, Any]) -> None:
        user = str((body.get("user") or {}).get("id") or "")
        language = await desk.people.language(user) if user else desk.config.desk.default_language
        await ack(response_action="update", view=_gone_view(language))

    async def unknown_shortcut(ack: Any) -> None:
        await ack()

    async def ignore(ack: Any) -> None:
        await ack()

    app.action(ANY)(unknown_action)
    app.view_submission(ANY)(unknown_view)
    app.view_closed(ANY)(ignore)
    app.shortcut(ANY)(unknown_shortcut)


def _gone_view(language: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": t(language, "request.modal_title")[:24]},
        "close": {"type": "plain_text", "text": t(language, "request.close")[:24]},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": t(language, "request.gone")}}],
    }
