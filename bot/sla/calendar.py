"""Business calendars: when a team is at work, and how much working time lies between two instants.

Every instant that goes in or comes out is an aware datetime; results are in UTC.

What "open" means, also across daylight-saving changes: the desk is open at an instant when the local wall
clock at that instant shows a time inside one of the spans of that local date. From this one rule:
- a span of 08:00-17:00 is 9 working hours on every day, including the two switch days;
- a span boundary inside the skipped hour (02:00-03:00 in Stockholm on the last Sunday of March) is a time
  the clock never shows, so the span starts or ends at the jump (03:00 CEST); a span lying wholly inside the
  skipped hour has no working time that day;
- a span overlapping the repeated hour (02:00-03:00 on the last Sunday of October) counts both passes of the
  hour: 00:00-24:00 is 25 working hours that day, 02:30-03:30 is 1h30m (02:30-03:00 CEST, then 02:30-03:30
  CET).
Spans never cross midnight; an end of 00:00 (or "24:00" in `parse_spans`) means the end of the day. A night
shift is written as 22:00-24:00 on one day and 00:00-06:00 on the next.

Arithmetic is by whole days and weeks: the working time of an ordinary week is known up front, and the
dates that differ from their weekday (holidays, eves, closed and extra open dates, daylight-saving days) are
kept per year as exceptions with prefix sums. Adding working time walks only the first and the last day span
by span. Offset changes are found by a day-by-day scan of each year (then to the second), so two changes
within one day that cancel out would go unseen; and the local date is assumed never to run backwards. The tz
database has neither for the years a desk cares about.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

Span = tuple[time, time]
Interval = tuple[datetime, datetime]

MIDNIGHT = time(0)
_DAY = timedelta(days=1)
_SECOND = timedelta(seconds=1)
_MICROSECOND = timedelta(microseconds=1)
_ZERO = timedelta(0)
_FULL_DAY: tuple[Span, ...] = ((MIDNIGHT, MIDNIGHT),)
# Any local date's instants lie within [00:00 - 14h, 24:00 + 12h] read as UTC (offsets run from -12h to +14h).
_EARLIEST_OFFSET = timedelta(hours=14)
_LATEST_OFFSET = timedelta(hours=12)


class CalendarError(ValueError):
    """A calendar specification that cannot be used."""


class CalendarNeverOpensError(CalendarError):
    """No working time within the search horizon: the answer would be "never"."""


def _minute_of_day(at: time) -> int:
    return at.hour * 60 + at.minute


def _span_end_minute(end: time) -> int:
    return 24 * 60 if end == MIDNIGHT else _minute_of_day(end)


def _span_seconds(span: Span) -> int:
    return (_span_end_minute(span[1]) - _minute_of_day(span[0])) * 60


def normalise_spans(spans: Iterable[Span], where: str = "spans") -> tuple[Span, ...]:
    """Sorted, validated spans with touching spans joined. An end of 00:00 means midnight at the day's end."""
    checked: list[Span] = []
    for span in spans:
        start, end = span
        for part in (start, end):
            if not isinstance(part, time) or part.tzinfo is not None:
                raise CalendarError(f"{where}: span times must be naive datetime.time values, got {part!r}")
            if part.second or part.microsecond:
                raise CalendarError(f"{where}: span times must be whole minutes, got {part.isoformat()}")
        if _span_end_minute(end) <= _minute_of_day(start):
            raise CalendarError(
                f"{where}: span {start:%H:%M}-{end:%H:%M} ends before it starts; spans may not cross "
                "midnight, split it into one span until 24:00 and one from 00:00 the next day"
            )
        checked.append((start, end))
    checked.sort(key=lambda span: _minute_of_day(span[0]))
    joined: list[Span] = []
    for start, end in checked:
        if joined and _minute_of_day(start) < _span_end_minute(joined[-1][1]):
            raise CalendarError(f"{where}: spans overlap at {start:%H:%M}")
        if joined and _minute_of_day(start) == _span_end_minute(joined[-1][1]):
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return tuple(joined)


_SPAN_TEXT = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_spans(text: str) -> tuple[Span, ...]:
    """Read opening hours like "08:00-12:00, 13:00-17:00"; "24:00" ends a span at midnight; "" is closed."""
    spans: list[Span] = []
    for part in text.split(","):
        if not part.strip():
            continue
        match = _SPAN_TEXT.match(part)
        if match is None:
            raise CalendarError(f"cannot read opening hours {part.strip()!r}: expected HH:MM-HH:MM, e.g. 08:00-17:00")
        start_h, start_m, end_h, end_m = (int(group) for group in match.groups())
        if (end_h, end_m) == (24, 0):
            end_h = 0
        try:
            spans.append((time(start_h, start_m), time(end_h, end_m)))
        except ValueError as error:
            raise CalendarError(f"cannot read opening hours {part.strip()!r}: {error}") from None
    return normalise_spans(spans, where=text)


def _holiday_options(country: str) -> dict[str, Any]:
    # Older releases of `holidays` counted every Sunday as a Swedish holiday; a desk open on Sundays must not
    # lose them, so ask for the public holidays proper whatever the release's default.
    return {"include_sundays": False} if country.upper() in {"SE", "SWE"} else {}


def nordic_eves(year: int) -> frozenset[date]:
    """Midsummer Eve (the Friday from 19 to 25 June), Christmas Eve and New Year's Eve: closed in practice in
    Sweden although not public holidays, so `holidays.Sweden()` leaves them out."""
    midsummer_eve = next(date(year, 6, day) for day in range(19, 26) if date(year, 6, day).weekday() == 4)
    return frozenset({midsummer_eve, date(year, 12, 24), date(year, 12, 31)})


@dataclass(frozen=True)
class CalendarSpec:
    """When a team works. `weekly` maps Monday=0 .. Sunday=6 to that day's spans; missing days are closed.
    Extra open dates win over holidays, eves and the weekly hours; closed dates win over the weekly hours.
    `always_open` ignores everything else: open every instant."""

    name: str
    timezone: str
    weekly: Mapping[int, tuple[Span, ...]] = field(default_factory=dict)
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    closed_eves: bool = False
    closed_dates: frozenset[date] = frozenset()
    open_dates: Mapping[date, tuple[Span, ...]] = field(default_factory=dict)
    always_open: bool = False

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise CalendarError(f"calendar {self.name!r}: unknown time zone {self.timezone!r}") from None
        weekly: dict[int, tuple[Span, ...]] = {}
        for weekday, spans in self.weekly.items():
            if weekday not in range(7):
                raise CalendarError(f"calendar {self.name!r}: weekday must be 0 (Monday) .. 6, got {weekday!r}")
            weekly[weekday] = normalise_spans(spans, where=f"calendar {self.name!r} weekday {weekday}")
        open_dates = {
            day: normalise_spans(spans, where=f"calendar {self.name!r} open date {day}")
            for day, spans in self.open_dates.items()
        }
        both = set(open_dates) & set(self.closed_dates)
        if both:
            raise CalendarError(f"calendar {self.name!r}: dates both open and closed: {sorted(both)}")
        if self.holiday_subdivision and not self.holiday_country:
            raise CalendarError(f"calendar {self.name!r}: a holiday subdivision needs a holiday country")
        if self.holiday_country:
            try:
                holidays.country_holidays(
                    self.holiday_country,
                    subdiv=self.holiday_subdivision,
                    **_holiday_options(self.holiday_country),
                )
            except NotImplementedError as error:
                raise CalendarError(f"calendar {self.name!r}: {error}") from None
        if not self.always_open and not any(weekly.values()) and not any(open_dates.values()):
            raise CalendarNeverOpensError(f"calendar {self.name!r} has no opening hours at all")
        object.__setattr__(self, "weekly", MappingProxyType(weekly))
        object.__setattr__(self, "open_dates", MappingProxyType(open_dates))
        object.__setattr__(self, "closed_dates", frozenset(self.closed_dates))

    def __hash__(self) -> int:
        return hash(
            (
                self.name,
                self.timezone,
                tuple(sorted(self.weekly.items())),
                self.holiday_country,
                self.holiday_subdivision,
                self.closed_eves,
                self.closed_dates,
                tuple(sorted(self.open_dates.items())),
                self.always_open,
            )
        )

    @classmethod
    def always(cls, name: str = "24x7", timezone: str = "UTC") -> CalendarSpec:
        return cls(name=name, timezone=timezone, weekly=dict.fromkeys(range(7), _FULL_DAY), always_open=True)

    @classmethod
    def office(
        cls,
        name: str,
        timezone: str,
        hours: str = "08:00-17:00",
        weekdays: Iterable[int] = range(5),
        **extra: Any,
    ) -> CalendarSpec:
        """The same opening hours on each of `weekdays` (Monday to Friday unless told)."""
        spans = parse_spans(hours)
        return cls(name=name, timezone=timezone, weekly=dict.fromkeys(weekdays, spans), **extra)


def _as_utc(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"business time needs aware datetimes, got naive {at!r}")
    return at.astimezone(UTC)


@dataclass(frozen=True)
class _YearExceptions:
    """Dates of one year whose working time differs from their weekday's, with running sums."""

    ordinals: tuple[int, ...]
    running: tuple[int, ...]  # running[i] = sum of the first i deltas (seconds)


class BusinessCalendar:
    """Working-time arithmetic over a `CalendarSpec`. Caches per date and per year; safe to share."""

    HORIZON_DAYS = 366 * 20

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self._tz = ZoneInfo(spec.timezone)
        self._weekly: tuple[tuple[Span, ...], ...] = tuple(spec.weekly.get(day, ()) for day in range(7))
        if spec.always_open:
            self._weekly = (_FULL_DAY,) * 7
        self._nominal = tuple(sum(_span_seconds(span) for span in spans) for spans in self._weekly)
        self._week_seconds = sum(self._nominal)
        # _cycle[weekday][n]: nominal seconds of the n days starting on weekday (n < 7).
        self._cycle = tuple(
            tuple(sum(self._nominal[(weekday + i) % 7] for i in range(n)) for n in range(7)) for weekday in range(7)
        )
        self._days: dict[date, tuple[Interval, ...]] = {}
        self._holidays: dict[int, frozenset[date]] = {}
        self._transitions: dict[int, tuple[datetime, ...]] = {}
        self._exceptions: dict[int, _YearExceptions] = {}

    # -- public API ----------------------------------------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        at = _as_utc(at)
        return any(start <= at < end for start, end in self._intervals(self._local_date(at)))

    def next_open(self, at: datetime) -> datetime:
        """`at` itself when open, else the next opening."""
        return self.add_work(at, _ZERO)

    def add(self, start: datetime, minutes: int) -> datetime:
        """The instant at which `minutes` of working time have elapsed after `start` (for 0: `next_open`)."""
        if minutes < 0:
            raise ValueError(f"cannot add negative working time ({minutes} minutes)")
        return self.add_work(start, timedelta(minutes=minutes))

    def between(self, a: datetime, b: datetime) -> int:
        """Whole working minutes in [a, b); 0 when b is not after a."""
        return self.work_between(a, b) // timedelta(minutes=1)

    def spans_on(self, day: date) -> list[Interval]:
        """The open intervals of a local date, as aware UTC datetimes, in order."""
        return list(self._intervals(day))

    def add_work(self, start: datetime, work: timedelta) -> datetime:
        """Like `add`, to the microsecond: the earliest instant with `work` of working time since `start`."""
        start = _as_utc(start)
        if work < _ZERO:
            raise ValueError(f"cannot add negative working time ({work})")
        if self.spec.always_open:
            return start + work
        remaining = work
        day = self._local_date(start)
        for span_start, span_end in self._intervals(day):
            if span_end <= start:
                continue
            begin = max(span_start, start)
            if remaining <= span_end - begin:
                return begin + remaining
            remaining -= span_end - begin
        day += _DAY
        skipped = self._days_to_skip(day, remaining)
        remaining -= timedelta(seconds=self._work_days(day, day + timedelta(days=skipped)))
        day += timedelta(days=skipped)
        for _ in range(self.HORIZON_DAYS):
            for span_start, span_end in self._intervals(day):
                if remaining <= span_end - span_start:
                    return span_start + remaining
                remaining -= span_end - span_start
            day += _DAY
        raise CalendarNeverOpensError(f"calendar {self.spec.name!r} does not open again within the horizon")

    def work_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time in [a, b), to the microsecond."""
        a, b = _as_utc(a), _as_utc(b)
        if b <= a:
            return _ZERO
        if self.spec.always_open:
            return b - a
        first, last = self._local_date(a), self._local_date(b)
        if first == last:
            return _overlap(self._intervals(first), a, b)
        return (
            _overlap(self._intervals(first), a, None)
            + timedelta(seconds=self._work_days(first + _DAY, last))
            + _overlap(self._intervals(last), None, b)
        )

    # -- one day ----------------------------------------------------------------------------------------

    def _local_date(self, at: datetime) -> date:
        return at.astimezone(self._tz).date()

    def _local_spans(self, day: date) -> tuple[Span, ...]:
        spec = self.spec
        if spec.always_open:
            return _FULL_DAY
        if day in spec.open_dates:
            return spec.open_dates[day]
        if day in spec.closed_dates or day in self._holiday_dates(day.year):
            return ()
        if spec.closed_eves and day in nordic_eves(day.year):
            return ()
        return self._weekly[day.weekday()]

    def _intervals(self, day: date) -> tuple[Interval, ...]:
        cached = self._days.get(day)
        if cached is not None:
            return cached
        spans = self._local_spans(day)
        result: tuple[Interval, ...] = ()
        if spans:
            result = self._wall_spans_to_utc(day, spans)
        self._days[day] = result
        return result

    def _wall_spans_to_utc(self, day: date, spans: tuple[Span, ...]) -> tuple[Interval, ...]:
        # Wall times are handled as if they were UTC: an instant u shows wall time u + offset(u), so the
        # instants showing a wall time in [ws, we) while the offset is o are [ws - o, we - o), cut to where
        # o holds.
        midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
        changes = self._changes_near(day, midnight)
        pieces: list[tuple[datetime | None, datetime | None, timedelta]] = []
        for i in range(len(changes) + 1):
            piece_start = changes[i - 1] if i > 0 else None
            piece_end = changes[i] if i < len(changes) else None
            probe = piece_start or (piece_end - _SECOND if piece_end else midnight)
            pieces.append((piece_start, piece_end, self._offset(probe)))
        found: list[Interval] = []
        for start, end in spans:
            wall_start = midnight + timedelta(minutes=_minute_of_day(start))
            wall_end = midnight + timedelta(minutes=_span_end_minute(end))
            for piece_start, piece_end, offset in pieces:
                lo, hi = wall_start - offset, wall_end - offset
                if piece_start is not None and lo < piece_start:
                    lo = piece_start
                if piece_end is not None and hi > piece_end:
                    hi = piece_end
                if lo < hi:
                    found.append((lo, hi))
        found.sort()
        joined: list[Interval] = []
        for lo, hi in found:
            if joined and lo <= joined[-1][1]:
                joined[-1] = (joined[-1][0], max(hi, joined[-1][1]))
            else:
                joined.append((lo, hi))
        return tuple(joined)

    def _offset(self, at: datetime) -> timedelta:
        offset = at.astimezone(self._tz).utcoffset()
        assert offset is not None  # a ZoneInfo always has one
        return offset

    def _changes_near(self, day: date, midnight: datetime) -> list[datetime]:
        changes = self._year_changes(day.year)
        lo = bisect.bisect_right(changes, midnight - _EARLIEST_OFFSET)
        hi = bisect.bisect_right(changes, midnight + _DAY + _LATEST_OFFSET)
        return list(changes[lo:hi])

    def _year_changes(self, year: int) -> tuple[datetime, ...]:
        """UTC instants where the zone's offset changes, from 30 December before to 2 January after `year`."""
        cached = self._transitions.get(year)
        if cached is not None:
            return cached
        changes: list[datetime] = []
        at = datetime(year - 1, 12, 30, tzinfo=UTC)
        stop = datetime(year + 1, 1, 3, tzinfo=UTC)
        offset = self._offset(at)
        while at < stop:
            following = at + _DAY
            next_offset = self._offset(following)
            if next_offset != offset:
                lo, hi = at, following  # offset(lo) is the old one, offset(hi) the new one
                while hi - lo > _SECOND:
                    mid = lo + (hi - lo) / 2
                    mid = mid.replace(microsecond=0)
                    if self._offset(mid) == offset:
                        lo = mid
                    else:
                        hi = mid
                changes.append(hi)
                offset = next_offset
            at = following
        result = tuple(changes)
        self._transitions[year] = result
        return result

    def _holiday_dates(self, year: int) -> frozenset[date]:
        cached = self._holidays.get(year)
        if cached is not None:
            return cached
        found: frozenset[date] = frozenset()
        if self.spec.holiday_country:
            found = frozenset(
                holidays.country_holidays(
                    self.spec.holiday_country,
                    subdiv=self.spec.holiday_subdivision,
                    years=year,
                    **_holiday_options(self.spec.holiday_country),
                ).keys()
            )
        self._holidays[year] = found
        return found

    # -- whole days -------------------------------------------------------------------------------------

    def _year_exceptions(self, year: int) -> _YearExceptions:
        cached = self._exceptions.get(year)
        if cached is not None:
            return cached
        spec = self.spec
        candidates: set[date] = set(self._holiday_dates(year))
        if spec.closed_eves:
            candidates |= nordic_eves(year)
        candidates |= {day for day in spec.closed_dates if day.year == year}
        candidates |= {day for day in spec.open_dates if day.year == year}
        for change in self._year_changes(year):
            local = self._local_date(change)
            candidates |= {local - _DAY, local, local + _DAY}
        ordinals: list[int] = []
        running = [0]
        for day in sorted(candidates):
            if day.year != year:
                continue
            actual = sum((end - start for start, end in self._intervals(day)), _ZERO) // _SECOND
            delta = actual - self._nominal[day.weekday()]
            if delta:
                ordinals.append(day.toordinal())
                running.append(running[-1] + delta)
        result = _YearExceptions(ordinals=tuple(ordinals), running=tuple(running))
        self._exceptions[year] = result
        return result

    def _work_days(self, first: date, stop: date) -> int:
        """Working seconds of the whole local dates in [first, stop)."""
        count = (stop - first).days
        if count <= 0:
            return 0
        weeks, rest = divmod(count, 7)
        total = weeks * self._week_seconds + self._cycle[first.weekday()][rest]
        lo_ordinal, hi_ordinal = first.toordinal(), stop.toordinal()
        for year in range(first.year, (stop - _DAY).year + 1):
            table = self._year_exceptions(year)
            lo = bisect.bisect_left(table.ordinals, lo_ordinal)
            hi = bisect.bisect_left(table.ordinals, hi_ordinal)
            total += table.running[hi] - table.running[lo]
        return total

    def _days_to_skip(self, first: date, remaining: timedelta) -> int:
        """The most whole days from `first` whose working time stays below `remaining` (for zero: the closed
        days before the next opening), found by galloping and bisection over `_work_days`."""
        need = max(remaining // _MICROSECOND, 1)

        def short(days: int) -> bool:
            return self._work_days(first, first + timedelta(days=days)) * 1_000_000 < need

        lo = 0
        if self._week_seconds:
            guess = 7 * (need // (self._week_seconds * 1_000_000))
            if guess and short(guess):
                lo = guess
        step = 7
        hi = lo + step
        while short(hi):
            lo, step = hi, step * 2
            hi = lo + step
            if hi > self.HORIZON_DAYS:
                raise CalendarNeverOpensError(
                    f"calendar {self.spec.name!r} has too little working time within the horizon"
                )
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if short(mid):
                lo = mid
            else:
                hi = mid
        return lo


def _overlap(intervals: tuple[Interval, ...], lo: datetime | None, hi: datetime | None) -> timedelta:
    total = _ZERO
    for start, end in intervals:
        if lo is not None and start < lo:
            start = lo
        if hi is not None and end > hi:
            end = hi
        if start < end:
            total += end - start
    return total
