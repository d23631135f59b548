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

    `confident`: the best candidate is answered directly when its score reaches this and it leads the
    runner-up by at least `margin`. `suggest`: below that, candidates at or above this are offered as a short
    list to choose from. The defaults were calibrated on the development set as the most accurate setting
    that keeps confident-but-wrong answers at or under 5% (a wrong confident answer costs the user more than
    a short list); deployments can override them in app.yaml. The margin is the one picked most often by
    repeated 5-fold cross-validation (python -m bot.bench.match_decision): 0.14 in 20 of 50 folds."""

    confident: float = 0.35
    suggest: float = 0.2
    margin: float = 0.14
    max_choices: int = 3

    def __post_init__(self) -> None:
        if not 0.0 <= self.suggest <= self.confident <= 1.0:
            raise ValueError("thresholds must satisfy 0 <= suggest <= confident <= 1")
        if not 0.0 <= self.margin <= 1.0:
            raise ValueError("margin must lie in 0..1")
        if self.max_choices < 1:
            raise ValueError("max_choices must be at least 1")


@dataclass(frozen=True, slots=True)
class MatchResult:
    decision: Decision
    candidates: tuple[Candidate, ...]

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
