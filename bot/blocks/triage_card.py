"""The ticket card in a team's triage channel: always the current state, drawn from the ticket alone, so
re-drawing it any number of times shows the same thing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.blocks.ids import ActionId
from bot.blocks.text import actions, button, context, escape, fields_section, header, option, plain, quote, section
from bot.config import DeskConfig
from bot.config.schema import Priority
from bot.domain.lifecycle import TERMINAL, TicketState
from bot.i18n import t, when
from bot.services.tickets import TicketSnapshot

CARD_LANGUAGE_KEY = "card"


def _state_badge(ticket: TicketSnapshot, lang: str) -> str:
    icons = {
        TicketState.OPEN: ":large_yellow_circle:",
        TicketState.IN_PROGRESS: ":large_blue_circle:",
        TicketState.WAITING_ON_REQUESTER: ":hourglass_flowing_sand:",
        TicketState.AWAITING_APPROVAL: ":lock:",
        TicketState.RESOLVED: ":white_check_mark:",
        TicketState.CLOSED: ":white_check_mark:",
        TicketState.CANCELLED: ":no_entry_sign:",
        TicketState.REJECTED: ":no_entry_sign:",
    }
    return f"{icons.get(ticket.state, '')} {t(lang, f'state.{ticket.state.value}')}".strip()


def card_blocks(
    ticket: TicketSnapshot,
    config: DeskConfig,
    *,
    now: datetime,
    timezone: str,
    sla_lines: Sequence[str] = (),
    withheld: bool = False,
) -> tuple[str, list[dict[str, Any]]]:
    """`withheld`: the ticket came from a confidential team, so its words stay out of this channel."""
    lang = config.desk.default_language
    item = None
    if ticket.catalog_item_id:
        try:
            item = config.item(ticket.catalog_item_id)
        except KeyError:
            item = None
    holder = f"<@{ticket.assignee_id}>" if ticket.assignee_id else t(lang, "card.unassigned")
    shown_title = (item.title if item else t(lang, "card.free_text")) if withheld else ticket.title
    summary = f"{ticket.key} · {shown_title}"
    blocks: list[dict[str, Any]] = [
        header(summary),
        fields_section(
            [
                f"*{t(lang, 'card.requester')}*\n<@{ticket.requester_id}>",
                f"*{t(lang, 'card.state')}*\n{_state_badge(ticket, lang)}",
                f"*{t(lang, 'card.service')}*\n{escape(item.title) if item else t(lang, 'card.free_text')}",
                f"*{t(lang, 'card.assignee')}*\n{holder}",
                f"*{t(lang, 'card.kind')}*\n{t(lang, f'kind.{ticket.kind}')}",
                f"*{t(lang, 'card.priority')}*\n{t(lang, f'priority.{ticket.priority}')}",
            ]
        ),
        section(t(lang, "card.details_withheld") if withheld else quote(ticket.description)),
    ]
    answers = []
    for field in item.fields if item and not withheld else []:
        value = ticket.fields.get(field.id)
        if value:
            shown = f"<@{value}>" if field.type == "user" else escape(str(value))
            answers.append(f"*{escape(field.label)}*\n{shown}")
    if answers:
        blocks.append(fields_section(answers))
    notes = list(sla_lines)
    created = t(lang, "card.created", when=when(lang, ticket.created_at, now, timezone))
    notes.append(created)
    if ticket.source_permalink:
        notes.append(f"<{ticket.source_permalink}|{t(lang, 'card.source')}>")
    blocks.append(context(*notes))
    if ticket.resolution_note and ticket.state in (TicketState.RESOLVED, TicketState.CLOSED):
        blocks.append(section(f"*{t(lang, 'card.resolution')}*\n{quote(ticket.resolution_note)}"))
    if ticket.state not in TERMINAL and ticket.state is not TicketState.RESOLVED:
        blocks.append(_card_actions(ticket, config, lang))
    return f"{summary} ({t(lang, f'state.{ticket.state.value}')})", blocks


def _card_actions(ticket: TicketSnapshot, config: DeskConfig, lang: str) -> dict[str, Any]:
    value = {"k": ticket.id, "v": ticket.version}
    elements: list[dict[str, Any]] = []
    if ticket.state is TicketState.OPEN and not ticket.assignee_id:
        elements.append(button(t(lang, "card.claim"), ActionId.CLAIM, value, style="primary"))
    if ticket.state is not TicketState.AWAITING_APPROVAL:
        assign: dict[str, Any] = {
            "type": "users_select",
            "action_id": ActionId.ASSIGN,
            "placeholder": plain(t(lang, "card.assign"), 150),
        }
        if ticket.assignee_id:
            assign["initial_user"] = ticket.assignee_id
        elements.append(assign)
        elements.append(
            {
                "type": "static_select",
                "action_id": ActionId.PRIORITY,
                "placeholder": plain(t(lang, "card.priority"), 150),
                "initial_option": option(t(lang, f"priority.{ticket.priority}"), ticket.priority),
                "options": [option(t(lang, f"priority.{p.value}"), p.value) for p in Priority],
            }
        )
    if ticket.state is TicketState.IN_PROGRESS:
        elements.append(button(t(lang, "card.wait"), ActionId.WAIT, value))
    if ticket.state is not TicketState.AWAITING_APPROVAL:
        elements.append(button(t(lang, "card.resolve"), ActionId.RESOLVE, value, style="primary"))
    elements.append(button(t(lang, "card.note"), ActionId.NOTE, value))
    others = [team for team in config.teams if team.id != ticket.team_id]
    menu = [option(t(lang, "card.cancel_duplicate"), f"cancel:{ticket.id}:{ticket.version}")]
    menu.extend(option(t(lang, "card.move_to", team=team.name), f"move:{ticket.id}:{team.id}") for team in others[:4])
    elements.append({"type": "overflow", "action_id": ActionId.CARD_MENU, "options": menu[:5]})
    return actions(*elements, block_id=f"card.{ticket.id}")
