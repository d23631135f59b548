"""How much learned phrasings help. The desk adds a message as a phrasing of its target when the request
ends in a ticket or a user confirms an article; this replays that with the labelled cases.

    python -m bot.bench.match_learning [--cases C --catalog F --knowledge D --folds K]

Prints three JSON lines with the eval-match metrics:
- `none`: no phrasings learned;
- `unseen`: k-fold, the other folds' messages learned, the held-out fold measured (every case scored once,
  by a matcher that never saw it): learning must not hurt new wordings;
- `repeated`: every labelled message learned, then the same messages asked again (people repeat
  themselves): learning must help."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from bot.bench.match_baselines import DEV_SET
from knowledge.evaluation import Outcome, load_cases, metrics, run_cases, top1_for_tag
from knowledge.loading import load_articles, load_catalog_file
from knowledge.matcher import Matcher


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.match_learning", description=__doc__)
    parser.add_argument("--cases", type=Path, default=DEV_SET / "cases.jsonl")
    parser.add_argument("--catalog", type=Path, default=DEV_SET / "catalog.yaml")
    parser.add_argument("--knowledge", type=Path, default=DEV_SET / "knowledge")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    cases = load_cases(args.cases)
    catalog = load_catalog_file(args.catalog)
    articles = load_articles(args.knowledge)

    plain = run_cases(Matcher(catalog, articles).match, cases)
    unseen: list[Outcome] = []
    for fold in range(args.folds):
        matcher = Matcher(catalog, articles)
        for number, case in enumerate(cases):
            if number % args.folds != fold and case.expected is not None:
                matcher.add_phrasing(case.expected, case.text)
        unseen += run_cases(matcher.match, [c for n, c in enumerate(cases) if n % args.folds == fold])
    matcher = Matcher(catalog, articles)
    for case in cases:
        if case.expected is not None:
            matcher.add_phrasing(case.expected, case.text)
    repeated = run_cases(matcher.match, cases)
    for name, outcomes in (("none", plain), ("unseen", unseen), ("repeated", repeated)):
        figures = {"phrasings": name, **metrics(outcomes, 0.0), "typo_top1": top1_for_tag(outcomes, "typo")}
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
