"""After resolution: confirm or reopen, auto-close after the grace period, replies after closing, ratings and
the lead's follow-up on a low one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.blocks.ids import ActionId, CallbackId
from bot.bootstrap import Desk
from bot.clock import FixedClock
from bot.db.models import Feedback, Ticket
from bot.localslack.driver import LocalSlack, Posted
from bot.localslack.models import Message
from tests.databases import Database

ANNA, LENA = "U0ANNA0001", "U0LENA0001"


@pytest.fixture(autouse=True)
def _wednesday_morning(clock: FixedClock) -> None:
    clock.set(datetime(2026, 11, 25, 8, 0, tzinfo=UTC))  # 09:00 in Stockholm


async def ticket(db: Database, key: str = "IT-1") -> Ticket:
    async with db.sessions() as session:
        row = await session.scalar(select(Ticket).where(Ticket.key == key))
        assert row is not None
        return row


async def feedback(db: Database) -> Feedback | None:
    async with db.sessions() as session:
        return await session.scalar(select(Feedback))


async def resolved_printer_ticket(desk: Desk, slack: LocalSlack) -> Posted:
    posted = await slack.send_message("anna", "anna", "the printer on floor 3 is jammed again")
    await desk.settle()
    await slack.click(
        "anna", slack.thread("anna", posted.message.ts)[-1], ActionId.CHOOSE_ITEM, block_id="offer.printer-problem"
    )
    await slack.submit_view("anna", slack.open_views("anna")[-1], {})
    await desk.settle()
    card = slack.messages_in("#it-triage")[-1]
    await slack.click("oskar-it", card, ActionId.CLAIM)
    await desk.settle()
    await slack.click("oskar-it", slack.messages_in("#it-triage")[-1], ActionId.RESOLVE)
    await slack.submit_view("oskar-it", slack.open_views("oskar-it")[-1], {"desk.note_text.value": "Cleared the jam"})
    await desk.settle()
    return posted


def last_in_thread(slack: LocalSlack, posted: Posted) -> Message:
    return slack.thread("anna", posted.message.ts)[-1]


def message_with(slack: LocalSlack, posted: Posted, text: str) -> Message:
    return next(m for m in reversed(slack.thread("anna", posted.message.ts)) if text in m.text_content)


async def test_yes_solved_closes_and_asks_for_a_rating(desk: Desk, slack: LocalSlack, db: Database) -> None:
    posted = await resolved_printer_ticket(desk, slack)
    resolution = message_with(slack, posted, "has resolved *IT-1*")
    assert "Yes, solved" in resolution.text_content
    await slack.click("anna", resolution, ActionId.CONFIRM_SOLVED)
    await desk.settle()
    assert (await ticket(db)).state == "closed"
    survey = last_in_thread(slack, posted)
    assert "How did *IT* do with *IT-1*?" in survey.text_content

    await slack.click("anna", survey, f"{ActionId.RATE}.1")
    comment_form = slack.open_views("anna")[-1]
    assert comment_form.callback_id == CallbackId.RATING_COMMENT_FORM
    await slack.submit_view("anna", comment_form, {"desk.note_text.value": "Took three days for a paper jam"})
    clock: FixedClock = desk.clock  # type: ignore[assignment]
    clock.advance(timedelta(minutes=1))
    await desk.settle()

    stored = await feedback(db)
    assert stored is not None
    assert (stored.rating, stored.comment, stored.agent_id, stored.team_id, stored.catalog_item_id) == (
        1,
        "Took three days for a paper jam",
        "U0OSKAR001",
        "it",
        "printer-problem",
    )
    alert = slack.dm_with("lena-it")[-1]
    assert "rated *IT-1* 1 of 5" in alert.text_content or "gav *IT-1* 1 av 5" in alert.text_content
    assert "Took three days for a paper jam" in alert.text_content

    await slack.click("lena-it", alert, ActionId.FOLLOW_UP)
    await slack.submit_view(
        "lena-it", slack.open_views("lena-it")[-1], {"desk.note_text.value": "Called Anna, new printer ordered"}
    )
    await desk.settle()
    stored = await feedback(db)
    assert stored is not None
    assert (stored.followed_up_by, stored.follow_up_note) == (LENA, "Called Anna, new printer ordered")

    # A second click on the rating buttons does not change the first answer.
    await slack.click("anna", survey, f"{ActionId.RATE}.4")
    await desk.settle()
    stored = await feedback(db)
    assert stored is not None
    assert stored.rating == 1


async def test_a_good_rating_does_not_alert_the_lead(desk: Desk, slack: LocalSlack, db: Database) -> None:
    posted = await resolved_printer_ticket(desk, slack)
    await slack.click("anna", message_with(slack, posted, "has resolved *IT-1*"), ActionId.CONFIRM_SOLVED)
    await desk.settle()
    survey = last_in_thread(slack, posted)
    await slack.click("anna", survey, f"{ActionId.RATE}.5")
    await slack.close_view("anna", slack.open_views("anna")[-1])
    desk.clock.advance(timedelta(minutes=10))  # type: ignore[attr-defined]
    await desk.settle()
    stored = await feedback(db)
    assert stored is not None
    assert stored.rating == 5
    assert all("of 5" not in m.text_content and "av 5" not in m.text_content for m in slack.dm_with("lena-it"))


async def test_still_a_problem_reopens_to_the_same_agent_with_the_reason(
    desk: Desk, slack: LocalSlack, db: Database
) -> None:
    posted = await resolved_printer_ticket(desk, slack)
    await slack.click("anna", message_with(slack, posted, "has resolved *IT-1*"), ActionId.STILL_A_PROBLEM)
    form = slack.open_views("anna")[-1]
    assert form.callback_id == CallbackId.REOPEN_FORM
    await slack.submit_view("anna", form, {"desk.note_text.value": "It jams again after ten pages"})
    await desk.settle()
    row = await ticket(db)
    assert (row.state, row.assignee_id) == ("in_progress", "U0OSKAR001")
    card = slack.messages_in("#it-triage")[-1]
    assert any("It jams again after ten pages" in m.text_content for m in slack.thread("#it-triage", card.ts))
    assert "is open again" in last_in_thread(slack, posted).text_content


async def test_unanswered_resolution_closes_after_three_working_days(
    desk: Desk, slack: LocalSlack, db: Database
) -> None:
    posted = await resolved_printer_ticket(desk, slack)  # resolved Wednesday 09:00
    clock: FixedClock = desk.clock  # type: ignore[assignment]
    clock.set(datetime(2026, 11, 30, 7, 59, tzinfo=UTC))  # Monday 08:59: 26h59m of working time later
    assert await desk.feedback.close_unanswered() == 0
    clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))  # 27 working hours: Wed, Thu, Fri
    assert await desk.feedback.close_unanswered() == 1
    await desk.settle()
    assert (await ticket(db)).state == "closed"
    assert "since we did not hear back" in message_with(slack, posted, "did not hear back").text_content


async def test_a_reply_after_closing_opens_a_linked_ticket(desk: Desk, slack: LocalSlack, db: Database) -> None:
    posted = await resolved_printer_ticket(desk, slack)
    await slack.click("anna", message_with(slack, posted, "has resolved *IT-1*"), ActionId.CONFIRM_SOLVED)
    await desk.settle()
    await slack.send_message("anna", "anna", "sorry, it is jammed again today", thread_ts=posted.message.ts)
    await desk.settle()
    old, new = await ticket(db, "IT-1"), await ticket(db, "IT-2")
    assert old.state == "closed"
    assert (new.state, new.linked_ticket_id, new.catalog_item_id) == ("open", old.id, "printer-problem")
    assert (
        "I opened *IT-2* with *IT* for it, linked to the old one" in message_with(slack, posted, "linked").text_content
    )


async def test_no_survey_for_an_agents_own_ticket_or_within_the_cooldown(desk: Desk, db: Database) -> None:
    from bot.services.tickets import NewTicket

    own = await desk.tickets.open_ticket(
        NewTicket(
            team_id="it", title="Test printer", description="test", requester_id=LENA, kind="request", priority="low"
        )
    )
    await desk.tickets.claim(own.id, LENA)
    await desk.tickets.resolve(own.id, actor_id=LENA, note="done")
    await desk.tickets.close(own.id, actor_id=LENA, reason="confirmed")
    assert await feedback(db) is None

    for _ in range(2):
        mine = await desk.tickets.open_ticket(
            NewTicket(
                team_id="it", title="Mouse", description="mouse", requester_id=ANNA, kind="request", priority="low"
            )
        )
        await desk.tickets.claim(mine.id, LENA)
        await desk.tickets.resolve(mine.id, actor_id=LENA, note="done")
        await desk.tickets.close(mine.id, actor_id=ANNA, reason="confirmed")
    async with db.sessions() as session:
        surveys = list(await session.scalars(select(Feedback)))
    assert len(surveys) == 1
