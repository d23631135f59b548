"""`servicedesk digest --preview` prints a team's digest from the configured database and writes the chart."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import REPO
from tests.databases import Database
from tests.services.digest_history import build_history


@pytest.fixture
async def seeded(db: Database) -> Database:
    async with db.sessions.begin() as session:
        await build_history(session)
    return db


def test_preview_prints_the_teams_digest_and_writes_the_chart(
    seeded: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", seeded.url)
    chart = tmp_path / "trend.png"
    argv = ["digest", "--preview", "--team", "it", "--date", "2026-11-27", "--chart", str(chart)]
    assert main([*argv, "--config", str(REPO / "app.yaml")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# C0ITTRIAGE (it), 2026-11-27\nIT: morning digest, Friday 27 November\n")
    assert "Opened *3* · resolved *2*" in out
    assert "first response *67%* (2/3) · resolution *100%* (2/2)" in out
    assert "Unassigned *2* · in progress *2* · waiting on requester *1* · awaiting approval *1*" in out
    assert "[Claim]" in out
    assert "opened     1  0  0  0  0  0  0  1  0  0  1  1  2  3" in out
    assert chart.read_bytes().startswith(b"\x89PNG")
    assert f"(chart written to {chart})" in out


def test_preview_of_every_team_ends_with_the_company_digest(
    seeded: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", seeded.url)
    assert main(["digest", "--preview", "--date", "2026-11-27", "--config", str(REPO / "app.yaml")]) == 0
    out = capsys.readouterr().out
    assert "# C0HRTRIAGE (hr), 2026-11-27" in out
    assert "Communications: a quiet desk." in out
    company = out[out.index("# C0GENERAL1 (company), 2026-11-27") :]
    assert "*IT* opened 3 · resolved 2 · open 6" in company
    assert "Harassment" not in company


def test_preview_names_an_unknown_team(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["digest", "--preview", "--team", "legal", "--config", str(REPO / "app.yaml")]) == 2
    assert "no team 'legal' in the configuration; teams: it, hr, finance, facilities, comms" in capsys.readouterr().err


def test_preview_does_not_migrate_a_database_behind_the_code(
    empty_db: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", empty_db.url)
    assert main(["digest", "--preview", "--team", "it", "--config", str(REPO / "app.yaml")]) == 1
    assert "run `servicedesk db upgrade` first" in capsys.readouterr().err
