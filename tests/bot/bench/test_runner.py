"""`python -m bot.bench` finds every benchmark module by itself."""

from __future__ import annotations

import pytest

from bot.bench.__main__ import benchmark_names, main


def test_every_benchmark_module_is_found_and_the_runner_is_not() -> None:
    names = benchmark_names()
    assert {"match_baselines", "match_learning", "match_scale", "sla_due"} <= set(names)
    assert not any(name.startswith("_") for name in names)


def test_list_prints_the_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list"]) == 0
    assert capsys.readouterr().out.split() == benchmark_names()


def test_an_unknown_benchmark_is_refused_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--only", "no_such_bench"])
    assert "no_such_bench" in capsys.readouterr().err
