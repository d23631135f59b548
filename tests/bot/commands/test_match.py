from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from knowledge.evaluation import METRIC_KEYS

CATALOG = """catalog:
  - id: password-reset
    title: Password reset or locked account
    title_sv: Återställ lösenord
    description: Help when your account is locked.
    keywords: ["password", "locked out", "lösenord"]
    team: it
    kind: incident
    priority: high
  - id: printer-problem
    title: Printer problem
    title_sv: Problem med skrivare
    description: A printer that is jammed or offline.
    keywords: ["printer", "paper jam", "skrivare"]
    team: it
    kind: incident
    priority: medium
"""

ARTICLE = """---
id: kb-connect-vpn
title: Connect to the VPN
tags: [vpn]
lang: en
---
Click the shield icon and choose Connect.
"""


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    (tmp_path / "catalog.yaml").write_text(CATALOG, encoding="utf-8")
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "kb-connect-vpn.md").write_text(ARTICLE, encoding="utf-8")
    cases = [
        {"text": "forgot my pasword, locked out", "expected": "catalog:password-reset"},
        {"text": "printer paper jam", "expected": "catalog:printer-problem"},
        {"text": "how do I connect to the vpn", "expected": "article:kb-connect-vpn"},
        {"text": "thanks!", "expected": None},
    ]
    (tmp_path / "cases.jsonl").write_text("\n".join(json.dumps(c) for c in cases) + "\n", encoding="utf-8")
    return tmp_path


def test_match_prints_decision_and_ranked_candidates(desk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "match",
            "skrivaren har pappersstopp",
            "--catalog",
            str(desk / "catalog.yaml"),
            "--knowledge",
            str(desk / "kb"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("decision: ")
    assert "1. catalog:printer-problem" in out


def test_match_json_output(desk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["match", "locked out", "--catalog", str(desk / "catalog.yaml"), "--json"])
    result = json.loads(capsys.readouterr().out)
    assert result["candidates"][0]["ref"] == "catalog:password-reset"
    assert result["decision"] in {"confident", "choose", "nothing"}


def test_match_reports_a_broken_catalogue(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "catalog.yaml").write_text("items: []\n", encoding="utf-8")
    assert main(["match", "x", "--catalog", str(tmp_path / "catalog.yaml")]) == 2
    assert "catalog" in capsys.readouterr().out


def test_eval_match_json_has_exactly_the_metric_keys(desk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "eval-match",
            str(desk / "cases.jsonl"),
            "--catalog",
            str(desk / "catalog.yaml"),
            "--knowledge",
            str(desk / "kb"),
            "--json",
        ]
    )
    figures = json.loads(capsys.readouterr().out)
    assert code == 0
    assert list(figures) == list(METRIC_KEYS)
    assert figures["cases"] == 4
    assert figures["top1"] == 1.0
    assert figures["null_accuracy"] == 1.0


def test_eval_match_text_output_names_each_metric(desk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(
        [
            "eval-match",
            str(desk / "cases.jsonl"),
            "--catalog",
            str(desk / "catalog.yaml"),
            "--knowledge",
            str(desk / "kb"),
        ]
    )
    out = capsys.readouterr().out
    assert all(f"{key:>16}:" in out for key in METRIC_KEYS)
