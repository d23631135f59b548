from __future__ import annotations

import pytest

from knowledge.evaluation import Case, Outcome, metrics, parse_cases, top1_for_tag


def outcome(expected: str | None, confident: str | None, ranked: tuple[str, ...], tags=()) -> Outcome:
    return Outcome(Case("text", expected, tags), confident, ranked, 1.0)


def test_metrics_follow_the_definitions() -> None:
    outcomes = [
        outcome("catalog:a", "catalog:a", ("catalog:a", "catalog:b")),  # right, confident
        outcome("catalog:a", None, ("catalog:b", "catalog:c", "catalog:a")),  # not confident, top3 only
        outcome("catalog:b", "catalog:a", ("catalog:a", "catalog:b")),  # confident and wrong
        outcome(None, None, ("catalog:a",)),  # null, rightly unsure
        outcome(None, "catalog:a", ("catalog:a",)),  # null, confident and wrong
    ]
    figures = metrics(outcomes, index_ms=12.5)
    assert figures["cases"] == 5
    assert figures["accuracy"] == 0.4
    assert figures["top1"] == pytest.approx(1 / 3, abs=1e-4)
    assert figures["top3"] == 1.0
    assert figures["null_accuracy"] == 0.5
    assert figures["false_confident"] == 0.4
    assert figures["index_ms"] == 12.5


def test_top1_for_a_tag_only_counts_tagged_labelled_cases() -> None:
    outcomes = [
        outcome("catalog:a", None, ("catalog:a",), ("typo",)),
        outcome("catalog:a", None, ("catalog:b",), ("typo",)),
        outcome("catalog:a", None, ("catalog:b",), ()),
        outcome(None, None, ("catalog:b",), ("typo",)),
    ]
    assert top1_for_tag(outcomes, "typo") == 0.5


def test_cases_are_parsed_with_clear_errors() -> None:
    cases = parse_cases(['{"text": "hi", "expected": null, "tags": ["short"]}', ""])
    assert cases == [Case("hi", None, ("short",))]
    with pytest.raises(ValueError, match=":1:"):
        parse_cases(["not json"])
    with pytest.raises(ValueError, match="expected"):
        parse_cases(['{"text": "hi", "expected": 3}'])
