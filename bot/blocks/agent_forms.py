"""Modals agents fill in: the resolution note and the internal note."""

from __future__ import annotations

import json
from typing import Any

from bot.blocks.ids import CallbackId
from bot.blocks.text import MODAL_TITLE_MAX, plain, section, truncate
from bot.i18n import t

NOTE_BLOCK = "desk.note_text"
NOTE_ACTION = "value"


def text_modal(
    callback_id: str,
    language: str,
    ticket_id: int,
    key: str,
    title_key: str,
    label_key: str,
    *,
    optional: bool = False,
) -> dict[str, Any]:
    """A one-field modal about one ticket (resolution, note, reason, comment, follow-up)."""
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(truncate(t(language, title_key, key=key), MODAL_TITLE_MAX), MODAL_TITLE_MAX),
        "submit": plain(t(language, "forms.save"), MODAL_TITLE_MAX),
        "close": plain(t(language, "request.close"), MODAL_TITLE_MAX),
        "private_metadata": json.dumps({"k": ticket_id}),
        "notify_on_close": True,
        "blocks": [
            {
                "type": "input",
                "block_id": NOTE_BLOCK,
                "label": plain(t(language, label_key)),
                "optional": optional,
                "element": {
                    "type": "plain_text_input",
                    "action_id": NOTE_ACTION,
                    "multiline": True,
                    "max_length": 3000,
                },
            }
        ],
    }


def resolve_modal(language: str, ticket_id: int, key: str) -> dict[str, Any]:
    return text_modal(
        CallbackId.RESOLVE_FORM, language, ticket_id, key, "forms.resolve_title", "forms.resolution_label"
    )


def note_modal(language: str, ticket_id: int, key: str) -> dict[str, Any]:
    return text_modal(CallbackId.NOTE_FORM, language, ticket_id, key, "forms.note_title", "forms.note_label")


def read_note(view: dict[str, Any]) -> tuple[int | None, str]:
    try:
        ticket_id = json.loads(view.get("private_metadata") or "{}").get("k")
    except ValueError:
        ticket_id = None
    state = ((view.get("state") or {}).get("values") or {}).get(NOTE_BLOCK) or {}
    text = (state.get(NOTE_ACTION) or {}).get("value") or ""
    return (ticket_id if isinstance(ticket_id, int) else None), str(text)


def notice_view(text: str, language: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": plain(t(language, "request.modal_title"), MODAL_TITLE_MAX),
        "close": plain(t(language, "request.close"), MODAL_TITLE_MAX),
        "blocks": [section(text)],
    }
