"""The ticket lifecycle: open, claim, assign, wait, resolve, close, reopen, cancel. One transaction each,
an audit event with every change, and conditional UPDATEs instead of read-then-write."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.db.models import TeamCounter, Ticket, TicketEvent
from bot.db.upsert import insert_ignore
from bot.domain.lifecycle import Action, IllegalTransition, TicketState, next_state
from bot.errors import AlreadyClaimed, ConcurrentUpdate, TicketNotFound

MAX_TITLE = 200


@dataclass(frozen=True)
class NewTicket:
    team_id: str
    title: str
    description: str
    requester_id: str
    kind: str
    priority: str
    catalog_item_id: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    language: str = "en"
    needs_approval: bool = False
    source_channel: str | None = None
    source_ts: str | None = None
    source_permalink: str | None = None
    requester_channel: str | None = None
    requester_thread_ts: str | None = None
    origin_key: str | None = None
    linked_ticket_id: int | None = None


@dataclass(frozen=True)
class Change:
    """One audited change, as observers see it inside the transaction that makes it."""

    type: str
    at: datetime
    actor_id: str | None
    from_state: str | None
    to_state: str | None
    data: Mapping[str, Any]


class TicketObserver(Protocol):
    """Reacts to a change in the same transaction: SLA clocks, outbox notifications. If it fails, the change
    rolls back with it, so a ticket never exists without its clocks or its pending notifications."""

    async def ticket_changed(self, session: AsyncSession, ticket: Ticket, change: Change) -> None: ...


@dataclass(frozen=True)
class TicketSnapshot:
    """A ticket as it was when the transaction committed; safe to pass to handlers and renderers."""

    id: int
    key: str
    team_id: str
    number: int
    state: TicketState
    title: str
    description: str
    kind: str
    priority: str
    catalog_item_id: str | None
    fields: Mapping[str, Any]
    language: str
    requester_id: str
    assignee_id: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    resolution_note: str | None
    requester_channel: str | None
    requester_thread_ts: str | None
    triage_channel: str | None
    triage_ts: str | None
    source_permalink: str | None
    linked_ticket_id: int | None

    @classmethod
    def of(cls, row: Ticket) -> TicketSnapshot:
        return cls(
            id=row.id,
            key=row.key,
            team_id=row.team_id,
            number=row.number,
            state=TicketState(row.state),
            title=row.title,
            description=row.description,
            kind=row.kind,
            priority=row.priority,
            catalog_item_id=row.catalog_item_id,
            fields=dict(row.fields or {}),
            language=row.language,
            requester_id=row.requester_id,
            assignee_id=row.assignee_id,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
            first_response_at=row.first_response_at,
            resolved_at=row.resolved_at,
            closed_at=row.closed_at,
            resolution_note=row.resolution_note,
            requester_channel=row.requester_channel,
            requester_thread_ts=row.requester_thread_ts,
            triage_channel=row.triage_channel,
            triage_ts=row.triage_ts,
            source_permalink=row.source_permalink,
            linked_ticket_id=row.linked_ticket_id,
        )


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor_id: str | None
    type: str
    from_state: str | None
    to_state: str | None
    data: Mapping[str, Any]


def ticket_prefix(team_id: str) -> str:
    return team_id.upper().replace("_", "").replace("-", "")[:10]


def display_title(text: str) -> str:
    """A one-line title from free text; the full text stays in the description."""
    line = " ".join(text.split())
    return line if len(line) <= MAX_TITLE else line[: MAX_TITLE - 1] + "…"


class TicketService:
    # Conditional UPDATEs lose only when someone else changed the ticket in between; retry on fresh state.
    ATTEMPTS = 5

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        observers: Sequence[TicketObserver] = (),
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._observers = list(observers)

    def observe(self, observer: TicketObserver) -> None:
        self._observers.append(observer)

    async def open_ticket(self, new: NewTicket, *, actor_id: str | None = None) -> TicketSnapshot:
        ticket, _ = await self.open_ticket_once(new, actor_id=actor_id)
        return ticket

    async def open_ticket_once(self, new: NewTicket, *, actor_id: str | None = None) -> tuple[TicketSnapshot, bool]:
        """(ticket, created). With an origin_key, a second call for the same origin returns the first ticket."""
        async with self._sessions.begin() as session:
            return await self.open_in(session, new, actor_id=actor_id)

    async def find_by_origin(self, origin_key: str) -> TicketSnapshot | None:
        async with self._sessions() as session:
            row = await session.scalar(select(Ticket).where(Ticket.origin_key == origin_key))
            return TicketSnapshot.of(row) if row else None

    async def open_in(
        self, session: AsyncSession, new: NewTicket, *, actor_id: str | None = None
    ) -> tuple[TicketSnapshot, bool]:
        """Open a ticket inside the caller's transaction (for use cases that do more in the same one)."""
        if new.origin_key is not None:
            existing = await session.scalar(select(Ticket).where(Ticket.origin_key == new.origin_key))
            if existing is not None:
                return TicketSnapshot.of(existing), False
        try:
            # A savepoint, so losing the race on the origin key rolls back only this insert.
            async with session.begin_nested():
                ticket = await self._insert(session, new, actor_id)
        except IntegrityError:
            if new.origin_key is None:
                raise
            existing = await session.scalar(select(Ticket).where(Ticket.origin_key == new.origin_key))
            if existing is None:
                raise
            return TicketSnapshot.of(existing), False
        return ticket, True

    async def _insert(self, session: AsyncSession, new: NewTicket, actor_id: str | None) -> TicketSnapshot:
        now = self._clock.now()
        number = await self._allocate_number(session, new.team_id)
        state = next_state(TicketState.NEW, Action.REQUEST_APPROVAL if new.needs_approval else Action.SUBMIT)
        ticket = Ticket(
            key=f"{ticket_prefix(new.team_id)}-{number}",
            team_id=new.team_id,
            number=number,
            catalog_item_id=new.catalog_item_id,
            kind=new.kind,
            priority=new.priority,
            state=state.value,
            title=display_title(new.title),
            description=new.description,
            fields=dict(new.fields),
            language=new.language,
            requester_id=new.requester_id,
            source_channel=new.source_channel,
            source_ts=new.source_ts,
            source_permalink=new.source_permalink,
            requester_channel=new.requester_channel,
            requester_thread_ts=new.requester_thread_ts,
            origin_key=new.origin_key,
            linked_ticket_id=new.linked_ticket_id,
            version=1,
            created_at=now,
            updated_at=now,
        )
        session.add(ticket)
        await session.flush()
        await self._audit(
            session,
            ticket,
            now,
            actor_id or new.requester_id,
            "created",
            (None, state.value),
            {"catalog_item_id": new.catalog_item_id, "priority": new.priority},
        )
        return TicketSnapshot.of(ticket)

    async def _allocate_number(self, session: AsyncSession, team_id: str) -> int:
        # Insert-if-missing then increment-and-return: one statement each, safe under concurrency on both
        # databases because the UPDATE takes the row lock and RETURNING reads our own increment.
        await insert_ignore(session, TeamCounter, {"team_id": team_id, "last_number": 0})
        result = await session.execute(
            update(TeamCounter)
            .where(TeamCounter.team_id == team_id)
            .values(last_number=TeamCounter.last_number + 1)
            .returning(TeamCounter.last_number)
        )
        return int(result.scalar_one())

    async def get(self, ref: int | str) -> TicketSnapshot:
        async with self._sessions() as session:
            return TicketSnapshot.of(await self._load(session, ref))

    async def history(self, ref: int | str) -> list[AuditEntry]:
        async with self._sessions() as session:
            ticket = await self._load(session, ref)
            rows = await session.scalars(
                select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
            )
            return [AuditEntry(r.at, r.actor_id, r.type, r.from_state, r.to_state, dict(r.data)) for r in rows]

    async def _load(self, session: AsyncSession, ref: int | str) -> Ticket:
        if isinstance(ref, int):
            ticket = await session.get(Ticket, ref, populate_existing=True)
        else:
            ticket = await session.scalar(select(Ticket).where(Ticket.key == ref.upper()))
        if ticket is None:
            raise TicketNotFound(ref)
        return ticket

    async def claim(self, ref: int | str, agent_id: str) -> TicketSnapshot:
        """First press wins. The loser learns who holds it; pressing again on your own ticket is a no-op."""
        now = self._clock.now()
        async with self._sessions.begin() as session:
            ticket_id = (await self._load(session, ref)).id if isinstance(ref, str) else ref
            result = await session.execute(
                update(Ticket)
                .where(
                    Ticket.id == ticket_id,
                    Ticket.state == TicketState.OPEN.value,
                    Ticket.assignee_id.is_(None),
                )
                .values(
                    state=TicketState.IN_PROGRESS.value,
                    assignee_id=agent_id,
                    version=Ticket.version + 1,
                    updated_at=now,
                    first_response_at=func.coalesce(Ticket.first_response_at, now),
                )
                .execution_options(synchronize_session=False)
            )
            ticket = await self._load(session, ticket_id)
            if result.rowcount == 1:  # type: ignore[attr-defined]
                states = (TicketState.OPEN.value, TicketState.IN_PROGRESS.value)
                await self._audit(session, ticket, now, agent_id, "claimed", states, {"assignee_id": agent_id})
                return TicketSnapshot.of(ticket)
            if ticket.assignee_id == agent_id:
                return TicketSnapshot.of(ticket)
            if ticket.assignee_id is not None:
                raise AlreadyClaimed(ticket.key, ticket.assignee_id)
            raise IllegalTransition(TicketState(ticket.state), Action.CLAIM)

    async def assign(self, ref: int | str, assignee_id: str, *, actor_id: str) -> TicketSnapshot:
        return await self._apply(
            ref,
            Action.ASSIGN,
            actor_id,
            event="assigned",
            changes=lambda t, now: {
                "assignee_id": assignee_id,
                "first_response_at": t.first_response_at or (now if actor_id == assignee_id else None),
            },
            data_of=lambda t: {"assignee_id": assignee_id, "previous_assignee_id": t.assignee_id},
        )

    async def unassign(self, ref: int | str, *, actor_id: str) -> TicketSnapshot:
        return await self._apply(
            ref, Action.UNASSIGN, actor_id, event="unassigned", changes=lambda t, now: {"assignee_id": None}
        )

    async def wait_on_requester(self, ref: int | str, *, actor_id: str, question: str | None = None) -> TicketSnapshot:
        return await self._apply(
            ref,
            Action.WAIT_ON_REQUESTER,
            actor_id,
            event="waiting_on_requester",
            changes=lambda t, now: {"first_response_at": t.first_response_at or now},
            data={"question": question} if question else None,
        )

    async def requester_replied(self, ref: int | str, *, actor_id: str) -> TicketSnapshot:
        return await self._apply(ref, Action.REQUESTER_REPLIED, actor_id, event="requester_replied")

    async def resolve(self, ref: int | str, *, actor_id: str, note: str) -> TicketSnapshot:
        return await self._apply(
            ref,
            Action.RESOLVE,
            actor_id,
            event="resolved",
            changes=lambda t, now: {
                "resolution_note": note,
                "resolved_at": now,
                "assignee_id": t.assignee_id or actor_id,
                "first_response_at": t.first_response_at or now,
            },
            data={"note": note},
        )

    async def close(self, ref: int | str, *, actor_id: str | None, reason: str) -> TicketSnapshot:
        return await self._apply(
            ref,
            Action.CLOSE,
            actor_id,
            event="closed",
            changes=lambda t, now: {"closed_at": now},
            data={"reason": reason},
        )

    async def reopen(self, ref: int | str, *, actor_id: str, reason: str) -> TicketSnapshot:
        """Back to the agent who resolved it when there was one, so the requester does not start over."""
        current = await self.get(ref)
        action = Action.REOPEN_TO_ASSIGNEE if current.assignee_id else Action.REOPEN
        return await self._apply(
            current.id,
            action,
            actor_id,
            event="reopened",
            changes=lambda t, now: {"resolved_at": None, "resolution_note": None},
            data={"reason": reason},
            expect_version=current.version,
        )

    async def cancel(self, ref: int | str, *, actor_id: str, reason: str) -> TicketSnapshot:
        return await self._apply(
            ref,
            Action.CANCEL,
            actor_id,
            event="cancelled",
            changes=lambda t, now: {"closed_at": now},
            data={"reason": reason},
        )

    async def move(self, ref: int | str, team_id: str, *, actor_id: str) -> TicketSnapshot:
        """To another team's queue; the old card is told where it went (triage_* are reset so the new team's
        channel gets a fresh card)."""
        return await self._apply(
            ref,
            Action.MOVE,
            actor_id,
            event="moved",
            changes=lambda t, now: {
                "team_id": team_id,
                "assignee_id": None,
                "triage_channel": None,
                "triage_ts": None,
            },
            data_of=lambda t: {"from_team": t.team_id, "to_team": team_id, "old_card": [t.triage_channel, t.triage_ts]},
        )

    async def approve(self, ref: int | str, *, actor_id: str) -> TicketSnapshot:
        return await self._apply(ref, Action.APPROVE, actor_id, event="approved")

    async def reject(self, ref: int | str, *, actor_id: str, reason: str) -> TicketSnapshot:
        return await self._apply(
            ref,
            Action.REJECT,
            actor_id,
            event="rejected",
            changes=lambda t, now: {"closed_at": now},
            data={"reason": reason},
        )

    async def agent_replied(self, ref: int | str, *, actor_id: str) -> TicketSnapshot:
        """A public reply from an agent: audited, and the first one is the ticket's first response."""
        now = self._clock.now()
        for _ in range(self.ATTEMPTS):
            async with self._sessions.begin() as session:
                ticket = await self._load(session, ref)
                values: dict[str, Any] = {"updated_at": now}
                if ticket.first_response_at is None:
                    values["first_response_at"] = now
                if await self._conditional_update(session, ticket.id, ticket.version, values):
                    changed = await self._load(session, ticket.id)
                    await self._audit(session, changed, now, actor_id, "agent_replied", None, {})
                    return TicketSnapshot.of(changed)
        raise ConcurrentUpdate(ticket.id)

    async def set_priority(self, ref: int | str, priority: str, *, actor_id: str) -> TicketSnapshot:
        now = self._clock.now()
        for _ in range(self.ATTEMPTS):
            async with self._sessions.begin() as session:
                ticket = await self._load(session, ref)
                if TicketState(ticket.state) in {TicketState.CLOSED, TicketState.CANCELLED, TicketState.REJECTED}:
                    raise IllegalTransition(TicketState(ticket.state), Action.ASSIGN)
                if ticket.priority == priority:
                    return TicketSnapshot.of(ticket)
                before, version = ticket.priority, ticket.version
                if await self._conditional_update(
                    session, ticket.id, version, {"priority": priority, "updated_at": now}
                ):
                    changed = await self._load(session, ticket.id)
                    data = {"from": before, "to": priority}
                    await self._audit(session, changed, now, actor_id, "priority_changed", None, data)
                    return TicketSnapshot.of(changed)
        raise ConcurrentUpdate(ticket.id)

    async def _apply(
        self,
        ref: int | str,
        action: Action,
        actor_id: str | None,
        *,
        event: str,
        changes: Any = None,
        data: Mapping[str, Any] | None = None,
        expect_version: int | None = None,
        data_of: Any = None,
    ) -> TicketSnapshot:
        now = self._clock.now()
        ticket_id: int | None = None
        for _ in range(self.ATTEMPTS):
            async with self._sessions.begin() as session:
                ticket = await self._load(session, ref if ticket_id is None else ticket_id)
                ticket_id = ticket.id
                if expect_version is not None and ticket.version != expect_version:
                    # The decision (which action) was made on an older state: refuse rather than guess.
                    raise ConcurrentUpdate(ticket.id)
                target = next_state(ticket.state, action)
                values: dict[str, Any] = {"state": target.value, "updated_at": now}
                if changes is not None:
                    values.update(changes(ticket, now))
                before = ticket.state
                details = dict(data or {}) | (data_of(ticket) if data_of is not None else {})
                if await self._conditional_update(session, ticket.id, ticket.version, values):
                    changed = await self._load(session, ticket.id)
                    await self._audit(session, changed, now, actor_id, event, (before, target.value), details)
                    return TicketSnapshot.of(changed)
        assert ticket_id is not None
        raise ConcurrentUpdate(ticket_id)

    async def _conditional_update(
        self, session: AsyncSession, ticket_id: int, version: int, values: dict[str, Any]
    ) -> bool:
        result = await session.execute(
            update(Ticket)
            .where(Ticket.id == ticket_id, Ticket.version == version)
            .values(version=version + 1, **values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def _audit(
        self,
        session: AsyncSession,
        ticket: Ticket,
        at: datetime,
        actor_id: str | None,
        event: str,
        states: tuple[str | None, str] | None,
        data: dict[str, Any],
    ) -> None:
        change = Change(event, at, actor_id, states[0] if states else None, states[1] if states else None, data)
        session.add(
            TicketEvent(
                ticket_id=ticket.id,
                at=at,
                actor_id=actor_id,
                type=event,
                from_state=change.from_state,
                to_state=change.to_state,
                data=data,
            )
        )
        for observer in self._observers:
            await observer.ticket_changed(session, ticket, change)
