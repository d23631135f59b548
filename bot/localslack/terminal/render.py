"""Block Kit, messages and views as plain terminal lines. Pure: no I/O, no workspace access.

Everything a person can press becomes a numbered choice `[N]`; the caller decides what pressing it does."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

INDENT = "    "
THREAD_BAR = "  | "

_MENTION = re.compile(r"<([@#!])([^>|]+)(?:\|([^>]*))?>")
_LINK = re.compile(r"<([^@#!][^>|]*)(?:\|([^>]*))?>")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")


@dataclass(frozen=True)
class Style:
    """ANSI colour, or nothing (not a tty, NO_COLOR, tests)."""

    colour: bool = False

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.colour and text else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def accent(self, text: str) -> str:
        return self._wrap("36", text)

    def warn(self, text: str) -> str:
        return self._wrap("33", text)


PLAIN = Style()


@dataclass(frozen=True)
class Choice:
    """One thing a person can press. `target` says where it lives (a message, an ephemeral's ts or a view),
    as the caller handed it in; `options` are (value, label) pairs of menus."""

    number: int
    label: str
    kind: str
    action_id: str
    block_id: str | None
    target: Any
    options: tuple[tuple[str, str], ...] = ()

    @property
    def needs_option(self) -> bool:
        return self.kind != "button"


@dataclass
class Numbering:
    """Hands out choice numbers while rendering; the session keeps the choices of the last screen."""

    next_number: int = 1
    choices: list[Choice] = field(default_factory=list)

    def add(self, element: dict[str, Any], block: dict[str, Any], target: Any) -> Choice:
        choice = Choice(
            number=self.next_number,
            label=element_label(element),
            kind=str(element.get("type", "")),
            action_id=str(element.get("action_id", "")),
            block_id=block.get("block_id"),
            target=target,
            options=tuple(options_of(element)),
        )
        self.next_number += 1
        self.choices.append(choice)
        return choice


Names = Mapping[str, str]
"""Slack ids (users, channels) to the handles and #names people know."""


def mrkdwn(text: str, names: Names, style: Style = PLAIN) -> str:
    """Slack's markup as a person reads it: mentions by handle, links by label, entities unescaped."""

    def mention(match: re.Match[str]) -> str:
        sigil, ref, label = match.group(1), match.group(2), match.group(3)
        if sigil == "!":
            return "@" + (label or ref.split("^")[0])
        known = names.get(ref)
        if sigil == "#":
            return "#" + (label or known or ref).lstrip("#")
        return "@" + (known or label or ref)

    def link(match: re.Match[str]) -> str:
        return match.group(2) or match.group(1)

    text = _LINK.sub(link, _MENTION.sub(mention, text))
    text = _BOLD.sub(lambda m: style.bold(m.group(1)), text)
    return text.replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&")


def text_of(node: Any, names: Names, style: Style = PLAIN) -> str:
    """A text object (plain_text or mrkdwn) or a bare string as plain words."""
    if isinstance(node, str):
        return node
    if not isinstance(node, dict):
        return ""
    value = str(node.get("text", ""))
    return mrkdwn(value, names, style) if node.get("type") == "mrkdwn" else value


def options_of(element: dict[str, Any]) -> list[tuple[str, str]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return [(str(o.get("value", "")), text_of(o.get("text"), {})) for o in options]


def element_label(element: dict[str, Any]) -> str:
    kind = element.get("type")
    if kind == "button":
        return text_of(element.get("text"), {})
    if kind == "overflow":
        return "More..."
    placeholder = text_of(element.get("placeholder"), {})
    initial = element.get("initial_option")
    current = f": {text_of(initial.get('text'), {})}" if isinstance(initial, dict) else ""
    if kind in ("users_select", "multi_users_select"):
        return f"{placeholder or 'Pick a person'} (a handle){current}"
    return f"{placeholder or 'Choose'}{current}"


def _choice_text(choice: Choice, style: Style) -> str:
    marker = style.accent(f"[{choice.number}]")
    return f"{marker} {choice.label}"


def render_blocks(
    blocks: list[dict[str, Any]], names: Names, numbering: Numbering, target: Any, style: Style = PLAIN
) -> list[str]:
    """Lines for the blocks; interactive elements are numbered through `numbering`."""
    lines: list[str] = []
    for block in blocks:
        lines.extend(_render_block(block, names, numbering, target, style))
    return lines


def _render_block(block: dict[str, Any], names: Names, numbering: Numbering, target: Any, style: Style) -> list[str]:
    kind = block.get("type")
    if kind == "header":
        return [style.bold(f"## {text_of(block.get('text'), names)}")]
    if kind == "divider":
        return [style.dim("-" * 40)]
    if kind == "context":
        parts = [text_of(e, names) if e.get("type") != "image" else "" for e in block.get("elements", [])]
        return [style.dim("  " + " · ".join(p for p in parts if p))]
    if kind == "section":
        lines = text_of(block.get("text"), names, style).splitlines()
        fields = block.get("fields") or []
        lines.extend(_fields(fields, names, style))
        accessory = block.get("accessory")
        if isinstance(accessory, dict) and accessory.get("type") != "image":
            press = _choice_text(numbering.add(accessory, block, target), style)
            if lines:
                lines[0] = f"{lines[0]}   {press}"
            else:
                lines = [press]
        return lines
    if kind == "actions":
        pressed = [_choice_text(numbering.add(e, block, target), style) for e in block.get("elements", [])]
        return ["  ".join(pressed)] if pressed else []
    if kind == "input":
        label = text_of(block.get("label"), names)
        return [f"{label}{'' if not block.get('optional') else ' (optional)'}: ..."]
    if kind == "image":
        return [style.dim(f"[image: {block.get('alt_text', '')}]")]
    if kind == "rich_text":
        return [_rich_text(block)]
    return []


def _fields(fields: list[Any], names: Names, style: Style) -> list[str]:
    """Fields are "*Label*\\nvalue" by convention; show them as "Label: value" lines."""
    lines = []
    for entry in fields:
        raw = str(entry.get("text", "")) if isinstance(entry, dict) else ""
        head, _, rest = raw.partition("\n")
        if rest and head.startswith("*") and head.endswith("*"):
            label = head.strip("*")
            value = mrkdwn(rest, names, style).replace("\n", " / ")
            lines.append(f"  {style.dim(label + ':')} {value}")
        else:
            lines.append("  " + text_of(entry, names, style).replace("\n", " / "))
    return lines


def _rich_text(block: dict[str, Any]) -> str:
    words: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                words.append(node["text"])
            walk(node.get("elements"))
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(block.get("elements"))
    return "".join(words)


@dataclass(frozen=True)
class Shown:
    """A message as the terminal shows it."""

    number: int
    author: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    reply: bool = False
    ephemeral: bool = False
    edited: bool = False
    reactions: Mapping[str, int] = field(default_factory=dict)


def clock_of(ts: str, tz: str) -> str:
    return datetime.fromtimestamp(float(ts), ZoneInfo(tz)).strftime("%H:%M")


def render_message(
    shown: Shown,
    names: Names,
    numbering: Numbering,
    target: Any,
    *,
    tz: str = "UTC",
    style: Style = PLAIN,
) -> list[str]:
    """A header line (#number, author, time, markers) and the body indented under it; thread replies are
    indented once more behind a bar."""
    markers = []
    if shown.ephemeral:
        markers.append(style.warn("(only you)"))
    if shown.edited:
        markers.append(style.dim("(updated)"))
    number = [style.dim(f"#{shown.number}")] if shown.number else []
    header = " ".join([*number, style.bold(shown.author), style.dim(clock_of(shown.ts, tz)), *markers])
    body = render_blocks(shown.blocks, names, numbering, target, style) if shown.blocks else []
    if not body:
        body = mrkdwn(shown.text, names, style).splitlines() or [""]
    if shown.reactions:
        body.append(style.dim(" ".join(f":{name}: {count}" for name, count in shown.reactions.items())))
    prefix = THREAD_BAR if shown.reply else ""
    return [prefix + header] + [prefix + INDENT + line for line in body]


def render_view(
    view_title: str, blocks: list[dict[str, Any]], names: Names, numbering: Numbering, target: Any, style: Style = PLAIN
) -> list[str]:
    """A modal or App Home: its title and everything that is not an input (inputs become prompts)."""
    shown = [b for b in blocks if b.get("type") != "input"]
    lines = [style.bold(f"== {view_title} ==")] if view_title else []
    return lines + [INDENT + line for line in render_blocks(shown, names, numbering, target, style)]
