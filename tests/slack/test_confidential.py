"""A confidential team's ticket (HR) never shows outside its triage channel and the requester's DM."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.blocks.ids import ActionId
from bot.bootstrap import Desk
from bot.clock import FixedClock
from bot.db.models import Ticket
from bot.localslack.driver import LocalSlack
from tests.databases import Database

SECRET = "my manager keeps commenting on my weight in meetings"


@pytest.fixture(autouse=True)
def _wednesday_morning(clock: FixedClock) -> None:
    clock.set(datetime(2026, 11, 25, 8, 0, tzinfo=UTC))


def everything_outside(slack: LocalSlack, allowed: set[str]) -> str:
    """All text in every channel except the allowed ones (threads included)."""
    return "\n".join(m.text_content for (channel, _), m in slack.workspace.messages.items() if channel not in allowed)


async def test_hr_request_from_a_public_channel_stays_private(
    desk: Desk, slack: LocalSlack, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # what the desk runs at; DEBUG is for a developer's own machine
    anna_dm = slack.workspace.open_im("U0ANNA0001").id
    posted = await slack.send_message("anna", "#general", f"<@U0DESKBOT1> {SECRET}, who do I talk to about harassment?")
    await desk.settle()
    await slack.click(
        "anna",
        slack.thread("#general", posted.message.ts)[-1],
        ActionId.CHOOSE_ITEM,
        block_id="offer.workplace-concern",
    )
    await slack.submit_view("anna", slack.open_views("anna")[-1], {"desk.description.value": SECRET})
    await desk.settle()

    async with db.sessions() as session:
        ticket = await session.scalar(select(Ticket))
    assert ticket is not None
    assert (ticket.team_id, ticket.key) == ("hr", "HR-1")
    assert SECRET in slack.messages_in("#hr-triage")[-1].text_content
    assert "*HR-1*" in slack.dm_with("anna")[-1].text_content
    # Anna's own words are in her question in #general (she wrote them there); the desk added nothing more.
    outside = everything_outside(slack, {"C0HRTRIAGE", anna_dm})
    assert "HR-1" not in outside
    assert outside.count(SECRET) == 1
    leaks = [(r.name, r.getMessage()[:200]) for r in caplog.records if SECRET in r.getMessage()]
    assert leaks == []


async def test_moving_into_hr_scrubs_the_old_card_and_moving_out_withholds_details(
    desk: Desk, slack: LocalSlack, db: Database
) -> None:
    posted = await slack.send_message("anna", "anna", SECRET)
    await desk.settle()
    await slack.click("anna", slack.thread("anna", posted.message.ts)[-1], ActionId.FREE_TEXT)
    await slack.submit_view("anna", slack.open_views("anna")[-1], {})
    await desk.settle()
    it_card = slack.messages_in("#it-triage")[-1]
    assert SECRET in it_card.text_content

    async with db.sessions() as session:
        ticket = await session.scalar(select(Ticket))
    assert ticket is not None
    await slack.click("lena-it", it_card, ActionId.CARD_MENU, f"move:{ticket.id}:hr")
    await desk.settle()
    scrubbed = slack.workspace.message(it_card.channel, it_card.ts).text_content
    assert SECRET not in scrubbed
    assert "moved to HR" in scrubbed
    assert all(SECRET not in m.text_content for m in slack.thread("#it-triage", it_card.ts))
    assert SECRET in slack.messages_in("#hr-triage")[-1].text_content

    # HR sends it on to Facilities: their card carries no words from the confidential conversation.
    await slack.click(
        "agnes-hr", slack.messages_in("#hr-triage")[-1], ActionId.CARD_MENU, f"move:{ticket.id}:facilities"
    )
    await desk.settle()
    facilities_card = slack.messages_in("#facilities-triage")[-1].text_content
    assert SECRET not in facilities_card
    assert "Moved here from a confidential team" in facilities_card
