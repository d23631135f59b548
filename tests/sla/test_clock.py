from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.sla.calendar import BusinessCalendar, CalendarSpec
from bot.sla.clock import ClockFacts, ClockStatus, due_at, elapsed, next_check_at, status, warn_at

STOCKHOLM = ZoneInfo("Europe/Stockholm")
OFFICE = BusinessCalendar(CalendarSpec.office("office", "Europe/Stockholm", holiday_country="SE", closed_eves=True))


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=STOCKHOLM)


MONDAY_8 = local(2026, 11, 23, 8, 0)


def test_unpaused_clock_is_due_after_the_target_in_working_time():
    facts = ClockFacts(started_at=local(2026, 11, 20, 16, 30), target_minutes=60)
    assert due_at(OFFICE, facts) == local(2026, 11, 23, 8, 30)


def test_pause_of_two_working_hours_moves_due_by_two_working_hours():
    unpaused = ClockFacts(started_at=MONDAY_8, target_minutes=4 * 60)
    paused = ClockFacts(
        started_at=MONDAY_8, target_minutes=4 * 60, pauses=[(local(2026, 11, 23, 9), local(2026, 11, 23, 11))]
    )
    assert due_at(OFFICE, unpaused) == local(2026, 11, 23, 12, 0)
    assert due_at(OFFICE, paused) == local(2026, 11, 23, 14, 0)


def test_pause_over_the_night_counts_only_its_working_hours():
    # A 9h target started Monday 08:00 would be due Monday 17:00. Waiting on the requester from 16:00 Monday
    # to 09:00 Tuesday takes two working hours (16-17 and 08-09) out: due Tuesday 10:00.
    facts = ClockFacts(
        started_at=MONDAY_8, target_minutes=9 * 60, pauses=[(local(2026, 11, 23, 16), local(2026, 11, 24, 9))]
    )
    assert due_at(OFFICE, facts) == local(2026, 11, 24, 10, 0)


def test_overlapping_pauses_are_not_counted_twice():
    facts = ClockFacts(
        started_at=MONDAY_8,
        target_minutes=4 * 60,
        pauses=[
            (local(2026, 11, 23, 9), local(2026, 11, 23, 10)),
            (local(2026, 11, 23, 9, 30), local(2026, 11, 23, 11)),
        ],
    )
    assert due_at(OFFICE, facts) == local(2026, 11, 23, 14, 0)


def test_pause_before_the_start_is_ignored():
    facts = ClockFacts(
        started_at=MONDAY_8, target_minutes=60, pauses=[(local(2026, 11, 20, 9), local(2026, 11, 23, 8))]
    )
    assert due_at(OFFICE, facts) == local(2026, 11, 23, 9, 0)


def test_open_pause_holds_the_due_time_back_until_resumed():
    pause_start = local(2026, 11, 23, 9)
    facts = ClockFacts(started_at=MONDAY_8, target_minutes=4 * 60, pauses=[(pause_start, None)])
    assert due_at(OFFICE, facts) is None
    assert status(OFFICE, facts, local(2026, 11, 25, 12)) is ClockStatus.PAUSED
    assert next_check_at(OFFICE, facts, warned=False, breached=False) is None
    resumed = ClockFacts(started_at=MONDAY_8, target_minutes=4 * 60, pauses=[(pause_start, local(2026, 11, 24, 13, 0))])
    assert due_at(OFFICE, resumed) == local(2026, 11, 24, 16, 0)


def test_clock_that_ran_out_before_its_pause_stays_breached():
    facts = ClockFacts(started_at=MONDAY_8, target_minutes=60, pauses=[(local(2026, 11, 23, 10), None)])
    assert due_at(OFFICE, facts) == local(2026, 11, 23, 9, 0)
    assert status(OFFICE, facts, local(2026, 11, 23, 11)) is ClockStatus.BREACHED
    # The sweeper missed it: the due time is in the past and still to be acted on.
    assert next_check_at(OFFICE, facts, warned=True, breached=False) == local(2026, 11, 23, 9, 0)


def test_warning_comes_at_three_quarters_of_the_target_by_default():
    facts = ClockFacts(started_at=MONDAY_8, target_minutes=4 * 60)
    assert warn_at(OFFICE, facts) == local(2026, 11, 23, 11, 0)
    assert warn_at(OFFICE, facts, share=0.5) == local(2026, 11, 23, 10, 0)


def test_warning_share_is_taken_to_the_second():
    facts = ClockFacts(started_at=MONDAY_8, target_minutes=30)
    assert warn_at(OFFICE, facts) == local(2026, 11, 23, 8, 22, 30)


@pytest.mark.parametrize("share", [0, -0.5, 1.5])
def test_warning_share_must_be_a_share(share):
    with pytest.raises(ValueError, match="share"):
        warn_at(OFFICE, ClockFacts(started_at=MONDAY_8, target_minutes=60), share=share)


def test_status_runs_from_on_track_to_at_risk_to_breached():
    facts = ClockFacts(started_at=MONDAY_8, target_minutes=4 * 60)
    assert status(OFFICE, facts, local(2026, 11, 23, 10, 59)) is ClockStatus.ON_TRACK
    assert status(OFFICE, facts, local(2026, 11, 23, 11, 0)) is ClockStatus.AT_RISK
    assert status(OFFICE, facts, local(2026, 11, 23, 12, 0)) is ClockStatus.BREACHED


def test_stopped_clock_has_met_or_missed_its_target():
    met = ClockFacts(started_at=MONDAY_8, target_minutes=60, stopped_at=local(2026, 11, 23, 9, 0))
    missed = ClockFacts(started_at=MONDAY_8, target_minutes=60, stopped_at=local(2026, 11, 23, 9, 1))
    later = local(2026, 12, 1, 12)
    assert status(OFFICE, met, later) is ClockStatus.MET
    assert status(OFFICE, missed, later) is ClockStatus.BREACHED
    assert next_check_at(OFFICE, met, warned=False, breached=False) is None


def test_stopped_after_hours_past_the_due_time_is_breached():
    # Due Friday 17:00; answered at 17:30 when the desk is closed: later than promised.
    facts = ClockFacts(started_at=local(2026, 11, 20, 16, 0), target_minutes=60, stopped_at=local(2026, 11, 20, 17, 30))
    assert status(OFFICE, facts, local(2026, 11, 23, 9)) is ClockStatus.BREACHED


def test_resolved_while_waiting_on_the_requester_has_met_its_target():
    facts = ClockFacts(
        started_at=MONDAY_8,
        target_minutes=60,
        pauses=[(local(2026, 11, 23, 8, 30), None)],
        stopped_at=local(2026, 11, 30, 8, 0),
    )
    assert status(OFFICE, facts, local(2026, 11, 30, 9)) is ClockStatus.MET


def test_elapsed_leaves_out_closed_and_paused_time():
    facts = ClockFacts(
        started_at=local(2026, 11, 20, 16, 0),
        target_minutes=8 * 60,
        pauses=[(local(2026, 11, 23, 9), local(2026, 11, 23, 10))],
    )
    assert elapsed(OFFICE, facts, local(2026, 11, 23, 11, 0)) == 3 * 60
    stopped = ClockFacts(started_at=MONDAY_8, target_minutes=60, stopped_at=local(2026, 11, 23, 8, 45))
    assert elapsed(OFFICE, stopped, local(2026, 11, 24, 12)) == 45


def test_next_check_is_the_warning_then_the_due_time_then_nothing():
    facts = ClockFacts(started_at=MONDAY_8, target_minutes=4 * 60)
    assert next_check_at(OFFICE, facts, warned=False, breached=False) == local(2026, 11, 23, 11, 0)
    assert next_check_at(OFFICE, facts, warned=True, breached=False) == local(2026, 11, 23, 12, 0)
    assert next_check_at(OFFICE, facts, warned=True, breached=True) is None


def test_results_are_utc():
    facts = ClockFacts(started_at=MONDAY_8, target_minutes=60)
    due = due_at(OFFICE, facts)
    assert due is not None
    assert due.tzinfo is UTC


def test_facts_refuse_naive_times_and_backwards_pauses():
    with pytest.raises(ValueError, match="aware"):
        ClockFacts(started_at=datetime(2026, 11, 23, 8), target_minutes=60)
    with pytest.raises(ValueError, match="before it starts"):
        ClockFacts(started_at=MONDAY_8, target_minutes=60, pauses=[(local(2026, 11, 23, 10), local(2026, 11, 23, 9))])
    with pytest.raises(ValueError, match="negative"):
        ClockFacts(started_at=MONDAY_8, target_minutes=-1)
