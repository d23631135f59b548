"""An employee asks in plain words and gets an answer or a ticket: DM, mention, /helpdesk, shortcuts,
reaction, modal with validation, App Home, in English and Swedish."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.blocks.ids import ActionId, CallbackId
from bot.bootstrap import Desk
from bot.clock import FixedClock
from bot.db.models import LearnedPhrasing, Ticket
from bot.localslack.driver import LocalSlack
from tests.databases import Database

ANNA, ERIK, LENA = "U0ANNA0001", "U0ERIK0001", "U0LENA0001"
WEDNESDAY_1330 = datetime(2026, 11, 25, 12, 30, tzinfo=UTC)  # 13:30 in Stockholm


@pytest.fixture(autouse=True)
def _wednesday_afternoon(clock: FixedClock) -> None:
    clock.set(WEDNESDAY_1330)


async def tickets_in(db: Database) -> list[Ticket]:
    async with db.sessions() as session:
        return list(await session.scalars(select(Ticket).order_by(Ticket.id)))


async def test_dm_choose_validate_submit_confirm_and_card(desk: Desk, slack: LocalSlack, db: Database) -> None:
    posted = await slack.send_message("anna", "anna", "my laptop won't start, black screen since this morning")
    await desk.settle()

    reply = slack.thread("anna", posted.message.ts)[-1]
    assert "Laptop broken or won't start" in reply.text_content
    assert "IT usually answers within 1 working hour; now that would be by 14:30 today." in reply.text_content

    await slack.click("anna", reply, ActionId.CHOOSE_ITEM, block_id="offer.laptop-broken")
    form = slack.open_views("anna")[-1]
    assert form.callback_id == CallbackId.REQUEST_FORM
    # Prefilled with what Anna wrote, and the item's own fields from app.yaml.
    assert "black screen since this morning" in str(form.blocks)
    assert "Asset tag (sticker under the laptop)" in form.text_content

    # Slack's client only checks that required inputs are not empty; blank or zero-width text is the desk's
    # to refuse, next to each field.
    answer = await slack.submit_view(
        "anna",
        form,
        {"desk.description.value": "\u200b \u200b", "field.summary.value": "   ", "field.can_work.value": "no"},
    )
    assert answer.json()["response_action"] == "errors"
    assert answer.json()["errors"] == {
        "desk.description": "Please fill this in.",
        "field.summary": "Please fill this in.",
    }
    assert await tickets_in(db) == []

    answer = await slack.submit_view(
        "anna",
        form,
        {
            "desk.description.value": "My laptop won't start, black screen since this morning",
            "field.summary.value": "Black screen, fan spins",
            "field.can_work.value": "no",
        },
    )
    assert answer.status == 200
    assert answer.json() is None  # an empty answer closes the modal
    await desk.settle()

    [ticket] = await tickets_in(db)
    assert (ticket.key, ticket.team_id, ticket.catalog_item_id, ticket.priority) == (
        "IT-1",
        "it",
        "laptop-broken",
        "high",
    )
    assert ticket.fields == {"summary": "Black screen, fan spins", "can_work": "no"}
    confirmation = slack.thread("anna", posted.message.ts)[-1].text_content
    assert "Your request *IT-1* is with *IT*, priority high. Expected first response by 14:30 today." in confirmation
    card = slack.messages_in("#it-triage")[-1]
    assert "IT-1" in card.text_content
    assert "<@U0ANNA0001>" in card.text_content
    assert "Black screen, fan spins" in card.text_content
    assert (ticket.triage_channel, ticket.triage_ts) == ("C0ITTRIAGE", card.ts)

    # The words Anna used are learned for the item she chose.
    async with db.sessions() as session:
        learned = list(await session.scalars(select(LearnedPhrasing.ref)))
    assert learned == ["catalog:laptop-broken"]


async def test_swedish_dm_gets_a_swedish_answer(desk: Desk, slack: LocalSlack) -> None:
    posted = await slack.send_message("erik", "erik", "behöver tillgång till Figma")
    await desk.settle()
    reply = slack.thread("erik", posted.message.ts)[-1].text_content
    assert "Tillgång till en molntjänst (Figma, Miro, Jira ...)" in reply
    assert "IT svarar oftast inom 4 arbetstimmar" in reply
    assert "Välj" in reply


async def test_mention_in_a_channel_is_answered_in_its_thread(desk: Desk, slack: LocalSlack) -> None:
    posted = await slack.send_message("anna", "#help", "<@U0DESKBOT1> the printer on floor 3 jams all the time")
    await desk.settle()
    thread = slack.thread("#help", posted.message.ts)
    assert len(thread) == 2
    assert "Printer or scanner problem" in thread[-1].text_content
    # The plain message event for the same post is not answered a second time.
    assert len(slack.messages_in("#help")) == 1


async def test_nothing_confident_is_said_honestly(desk: Desk, slack: LocalSlack) -> None:
    posted = await slack.send_message("anna", "anna", "what's the weather like in Lisbon next week")
    await desk.settle()
    reply = slack.thread("anna", posted.message.ts)[-1].text_content
    assert "I'm not sure what you need, so I won't guess." in reply
    assert "Browse services" in reply
    assert "Send to IT" in reply


async def test_free_text_request_goes_to_the_default_team(desk: Desk, slack: LocalSlack, db: Database) -> None:
    posted = await slack.send_message("anna", "anna", "what's the weather like in Lisbon next week")
    await desk.settle()
    await slack.click("anna", slack.thread("anna", posted.message.ts)[-1], ActionId.FREE_TEXT)
    form = slack.open_views("anna")[-1]
    await slack.submit_view("anna", form, {})
    await desk.settle()
    [ticket] = await tickets_in(db)
    assert (ticket.team_id, ticket.catalog_item_id, ticket.kind) == ("it", None, "request")
    assert ticket.description == "what's the weather like in Lisbon next week"


async def test_article_that_solves_it_is_learned(desk: Desk, slack: LocalSlack, db: Database) -> None:
    posted = await slack.send_message("anna", "anna", "how do I connect to the vpn from home?")
    await desk.settle()
    reply = slack.thread("anna", posted.message.ts)[-1]
    assert "Connect to the VPN from home or on the road" in reply.text_content
    await slack.click("anna", reply, ActionId.ARTICLE_SOLVED)
    await desk.settle()
    assert "glad that helped" in slack.ephemerals_for("anna")[-1].text_content
    async with db.sessions() as session:
        learned = list(await session.scalars(select(LearnedPhrasing.ref)))
    assert learned == ["article:kb-connect-vpn"]


async def test_still_need_help_offers_services(desk: Desk, slack: LocalSlack) -> None:
    posted = await slack.send_message("anna", "anna", "how do I connect to the vpn from home?")
    await desk.settle()
    await slack.click("anna", slack.thread("anna", posted.message.ts)[-1], ActionId.STILL_NEED_HELP)
    await desk.settle()
    last = slack.thread("anna", posted.message.ts)[-1].text_content
    assert "Sorry it didn't." in last
    assert "Send to IT" in last


async def test_slash_command_suggests_and_status_lists_own_tickets(desk: Desk, slack: LocalSlack) -> None:
    answer = await slack.slash_command("anna", "/helpdesk", "my pw expired and I'm locked out", channel="#general")
    assert answer.status == 200
    shown = slack.ephemerals_for("anna")[-1].text_content
    assert "Password reset or locked account" in shown

    await slack.click(
        "anna", slack.ephemerals_for("anna")[-1].ts, ActionId.CHOOSE_ITEM, block_id="offer.password-reset"
    )
    await slack.submit_view("anna", slack.open_views("anna")[-1], {})
    await desk.settle()
    # From a slash command there is no thread: the confirmation opens one in Anna's DM.
    assert "Your request *IT-1* is with *IT*" in slack.dm_with("anna")[-1].text_content

    await slack.slash_command("anna", "/helpdesk", "status")
    listing = slack.ephemerals_for("anna")[-1].text_content
    assert "*IT-1*" in listing
    assert "open" in listing

    await slack.slash_command("erik", "/helpdesk", "status IT-1")
    assert "Jag hittar inget ärende IT-1 som är ditt." in slack.ephemerals_for("erik")[-1].text_content


async def test_slash_command_text_with_the_word_payload_still_works(desk: Desk, slack: LocalSlack) -> None:
    answer = await slack.slash_command("anna", "/helpdesk", "what is the max payload for the vpn, it keeps dropping")
    assert answer.status == 200
    assert "VPN or remote access problem" in slack.ephemerals_for("anna")[-1].text_content


async def test_empty_slash_command_opens_the_catalogue(desk: Desk, slack: LocalSlack, db: Database) -> None:
    await slack.slash_command("anna", "/helpdesk", "")
    catalogue = slack.open_views("anna")[-1]
    assert catalogue.callback_id == CallbackId.CATALOGUE
    await slack.click("anna", catalogue, ActionId.PICK_ITEM, "item:employment-certificate")
    form = slack.open_views("anna")[-1]
    assert form.callback_id == CallbackId.REQUEST_FORM
    await slack.submit_view(
        "anna", form, {"desk.description.value": "For my mortgage please", "field.language.value": "en"}
    )
    await desk.settle()
    [ticket] = await tickets_in(db)
    assert (ticket.key, ticket.fields) == ("HR-1", {"language": "en"})


async def test_global_shortcut_opens_the_catalogue(desk: Desk, slack: LocalSlack) -> None:
    await slack.global_shortcut("erik", CallbackId.NEW_REQUEST_SHORTCUT)
    catalogue = slack.open_views("erik")[-1]
    assert catalogue.callback_id == CallbackId.CATALOGUE
    assert "Välj tjänsten du behöver." in catalogue.text_content


async def test_message_shortcut_prefills_text_and_permalink(desk: Desk, slack: LocalSlack, db: Database) -> None:
    posted = await slack.send_message("anna", "#general", "the heating on floor 2 is broken again, it's freezing")
    await slack.message_shortcut("lena-it", posted.message, CallbackId.TICKET_FROM_MESSAGE)
    await desk.settle()
    form = slack.open_views("lena-it")[-1]
    assert form.callback_id == CallbackId.REQUEST_FORM
    assert "the heating on floor 2 is broken again" in str(form.blocks)
    await slack.submit_view("lena-it", form, {"field.location.value": "Floor 2", "field.summary.value": "Cold"})
    await desk.settle()
    [ticket] = await tickets_in(db)
    assert ticket.team_id == "facilities"
    assert ticket.source_permalink is not None
    assert posted.message.ts in ticket.source_permalink.replace(".", "") or ticket.source_ts == posted.message.ts


async def test_ticket_emoji_opens_a_ticket_for_the_author(desk: Desk, slack: LocalSlack, db: Database) -> None:
    posted = await slack.send_message("anna", "#help", "my VPN keeps disconnecting every ten minutes")
    await desk.settle()
    await slack.add_reaction("lena-it", "#help", posted.message.ts, "ticket")
    await desk.settle()
    await slack.add_reaction("oskar-it", "#help", posted.message.ts, "ticket")
    await desk.settle()
    [ticket] = await tickets_in(db)
    assert ticket.requester_id == ANNA
    assert ticket.catalog_item_id == "vpn-problem"
    assert ticket.fields == {"opened_by": LENA}
    note = slack.thread("#help", posted.message.ts)
    assert any("Opened *IT-1* with *IT* for <@U0ANNA0001>." in m.text_content for m in note)
    assert any("Your request *IT-1* is with *IT*" in m.text_content for m in note)


async def test_app_home_shows_tickets_and_searches_articles(desk: Desk, slack: LocalSlack) -> None:
    await slack.open_app_home("anna")
    await desk.settle()
    home = slack.home_of("anna")
    assert home is not None
    assert "New request" in home.text_content
    assert "Nothing open." in home.text_content

    await slack.click("anna", home, ActionId.HOME_SEARCH, "vpn")
    home = slack.home_of("anna")
    assert home is not None
    assert "Connect to the VPN from home or on the road" in home.text_content
