"""Checks across sections that a schema alone cannot express: every reference points at something that exists.
They run on the raw YAML data, so they still report when other parts of the file fail validation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.config.errors import Problem
from bot.config.yaml_source import SourceDocument


@dataclass(frozen=True)
class ItemSource:
    """Where a catalogue item was written: its document and its path inside it."""

    doc: SourceDocument
    path: tuple[str | int, ...]

    def line(self, key: str) -> int:
        return self.doc.line_of((*self.path, key))

    def value(self) -> Any:
        node: Any = self.doc.data
        for part in self.path:
            node = node[part]
        return node


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> Iterable[tuple[int, dict[str, Any]]]:
    if isinstance(value, list):
        yield from ((i, v) for i, v in enumerate(value) if isinstance(v, dict))


def cross_check(doc: SourceDocument, items: Iterable[ItemSource]) -> list[Problem]:
    data = _mapping(doc.data)
    problems: list[Problem] = []
    teams = list(_dicts(data.get("teams")))
    team_ids = [str(team.get("id")) for _, team in teams]
    calendars = set(_mapping(data.get("calendars"))) | {"24x7"}
    policies = set(_mapping(_mapping(data.get("sla")).get("policies")))

    seen: dict[str, int] = {}
    for index, team in teams:
        team_id = str(team.get("id"))
        line = doc.line_of(("teams", index, "id"))
        if team_id in seen:
            problems.append(
                Problem(doc.file, line, f"duplicate team id '{team_id}': already used on line {seen[team_id]}")
            )
        seen.setdefault(team_id, line)
        calendar = team.get("calendar")
        if calendar is not None and calendar not in calendars:
            problems.append(
                Problem(
                    doc.file,
                    doc.line_of(("teams", index, "calendar")),
                    f"team '{team_id}' uses calendar '{calendar}', which is not defined; "
                    f"define it under `calendars:` or use one of: {', '.join(sorted(calendars))}",
                )
            )
        policy = team.get("sla")
        if policy is not None and policies and policy not in policies:
            problems.append(
                Problem(
                    doc.file,
                    doc.line_of(("teams", index, "sla")),
                    f"team '{team_id}' uses SLA policy '{policy}', which is not defined; "
                    f"use one of: {', '.join(sorted(policies))}",
                )
            )

    default_team = _mapping(data.get("desk")).get("default_team")
    if default_team is not None and team_ids and default_team not in team_ids:
        problems.append(
            Problem(
                doc.file,
                doc.line_of(("desk", "default_team")),
                f"default_team '{default_team}' is not a team; use one of: {', '.join(team_ids)}",
            )
        )

    for source in items:
        item: Any = source.value()
        if not isinstance(item, dict):
            continue
        named: Any = item.get("team")
        if named is not None and team_ids and named not in team_ids:
            problems.append(
                Problem(
                    source.doc.file,
                    source.line("team"),
                    f"catalog item '{item.get('id')}' names team '{named}', which is not defined; "
                    f"use one of: {', '.join(team_ids)}",
                )
            )
    return problems
