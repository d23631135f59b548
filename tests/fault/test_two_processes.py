"""Two desk processes on one PostgreSQL share the work: each event handled once whichever process Slack
reaches (also when Slack retries against the other one), each side effect delivered once although both run
outbox loops, and the SLA sweep's warnings and breaches queued once although both sweep."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.clock import FixedClock
from bot.config import load_config
from bot.db.models import IntakeRequest, OutboxMessage, SlackDelivery
from bot.desk_process import DeskProcess
from bot.localslack import payloads
from bot.localslack.driver import LocalSlack
from bot.services.notifications import NotificationPlanner
from bot.services.sla_engine import SlaEngine
from bot.services.tickets import NewTicket, TicketService
from bot.sla.policy import SlaPolicies
from tests.databases import Database
from tests.fault.test_kill9 import bot_replies, bounded_wait, desk_config, live_slack, process_env

__all__ = ["live_slack"]
REQUESTS = 12


async def test_two_processes_share_events_deliveries_and_sweeps(
    db: Database, live_slack: LocalSlack, tmp_path: Path
) -> None:
    if db.kind != "postgresql":
        pytest.skip("several processes are how the desk scales on PostgreSQL")
    slack = live_slack
    # IT on the 24x7 calendar, so SLA clocks run out in real time whenever CI happens to run.
    config_path = desk_config(tmp_path, it_calendar="24x7")
    env = process_env(db, slack)

    # A critical ticket opened 40 minutes ago: both its warning and its breach are due at once.
    config = load_config(config_path, env=env)
    past = FixedClock(datetime.now(UTC) - timedelta(minutes=40))
    tickets = TicketService(
        db.sessions, past, observers=[NotificationPlanner(), SlaEngine(db.sessions, past, SlaPolicies(config))]
    )
    overdue = await tickets.open_ticket(
        NewTicket(
            team_id="it",
            title="Core switch down",
            description="Nothing works",
            requester_id="U0ANNA0001",
            kind="incident",
            priority="critical",
        )
    )

    first, second = DeskProcess(config_path, env), DeskProcess(config_path, env)
    await asyncio.gather(first.start(), second.start())
    try:
        dm = slack.workspace.open_im("U0ANNA0001")
        messages = [
            slack.workspace.post(dm, text=f"the printer by desk {n} is jammed", user="U0ANNA0001").ts
            for n in range(REQUESTS)
        ]
        for index, ts in enumerate(messages):
            # A load balancer alternates between the processes; Slack's retry lands on the other one.
            slack.request_url = (first if index % 2 == 0 else second).url
            # The same signed event_callback Slack sends for a DM.
            event = payloads.user_message_event(slack.workspace, dm, slack.workspace.message(dm.id, ts))
            delivery = await slack._event(event)
            assert delivery.status == 200
            slack.request_url = (second if index % 2 == 0 else first).url
            assert (await slack.redeliver(delivery, retry_num=1, reason="http_timeout")).status == 200

        async def settled() -> bool:
            async with db.sessions() as session:
                pending = await session.scalar(
                    select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
                )
                breaches = await session.scalar(
                    select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "sla_breach")
                )
            replied = all(bot_replies(slack, "anna", ts) >= 1 for ts in messages)
            return replied and pending == 0 and breaches == 1

        await bounded_wait(settled)
        await asyncio.sleep(1.0)
    finally:
        codes = await asyncio.gather(first.stop(), second.stop())
    assert list(codes) == [0, 0]

    async with db.sessions() as session:
        deliveries = await session.scalar(select(func.count()).select_from(SlackDelivery))
        intakes = await session.scalar(select(func.count()).select_from(IntakeRequest))
        kinds = Counter(await session.scalars(select(OutboxMessage.kind).where(OutboxMessage.ticket_id == overdue.id)))
    assert deliveries == REQUESTS
    assert intakes == REQUESTS
    assert {ts: bot_replies(slack, "anna", ts) for ts in messages} == dict.fromkeys(messages, 1)
    assert (kinds["sla_warning"], kinds["sla_breach"]) == (0, 1)  # found late: the breach alone, once
    card = next(m for m in slack.messages_in("#it-triage") if "Core switch down" in m.text_content)
    breach_posts = [m for m in slack.thread("#it-triage", card.ts) if "sla:breach" in str(m.metadata)]
    assert len(breach_posts) == 1
    lead_dms = [m for m in slack.dm_with("lena-it") if "sla:breach" in str(m.metadata)]
    assert len(lead_dms) == 1
