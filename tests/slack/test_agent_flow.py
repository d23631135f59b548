"""Agents work tickets from the triage card; the requester is kept in the loop; only the right people act."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.blocks.ids import ActionId, CallbackId
from bot.bootstrap import Desk
from bot.clock import FixedClock
from bot.db.models import Comment, Ticket, TicketEvent
from bot.localslack.driver import LocalSlack, Posted
from bot.localslack.models import Channel, Message, User
from tests.databases import Database

ANNA, LENA, OSKAR, INGRID = "U0ANNA0001", "U0LENA0001", "U0OSKAR001", "U0INGRID01"


@pytest.fixture(autouse=True)
def _wednesday_morning(clock: FixedClock) -> None:
    clock.set(datetime(2026, 11, 25, 8, 0, tzinfo=UTC))  # 09:00 in Stockholm


async def ticket_row(db: Database, key: str = "IT-1") -> Ticket:
    async with db.sessions() as session:
        row = await session.scalar(select(Ticket).where(Ticket.key == key))
        assert row is not None
        return row


async def events(db: Database, kind: str) -> int:
    async with db.sessions() as session:
        return int(
            await session.scalar(select(func.count()).select_from(TicketEvent).where(TicketEvent.type == kind)) or 0
        )


async def open_ticket(
    desk: Desk, slack: LocalSlack, text: str, item: str, values: dict[str, str] | None = None
) -> Posted:
    posted = await slack.send_message("anna", "anna", text)
    await desk.settle()
    await slack.click(
        "anna", slack.thread("anna", posted.message.ts)[-1], ActionId.CHOOSE_ITEM, block_id=f"offer.{item}"
    )
    await slack.submit_view("anna", slack.open_views("anna")[-1], values or {})
    await desk.settle()
    return posted


def card(slack: LocalSlack, channel: str = "#it-triage") -> Message:
    return slack.messages_in(channel)[-1]


async def printer_ticket(desk: Desk, slack: LocalSlack) -> Posted:
    return await open_ticket(desk, slack, "the printer on floor 3 is jammed again", "printer-problem")


async def test_card_shows_everything_and_claim_tells_the_requester(desk: Desk, slack: LocalSlack, db: Database) -> None:
    posted = await printer_ticket(desk, slack)
    shown = card(slack).text_content
    for expected in ("IT-1", "<@U0ANNA0001>", "Printer or scanner problem", "problem report", "low", "open", "Claim"):
        assert expected in shown

    await slack.click("lena-it", card(slack), ActionId.CLAIM)
    await desk.settle()
    assert "<@U0LENA0001>" in card(slack).text_content
    assert "in progress" in card(slack).text_content
    assert "<@U0LENA0001> is now working on *IT-1*." in slack.thread("anna", posted.message.ts)[-1].text_content
    assert "<@U0LENA0001> claimed IT-1." in slack.thread("#it-triage", card(slack).ts)[-1].text_content
    row = await ticket_row(db)
    assert row.first_response_at == desk.clock.now()


async def test_twenty_agents_pressing_claim_at_once(desk: Desk, slack: LocalSlack, db: Database) -> None:
    extra = [f"U0AGENT{n:03d}" for n in range(18)]
    triage: Channel = slack.workspace.channel("#it-triage")
    for number, user_id in enumerate(extra):
        slack.workspace.users[user_id] = User(
            id=user_id, handle=f"agent-{number}", real_name=f"Agent {number}", email=f"a{number}@example.se"
        )
        triage.members.add(user_id)
        # Team membership through the IT user group, resolved by usergroups.users.list.
        slack.workspace.usergroups["S0ITAGENTS"].users.append(user_id)
    await printer_ticket(desk, slack)
    the_card = card(slack)
    agents = [LENA, OSKAR, *extra]
    assert len(agents) == 20

    answers = await asyncio.gather(*(slack.click(agent, the_card, ActionId.CLAIM) for agent in agents))
    await desk.settle()

    assert {a.status for a in answers} == {200}
    row = await ticket_row(db)
    assert row.assignee_id in agents
    assert row.state == "in_progress"
    assert await events(db, "claimed") == 1
    # Each loser hears it in their own language (Lena's Slack is in Swedish).
    notices = [
        e
        for e in slack.workspace.ephemerals
        if "IT-1 is already claimed by" in e.text_content or "IT-1 har redan tagits av" in e.text_content
    ]
    assert len(notices) == 19
    assert all(f"<@{row.assignee_id}>" in e.text_content for e in notices)
    assert row.assignee_id not in {e.user for e in notices}


async def test_assign_priority_wait_relay_resolve(desk: Desk, slack: LocalSlack, db: Database) -> None:
    posted = await printer_ticket(desk, slack)
    await slack.click("lena-it", card(slack), ActionId.CLAIM)
    await desk.settle()

    # Reassignment by an admin tells both agents.
    await slack.click("ingrid-admin", card(slack), ActionId.ASSIGN, OSKAR)
    await desk.settle()
    assert (await ticket_row(db)).assignee_id == OSKAR
    assert "assigned *IT-1* to you" in slack.dm_with("oskar-it")[-1].text_content
    assert "it is no longer yours" in slack.dm_with("lena-it")[-1].text_content

    await slack.click("oskar-it", card(slack), ActionId.PRIORITY, "high")
    await desk.settle()
    assert (await ticket_row(db)).priority == "high"
    assert (
        "changed the priority of IT-1 from low to high" in slack.thread("#it-triage", card(slack).ts)[-1].text_content
    )

    await slack.click("oskar-it", card(slack), ActionId.WAIT)
    await desk.settle()
    assert (await ticket_row(db)).state == "waiting_on_requester"
    assert "needs a little more from you" in slack.thread("anna", posted.message.ts)[-1].text_content

    # The requester answers in her thread: it reaches the card's thread and the clock runs again.
    await slack.send_message("anna", "anna", "It's the HP on the left, by the window", thread_ts=posted.message.ts)
    await desk.settle()
    assert (await ticket_row(db)).state == "in_progress"
    triage_thread = slack.thread("#it-triage", card(slack).ts)
    assert any("It's the HP on the left, by the window" in m.text_content for m in triage_thread)

    # A public reply reaches Anna; an internal one (// prefix) and a Note stay in triage.
    await slack.send_message("oskar-it", "#it-triage", "Replacing the fuser now", thread_ts=card(slack).ts)
    await slack.send_message(
        "oskar-it", "#it-triage", "// third time this month, order a new one", thread_ts=card(slack).ts
    )
    await slack.click("oskar-it", card(slack), ActionId.NOTE)
    note_form = slack.open_views("oskar-it")[-1]
    assert note_form.callback_id == CallbackId.NOTE_FORM
    await slack.submit_view("oskar-it", note_form, {"desk.note_text.value": "Supplier ticket 4411"})
    await desk.settle()
    anna_sees = " ".join(m.text_content for m in slack.thread("anna", posted.message.ts))
    assert "Replacing the fuser now" in anna_sees
    assert "third time this month" not in anna_sees
    assert "Supplier ticket 4411" not in anna_sees
    assert "Internal note by <@U0OSKAR001>" in slack.thread("#it-triage", card(slack).ts)[-1].text_content
    async with db.sessions() as session:
        comments = sorted((c.body, c.internal) for c in await session.scalars(select(Comment)))
    assert comments == sorted(
        [
            ("It's the HP on the left, by the window", False),
            ("Replacing the fuser now", False),
            ("// third time this month, order a new one", True),
            ("Supplier ticket 4411", True),
        ]
    )

    await slack.click("oskar-it", card(slack), ActionId.RESOLVE)
    form = slack.open_views("oskar-it")[-1]
    assert form.callback_id == CallbackId.RESOLVE_FORM
    await slack.submit_view("oskar-it", form, {"desk.note_text.value": "Replaced the fuser unit"})
    await desk.settle()
    row = await ticket_row(db)
    assert (row.state, row.resolution_note) == ("resolved", "Replaced the fuser unit")
    assert "has resolved *IT-1*" in slack.thread("anna", posted.message.ts)[-1].text_content
    assert "Replaced the fuser unit" in slack.thread("anna", posted.message.ts)[-1].text_content
    assert "resolved" in card(slack).text_content


async def test_move_to_another_team_reposts_the_card(desk: Desk, slack: LocalSlack, db: Database) -> None:
    posted = await printer_ticket(desk, slack)
    old_card = card(slack)
    await slack.click("lena-it", old_card, ActionId.CARD_MENU, f"move:{(await ticket_row(db)).id}:facilities")
    await desk.settle()
    row = await ticket_row(db)
    assert (row.team_id, row.state, row.assignee_id) == ("facilities", "open", None)
    assert "IT-1 was moved to Facilities" in slack.workspace.message(old_card.channel, old_card.ts).text_content
    assert "IT-1" in card(slack, "#facilities-triage").text_content
    assert "has moved to *Facilities*" in slack.thread("anna", posted.message.ts)[-1].text_content
    # The new team acts on it; the old team no longer can.
    await slack.click("lena-it", card(slack, "#facilities-triage"), ActionId.CLAIM)
    await slack.click("maja-facilities", card(slack, "#facilities-triage"), ActionId.CLAIM)
    await desk.settle()
    assert (await ticket_row(db)).assignee_id == "U0MAJA0001"


async def test_cancel_as_duplicate_and_requester_cancels_own(desk: Desk, slack: LocalSlack, db: Database) -> None:
    await printer_ticket(desk, slack)
    await slack.click("lena-it", card(slack), ActionId.CARD_MENU, f"cancel:{(await ticket_row(db)).id}:1")
    await desk.settle()
    assert (await ticket_row(db)).state == "cancelled"

    posted = await open_ticket(
        desk, slack, "my vpn drops every few minutes", "vpn-problem", {"field.summary.value": "drops"}
    )
    confirmation = next(m for m in slack.thread("anna", posted.message.ts) if "Your request *IT-2*" in m.text_content)
    await slack.click("anna", confirmation, ActionId.CANCEL_OWN)
    await desk.settle()
    assert (await ticket_row(db, "IT-2")).state == "cancelled"


ACTIONS = [
    (ActionId.CLAIM, None),
    (ActionId.ASSIGN, "U0ERIK0001"),
    (ActionId.PRIORITY, "critical"),
    (ActionId.RESOLVE, None),
    (ActionId.NOTE, None),
    (ActionId.CARD_MENU, "cancel"),
    (ActionId.CARD_MENU, "move"),
]


@pytest.mark.parametrize(("action", "choice"), ACTIONS, ids=[f"{a.value}-{c}" for a, c in ACTIONS])
async def test_strangers_are_refused_and_nothing_changes(
    desk: Desk, slack: LocalSlack, db: Database, action: ActionId, choice: str | None
) -> None:
    await printer_ticket(desk, slack)
    before = await ticket_row(db)
    # #it-triage is public: anyone may join and see the card, but only IT's agents may act on it.
    slack.workspace.channel("#it-triage").members.update({ANNA, "U0SARA0001"})
    if choice == "cancel":
        choice = f"cancel:{before.id}:{before.version}"
    elif choice == "move":
        choice = f"move:{before.id}:hr"
    # Anna is the requester, not an agent; Sara is an agent of another team.
    for stranger in ("anna", "sara-comms"):
        await slack.click(stranger, card(slack), action, choice)
    await desk.settle()
    after = await ticket_row(db)
    assert (after.state, after.version, after.assignee_id, after.priority, after.team_id) == (
        before.state,
        before.version,
        before.assignee_id,
        before.priority,
        before.team_id,
    )
    for stranger in ("anna", "sara-comms"):
        assert "only the team's agents can do that" in slack.ephemerals_for(stranger)[-1].text_content
    assert slack.open_views("anna") == []


async def test_wait_is_refused_to_a_stranger_too(desk: Desk, slack: LocalSlack, db: Database) -> None:
    await printer_ticket(desk, slack)
    await slack.click("lena-it", card(slack), ActionId.CLAIM)
    await desk.settle()
    version = (await ticket_row(db)).version
    slack.workspace.channel("#it-triage").members.add("U0SARA0001")
    await slack.click("sara-comms", card(slack), ActionId.WAIT)
    await desk.settle()
    assert (await ticket_row(db)).version == version
    assert "only the team's agents" in slack.ephemerals_for("sara-comms")[-1].text_content


async def test_someone_else_cannot_cancel_the_requesters_ticket(desk: Desk, slack: LocalSlack, db: Database) -> None:
    posted = await printer_ticket(desk, slack)
    confirmation = next(m for m in slack.thread("anna", posted.message.ts) if "Your request *IT-1*" in m.text_content)
    value = json.dumps({"k": (await ticket_row(db)).id})
    # Erik forges the button into his own DM (he cannot see Anna's).
    forged = slack.workspace.post(
        slack.workspace.open_im("U0ERIK0001"),
        text="x",
        user=slack.workspace.app.bot_user_id,
        blocks=[
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": ActionId.CANCEL_OWN,
                        "value": value,
                        "text": {"type": "plain_text", "text": "Cancel"},
                    }
                ],
            }
        ],
    )
    await slack.click("erik", forged, ActionId.CANCEL_OWN)
    await desk.settle()
    assert (await ticket_row(db)).state == "open"
    assert (
        "Bara den som frågade kan göra det med ärendet. Inget ändrades."
        in slack.ephemerals_for("erik")[-1].text_content
    )
    del confirmation


async def test_queue_lists_unassigned_work_and_claims_from_it(desk: Desk, slack: LocalSlack, db: Database) -> None:
    await printer_ticket(desk, slack)
    await slack.slash_command("lena-it", "/helpdesk", "queue")
    queue = slack.ephemerals_for("lena-it")[-1]
    # Lena's Slack is in Swedish.
    assert "Ej tilldelade i dina team, mest brådskande först" in queue.text_content
    assert "*IT-1*" in queue.text_content
    await slack.click("lena-it", queue.ts, ActionId.CLAIM)
    await desk.settle()
    assert (await ticket_row(db)).assignee_id == LENA

    await slack.slash_command("lena-it", "/helpdesk", "queue")
    mine = slack.ephemerals_for("lena-it")[-1].text_content
    assert mine.index("*IT-1*") < mine.index("Ej tilldelade i dina team")

    await slack.slash_command("anna", "/helpdesk", "queue")
    assert "You are not an agent of any team" in slack.ephemerals_for("anna")[-1].text_content


async def test_agents_home_shows_their_queue(desk: Desk, slack: LocalSlack) -> None:
    await printer_ticket(desk, slack)
    await slack.open_app_home("lena-it")
    await desk.settle()
    home = slack.home_of("lena-it")
    assert home is not None
    assert "Din kö" in home.text_content
    assert "*IT-1*" in home.text_content
    await slack.open_app_home("anna")
    await desk.settle()
    anna_home = slack.home_of("anna")
    assert anna_home is not None
    assert "Your queue" not in anna_home.text_content
    assert "*IT-1*" in anna_home.text_content
