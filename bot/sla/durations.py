"""Working-time durations as people write them in app.yaml: 30m, 4h, 2h30m."""

from __future__ import annotations

import re

_DURATION = re.compile(r"^\s*(?:(?P<h>\d+)\s*h)?\s*(?:(?P<m>\d+)\s*m)?\s*$")


def parse_duration(text: str) -> int:
    """Minutes of working time in `text`; raises ValueError saying what is accepted."""
    match = _DURATION.match(text) if isinstance(text, str) else None
    if not match or not (match.group("h") or match.group("m")):
        raise ValueError(f"'{text}' is not a duration; write hours and minutes like 30m, 4h or 2h30m")
    minutes = int(match.group("h") or 0) * 60 + int(match.group("m") or 0)
    if minutes <= 0:
        raise ValueError(f"'{text}' is zero; a target must be at least 1m")
    return minutes


def format_duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours}h{rest}m"
    return f"{hours}h" if hours else f"{rest}m"
