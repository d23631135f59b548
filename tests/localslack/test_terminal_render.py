"""What the terminal shows for desk messages: readable text, numbered choices, markers for ephemeral messages
and thread replies."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.localslack.terminal.render import Numbering, Shown, Style, mrkdwn, render_blocks, render_message, render_view

NAMES = {"U0ANNA0001": "anna", "C0ITTRIAGE": "it-triage"}
TS = f"{datetime(2026, 11, 27, 5, 20, tzinfo=UTC).timestamp():.0f}.000100"


def button(label: str, action_id: str, value: str = "") -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "text": {"type": "plain_text", "text": label}, "value": value}


def option(label: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": label}, "value": value}


SUGGESTION = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "This might be it. Pick the one that fits:"}},
    {
        "type": "section",
        "block_id": "offer.laptop-broken",
        "text": {"type": "mrkdwn", "text": "*Laptop broken or won't start*\nIT · problem report"},
        "accessory": button("Choose", "desk.choose_item"),
    },
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "IT usually answers within 1 working hour"}]},
    {
        "type": "actions",
        "elements": [button("Browse services", "desk.browse"), button("Send to IT", "desk.free_text")],
    },
]

CARD = [
    {"type": "header", "text": {"type": "plain_text", "text": "IT-1 · Laptop broken or won't start"}},
    {
        "type": "section",
        "fields": [
            {"type": "mrkdwn", "text": "*Requester*\n<@U0ANNA0001>"},
            {"type": "mrkdwn", "text": "*Priority*\nhigh"},
        ],
    },
    {"type": "section", "text": {"type": "mrkdwn", "text": "&gt; fan spins &amp; &lt;b&gt;black&lt;/b&gt; screen"}},
    {"type": "divider"},
    {
        "type": "context",
        "elements": [
            {"type": "mrkdwn", "text": "Opened 09:00 today"},
            {"type": "mrkdwn", "text": "<http://slack.example/archives/D1/p1|source message>"},
        ],
    },
    {
        "type": "actions",
        "block_id": "card",
        "elements": [
            button("Claim", "desk.claim"),
            {
                "type": "users_select",
                "action_id": "desk.assign",
                "placeholder": {"type": "plain_text", "text": "Assign"},
            },
            {
                "type": "static_select",
                "action_id": "desk.priority",
                "placeholder": {"type": "plain_text", "text": "Priority"},
                "initial_option": option("high", "high"),
                "options": [option("low", "low"), option("high", "high")],
            },
            {"type": "overflow", "action_id": "desk.card_menu", "options": [option("Wait for requester", "wait")]},
        ],
    },
]


def test_suggestion_buttons_become_numbered_choices_that_remember_where_they_act() -> None:
    numbering = Numbering()
    lines = render_blocks(SUGGESTION, NAMES, numbering, target="the-message")
    assert lines == [
        "This might be it. Pick the one that fits:",
        "Laptop broken or won't start   [1] Choose",
        "IT · problem report",
        "  IT usually answers within 1 working hour",
        "[2] Browse services  [3] Send to IT",
    ]
    first, browse, send = numbering.choices
    assert (first.number, first.action_id, first.block_id, first.target) == (
        1,
        "desk.choose_item",
        "offer.laptop-broken",
        "the-message",
    )
    assert not first.needs_option
    assert (browse.label, send.label) == ("Browse services", "Send to IT")


def test_card_shows_header_fields_quote_divider_context_and_menus() -> None:
    numbering = Numbering(next_number=5)
    lines = render_blocks(CARD, NAMES, numbering, target=None)
    assert lines == [
        "## IT-1 · Laptop broken or won't start",
        "  Requester: @anna",
        "  Priority: high",
        "> fan spins & <b>black</b> screen",
        "-" * 40,
        "  Opened 09:00 today · source message",
        "[5] Claim  [6] Assign (a handle)  [7] Priority: high  [8] More...",
    ]
    claim, assign, priority, menu = numbering.choices
    assert not claim.needs_option
    assert assign.kind == "users_select"
    assert assign.needs_option
    assert priority.options == (("low", "low"), ("high", "high"))
    assert menu.options == (("wait", "Wait for requester"),)


def test_mrkdwn_reads_like_slack_shows_it() -> None:
    text = "*IT-1* for <@U0ANNA0001> in <#C0ITTRIAGE> <!here> see <https://x.example|the guide> &lt;ok&gt;"
    assert mrkdwn(text, NAMES) == "IT-1 for @anna in #it-triage @here see the guide <ok>"
    assert mrkdwn("*IT-1*", NAMES, Style(colour=True)) == "\x1b[1mIT-1\x1b[0m"


def test_ephemeral_is_marked_and_thread_replies_are_indented() -> None:
    ephemeral = Shown(number=0, author="helpdesk", ts=TS, text="Glad that helped!", blocks=[], ephemeral=True)
    assert render_message(ephemeral, NAMES, Numbering(), None) == [
        "helpdesk 05:20 (only you)",
        "    Glad that helped!",
    ]
    reply = Shown(number=4, author="lena-it", ts=TS, text="On my way", blocks=[], reply=True, reactions={"eyes": 2})
    assert render_message(reply, NAMES, Numbering(), None, tz="Europe/Stockholm") == [
        "  | #4 lena-it 06:20",
        "  |     On my way",
        "  |     :eyes: 2",
    ]


def test_a_modal_shows_its_title_and_non_input_blocks_only() -> None:
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Laptop broken*"}},
        {
            "type": "input",
            "block_id": "field.summary",
            "label": {"type": "plain_text", "text": "What happens?"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        },
    ]
    assert render_view("New request", blocks, NAMES, Numbering(), None) == ["== New request ==", "    Laptop broken"]


def test_no_colour_codes_unless_asked() -> None:
    numbering = Numbering()
    plain = render_blocks(CARD, NAMES, numbering, None)
    coloured = render_blocks(CARD, NAMES, Numbering(), None, Style(colour=True))
    assert not any("\x1b[" in line for line in plain)
    assert any("\x1b[" in line for line in coloured)
