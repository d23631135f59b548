"""Text objects and escaping. User text is data: & < > are escaped in mrkdwn so "<!channel>" or
"<http://evil|x>" in a request shows literally instead of pinging or linking."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

SECTION_TEXT_MAX = 3000
FIELD_TEXT_MAX = 2000
BUTTON_TEXT_MAX = 75
OPTION_TEXT_MAX = 75
HEADER_MAX = 150
MODAL_TITLE_MAX = 24
MESSAGE_TEXT_MAX = 4000
VALUE_MAX = 2000


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    """Cut for display only (the full text stays in the database), never inside an escape sequence."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def quote(user_text: str, limit: int = SECTION_TEXT_MAX - 200) -> str:
    """User text as a mrkdwn quote block: escaped, each line prefixed, truncated to fit a section."""
    escaped = escape(user_text.strip()) or "…"
    lines = escaped.splitlines() or [escaped]
    return truncate("\n".join(f"&gt; {line}" if line else "&gt;" for line in lines), limit)


def plain(text: str, limit: int = SECTION_TEXT_MAX) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(text, limit) or " ", "emoji": True}


def mrkdwn(text: str, limit: int = SECTION_TEXT_MAX) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": truncate(text, limit) or " "}


def section(text: str, accessory: Mapping[str, Any] | None = None, *, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": mrkdwn(text)}
    if accessory:
        block["accessory"] = dict(accessory)
    if block_id:
        block["block_id"] = block_id
    return block


def fields_section(pairs: list[str]) -> dict[str, Any]:
    return {"type": "section", "fields": [mrkdwn(p, FIELD_TEXT_MAX) for p in pairs[:10]]}


def context(*texts: str) -> dict[str, Any]:
    return {"type": "context", "elements": [mrkdwn(t) for t in texts[:10]]}


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": plain(text, HEADER_MAX)}


def divider() -> dict[str, Any]:
    return {"type": "divider"}


def button(text: str, action_id: str, value: Any = None, *, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "button", "text": plain(text, BUTTON_TEXT_MAX), "action_id": action_id}
    if value is not None:
        encoded = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        if len(encoded) > VALUE_MAX:
            raise ValueError("button value too long; carry an id, not the data")
        element["value"] = encoded
    if style:
        element["style"] = style
    return element


def actions(*elements: Mapping[str, Any], block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "actions", "elements": [dict(e) for e in elements[:25]]}
    if block_id:
        block["block_id"] = block_id
    return block


def option(label: str, value: str) -> dict[str, Any]:
    return {"text": plain(label, OPTION_TEXT_MAX), "value": value}


def decode_value(value: str | None) -> dict[str, Any]:
    """A button's JSON value; {} for anything that is not ours (an old message, a forged click)."""
    if not value:
        return {}
    try:
        decoded = json.loads(value)
    except ValueError:
        return {}
    return decoded if isinstance(decoded, dict) else {}
