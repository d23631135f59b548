from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.clock import FixedClock
from bot.db.models import Ticket, TicketEvent
from bot.domain.lifecycle import IllegalTransition, TicketState
from bot.errors import AlreadyClaimed, TicketNotFound
from bot.services.tickets import NewTicket, TicketService
from tests.databases import Database

ANNA, LENA, OSKAR = "U0ANNA0001", "U0LENA0001", "U0OSKAR001"


def request(team: str = "it", **overrides: object) -> NewTicket:
    values: dict[str, object] = {
        "team_id": team,
        "title": "My laptop won't start",
        "description": "My laptop won't start since this morning, the screen stays black.",
        "requester_id": ANNA,
        "kind": "incident",
        "priority": "high",
        "catalog_item_id": "laptop-broken",
        "fields": {"asset_tag": "NL-1234"},
    }
    values.update(overrides)
    return NewTicket(**values)  # type: ignore[arg-type]


@pytest.fixture
def tickets(db: Database, clock: FixedClock) -> TicketService:
    return TicketService(db.sessions, clock)


async def test_open_ticket_gets_a_team_key_and_an_audit_event(tickets: TicketService) -> None:
    first = await tickets.open_ticket(request())
    second = await tickets.open_ticket(request())
    hr = await tickets.open_ticket(request(team="hr", catalog_item_id=None, title="Certificate please"))

    assert (first.key, second.key, hr.key) == ("IT-1", "IT-2", "HR-1")
    assert first.state is TicketState.OPEN
    assert first.fields == {"asset_tag": "NL-1234"}
    history = await tickets.history("it-1")
    assert [(e.type, e.to_state, e.actor_id) for e in history] == [("created", "open", ANNA)]


async def test_ticket_needing_approval_waits_for_it(tickets: TicketService) -> None:
    ticket = await tickets.open_ticket(request(needs_approval=True))
    assert ticket.state is TicketState.AWAITING_APPROVAL
    with pytest.raises(IllegalTransition):
        await tickets.claim(ticket.id, LENA)
    approved = await tickets.approve(ticket.id, actor_id="U0MAGNUS01")
    assert approved.state is TicketState.OPEN


async def test_full_lifecycle_records_every_step(tickets: TicketService, clock: FixedClock) -> None:
    ticket = await tickets.open_ticket(request())
    clock.advance(timedelta(minutes=10))
    claimed = await tickets.claim(ticket.id, LENA)
    assert claimed.state is TicketState.IN_PROGRESS
    assert claimed.assignee_id == LENA
    assert claimed.first_response_at == clock.now()

    clock.advance(timedelta(minutes=5))
    waiting = await tickets.wait_on_requester(ticket.id, actor_id=LENA, question="Which model?")
    assert waiting.state is TicketState.WAITING_ON_REQUESTER
    back = await tickets.requester_replied(ticket.id, actor_id=ANNA)
    assert back.state is TicketState.IN_PROGRESS

    resolved = await tickets.resolve(ticket.id, actor_id=LENA, note="Replaced the battery")
    assert resolved.state is TicketState.RESOLVED
    assert resolved.resolution_note == "Replaced the battery"
    assert resolved.resolved_at == clock.now()
    # First response stays the first one.
    assert resolved.first_response_at == claimed.first_response_at

    closed = await tickets.close(ticket.id, actor_id=ANNA, reason="confirmed")
    assert closed.state is TicketState.CLOSED

    history = await tickets.history(ticket.id)
    assert [e.type for e in history] == [
        "created",
        "claimed",
        "waiting_on_requester",
        "requester_replied",
        "resolved",
        "closed",
    ]
    assert history[2].data == {"question": "Which model?"}
    assert [e.to_state for e in history] == [
        "open",
        "in_progress",
        "waiting_on_requester",
        "in_progress",
        "resolved",
        "closed",
    ]


async def test_illegal_transition_changes_nothing(tickets: TicketService) -> None:
    ticket = await tickets.open_ticket(request())
    with pytest.raises(IllegalTransition, match="cannot close a ticket that is open"):
        await tickets.close(ticket.id, actor_id=LENA, reason="done")

    after = await tickets.get(ticket.id)
    assert (after.state, after.version) == (TicketState.OPEN, ticket.version)
    assert [e.type for e in await tickets.history(ticket.id)] == ["created"]


async def test_reopen_goes_back_to_the_agent_who_resolved(tickets: TicketService) -> None:
    ticket = await tickets.open_ticket(request())
    await tickets.claim(ticket.id, OSKAR)
    await tickets.resolve(ticket.id, actor_id=OSKAR, note="Restarted the dock")

    reopened = await tickets.reopen(ticket.id, actor_id=ANNA, reason="Still black")
    assert reopened.state is TicketState.IN_PROGRESS
    assert reopened.assignee_id == OSKAR
    assert reopened.resolved_at is None

    unclaimed = await tickets.open_ticket(request())
    await tickets.resolve(unclaimed.id, actor_id=LENA, note="Fixed remotely")
    # Resolving an unclaimed ticket makes the resolver its assignee, so a reopen reaches them too.
    assert (await tickets.reopen(unclaimed.id, actor_id=ANNA, reason="no")).assignee_id == LENA


async def test_priority_change_is_audited_and_idempotent(tickets: TicketService) -> None:
    ticket = await tickets.open_ticket(request(priority="medium"))
    changed = await tickets.set_priority(ticket.id, "critical", actor_id=LENA)
    again = await tickets.set_priority(ticket.id, "critical", actor_id=LENA)
    assert changed.priority == again.priority == "critical"
    events = [e for e in await tickets.history(ticket.id) if e.type == "priority_changed"]
    assert [e.data for e in events] == [{"from": "medium", "to": "critical"}]


async def test_unknown_ticket_is_a_clear_error(tickets: TicketService) -> None:
    with pytest.raises(TicketNotFound, match="there is no ticket IT-999"):
        await tickets.get("IT-999")


async def test_twenty_concurrent_claims_have_exactly_one_winner(tickets: TicketService, db: Database) -> None:
    ticket = await tickets.open_ticket(request())
    agents = [f"U0AGENT{n:03d}" for n in range(20)]

    results = await asyncio.gather(*(tickets.claim(ticket.id, agent) for agent in agents), return_exceptions=True)

    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(winners) == 1
    holder = winners[0].assignee_id
    assert holder in agents
    assert len(losers) == 19
    assert all(isinstance(r, AlreadyClaimed) and r.holder == holder for r in losers)

    async with db.sessions() as session:
        claims = await session.scalar(
            select(func.count()).select_from(TicketEvent).where(TicketEvent.type == "claimed")
        )
        row = await session.get(Ticket, ticket.id)
    assert claims == 1
    assert row is not None
    assert (row.assignee_id, row.version) == (holder, 2)


async def test_claiming_your_own_ticket_again_is_harmless(tickets: TicketService) -> None:
    ticket = await tickets.open_ticket(request())
    await tickets.claim(ticket.id, LENA)
    again = await tickets.claim(ticket.id, LENA)
    assert again.assignee_id == LENA
    assert [e.type for e in await tickets.history(ticket.id)] == ["created", "claimed"]


async def test_concurrent_ticket_creation_never_reuses_a_key(tickets: TicketService) -> None:
    created = await asyncio.gather(*(tickets.open_ticket(request()) for _ in range(20)))
    assert sorted(t.number for t in created) == list(range(1, 21))
    assert len({t.key for t in created}) == 20


async def test_concurrent_transitions_apply_once(tickets: TicketService) -> None:
    ticket = await tickets.open_ticket(request())
    await tickets.claim(ticket.id, LENA)
    results = await asyncio.gather(
        *(tickets.resolve(ticket.id, actor_id=LENA, note=f"fix {n}") for n in range(10)), return_exceptions=True
    )
    done = [r for r in results if not isinstance(r, BaseException)]
    assert len(done) == 1
    assert all(isinstance(r, IllegalTransition) for r in results if isinstance(r, BaseException))
    assert [e.type for e in await tickets.history(ticket.id)].count("resolved") == 1
