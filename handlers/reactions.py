"""Reacting with the desk's emoji (default :ticket:) on a message opens a ticket for its author."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

if TYPE_CHECKING:
    from bot.bootstrap import Desk


def register(app: AsyncApp, desk: Desk) -> None:
    async def on_reaction(event: dict[str, Any]) -> None:
        item = event.get("item") or {}
        if event.get("reaction") != desk.config.desk.ticket_emoji or item.get("type") != "message":
            return
        author = event.get("item_user")
        if not author or author == await desk.gateway.bot_user_id():
            return
        await desk.reactions.open_for_message(
            channel=str(item["channel"]), ts=str(item["ts"]), author=str(author), reacted_by=str(event["user"])
        )

    app.event("reaction_added")(on_reaction)
