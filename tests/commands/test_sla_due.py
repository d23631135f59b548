from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import REPO

CONFIG = str(REPO / "app.yaml")


def due(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, str], str]:
    code = main(["sla", "due", "--config", CONFIG, *args])
    captured = capsys.readouterr()
    lines = dict(line.split(None, 1) for line in captured.out.splitlines() if line.strip())
    return code, lines, captured.err


def test_friday_afternoon_with_a_one_hour_target_is_due_monday_morning(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, _ = due(capsys, "--team", "it", "--priority", "high", "--start", "2026-11-27T16:30+01:00")
    assert code == 0
    assert lines["first_response"].startswith("2026-11-30T08:30:00+01:00")
    assert lines["resolution"].startswith("2026-11-30T15:30:00+01:00")
    assert lines["calendar"] == "stockholm-office (Europe/Stockholm)"


def test_start_in_another_zone_is_answered_in_the_team_calendars_zone(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, _ = due(capsys, "--team", "it", "--priority", "high", "--start", "2026-06-19T08:00:00Z")
    assert code == 0
    # Midsummer eve is closed; the clock starts Monday 08:00 summer time.
    assert lines["first_response"].startswith("2026-06-22T09:00:00+02:00")


def test_an_items_override_wins_over_the_team_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (REPO / "app.yaml").read_text(encoding="utf-8")
    text = text.replace("  - id: password-reset\n", "  - id: password-reset\n    sla: {first_response: 30m}\n", 1)
    text = text.replace("path: knowledge/articles", f"path: {REPO / 'knowledge' / 'articles'}")
    config = tmp_path / "app.yaml"
    config.write_text(text, encoding="utf-8")
    args = ["sla", "due", "--config", str(config), "--team", "it", "--priority", "high"]
    assert main([*args, "--start", "2026-11-25T10:00+01:00", "--item", "password-reset"]) == 0
    out = capsys.readouterr().out
    assert "first_response  2026-11-25T10:30:00+01:00  (30m working time)" in out
    assert "resolution      2026-11-26T09:00:00+01:00  (8h00m working time)" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--team", "marketing", "--priority", "high", "--start", "2026-11-27T16:30+01:00"],
            "unknown team 'marketing'",
        ),
        (["--team", "it", "--priority", "urgent", "--start", "2026-11-27T16:30+01:00"], "unknown priority 'urgent'"),
        (["--team", "it", "--priority", "high", "--start", "2026-11-27T16:30"], "has no UTC offset"),
        (["--team", "it", "--priority", "high", "--start", "next friday"], "cannot read --start 'next friday'"),
        (
            ["--team", "it", "--priority", "high", "--start", "2026-11-27T16:30Z", "--item", "nope"],
            "unknown catalogue item 'nope'",
        ),
        (
            ["--team", "hr", "--priority", "high", "--start", "2026-11-27T16:30Z", "--item", "laptop-broken"],
            "belongs to team 'it'",
        ),
    ],
)
def test_bad_input_gets_a_clear_message_and_exit_1(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, lines, err = due(capsys, *args)
    assert code == 1
    assert lines == {}
    assert err.startswith("servicedesk sla due: ")
    assert message in err
