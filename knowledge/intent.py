"""What kind of answer a message asks for, read from its wording rather than its topic.

A how-to or policy question ("how do I ...", "hur gör jag ...", "am I allowed to ...", "vad gäller ...")
is answered by an article; a request for a service ("I need ...", "jag behöver ...", "can you ...",
"beställa ...") or a fault report ("doesn't work", "funkar inte", "broken", "trasig") goes to the
catalogue. A message about a private matter ("my private phone", "min privata mobil", "my kid's tablet")
is usually outside what a workplace desk does.

The cues are general English and Swedish phrasing, written from the languages' question, request and
complaint forms (inverted word order and modal verbs for questions: "do I need" / "behöver jag" against the
statement "I need" / "jag behöver"), not from any company's catalogue or messages. They are matched on
folded words (å, ä, ö written a, a, o; apostrophes dropped: "can't" is "cant"). "Where do I ..." / "var
hittar jag ..." is no cue: it asks for a place, and a service's form is one as often as an article."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from knowledge.text import fold, strip_markup, words

# One cue a line: its words, separated by blanks; a line may end in "= weight" (default 1). Weight 2 for the
# words and frames that make a whole message a question ("how", "hur", "do I need", "behöver jag", "får jag",
# inverted word order): a request verb after them is what the question is about ("how do I book ...").
_QUESTION = """
how = 2
howto = 2
tips = 2
tip = 2
guide = 2
guides = 2
instructions = 2
tutorial = 2
manual = 2
steps = 2
what do i = 2
what do we = 2
what should i = 2
what should we = 2
what happens
what is the
whats the
what are the
when is
when do i
when should
allowed
permitted
is it ok
is it okay
policy
rules
should i = 2
do i have to = 2
do i need = 2
do we need = 2
do we have to = 2
must i = 2
can i use = 2
is it true
better way
best way
right way
hur = 2
instruktion = 2
instruktioner = 2
vad gor jag = 2
vad ska jag = 2
vad gor man = 2
vad galler
regler
reglerna
policyn
nar ska
nar maste
far man = 2
far jag = 2
tillatet
ok att
maste jag = 2
behover jag = 2
ska jag = 2
bor jag = 2
kan man = 2
"""

_REQUEST = """
need
needs
want
wanna
id like
would like
can i get
can i have
could i get
can we get
can you
could you
can someone
can somebody
can anyone
please
pls
plz
order
book
register
apply
request
replace
block
cancel
behover
jag vill
vill ha
onskar
kan jag fa
kan vi fa
kan ni
kan du
kan nan
kan nagon
snalla
bestalla
bestall
boka
registrera
ansoka
"""

_PROBLEM = """
not working
doesnt work
isnt working
stopped
wont
cant
cannot
unable
broken
broke
dead
error
crashed
crashes
failing
failed
lost
stolen
leaking
jammed
denied
keeps
no longer
missing
wrong
urgent
asap
funkar inte
fungerar inte
gar inte
kan inte
vill inte
trasig
trasigt
trasiga
sonder
slutat
tappat
tappade
borttappad
stulen
lacker
fel
akut
glomt
glomde
"""

# Private matters: the word itself, and a thing of one's family members. The English possessive needs its
# apostrophe ("my kid's" but not "my kids are ill": a sick child is the desk's business); the Swedish
# genitive is a word of its own. "Personal" is no cue: in Swedish it means the staff.
_PRIVATE = """
private
privately
privat
privata
privatperson
privatbruk
mitt barns
mina barns
min sons
min dotters
min frus
min mans
min sambos
min partners
min mammas
min pappas
"""
_KIN_POSSESSIVE = re.compile(
    r"\b(?:my|our) (?:kid|son|daughter|child|children|wife|husband|partner|boyfriend|girlfriend|mom|mum|dad|"
    r"mother|father|family)(?:'s|s')"
)

Kind = Literal["article", "catalog"]


@dataclass(frozen=True, slots=True)
class Intent:
    """How much a message reads as a question (`question`), as a request or fault report (`request`), and
    as a private matter (`private`): the summed weights of the cues found."""

    question: float
    request: float
    private: float

    @property
    def favours(self) -> Kind | None:
        """The kind of answer the wording asks for, or None when it does not tell."""
        if self.question > self.request:
            return "article"
        if self.request > self.question:
            return "catalog"
        return None


Cue = tuple[tuple[str, ...], float, str]  # words, weight, "question" / "request" / "private"


def _compile(blocks: Iterable[tuple[str, str]]) -> dict[str, list[Cue]]:
    """Cues by first word, so that a message's words are looked up once each."""
    cues: dict[str, list[Cue]] = {}
    for name, block in blocks:
        for line in block.strip().splitlines():
            phrase, _, weight = line.partition("=")
            cue = tuple(phrase.split())
            cues.setdefault(cue[0], []).append((cue, float(weight) if weight.strip() else 1.0, name))
    return cues


_CUES = _compile((("question", _QUESTION), ("request", _REQUEST), ("request", _PROBLEM), ("private", _PRIVATE)))

# Typos in the longer one-word cues ("alowed", "stoped", "brokenn"): a word with one letter left out of such
# a cue, or one letter too many, stands for it. A changed letter does not: it turns too many cues into other
# words ("policy" into "police", "manual" into "annual").
TYPO_MIN_LEN = 6


def _one_deleted(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


_LONG_CUE_WORDS = frozenset(
    cue[0] for entries in _CUES.values() for cue, _, _ in entries if len(cue) == 1 and len(cue[0]) >= TYPO_MIN_LEN
)
_LETTER_LEFT_OUT = {short: word for word in sorted(_LONG_CUE_WORDS) for short in _one_deleted(word)}


def _cue_word(token: str) -> str:
    if token in _CUES or len(token) < TYPO_MIN_LEN - 1:
        return token
    found = _LETTER_LEFT_OUT.get(token)
    if found is None and len(token) > TYPO_MIN_LEN:
        found = next((short for short in _one_deleted(token) if short in _LONG_CUE_WORDS), None)
    return found or token


def intent_of(text: str) -> Intent:
    """Sum the weights of the cues found in the message. A cue inside a longer one that was found does not
    count: "need" in "do I need" is part of a question, not a request."""
    tokens = [_cue_word(token) for token in words(text)]
    found: list[tuple[int, int, float, str]] = []
    for at, token in enumerate(tokens):
        for cue, weight, name in _CUES.get(token, ()):
            end = at + len(cue)
            if tuple(tokens[at:end]) == cue:
                found.append((at, end, weight, name))
    totals = {"question": 0.0, "request": 0.0, "private": 0.0}
    for at, end, weight, name in found:
        if not any(a <= at and end <= e and e - a > end - at for a, e, _, _ in found):
            totals[name] += weight
    if "'" in text or "\u2019" in text:
        totals["private"] += len(_KIN_POSSESSIVE.findall(fold(strip_markup(text))))
    return Intent(**totals)


def cue_words() -> Iterator[str]:
    """Every word the cues use (for tests that check the lists stay folded)."""
    for entries in _CUES.values():
        for cue, _, _ in entries:
            yield from cue
