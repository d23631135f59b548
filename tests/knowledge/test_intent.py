from __future__ import annotations

import pytest

from knowledge.intent import cue_words, intent_of


@pytest.mark.parametrize(
    "text",
    [
        "how do I connect to the vpn?",
        "hur lägger jag till skrivaren?",
        "tips för att känna igen bluffmejl?",
        "are we allowed to fly or is it train only?",
        "får jag flyga till kunden eller måste jag ta tåget?",
        "what do I do with my laptop on my last day?",
        "vad gör jag med datorn sista dagen?",
        "can I use wetransfer or is there a better way?",
        "do I need to register overtime?",
        "behöver jag registrera övertid?",
    ],
)
def test_questions_ask_for_an_article(text: str) -> None:
    assert intent_of(text).favours == "article"


@pytest.mark.parametrize(
    "text",
    [
        "I need a second monitor",
        "jag behöver en extra skärm",
        "can you install python on my machine?",
        "kan jag få en skärmarm?",
        "please order business cards for me",
        "beställa visitkort",
        "the printer doesn't work",
        "skrivaren funkar inte",
        "my laptop won't start",
        "dockan är trasig",
        "a question on how to book is no excuse: I want a hotel, can you book it?",
    ],
)
def test_requests_and_fault_reports_ask_for_the_catalogue(text: str) -> None:
    assert intent_of(text).favours == "catalog"


@pytest.mark.parametrize("text", ["vpn", "email signature", "sjukanmälan", "parking uppsala"])
def test_a_bare_topic_does_not_tell(text: str) -> None:
    assert intent_of(text).favours is None


def test_the_question_form_of_need_is_a_question_and_the_statement_a_request() -> None:
    """Word order, not the verb: "behöver jag" (do I need) asks, "jag behöver" (I need) requests."""
    assert intent_of("behöver jag fylla i något?").favours == "article"
    assert intent_of("jag behöver ett nytt sim-kort").favours == "catalog"


def test_a_how_to_question_stays_a_question_with_a_problem_in_it() -> None:
    assert intent_of("how do I send a big file? outlook won't let me attach it").favours == "article"


def test_cues_are_written_folded() -> None:
    """Messages are folded (å -> a, apostrophes dropped) before the cues are looked up."""
    for word in cue_words():
        assert word.isascii()
        assert word == word.lower()
        assert word.isalnum()


@pytest.mark.parametrize(
    "text",
    [
        "min privata mobil har fått spräckt skärm",
        "my Spotify stopped working on my private phone",
        "can you help me fix my kid's xbox?",
        "my son’s ipad won't charge",
        "kan ni laga min dotters dator?",
    ],
)
def test_a_private_matter_is_told(text: str) -> None:
    assert intent_of(text).private > 0


@pytest.mark.parametrize(
    "text",
    [
        "my kids are sick, how do I report VAB?",
        "personalfesten på fredag, var är den?",
        "my laptop screen is cracked",
    ],
)
def test_a_work_matter_is_not_private(text: str) -> None:
    assert intent_of(text).private == 0


@pytest.mark.parametrize(
    ("text", "favours"),
    [
        ("are we alowed to fly?", "article"),  # a letter left out
        ("the dock is brokenn", "catalog"),  # a letter too many
        ("skrivaren är trasiig", "catalog"),
        ("who do I call, the police?", None),  # a changed letter is another word: "policy" is not meant
    ],
)
def test_a_cue_with_a_typo_is_still_a_cue(text: str, favours: str | None) -> None:
    assert intent_of(text).favours == favours
