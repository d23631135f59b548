"""SLA warnings and breaches end to end: the desk's own sweeper and senders against the Slack stand-in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.bootstrap import Desk
from bot.clock import FixedClock
from bot.localslack.driver import LocalSlack
from tests.slack.test_agent_flow import card, printer_ticket


@pytest.fixture(autouse=True)
def _wednesday_morning(clock: FixedClock) -> None:
    clock.set(datetime(2026, 11, 25, 8, 0, tzinfo=UTC))  # 09:00 in Stockholm


async def test_unanswered_ticket_is_warned_then_breached_once_each(
    desk: Desk, slack: LocalSlack, clock: FixedClock
) -> None:
    await printer_ticket(desk, slack)  # low priority: first response within 9 working hours
    the_card = card(slack)

    clock.set(datetime(2026, 11, 25, 15, 0, tzinfo=UTC))  # 16:00 Stockholm: past 75% (15:45)
    for _ in range(2):
        await desk.sla.sweep()
        await desk.settle()
    warnings = [m for m in slack.thread("#it-triage", the_card.ts) if ":hourglass_flowing_sand:" in m.text]
    assert len(warnings) == 1
    assert "*IT-1*" in warnings[0].text_content

    clock.set(datetime(2026, 11, 26, 8, 30, tzinfo=UTC))  # Thursday 09:30: past the due time (09:00)
    for _ in range(2):
        await desk.sla.sweep()
        await desk.settle()
    breaches = [m for m in slack.thread("#it-triage", the_card.ts) if ":rotating_light:" in m.text]
    assert len(breaches) == 1
    lead_dms = [m for m in slack.dm_with("lena-it") if ":rotating_light:" in m.text]
    assert len(lead_dms) == 1
    # Lena's Slack locale is Swedish, so her DM is too; the card's thread uses the desk's language.
    assert "första svaret skulle ha kommit senast i dag 09:00 (mål 9 arbetstimmar)" in lead_dms[0].text_content
    assert "the first response was due 09:00 today (9 working hours target)" in breaches[0].text_content
