"""The matcher's quality targets on the public development set (../shared/eval/dev next to the repository)."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.evaluation import load_cases, metrics, run_cases
from knowledge.loading import load_articles, load_catalog_file
from knowledge.matcher import Matcher

# The targets for top3 and false_confident. Accuracy and top1 are held just under what the matcher
# reaches today (0.875 and 0.912; the issue asks 0.85 accuracy; cross-validated accuracy is 0.859, see
# bot.bench.match_decision), so that a regression fails CI.
TOP3_TARGET = 0.95
FALSE_CONFIDENT_TARGET = 0.05
ACCURACY_FLOOR = 0.87
TOP1_FLOOR = 0.91

REPO = Path(__file__).resolve().parents[2]
CANDIDATES = (REPO / ".." / "shared" / "eval" / "dev", Path("/work/shared/eval/dev"))
DEV_SET = next((path for path in CANDIDATES if (path / "cases.jsonl").is_file()), None)


@pytest.fixture(scope="module")
def figures() -> dict[str, float | int]:
    if DEV_SET is None:
        pytest.skip("development set not found at ../shared/eval/dev next to the repository")
    matcher = Matcher(load_catalog_file(DEV_SET / "catalog.yaml"), load_articles(DEV_SET / "knowledge"))
    return metrics(run_cases(matcher.match, load_cases(DEV_SET / "cases.jsonl")), index_ms=0.0)


def test_ranking_puts_the_right_answer_in_the_top_three(figures: dict[str, float | int]) -> None:
    assert figures["top3"] >= TOP3_TARGET
    assert figures["top1"] >= TOP1_FLOOR


def test_confident_answers_are_right(figures: dict[str, float | int]) -> None:
    assert figures["accuracy"] >= ACCURACY_FLOOR
    assert figures["false_confident"] <= FALSE_CONFIDENT_TARGET
