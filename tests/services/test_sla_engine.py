from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text, update

from bot.clock import FixedClock
from bot.config import DeskConfig, load_config
from bot.db.explain import explain
from bot.db.models import OutboxMessage, SlaClock, SlaPause, Ticket
from bot.services import sla_engine as sla_engine_module
from bot.services.outbox import OutboxDispatcher, OutboxItem
from bot.services.sla_engine import SlaEngine, due_clocks_query
from bot.services.tickets import Change, NewTicket, TicketService
from bot.sla.clock import ClockStatus
from bot.sla.policy import SlaPolicies
from tests.databases import Database

REPO = Path(__file__).resolve().parents[2]
STOCKHOLM = ZoneInfo("Europe/Stockholm")
ANNA, LENA, OSKAR, MAGNUS = "U0ANNA0001", "U0LENA0001", "U0OSKAR001", "U0MAGNUS01"


def local(*args: int) -> datetime:
    """A Stockholm wall-clock time as aware UTC, the way the database stores it."""
    return datetime(*args, tzinfo=STOCKHOLM).astimezone(UTC)  # type: ignore[misc]


def request(**overrides: object) -> NewTicket:
    values: dict[str, object] = {
        "team_id": "it",
        "title": "My laptop won't start",
        "description": "Black screen since this morning.",
        "requester_id": ANNA,
        "kind": "incident",
        "priority": "high",
        "catalog_item_id": "laptop-broken",
    }
    values.update(overrides)
    return NewTicket(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def config() -> DeskConfig:
    return load_config(REPO / "app.yaml", env={})


@pytest.fixture
def policies(config: DeskConfig) -> SlaPolicies:
    return SlaPolicies(config)


@pytest.fixture
def engine(db: Database, clock: FixedClock, policies: SlaPolicies) -> SlaEngine:
    return SlaEngine(db.sessions, clock, policies)


@pytest.fixture
def tickets(db: Database, clock: FixedClock, engine: SlaEngine) -> TicketService:
    return TicketService(db.sessions, clock, observers=[engine])


async def clocks_of(db: Database, ticket_id: int) -> dict[str, SlaClock]:
    async with db.sessions() as session:
        rows = await session.scalars(select(SlaClock).where(SlaClock.ticket_id == ticket_id))
        return {row.kind: row for row in rows}


async def outbox(db: Database) -> list[OutboxMessage]:
    async with db.sessions() as session:
        # The SLA's own notices (each warning and breach also queues a redraw of the triage card).
        query = select(OutboxMessage).where(OutboxMessage.kind != "triage_card").order_by(OutboxMessage.id)
        return list(await session.scalars(query))


# ---------------------------------------------------------------------------- due times from the calendar


async def test_friday_afternoon_ticket_is_due_monday_morning(
    tickets: TicketService, db: Database, clock: FixedClock, engine: SlaEngine
) -> None:
    clock.set(local(2026, 11, 27, 16, 30))
    ticket = await tickets.open_ticket(request())

    clocks = await clocks_of(db, ticket.id)
    first = clocks["first_response"]
    assert first.target_minutes == 60
    assert first.calendar == "stockholm-office"
    assert first.started_at == clock.now()
    assert first.due_at == local(2026, 11, 30, 8, 30)
    # Resolution, 8 working hours: 30 minutes on Friday, 7h30 on Monday.
    assert clocks["resolution"].due_at == local(2026, 11, 30, 15, 30)
    assert await engine.promise(ticket.id) == local(2026, 11, 30, 8, 30)
    # The sweeper first looks at it at 75% of the target: 45 working minutes in, Monday 08:15.
    assert first.next_check_at == local(2026, 11, 30, 8, 15)


async def test_ticket_opened_on_midsummer_eve_starts_on_the_next_working_day(
    tickets: TicketService, db: Database, clock: FixedClock
) -> None:
    clock.set(local(2026, 6, 19, 10, 0))  # midsommarafton: the office is closed, then the weekend
    ticket = await tickets.open_ticket(request())
    clocks = await clocks_of(db, ticket.id)
    assert clocks["first_response"].due_at == local(2026, 6, 22, 9, 0)
    assert clocks["resolution"].due_at == local(2026, 6, 22, 16, 0)


# ---------------------------------------------------------------------------- what stops, pauses and moves clocks


async def test_claim_is_the_first_response_and_meets_the_target(
    tickets: TicketService, db: Database, clock: FixedClock, engine: SlaEngine
) -> None:
    ticket = await tickets.open_ticket(request())
    clock.advance(timedelta(minutes=20))
    await tickets.claim(ticket.id, LENA)

    clocks = await clocks_of(db, ticket.id)
    assert clocks["first_response"].stopped_at == clock.now()
    assert clocks["first_response"].met is True
    assert clocks["first_response"].next_check_at is None
    assert clocks["resolution"].stopped_at is None
    assert await engine.promise(ticket.id) is None
    views = await engine.clock_views(None, ticket.id)
    assert [(v.kind, v.status) for v in views] == [
        ("first_response", ClockStatus.MET),
        ("resolution", ClockStatus.ON_TRACK),
    ]


async def test_assigning_someone_else_is_not_a_response_but_self_assignment_is(
    tickets: TicketService, db: Database, clock: FixedClock
) -> None:
    other = await tickets.open_ticket(request())
    await tickets.assign(other.id, OSKAR, actor_id=LENA)
    assert (await clocks_of(db, other.id))["first_response"].stopped_at is None

    own = await tickets.open_ticket(request())
    await tickets.assign(own.id, LENA, actor_id=LENA)
    assert (await clocks_of(db, own.id))["first_response"].stopped_at == clock.now()


async def test_a_public_agent_reply_is_the_first_response(
    tickets: TicketService, db: Database, clock: FixedClock, engine: SlaEngine
) -> None:
    ticket = await tickets.open_ticket(request())
    clock.advance(timedelta(minutes=30))
    # The reply relay reports a public reply as an `agent_replied` change inside its own transaction.
    async with db.sessions.begin() as session:
        row = await session.get(Ticket, ticket.id)
        assert row is not None
        await engine.ticket_changed(session, row, Change("agent_replied", clock.now(), LENA, None, None, {}))
        views = await engine.clock_views(session, ticket.id)
    assert views[0].stopped_at == clock.now()
    assert views[0].status is ClockStatus.MET


async def test_first_response_after_the_due_time_is_recorded_as_missed(
    tickets: TicketService, db: Database, clock: FixedClock
) -> None:
    ticket = await tickets.open_ticket(request())
    clock.advance(timedelta(hours=2))
    await tickets.claim(ticket.id, LENA)
    assert (await clocks_of(db, ticket.id))["first_response"].met is False


async def test_waiting_two_working_hours_on_the_requester_moves_resolution_two_working_hours(
    tickets: TicketService, db: Database, clock: FixedClock, engine: SlaEngine
) -> None:
    clock.set(local(2026, 11, 25, 10, 0))
    ticket = await tickets.open_ticket(request())
    before = (await clocks_of(db, ticket.id))["resolution"].due_at
    assert before == local(2026, 11, 26, 9, 0)

    await tickets.claim(ticket.id, LENA)
    clock.set(local(2026, 11, 25, 11, 0))
    await tickets.wait_on_requester(ticket.id, actor_id=LENA, question="Which model is it?")
    paused = await clocks_of(db, ticket.id)
    assert paused["resolution"].paused_since == clock.now()
    assert paused["resolution"].due_at is None  # not knowable until the requester answers
    assert paused["resolution"].next_check_at is None
    views = await engine.clock_views(None, ticket.id)
    assert views[1].paused is True
    assert views[1].status is ClockStatus.PAUSED

    clock.set(local(2026, 11, 25, 13, 0))
    await tickets.requester_replied(ticket.id, actor_id=ANNA)
    resumed = await clocks_of(db, ticket.id)
    assert resumed["resolution"].due_at == local(2026, 11, 26, 11, 0)
    assert resumed["resolution"].paused_since is None
    async with db.sessions() as session:
        pauses = list(await session.scalars(select(SlaPause)))
    assert [(p.started_at, p.ended_at, p.reason) for p in pauses] == [
        (local(2026, 11, 25, 11, 0), local(2026, 11, 25, 13, 0), "waiting_on_requester")
    ]


async def test_first_response_clock_never_pauses(tickets: TicketService, db: Database, clock: FixedClock) -> None:
    ticket = await tickets.open_ticket(request())
    await tickets.assign(ticket.id, OSKAR, actor_id=LENA)  # someone else: no response yet
    clock.advance(timedelta(minutes=10))
    await tickets.wait_on_requester(ticket.id, actor_id=OSKAR)
    clocks = await clocks_of(db, ticket.id)
    # Asking the requester is the first response; only the resolution clock pauses.
    assert clocks["first_response"].stopped_at == clock.now()
    assert clocks["first_response"].paused_since is None
    assert clocks["resolution"].paused_since == clock.now()


async def test_ticket_needing_approval_gets_its_clocks_when_approved(
    tickets: TicketService, db: Database, clock: FixedClock
) -> None:
    clock.set(local(2026, 11, 25, 10, 0))
    ticket = await tickets.open_ticket(
        request(catalog_item_id="new-laptop", kind="request", priority="medium", needs_approval=True)
    )
    assert await clocks_of(db, ticket.id) == {}

    clock.set(local(2026, 11, 25, 12, 0))
    await tickets.approve(ticket.id, actor_id=MAGNUS)
    clocks = await clocks_of(db, ticket.id)
    assert clocks["first_response"].started_at == clock.now()
    assert clocks["first_response"].due_at == local(2026, 11, 25, 16, 0)  # medium: 4 working hours


async def test_rejected_ticket_never_gets_clocks(tickets: TicketService, db: Database) -> None:
    ticket = await tickets.open_ticket(request(needs_approval=True))
    await tickets.reject(ticket.id, actor_id=MAGNUS, reason="Not in budget")
    assert await clocks_of(db, ticket.id) == {}


async def test_priority_change_retargets_running_clocks_from_the_same_start(
    tickets: TicketService, db: Database, clock: FixedClock
) -> None:
    clock.set(local(2026, 11, 25, 10, 0))
    ticket = await tickets.open_ticket(request())
    clock.set(local(2026, 11, 25, 10, 30))
    await tickets.set_priority(ticket.id, "low", actor_id=LENA)

    clocks = await clocks_of(db, ticket.id)
    assert clocks["first_response"].target_minutes == 9 * 60
    assert clocks["first_response"].started_at == local(2026, 11, 25, 10, 0)
    assert clocks["first_response"].due_at == local(2026, 11, 26, 10, 0)
    assert clocks["resolution"].target_minutes == 45 * 60
    assert clocks["resolution"].due_at == local(2026, 12, 2, 10, 0)


async def move(db: Database, engine: SlaEngine, clock: FixedClock, ticket_id: int, team: str) -> None:
    """What TicketService.move does to the ticket, and the change it reports to observers."""
    async with db.sessions.begin() as session:
        row = await session.get(Ticket, ticket_id)
        assert row is not None
        before = row.team_id
        row.team_id, row.state, row.assignee_id = team, "open", None
        await session.flush()
        change = Change("moved", clock.now(), LENA, "in_progress", "open", {"from_team": before, "to_team": team})
        await engine.ticket_changed(session, row, change)


async def test_moving_to_another_team_uses_its_policy_and_calendar_from_the_same_start(
    tickets: TicketService, db: Database, clock: FixedClock, engine: SlaEngine
) -> None:
    clock.set(local(2026, 11, 25, 10, 0))
    ticket = await tickets.open_ticket(request())
    clock.set(local(2026, 11, 25, 10, 20))
    await move(db, engine, clock, ticket.id, "finance")

    clocks = await clocks_of(db, ticket.id)
    # Finance: the `people` policy (high: 4h first response) on 08-12 and 13-16:30, counted from 10:00.
    assert clocks["first_response"].calendar == "stockholm-lunch-closed"
    assert clocks["first_response"].target_minutes == 4 * 60
    assert clocks["first_response"].due_at == local(2026, 11, 25, 15, 0)
    assert clocks["resolution"].target_minutes == 18 * 60


async def test_moving_a_ticket_that_waits_on_the_requester_restarts_its_resolution_clock(
    tickets: TicketService, db: Database, clock: FixedClock, engine: SlaEngine
) -> None:
    clock.set(local(2026, 11, 25, 10, 0))
    ticket = await tickets.open_ticket(request())
    await tickets.claim(ticket.id, LENA)
    clock.set(local(2026, 11, 25, 11, 0))
    await tickets.wait_on_requester(ticket.id, actor_id=LENA)
    clock.set(local(2026, 11, 25, 14, 0))
    await move(db, engine, clock, ticket.id, "facilities")  # open in Facilities' queue: the team's turn again

    resolution = (await clocks_of(db, ticket.id))["resolution"]
    assert resolution.paused_since is None
    # 1h used before the wait, 7h left from 14:00: Thursday 12:00.
    assert resolution.due_at == local(2026, 11, 26, 12, 0)


async def test_an_items_override_stays_with_the_items_team(db: Database, clock: FixedClock, tmp_path: Path) -> None:
    text_ = (REPO / "app.yaml").read_text(encoding="utf-8")
    text_ = text_.replace("  - id: password-reset\n", "  - id: password-reset\n    sla: {first_response: 30m}\n", 1)
    (tmp_path / "app.yaml").write_text(text_.replace("path: knowledge/articles", f"path: {REPO / 'knowledge'}"))
    engine = SlaEngine(db.sessions, clock, SlaPolicies(load_config(tmp_path / "app.yaml", env={})))
    tickets = TicketService(db.sessions, clock, observers=[engine])

    ticket = await tickets.open_ticket(request(catalog_item_id="password-reset"))
    assert (await clocks_of(db, ticket.id))["first_response"].target_minutes == 30
    await move(db, engine, clock, ticket.id, "hr")
    assert (await clocks_of(db, ticket.id))["first_response"].target_minutes == 4 * 60


async def test_priority_change_keeps_a_met_first_response(
    tickets: TicketService, db: Database, clock: FixedClock
) -> None:
    ticket = await tickets.open_ticket(request())
    await tickets.claim(ticket.id, LENA)
    await tickets.set_priority(ticket.id, "critical", actor_id=LENA)
    clocks = await clocks_of(db, ticket.id)
    assert clocks["first_response"].target_minutes == 60
    assert clocks["first_response"].met is True
    assert clocks["resolution"].target_minutes == 4 * 60


async def test_resolve_stops_and_reopen_resumes_without_counting_the_requesters_time(
    tickets: TicketService, db: Database, clock: FixedClock, engine: SlaEngine
) -> None:
    clock.set(local(2026, 11, 25, 10, 0))
    ticket = await tickets.open_ticket(request())
    await tickets.claim(ticket.id, LENA)
    clock.set(local(2026, 11, 25, 12, 0))
    await tickets.resolve(ticket.id, actor_id=LENA, note="Reset the BIOS")
    resolved = (await clocks_of(db, ticket.id))["resolution"]
    assert (resolved.stopped_at, resolved.met, resolved.next_check_at) == (clock.now(), True, None)

    clock.set(local(2026, 11, 26, 9, 0))  # the requester reopens the next morning: 6 working hours later
    await tickets.reopen(ticket.id, actor_id=ANNA, reason="It died again")
    reopened = (await clocks_of(db, ticket.id))["resolution"]
    assert reopened.stopped_at is None
    assert reopened.met is None
    # 2h were used before the resolve; 6h remain from 09:00 Thursday.
    assert reopened.due_at == local(2026, 11, 26, 15, 0)
    assert reopened.next_check_at == local(2026, 11, 26, 13, 0)
    views = await engine.clock_views(None, ticket.id)
    assert views[0].status is ClockStatus.MET
    assert views[1].status is ClockStatus.ON_TRACK


async def test_resolving_while_waiting_on_the_requester_closes_the_pause(
    tickets: TicketService, db: Database, clock: FixedClock
) -> None:
    ticket = await tickets.open_ticket(request())
    await tickets.claim(ticket.id, LENA)
    await tickets.wait_on_requester(ticket.id, actor_id=LENA)
    clock.advance(timedelta(hours=1))
    await tickets.resolve(ticket.id, actor_id=LENA, note="Fixed it remotely")
    resolution = (await clocks_of(db, ticket.id))["resolution"]
    assert resolution.stopped_at == clock.now()
    assert resolution.met is True
    assert resolution.paused_since is None


async def test_cancelled_ticket_stops_every_clock_without_judging_it(
    tickets: TicketService, db: Database, clock: FixedClock, engine: SlaEngine
) -> None:
    ticket = await tickets.open_ticket(request())
    clock.advance(timedelta(minutes=5))
    await tickets.cancel(ticket.id, actor_id=ANNA, reason="It works again")
    clocks = await clocks_of(db, ticket.id)
    for kind in ("first_response", "resolution"):
        assert clocks[kind].stopped_at == clock.now()
        assert clocks[kind].met is None
        assert clocks[kind].next_check_at is None
    clock.advance(timedelta(days=3))
    assert (await engine.sweep()).checked == 0
    assert await outbox(db) == []


# ---------------------------------------------------------------------------- the sweeper


async def test_warning_and_breach_are_each_queued_once(
    tickets: TicketService, db: Database, clock: FixedClock, engine: SlaEngine
) -> None:
    clock.set(local(2026, 11, 25, 10, 0))
    ticket = await tickets.open_ticket(request())
    first = (await clocks_of(db, ticket.id))["first_response"]

    clock.set(local(2026, 11, 25, 10, 40))
    assert (await engine.sweep()).checked == 0  # nothing due before 75%

    clock.set(local(2026, 11, 25, 10, 50))
    assert (await engine.sweep()).warned == 1
    assert (await engine.sweep()).checked == 0
    warned = (await clocks_of(db, ticket.id))["first_response"]
    assert warned.warned_at == clock.now()
    assert warned.breached_at is None
    assert warned.next_check_at == local(2026, 11, 25, 11, 0)

    clock.set(local(2026, 11, 25, 11, 5))
    result = await engine.sweep()
    assert (result.warned, result.breached) == (0, 1)
    assert (await engine.sweep()).checked == 0
    breached = (await clocks_of(db, ticket.id))["first_response"]
    assert breached.breached_at == clock.now()
    assert breached.next_check_at is None

    rows = await outbox(db)
    assert [(r.kind, r.dedupe_key, r.ticket_id) for r in rows] == [
        ("sla_warning", f"sla:warn:{first.id}:60", ticket.id),
        ("sla_breach", f"sla:breach:{first.id}:60", ticket.id),
    ]
    assert rows[1].payload == {
        "ticket_id": ticket.id,
        "clock": "first_response",
        "due_at": local(2026, 11, 25, 11, 0).isoformat(),
        "target_minutes": 60,
    }
    views = await engine.clock_views(None, ticket.id)
    assert views[0].status is ClockStatus.BREACHED


async def test_sweeper_seeing_a_clock_after_its_due_time_sends_only_the_breach(
    tickets: TicketService, db: Database, clock: FixedClock, engine: SlaEngine
) -> None:
    clock.set(local(2026, 11, 25, 10, 0))
    await tickets.open_ticket(request())
    clock.set(local(2026, 11, 25, 12, 0))  # the desk was down through the warning and the due time
    result = await engine.sweep()
    assert (result.warned, result.breached) == (0, 1)
    assert [r.kind for r in await outbox(db)] == ["sla_breach"]
    clock.set(local(2026, 11, 25, 16, 30))  # the resolution clock's own warning, 6 working hours in
    assert (await engine.sweep()).warned == 1


async def test_paused_clock_is_not_warned_and_resumes_being_watched(
    tickets: TicketService, db: Database, clock: FixedClock, engine: SlaEngine
) -> None:
    clock.set(local(2026, 11, 25, 10, 0))
    ticket = await tickets.open_ticket(request())
    await tickets.claim(ticket.id, LENA)
    await tickets.wait_on_requester(ticket.id, actor_id=LENA)
    clock.set(local(2026, 11, 27, 16, 0))  # days later, still waiting
    assert (await engine.sweep()).checked == 0
    await tickets.requester_replied(ticket.id, actor_id=ANNA)
    resolution = (await clocks_of(db, ticket.id))["resolution"]
    assert resolution.next_check_at == local(2026, 11, 30, 13, 0)  # 6 working hours from Friday 16:00


async def test_lowering_the_priority_after_a_warning_watches_the_new_target(
    tickets: TicketService, db: Database, clock: FixedClock, engine: SlaEngine
) -> None:
    clock.set(local(2026, 11, 25, 10, 0))
    ticket = await tickets.open_ticket(request())
    clock.set(local(2026, 11, 25, 10, 50))
    assert (await engine.sweep()).warned == 1
    await tickets.set_priority(ticket.id, "low", actor_id=LENA)
    first = (await clocks_of(db, ticket.id))["first_response"]
    assert first.warned_at is None  # 75% of 9 working hours is 6h45 in: Wednesday 16:45
    assert first.next_check_at == local(2026, 11, 25, 16, 45)
    clock.set(local(2026, 11, 25, 16, 50))
    assert (await engine.sweep()).warned == 1
    assert [r.dedupe_key for r in await outbox(db)] == [f"sla:warn:{first.id}:60", f"sla:warn:{first.id}:540"]


async def test_two_sweepers_at_once_queue_each_warning_once(
    tickets: TicketService, db: Database, clock: FixedClock, policies: SlaPolicies
) -> None:
    clock.set(local(2026, 11, 25, 10, 0))
    opened = [await tickets.open_ticket(request()) for _ in range(12)]
    clock.set(local(2026, 11, 25, 10, 50))

    first, second = SlaEngine(db.sessions, clock, policies), SlaEngine(db.sessions, clock, policies)
    results = await asyncio.gather(first.sweep(limit=5), second.sweep(limit=5), first.sweep(), second.sweep())

    assert sum(r.warned for r in results) == len(opened)
    rows = await outbox(db)
    assert len(rows) == len(opened)
    assert sorted(r.ticket_id for r in rows) == sorted(t.id for t in opened)
    assert len({r.dedupe_key for r in rows}) == len(rows)


async def test_sweeps_racing_with_claims_keep_markers_and_messages_in_step(
    tickets: TicketService, db: Database, clock: FixedClock, policies: SlaPolicies
) -> None:
    clock.set(local(2026, 11, 25, 10, 0))
    opened = [await tickets.open_ticket(request()) for _ in range(8)]
    clock.set(local(2026, 11, 25, 10, 50))
    sweepers = [SlaEngine(db.sessions, clock, policies) for _ in range(2)]

    await asyncio.gather(
        *(sweeper.sweep(limit=3) for sweeper in sweepers),
        *(tickets.claim(ticket.id, LENA) for ticket in opened),
        sweepers[0].sweep(),
    )

    warned_clocks = set()
    for ticket in opened:
        first = (await clocks_of(db, ticket.id))["first_response"]
        assert first.stopped_at is not None  # no claim was lost to a sweeper's write
        assert first.next_check_at is None
        if first.warned_at is not None:
            warned_clocks.add(first.id)
    # Every warning marker has exactly one outbox row, and no row lacks its marker.
    assert {int(r.dedupe_key.split(":")[2]) for r in await outbox(db)} == warned_clocks
    assert len(await outbox(db)) == len(warned_clocks)


async def test_a_sweep_killed_midway_leaves_nothing_and_the_next_sweeper_does_it_all(
    tickets: TicketService, db: Database, clock: FixedClock, policies: SlaPolicies, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock.set(local(2026, 11, 25, 10, 0))
    opened = [await tickets.open_ticket(request()) for _ in range(3)]
    clock.set(local(2026, 11, 25, 10, 50))

    real_enqueue_many = sla_engine_module.enqueue_many

    async def dies_after_writing(session: Any, notices: Any, *, at: Any) -> set[str]:
        # Markers updated and outbox rows inserted, then the process dies before COMMIT.
        await real_enqueue_many(session, notices, at=at)
        raise RuntimeError("process killed")

    monkeypatch.setattr(sla_engine_module, "enqueue_many", dies_after_writing)
    with pytest.raises(RuntimeError):
        await SlaEngine(db.sessions, clock, policies).sweep()
    # The markers and the outbox rows were in the abandoned transaction: all gone.
    assert await outbox(db) == []
    for ticket in opened:
        assert (await clocks_of(db, ticket.id))["first_response"].warned_at is None

    monkeypatch.setattr(sla_engine_module, "enqueue_many", real_enqueue_many)
    assert (await SlaEngine(db.sessions, clock, policies).sweep()).warned == 3
    assert (await SlaEngine(db.sessions, clock, policies).sweep()).checked == 0
    assert len(await outbox(db)) == 3


async def test_committed_warnings_survive_a_crash_and_a_fresh_dispatcher_sends_each_once(
    tickets: TicketService, db: Database, clock: FixedClock, policies: SlaPolicies
) -> None:
    clock.set(local(2026, 11, 25, 10, 0))
    opened = [await tickets.open_ticket(request()) for _ in range(3)]
    clock.set(local(2026, 11, 25, 10, 50))
    assert (await SlaEngine(db.sessions, clock, policies).sweep()).warned == 3
    # The process dies here, before any delivery. A new one starts:
    restarted = SlaEngine(db.sessions, clock, policies)
    assert (await restarted.sweep()).checked == 0

    sent: list[OutboxItem] = []

    async def record(item: OutboxItem) -> None:
        sent.append(item)

    dispatcher = OutboxDispatcher(db.sessions, clock, {"sla_warning": record})
    assert await dispatcher.drain() == 3
    assert await OutboxDispatcher(db.sessions, clock, {"sla_warning": record}).drain() == 0
    assert sorted(item.payload["ticket_id"] for item in sent) == sorted(t.id for t in opened)


async def test_a_clock_whose_calendar_was_removed_is_parked_and_the_others_are_swept(
    tickets: TicketService, db: Database, clock: FixedClock, engine: SlaEngine
) -> None:
    clock.set(local(2026, 11, 25, 10, 0))
    orphan = await tickets.open_ticket(request())
    healthy = await tickets.open_ticket(request())
    async with db.sessions.begin() as session:
        await session.execute(
            update(SlaClock).where(SlaClock.ticket_id == orphan.id).values(calendar="closed-down-office")
        )
    clock.set(local(2026, 11, 25, 10, 50))
    result = await engine.sweep()
    assert (result.checked, result.warned) == (2, 1)
    assert (await engine.sweep()).checked == 0  # parked, not selected again
    assert (await clocks_of(db, orphan.id))["first_response"].next_check_at is None
    assert [r.ticket_id for r in await outbox(db)] == [healthy.id]

    # Its next change moves it to the team's calendar, and it is watched again.
    await tickets.claim(orphan.id, LENA)
    revived = (await clocks_of(db, orphan.id))["resolution"]
    assert revived.calendar == "stockholm-office"
    assert revived.next_check_at == local(2026, 11, 25, 16, 0)


async def test_sweep_query_uses_the_next_check_index(db: Database, clock: FixedClock) -> None:
    async with db.sessions.begin() as session:
        if db.kind == "postgresql":
            # An empty table is cheapest to scan; the question is whether the index *can* serve the query.
            await session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = await explain(session, due_clocks_query(clock.now(), 500))
    assert "ix_sla_clocks_next_check_at" in plan


class _StopsAfterAShortPass(SlaEngine):
    """Ends the sweeper loop once a pass finds less than a full batch, so the test needs no waiting."""

    def __init__(self, *args: Any, stop: asyncio.Event) -> None:
        super().__init__(*args)
        self.stop = stop
        self.passes: list[int] = []

    async def sweep(self, limit: int = 500) -> sla_engine_module.SweepResult:
        result = await super().sweep(limit)
        self.passes.append(result.checked)
        if result.checked < limit:
            self.stop.set()
        return result


async def test_sweeper_loop_keeps_sweeping_while_batches_are_full(
    tickets: TicketService, db: Database, clock: FixedClock, policies: SlaPolicies
) -> None:
    clock.set(local(2026, 11, 25, 10, 0))
    for _ in range(5):
        await tickets.open_ticket(request())
    clock.set(local(2026, 11, 25, 10, 50))
    stop = asyncio.Event()
    sweeper = _StopsAfterAShortPass(db.sessions, clock, policies, stop=stop)

    class Desk:
        sla = sweeper

    await sla_engine_module.run_sla_sweeper(Desk(), stop, interval=3600, limit=2)
    assert sweeper.passes == [2, 2, 1]
    assert len(await outbox(db)) == 5


async def test_ticket_service_move_retargets_through_the_engine(
    tickets: TicketService, db: Database, clock: FixedClock
) -> None:
    clock.set(local(2026, 11, 25, 10, 0))
    ticket = await tickets.open_ticket(request())
    await tickets.claim(ticket.id, LENA)
    await tickets.wait_on_requester(ticket.id, actor_id=LENA)
    clock.set(local(2026, 11, 25, 11, 0))
    await tickets.move(ticket.id, "hr", actor_id=LENA)
    resolution = (await clocks_of(db, ticket.id))["resolution"]
    assert resolution.paused_since is None
    assert resolution.target_minutes == 18 * 60  # HR's `people` policy, high
    # Nothing counted while waiting (10:00-11:00); 18 working hours from 11:00: Friday 11:00.
    assert resolution.due_at == local(2026, 11, 27, 11, 0)
