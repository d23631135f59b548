"""SLA clocks in the database: started, paused, stopped and retargeted inside each ticket change's own
transaction (as a TicketObserver), and swept for warnings and breaches by an indexed query on next_check_at.

Everything a clock's state depends on is a stored fact (start, target, pause segments, stop), so due times are
recomputed from the rows, never kept in memory timers; a restart or a second process sees the same answer.

Decisions worth knowing:
- First response is met by the first of: claimed, assigned by the assignee themself (the same rule the ticket's
  first_response_at follows), waiting_on_requester (asking the requester is a response), resolved, and
  agent_replied (a public reply to the requester). Assigning someone else is not a response: the requester has
  heard nothing.
- The resolution clock pauses while the ticket waits on the requester. Tickets that need approval get their
  clocks at approval, so the awaiting_approval time never counts (there is no clock to pause yet).
- A reopen resumes the resolution clock: the ticket was not done. The time between resolved and reopened, while
  the requester had it, is stored as a pause segment with reason `resolved`, so it does not count against the
  team; the stop and the met flag are cleared. The first-response clock stays met.
- A priority change retargets running clocks from the same start and pauses; a move to another team does the
  same with the new team's policy and calendar (a met first response stays met; an item's override stays with
  the item's team). A warning or breach marker whose instant now lies in the future again is cleared, so the
  new target is watched; the outbox dedupe key carries the target, so the same target is never warned about
  twice.
- When a sweeper first sees a clock after its due time (say the desk was down), it sends the breach only: an
  "at risk" warning after the fact is noise.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.db.models import SlaClock, SlaPause, Ticket
from bot.services.outbox import Notice, enqueue_many
from bot.sla.calendar import BusinessCalendar
from bot.sla.clock import ClockFacts, ClockStatus, Pause, due_at, is_paused, next_check_at, status, warn_at
from bot.sla.policy import SlaPolicies

if TYPE_CHECKING:
    from bot.services.tickets import Change

log = logging.getLogger(__name__)

FIRST_RESPONSE = "first_response"
RESOLUTION = "resolution"
KINDS = (FIRST_RESPONSE, RESOLUTION)

SLA_WARNING = "sla_warning"
SLA_BREACH = "sla_breach"

PAUSE_WAITING = "waiting_on_requester"
PAUSE_RESOLVED = "resolved"

_FIRST_RESPONSE_EVENTS = frozenset({"claimed", "waiting_on_requester", "resolved", "agent_replied"})
_STOP_EVENTS = frozenset({"cancelled", "rejected", "closed"})


@dataclass(frozen=True)
class ClockView:
    """One clock as the triage card, App Home and the requester's messages show it."""

    kind: str
    status: ClockStatus
    due_at: datetime | None
    warn_at: datetime | None
    target_minutes: int
    paused: bool
    started_at: datetime
    stopped_at: datetime | None


@dataclass(frozen=True)
class SweepResult:
    checked: int
    warned: int
    breached: int


def due_clocks_query(now: datetime, limit: int) -> Select[SlaClock]:
    """What the sweeper claims: clocks whose next check has come, oldest first, skipping rows another sweeper
    holds. The range scan on ix_sla_clocks_next_check_at makes a pass cost what is due, not what is open."""
    return (
        select(SlaClock)
        .where(SlaClock.next_check_at <= now)
        .order_by(SlaClock.next_check_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


def warning_key(clock_id: int, target_minutes: int) -> str:
    return f"sla:warn:{clock_id}:{target_minutes}"


def breach_key(clock_id: int, target_minutes: int) -> str:
    return f"sla:breach:{clock_id}:{target_minutes}"


class SlaEngine:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock, policies: SlaPolicies) -> None:
        self._sessions = sessions
        self._clock = clock
        self._policies = policies

    # ------------------------------------------------------------------ the observer side

    async def ticket_changed(self, session: AsyncSession, ticket: Ticket, change: Change) -> None:
        kind = change.type
        if (kind == "created" and change.to_state == "open") or kind == "approved":
            await self._start(session, ticket, change.at)
            return
        clocks = await self._locked_clocks(session, ticket.id)
        if not clocks:
            return
        for clock in clocks.values():
            self._rehome(clock, ticket)
        first = clocks.get(FIRST_RESPONSE)
        resolution = clocks.get(RESOLUTION)
        if first is not None and self._is_first_response(change):
            await self._stop(session, first, change.at, judge=True)
        if resolution is None:
            return
        if kind == "resolved":
            await self._resume(session, resolution, change.at)
            await self._stop(session, resolution, change.at, judge=True)
        elif kind == "reopened":
            await self._reopen(session, resolution, change.at)
        elif kind in _STOP_EVENTS:
            judge = kind == "closed"
            for clock in clocks.values():
                await self._resume(session, clock, change.at)
                await self._stop(session, clock, change.at, judge=judge)
        else:
            # Paused exactly while the ticket waits on the requester, whichever change got it there or out
            # (an answer, or a move to another team's queue).
            if ticket.state == "waiting_on_requester":
                await self._pause(session, resolution, change.at, PAUSE_WAITING)
            else:
                await self._resume(session, resolution, change.at)
            if kind in ("priority_changed", "moved"):
                await self._retarget(session, ticket, clocks.values(), change.at)

    @staticmethod
    def _is_first_response(change: Change) -> bool:
        if change.type in _FIRST_RESPONSE_EVENTS:
            return True
        return (
            change.type == "assigned"
            and change.actor_id is not None
            and change.actor_id == change.data.get("assignee_id")
        )

    def _targets(self, ticket: Ticket, priority: str) -> tuple[int, int]:
        item = ticket.catalog_item_id
        if item is not None and self._policies.item_team(item) != ticket.team_id:
            # The item left the configuration, or the ticket moved to another team: the item's override was the
            # old team's promise, so the team's own policy holds.
            item = None
        return self._policies.targets(ticket.team_id, item, priority)

    def _calendar(self, clock: SlaClock) -> BusinessCalendar:
        # A clock keeps the calendar it started on, so editing a team's calendar does not move promises made.
        return self._policies.calendar(clock.calendar)

    def _rehome(self, clock: SlaClock, ticket: Ticket) -> None:
        """A clock whose calendar was removed from app.yaml moves to its team's calendar: a configuration edit
        must not make resolving a ticket fail (the sweeper parks such clocks until this happens)."""
        try:
            self._policies.calendar(clock.calendar)
        except KeyError:
            replacement = self._policies.team_calendar(ticket.team_id).spec.name
            log.warning("SLA clock %s: calendar %r is gone; using %r", clock.id, clock.calendar, replacement)
            clock.calendar = replacement

    async def _start(self, session: AsyncSession, ticket: Ticket, at: datetime) -> None:
        existing = await self._locked_clocks(session, ticket.id)
        calendar = self._policies.team_calendar(ticket.team_id)
        targets = dict(zip(KINDS, self._targets(ticket, ticket.priority), strict=True))
        for kind in KINDS:
            if kind in existing:  # approved twice cannot happen, but a clock is never started twice
                continue
            clock = SlaClock(
                ticket_id=ticket.id,
                kind=kind,
                calendar=calendar.spec.name,
                target_minutes=targets[kind],
                started_at=at,
                version=1,
            )
            self._refresh(clock, [])
            session.add(clock)

    async def _locked_clocks(self, session: AsyncSession, ticket_id: int) -> dict[str, SlaClock]:
        # Locked so a sweeper working on the same clocks finishes first and we read its markers (PostgreSQL);
        # SQLite serialises writers anyway.
        rows = await session.scalars(
            select(SlaClock)
            .where(SlaClock.ticket_id == ticket_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return {clock.kind: clock for clock in rows}

    async def _pauses(self, session: AsyncSession, clock: SlaClock) -> list[SlaPause]:
        if clock.id is None:
            return []
        rows = await session.scalars(
            select(SlaPause).where(SlaPause.clock_id == clock.id).order_by(SlaPause.started_at, SlaPause.id)
        )
        return list(rows)

    def _facts(self, clock: SlaClock, pauses: Sequence[SlaPause]) -> ClockFacts:
        segments: list[Pause] = [(pause.started_at, pause.ended_at) for pause in pauses]
        return ClockFacts(clock.started_at, clock.target_minutes, segments, clock.stopped_at)

    def _refresh(self, clock: SlaClock, pauses: Sequence[SlaPause]) -> None:
        """Due, warning and next check from the stored facts: the one place they are derived."""
        calendar = self._calendar(clock)
        facts = self._facts(clock, pauses)
        share = self._policies.warn_share
        clock.due_at = due_at(calendar, facts)
        clock.warn_at = warn_at(calendar, facts, share)
        open_pauses = [pause.started_at for pause in pauses if pause.ended_at is None]
        clock.paused_since = min(open_pauses) if open_pauses and clock.stopped_at is None else None
        clock.next_check_at = next_check_at(
            calendar, facts, share, warned=clock.warned_at is not None, breached=clock.breached_at is not None
        )

    async def _stop(self, session: AsyncSession, clock: SlaClock, at: datetime, *, judge: bool) -> None:
        if clock.stopped_at is not None:
            return
        pauses = await self._pauses(session, clock)
        clock.stopped_at = at
        due = due_at(self._calendar(clock), self._facts(clock, pauses))
        # A cancelled or rejected ticket neither met nor missed its target.
        clock.met = (due is None or at <= due) if judge else None
        self._refresh(clock, pauses)
        clock.version += 1

    async def _pause(self, session: AsyncSession, clock: SlaClock, at: datetime, reason: str) -> None:
        if clock.stopped_at is not None:
            return
        pauses = await self._pauses(session, clock)
        if any(pause.ended_at is None for pause in pauses):
            return
        pause = SlaPause(clock_id=clock.id, started_at=at, ended_at=None, reason=reason)
        session.add(pause)
        self._refresh(clock, [*pauses, pause])
        clock.version += 1

    async def _resume(self, session: AsyncSession, clock: SlaClock, at: datetime) -> None:
        if clock.stopped_at is not None:
            return
        pauses = await self._pauses(session, clock)
        open_pauses = [pause for pause in pauses if pause.ended_at is None]
        if not open_pauses:
            return
        for pause in open_pauses:
            pause.ended_at = at
        self._refresh(clock, pauses)
        clock.version += 1

    async def _reopen(self, session: AsyncSession, clock: SlaClock, at: datetime) -> None:
        if clock.stopped_at is None:
            return
        resolved_at = clock.stopped_at
        pause = SlaPause(clock_id=clock.id, started_at=resolved_at, ended_at=at, reason=PAUSE_RESOLVED)
        session.add(pause)
        pauses = [*await self._pauses(session, clock), pause]
        clock.stopped_at = None
        clock.met = None
        self._refresh(clock, pauses)
        clock.version += 1

    async def _retarget(self, session: AsyncSession, ticket: Ticket, clocks: Any, at: datetime) -> None:
        """New targets (priority changed) or a new team's targets and calendar (moved), from the same start and
        pauses: the requester has been waiting since the ticket opened, whoever has it now."""
        targets = dict(zip(KINDS, self._targets(ticket, ticket.priority), strict=True))
        calendar = self._policies.team_calendar(ticket.team_id).spec.name
        for clock in clocks:
            if clock.stopped_at is not None:
                continue
            if (clock.target_minutes, clock.calendar) == (targets[clock.kind], calendar):
                continue
            pauses = await self._pauses(session, clock)
            clock.target_minutes = targets[clock.kind]
            clock.calendar = calendar
            self._refresh(clock, pauses)
            # Markers whose moment lies ahead again are cleared, so the new target gets its own warning/breach.
            if clock.warned_at is not None and (clock.warn_at is None or clock.warn_at > at):
                clock.warned_at = None
            if clock.breached_at is not None and (clock.due_at is None or clock.due_at > at):
                clock.breached_at = None
            self._refresh(clock, pauses)
            clock.version += 1

    # ------------------------------------------------------------------ reading

    async def clock_views(self, session: AsyncSession | None, ticket_id: int) -> list[ClockView]:
        """The ticket's clocks (first response first) with their status now; [] before clocks start."""
        if session is None:
            async with self._sessions() as own:
                return await self._views(own, ticket_id)
        return await self._views(session, ticket_id)

    async def _views(self, session: AsyncSession, ticket_id: int) -> list[ClockView]:
        clocks = list(await session.scalars(select(SlaClock).where(SlaClock.ticket_id == ticket_id)))
        if not clocks:
            return []
        pause_rows = await session.scalars(
            select(SlaPause).where(SlaPause.clock_id.in_([clock.id for clock in clocks]))
        )
        by_clock: dict[int, list[SlaPause]] = {}
        for pause in pause_rows:
            by_clock.setdefault(pause.clock_id, []).append(pause)
        now = self._clock.now()
        share = self._policies.warn_share
        views = []
        for clock in sorted(clocks, key=lambda c: KINDS.index(c.kind) if c.kind in KINDS else len(KINDS)):
            calendar = self._calendar(clock)
            facts = self._facts(clock, by_clock.get(clock.id, []))
            views.append(
                ClockView(
                    kind=clock.kind,
                    status=status(calendar, facts, now, share),
                    due_at=due_at(calendar, facts),
                    warn_at=warn_at(calendar, facts, share),
                    target_minutes=clock.target_minutes,
                    paused=clock.stopped_at is None and is_paused(facts, now),
                    started_at=clock.started_at,
                    stopped_at=clock.stopped_at,
                )
            )
        return views

    async def promise(self, ticket_id: int) -> datetime | None:
        """When the requester can expect a first response (None before the clocks start or once it is met)."""
        async with self._sessions() as session:
            clock = await session.scalar(
                select(SlaClock).where(SlaClock.ticket_id == ticket_id, SlaClock.kind == FIRST_RESPONSE)
            )
            if clock is None or clock.stopped_at is not None:
                return None
            return clock.due_at

    # ------------------------------------------------------------------ the sweeper

    async def sweep(self, limit: int = 500) -> SweepResult:
        """One pass: warn and breach what is due, in one transaction with the outbox rows that tell people.
        Markers, next checks and outbox rows commit together or not at all, so a crash repeats nothing and
        loses nothing. Two sweepers never work on the same clock: PostgreSQL hands each row to one of them
        (FOR UPDATE SKIP LOCKED, and what we read under that lock is the latest committed row); SQLite lets one
        writer in at a time. The outbox's unique dedupe key is the second guard. One UPDATE and one INSERT per
        batch, so a pass costs a few statements, not a few per clock."""
        now = self._clock.now()
        share = self._policies.warn_share
        async with self._sessions.begin() as session:
            clocks = list(await session.scalars(due_clocks_query(now, limit)))
            if not clocks:
                return SweepResult(0, 0, 0)
            pause_rows = await session.scalars(
                select(SlaPause).where(SlaPause.clock_id.in_([clock.id for clock in clocks]))
            )
            by_clock: dict[int, list[SlaPause]] = {}
            for pause in pause_rows:
                by_clock.setdefault(pause.clock_id, []).append(pause)
            rows: list[dict[str, Any]] = []
            notices: list[Notice] = []
            for clock in clocks:
                row, notice = self._check(clock, by_clock.get(clock.id, []), now, share)
                rows.append(row)
                if notice is not None:
                    notices.append(notice)
            # ORM bulk UPDATE by primary key: one executemany for the batch.
            await session.execute(update(SlaClock), rows)
            # The card shows the clock's state too: redraw it with each warning and breach.
            redraws = [
                Notice(
                    kind="triage_card",
                    dedupe_key=f"card:{n.ticket_id}:{n.dedupe_key}",
                    payload={},
                    ticket_id=n.ticket_id,
                )
                for n in notices
            ]
            queued = await enqueue_many(session, [*notices, *redraws], at=now)
        warned = sum(1 for n in notices if n.kind == SLA_WARNING and n.dedupe_key in queued)
        breached = sum(1 for n in notices if n.kind == SLA_BREACH and n.dedupe_key in queued)
        return SweepResult(len(clocks), warned, breached)

    def _check(
        self, clock: SlaClock, pauses: Sequence[SlaPause], now: datetime, share: float
    ) -> tuple[dict[str, Any], Notice | None]:
        """The clock's new row values and, when a warning or breach is due, the notice that tells people."""
        try:
            calendar = self._calendar(clock)
        except KeyError:
            # Its calendar was removed from app.yaml. Park the clock (loudly) rather than select it again on
            # every pass: a full batch of these would stall the sweeper for everyone else.
            log.error("SLA clock %s: calendar %r is no longer configured; not watched", clock.id, clock.calendar)
            return self._row(clock, clock.due_at, clock.warn_at, clock.warned_at, clock.breached_at, None), None
        facts = self._facts(clock, pauses)
        due, warning = due_at(calendar, facts), warn_at(calendar, facts, share)
        running = facts.stopped_at is None
        breach = running and clock.breached_at is None and due is not None and now >= due
        warn = running and not breach and clock.warned_at is None and warning is not None and now >= warning
        # A breach says it all: a clock first seen past its due time gets no late "at risk".
        warned_at = clock.warned_at or (now if warn or breach else None)
        breached_at = clock.breached_at or (now if breach else None)
        upcoming = next_check_at(calendar, facts, share, warned=warned_at is not None, breached=breached_at is not None)
        row = self._row(clock, due, warning, warned_at, breached_at, upcoming)
        if not (warn or breach):
            return row, None
        notice = Notice(
            kind=SLA_BREACH if breach else SLA_WARNING,
            dedupe_key=(breach_key if breach else warning_key)(clock.id, clock.target_minutes),
            ticket_id=clock.ticket_id,
            payload={
                "ticket_id": clock.ticket_id,
                "clock": clock.kind,
                "due_at": due.isoformat() if due else None,
                "target_minutes": clock.target_minutes,
            },
        )
        return row, notice

    @staticmethod
    def _row(
        clock: SlaClock,
        due: datetime | None,
        warning: datetime | None,
        warned_at: datetime | None,
        breached_at: datetime | None,
        upcoming: datetime | None,
    ) -> dict[str, Any]:
        return {
            "id": clock.id,
            "next_check_at": upcoming,
            "due_at": due,
            "warn_at": warning,
            "warned_at": warned_at,
            "breached_at": breached_at,
        }


class _HasSla(Protocol):
    # bootstrap.Desk; a protocol because bootstrap imports this module.
    sla: SlaEngine


async def run_sla_sweeper(desk: _HasSla, stop: asyncio.Event, interval: float = 5.0, limit: int = 500) -> None:
    """Sweep until fewer than `limit` clocks were due, then wait `interval` seconds (or until stopped). Safe to
    run in every bot process: the row claim keeps sweepers off each other's clocks."""
    engine = desk.sla
    while not stop.is_set():
        try:
            while (await engine.sweep(limit)).checked >= limit and not stop.is_set():
                pass
        except Exception:  # the loop must outlive a database hiccup; the next round retries
            log.exception("SLA sweep failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
