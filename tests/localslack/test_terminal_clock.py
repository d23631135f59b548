"""`/clock`: the desk's shared clock moves forward, jumps to the next working day, and comes back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import OffsetClock
from bot.config import load_config
from bot.localslack.terminal.clockctl import ClockControl, ClockUsage, parse_shift
from bot.sla.policy import SlaPolicies
from tests.conftest import REPO


@pytest.fixture
def control() -> ClockControl:
    calendar = SlaPolicies(load_config(REPO / "app.yaml", env={})).team_calendar("it")
    return ClockControl(OffsetClock(), calendar.next_open, "Europe/Stockholm")


def test_shifts_move_the_clock_forward(control: ClockControl) -> None:
    assert "(real time)" in control.apply("")
    before = control.clock.now()
    assert "(2h ahead of real time)" in control.apply("+2h")
    assert "(2h 30m ahead of real time)" in control.apply("+30m")
    assert control.clock.now() - before >= timedelta(hours=2, minutes=30)
    assert "(1d 2h 30m ahead of real time)" in control.apply("+1d")
    assert "(real time)" in control.apply("now")
    assert control.clock.offset == timedelta(0)


def test_next_working_day_is_the_next_opening_after_today(control: ClockControl) -> None:
    # From a Friday the next working day in Stockholm is Monday; 08:00 CET is 07:00 UTC.
    friday = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    control.clock.advance(friday - control.clock.now())
    status = control.apply("next-working-day")
    assert control.clock.now().replace(microsecond=0) == datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    assert "Mon 30 Nov 2026 08:00 CET" in status


@pytest.mark.parametrize("bad", ["2h", "+2x", "-1h", "tomorrow"])
def test_unknown_moves_are_refused(bad: str) -> None:
    with pytest.raises(ClockUsage):
        parse_shift(bad)
