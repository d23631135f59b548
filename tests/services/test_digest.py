"""Every figure of the digest against a history worked out by hand (tests/services/digest_history.py), on
SQLite and PostgreSQL; closed days, DST days, a confidential team, an empty desk and two schedulers at once."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.blocks.digest import company_blocks, plain_text, team_blocks
from bot.clock import FixedClock
from bot.config import DeskConfig, load_config
from bot.db.models import OutboxMessage
from bot.digest_wiring import DigestPlanner
from bot.services.digest import DigestService, day_window, percent
from bot.sla.policy import SlaPolicies
from tests.conftest import REPO
from tests.databases import Database
from tests.services.digest_history import DIGEST_NOW, build_history, ticket, utc

FRIDAY = date(2026, 11, 27)


@pytest.fixture
def config(db: Database) -> DeskConfig:
    return load_config(REPO / "app.yaml", env={"DATABASE_URL": db.url})


@pytest.fixture
def service(db: Database, config: DeskConfig, clock: FixedClock) -> DigestService:
    clock.set(DIGEST_NOW)
    return DigestService(db.sessions, clock, config, SlaPolicies(config))


@pytest.fixture
async def history(db: Database) -> None:
    async with db.sessions.begin() as session:
        await build_history(session)


async def test_yesterday_figures(service: DigestService, history: None) -> None:
    digest = await service.build("it", FRIDAY)
    assert digest.yesterday == date(2026, 11, 26)
    assert (digest.opened, digest.resolved) == (3, 2)  # IT-1, IT-3, IT-8 opened; IT-1, IT-2 resolved
    assert (digest.first_response_met, digest.first_response_breached) == (2, 1)
    assert digest.first_response_percent == 67
    assert (digest.resolution_met, digest.resolution_breached) == (2, 0)
    assert digest.resolution_percent == 100
    assert digest.median_first_response == 30.0  # of 15, 30 and 120 working minutes
    assert digest.median_resolution == 330.0  # of 120 and 540 working minutes


async def test_now_figures_and_listed_tickets(service: DigestService, history: None) -> None:
    digest = await service.build("it", FRIDAY)
    assert (digest.unassigned, digest.in_progress, digest.waiting_on_requester, digest.awaiting_approval) == (
        2,
        2,
        1,
        1,
    )
    assert digest.open_total == 6
    assert (digest.at_risk, digest.breached) == (1, 1)  # IT-6's paused clock is neither
    assert [line.key for line in digest.oldest_unassigned] == ["IT-3", "IT-4"]
    assert [(line.key, line.breached) for line in digest.most_urgent] == [("IT-4", True), ("IT-3", False)]
    assert digest.most_urgent[1].due_at == utc(2026, 11, 27, 9, 0)


async def test_satisfaction_and_trend(service: DigestService, history: None) -> None:
    digest = await service.build("it", FRIDAY)
    assert digest.ratings_yesterday == 2
    assert (digest.ratings_30d, digest.rating_sum_30d) == (3, 11)  # 5, 2 and 4; not October's 1, not today's 3
    assert digest.rating_average_30d == pytest.approx(11 / 3)
    assert [(c.key, c.rating, c.comment) for c in digest.comments] == [
        ("IT-2", 2, "Took too long"),
        ("IT-1", 5, "Quick & <great> help"),
    ]
    # The 2 is a low rating (app.yaml: low_rating 2) that nobody has followed up yet.
    assert [(low.key, low.rating, low.followed_up_by) for low in digest.low_ratings] == [("IT-2", 2, None)]
    assert digest.trend.days[0] == date(2026, 11, 13)
    assert digest.trend.days[-1] == date(2026, 11, 26)
    assert digest.trend.opened == (1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 2, 3)
    assert digest.trend.resolved == (1,) + (0,) * 12 + (2,)


async def test_rendered_digest_shows_the_figures_escaped_with_claim_buttons(
    service: DigestService, config: DeskConfig, history: None
) -> None:
    digest = await service.build("it", FRIDAY)
    text, blocks = team_blocks(digest, config, "en", now=DIGEST_NOW, links={1003: "https://slack.test/archives/C/p1"})
    shown = plain_text(blocks)
    assert text == "IT: morning digest, Friday 27 November"
    assert "*Yesterday (Thursday 26 November)*" in shown
    assert "Opened *3* · resolved *2*" in shown
    assert "first response *67%* (2/3) · resolution *100%* (2/2)" in shown
    assert "Median time to first response 30 working minutes · to resolution 5 working hours 30 minutes" in shown
    assert "Unassigned *2* · in progress *2* · waiting on requester *1* · awaiting approval *1*" in shown
    assert "At risk *1* · breached *1*" in shown
    raw = json.dumps(blocks, ensure_ascii=False)
    assert "<https://slack.test/archives/C/p1|*IT-3*> VPN &lt;drops&gt; &amp; reconnects" in raw
    assert "Ratings yesterday *2* · 30-day average *3.7* from 3" in shown
    assert "“Quick &amp; &lt;great&gt; help”" in raw
    assert "“Quick & <great> help”" in shown  # how people read it
    assert "*Last 14 days:* opened 9 · resolved 3 · chart in the thread" in shown
    claims = [b["accessory"] for b in blocks if b.get("accessory", {}).get("action_id") == "desk.claim"]
    assert {json.loads(c["value"])["k"] for c in claims} == {1003, 1004}
    assert len(blocks) <= 50
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)

    _, fallback = team_blocks(digest, config, "en", now=DIGEST_NOW, chart="fallback")
    table = plain_text(fallback)
    assert "opened     1  0  0  0  0  0  0  1  0  0  1  1  2  3" in table
    assert "resolved   1  0  0  0  0  0  0  0  0  0  0  0  0  2" in table


async def test_confidential_team_shows_no_comments_and_the_company_digest_no_titles(
    service: DigestService, config: DeskConfig, history: None
) -> None:
    hr = await service.build("hr", FRIDAY)
    assert hr.confidential
    assert hr.comments == ()
    assert (hr.opened, hr.resolved, hr.ratings_yesterday, hr.unassigned) == (2, 1, 1, 1)
    _, blocks = team_blocks(hr, config, "en", now=DIGEST_NOW)
    assert "Agnes handled" not in plain_text(blocks)

    company = await service.build_company(FRIDAY)
    _, blocks = company_blocks(company, config, "en")
    shown = plain_text(blocks)
    assert (
        "*IT* opened 3 · resolved 2 · open 6 (at risk 1, breached 1) · SLA first response 67%, resolution 100%" in shown
    )
    assert (
        "*HR* opened 2 · resolved 1 · open 1 (at risk 0, breached 0) · SLA first response 100%, resolution 100%"
        in shown
    )
    assert (
        "*Finance* opened 1 · resolved 0 · open 1 (at risk 0, breached 0) · SLA first response 0%, resolution –"
        in shown
    )
    for secret in ("Parental", "Harassment", "Agnes", "Invoice", "VPN"):
        assert secret not in shown


async def test_empty_desk_is_quiet(service: DigestService) -> None:
    digest = await service.build("it", FRIDAY)
    assert digest.quiet
    assert (digest.opened, digest.open_total, digest.ratings_30d) == (0, 0, 0)
    assert digest.first_response_percent is None
    assert digest.median_resolution is None
    assert (await service.build_company(FRIDAY)).quiet


async def test_an_old_open_ticket_keeps_the_desk_from_being_quiet(db: Database, service: DigestService) -> None:
    async with db.sessions.begin() as session:
        session.add(ticket("it", 1, utc(2026, 9, 1, 9, 0), "in_progress", assignee="U0LENA0001"))
    assert not (await service.build("it", FRIDAY)).quiet


@pytest.mark.parametrize(
    ("today", "hours", "inside", "outside"),
    [
        # Spring forward: Sunday 29 March 2026 has 23 hours (CET until 02:00, CEST after).
        (
            date(2026, 3, 30),
            23,
            [utc(2026, 3, 28, 23, 30), utc(2026, 3, 29, 21, 30)],  # 00:30 CET and 23:30 CEST on the 29th
            [utc(2026, 3, 28, 22, 30), utc(2026, 3, 29, 22, 30)],  # 23:30 on the 28th, 00:30 on the 30th
        ),
        # Fall back: Sunday 25 October 2026 has 25 hours.
        (
            date(2026, 10, 26),
            25,
            [utc(2026, 10, 24, 22, 30), utc(2026, 10, 25, 22, 30)],  # 00:30 CEST and 23:30 CET on the 25th
            [utc(2026, 10, 24, 21, 30), utc(2026, 10, 25, 23, 30)],  # 23:30 on the 24th, 00:30 on the 26th
        ),
    ],
)
async def test_yesterday_on_a_dst_day_is_the_day_people_lived(
    db: Database, service: DigestService, today: date, hours: int, inside: list, outside: list
) -> None:
    start, end = day_window(today - timedelta(days=1), "Europe/Stockholm")
    assert end - start == timedelta(hours=hours)
    async with db.sessions.begin() as session:
        for number, at in enumerate(inside + outside, start=1):
            session.add(ticket("it", number, at, "closed"))
    digest = await service.build("it", today)
    assert digest.opened == 2
    assert digest.trend.opened[-2:] == (1, 2)  # the 23:30 the day before lands on the day before


def test_percent_rounds_half_up() -> None:
    assert [percent(1, 1), percent(2, 1), percent(1, 2), percent(0, 3), percent(0, 0)] == [50, 67, 33, 0, None]


async def queued(db: Database) -> list[str]:
    async with db.sessions() as session:
        return sorted(await session.scalars(select(OutboxMessage.dedupe_key)))


@pytest.fixture
def planner(db: Database, config: DeskConfig, clock: FixedClock) -> DigestPlanner:
    return DigestPlanner(db.sessions, clock, config, SlaPolicies(config))


async def test_the_job_queues_each_channel_once_from_digest_time(
    db: Database, planner: DigestPlanner, clock: FixedClock
) -> None:
    clock.set(utc(2026, 11, 27, 7, 59))  # 08:59 in Stockholm
    assert await planner.queue_due() == 0
    clock.set(utc(2026, 11, 27, 8, 0))
    assert await planner.queue_due() == 6
    clock.set(utc(2026, 11, 27, 15, 0))
    assert await planner.queue_due() == 0  # queued already: every later minute of the day inserts nothing
    assert await queued(db) == [
        "digest:comms:C0COMTRIAG:2026-11-27",
        "digest:company:C0GENERAL1:2026-11-27",
        "digest:facilities:C0FACTRIAG:2026-11-27",
        "digest:finance:C0FINTRIAG:2026-11-27",
        "digest:hr:C0HRTRIAGE:2026-11-27",
        "digest:it:C0ITTRIAGE:2026-11-27",
    ]


@pytest.mark.parametrize(
    ("before", "at"),
    [
        (utc(2026, 3, 30, 6, 59), utc(2026, 3, 30, 7, 0)),  # the Monday after spring forward: 09:00 is 07:00 UTC
        (utc(2026, 10, 26, 7, 59), utc(2026, 10, 26, 8, 0)),  # the Monday after fall back: 09:00 is 08:00 UTC
    ],
)
async def test_digest_time_is_local_time_across_dst(
    db: Database, planner: DigestPlanner, clock: FixedClock, before: datetime, at: datetime
) -> None:
    clock.set(before)
    assert await planner.queue_due() == 0
    clock.set(at)
    assert await planner.queue_due() == 6
    assert f"digest:it:C0ITTRIAGE:{at.date().isoformat()}" in await queued(db)


@pytest.mark.parametrize(
    "closed",
    [
        date(2026, 11, 28),  # Saturday
        date(2026, 11, 29),  # Sunday
        date(2026, 12, 25),  # Christmas Day
        date(2026, 12, 24),  # julafton (closed eve)
        date(2026, 6, 19),  # midsommarafton
    ],
)
async def test_closed_days_queue_nothing(db: Database, planner: DigestPlanner, clock: FixedClock, closed: date) -> None:
    clock.set(utc(closed.year, closed.month, closed.day, 12, 0))
    assert await planner.queue_due() == 0
    assert await queued(db) == []


async def test_a_closing_day_of_one_calendar_silences_only_its_teams(
    db: Database, planner: DigestPlanner, clock: FixedClock
) -> None:
    clock.set(utc(2026, 12, 28, 12, 0))  # the office calendar's own closing day; Finance's calendar is open
    assert await planner.queue_due() == 1
    assert await queued(db) == ["digest:finance:C0FINTRIAG:2026-12-28"]


async def test_agent_dms_are_queued_per_agent_with_open_tickets(
    db: Database, config: DeskConfig, clock: FixedClock, history: None
) -> None:
    with_dms = config.model_copy(update={"digest": config.digest.model_copy(update={"agent_dms": True})})
    planner = DigestPlanner(db.sessions, clock, with_dms, SlaPolicies(with_dms))
    clock.set(DIGEST_NOW)
    await planner.queue_due()
    agents = [key for key in await queued(db) if key.startswith("digest:agent:")]
    assert agents == ["digest:agent:U0LENA0001:2026-11-27", "digest:agent:U0OSKAR001:2026-11-27"]


async def test_two_schedulers_at_once_queue_one_row_per_channel(
    db: Database, config: DeskConfig, clock: FixedClock
) -> None:
    clock.set(DIGEST_NOW)
    planners = [DigestPlanner(db.sessions, clock, config, SlaPolicies(config)) for _ in range(2)]
    counts = await asyncio.gather(*(p.queue_due() for p in planners for _ in range(3)))
    assert sum(counts) == 6
    assert len(await queued(db)) == 6


async def test_low_ratings_show_whether_a_lead_followed_them_up(
    db: Database, service: DigestService, config: DeskConfig, history: None
) -> None:
    from sqlalchemy import update

    from bot.blocks.digest import plain_text, team_blocks
    from bot.db.models import Feedback

    async with db.sessions.begin() as session:
        await session.execute(update(Feedback).where(Feedback.rating == 2).values(followed_up_by="U0LENA0001"))
    digest = await service.build("it", FRIDAY)
    assert [(low.key, low.followed_up_by) for low in digest.low_ratings] == [("IT-2", "U0LENA0001")]
    _, blocks = team_blocks(digest, config, "en", now=DIGEST_NOW)
    assert "IT-2 rated 2 of 5: followed up by" in plain_text(blocks)
