from __future__ import annotations

import pytest

from knowledge.matcher import Matcher
from knowledge.models import Article, CatalogEntry, Decision, Thresholds


def top_ref(matcher: Matcher, text: str) -> str | None:
    result = matcher.match(text)
    return result.candidates[0].ref if result.candidates else None


@pytest.fixture
def matcher(small_catalog: list[CatalogEntry], small_articles: list[Article]) -> Matcher:
    return Matcher(small_catalog, small_articles)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I forgot my password and now I'm locked out", "catalog:password-reset"),
        ("pasword", "catalog:password-reset"),  # typo
        ("kan inte logga in, glömt lösenordet", "catalog:password-reset"),  # Swedish, inflected
        ("glomt losenordet", "catalog:password-reset"),  # without diacritics
        ("the printer on floor 2 has a paper jam", "catalog:printer-problem"),
        ("printr jammed agian", "catalog:printer-problem"),
        ("skrivaren är offline", "catalog:printer-problem"),
        ("passerkortet funkar inte", "catalog:access-card"),  # definite form of a keyword
        ("how do I connect to the vpn from home?", "article:kb-connect-vpn"),
        ("semester", "catalog:vacation-request"),  # one word
    ],
)
def test_ranks_the_fitting_item_first(matcher: Matcher, text: str, expected: str) -> None:
    assert top_ref(matcher, text) == expected


def test_swedish_compound_is_split_against_the_vocabulary(matcher: Matcher) -> None:
    terms = {qt.term: qt.origin for qt in matcher.query_terms("lösenordsproblem")}
    # "lösenord" is indexed under its English translation's stem (see knowledge.lexicon).
    assert terms == {"password": "compound", "problem": "compound"}
    refs = [c.ref for c in matcher.match("lösenordsproblem").candidates]
    assert "catalog:password-reset" in refs[:2]


def test_slack_markup_does_not_distract(matcher: Matcher) -> None:
    text = "<@U0123ABCD> printer in <#C1|vacation-chat> is jammed :sob: <https://x.example/vacation|see>"
    assert top_ref(matcher, text) == "catalog:printer-problem"


def test_need_in_the_middle_of_a_long_message_is_found(matcher: Matcher) -> None:
    text = (
        "Hi all, hope you had a nice weekend, we moved desks on Friday and the new spot is great. "
        "Anyway the printer next to the kitchen has a paper jam again and shows offline. "
        "Not urgent, I can walk to the other floor, but it would be nice to have it fixed this week."
    )
    assert top_ref(matcher, text) == "catalog:printer-problem"


def test_synonyms_expand_abbreviations(small_catalog: list[CatalogEntry]) -> None:
    plain = Matcher(small_catalog, [])
    assert plain.match("pw").candidates == ()
    with_synonyms = Matcher(small_catalog, [], synonyms={"pw": ["password"], "lösen": ["lösenord"]})
    assert top_ref(with_synonyms, "pw expired") == "catalog:password-reset"
    assert top_ref(with_synonyms, "lösen") == "catalog:password-reset"


def test_phrase_synonym_expands_only_as_a_phrase(small_catalog: list[CatalogEntry]) -> None:
    matcher = Matcher(small_catalog, [], synonyms={"time off": ["vacation"]})
    assert top_ref(matcher, "I need some time off in July") == "catalog:vacation-request"
    assert matcher.match("off").candidates == ()


def test_candidates_report_scores_in_0_1_and_matched_fields(matcher: Matcher) -> None:
    result = matcher.match("locked out, lösenord")
    assert all(0.0 <= c.score <= 1.0 for c in result.candidates)
    assert [c.score for c in result.candidates] == sorted((c.score for c in result.candidates), reverse=True)
    best = result.candidates[0]
    assert best.ref == "catalog:password-reset"
    assert {"title", "keywords"} <= set(best.matched)


def test_small_talk_gets_no_confident_answer(matcher: Matcher) -> None:
    for text in ("thanks!! 🙏", "hej", "good morning everyone :sunny:", ""):
        result = matcher.match(text)
        assert result.decision is Decision.NOTHING
        assert result.best is None


def test_thresholds_decide_between_confident_short_list_and_nothing(
    small_catalog: list[CatalogEntry],
) -> None:
    text = "printer paper jam"
    score = Matcher(small_catalog, []).match(text).candidates[0].score
    confident = Matcher(small_catalog, [], thresholds=Thresholds(confident=score, suggest=0.0, margin=0.0))
    assert confident.match(text).decision is Decision.CONFIDENT
    assert confident.match(text).best is not None
    choose = Matcher(small_catalog, [], thresholds=Thresholds(confident=1.0, suggest=score, margin=0.0))
    assert choose.match(text).decision is Decision.CHOOSE
    assert choose.match(text).best is None
    assert choose.match(text).choices
    nothing = Matcher(small_catalog, [], thresholds=Thresholds(confident=1.0, suggest=1.0, margin=0.0))
    assert nothing.match(text).decision is Decision.NOTHING
    assert nothing.match(text).choices == ()


def test_a_close_runner_up_prevents_a_confident_answer(small_catalog: list[CatalogEntry]) -> None:
    twins = [
        *small_catalog,
        CatalogEntry("printer-new", "Printer problem", "", "", ("printer",), "it", "request", "low"),
    ]
    matcher = Matcher(twins, [], thresholds=Thresholds(confident=0.0, suggest=0.0, margin=0.05))
    assert matcher.match("printer").decision is Decision.CHOOSE


def test_invalid_thresholds_are_rejected() -> None:
    with pytest.raises(ValueError, match="suggest"):
        Thresholds(confident=0.3, suggest=0.5)
    with pytest.raises(ValueError, match="lead"):
        Thresholds(lead=-0.1)


def test_an_added_article_is_found_without_a_rebuild(matcher: Matcher) -> None:
    assert top_ref(matcher, "how do I share my outlook calendar") != "article:kb-share-calendar"
    matcher.add_article(
        Article(
            "kb-share-calendar",
            "Share your Outlook calendar",
            ("outlook", "calendar"),
            "en",
            (),
            "Open the calendar, choose Share and pick a colleague.",
        )
    )
    assert top_ref(matcher, "how do I share my outlook calendar") == "article:kb-share-calendar"
    assert top_ref(matcher, "calender") == "article:kb-share-calendar"  # its words join the typo vocabulary


def test_a_changed_article_replaces_the_old_version(matcher: Matcher) -> None:
    matcher.add_article(Article("kb-connect-vpn", "Wireless presenter", ("clicker",), "en", (), "Pair it."))
    assert top_ref(matcher, "vpn") is None
    assert top_ref(matcher, "presenter clicker") == "article:kb-connect-vpn"
    assert len(matcher) == 5


def test_a_removed_article_is_no_longer_suggested(matcher: Matcher) -> None:
    matcher.remove_article("kb-connect-vpn")
    assert top_ref(matcher, "connect to the vpn") is None
    with pytest.raises(KeyError):
        matcher.remove_article("kb-connect-vpn")


def test_learned_phrasing_teaches_new_words(matcher: Matcher) -> None:
    assert top_ref(matcher, "the follow-me queue ate my spool") != "catalog:printer-problem"
    matcher.add_phrasing("catalog:printer-problem", "my spool is stuck in the follow-me queue")
    best = matcher.match("the follow-me queue ate my spool").candidates[0]
    assert best.ref == "catalog:printer-problem"
    assert "phrasings" in best.matched
    assert matcher.phrasings("catalog:printer-problem") == ("my spool is stuck in the follow-me queue",)


def test_learned_phrasings_are_bounded_oldest_first(small_catalog: list[CatalogEntry]) -> None:
    matcher = Matcher(small_catalog, [], max_phrasings_per_target=2)
    for text in ("first zebra", "second yak", "third walrus"):
        matcher.add_phrasing("catalog:vacation-request", text)
    assert matcher.phrasings("catalog:vacation-request") == ("second yak", "third walrus")
    assert top_ref(matcher, "zebra") is None
    assert top_ref(matcher, "walrus") == "catalog:vacation-request"


def test_phrasing_for_an_unknown_target_is_refused(matcher: Matcher) -> None:
    with pytest.raises(KeyError):
        matcher.add_phrasing("catalog:no-such-item", "text")
    with pytest.raises(ValueError, match="reference"):
        matcher.add_phrasing("password-reset", "text")


def test_many_changes_keep_results_identical_to_a_fresh_index(
    small_catalog: list[CatalogEntry], small_articles: list[Article]
) -> None:
    churned = Matcher(small_catalog, small_articles)
    for n in range(1500):  # enough retired entries to trigger a compaction
        churned.add_article(Article("kb-churn", f"Temporary {n}", (), "en", (), "temporary text"))
    churned.remove_article("kb-churn")
    fresh = Matcher(small_catalog, small_articles)
    for text in ("printer jam", "lösenord", "vpn connect", "semester"):
        assert churned.match(text) == fresh.match(text)


def test_compound_head_may_drop_its_final_vowel(matcher: Matcher) -> None:
    assert top_ref(matcher, "skrivarproblem") == "catalog:printer-problem"


def test_a_loose_overlap_with_a_learned_phrasing_does_not_vote(small_catalog: list[CatalogEntry]) -> None:
    matcher = Matcher(small_catalog, [])
    matcher.add_phrasing(
        "catalog:vacation-request", "moving to the Uppsala office next month, printer there is great btw"
    )
    assert top_ref(matcher, "printer in uppsala is jammed") == "catalog:printer-problem"


def test_learned_phrasings_do_not_change_word_weights(small_catalog: list[CatalogEntry]) -> None:
    before = Matcher(small_catalog, []).match("printer jam").candidates[0].score
    matcher = Matcher(small_catalog, [])
    for n in range(20):
        matcher.add_phrasing("catalog:access-card", f"printer visitor badge number {n}")
    after = matcher.match("printer jam").candidates
    assert after[0].ref == "catalog:printer-problem"
    assert after[0].score == before


def test_phrasings_of_a_removed_article_go_with_it(
    small_catalog: list[CatalogEntry], small_articles: list[Article]
) -> None:
    matcher = Matcher(small_catalog, small_articles)
    matcher.add_phrasing("article:kb-connect-vpn", "zebra tunnel from the hotel")
    matcher.remove_article("kb-connect-vpn")
    assert top_ref(matcher, "zebra tunnel from the hotel") is None
    assert matcher.phrasings("article:kb-connect-vpn") == ()


def test_phrase_pair_in_order_beats_scattered_words() -> None:
    catalog = [
        CatalogEntry("access-card", "Access card", "", "", ("access card",), "facilities", "request", "low"),
        CatalogEntry("card-access", "Card reader", "", "", ("card", "access"), "it", "request", "low"),
    ]
    assert top_ref(Matcher(catalog, []), "my access card is lost") == "catalog:access-card"


def test_an_inflected_stopword_does_not_pull_in_unrelated_items(matcher: Matcher) -> None:
    assert "need" not in {qt.term for qt in matcher.query_terms("the new guy needs a printer")}


def test_a_small_lead_over_a_long_message_is_not_confident(small_catalog: list[CatalogEntry]) -> None:
    """A short precise message may answer directly; a long one that touches several entries may not, even
    when its best entry scores high, because that entry covers a small part of what the message says."""
    strict = Matcher(small_catalog, [], thresholds=Thresholds(confident=0.0, suggest=0.0, margin=0.0, lead=0.3))
    short = strict.match("semester")
    chatty = strict.match("printer jammed, vacation plans changed, access card broken, password locked out")
    assert short.decision is Decision.CONFIDENT
    assert chatty.decision is Decision.CHOOSE
    lenient = Matcher(small_catalog, [], thresholds=Thresholds(confident=0.0, suggest=0.0, margin=0.0, lead=0.0))
    assert lenient.match("printer jammed, vacation plans changed, access card broken, password locked out").best


def test_a_word_only_a_learned_phrasing_knows_does_not_dilute_confidence(small_catalog: list[CatalogEntry]) -> None:
    matcher = Matcher(small_catalog, [])
    before = matcher.match("printer jammed, quarterly zzyzx")
    matcher.add_phrasing("catalog:vacation-request", "zzyzx holiday plans for the summer")
    after = matcher.match("printer jammed, quarterly zzyzx")
    assert after.candidates[0].ref == "catalog:printer-problem"
    assert after.lead == pytest.approx(before.lead)
    assert after.decision is before.decision


def test_a_swedish_question_finds_an_english_article_and_back() -> None:
    articles = [
        Article("kb-calendar", "Share your calendar", ("calendar",), "en", (), "Open the calendar and choose Share."),
        Article("kb-skrivare", "Lägg till en skrivare", ("skrivare",), "sv", (), "Öppna inställningarna."),
        Article("kb-vpn", "Connect to the VPN", ("vpn",), "en", (), "Click Connect."),
    ]
    matcher = Matcher([], articles)
    assert top_ref(matcher, "hur delar jag min kalender med teamet?") == "article:kb-calendar"
    assert top_ref(Matcher([], articles, bilingual=False), "hur delar jag min kalender med teamet?") is None


def test_the_entry_that_explains_more_of_a_long_message_ranks_first() -> None:
    """Two strong words ("moved", "floor") in one entry's title should not outrank the entry that covers
    most of what the message says (screens, black, plug in, desk)."""
    catalog = [
        CatalogEntry(
            "docking",
            "Docking station",
            "Dockningsstation",
            "Order a dock, or report that the external screens at your desk stay black when you plug in.",
            ("dock", "external screen"),
            "it",
            "request",
            "medium",
        ),
        CatalogEntry(
            "office-move", "Office move", "Flytt", "Move to another floor.", ("move", "floor"), "fm", "request", "low"
        ),
        CatalogEntry(
            "printer", "Printer problem", "Skrivare", "Printer jammed.", ("printer",), "it", "incident", "low"
        ),
    ]
    message = "we moved to another floor and now both screens stay black when I plug in at my new desk"
    assert top_ref(Matcher(catalog, []), message) == "catalog:docking"


def _travel_desk() -> Matcher:
    """A catalogue item and the article that lists it as related: the same topic, two kinds of help."""
    catalog = [
        CatalogEntry(
            "travel-booking",
            "Business travel booking",
            "Bokning av tjänsteresa",
            "Book flights, trains and hotels for business trips.",
            ("book travel", "flight", "train", "hotel", "boka resa", "flyg", "tåg"),
            "finance",
            "request",
            "medium",
        ),
        CatalogEntry(
            "printer", "Printer problem", "Skrivare", "Printer jammed.", ("printer",), "it", "incident", "low"
        ),
    ]
    articles = [
        Article(
            "kb-travel-policy",
            "Travel policy: flight or train, hotel standard",
            ("travel", "policy", "resepolicy"),
            "en",
            ("travel-booking",),
            "Take the train for trips under five hours; fly otherwise. Hotels up to 1 800 SEK a night.",
        ),
        Article("kb-vpn", "Connect to the VPN", ("vpn",), "en", (), "Click Connect."),
    ]
    return Matcher(catalog, articles)


@pytest.mark.parametrize(
    "text",
    [
        "are we allowed to fly to stockholm or is it train only?",
        "får jag flyga till kunden eller måste jag ta tåget?",
        "how expensive a hotel may I book?",
    ],
)
def test_a_policy_question_gets_the_article_confidently(text: str) -> None:
    result = _travel_desk().match(text)
    assert result.best is not None
    assert result.best.ref == "article:kb-travel-policy"


@pytest.mark.parametrize(
    "text",
    [
        "I need a train to stockholm and a hotel for one night",
        "kan ni boka flyg till Luleå åt mig?",
        "please book a hotel in Uppsala next week",
    ],
)
def test_a_request_gets_the_service_confidently(text: str) -> None:
    result = _travel_desk().match(text)
    assert result.best is not None
    assert result.best.ref == "catalog:travel-booking"


def test_the_other_member_of_a_family_is_offered_next_not_counted_as_a_rival() -> None:
    result = _travel_desk().match("are we allowed to fly to stockholm or is it train only?")
    assert [c.ref for c in result.candidates[:2]] == ["article:kb-travel-policy", "catalog:travel-booking"]
    assert result.rival < result.candidates[1].score


def test_a_bare_topic_is_not_answered_by_intent() -> None:
    """Without wording that tells question from request, the family's two members stay rivals."""
    result = _travel_desk().match("hotel")
    assert result.rival == result.candidates[1].score


def _phone_desk() -> Matcher:
    catalog = [
        CatalogEntry(
            "phone-repair",
            "Mobile phone repair",
            "Reparation av mobiltelefon",
            "Report a work phone with a cracked screen or a dead battery; IT repairs or replaces it.",
            ("cracked screen", "broken phone", "spräckt skärm", "trasig mobil"),
            "it",
            "incident",
            "medium",
        ),
        CatalogEntry(
            "printer", "Printer problem", "Skrivare", "Printer jammed.", ("printer",), "it", "incident", "low"
        ),
    ]
    return Matcher(catalog, [])


@pytest.mark.parametrize(
    "text",
    [
        "my private phone has a cracked screen, do you know a good repair shop?",
        "min privata mobil har fått spräckt skärm, vet ni nån bra reparatör?",
        "can you fix my kid's phone? the screen is cracked",
    ],
)
def test_a_private_matter_gets_no_confident_answer(text: str) -> None:
    assert _phone_desk().match(text).best is None


def test_the_same_fault_on_a_work_phone_is_answered() -> None:
    result = _phone_desk().match("my work phone has a cracked screen")
    assert result.best is not None
    assert result.best.ref == "catalog:phone-repair"


def _chatty_desk() -> Matcher:
    """Entries whose long descriptions share the everyday words of chatter (weekend, coffee, train,
    meeting), so that a chatty message's side remarks are words the index knows, as on a real desk."""
    catalog = [
        CatalogEntry(
            "laptop-repair",
            "Laptop repair",
            "Datorreparation",
            "Your laptop will not start, power on or charge: we repair it or lend you a loan laptop meanwhile.",
            ("laptop", "broken laptop", "loan laptop"),
            "it",
            "incident",
            "high",
        ),
        CatalogEntry(
            "kitchen",
            "Kitchen and coffee machine",
            "Kök och kaffemaskin",
            "Report a broken coffee machine or dishwasher in the office kitchen, on any floor.",
            ("coffee", "kitchen"),
            "fm",
            "incident",
            "low",
        ),
        CatalogEntry(
            "travel",
            "Business travel booking",
            "Tjänsteresa",
            "Book a train or a flight to a client meeting or a site visit.",
            ("train", "flight", "meeting"),
            "finance",
            "request",
            "medium",
        ),
        CatalogEntry(
            "events",
            "Team events",
            "Teamaktiviteter",
            "Plan a weekend trip, a lunch or an after work for your team.",
            ("weekend", "lunch", "team"),
            "hr",
            "request",
            "low",
        ),
    ]
    return Matcher(catalog, [])


def test_a_plain_need_in_a_long_rambling_message_is_answered() -> None:
    """The need sits in the middle of side remarks that each touch another entry; the remarks must not
    dilute the answer's lead into a short list (the reach counts the message's most informative words)."""
    matcher = _chatty_desk()
    text = (
        "morning all, sorry for the wall of text. yesterday I took the train back from the client meeting and "
        "the flight before that was late, long day. put the laptop in my bag like usual, and this morning it "
        "simply won't power on, tried another charger too. I need a loan laptop or a repair asap. thanks, have "
        "a nice weekend, and lunch with the team on friday? also does anyone know if the coffee machine and the "
        "dishwasher in the kitchen work again?"
    )
    assert len(matcher.query_terms(text)) > 12
    result = matcher.match(text)
    assert result.best is not None
    assert result.best.ref == "catalog:laptop-repair"
    assert result.decision is Decision.CONFIDENT


@pytest.mark.parametrize(
    "text",
    [
        "glömt lösenordet, kontot är låst",
        "skrivaren på våning två är trasig",
        "vill ansöka om semester i juli",
        "jag har tappat mitt passerkort och behöver ett nytt",
        "hur ansluter jag till vpn hemifrån?",
    ],
)
def test_swedish_typed_without_a_ring_or_umlauts_finds_the_same(matcher: Matcher, text: str) -> None:
    """People on a Swedish desk often type a, a, o for å, ä, ö: the words must meet the same terms
    (stems, compounds, lexicon concepts) and the message the same candidates with the same scores."""
    plain = text.replace("å", "a").replace("ä", "a").replace("ö", "o")
    assert plain != text
    assert matcher.query_terms(plain) == matcher.query_terms(text)
    assert matcher.match(plain) == matcher.match(text)
