"""From app.yaml to SLA arithmetic: each team's calendar and targets, and the promise a requester sees."""

from __future__ import annotations

from datetime import date, datetime

from bot.config import DeskConfig
from bot.config.schema import CalendarConfig, Priority
from bot.sla.calendar import BusinessCalendar, CalendarSpec, parse_spans

_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def spec_from_config(name: str, calendar: CalendarConfig) -> CalendarSpec:
    if calendar.always_open:
        return CalendarSpec.always(name=name, timezone=calendar.timezone)
    return CalendarSpec(
        name=name,
        timezone=calendar.timezone,
        weekly={_WEEKDAYS[day]: parse_spans(", ".join(spans)) for day, spans in calendar.hours.items()},
        holiday_country=calendar.holidays.country if calendar.holidays else None,
        holiday_subdivision=calendar.holidays.subdivision if calendar.holidays else None,
        closed_eves=bool(calendar.holidays and calendar.holidays.closed_eves),
        closed_dates=frozenset(calendar.closed),
        open_dates={day: parse_spans(", ".join(spans)) for day, spans in calendar.open.items()},
    )


class SlaPolicies:
    """Calendars are built once per desk (their holiday tables are cached per year inside)."""

    def __init__(self, config: DeskConfig) -> None:
        self._config = config
        self._calendars: dict[str, BusinessCalendar] = {}

    @property
    def warn_share(self) -> float:
        return self._config.sla.warn_at

    def calendar(self, name: str) -> BusinessCalendar:
        if name not in self._calendars:
            self._calendars[name] = BusinessCalendar(spec_from_config(name, self._config.calendar(name)))
        return self._calendars[name]

    def warm(self, now: datetime) -> None:
        """Build every team's calendar and this year's holidays now, at start-up: the holidays package loads
        its country data on first use (over 100 ms), which the first request after a start would otherwise
        wait for, with every request queued behind it."""
        for team in self._config.teams:
            self.team_calendar(team.id).add(now, 60)

    def team_calendar(self, team_id: str) -> BusinessCalendar:
        return self.calendar(self._config.team(team_id).calendar)

    def timezone(self, team_id: str) -> str:
        return self._config.calendar(self._config.team(team_id).calendar).timezone

    def targets(self, team_id: str, item_id: str | None, priority: str) -> tuple[int, int]:
        return self._config.targets(team_id, item_id, Priority(priority))

    def item_team(self, item_id: str) -> str | None:
        """The team a catalogue item belongs to; None for an item no longer in the configuration."""
        try:
            return self._config.item(item_id).team
        except KeyError:
            return None

    def first_response_due(self, team_id: str, item_id: str | None, priority: str, start: datetime) -> datetime:
        first, _ = self.targets(team_id, item_id, priority)
        return self.team_calendar(team_id).add(start, first)

    def is_working_day(self, team_id: str, day: date) -> bool:
        return bool(self.team_calendar(team_id).spans_on(day))
