"""Checks across sections that a schema alone cannot express: every reference points at something that exists."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bot.config.errors import Problem
from bot.config.schema import DeskConfig
from bot.config.yaml_source import SourceDocument


@dataclass(frozen=True)
class ItemSource:
    """Where a catalogue item was written: its document and its path inside it."""

    doc: SourceDocument
    path: tuple[str | int, ...]

    def line(self, key: str) -> int:
        return self.doc.line_of((*self.path, key))


def cross_check(config: DeskConfig, doc: SourceDocument, items: dict[str, ItemSource]) -> list[Problem]:
    problems: list[Problem] = []
    team_ids = [team.id for team in config.teams]
    calendars = set(config.calendars) | {"24x7"}

    for team_id, count in Counter(team_ids).items():
        if count > 1:
            index = len(team_ids) - 1 - team_ids[::-1].index(team_id)
            problems.append(
                Problem(
                    doc.file,
                    doc.line_of(("teams", index, "id")),
                    f"duplicate team id '{team_id}'; ids must be unique",
                )
            )

    inline_ids = [item.id for item in config.catalog[: len(doc.data.get("catalog") or [])]]
    for item_id, count in Counter(inline_ids).items():
        if count > 1:
            index = len(inline_ids) - 1 - inline_ids[::-1].index(item_id)
            problems.append(
                Problem(
                    doc.file,
                    doc.line_of(("catalog", index, "id")),
                    f"duplicate catalog id '{item_id}': already defined on line {items[item_id].line('id')}",
                )
            )

    for index, team in enumerate(config.teams):
        if team.calendar not in calendars:
            problems.append(
                Problem(
                    doc.file,
                    doc.line_of(("teams", index, "calendar")),
                    f"team '{team.id}' uses calendar '{team.calendar}', which is not defined; "
                    f"define it under `calendars:` or use one of: {', '.join(sorted(calendars))}",
                )
            )
        if team.sla not in config.sla.policies:
            problems.append(
                Problem(
                    doc.file,
                    doc.line_of(("teams", index, "sla")),
                    f"team '{team.id}' uses SLA policy '{team.sla}', which is not defined; "
                    f"use one of: {', '.join(sorted(config.sla.policies))}",
                )
            )

    if config.desk.default_team not in team_ids:
        problems.append(
            Problem(
                doc.file,
                doc.line_of(("desk", "default_team")),
                f"default_team '{config.desk.default_team}' is not a team; use one of: {', '.join(team_ids)}",
            )
        )

    for item in config.catalog:
        if item.team not in team_ids:
            source = items.get(item.id, ItemSource(doc, ()))
            problems.append(
                Problem(
                    source.doc.file,
                    source.line("team"),
                    f"catalog item '{item.id}' names team '{item.team}', which is not defined; "
                    f"use one of: {', '.join(team_ids)}",
                )
            )
    return problems
