"""Turning what people write into comparable terms: Slack markup removed, case and diacritics folded,
stopwords dropped, words stemmed for Swedish and English.

Everything is folded to ASCII because people on a Swedish desk often type without å, ä and ö
("behover tillgang"); index and query go through the same pipeline, so both sides meet in the middle."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

import snowballstemmer

# <@U123>, <@U123|name>, <!here>, <!subteam^S1|@team>: mentions carry no meaning for matching.
_MENTION = re.compile(r"<[@!][^>]*>")
# <#C123|general>: a channel reference; its name is often a place ("malmo-office"), rarely the need.
_CHANNEL = re.compile(r"<#[^>|]*(?:\|[^>]*)?>")
# <https://x|label> keeps the label; a bare <https://x> is dropped.
_LINK_WITH_LABEL = re.compile(r"<(?:https?|mailto):[^>|]*\|([^>]*)>")
_BARE_LINK = re.compile(r"<(?:https?|mailto):[^>]*>|https?://\S+")
_EMOJI = re.compile(r":[a-z0-9_+\-']+:")
# One pass for everything that is replaced by a blank (one regex scan instead of four on long articles).
_NOISE = re.compile("|".join(p.pattern for p in (_MENTION, _CHANNEL, _BARE_LINK, _EMOJI)))
_WORD = re.compile(r"[a-z0-9]+")
_CONTENT_WORD = re.compile(r"[a-z0-9]{2,}")
# Byte table for raw_words: letters and digits stay, everything else becomes a blank.
_WORD_BYTES = bytes(c if chr(c) in "abcdefghijklmnopqrstuvwxyz0123456789" else ord(" ") for c in range(256))
# Byte table for word_count over Latin-1: what str.split() splits on becomes a blank, anything else a letter.
_BLANK_BYTES = bytes(ord(" ") if chr(c).isspace() else ord("x") for c in range(256))
# Swedish letters by str.replace (C speed; str.translate with a dict goes through Python per character).
_FOLD_FAST = (("å", "a"), ("ä", "a"), ("ö", "o"), ("é", "e"), ("’", "'"))
# The letters of Nordic and West European text, folded without a trip through Unicode decomposition (which
# is slow on large article sets); anything else falls back to NFKD.
_FOLD_COMMON = str.maketrans(
    {
        **dict.fromkeys("åäàáâãā", "a"),
        **dict.fromkeys("öòóôõō", "o"),
        **dict.fromkeys("éèêëē", "e"),
        **dict.fromkeys("üùúûū", "u"),
        **dict.fromkeys("íìîïī", "i"),
        "ç": "c",
        "ñ": "n",
        "ý": "y",
        "ß": "ss",
        "æ": "ae",
        "ø": "o",
        "đ": "d",
        "ł": "l",
        "þ": "th",
        "œ": "oe",
        "’": "'",
    }
)

# Function words, greetings, fillers and light verbs ("see", "get", "funkar") of both languages, folded: in
# a small index their idf looks high, but they say nothing about the need. Words such as "not", "new" or
# "own" can carry the need ("won't start", "new hire") and stay searchable. The last lines are the rest of
# the Snowball English and Swedish stopword lists, less the words that can carry a need: negation ("no",
# "not", "ingen"), "own", "down", "själv" (self-service) and the particles of Swedish phrasal verbs ("skriva
# ut" is to print, "sätta upp" to set up).
STOPWORDS: frozenset[str] = frozenset(
    """
    a an and are as at be been being but by can could did do does doing for from had has have having he her
    hers him his how i i'd i'm if in into is it its it's just me my myself of off on or our ours so some such
    than that the their them then there these they this those to too very was we were what when where which
    who whom why will with would you your yours am us im id ive ill youre thats whats theres dont doesnt didnt
    isnt wasnt arent hi hey hello pls please thanks thank ok okay also any anyone someone something here
    get got one all about up out just really still yet again now today tomorrow yesterday know need want
    like tho btw lol see look find use make go going gonna take give tell say said says think try tried
    trying keep keeps put come let way thing things stuff lot bit much many anything everything everyone guys
    sure maybe well good great nice
    och att det som en ett i pa av for med till ar har inte jag du han hon vi ni de den detta dessa min mitt
    mina din ditt dina sin sitt sina var vart vara varit ska skulle kan kunde vill ville maste om men sa da del
    nar hur vad vem vilken vilket vilka varfor dar har fran efter innan under over mot utan eller sig mig
    dig oss er dem hej tack snalla bara ocksa nu idag imorgon igar nan nagon nagot nagra blir bli blev
    fick fa far gor gora gjort finns ju vi lite mycket typ hos ens nej ja funkar fungerar funka se ser
    ga gar gick kommer komma sager tror tycker prova provat forsokt satt grej grejer saker manga bra liksom
    above after against because before below between both each few further more most nor once only other
    same she should through until while herself himself itself ourselves theirs themselves yourself yourselves
    alla allt blivit denna deras dess ej era ert ha hade hans henne hennes honom icke inom man mellan sadan
    sadana sadant samma sedan sitta varje vars vid vilkas
    """.split()  # noqa: SIM905 - a word list reads better as text
)

# English inflections of the longer stopwords ("needs", "wanted", "using") say as little as the stopwords. Only
# regular English endings, spelled out: stemming would also fold Swedish content words onto stopwords
# ("kunden", the customer, onto "kunde").
STOPWORD_INFLECTIONS: frozenset[str] = frozenset(
    inflected
    for word in STOPWORDS
    if len(word) >= 4 and word.isascii()
    for inflected in (
        (f"{word}s", f"{word}d", f"{word[:-1]}ing") if word.endswith("e") else (f"{word}s", f"{word}ed", f"{word}ing")
    )
    if inflected not in STOPWORDS
)


def strip_markup(text: str) -> str:
    """Remove Slack mrkdwn that is not the user's words: mentions, channel links, URLs, :emoji:. (The
    markers of *bold*, _italic_ and `code` fall away when tokenising.)"""
    if "<" in text:
        text = _LINK_WITH_LABEL.sub(r" \1 ", text)
    if "<" in text or ":" in text:  # every kind of noise has one of them; most long texts have neither
        text = _NOISE.sub(" ", text)
    return text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")


def fold(text: str) -> str:
    """Lower-case and strip diacritics: 'Behöver TILLGÅNG' -> 'behover tillgang'."""
    text = text.lower()
    if text.isascii():
        return text
    for letter, plain in _FOLD_FAST:
        if letter in text:
            text = text.replace(letter, plain)
    if text.isascii():
        return text
    text = text.translate(_FOLD_COMMON)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Folded word tokens of raw text, markup removed; apostrophes join ("won't" -> "wont")."""
    folded = fold(strip_markup(text)).replace("'", "")
    return _WORD.findall(folded)


class Stemmer:
    """English then Swedish Snowball stemming on folded words, cached.

    The desk does not know the language of a message (and people mix them), so every word goes through both
    stemmers. The Swedish algorithm's suffixes hardly involve å/ä/ö, so it works on folded text; stemming the
    same way on both sides matters more than linguistic purity."""

    def __init__(self, cache_size: int = 500_000, concepts: Iterable[Sequence[str]] = ()) -> None:
        self._sv = snowballstemmer.stemmer("swedish")
        self._en = snowballstemmer.stemmer("english")
        # Words of one concept (translations: "kalender", "calendar") share the first word's stem.
        self._concepts: dict[str, str] = {}
        for concept in concepts:
            head = self._stem(concept[0])
            self._concepts.update((self._stem(word), head) for word in concept)
        # A plain dict is the fastest cache; it is emptied when full, since a long-running desk sees an
        # endless stream of typos and names.
        self._cache: dict[str, str] = {}
        self._cache_size = cache_size

    def stem(self, word: str) -> str:
        stem = self._cache.get(word)
        if stem is None:
            stem = self._conflated(word)
            if len(self._cache) >= self._cache_size:
                self._cache.clear()
            self._cache[word] = stem
        return stem

    def _stem(self, word: str) -> str:
        if len(word) <= 3 or word.isdigit():
            return word
        stem: str = self._sv.stemWord(self._en.stemWord(word))
        return stem if len(stem) >= 2 else word

    def _conflated(self, word: str) -> str:
        stem = self._stem(word)
        return self._concepts.get(stem, stem)


def tokens(text: str) -> list[str]:
    """Folded words of two or more characters, stopwords included (the caller filters them; when it counts
    the words first, dropping stopwords from the counts is cheaper than from the word list)."""
    return _CONTENT_WORD.findall(fold(strip_markup(text)).replace("'", ""))


def raw_words(text: str) -> list[str]:
    """Folded words of any length, stopwords included: `tokens` for callers that drop the short words and
    stopwords later anyway. Folded text is nearly always ASCII, and then a byte-table translation and a
    split find the words in a third less time than the regular expression."""
    folded = fold(strip_markup(text))
    if folded.isascii():
        return folded.encode().translate(_WORD_BYTES, b"'").decode().split()
    return _WORD.findall(folded.replace("'", ""))


def word_count(text: str) -> int:
    """len(text.split()) without creating the words: a byte-table translation marks blanks and letters, and
    a word begins wherever a letter follows a blank (a third of the time on article bodies). Text beyond
    Latin-1 (curly quotes, emoji) is split."""
    try:
        marked = text.encode("latin-1").translate(_BLANK_BYTES)
    except UnicodeEncodeError:
        return len(text.split())
    return marked.count(b" x") + marked.startswith(b"x")


def content_words(text: str) -> list[str]:
    """Words minus stopwords and one-character noise."""
    return [w for w in tokens(text) if w not in STOPWORDS]
