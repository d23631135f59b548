import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.sla.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("30m", 30), ("4h", 240), ("2h30m", 150), ("1h 15m", 75), (" 1H15M ", 75), ("0m", 0), ("90m", 90)],
)
def test_reads_hours_and_minutes(text, minutes):
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["", "h", "m", "30", "1d", "1.5h", "-30m", "30m 2h", "2 hours", "1h 15m extra"])
def test_rejects_other_forms_and_says_what_is_accepted(text):
    with pytest.raises(ValueError, match=r"30m, 4h, 2h30m or 1h 15m"):
        parse_duration(text)


@pytest.mark.parametrize(("minutes", "text"), [(0, "0m"), (30, "30m"), (60, "1h"), (150, "2h 30m"), (2400, "40h")])
def test_formats_the_shortest_form(minutes, text):
    assert format_duration(minutes) == text


def test_negative_durations_cannot_be_formatted():
    with pytest.raises(ValueError, match="negative"):
        format_duration(-1)


@given(st.integers(min_value=0, max_value=100_000))
def test_format_reads_back(minutes):
    assert parse_duration(format_duration(minutes)) == minutes
