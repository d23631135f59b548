from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import REPO


def test_check_passes_on_the_shipped_config(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    assert main(["check", "--config", "app.yaml"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("app.yaml is valid: Nordljus Helpdesk")
    assert "34 services" in out
    assert "8 articles" in out


def test_check_on_a_broken_copy_prints_file_line_problems_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (REPO / "app.yaml").read_text(encoding="utf-8")
    text = text.replace("    team: comms\n", "    team: marketing\n", 1).replace("  warn_at: 0.75", "  warn_at: 75")
    text = text.replace("path: knowledge/articles", f"path: {REPO / 'knowledge' / 'articles'}")
    broken = tmp_path / "broken.yaml"
    broken.write_text(text, encoding="utf-8")

    assert main(["check", "--config", str(broken)]) == 1

    err = capsys.readouterr().err.splitlines()
    problems = [line for line in err if line.startswith(f"{broken}:")]
    assert len(problems) == 2
    assert any("names team 'marketing', which is not defined" in p for p in problems)
    assert any("sla.warn_at: Input should be less than 1" in p for p in problems)
    assert err[-1] == "2 problem(s) found; fix them and run `servicedesk check` again."


def test_check_reports_broken_articles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "good.md").write_text("---\nid: kb-a\ntitle: A\nlang: en\nrelated: [no-such-item]\n---\nBody\n")
    (articles / "bad.md").write_text("No front matter here\n")
    text = (REPO / "app.yaml").read_text(encoding="utf-8").replace("path: knowledge/articles", f"path: {articles}")
    config = tmp_path / "app.yaml"
    config.write_text(text, encoding="utf-8")

    assert main(["check", "--config", str(config)]) == 1

    err = capsys.readouterr().err
    assert f"{articles / 'bad.md'}:1:" in err
    assert "missing YAML front matter" in err
    assert "related catalogue item 'no-such-item' does not exist" in err


def test_python_dash_m_bot_is_the_same_cli(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "check", "--config", str(missing)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert f"{missing}:1: file not found" in result.stderr
