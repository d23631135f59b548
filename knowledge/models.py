"""Value objects of the matcher: what is searched (catalogue entries, articles) and what comes back."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal

CandidateKind = Literal["catalog", "article"]


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    id: str
    title: str
    title_sv: str
    description: str
    keywords: tuple[str, ...]
    team: str
    kind: str
    priority: str


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    title: str
    tags: tuple[str, ...]
    lang: str
    related: tuple[str, ...]
    body: str
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    kind: CandidateKind
    id: str
    score: float
    matched: tuple[str, ...]

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.id}"


class Decision(enum.Enum):
    CONFIDENT = "confident"
    CHOOSE = "choose"
    NOTHING = "nothing"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Decision boundaries on the 0..1 candidate score.

    `confident`: the best candidate is answered directly when its score reaches this, it leads its rival
    (the runner-up; or the best candidate outside the family when the wording picked an article or its
    related catalogue item) by at least `margin`, and its lead in raw score is at least `lead` times the
    most the message could score (its most informative words, up to eight, each in a title). `suggest`:
    below that, candidates at or above this are offered as a short list to choose from.

    The relative lead is what tells a precise short message ("sjukanmälan": a small raw lead, but most of
    what the message can say) from a long, chatty one where many entries pick up a few words each (a large
    raw lead that is still a small part of the message). The defaults are the setting repeated 5-fold
    cross-validation on the development set picks most often under false_confident <= 0.04 on the training
    folds (python -m bot.bench.match_decision; a wrong confident answer costs the user more than a short
    list); deployments can override confident and suggest in app.yaml."""

    confident: float = 0.32
    suggest: float = 0.2
    margin: float = 0.04
    lead: float = 0.12
    max_choices: int = 3

    def __post_init__(self) -> None:
        if not 0.0 <= self.suggest <= self.confident <= 1.0:
            raise ValueError("thresholds must satisfy 0 <= suggest <= confident <= 1")
        if not 0.0 <= self.margin <= 1.0:
            raise ValueError("margin must lie in 0..1")
        if self.lead < 0.0:
            raise ValueError("lead must not be negative")
        if self.max_choices < 1:
            raise ValueError("max_choices must be at least 1")


@dataclass(frozen=True, slots=True)
class MatchResult:
    decision: Decision
    candidates: tuple[Candidate, ...]
    # The best candidate's raw lead over the runner-up as a share of the most the message could score: one
    # of the decision's inputs, kept for explanations and for calibrating thresholds.
    lead: float = 0.0
    # The score of the best candidate that competes with the first one (the margin is measured against it).
    rival: float = 0.0

    @property
    def best(self) -> Candidate | None:
        """The confident answer, or None when the matcher is not sure."""
        if self.decision is Decision.CONFIDENT and self.candidates:
            return self.candidates[0]
        return None

    @property
    def choices(self) -> tuple[Candidate, ...]:
        """What to offer the user: the confident answer alone, a short list, or nothing."""
        if self.decision is Decision.CONFIDENT:
            return self.candidates[:1]
        if self.decision is Decision.CHOOSE:
            return self.candidates
        return ()
