"""The calendar arithmetic against a slow reference that steps through UTC minutes.

The reference does not use BusinessCalendar at all: a minute counts when the wall clock at that minute, in the
calendar's zone, shows a time inside one of that local date's spans (holidays straight from the `holidays`
package, the Swedish eves written out again here). Every span and every zone offset change used here falls on
a whole minute, so "open at the start of a minute" is "open for the whole minute".
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.sla.calendar import BusinessCalendar, CalendarSpec, Span
from bot.sla.clock import ClockFacts, due_at, elapsed

MINUTE = timedelta(minutes=1)
ZONES = [
    "Europe/Stockholm",
    "America/New_York",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "UTC",
]
FIRST = datetime(2025, 1, 1, tzinfo=UTC)
LAST = datetime(2027, 12, 31, tzinfo=UTC)
REFERENCE_STEPS = 400_000

SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- the reference ----------


@functools.cache
def reference_holidays(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=year))


def reference_is_eve(day: date) -> bool:
    midsummer_eve = day.month == 6 and 19 <= day.day <= 25 and day.weekday() == 4
    return midsummer_eve or (day.month, day.day) in {(12, 24), (12, 31)}


def minutes_of(span: Span) -> tuple[int, int]:
    start, end = span
    return start.hour * 60 + start.minute, 24 * 60 if end == time(0) else end.hour * 60 + end.minute


class Reference:
    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self.zone = ZoneInfo(spec.timezone)
        self._days: dict[date, list[tuple[int, int]]] = {}

    def spans(self, day: date) -> list[tuple[int, int]]:
        if day not in self._days:
            spec = self.spec
            if day in spec.open_dates:
                spans = spec.open_dates[day]
            elif (
                day in spec.closed_dates
                or (spec.holiday_country and day in reference_holidays(spec.holiday_country, day.year))
                or (spec.closed_eves and reference_is_eve(day))
            ):
                spans = ()
            else:
                spans = spec.weekly.get(day.weekday(), ())
            self._days[day] = [minutes_of(span) for span in spans]
        return self._days[day]

    def is_open(self, at: datetime) -> bool:
        wall = at.astimezone(self.zone)
        minute = wall.hour * 60 + wall.minute
        return any(start <= minute < end for start, end in self.spans(wall.date()))

    def add(self, start: datetime, minutes: int, paused=lambda at: False) -> datetime | None:
        counted = 0
        at = start
        for _ in range(REFERENCE_STEPS):
            if paused(at) is None:
                return None
            if not paused(at) and self.is_open(at):
                if minutes == 0:
                    return at
                counted += 1
                if counted == minutes:
                    return at + MINUTE
            at += MINUTE
        raise AssertionError("reference ran out of steps")

    def between(self, a: datetime, b: datetime) -> int:
        counted = 0
        at = a
        while at < b:
            counted += self.is_open(at)
            at += MINUTE
        return counted


# -- strategies ----------


@functools.cache
def offset_changes(zone_name: str) -> tuple[datetime, ...]:
    """Where the zone's offset changes between 2025 and 2027, found hour by hour then minute by minute."""
    zone = ZoneInfo(zone_name)
    found = []
    at = FIRST
    while at < LAST:
        if at.astimezone(zone).utcoffset() != (at + timedelta(hours=1)).astimezone(zone).utcoffset():
            minute = at
            while minute.astimezone(zone).utcoffset() == at.astimezone(zone).utcoffset():
                minute += MINUTE
            found.append(minute)
        at += timedelta(hours=1)
    return tuple(found)


@st.composite
def day_spans(draw, min_size: int = 0) -> tuple[Span, ...]:
    """Up to three spans on quarter-hour boundaries; 96 quarters is midnight at the day's end."""
    quarters = sorted(draw(st.lists(st.integers(0, 96), min_size=2 * min_size, max_size=6, unique=True)))
    spans = []
    for start, end in zip(quarters[0::2], quarters[1::2], strict=False):
        spans.append((time(start // 4, start % 4 * 15), time(0) if end == 96 else time(end // 4, end % 4 * 15)))
    return tuple(spans)


@dataclass(frozen=True)
class Scenario:
    spec: CalendarSpec
    start: datetime

    @property
    def week_minutes(self) -> int:
        return sum(end - start for spans in self.spec.weekly.values() for start, end in map(minutes_of, spans))


@st.composite
def scenarios(draw) -> Scenario:
    zone_name = draw(st.sampled_from(ZONES))
    if draw(st.booleans()):
        changes = offset_changes(zone_name)
        anchor = draw(st.sampled_from(changes)) if changes else FIRST + timedelta(days=400)
        start = anchor + draw(st.integers(-3 * 1440, 3 * 1440)) * MINUTE
    else:
        start = FIRST + draw(st.integers(0, (LAST - FIRST) // MINUTE)) * MINUTE
    weekly = {day: draw(day_spans()) for day in range(7)}
    weekly[draw(st.integers(0, 6))] = draw(day_spans(min_size=1))
    local_start = start.astimezone(ZoneInfo(zone_name)).date()
    near = st.integers(-2, 45).map(lambda days: local_start + timedelta(days=days))
    closed = frozenset(draw(st.lists(near, max_size=5)))
    open_dates = {day: draw(day_spans()) for day in draw(st.lists(near, max_size=4)) if day not in closed}
    spec = CalendarSpec(
        name="random",
        timezone=zone_name,
        weekly=weekly,
        holiday_country=draw(st.sampled_from([None, "SE"])),
        closed_eves=draw(st.booleans()),
        closed_dates=closed,
        open_dates=open_dates,
    )
    return Scenario(spec=spec, start=start)


def affordable_target(draw: Callable[[st.SearchStrategy[int]], int], scenario: Scenario) -> int:
    """Up to 3000 minutes, but no more than about four weeks of the calendar, to keep the reference quick."""
    return draw(st.integers(0, min(3000, 4 * scenario.week_minutes)))


# -- against the reference ----------


@SLOW
@given(scenarios(), st.data())
def test_add_matches_minute_stepping(scenario, data):
    minutes = affordable_target(data.draw, scenario)
    calendar = BusinessCalendar(scenario.spec)
    assert calendar.add(scenario.start, minutes) == Reference(scenario.spec).add(scenario.start, minutes)


@SLOW
@given(scenarios(), st.integers(0, 20_000))
def test_between_matches_minute_stepping(scenario, length):
    end = scenario.start + length * MINUTE
    calendar = BusinessCalendar(scenario.spec)
    assert calendar.between(scenario.start, end) == Reference(scenario.spec).between(scenario.start, end)


@FAST
@given(scenarios(), st.lists(st.integers(-1440, 20_000), min_size=1, max_size=20))
def test_is_open_matches_the_wall_clock_rule(scenario, offsets):
    calendar = BusinessCalendar(scenario.spec)
    reference = Reference(scenario.spec)
    for offset in offsets:
        at = scenario.start + offset * MINUTE
        assert calendar.is_open(at) == reference.is_open(at), at


@SLOW
@given(scenarios(), st.data())
def test_due_with_pauses_matches_minute_stepping(scenario, data):
    minutes = affordable_target(data.draw, scenario)
    raw = data.draw(st.lists(st.tuples(st.integers(0, 6000), st.integers(0, 3000)), max_size=4))
    pauses: list[tuple[datetime, datetime | None]] = [
        (scenario.start + begin * MINUTE, scenario.start + (begin + length) * MINUTE) for begin, length in raw
    ]
    if data.draw(st.booleans()):
        pauses.append((scenario.start + data.draw(st.integers(0, 6000)) * MINUTE, None))

    def paused(at: datetime) -> bool | None:
        """True inside a pause, None from an open pause on (the reference gives up there), else False."""
        for begin, end in pauses:
            if begin <= at and end is None:
                return None
            if end is not None and begin <= at < end:
                return True
        return False

    facts = ClockFacts(started_at=scenario.start, target_minutes=minutes, pauses=pauses)
    calendar = BusinessCalendar(scenario.spec)
    expected = Reference(scenario.spec).add(scenario.start, minutes, paused=paused)
    assert due_at(calendar, facts) == expected
    if expected is not None:
        assert elapsed(calendar, facts, expected) == minutes


# -- algebra, over long stretches where the reference would be too slow ----------


@FAST
@given(scenarios(), st.integers(0, 600_000), st.integers(0, 600_000))
def test_between_is_additive(scenario, first, second):
    calendar = BusinessCalendar(scenario.spec)
    a = scenario.start
    b = a + first * MINUTE
    c = b + second * MINUTE
    assert calendar.between(a, c) == calendar.between(a, b) + calendar.between(b, c)


@FAST
@given(scenarios(), st.integers(0, 600_000), st.integers(0, 600_000))
def test_between_and_add_are_monotonic(scenario, first, second):
    calendar = BusinessCalendar(scenario.spec)
    small, large = sorted((first, second))
    a = scenario.start
    assert calendar.between(a, a + small * MINUTE) <= calendar.between(a, a + large * MINUTE)
    small_work, large_work = sorted((first // 10, second // 10))
    assert calendar.add(a, small_work) <= calendar.add(a, large_work)


@FAST
@given(scenarios(), st.integers(0, 100_000))
def test_between_undoes_add(scenario, minutes):
    calendar = BusinessCalendar(scenario.spec)
    due = calendar.add(scenario.start, minutes)
    assert calendar.between(scenario.start, due) == minutes
    if minutes:
        # Earliest such instant: a minute sooner, a minute of work is missing.
        assert calendar.between(scenario.start, due - MINUTE) == minutes - 1


@FAST
@given(scenarios(), st.integers(0, 600_000))
def test_add_undoes_between_up_to_closed_time(scenario, length):
    """Adding the working time up to x lands on x, or on the end of the last span before x; either way the
    next opening from there is the next opening from x."""
    calendar = BusinessCalendar(scenario.spec)
    x = scenario.start + length * MINUTE
    landed = calendar.add(scenario.start, calendar.between(scenario.start, x))
    assert landed <= calendar.next_open(x)
    assert calendar.between(landed, x) == 0
    assert calendar.next_open(landed) == calendar.next_open(x)


@FAST
@given(scenarios(), st.integers(1, 60))
def test_spans_of_whole_days_add_up_to_between(scenario, days):
    calendar = BusinessCalendar(scenario.spec)
    zone = ZoneInfo(scenario.spec.timezone)
    first = scenario.start.astimezone(zone).date()
    spans = [span for offset in range(days) for span in calendar.spans_on(first + timedelta(days=offset))]
    for start, end in spans:
        assert start < end
        assert start.astimezone(zone).date() == (end - MINUTE).astimezone(zone).date()
        assert calendar.is_open(start)
    assert all(earlier[1] <= later[0] for earlier, later in itertools.pairwise(spans))
    if spans:
        total = sum((end - start for start, end in spans), timedelta())
        assert calendar.between(spans[0][0], spans[-1][1]) == total // MINUTE
