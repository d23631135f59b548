"""Validation of a request form against its catalogue item's fields: pure, so every rule is unit-testable."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bot.config.schema import FormField

DESCRIPTION_MAX = 3000
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


@dataclass(frozen=True)
class FieldError:
    """An i18n key under `request.` and its parameters, shown next to the field."""

    key: str
    params: Mapping[str, object] | None = None


def meaningful(text: str | None) -> str:
    """Text without zero-width characters and surrounding space; "" when nothing readable is left."""
    return _ZERO_WIDTH.sub("", text or "").strip()


def validate_form(
    fields: Sequence[FormField], values: Mapping[str, str | None], description: str | None
) -> tuple[dict[str, str], str, dict[str, FieldError]]:
    """(clean field values, clean description, errors keyed by field id or "description")."""
    errors: dict[str, FieldError] = {}
    clean: dict[str, str] = {}
    text = meaningful(description)
    if not text:
        errors["description"] = FieldError("required")
    elif len(text) > DESCRIPTION_MAX:
        errors["description"] = FieldError("too_long", {"max": DESCRIPTION_MAX})
    for field in fields:
        raw = meaningful(values.get(field.id))
        if not raw:
            if field.required:
                errors[field.id] = FieldError("required")
            continue
        if field.type == "date":
            try:
                date.fromisoformat(raw)
            except ValueError:
                errors[field.id] = FieldError("bad_date")
                continue
        if field.type == "select" and raw not in {option.value for option in field.options or []}:
            errors[field.id] = FieldError("unknown_option")
            continue
        limit = field.max_length or 3000
        if len(raw) > limit:
            errors[field.id] = FieldError("too_long", {"max": limit})
            continue
        clean[field.id] = raw
    return clean, text, errors
