"""The benchmark scripts run and report what they promise (their figures are read by people, not asserted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.bench import match_baselines, match_decision, match_learning, match_scale
from knowledge.evaluation import METRIC_KEYS

CATALOG = """catalog:
  - id: printer-problem
    title: Printer problem
    title_sv: Problem med skrivare
    description: A printer that is jammed or offline.
    keywords: ["printer", "paper jam", "skrivare"]
    team: it
    kind: incident
    priority: medium
  - id: vacation-request
    title: Vacation request
    title_sv: Semesteransökan
    description: Apply for vacation days.
    keywords: ["vacation", "semester"]
    team: hr
    kind: request
    priority: low
"""
ARTICLE = "---\nid: kb-vpn\ntitle: Connect to the VPN\ntags: [vpn]\nlang: en\n---\nClick Connect.\n"


@pytest.fixture
def dev_set(tmp_path: Path) -> list[str]:
    (tmp_path / "catalog.yaml").write_text(CATALOG, encoding="utf-8")
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "kb-vpn.md").write_text(ARTICLE, encoding="utf-8")
    cases = [
        {"text": "printr jammed", "expected": "catalog:printer-problem", "tags": ["typo"]},
        {"text": "semester i juli", "expected": "catalog:vacation-request", "tags": []},
        {"text": "how do I connect to the vpn", "expected": "article:kb-vpn", "tags": []},
        {"text": "thanks!", "expected": None, "tags": []},
    ]
    (tmp_path / "cases.jsonl").write_text("\n".join(json.dumps(c) for c in cases), encoding="utf-8")
    return [
        "--cases", str(tmp_path / "cases.jsonl"),
        "--catalog", str(tmp_path / "catalog.yaml"),
        "--knowledge", str(tmp_path / "kb"),
    ]  # fmt: skip


def test_baselines_report_every_matcher_with_typo_top1(dev_set: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert match_baselines.main(dev_set) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["matcher"] for line in lines] == ["desk", "fts5", "fts5_porter", "token_set_ratio"]
    for line in lines:
        assert set(METRIC_KEYS) | {"typo_top1"} <= set(line)
    desk = lines[0]
    assert desk["top1"] == 1.0
    assert desk["typo_top1"] == 1.0


def test_learning_benchmark_compares_none_unseen_and_repeated(
    dev_set: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert match_learning.main([*dev_set, "--folds", "2"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["phrasings"] for line in lines] == ["none", "unseen", "repeated"]
    assert all(line["cases"] == 4 for line in lines)


def test_scale_benchmark_reports_build_latency_and_memory(capsys: pytest.CaptureFixture[str]) -> None:
    assert match_scale.main(["--items", "50", "--articles", "200", "--queries", "20"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["items"] == 50
    assert figures["articles"] == 200
    assert {"index_build_s", "p50_ms", "p95_ms", "add_article_ms", "peak_rss_mb"} <= set(figures)


def test_decision_benchmark_cross_validates_every_rule(dev_set: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert match_decision.main([*dev_set, "--folds", "2", "--repeats", "1"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["rule"] for line in lines] == list(match_decision.RULES)
    for line in lines:
        assert line["cases"] == 4
        assert 0.0 <= line["cv_accuracy"] <= 1.0
        assert 0.0 <= line["cv_false_confident"] <= 1.0
