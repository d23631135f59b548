"""SLA clocks computed from stored facts: when a clock started, its target, its pauses and when it stopped.

Nothing here keeps time: due and warning instants are recomputed from the facts on demand, so a restart, a
second process or a moved clock all see the same answer.

Pauses: working time inside a pause does not count, so a pause of two working hours moves the due time two
working hours later. A pause whose end is None is still going on; a target that falls after its start has no
due time yet (None) and gets one when the pause is closed. The first-response clock is given no pauses.

The moment the target is used up is the due time. A running clock is breached from its due time on; a clock
stopped at or before its due time has met its target.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.sla.calendar import BusinessCalendar

Pause = tuple[datetime, datetime | None]

DEFAULT_WARN_SHARE = 0.75
_ZERO = timedelta(0)
_MINUTE = timedelta(minutes=1)


class ClockStatus(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    PAUSED = "paused"
    MET = "met"


def _require_aware(at: datetime, what: str) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime, got {at!r}")


def _merge_pauses(pauses: Sequence[Pause], started_at: datetime) -> tuple[Pause, ...]:
    """Sorted, non-overlapping pauses from `started_at` on; an open pause swallows everything after it."""
    ordered = sorted(pauses, key=lambda pause: pause[0])
    merged: list[Pause] = []
    for start, end in ordered:
        _require_aware(start, "a pause start")
        if end is not None:
            _require_aware(end, "a pause end")
            if end < start:
                raise ValueError(f"pause ends ({end.isoformat()}) before it starts ({start.isoformat()})")
            if end <= started_at:
                continue
        start = max(start, started_at)
        if merged:
            last_start, last_end = merged[-1]
            if last_end is None:
                break
            if start <= last_end:
                merged[-1] = (last_start, None if end is None else max(end, last_end))
                continue
        merged.append((start, end))
    return tuple(merged)


@dataclass(frozen=True)
class ClockFacts:
    """What the database stores about one clock."""

    started_at: datetime
    target_minutes: int
    pauses: Sequence[Pause] = ()
    stopped_at: datetime | None = None

    def __post_init__(self) -> None:
        _require_aware(self.started_at, "started_at")
        if self.stopped_at is not None:
            _require_aware(self.stopped_at, "stopped_at")
        if self.target_minutes < 0:
            raise ValueError(f"an SLA target cannot be negative, got {self.target_minutes} minutes")
        object.__setattr__(self, "pauses", _merge_pauses(self.pauses, self.started_at))


def _check_share(share: float) -> None:
    if not 0 < share <= 1:
        raise ValueError(f"the warning share must be above 0 and at most 1, got {share}")


def _instant_after(calendar: BusinessCalendar, facts: ClockFacts, work: timedelta) -> datetime | None:
    """When `work` of unpaused working time has run since the start; None if that falls in an open pause."""
    cursor = facts.started_at
    remaining = work
    for pause_start, pause_end in facts.pauses:
        if pause_start > cursor:
            available = calendar.work_between(cursor, pause_start)
            # With nothing to add, the answer is the first unpaused opening, which may lie after this pause.
            if available > _ZERO and remaining <= available:
                return calendar.add_work(cursor, remaining)
            remaining -= available
        if pause_end is None:
            return None
        cursor = max(cursor, pause_end)
    return calendar.add_work(cursor, remaining)


def due_at(calendar: BusinessCalendar, facts: ClockFacts) -> datetime | None:
    """The instant the target is used up (aware UTC), or None while an open pause holds it back."""
    return _instant_after(calendar, facts, timedelta(minutes=facts.target_minutes))


def warn_at(calendar: BusinessCalendar, facts: ClockFacts, share: float = DEFAULT_WARN_SHARE) -> datetime | None:
    """The instant `share` of the target is used up (to the second); None while an open pause holds it."""
    _check_share(share)
    return _instant_after(calendar, facts, timedelta(seconds=round(facts.target_minutes * 60 * share)))


def elapsed(calendar: BusinessCalendar, facts: ClockFacts, now: datetime) -> int:
    """Whole minutes of the target used up by `now` (or by the stop, if earlier)."""
    _require_aware(now, "now")
    end = now if facts.stopped_at is None else min(now, facts.stopped_at)
    used = calendar.work_between(facts.started_at, end)
    for pause_start, pause_end in facts.pauses:
        if pause_start >= end:
            break
        used -= calendar.work_between(pause_start, end if pause_end is None else min(pause_end, end))
    return max(used, _ZERO) // _MINUTE


def is_paused(facts: ClockFacts, now: datetime) -> bool:
    return any(start <= now and (end is None or now < end) for start, end in facts.pauses)


def status(
    calendar: BusinessCalendar, facts: ClockFacts, now: datetime, share: float = DEFAULT_WARN_SHARE
) -> ClockStatus:
    """What the card shows. Breached wins over paused: a clock that ran out before its pause stays so."""
    _require_aware(now, "now")
    due = due_at(calendar, facts)
    if facts.stopped_at is not None:
        return ClockStatus.MET if due is None or facts.stopped_at <= due else ClockStatus.BREACHED
    if due is not None and now >= due:
        return ClockStatus.BREACHED
    if is_paused(facts, now):
        return ClockStatus.PAUSED
    warning = warn_at(calendar, facts, share)
    if warning is not None and now >= warning:
        return ClockStatus.AT_RISK
    return ClockStatus.ON_TRACK


def next_check_at(
    calendar: BusinessCalendar,
    facts: ClockFacts,
    share: float = DEFAULT_WARN_SHARE,
    *,
    warned: bool,
    breached: bool,
) -> datetime | None:
    """The next instant a sweeper must look at this clock: the warning time until warned, then the due time
    until breached, then never. None as well while an open pause holds that instant back (closing the pause
    changes the facts, and the caller recomputes). The instant may already be past: act on it now."""
    if facts.stopped_at is not None or breached:
        return None
    if not warned:
        return warn_at(calendar, facts, share)
    return due_at(calendar, facts)
