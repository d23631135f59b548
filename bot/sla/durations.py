"""Working-time durations as people write them in configuration: `30m`, `4h`, `2h30m`, `1h 15m`."""

from __future__ import annotations

import re

_DURATION = re.compile(r"^(?:(?P<hours>\d+)\s*h)?\s*(?:(?P<minutes>\d+)\s*m)?$", re.IGNORECASE)

ACCEPTED_FORMS = "hours and/or minutes of working time such as 30m, 4h, 2h30m or 1h 15m"


def parse_duration(text: str) -> int:
    """Return the number of minutes in `text`; raise ValueError naming the accepted forms otherwise."""
    cleaned = text.strip() if isinstance(text, str) else ""
    match = _DURATION.match(cleaned)
    if not cleaned or match is None or (match["hours"] is None and match["minutes"] is None):
        raise ValueError(f"cannot read duration {text!r}: expected {ACCEPTED_FORMS}")
    hours = int(match["hours"] or 0)
    minutes = int(match["minutes"] or 0)
    return hours * 60 + minutes


def format_duration(minutes: int) -> str:
    """The shortest form `parse_duration` reads back: 90 -> '1h 30m', 240 -> '4h', 0 -> '0m'."""
    if minutes < 0:
        raise ValueError(f"a duration cannot be negative, got {minutes} minutes")
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours}h {rest}m"
    if hours:
        return f"{hours}h"
    return f"{rest}m"
