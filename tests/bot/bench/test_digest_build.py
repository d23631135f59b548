"""The digest benchmark runs, its aggregate queries use indexes on SQLite, and both databases build the same
figures from the same generated history (its timings are read by people, not asserted)."""

from __future__ import annotations

import json

import pytest

from bot.bench import digest_build
from tests.databases import postgres_url


def test_the_benchmark_reports_index_plans_and_the_same_figures_on_both_databases(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["--tickets", "3000"]
    pg = postgres_url()
    if pg:
        argv += ["--postgres", pg]
    assert digest_build.main(argv) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["database"] for line in lines] == ["sqlite", "postgresql"] if pg else ["sqlite"]
    sqlite = lines[0]
    assert set(sqlite["build_ms"]) == {"min", "median", "max"}
    for name, plan in sqlite["explain"].items():
        text = " ".join(plan)
        assert "INDEX" in text, name
        assert "SCAN tickets" not in text, name
        assert "SCAN sla_clocks" not in text, name
    if pg:
        assert lines[1]["figures"] == sqlite["figures"]
