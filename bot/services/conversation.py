"""The conversation between a requester and the team, relayed between the requester's thread and the card's
thread in triage. Each Slack message becomes one comment (unique on channel and ts), so a redelivered event
is relayed once."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.db.models import Comment, Ticket
from bot.domain.lifecycle import TERMINAL, IllegalTransition, TicketState
from bot.services.outbox import enqueue
from bot.services.tickets import TicketService, TicketSnapshot

RELAY = "relay"


@dataclass(frozen=True)
class Relayed:
    ticket: TicketSnapshot
    comment_id: int
    internal: bool


class ConversationService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock, tickets: TicketService) -> None:
        self._sessions = sessions
        self._clock = clock
        self._tickets = tickets

    async def ticket_for_thread(self, channel: str, thread_ts: str) -> tuple[TicketSnapshot, str] | None:
        """(ticket, side) for a thread that belongs to a ticket: side is "requester" or "triage"."""
        async with self._sessions() as session:
            row = await session.scalar(
                select(Ticket)
                .where(
                    or_(
                        (Ticket.requester_channel == channel) & (Ticket.requester_thread_ts == thread_ts),
                        (Ticket.triage_channel == channel) & (Ticket.triage_ts == thread_ts),
                    )
                )
                .order_by(Ticket.id.desc())
                .limit(1)
            )
            if row is None:
                return None
            side = "triage" if row.triage_channel == channel and row.triage_ts == thread_ts else "requester"
            return TicketSnapshot.of(row), side

    async def from_requester(
        self, ticket_id: int, *, user_id: str, text: str, channel: str | None, ts: str | None
    ) -> Relayed | None:
        relayed = await self._store(
            ticket_id, author=user_id, text=text, channel=channel, ts=ts, internal=False, to="triage"
        )
        if relayed is None:
            return None
        if relayed.ticket.state is TicketState.WAITING_ON_REQUESTER:
            # Someone may have moved the ticket on meanwhile; the reply is relayed all the same.
            with contextlib.suppress(IllegalTransition):
                await self._tickets.requester_replied(ticket_id, actor_id=user_id)
        return relayed

    async def from_agent(
        self, ticket_id: int, *, user_id: str, text: str, channel: str, ts: str, internal: bool
    ) -> Relayed | None:
        relayed = await self._store(
            ticket_id,
            author=user_id,
            text=text,
            channel=channel,
            ts=ts,
            internal=internal,
            to=None if internal else "requester",
        )
        if relayed is not None and not internal:
            await self._tickets.agent_replied(ticket_id, actor_id=user_id)
        return relayed

    async def add_note(self, ticket_id: int, *, user_id: str, text: str) -> Relayed | None:
        """An internal note written in a modal: stored as internal and shown in the card's thread only."""
        now = self._clock.now()
        async with self._sessions.begin() as session:
            ticket = await session.get(Ticket, ticket_id)
            if ticket is None:
                return None
            comment = Comment(ticket_id=ticket_id, author_id=user_id, body=text, internal=True, created_at=now)
            await _keep(session, comment, to="internal")
            return Relayed(TicketSnapshot.of(ticket), comment.id, True)

    async def _store(
        self,
        ticket_id: int,
        *,
        author: str,
        text: str,
        channel: str | None,
        ts: str | None,
        internal: bool,
        to: str | None,
    ) -> Relayed | None:
        now = self._clock.now()
        try:
            async with self._sessions.begin() as session:
                ticket = await session.get(Ticket, ticket_id)
                if ticket is None or TicketState(ticket.state) in TERMINAL:
                    return None
                comment = Comment(
                    ticket_id=ticket_id,
                    author_id=author,
                    body=text,
                    internal=internal,
                    slack_channel=channel,
                    slack_ts=ts,
                    created_at=now,
                )
                await _keep(session, comment, to=to)
                return Relayed(TicketSnapshot.of(ticket), comment.id, internal)
        except IntegrityError:
            return None  # this Slack message was stored before: a redelivery


async def _keep(session: AsyncSession, comment: Comment, *, to: str | None) -> None:
    """Store a comment and, when it goes somewhere (`to`), queue its relay in the same transaction."""
    session.add(comment)
    await session.flush()
    if to is not None:
        await enqueue(
            session,
            kind=RELAY,
            dedupe_key=f"relay:{comment.id}",
            at=comment.created_at,
            ticket_id=comment.ticket_id,
            payload={"comment_id": comment.id, "to": to},
        )
