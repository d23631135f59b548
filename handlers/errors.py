"""One place that turns the desk's errors into a polite ephemeral for the person who pressed."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from bot.domain.lifecycle import IllegalTransition
from bot.errors import AlreadyClaimed, ConcurrentUpdate, DeskError, NotPermitted, TicketNotFound
from bot.i18n import t
from handlers.replies import container_place

if TYPE_CHECKING:
    from bot.bootstrap import Desk

log = logging.getLogger(__name__)


def message_for(language: str, error: DeskError | IllegalTransition) -> str:
    if isinstance(error, AlreadyClaimed):
        return t(language, "errors.already_claimed", key=error.key, holder=f"<@{error.holder}>")
    if isinstance(error, NotPermitted):
        return t(language, "errors.not_permitted")
    if isinstance(error, IllegalTransition):
        return t(language, "errors.illegal", state=t(language, f"state.{error.state.value}"))
    if isinstance(error, TicketNotFound):
        return t(language, "errors.stale")
    if isinstance(error, ConcurrentUpdate):
        return t(language, "errors.busy")
    return t(language, "errors.generic")


async def explain(desk: Desk, body: dict[str, Any], error: DeskError | IllegalTransition) -> None:
    user = str((body.get("user") or {}).get("id") or "")
    # Ids only in logs: a confidential team's words never reach them.
    log.info("refused %s for %s: %s", type(error).__name__, user, getattr(error, "key", ""))
    channel, thread = container_place(body)
    if not user or not channel:
        return
    language = await desk.people.language(user)
    text = message_for(language, error)
    try:
        await desk.gateway.ephemeral(channel, user, text, thread_ts=thread)
    except SlackApiError as exc:
        # They pressed something in a channel they are not in (a shared card, a forwarded message): tell them
        # in their DM with the desk instead.
        if exc.response.get("error") not in ("user_not_in_channel", "channel_not_found", "not_in_channel"):
            raise
        await desk.gateway.post(await desk.gateway.open_dm(user), text)
