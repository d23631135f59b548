from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.sla.calendar import (
    BusinessCalendar,
    CalendarError,
    CalendarNeverOpensError,
    CalendarSpec,
    parse_spans,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=STOCKHOLM)


def stockholm_office(**extra) -> BusinessCalendar:
    """The default desk calendar: 08:00-17:00 Monday to Friday, Swedish holidays, eves closed."""
    extra.setdefault("holiday_country", "SE")
    extra.setdefault("closed_eves", True)
    return BusinessCalendar(CalendarSpec.office("office", "Europe/Stockholm", **extra))


def every_day(hours: str, timezone: str = "Europe/Stockholm") -> BusinessCalendar:
    return BusinessCalendar(CalendarSpec.office("daily", timezone, hours=hours, weekdays=range(7)))


def hours_on(calendar: BusinessCalendar, day: date) -> float:
    return sum((end - start for start, end in calendar.spans_on(day)), timedelta()) / timedelta(hours=1)


# -- the scenarios of the issue ----------


def test_friday_afternoon_hour_runs_into_monday_morning():
    due = stockholm_office().add(local(2026, 11, 20, 16, 30), 60)
    assert due == local(2026, 11, 23, 8, 30)


def test_results_are_aware_utc():
    due = stockholm_office().add(local(2026, 11, 20, 16, 30), 60)
    assert due.tzinfo is UTC
    assert due == datetime(2026, 11, 23, 7, 30, tzinfo=UTC)


def test_using_up_time_exactly_at_closing_is_due_at_closing_not_next_morning():
    assert stockholm_office().add(local(2026, 11, 20, 16, 0), 60) == local(2026, 11, 20, 17, 0)


def test_created_on_midsummer_eve_starts_on_the_next_working_day():
    calendar = stockholm_office()
    created = local(2026, 6, 19, 10, 0)  # Friday, midsommarafton
    assert not calendar.is_open(created)
    assert calendar.next_open(created) == local(2026, 6, 22, 8, 0)
    assert calendar.add(created, 90) == local(2026, 6, 22, 9, 30)


def test_the_holidays_package_leaves_midsummer_eve_open_unless_eves_are_closed():
    calendar = stockholm_office(closed_eves=False)
    assert calendar.is_open(local(2026, 6, 19, 10, 0))
    assert not calendar.is_open(local(2026, 6, 20, 10, 0))  # Midsummer Day is a public holiday, a Saturday anyway


def test_christmas_and_new_year_eves_are_closed():
    calendar = stockholm_office()
    # Wednesday 23 December 16:00 + 2h: 1h that day, then Thu 24 (eve), Fri 25, Sat 26, Sun 27 closed.
    assert calendar.add(local(2026, 12, 23, 16, 0), 120) == local(2026, 12, 28, 9, 0)
    # Wednesday 30 December 16:00 + 2h: Thu 31 (eve) and Fri 1 January closed.
    assert calendar.add(local(2026, 12, 30, 16, 0), 120) == local(2027, 1, 4, 9, 0)


def test_created_on_saturday_starts_monday_at_opening():
    calendar = stockholm_office()
    assert calendar.next_open(local(2026, 11, 21, 11, 0)) == local(2026, 11, 23, 8, 0)
    assert calendar.add(local(2026, 11, 21, 11, 0), 30) == local(2026, 11, 23, 8, 30)


def test_created_before_opening_starts_at_opening():
    assert stockholm_office().add(local(2026, 11, 24, 6, 15), 45) == local(2026, 11, 24, 8, 45)


def test_zero_minutes_while_open_is_now():
    at = local(2026, 11, 24, 10, 7)
    assert stockholm_office().add(at, 0) == at


def test_seconds_are_kept_and_between_rounds_down_to_whole_minutes():
    calendar = stockholm_office()
    start = local(2026, 11, 23, 16, 45, 37)
    assert calendar.add(start, 30) == local(2026, 11, 24, 8, 15, 37)
    assert calendar.between(start, local(2026, 11, 24, 8, 15, 36)) == 29
    assert calendar.between(start, local(2026, 11, 24, 8, 15, 37)) == 30


def test_between_counts_working_minutes_only():
    calendar = stockholm_office()
    assert calendar.between(local(2026, 11, 20, 16, 30), local(2026, 11, 23, 8, 30)) == 60
    assert calendar.between(local(2026, 11, 23, 8, 0), local(2026, 11, 30, 8, 0)) == 5 * 9 * 60
    assert calendar.between(local(2026, 11, 23, 12, 0), local(2026, 11, 23, 9, 0)) == 0


def test_a_year_of_swedish_office_hours():
    calendar = stockholm_office()
    # 2026 has 261 weekdays; 7 public holidays (1 and 6 January, Good Friday, Easter Monday, 1 May, Ascension,
    # Christmas Day) and the 3 eves fall on them.
    assert calendar.between(local(2026, 1, 1), local(2027, 1, 1)) == (261 - 10) * 9 * 60


def test_long_targets_round_trip():
    calendar = stockholm_office()
    start = local(2026, 3, 2, 10, 17)
    for minutes in (60, 480, 2400, 24_000, 240_000):
        assert calendar.between(start, calendar.add(start, minutes)) == minutes


# -- daylight saving time ----------


@pytest.mark.parametrize("day", [date(2026, 3, 29), date(2026, 10, 25)])
def test_office_day_is_nine_hours_on_switch_days(day):
    calendar = every_day("08:00-17:00")
    assert hours_on(calendar, day) == 9
    start, end = calendar.spans_on(day)[0]
    assert start.astimezone(STOCKHOLM).time() == time(8, 0)
    assert end.astimezone(STOCKHOLM).time() == time(17, 0)


def test_saturday_afternoon_into_the_spring_switch_sunday():
    calendar = every_day("08:00-17:00")
    assert calendar.add(local(2026, 3, 28, 16, 0), 120) == local(2026, 3, 29, 9, 0)


@pytest.mark.parametrize(("day", "hours"), [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25)])
def test_a_whole_sunday_is_23_or_25_working_hours(day, hours):
    calendar = every_day("00:00-24:00")
    assert hours_on(calendar, day) == hours
    midnight = datetime(day.year, day.month, day.day, tzinfo=STOCKHOLM)
    assert calendar.between(midnight, midnight + timedelta(days=1)) == hours * 60


def test_24x7_across_the_spring_switch_is_25_wall_clock_hours():
    calendar = BusinessCalendar(CalendarSpec.always(timezone="Europe/Stockholm"))
    assert calendar.add(local(2026, 3, 28, 12, 0), 24 * 60) == local(2026, 3, 29, 13, 0)


def test_24x7_across_the_autumn_switch_is_23_wall_clock_hours():
    calendar = BusinessCalendar(CalendarSpec.always(timezone="Europe/Stockholm"))
    assert calendar.add(local(2026, 10, 24, 12, 0), 24 * 60) == local(2026, 10, 25, 11, 0)
    assert hours_on(calendar, date(2026, 10, 25)) == 25


def test_24x7_in_utc_ignores_holidays_and_weekends():
    calendar = BusinessCalendar(CalendarSpec.always())
    start = datetime(2026, 12, 24, 22, 0, tzinfo=UTC)
    assert calendar.add(start, 3 * 24 * 60) == datetime(2026, 12, 27, 22, 0, tzinfo=UTC)
    assert calendar.is_open(start)


def test_span_starting_in_the_skipped_hour_starts_at_the_jump():
    calendar = every_day("02:30-04:00")
    (start, end), *rest = calendar.spans_on(date(2026, 3, 29))
    assert rest == []
    assert start == local(2026, 3, 29, 3, 0)
    assert end == local(2026, 3, 29, 4, 0)


def test_span_wholly_in_the_skipped_hour_has_no_working_time():
    calendar = every_day("02:00-02:30, 09:00-10:00")
    assert hours_on(calendar, date(2026, 3, 29)) == 1
    assert calendar.next_open(local(2026, 3, 29, 1, 0)) == local(2026, 3, 29, 9, 0)


def test_span_over_the_repeated_hour_counts_both_passes():
    calendar = every_day("02:30-03:30")
    assert hours_on(calendar, date(2026, 10, 25)) == 1.5
    first, second = calendar.spans_on(date(2026, 10, 25))
    assert first == (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 0, tzinfo=UTC))
    assert second == (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), datetime(2026, 10, 25, 2, 30, tzinfo=UTC))


def test_new_york_switches_on_its_own_dates():
    calendar = every_day("00:00-24:00", timezone="America/New_York")
    assert hours_on(calendar, date(2026, 3, 8)) == 23
    assert hours_on(calendar, date(2026, 3, 29)) == 24
    assert hours_on(calendar, date(2026, 11, 1)) == 25


# -- shapes of calendars ----------


def test_two_spans_a_day_skip_lunch():
    calendar = BusinessCalendar(CalendarSpec.office("lunch", "Europe/Stockholm", hours="08:00-12:00, 13:00-17:00"))
    assert calendar.add(local(2026, 11, 23, 11, 30), 60) == local(2026, 11, 23, 13, 30)
    assert not calendar.is_open(local(2026, 11, 23, 12, 30))
    assert calendar.next_open(local(2026, 11, 23, 12, 30)) == local(2026, 11, 23, 13, 0)
    assert calendar.between(local(2026, 11, 23, 0, 0), local(2026, 11, 24, 0, 0)) == 8 * 60


def test_extra_open_saturday():
    calendar = stockholm_office(open_dates={date(2026, 11, 21): parse_spans("10:00-14:00")})
    assert calendar.add(local(2026, 11, 20, 16, 30), 60) == local(2026, 11, 21, 10, 30)
    assert calendar.add(local(2026, 11, 20, 16, 30), 5 * 60) == local(2026, 11, 23, 8, 30)


def test_extra_open_date_wins_over_an_eve():
    calendar = stockholm_office(open_dates={date(2026, 12, 24): parse_spans("09:00-12:00")})
    assert calendar.add(local(2026, 12, 23, 16, 30), 60) == local(2026, 12, 24, 9, 30)


def test_closed_date():
    calendar = stockholm_office(closed_dates=frozenset({date(2026, 11, 23)}))
    assert calendar.add(local(2026, 11, 20, 16, 30), 60) == local(2026, 11, 24, 8, 30)
    assert calendar.between(local(2026, 11, 16), local(2026, 11, 30)) == 9 * 9 * 60


def test_regional_holidays_follow_the_subdivision():
    bavaria = BusinessCalendar(
        CalendarSpec.office("munich", "Europe/Berlin", holiday_country="DE", holiday_subdivision="BY")
    )
    berlin = BusinessCalendar(CalendarSpec.office("berlin", "Europe/Berlin", holiday_country="DE"))
    epiphany = datetime(2026, 1, 6, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert not bavaria.is_open(epiphany)
    assert berlin.is_open(epiphany)


# -- refusals ----------


def test_spans_may_not_cross_midnight():
    with pytest.raises(CalendarError, match="cross midnight"):
        CalendarSpec.office("night", "Europe/Stockholm", hours="22:00-06:00")


def test_night_shift_is_written_as_two_spans():
    calendar = BusinessCalendar(
        CalendarSpec(
            name="night",
            timezone="Europe/Stockholm",
            weekly={0: parse_spans("22:00-24:00"), 1: parse_spans("00:00-06:00")},
        )
    )
    assert calendar.between(local(2026, 11, 23, 20, 0), local(2026, 11, 24, 12, 0)) == 8 * 60
    assert calendar.add(local(2026, 11, 23, 23, 0), 120) == local(2026, 11, 24, 1, 0)


@pytest.mark.parametrize(
    ("hours", "message"),
    [("08:00-12:00, 11:00-17:00", "overlap"), ("8-17", "HH:MM-HH:MM"), ("25:00-26:00", "cannot read")],
)
def test_bad_opening_hours_are_refused(hours, message):
    with pytest.raises(CalendarError, match=message):
        parse_spans(hours)


def test_touching_spans_join():
    assert parse_spans("08:00-12:00, 12:00-17:00") == ((time(8), time(17)),)


def test_unknown_time_zone_and_country_are_refused():
    with pytest.raises(CalendarError, match="time zone"):
        CalendarSpec.office("x", "Europe/Atlantis")
    with pytest.raises(CalendarError):
        CalendarSpec.office("x", "Europe/Stockholm", holiday_country="XX")


def test_a_calendar_that_never_opens_is_refused():
    with pytest.raises(CalendarNeverOpensError):
        CalendarSpec(name="never", timezone="UTC")


def test_a_calendar_that_stops_opening_says_so():
    calendar = BusinessCalendar(
        CalendarSpec(name="once", timezone="UTC", open_dates={date(2026, 1, 5): parse_spans("09:00-10:00")})
    )
    assert calendar.add(datetime(2026, 1, 1, tzinfo=UTC), 30) == datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    with pytest.raises(CalendarNeverOpensError):
        calendar.add(datetime(2026, 1, 1, tzinfo=UTC), 120)


def test_dates_both_open_and_closed_are_refused():
    with pytest.raises(CalendarError, match="both open and closed"):
        CalendarSpec.office(
            "x",
            "UTC",
            closed_dates=frozenset({date(2026, 1, 5)}),
            open_dates={date(2026, 1, 5): parse_spans("09:00-10:00")},
        )


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        stockholm_office().add(datetime(2026, 11, 20, 16, 30), 60)


def test_specs_are_hashable_and_compare_by_value():
    assert CalendarSpec.office("a", "UTC") == CalendarSpec.office("a", "UTC")
    assert hash(CalendarSpec.office("a", "UTC")) == hash(CalendarSpec.office("a", "UTC"))


def test_swedish_sundays_are_not_holidays_but_easter_sunday_is():
    calendar = BusinessCalendar(
        CalendarSpec.office("weekend", "Europe/Stockholm", weekdays=range(7), holiday_country="SE")
    )
    assert calendar.is_open(local(2026, 11, 22, 10, 0))
    assert not calendar.is_open(local(2026, 4, 5, 10, 0))
