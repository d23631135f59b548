"""Measuring a matcher on labelled cases: accuracy of the confident answer, ranking quality, latency."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from knowledge.models import Decision, MatchResult

METRIC_KEYS = (
    "cases",
    "accuracy",
    "top1",
    "top3",
    "null_accuracy",
    "false_confident",
    "p50_ms",
    "p95_ms",
    "index_ms",
)


@dataclass(frozen=True, slots=True)
class Case:
    text: str
    expected: str | None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Outcome:
    case: Case
    confident: str | None  # the confident answer's ref, if any
    ranked: tuple[str, ...]  # refs, best first
    ms: float

    @property
    def right(self) -> bool:
        return self.confident == self.case.expected


def parse_cases(lines: Iterable[str], where: str = "cases") -> list[Case]:
    cases: list[Case] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{where}:{number}: not JSON: {exc}") from exc
        if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
            raise ValueError(f"{where}:{number}: expected an object with a 'text' string")
        expected = raw.get("expected")
        if expected is not None and not isinstance(expected, str):
            raise ValueError(f"{where}:{number}: 'expected' must be a string or null")
        tags = raw.get("tags") or ()
        cases.append(Case(raw["text"], expected, tuple(str(t) for t in tags)))
    return cases


def load_cases(path: str | Path) -> list[Case]:
    path = Path(path)
    return parse_cases(path.read_text(encoding="utf-8").splitlines(), where=str(path))


def run_cases(match: Callable[[str], MatchResult], cases: Sequence[Case]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for case in cases:
        started = time.perf_counter()
        result = match(case.text)
        elapsed = (time.perf_counter() - started) * 1000.0
        confident = result.candidates[0].ref if result.decision is Decision.CONFIDENT else None
        outcomes.append(Outcome(case, confident, tuple(c.ref for c in result.candidates), elapsed))
    return outcomes


def _share(hits: int, total: int) -> float:
    return round(hits / total, 4) if total else 0.0


def _percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return round(values[0], 3)
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1], 3)


def metrics(outcomes: Sequence[Outcome], index_ms: float) -> dict[str, float | int]:
    """The eval-match figures: see the keys in METRIC_KEYS and the definitions in the CLI help."""
    labelled = [o for o in outcomes if o.case.expected is not None]
    nulls = [o for o in outcomes if o.case.expected is None]
    times = [o.ms for o in outcomes]
    return {
        "cases": len(outcomes),
        "accuracy": _share(sum(o.right for o in outcomes), len(outcomes)),
        "top1": _share(sum(o.ranked[:1] == (o.case.expected,) for o in labelled), len(labelled)),
        "top3": _share(sum(o.case.expected in o.ranked[:3] for o in labelled), len(labelled)),
        "null_accuracy": _share(sum(o.confident is None for o in nulls), len(nulls)),
        "false_confident": _share(
            sum(o.confident is not None and o.confident != o.case.expected for o in outcomes), len(outcomes)
        ),
        "p50_ms": _percentile(times, 50),
        "p95_ms": _percentile(times, 95),
        "index_ms": round(index_ms, 3),
    }


def top1_for_tag(outcomes: Sequence[Outcome], tag: str) -> float:
    tagged = [o for o in outcomes if tag in o.case.tags and o.case.expected is not None]
    return _share(sum(o.ranked[:1] == (o.case.expected,) for o in tagged), len(tagged))
