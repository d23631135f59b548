"""An agent's queue, for /helpdesk queue and the agent part of the App Home."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.blocks.ids import ActionId
from bot.blocks.text import button, context, escape, header, section
from bot.i18n import t, when
from bot.services.queue import AgentQueue, QueueEntry


def _line(entry: QueueEntry, language: str, now: datetime, timezone: str) -> str:
    ticket = entry.ticket
    flag = ":red_circle: " if entry.breached else ":large_orange_circle: " if entry.at_risk else ""
    due = t(language, "queue.due", when=when(language, entry.due_at, now, timezone)) if entry.due_at else ""
    return f"{flag}*{ticket.key}* {escape(ticket.title)} · {t(language, f'state.{ticket.state.value}')}{due}"


def queue_blocks(queue: AgentQueue, language: str, now: datetime, timezone: str) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [header(t(language, "queue.title"))]
    sections = (
        ("queue.mine", queue.mine, False),
        ("queue.unassigned", queue.unassigned, True),
        ("queue.at_risk", queue.at_risk, False),
    )
    for title_key, entries, claimable in sections:
        blocks.append(section(f"*{t(language, title_key)}*"))
        if not entries:
            blocks.append(context(t(language, "queue.empty")))
        for entry in entries:
            accessory = (
                button(t(language, "card.claim"), ActionId.CLAIM, {"k": entry.ticket.id, "v": entry.ticket.version})
                if claimable
                else None
            )
            blocks.append(section(_line(entry, language, now, timezone), accessory))
    return blocks[:50]
