"""`/clock`: move the desk's one clock so SLA warnings and digests can be seen without waiting."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import OffsetClock

_SHIFT = re.compile(r"^\+(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class ClockUsage(ValueError):
    pass


def parse_shift(arg: str) -> timedelta:
    """ "+2h", "+30m", "+1d", "+1w" as a timedelta; time only moves forward, as it does for the desk."""
    match = _SHIFT.match(arg.strip().lower())
    if match is None:
        raise ClockUsage("use /clock +30m, +2h, +1d, next-working-day or now")
    amount, unit = int(match.group(1)), match.group(2)
    return timedelta(**{_UNITS[unit]: amount})


class ClockControl:
    """The shared OffsetClock, and the working calendar that says when the next working day opens."""

    def __init__(self, clock: OffsetClock, next_open: Callable[[datetime], datetime], timezone: str) -> None:
        self.clock = clock
        self._next_open = next_open
        self._zone = ZoneInfo(timezone)

    def status(self) -> str:
        local = self.clock.now().astimezone(self._zone)
        ahead = self.clock.offset
        shift = "real time" if ahead == timedelta(0) else f"{_describe(ahead)} ahead of real time"
        return f"Desk clock: {local:%a %d %b %Y %H:%M} {local.tzname()} ({shift})"

    def apply(self, arg: str) -> str:
        arg = arg.strip().lower()
        if arg in ("", "status"):
            return self.status()
        if arg == "now":
            self.clock.advance(-self.clock.offset)
        elif arg == "next-working-day":
            self.clock.advance(self.next_working_day() - self.clock.now())
        else:
            self.clock.advance(parse_shift(arg))
        return self.status()

    def next_working_day(self) -> datetime:
        """The opening of the first working day after today (today's end in the calendar's timezone)."""
        today = self.clock.now().astimezone(self._zone).date()
        tomorrow = datetime.combine(today + timedelta(days=1), time(0), self._zone)
        return self._next_open(tomorrow)


def _describe(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{minutes}m" if minutes else ""]
    return " ".join(p for p in parts if p) or "less than a minute"
