"""Approval before work: any/all, reject with a reason, reminders, fallback approvers, strangers refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.blocks.ids import ActionId, CallbackId
from bot.bootstrap import Desk
from bot.clock import FixedClock
from bot.db.models import Approval, Ticket
from bot.localslack.driver import LocalSlack, Posted
from bot.localslack.models import Message
from tests.databases import Database

MAGNUS, LENA, INGRID = "U0MAGNUS01", "U0LENA0001", "U0INGRID01"


@pytest.fixture(autouse=True)
def _wednesday_morning(clock: FixedClock) -> None:
    clock.set(datetime(2026, 11, 25, 8, 0, tzinfo=UTC))


async def the_ticket(db: Database) -> Ticket:
    async with db.sessions() as session:
        row = await session.scalar(select(Ticket))
        assert row is not None
        return row


async def approvals(db: Database) -> list[tuple[str, str]]:
    async with db.sessions() as session:
        return [(a.approver_id, a.state) for a in await session.scalars(select(Approval).order_by(Approval.id))]


async def request(desk: Desk, slack: LocalSlack, text: str, item: str, values: dict[str, str]) -> Posted:
    posted = await slack.send_message("anna", "anna", text)
    await desk.settle()
    await slack.click(
        "anna", slack.thread("anna", posted.message.ts)[-1], ActionId.CHOOSE_ITEM, block_id=f"offer.{item}"
    )
    await slack.submit_view("anna", slack.open_views("anna")[-1], values)
    await desk.settle()
    return posted


async def software(desk: Desk, slack: LocalSlack) -> Posted:
    # software-install needs the requester's manager: Anna's is Magnus (from the Slack profile field).
    return await request(
        desk,
        slack,
        "I need Blender installed for the 3D mockups",
        "software-install",
        {"field.software.value": "Blender", "field.reason.value": "3D mockups"},
    )


def approval_dm(slack: LocalSlack, who: str) -> Message:
    return next(
        m
        for m in reversed(slack.dm_with(who))
        if "needs your approval" in m.text_content or "behöver ditt godkännande" in m.text_content
    )


async def test_manager_approves_and_the_ticket_goes_to_the_team(desk: Desk, slack: LocalSlack, db: Database) -> None:
    posted = await software(desk, slack)
    assert (await the_ticket(db)).state == "awaiting_approval"
    assert slack.messages_in("#it-triage") == []  # not the team's until approved
    assert "needs approval before *IT* can start" in slack.thread("anna", posted.message.ts)[-1].text_content
    dm = approval_dm(slack, "magnus")
    assert "Blender" in dm.text_content

    await slack.click("magnus", dm, ActionId.APPROVE)
    await desk.settle()
    assert (await the_ticket(db)).state == "open"
    assert await approvals(db) == [(MAGNUS, "approved")]
    assert "IT-1" in slack.messages_in("#it-triage")[-1].text_content
    assert "was approved and is now with *IT*" in slack.thread("anna", posted.message.ts)[-1].text_content
    assert "Du godkände *IT-1*" in slack.workspace.message(dm.channel, dm.ts).text_content


async def test_reject_needs_a_reason_and_ends_the_ticket(desk: Desk, slack: LocalSlack, db: Database) -> None:
    posted = await software(desk, slack)
    await slack.click("magnus", approval_dm(slack, "magnus"), ActionId.REJECT)
    form = slack.open_views("magnus")[-1]
    assert form.callback_id == CallbackId.REJECT_FORM
    await slack.submit_view("magnus", form, {"desk.note_text.value": "Use the licensed <Maya> seat instead"})
    await desk.settle()
    assert (await the_ticket(db)).state == "rejected"
    told = slack.thread("anna", posted.message.ts)[-1].text_content
    assert "*IT-1* was not approved: Use the licensed &lt;Maya&gt; seat instead" in told
    assert slack.messages_in("#it-triage") == []


async def test_strangers_and_the_requester_cannot_decide(desk: Desk, slack: LocalSlack, db: Database) -> None:
    await software(desk, slack)
    dm = approval_dm(slack, "magnus")
    # Lena and Anna forge the button into their own DMs.
    for who in ("lena-it", "anna"):
        forged = slack.workspace.post(
            slack.workspace.open_im(slack.workspace.user(who).id), text="x", user="U0DESKBOT1", blocks=dm.blocks
        )
        await slack.click(who, forged, ActionId.APPROVE)
        await slack.click(who, forged, ActionId.REJECT)
    await desk.settle()
    assert (await the_ticket(db)).state == "awaiting_approval"
    assert await approvals(db) == [(MAGNUS, "pending")]
    assert slack.open_views("lena-it") == []
    assert "Inget ändrades" in slack.ephemerals_for("lena-it")[-1].text_content
    assert "Nothing was changed" in slack.ephemerals_for("anna")[-1].text_content


async def test_reminder_after_the_configured_time(desk: Desk, slack: LocalSlack, db: Database) -> None:
    await software(desk, slack)
    clock: FixedClock = desk.clock  # type: ignore[assignment]
    clock.advance(timedelta(hours=3, minutes=59))
    assert await desk.approvals.remind() == 0
    clock.advance(timedelta(minutes=1))
    assert await desk.approvals.remind() == 1
    assert await desk.approvals.remind() == 0  # once
    await desk.settle()
    dm = approval_dm(slack, "magnus")
    reminder = slack.thread(dm.channel, dm.ts)[-1].text_content
    assert "påminnelse" in reminder
    assert "*IT-1*" in reminder


async def test_a_deactivated_manager_is_replaced_by_the_fallback(desk: Desk, slack: LocalSlack, db: Database) -> None:
    slack.workspace.users[MAGNUS].deleted = True
    await software(desk, slack)
    assert await approvals(db) == [(INGRID, "pending")]
    await slack.click("ingrid-admin", approval_dm(slack, "ingrid-admin"), ActionId.APPROVE)
    await desk.settle()
    assert (await the_ticket(db)).state == "open"


async def test_mode_all_needs_every_approver(desk: Desk, slack: LocalSlack, db: Database) -> None:
    item = desk.config.item("shared-folder-access")
    assert item.approval is not None
    desk.config.item("shared-folder-access").approval.__dict__.update(users=[LENA, MAGNUS], mode="all")  # type: ignore[union-attr]
    await request(
        desk, slack, "I need write access to the Q4 campaign folder", "shared-folder-access", {"field.path.value": "Q4"}
    )
    assert sorted(await approvals(db)) == sorted([(LENA, "pending"), (MAGNUS, "pending")])
    await slack.click("lena-it", approval_dm(slack, "lena-it"), ActionId.APPROVE)
    await desk.settle()
    assert (await the_ticket(db)).state == "awaiting_approval"
    await slack.click("magnus", approval_dm(slack, "magnus"), ActionId.APPROVE)
    await desk.settle()
    assert (await the_ticket(db)).state == "open"


async def test_mode_any_takes_the_first_decision(desk: Desk, slack: LocalSlack, db: Database) -> None:
    desk.config.item("shared-folder-access").approval.__dict__.update(users=[LENA, MAGNUS], mode="any")  # type: ignore[union-attr]
    await request(
        desk, slack, "I need write access to the Q4 campaign folder", "shared-folder-access", {"field.path.value": "Q4"}
    )
    await slack.click("magnus", approval_dm(slack, "magnus"), ActionId.APPROVE)
    await desk.settle()
    assert (await the_ticket(db)).state == "open"
    await slack.click("lena-it", approval_dm(slack, "lena-it"), ActionId.APPROVE)
    await desk.settle()
    assert (await the_ticket(db)).state == "open"
