"""A modal's input blocks as a short sequence of prompts, and what a typed answer means for each.

Pure: `prompts_of(view_blocks)` lists the questions; `Prompt.parse(line)` turns an answer into the value the
stand-in's `submit_view` takes, or says why it cannot."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.localslack.terminal.render import options_of, text_of

CANCEL = "."
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{2}:\d{2}$")
_SELECTS = {"static_select", "external_select", "radio_buttons"}
_MULTI_SELECTS = {"checkboxes", "multi_static_select", "multi_external_select"}
_PEOPLE = {"users_select", "multi_users_select"}
_ROOMS = {"conversations_select", "channels_select", "multi_conversations_select", "multi_channels_select"}

Value = str | list[str] | None


class BadAnswer(ValueError):
    pass


@dataclass(frozen=True)
class Prompt:
    key: str  # "block_id.action_id", as submit_view takes it
    block_id: str
    label: str
    kind: str
    optional: bool
    hint: str = ""
    options: tuple[tuple[str, str], ...] = ()
    initial: str = ""

    @property
    def multiple(self) -> bool:
        return self.kind.startswith("multi_") or self.kind == "checkboxes"

    def question(self) -> list[str]:
        """What the person reads before answering."""
        lines = [f"{self.label}{' (optional)' if self.optional else ''}"]
        if self.hint:
            lines.append(f"  ({self.hint})")
        for number, (_, label) in enumerate(self.options, start=1):
            lines.append(f"  {number}. {label}")
        how = self._how()
        if self.initial:
            how += f"; Enter keeps {self.initial!r}"
        elif self.optional:
            how += "; Enter leaves it empty"
        lines.append(f"  {how}; '.' cancels")
        return lines

    def _how(self) -> str:
        if self.kind in _SELECTS:
            return "type a number"
        if self.kind in _MULTI_SELECTS:
            return "type numbers separated by commas"
        if self.kind in _PEOPLE:
            return "type a handle" + ("s separated by commas" if self.multiple else "")
        if self.kind in _ROOMS:
            return "type a #channel" + ("s separated by commas" if self.multiple else "")
        if self.kind == "datepicker":
            return "type a date YYYY-MM-DD"
        if self.kind == "timepicker":
            return "type a time HH:MM"
        return "type your answer"

    def parse(self, line: str, people: Mapping[str, str], rooms: Mapping[str, str]) -> Value:
        """The value to submit for this answer; None keeps the initial value or leaves it empty."""
        answer = line.strip()
        if not answer:
            if self.initial or self.optional:
                return None
            raise BadAnswer("This field is required.")
        parts = [p.strip() for p in answer.split(",") if p.strip()] if self.multiple else [answer]
        if self.kind in _SELECTS or self.kind in _MULTI_SELECTS:
            values = [self._option(part) for part in parts]
        elif self.kind in _PEOPLE:
            values = [_lookup(part.lstrip("@"), people, "person") for part in parts]
        elif self.kind in _ROOMS:
            values = [_lookup(part.lstrip("#"), rooms, "channel") for part in parts]
        else:
            values = parts
            if self.kind == "datepicker" and not _DATE.match(answer):
                raise BadAnswer("Use a date like 2026-12-24.")
            if self.kind == "timepicker" and not _TIME.match(answer):
                raise BadAnswer("Use a time like 09:30.")
            if self.kind == "number_input" and not re.fullmatch(r"-?\d+(\.\d+)?", answer):
                raise BadAnswer("Type a number.")
        return values if self.multiple else values[0]

    def _option(self, part: str) -> str:
        if part.isdigit() and 1 <= int(part) <= len(self.options):
            return self.options[int(part) - 1][0]
        for value, label in self.options:
            if part.lower() in (value.lower(), label.lower()):
                return value
        raise BadAnswer(f"Pick a number from 1 to {len(self.options)}.")


def _lookup(name: str, known: Mapping[str, str], what: str) -> str:
    if name in known:
        return known[name]
    raise BadAnswer(f"No {what} called {name!r}.")


def prompts_of(blocks: list[dict[str, Any]]) -> list[Prompt]:
    found = []
    for block in blocks:
        element = block.get("element")
        if block.get("type") != "input" or not isinstance(element, dict):
            continue
        block_id, action_id = str(block.get("block_id")), str(element.get("action_id"))
        found.append(
            Prompt(
                key=f"{block_id}.{action_id}",
                block_id=block_id,
                label=text_of(block.get("label"), {}),
                kind=str(element.get("type", "")),
                optional=bool(block.get("optional")),
                hint=text_of(block.get("hint"), {}),
                options=tuple(options_of(element)),
                initial=_initial(element),
            )
        )
    return found


def _initial(element: dict[str, Any]) -> str:
    for key in ("initial_value", "initial_date", "initial_time", "initial_user", "initial_channel"):
        if element.get(key):
            return str(element[key])
    option = element.get("initial_option")
    if isinstance(option, dict):
        return text_of(option.get("text"), {})
    many = element.get("initial_options") or element.get("initial_users") or []
    return ", ".join(text_of(o.get("text"), {}) if isinstance(o, dict) else str(o) for o in many)
