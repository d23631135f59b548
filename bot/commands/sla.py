"""`servicedesk sla due`: when would a ticket created at a given moment be due? How admins check a policy."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.commands._common import add_config_option, load_or_report
from bot.config import DeskConfig
from bot.config.schema import Priority
from bot.sla.calendar import CalendarError
from bot.sla.policy import SlaPolicies


def register(sub: Any) -> None:
    parser = sub.add_parser("sla", help="SLA tools")
    tools = parser.add_subparsers(dest="sla_command", metavar="TOOL", required=True)
    due = tools.add_parser(
        "due",
        help="print the first-response and resolution due times of a ticket created at START",
        description="Print when a ticket created at START would be due, in the team calendar's time zone.",
    )
    add_config_option(due)
    due.add_argument("--team", required=True, help="team id, e.g. it")
    due.add_argument("--priority", required=True, help="low, medium, high or critical")
    due.add_argument(
        "--start", required=True, metavar="ISO8601", help="creation time with an offset, e.g. 2026-11-27T16:30+01:00"
    )
    due.add_argument("--item", help="catalogue item id, when the item overrides the team's targets")
    due.set_defaults(run=run_due)


class _BadInput(Exception):
    pass


def run_due(args: argparse.Namespace) -> int:
    config = load_or_report(args.config)
    if config is None:
        return 1
    try:
        lines = due_lines(config, team=args.team, priority=args.priority, start=args.start, item=args.item)
    except _BadInput as exc:
        print(f"servicedesk sla due: {exc}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


def due_lines(config: DeskConfig, *, team: str, priority: str, start: str, item: str | None) -> list[str]:
    team_ids = [t.id for t in config.teams]
    if team not in team_ids:
        raise _BadInput(f"unknown team {team!r}; the teams are {', '.join(team_ids)}")
    priorities = [p.value for p in Priority]
    if priority not in priorities:
        raise _BadInput(f"unknown priority {priority!r}; use one of {', '.join(priorities)}")
    if item is not None:
        items = {i.id: i for i in config.catalog}
        if item not in items:
            raise _BadInput(f"unknown catalogue item {item!r}")
        if items[item].team != team:
            raise _BadInput(f"catalogue item {item!r} belongs to team {items[item].team!r}, not {team!r}")
    try:
        created = datetime.fromisoformat(start)
    except ValueError:
        raise _BadInput(f"cannot read --start {start!r}; use ISO 8601 like 2026-11-27T16:30+01:00") from None
    if created.tzinfo is None or created.utcoffset() is None:
        # A wall-clock time alone is ambiguous across zones (and twice a year within one): insist on an offset.
        raise _BadInput(f"--start {start!r} has no UTC offset; add one, e.g. {start}+01:00 or {start}Z")

    policies = SlaPolicies(config)
    calendar = policies.team_calendar(team)
    zone = ZoneInfo(policies.timezone(team))
    first, resolution = policies.targets(team, item, priority)
    try:
        first_due = calendar.add(created, first)
        resolution_due = calendar.add(created, resolution)
    except CalendarError as exc:
        raise _BadInput(str(exc)) from None
    return [
        f"calendar        {calendar.spec.name} ({zone.key})",
        f"created         {created.astimezone(zone).isoformat()}",
        f"first_response  {first_due.astimezone(zone).isoformat()}  ({_minutes(first)})",
        f"resolution      {resolution_due.astimezone(zone).isoformat()}  ({_minutes(resolution)})",
    ]


def _minutes(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours}h{rest:02d}m working time" if hours else f"{rest}m working time"
