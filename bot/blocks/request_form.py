"""The request modal: the chosen service's form fields from app.yaml, prefilled from the conversation, and
the catalogue picker that leads to it. Also reads a submitted modal's state back into plain values."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.blocks.ids import ActionId, BlockId, CallbackId, field_block_id
from bot.blocks.text import MODAL_TITLE_MAX, context, escape, mrkdwn, option, plain, section, truncate
from bot.config import DeskConfig
from bot.config.schema import CatalogItem, FormField, TeamConfig
from bot.domain.forms import DESCRIPTION_MAX
from bot.i18n import t

INPUT_ACTION = "value"


@dataclass(frozen=True)
class FormContext:
    """What travels in private_metadata: ids only, never user text (Slack caps it at 3000 characters)."""

    item_id: str | None
    team_id: str | None
    intake_id: int | None = None
    source_channel: str | None = None
    source_ts: str | None = None

    def encode(self) -> str:
        data = {
            "i": self.item_id,
            "t": self.team_id,
            "r": self.intake_id,
            "c": self.source_channel,
            "s": self.source_ts,
        }
        return json.dumps({k: v for k, v in data.items() if v is not None}, separators=(",", ":"))

    @classmethod
    def decode(cls, text: str | None) -> FormContext | None:
        try:
            data = json.loads(text or "")
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        return cls(
            item_id=data.get("i"),
            team_id=data.get("t"),
            intake_id=data.get("r") if isinstance(data.get("r"), int) else None,
            source_channel=data.get("c"),
            source_ts=data.get("s"),
        )


def _title(text: str) -> dict[str, Any]:
    return plain(truncate(text, MODAL_TITLE_MAX), MODAL_TITLE_MAX)


def loading_view(language: str) -> dict[str, Any]:
    """Opened at once while the trigger id is fresh (it expires after 3 seconds); the form replaces it."""
    return {
        "type": "modal",
        "title": _title(t(language, "request.modal_title")),
        "close": _title(t(language, "request.close")),
        "blocks": [section(t(language, "request.loading"))],
    }


def _label(field: FormField, language: str) -> str:
    return field.label_sv if language == "sv" and field.label_sv else field.label


def _element(field: FormField, language: str) -> dict[str, Any]:
    if field.type in ("text", "multiline"):
        element: dict[str, Any] = {"type": "plain_text_input", "action_id": INPUT_ACTION}
        if field.type == "multiline":
            element["multiline"] = True
        element["max_length"] = field.max_length or 3000
        return element
    if field.type == "select":
        options = [
            option(o.label_sv if language == "sv" and o.label_sv else o.label, o.value) for o in field.options or []
        ]
        return {"type": "static_select", "action_id": INPUT_ACTION, "options": options}
    if field.type == "date":
        return {"type": "datepicker", "action_id": INPUT_ACTION}
    return {"type": "users_select", "action_id": INPUT_ACTION}


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool, hint: str | None = None
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, 2000),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def request_view(
    *,
    config: DeskConfig,
    item: CatalogItem | None,
    team: TeamConfig,
    language: str,
    context_data: FormContext,
    initial_text: str = "",
    promise: str | None = None,
    source_note: str | None = None,
) -> dict[str, Any]:
    title = item.title_sv if item and language == "sv" and item.title_sv else (item.title if item else "")
    team_label = team.name_sv if language == "sv" and team.name_sv else team.name
    intro = f"*{escape(title)}*\n{team_label}" if item else f"*{team_label}*"
    if item and item.description:
        intro += f"\n{escape(item.description_sv if language == 'sv' and item.description_sv else item.description)}"
    blocks: list[dict[str, Any]] = [section(intro)]
    if promise:
        blocks.append(context(promise))
    description = {
        "type": "plain_text_input",
        "action_id": INPUT_ACTION,
        "multiline": True,
        "max_length": DESCRIPTION_MAX,
    }
    if initial_text.strip():
        description["initial_value"] = initial_text.strip()[:DESCRIPTION_MAX]
    blocks.append(
        _input(
            BlockId.DESCRIPTION,
            t(language, "request.description"),
            description,
            optional=False,
            hint=t(language, "request.description_hint"),
        )
    )
    for field in item.fields if item else []:
        blocks.append(
            _input(
                field_block_id(field.id),
                _label(field, language),
                _element(field, language),
                optional=not field.required,
                hint=field.hint,
            )
        )
    if source_note:
        blocks.append(context(source_note))
    return {
        "type": "modal",
        "callback_id": CallbackId.REQUEST_FORM,
        "title": _title(t(language, "request.modal_title")),
        "submit": _title(t(language, "request.submit")),
        "close": _title(t(language, "request.close")),
        "private_metadata": context_data.encode(),
        "notify_on_close": True,
        "blocks": blocks[:100],
    }


def catalogue_view(
    config: DeskConfig, language: str, *, intake_id: int | None = None, text: str = ""
) -> dict[str, Any]:
    """One select of every service grouped by team (plus "something else" per team); choosing one swaps in
    that service's form."""
    groups = []
    for team in config.teams:
        team_label = team.name_sv if language == "sv" and team.name_sv else team.name
        options = [
            option(item.title_sv if language == "sv" and item.title_sv else item.title, f"item:{item.id}")
            for item in config.catalog
            if item.team == team.id
        ]
        options.append(option(f"{t(language, 'request.something_else')} ({team_label})", f"team:{team.id}"))
        groups.append({"label": plain(team_label, 75), "options": options[:100]})
    # An actions block, not an input: choosing acts at once, and a modal without inputs needs no submit button.
    picker = {
        "type": "actions",
        "block_id": BlockId.ITEM,
        "elements": [
            {
                "type": "static_select",
                "action_id": ActionId.PICK_ITEM,
                "placeholder": plain(t(language, "request.choose_item"), 150),
                "option_groups": groups,
            }
        ],
    }
    return {
        "type": "modal",
        "callback_id": CallbackId.CATALOGUE,
        "title": _title(t(language, "request.modal_title")),
        "close": _title(t(language, "request.close")),
        "private_metadata": FormContext(item_id=None, team_id=None, intake_id=intake_id).encode(),
        "blocks": [{"type": "section", "text": mrkdwn(t(language, "request.catalogue_intro"))}, picker],
    }


def read_form_state(view: Mapping[str, Any]) -> tuple[str | None, dict[str, str | None]]:
    """(description, {field id: raw value}) from a submitted modal's state.values."""
    values = (view.get("state") or {}).get("values") or {}
    description = None
    fields: dict[str, str | None] = {}
    for block_id, actions in values.items():
        state = (actions or {}).get(INPUT_ACTION) or {}
        raw = _raw_value(state)
        if block_id == BlockId.DESCRIPTION:
            description = raw
        elif block_id.startswith("field."):
            fields[block_id.removeprefix("field.")] = raw
    return description, fields


def _raw_value(state: Mapping[str, Any]) -> str | None:
    kind = state.get("type")
    if kind == "static_select":
        selected = state.get("selected_option") or {}
        return selected.get("value")
    if kind == "datepicker":
        return state.get("selected_date")
    if kind == "users_select":
        return state.get("selected_user")
    value = state.get("value")
    return value if isinstance(value, str) else None
