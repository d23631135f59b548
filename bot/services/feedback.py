"""The last impression: the requester confirms or reopens a resolved ticket, unanswered tickets close after a
grace period, a closed ticket asks once for a rating, and a low rating reaches the team lead at once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import DeskConfig
from bot.db.models import Feedback, OutboxMessage, Ticket
from bot.domain.lifecycle import IllegalTransition, TicketState
from bot.errors import NotPermitted, TicketNotFound
from bot.services.conversation import ConversationService
from bot.services.outbox import enqueue
from bot.services.people import People
from bot.services.tickets import Change, NewTicket, TicketService, TicketSnapshot
from bot.sla.policy import SlaPolicies

SURVEY = "requester_notice"
LOW_RATING = "low_rating"
# Give the requester a moment to add a comment before the lead hears about a low rating.
LOW_RATING_GRACE = timedelta(minutes=5)


class SurveyPlanner:
    """On close, ask for a rating once: not for tickets an agent raised for themselves, and at most once per
    person per cooldown period."""

    def __init__(self, config: DeskConfig) -> None:
        self._config = config

    async def ticket_changed(self, session: AsyncSession, ticket: Ticket, change: Change) -> None:
        if change.type != "closed" or ticket.resolved_at is None:
            return
        if ticket.assignee_id is not None and ticket.assignee_id == ticket.requester_id:
            return
        since = change.at - timedelta(days=self._config.feedback.survey_cooldown_days)
        recent = await session.scalar(
            select(func.count())
            .select_from(Feedback)
            .where(Feedback.requester_id == ticket.requester_id, Feedback.requested_at > since)
        )
        if recent:
            return
        session.add(
            Feedback(
                ticket_id=ticket.id,
                team_id=ticket.team_id,
                catalog_item_id=ticket.catalog_item_id,
                agent_id=ticket.assignee_id,
                requester_id=ticket.requester_id,
                requested_at=change.at,
            )
        )
        await enqueue(
            session,
            kind=SURVEY,
            dedupe_key=f"survey:{ticket.id}",
            at=change.at,
            ticket_id=ticket.id,
            payload={"notice": "survey", "actor": None, "data": {}},
        )


class FeedbackService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        config: DeskConfig,
        tickets: TicketService,
        people: People,
        policies: SlaPolicies,
        conversation: ConversationService,
    ) -> None:
        self._conversation = conversation
        self._sessions = sessions
        self._clock = clock
        self._config = config
        self._tickets = tickets
        self._people = people
        self._policies = policies

    async def _own(self, ticket_id: int, user_id: str, what: str) -> TicketSnapshot:
        ticket = await self._tickets.get(ticket_id)
        if ticket.requester_id != user_id:
            raise NotPermitted(user_id, what)
        return ticket

    async def confirm_solved(self, ticket_id: int, user_id: str) -> TicketSnapshot:
        await self._own(ticket_id, user_id, "confirm someone else's ticket")
        return await self._tickets.close(ticket_id, actor_id=user_id, reason="confirmed")

    async def still_a_problem(self, ticket_id: int, user_id: str, reason: str) -> TicketSnapshot:
        """Back to the same agent, with the requester's reason in the card's thread."""
        await self._own(ticket_id, user_id, "reopen someone else's ticket")
        reopened = await self._tickets.reopen(ticket_id, actor_id=user_id, reason=reason)
        await self._conversation.from_requester(ticket_id, user_id=user_id, text=reason, channel=None, ts=None)
        return reopened

    async def close_unanswered(self, limit: int = 200) -> int:
        """Close resolved tickets whose requester stayed silent for the grace period (working time)."""
        now = self._clock.now()
        grace = self._config.desk.grace_period.minutes
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(Ticket.id, Ticket.team_id, Ticket.resolved_at)
                    .where(Ticket.state == TicketState.RESOLVED.value, Ticket.resolved_at <= now)
                    .order_by(Ticket.resolved_at)
                    .limit(limit)
                )
            ).all()
        closed = 0
        for ticket_id, team_id, resolved_at in rows:
            if resolved_at is None or self._policies.team_calendar(team_id).add(resolved_at, grace) > now:
                continue
            try:
                await self._tickets.close(ticket_id, actor_id=None, reason="no answer")
                closed += 1
            except IllegalTransition:
                continue  # the requester answered in the meantime
        return closed

    async def rate(self, ticket_id: int, user_id: str, rating: int) -> tuple[TicketSnapshot, bool]:
        """(ticket, recorded). The first rating counts; a later click is thanked but not stored again."""
        if not 1 <= rating <= 5:
            raise ValueError("rating must be 1 to 5")
        ticket = await self._own(ticket_id, user_id, "rate someone else's ticket")
        now = self._clock.now()
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(Feedback)
                .where(Feedback.ticket_id == ticket_id, Feedback.rating.is_(None))
                .values(rating=rating, created_at=now)
                .execution_options(synchronize_session=False)
            )
            recorded = bool(result.rowcount == 1)  # type: ignore[attr-defined]
            if recorded and rating <= self._config.feedback.low_rating:
                await enqueue(
                    session,
                    kind=LOW_RATING,
                    dedupe_key=f"lowrating:{ticket_id}",
                    at=now + LOW_RATING_GRACE,
                    ticket_id=ticket_id,
                    payload={"rating": rating},
                )
        return ticket, recorded

    async def comment(self, ticket_id: int, user_id: str, text: str) -> None:
        await self._own(ticket_id, user_id, "comment on someone else's rating")
        async with self._sessions.begin() as session:
            if text:
                await session.execute(
                    update(Feedback)
                    .where(Feedback.ticket_id == ticket_id, Feedback.rating.is_not(None))
                    .values(comment=text[:3000])
                    .execution_options(synchronize_session=False)
                )
            # The comment is in: the lead can hear about a low rating now rather than after the grace.
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.dedupe_key == f"lowrating:{ticket_id}", OutboxMessage.sent_at.is_(None))
                .values(next_attempt_at=self._clock.now())
                .execution_options(synchronize_session=False)
            )

    async def follow_up(self, ticket_id: int, user_id: str, note: str) -> None:
        ticket = await self._tickets.get(ticket_id)
        team = self._config.team(ticket.team_id)
        if user_id not in team.leads and not self._people.is_admin(user_id):
            raise NotPermitted(user_id, "follow up on ratings")
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(Feedback)
                .where(Feedback.ticket_id == ticket_id)
                .values(followed_up_by=user_id, followed_up_at=self._clock.now(), follow_up_note=note[:3000])
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise TicketNotFound(ticket.key)

    async def reply_after_close(
        self, old: TicketSnapshot, *, user_id: str, text: str, channel: str, ts: str
    ) -> tuple[TicketSnapshot, bool]:
        """A reply in a closed ticket's thread opens a new ticket linked to the old one."""
        new, created = await self._tickets.open_ticket_once(
            NewTicket(
                team_id=old.team_id,
                title=text,
                description=text,
                requester_id=user_id,
                kind=old.kind,
                priority=old.priority,
                catalog_item_id=old.catalog_item_id,
                language=old.language,
                requester_channel=old.requester_channel,
                requester_thread_ts=old.requester_thread_ts,
                source_channel=channel,
                source_ts=ts,
                origin_key=f"reply:{channel}:{ts}",
                linked_ticket_id=old.id,
            )
        )
        if created:
            async with self._sessions.begin() as session:
                await enqueue(
                    session,
                    kind=SURVEY,
                    dedupe_key=f"linked:{new.id}",
                    at=self._clock.now(),
                    ticket_id=new.id,
                    payload={"notice": "linked", "actor": None, "data": {"old_key": old.key}},
                )
        return new, created
