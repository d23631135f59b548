"""A requester's own tickets, for /helpdesk status and the App Home."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.blocks.text import context, escape, header, section
from bot.i18n import t, when
from bot.services.status import RequesterTickets
from bot.services.tickets import TicketSnapshot
from bot.sla.policy import SlaPolicies


def ticket_line(ticket: TicketSnapshot, language: str, now: datetime, policies: SlaPolicies) -> str:
    due = ""
    if ticket.first_response_at is None and ticket.state.value in ("open", "new"):
        at = policies.first_response_due(ticket.team_id, ticket.catalog_item_id, ticket.priority, ticket.created_at)
        due = t(language, "status.due", when=when(language, at, now, policies.timezone(ticket.team_id)))
    return t(
        language,
        "status.line",
        key=ticket.key,
        title=escape(ticket.title),
        state=t(language, f"state.{ticket.state.value}"),
        due=due,
    )


def status_blocks(
    listing: RequesterTickets, language: str, now: datetime, policies: SlaPolicies
) -> tuple[str, list[dict[str, Any]]]:
    if not listing.found:
        text = t(language, "status.not_yours", key=escape(listing.asked_for or ""))
        return text, [section(text)]
    if not listing.open and not listing.recent:
        text = t(language, "status.none")
        return text, [section(text)]
    blocks: list[dict[str, Any]] = [header(t(language, "status.header"))]
    blocks.extend(section(ticket_line(ticket, language, now, policies)) for ticket in listing.open)
    if listing.recent:
        blocks.append(context(t(language, "status.recently_resolved")))
        blocks.extend(section(ticket_line(ticket, language, now, policies)) for ticket in listing.recent)
    return t(language, "status.header"), blocks[:50]
