"""`servicedesk match` and `servicedesk eval-match`: try the matcher on a message, or measure it on cases."""

from __future__ import annotations

import argparse
import importlib
import json
import time
from pathlib import Path
from typing import Any

from knowledge.evaluation import METRIC_KEYS, load_cases, metrics, run_cases
from knowledge.loading import load_articles, load_catalog_file
from knowledge.matcher import Matcher
from knowledge.models import MatchResult


def register(sub: Any) -> None:
    match = sub.add_parser("match", help="show which catalogue item or article fits a message")
    match.add_argument("text", help="the message, as an employee would write it")
    match.add_argument("--config", type=Path, default=Path("app.yaml"), help="desk configuration (app.yaml)")
    match.add_argument("--catalog", type=Path, help="catalogue YAML instead of the configuration's")
    match.add_argument("--knowledge", type=Path, help="directory of Markdown articles (with --catalog)")
    match.add_argument("--limit", type=int, default=5, help="how many candidates to show")
    match.add_argument("--json", action="store_true", help="print one JSON object")
    match.set_defaults(run=run_match)

    evaluate = sub.add_parser(
        "eval-match",
        help="measure the matcher on labelled cases",
        description=(
            "accuracy: the confident answer equals `expected`, or `expected` is null and nothing is "
            "confident; top1/top3: over non-null cases, `expected` is the first / among the first three "
            "candidates; null_accuracy: null cases without a confident answer; false_confident: share of "
            "all cases with a confident but wrong answer; p50_ms/p95_ms: matching latency per case; "
            "index_ms: time to build the index."
        ),
    )
    evaluate.add_argument("cases", type=Path, help="JSON lines: {text, expected: 'catalog:<id>'|'article:<id>'|null}")
    evaluate.add_argument("--catalog", type=Path, required=True, help="catalogue YAML (top-level catalog:)")
    evaluate.add_argument("--knowledge", type=Path, required=True, help="directory of Markdown articles")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object with the metrics")
    evaluate.set_defaults(run=run_eval)


def _matcher_from_files(catalog: Path, knowledge: Path | None) -> Matcher:
    articles = load_articles(knowledge) if knowledge is not None else []
    return Matcher(load_catalog_file(catalog), articles)


def _matcher_from_config(path: Path) -> Matcher:
    # Imported on this path only: the desk configuration pulls in more than matching needs.
    config = importlib.import_module("bot.config")
    from bot.matching import matcher_from_config

    return matcher_from_config(config.load_config(path))


def run_match(args: argparse.Namespace) -> int:
    try:
        if args.catalog is not None:
            matcher = _matcher_from_files(args.catalog, args.knowledge)
        else:
            matcher = _matcher_from_config(args.config)
    except (OSError, ValueError) as exc:
        print(f"servicedesk match: {exc}")
        return 2
    result = matcher.match(args.text, limit=args.limit)
    print(json.dumps(result_as_dict(result), ensure_ascii=False) if args.json else describe(result))
    return 0


def result_as_dict(result: MatchResult) -> dict[str, Any]:
    return {
        "decision": result.decision.value,
        "candidates": [{"ref": c.ref, "score": c.score, "matched": list(c.matched)} for c in result.candidates],
    }


def describe(result: MatchResult) -> str:
    lines = [f"decision: {result.decision.value}"]
    if not result.candidates:
        lines.append("  (no candidates)")
    for rank, candidate in enumerate(result.candidates, start=1):
        fields = ", ".join(candidate.matched) or "-"
        lines.append(f"  {rank}. {candidate.ref:<45} {candidate.score:.3f}  matched: {fields}")
    return "\n".join(lines)


def run_eval(args: argparse.Namespace) -> int:
    try:
        cases = load_cases(args.cases)
        started = time.perf_counter()
        matcher = _matcher_from_files(args.catalog, args.knowledge)
        index_ms = (time.perf_counter() - started) * 1000.0
    except (OSError, ValueError) as exc:
        print(f"servicedesk eval-match: {exc}")
        return 2
    figures = metrics(run_cases(matcher.match, cases), index_ms)
    if args.json:
        print(json.dumps({key: figures[key] for key in METRIC_KEYS}))
    else:
        for key in METRIC_KEYS:
            print(f"{key:>16}: {figures[key]}")
    return 0
