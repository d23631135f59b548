"""The modal an agent fills in to draft a knowledge article from a resolved ticket."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.blocks.ids import CallbackId
from bot.blocks.text import MODAL_TITLE_MAX, plain
from bot.i18n import t

TITLE_BLOCK, BODY_BLOCK, ACTION = "article.title", "article.body", "value"


def article_modal(language: str, ticket_id: int, title: str, body: str) -> dict[str, Any]:
    def field(block_id: str, label: str, initial: str, *, multiline: bool, limit: int) -> dict[str, Any]:
        element: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": ACTION,
            "multiline": multiline,
            "max_length": limit,
        }
        if initial:
            element["initial_value"] = initial[:limit]
        return {"type": "input", "block_id": block_id, "label": plain(label), "element": element}

    return {
        "type": "modal",
        "callback_id": CallbackId.ARTICLE_FORM,
        "title": plain(t(language, "article.modal_title"), MODAL_TITLE_MAX),
        "submit": plain(t(language, "forms.save"), MODAL_TITLE_MAX),
        "close": plain(t(language, "request.close"), MODAL_TITLE_MAX),
        "private_metadata": json.dumps({"k": ticket_id}),
        "blocks": [
            field(TITLE_BLOCK, t(language, "article.title_label"), title, multiline=False, limit=200),
            field(BODY_BLOCK, t(language, "article.body_label"), body, multiline=True, limit=3000),
        ],
    }


def read_article(view: Mapping[str, Any]) -> tuple[int | None, str, str]:
    try:
        ticket_id = json.loads(view.get("private_metadata") or "{}").get("k")
    except ValueError:
        ticket_id = None
    values = (view.get("state") or {}).get("values") or {}

    def text(block: str) -> str:
        return str(((values.get(block) or {}).get(ACTION) or {}).get("value") or "")

    return (ticket_id if isinstance(ticket_id, int) else None), text(TITLE_BLOCK), text(BODY_BLOCK)
