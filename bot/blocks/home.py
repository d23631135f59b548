"""The App Home of an employee: their tickets, a New request button and a knowledge search box."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.blocks.ids import ActionId, BlockId
from bot.blocks.status import ticket_line
from bot.blocks.text import actions, button, context, divider, escape, header, plain, section
from bot.i18n import t
from bot.services.status import RequesterTickets
from bot.sla.policy import SlaPolicies
from knowledge.models import Article


def home_view(
    listing: RequesterTickets,
    language: str,
    now: datetime,
    policies: SlaPolicies,
    *,
    query: str | None = None,
    results: Sequence[Article] = (),
) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        header(t(language, "home.title")),
        actions(button(t(language, "home.new_request"), ActionId.NEW_REQUEST, {}, style="primary")),
        {
            "type": "input",
            "block_id": BlockId.SEARCH,
            "dispatch_action": True,
            "optional": True,
            "label": plain(t(language, "home.search_label")),
            "element": {
                "type": "plain_text_input",
                "action_id": ActionId.HOME_SEARCH,
                "placeholder": plain(t(language, "home.search_placeholder"), 150),
                "dispatch_action_config": {"trigger_actions_on": ["on_enter_pressed"]},
            },
        },
    ]
    if query is not None:
        if results:
            blocks.append(section(t(language, "home.search_results", query=escape(query[:100]))))
            for article in results[:5]:
                body = escape(" ".join(article.body.split())[:300])
                blocks.append(section(f"*{escape(article.title)}*\n{body}"))
        else:
            blocks.append(section(t(language, "home.search_none", query=escape(query[:100]))))
    blocks.append(divider())
    blocks.append(section(f"*{t(language, 'home.open')}*"))
    if listing.open:
        blocks.extend(section(ticket_line(ticket, language, now, policies)) for ticket in listing.open[:15])
    else:
        blocks.append(context(t(language, "home.none_open")))
    if listing.recent:
        blocks.append(section(f"*{t(language, 'home.resolved')}*"))
        blocks.extend(section(ticket_line(ticket, language, now, policies)) for ticket in listing.recent[:5])
    return {"type": "home", "blocks": blocks[:100]}
