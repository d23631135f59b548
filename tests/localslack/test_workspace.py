"""The seeded workspace and the stand-in's independence from the rest of the desk."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

import bot.localslack
from bot.cli import build_parser
from bot.clock import FixedClock
from bot.localslack.seed import SeedError, load_workspace

CLOCK = FixedClock(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))


def test_default_seed_matches_the_shared_identities() -> None:
    workspace = load_workspace(CLOCK)
    assert workspace.app.bot_user_id == "U0DESKBOT1"
    assert workspace.user("anna").id == "U0ANNA0001"
    assert workspace.user("anna").manager == "U0MAGNUS01"
    assert workspace.user("ingrid-admin@example.se").locale == "en-GB"
    triage = {c.name: c.id for c in workspace.channels.values() if c.name.endswith("-triage")}
    assert triage == {
        "it-triage": "C0ITTRIAGE",
        "hr-triage": "C0HRTRIAGE",
        "finance-triage": "C0FINTRIAG",
        "facilities-triage": "C0FACTRIAG",
        "comms-triage": "C0COMTRIAG",
    }
    assert workspace.channels["C0HRTRIAGE"].is_private
    assert all("U0DESKBOT1" in c.members for c in workspace.channels.values())
    assert "U0ERIK0001" in workspace.channels["C0HELPCHAN"].members
    assert "U0ERIK0001" not in workspace.channels["C0ITTRIAGE"].members
    assert workspace.usergroups["S0ITAGENTS"].users == ["U0LENA0001", "U0OSKAR001"]


def test_a_custom_seed_file_is_read(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        "users:\n"
        "  - {handle: helpdesk, id: U0DESKBOT1, is_bot: true, bot_id: B0DESKBOT1}\n"
        "  - {handle: kim, id: U0KIM00001, real_name: Kim}\n"
        "channels:\n"
        "  - {id: C0SUPPORT1, name: support, members: [helpdesk, everyone]}\n"
    )
    workspace = load_workspace(CLOCK, seed)
    assert workspace.user("kim").email == "kim@example.se"
    assert workspace.channel("#support").members == {"U0DESKBOT1", "U0KIM00001"}


def test_a_seed_naming_an_unknown_member_is_refused(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        "users:\n"
        "  - {handle: helpdesk, id: U0DESKBOT1, is_bot: true}\n"
        "channels:\n"
        "  - {id: C0SUPPORT1, name: support, members: [ghost]}\n"
    )
    with pytest.raises(SeedError, match="ghost"):
        load_workspace(CLOCK, seed)


def test_the_stand_in_imports_nothing_of_the_desk_but_the_clock() -> None:
    package = Path(bot.localslack.__file__).parent
    imported: set[str] = set()
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    desk_modules = {m for m in imported if m.split(".")[0] in ("bot", "handlers", "knowledge")}
    assert {m for m in desk_modules if not m.startswith("bot.localslack")} == {"bot.clock"}
    assert not any(m.startswith(("slack_bolt", "slack_sdk", "sqlalchemy")) for m in imported)


def test_the_cli_offers_the_stand_in() -> None:
    args = build_parser().parse_args(["slack-standin", "--port", "8765"])
    assert args.port == 8765
    assert args.seed is None
