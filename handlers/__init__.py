"""Slack listeners. Each is thin: acknowledge, read the payload, call one desk service, render the answer.
`register` is the only entry point and only bot.bootstrap calls it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt.async_app import AsyncApp

from handlers import (
    agent_card,
    approvals,
    employee_actions,
    employee_commands,
    employee_messages,
    employee_views,
    fallbacks,
    feedback,
    home,
    reactions,
)

if TYPE_CHECKING:
    from bot.bootstrap import Desk


def register(app: AsyncApp, desk: Desk) -> None:
    employee_messages.register(app, desk)
    agent_card.register(app, desk)
    feedback.register(app, desk)
    approvals.register(app, desk)
    employee_commands.register(app, desk)
    employee_actions.register(app, desk)
    employee_views.register(app, desk)
    home.register(app, desk)
    reactions.register(app, desk)
    # Last: whatever no listener above claimed (old buttons, unknown actions) gets a polite answer.
    fallbacks.register(app, desk)
