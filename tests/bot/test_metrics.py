"""Tickets are counted when their transaction commits, never for a change that rolled back."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import FixedClock
from bot.metrics import DeskMetrics
from bot.services.tickets import NewTicket, TicketService
from tests.databases import Database


class Rollback(Exception):
    pass


def new(team: str = "it", title: str = "Printer jammed") -> NewTicket:
    return NewTicket(
        team_id=team, title=title, description=title, requester_id="U0ANNA0001", kind="incident", priority="medium"
    )


def opened(metrics: DeskMetrics, team: str = "it") -> float | None:
    return metrics.registry.get_sample_value("desk_tickets_opened_total", {"team": team})


async def test_counted_after_commit_not_before(db: Database, clock: FixedClock) -> None:
    metrics = DeskMetrics()
    tickets = TicketService(db.sessions, clock, observers=[metrics.tickets])
    async with db.sessions.begin() as session:
        await tickets.open_in(session, new())
        assert opened(metrics) is None
    assert opened(metrics) == 1

    ticket = await tickets.claim("IT-1", "U0LENA0001")
    await tickets.resolve(ticket.id, actor_id="U0LENA0001", note="done")
    assert metrics.registry.get_sample_value("desk_tickets_resolved_total", {"team": "it"}) == 1


async def test_a_rolled_back_ticket_is_not_counted(db: Database, clock: FixedClock) -> None:
    metrics = DeskMetrics()
    tickets = TicketService(db.sessions, clock, observers=[metrics.tickets])

    async def open_and_fail() -> None:
        async with db.sessions.begin() as session:
            await tickets.open_in(session, new())
            raise Rollback

    with pytest.raises(Rollback):
        await open_and_fail()
    assert opened(metrics) is None
    await tickets.open_ticket(new("hr", "Payslip"))
    assert (opened(metrics), opened(metrics, "hr")) == (None, 1)


async def test_savepoints_count_only_with_the_outer_commit(db: Database, clock: FixedClock) -> None:
    metrics = DeskMetrics()
    tickets = TicketService(db.sessions, clock, observers=[metrics.tickets])

    async def released_savepoint_then_fail() -> None:
        async with db.sessions.begin() as session:
            async with session.begin_nested():
                await tickets.open_in(session, new())
            assert opened(metrics) is None
            raise Rollback

    async def failed_savepoint(session: AsyncSession) -> None:
        async with session.begin_nested():
            await tickets.open_in(session, new())
            raise Rollback

    # Released savepoint, outer transaction rolled back: nothing was opened.
    with pytest.raises(Rollback):
        await released_savepoint_then_fail()
    assert opened(metrics) is None

    # Savepoint rolled back, outer transaction committed: only the ticket outside the savepoint counts.
    async with db.sessions.begin() as session:
        await tickets.open_in(session, new("hr", "Payslip"))
        with pytest.raises(Rollback):
            await failed_savepoint(session)
    assert (opened(metrics), opened(metrics, "hr")) == (None, 1)
