"""An agent's queue: their own tickets, the unassigned tickets of their teams by SLA urgency, and what is at
risk or breached. Read from the SLA clocks' stored due times, so it costs a few indexed queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.db.models import SlaClock, Ticket
from bot.domain.lifecycle import ACTIVE
from bot.services.tickets import TicketSnapshot

ACTIVE_STATES = [state.value for state in ACTIVE]


@dataclass(frozen=True)
class QueueEntry:
    ticket: TicketSnapshot
    due_at: datetime | None
    at_risk: bool
    breached: bool


@dataclass(frozen=True)
class AgentQueue:
    teams: tuple[str, ...]
    mine: tuple[QueueEntry, ...]
    unassigned: tuple[QueueEntry, ...]
    at_risk: tuple[QueueEntry, ...]

    @property
    def is_agent(self) -> bool:
        return bool(self.teams)


class QueueService:
    LIMIT = 10

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def for_agent(self, user_id: str, teams: Sequence[str]) -> AgentQueue:
        now = self._clock.now()
        async with self._sessions() as session:
            mine = await self._entries(
                session, now, and_(Ticket.assignee_id == user_id, Ticket.state.in_(ACTIVE_STATES)), "resolution"
            )
            if not teams:
                return AgentQueue((), mine, (), ())
            unassigned = await self._entries(
                session,
                now,
                and_(Ticket.team_id.in_(teams), Ticket.state == "open", Ticket.assignee_id.is_(None)),
                "first_response",
            )
            urgent = await self._entries(
                session,
                now,
                and_(
                    Ticket.team_id.in_(teams),
                    Ticket.state.in_(ACTIVE_STATES),
                    SlaClock.stopped_at.is_(None),
                    or_(SlaClock.warned_at.is_not(None), SlaClock.warn_at <= now, SlaClock.due_at <= now),
                ),
                None,
            )
        return AgentQueue(tuple(teams), mine, unassigned, tuple(e for e in urgent if e.at_risk or e.breached))

    async def _entries(
        self, session: AsyncSession, now: datetime, where: object, kind: str | None
    ) -> tuple[QueueEntry, ...]:
        clock_join = and_(SlaClock.ticket_id == Ticket.id, SlaClock.stopped_at.is_(None))
        if kind is not None:
            clock_join = and_(clock_join, SlaClock.kind == kind)
        rows = await session.execute(
            select(Ticket, SlaClock)
            .outerjoin(SlaClock, clock_join)
            .where(where)  # type: ignore[arg-type]
            .order_by(SlaClock.due_at.is_(None), SlaClock.due_at, Ticket.created_at)
            .limit(self.LIMIT * 2)
        )
        seen: set[int] = set()
        entries = []
        for ticket, clock in rows:
            if ticket.id in seen:
                continue  # the most urgent of a ticket's clocks stands for it
            seen.add(ticket.id)
            due = clock.due_at if clock else None
            breached = bool(clock and (clock.breached_at or (due is not None and due <= now)))
            at_risk = bool(clock and not breached and (clock.warned_at or (clock.warn_at and clock.warn_at <= now)))
            entries.append(QueueEntry(TicketSnapshot.of(ticket), due, at_risk, breached))
        return tuple(entries[: self.LIMIT])
