"""How well do confidence rules generalise? Repeated k-fold cross-validation of the decision thresholds.

    python -m bot.bench.match_decision [--cases C --catalog F --knowledge D --folds 5 --repeats 4]

For each rule, the thresholds are fitted on k-1 folds (the most accurate setting whose false_confident stays
at or under --max-false-confident) and applied to the held-out fold, so every case is judged by thresholds
that never saw it. Prints one JSON line per rule with the cross-validated accuracy and false_confident (mean
over the repeats), the same figures for thresholds fitted on all cases, and those thresholds.

Rules (score = a candidate's 0..1 score, best first; runner-up = the matcher's rival, MatchResult.rival:
the next candidate, or the best one outside the best one's family when the wording picked the member):
- `margin`: best >= confident and best - runner-up >= margin;
- `family_margin`: the same, but the runner-up is the best candidate outside the best one's family (an
  article and a catalogue item its `related` lists are two fitting answers, not rivals);
- `ratio`: best >= confident and runner-up <= ratio * best;
- `margin_and_lead`: `margin`, and the best candidate's raw lead over the runner-up is at least `lead` times
  the most the message could score (MatchResult.lead; the matcher's rule).
A message about a private matter (knowledge.intent) is never confident, under every rule, as in the matcher."""

from __future__ import annotations

import argparse
import json
import random
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.bench.match_baselines import DEV_SET
from knowledge.evaluation import load_cases
from knowledge.intent import intent_of
from knowledge.loading import load_articles, load_catalog_file
from knowledge.matcher import Matcher


@dataclass(frozen=True, slots=True)
class Row:
    expected: str | None
    top: str | None
    best: float
    runner_up: float
    outside_family: float
    lead: float
    private: bool = False  # a private matter: never a confident answer (knowledge.intent)


Params = tuple[float, ...]
Rule = Callable[[Row, Params], bool]
CONFIDENT = [x / 100 for x in range(20, 72, 3)]
MARGIN = [x / 100 for x in range(0, 30, 2)]
RULES: dict[str, tuple[Rule, list[Params]]] = {
    "margin": (
        lambda r, p: r.best >= p[0] and r.best - r.runner_up >= p[1],
        [(c, m) for c in CONFIDENT for m in MARGIN],
    ),
    "family_margin": (
        lambda r, p: r.best >= p[0] and r.best - r.outside_family >= p[1],
        [(c, m) for c in CONFIDENT for m in MARGIN],
    ),
    "ratio": (
        lambda r, p: r.best >= p[0] and r.runner_up <= p[1] * r.best,
        [(c, x / 100) for c in CONFIDENT for x in range(50, 100, 4)],
    ),
    "margin_and_lead": (
        lambda r, p: r.best >= p[0] and r.best - r.runner_up >= p[1] and r.lead >= p[2],
        [(c, m, x / 100) for c in CONFIDENT[2:12] for m in MARGIN[:10] for x in range(0, 45, 3)],
    ),
}


def rows_of(matcher: Matcher, families: dict[str, set[str]], cases: Sequence[tuple[str, str | None]]) -> list[Row]:
    rows = []
    for text, expected in cases:
        result = matcher.match(text, limit=8)
        ranked = result.candidates
        if not ranked:
            rows.append(Row(expected, None, 0.0, 0.0, 0.0, 0.0))
            continue
        top = ranked[0].ref
        family = families.get(top, set())
        outside = [c.score for c in ranked[1:] if c.ref not in family]
        runner_up = result.rival
        private = intent_of(text).private > 0
        rows.append(
            Row(expected, top, ranked[0].score, runner_up, outside[0] if outside else 0.0, result.lead, private)
        )
    return rows


def judged(rows: Sequence[Row], rule: Rule, params: Sequence[Params]) -> tuple[float, float]:
    """(accuracy, false_confident) with params[i] applied to rows[i]."""
    right = wrong = 0
    for row, p in zip(rows, params, strict=True):
        confident = row.top is not None and not row.private and rule(row, p)
        if confident and row.top == row.expected:
            right += 1
        elif confident:
            wrong += 1
        elif row.expected is None:
            right += 1
    return right / len(rows), wrong / len(rows)


def fit(rows: Sequence[Row], rule: Rule, grid: list[Params], max_false: float) -> Params:
    best: tuple[tuple[float, float], Params] | None = None
    for p in grid:
        accuracy, false = judged(rows, rule, [p] * len(rows))
        key = (accuracy if false <= max_false else -1.0, -false)
        if best is None or key > best[0]:
            best = (key, p)
    assert best is not None
    return best[1]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.match_decision", description=__doc__)
    parser.add_argument("--cases", type=Path, default=DEV_SET / "cases.jsonl")
    parser.add_argument("--catalog", type=Path, default=DEV_SET / "catalog.yaml")
    parser.add_argument("--knowledge", type=Path, default=DEV_SET / "knowledge")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=4)
    parser.add_argument("--max-false-confident", type=float, default=0.04)
    args = parser.parse_args(argv)
    articles = load_articles(args.knowledge)
    families: dict[str, set[str]] = {}
    for article in articles:
        for item in article.related:
            families.setdefault(f"article:{article.id}", set()).add(f"catalog:{item}")
            families.setdefault(f"catalog:{item}", set()).add(f"article:{article.id}")
    matcher = Matcher(load_catalog_file(args.catalog), articles)
    rows = rows_of(matcher, families, [(c.text, c.expected) for c in load_cases(args.cases)])
    folds = max(2, min(args.folds, len(rows)))
    for name, (rule, grid) in RULES.items():
        results = []
        for repeat in range(args.repeats):
            order = list(range(len(rows)))
            random.Random(repeat).shuffle(order)
            params: list[Params] = [()] * len(rows)
            for fold in range(folds):
                held_out = set(order[fold::folds])
                fitted = fit([rows[i] for i in order if i not in held_out], rule, grid, args.max_false_confident)
                for i in held_out:
                    params[i] = fitted
            results.append(judged(rows, rule, params))
        everything = fit(rows, rule, grid, args.max_false_confident)
        accuracy, false = judged(rows, rule, [everything] * len(rows))
        print(
            json.dumps(
                {
                    "rule": name,
                    "cases": len(rows),
                    "cv_accuracy": round(statistics.mean(a for a, _ in results), 4),
                    "cv_false_confident": round(statistics.mean(f for _, f in results), 4),
                    "fitted_accuracy": round(accuracy, 4),
                    "fitted_false_confident": round(false, 4),
                    "fitted": everything,
                }
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
