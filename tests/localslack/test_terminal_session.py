"""`servicedesk run` without Slack tokens, driven through a pseudo-terminal as a person would use it: the
desk, the Slack stand-in and the terminal client in one process."""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from tests.conftest import REPO

WAIT = 20  # seconds per expected answer; generous for a shared machine, never reached when things work
FIRST_LINE = "Local workspace: no Slack tokens configured"


def spawn(cwd: Path, *args: str, **env: str) -> pexpect.spawn:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "PORT"))}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "bot", "run", "--config", str(REPO / "app.yaml"), *args],
        cwd=str(cwd),
        env={**clean, "NO_COLOR": "1", "TERM": "dumb", "PYTHONPATH": str(REPO), **env},
        encoding="utf-8",
        timeout=WAIT,
        dimensions=(50, 200),
    )
    child.logfile_read = io.StringIO()  # the whole transcript, for a failing assertion and the traceback check
    return child


def everything_shown(child: pexpect.spawn) -> str:
    shown: str = child.logfile_read.getvalue()
    return shown


@pytest.fixture
def transcript() -> Iterator[list[pexpect.spawn]]:
    children: list[pexpect.spawn] = []
    yield children
    for child in children:
        if child.isalive():
            child.terminate(force=True)


def prompt(who: str, where: str) -> str:
    return re.escape(f"{who} in {where}> ")


def test_employee_asks_and_agent_sees_the_ticket_card(tmp_path: Path, transcript: list[pexpect.spawn]) -> None:
    # A leftover that is not even a database: --fresh must remove it or the desk could not start.
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "servicedesk.db").write_text("not a database")
    child = spawn(tmp_path, "--local", "--fresh", "--port", "0")
    transcript.append(child)

    child.expect(prompt("anna", "DM with helpdesk"))
    assert child.before.lstrip().startswith(FIRST_LINE)

    child.sendline("my laptop won't start")
    child.expect(r"Laptop broken or won't start   \[(\d+)\] Choose")
    choice = child.match.group(1)
    child.expect(prompt("anna", "DM with helpdesk"))

    child.sendline(choice)
    child.expect("== New request ==")
    child.expect("Describe what you need")
    child.expect("> ")
    child.sendline("")  # keep what Anna wrote
    child.expect("What happens?")
    child.expect("> ")
    child.sendline("\u200b")  # looks filled to Slack, blank to the desk
    child.expect("Asset tag")
    child.expect("> ")
    child.sendline("")
    child.expect("Can you work meanwhile?")
    child.expect("2. No, I need a loan laptop")
    child.expect("> ")
    child.sendline("2")
    # The desk's own check comes back next to the field, and only that field is asked again.
    child.expect("The form needs another look:")
    child.expect("What happens?")
    child.expect("! Please fill this in.")
    child.expect("> ")
    child.sendline("Black screen, the fan spins")
    child.expect("Your request IT-1 is with IT")
    child.expect(prompt("anna", "DM with helpdesk"))

    child.sendline("/as lena-it")
    child.expect("You are now lena-it")
    child.expect(prompt("lena-it", "DM with helpdesk"))
    child.sendline("/open #it-triage")
    child.expect("--- #it-triage ---")
    child.expect(prompt("lena-it", "#it-triage"))
    card = child.before
    assert "## IT-1 · Laptop broken or won't start: my laptop won't start" in card
    assert "Requester: @anna" in card
    assert "What happens?: Black screen, the fan spins" in card
    assert "[1] Claim" in card

    child.sendcontrol("c")
    child.expect("Stopped.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in everything_shown(child)
    # The data stays for the next run.
    assert (tmp_path / "data" / "servicedesk.db").stat().st_size > 0


def test_clock_moves_the_desk_clock_and_quit_stops(tmp_path: Path, transcript: list[pexpect.spawn]) -> None:
    child = spawn(tmp_path, "--local", "--port", "0", DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/desk.db")
    transcript.append(child)
    child.expect(prompt("anna", "DM with helpdesk"))
    child.sendline("/clock")
    child.expect(r"Desk clock: .* \(real time\)")
    child.sendline("/clock +2h")
    child.expect(r"Desk clock: .* \(2h ahead of real time\)")
    child.sendline("/clock next-working-day")
    child.expect(r"Desk clock: \w{3} \d\d \w{3} \d{4} 08:00 ")
    # The desk itself now lives at IT's opening: one working hour from now is 09:00, whatever the real time.
    child.sendline("my laptop won't start")
    child.expect("IT usually answers within 1 working hour; now that would be by 09:00 today.")
    child.sendline("/clock now")
    child.expect(r"\(real time\)")
    child.sendline("/quit")
    child.expect("Stopped.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_fresh_refuses_a_database_it_does_not_own(tmp_path: Path, transcript: list[pexpect.spawn]) -> None:
    elsewhere = tmp_path / "production.db"
    elsewhere.write_text("someone's data")
    child = spawn(tmp_path, "--local", "--fresh", DATABASE_URL=f"sqlite+aiosqlite:///{elsewhere}")
    transcript.append(child)
    child.expect("DATABASE_URL points elsewhere, so nothing was deleted")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert elsewhere.read_text() == "someone's data"
