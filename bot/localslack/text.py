"""Flatten Block Kit into the plain words a person would read, so tests can assert on what people see."""

from __future__ import annotations

from typing import Any


def flatten_blocks(blocks: list[dict[str, Any]] | None) -> str:
    lines: list[str] = []
    for block in blocks or []:
        lines.extend(_walk(block))
    return "\n".join(line for line in lines if line)


def _walk(node: Any) -> list[str]:
    if isinstance(node, list):
        return [line for item in node for line in _walk(item)]
    if not isinstance(node, dict):
        return []
    found: list[str] = []
    text = node.get("text")
    if isinstance(text, str):
        found.append(text)
    for key in ("text", "title", "label", "fields", "elements", "accessory", "element", "options"):
        value = node.get(key)
        if key == "text" and isinstance(value, str):
            continue
        found.extend(_walk(value))
    return found
