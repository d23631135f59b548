"""A modal's inputs as prompts: what is asked, and what a typed answer submits."""

from __future__ import annotations

from typing import Any

import pytest

from bot.localslack.terminal.prompts import BadAnswer, prompts_of

PEOPLE = {"anna": "U0ANNA0001", "lena-it": "U0LENA0001"}
ROOMS = {"it-triage": "C0ITTRIAGE"}


def text(value: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": value}


FORM = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "*Laptop broken*"}},
    {
        "type": "input",
        "block_id": "desk.description",
        "label": text("Describe what you need"),
        "hint": text("The team sees exactly what you write here."),
        "element": {"type": "plain_text_input", "action_id": "value", "initial_value": "my laptop won't start"},
    },
    {
        "type": "input",
        "block_id": "field.asset_tag",
        "optional": True,
        "label": text("Asset tag"),
        "element": {"type": "plain_text_input", "action_id": "value"},
    },
    {
        "type": "input",
        "block_id": "field.can_work",
        "label": text("Can you work meanwhile?"),
        "element": {
            "type": "static_select",
            "action_id": "value",
            "options": [
                {"text": text("Yes"), "value": "yes"},
                {"text": text("No, I need a loan laptop"), "value": "no"},
            ],
        },
    },
    {
        "type": "input",
        "block_id": "field.cc",
        "label": text("Who else should know?"),
        "element": {"type": "multi_users_select", "action_id": "value"},
    },
    {
        "type": "input",
        "block_id": "field.when",
        "label": text("Since when?"),
        "element": {"type": "datepicker", "action_id": "value"},
    },
]


def test_inputs_become_prompts_with_label_hint_options_and_how_to_answer() -> None:
    description, asset, can_work, cc, when = prompts_of(FORM)
    assert description.key == "desk.description.value"
    assert description.question() == [
        "Describe what you need",
        "  (The team sees exactly what you write here.)",
        "  type your answer; Enter keeps \"my laptop won't start\"; '.' cancels",
    ]
    assert asset.question()[-1] == "  type your answer; Enter leaves it empty; '.' cancels"
    assert can_work.question() == [
        "Can you work meanwhile?",
        "  1. Yes",
        "  2. No, I need a loan laptop",
        "  type a number; '.' cancels",
    ]
    assert "handles separated by commas" in cc.question()[-1]
    assert "YYYY-MM-DD" in when.question()[-1]


def test_answers_become_the_values_slack_would_submit() -> None:
    description, asset, can_work, cc, when = prompts_of(FORM)
    assert description.parse("", PEOPLE, ROOMS) is None  # keeps the prefilled text
    assert description.parse("Black screen", PEOPLE, ROOMS) == "Black screen"
    assert asset.parse("  ", PEOPLE, ROOMS) is None
    assert can_work.parse("2", PEOPLE, ROOMS) == "no"
    assert can_work.parse("yes", PEOPLE, ROOMS) == "yes"
    assert cc.parse("@anna, lena-it", PEOPLE, ROOMS) == ["U0ANNA0001", "U0LENA0001"]
    assert when.parse("2026-11-27", PEOPLE, ROOMS) == "2026-11-27"


@pytest.mark.parametrize(
    ("index", "answer", "reason"),
    [
        (2, "", "This field is required."),
        (2, "3", "Pick a number from 1 to 2."),
        (3, "anna, nobody", "No person called 'nobody'."),
        (4, "yesterday", "Use a date like 2026-12-24."),
    ],
)
def test_answers_that_cannot_be_submitted_are_explained(index: int, answer: str, reason: str) -> None:
    with pytest.raises(BadAnswer, match=reason):
        prompts_of(FORM)[index].parse(answer, PEOPLE, ROOMS)
