"""What a requester sees of their own tickets: open ones first, then the recently resolved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.db.models import Ticket
from bot.domain.lifecycle import TicketState
from bot.services.tickets import TicketSnapshot

OPEN_STATES = (
    TicketState.NEW,
    TicketState.AWAITING_APPROVAL,
    TicketState.OPEN,
    TicketState.IN_PROGRESS,
    TicketState.WAITING_ON_REQUESTER,
)
RECENT = timedelta(days=14)


@dataclass(frozen=True)
class RequesterTickets:
    open: tuple[TicketSnapshot, ...]
    recent: tuple[TicketSnapshot, ...]
    asked_for: str | None = None
    found: bool = True


class StatusService:
    LIMIT = 15

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def for_requester(self, user_id: str, *, key: str | None = None) -> RequesterTickets:
        async with self._sessions() as session:
            if key is not None:
                row = await session.scalar(
                    select(Ticket).where(Ticket.key == key.upper(), Ticket.requester_id == user_id)
                )
                if row is None:
                    return RequesterTickets((), (), asked_for=key.upper(), found=False)
                return RequesterTickets((TicketSnapshot.of(row),), (), asked_for=row.key)
            open_rows = await session.scalars(
                select(Ticket)
                .where(Ticket.requester_id == user_id, Ticket.state.in_([s.value for s in OPEN_STATES]))
                .order_by(Ticket.created_at.desc())
                .limit(self.LIMIT)
            )
            recent_rows = await session.scalars(
                select(Ticket)
                .where(
                    Ticket.requester_id == user_id,
                    Ticket.state.in_([TicketState.RESOLVED.value, TicketState.CLOSED.value]),
                    Ticket.resolved_at >= self._clock.now() - RECENT,
                )
                .order_by(Ticket.resolved_at.desc())
                .limit(5)
            )
            return RequesterTickets(
                tuple(TicketSnapshot.of(r) for r in open_rows), tuple(TicketSnapshot.of(r) for r in recent_rows)
            )
