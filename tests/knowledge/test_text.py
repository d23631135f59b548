from __future__ import annotations

from knowledge.lexicon import groups
from knowledge.text import STOPWORD_INFLECTIONS, Stemmer, content_words, fold, raw_words, strip_markup, words


def test_slack_mentions_channels_and_emoji_are_not_words() -> None:
    text = "<@U07RT2LQ1> <!here> printer in <#C02PRNT7QX|malmo-office> is broken :face_with_symbols_on_mouth:"
    assert words(text) == ["printer", "in", "is", "broken"]


def test_link_keeps_its_label_and_drops_the_url() -> None:
    assert words("see <https://www.example.se/karriar|careers page>") == ["see", "careers", "page"]
    assert words("see <https://www.example.se/karriar>") == ["see"]


def test_bold_and_code_markers_do_not_stick_to_words() -> None:
    assert words("*URGENT* `P:\\24-1187` _now_") == ["urgent", "p", "24", "1187", "now"]


def test_case_and_diacritics_fold_so_missing_accents_still_match() -> None:
    assert fold("Behöver TILLGÅNG") == fold("behover tillgang") == "behover tillgang"
    assert fold("Café naïve Øre") == "cafe naive ore"


def test_markup_entities_are_decoded() -> None:
    assert strip_markup("R&amp;D &lt;team&gt;") == "R&D <team>"


def test_apostrophes_join_contractions() -> None:
    assert words("laptop won't start, it’s dead") == ["laptop", "wont", "start", "its", "dead"]


def test_stopwords_of_both_languages_are_dropped() -> None:
    assert content_words("how do I get the VPN") == ["vpn"]
    assert content_words("hur gör jag med skrivaren") == ["skrivaren"]


def test_function_words_of_the_snowball_lists_are_dropped_but_words_that_carry_a_need_stay() -> None:
    assert content_words("samma problem mellan varje möte, both of them, each other") == ["problem", "mote"]
    # Negation, "self" (self-service) and the particles of Swedish phrasal verbs ("skriva ut", print) stay.
    assert content_words("not own down ingen själv ut upp") == ["not", "own", "down", "ingen", "sjalv", "ut", "upp"]


def test_stemmer_joins_inflections_in_both_languages() -> None:
    stem = Stemmer().stem
    assert stem("passwords") == stem("password")
    assert stem("printers") == stem("printer")
    assert stem("skrivaren") == stem("skrivare")
    assert stem("semesterdagar") == stem("semesterdag")


def test_stem_cache_is_bounded_and_stays_correct() -> None:
    stemmer = Stemmer(cache_size=2)
    first = [stemmer.stem(w) for w in ("printers", "skrivaren", "passwords", "printers")]
    assert first == [Stemmer().stem(w) for w in ("printers", "skrivaren", "passwords", "printers")]
    assert len(stemmer._cache) <= 2


def test_inflected_stopwords_are_stopwords_too() -> None:
    assert {"needs", "wanted", "making", "comes"} <= STOPWORD_INFLECTIONS
    # Swedish content words that a stemmer would fold onto a stopword stay searchable.
    assert "kunden" not in STOPWORD_INFLECTIONS
    assert "taket" not in STOPWORD_INFLECTIONS


def test_raw_words_split_like_the_word_pattern_with_or_without_unusual_letters() -> None:
    assert raw_words("Won't start: see <https://x.example|the guide> & call 112!") == [
        "wont", "start", "see", "the", "guide", "call", "112",
    ]  # fmt: skip
    assert raw_words("Skrivaren på plan 2 — 打印机 är offline") == ["skrivaren", "pa", "plan", "2", "ar", "offline"]


def test_lexicon_concepts_join_translations_and_their_inflections() -> None:
    stem = Stemmer(concepts=groups()).stem
    assert stem("kalendern") == stem("calendar") == stem("calendars")
    assert stem(fold("Lösenord")) == stem("password")
    assert stem(fold("skärmar")) == stem("screens")
    assert stem("printer") != stem("calendar")


def test_lexicon_words_of_two_concepts_never_share_a_stem() -> None:
    """A stem that two lines of the lexicon reach would silently merge two needs into one."""
    stemmer = Stemmer()
    owner: dict[str, str] = {}
    for concept in groups():
        for word in concept:
            assert owner.setdefault(stemmer.stem(word), concept[0]) == concept[0], word
