"""The terminal session in-process against the real local workspace (desk + stand-in + one clock): what a
person sees after each command, and that each command acts in the workspace as that person."""

from __future__ import annotations

import io
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.localslack.terminal.lines import Output
from bot.localslack.terminal.local import LocalWorkspace, local_workspace
from bot.localslack.terminal.render import PLAIN
from bot.localslack.terminal.session import Session
from tests.conftest import REPO


class Typed:
    """Answers waiting to be typed at the next questions (modal prompts, menus)."""

    def __init__(self) -> None:
        self.waiting: list[str] = []

    async def read(self) -> str | None:
        return self.waiting.pop(0) if self.waiting else None


class Screen(Output):
    def __init__(self) -> None:
        self.buffer = io.StringIO()
        super().__init__(self.buffer)

    def take(self) -> str:
        shown = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return shown


@pytest.fixture
async def workspace(tmp_path: Path) -> AsyncIterator[LocalWorkspace]:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/desk.db"}
    async with local_workspace(str(REPO / "app.yaml"), env, port=0) as running:
        yield running


@pytest.fixture
def typed() -> Typed:
    return Typed()


@pytest.fixture
def screen() -> Screen:
    return Screen()


@pytest.fixture
def session(workspace: LocalWorkspace, typed: Typed, screen: Screen) -> Session:
    return workspace.session(typed, screen, PLAIN)


async def type_line(session: Session, screen: Screen, line: str, *answers: str) -> str:
    assert isinstance(session.reader, Typed)
    session.reader.waiting.extend(answers)
    screen.take()
    await session.handle_line(line)
    assert session.reader.waiting == [], "every prepared answer was asked for"
    return screen.take()


async def open_laptop_ticket(session: Session, screen: Screen) -> None:
    shown = await type_line(session, screen, "my laptop won't start")
    assert "Laptop broken or won't start   [1] Choose" in shown
    await type_line(session, screen, "1", "", "Black screen", "", "2")


async def test_thread_replies_are_relayed_and_shown_indented(session: Session, screen: Screen) -> None:
    await open_laptop_ticket(session, screen)
    await type_line(session, screen, "/as lena-it")
    await type_line(session, screen, "/open #it-triage")
    shown = await type_line(session, screen, "/thread 1")
    assert "--- thread of #1 in #it-triage ---" in shown
    shown = await type_line(session, screen, "Can you bring it to the IT desk at 10?")
    assert "  | #2 lena-it" in shown
    assert "  |     Can you bring it to the IT desk at 10?" in shown

    shown = await type_line(session, screen, "/as anna")
    assert "You are now anna (Anna Lindqvist, employee), in DM with helpdesk." in shown
    shown = await type_line(session, screen, "/open dm")
    assert "  |     @lena-it replied on IT-1:" in shown
    assert "  |     > Can you bring it to the IT desk at 10?" in shown


async def test_a_slash_command_answer_is_only_for_you_and_a_dm_note_points_to_it(
    session: Session, screen: Screen
) -> None:
    await type_line(session, screen, "/open #general")
    shown = await type_line(session, screen, "/helpdesk my pw expired and I'm locked out")
    assert "helpdesk" in shown
    assert "(only you)" in shown
    assert "Password reset or locked account   [1] Choose" in shown
    shown = await type_line(session, screen, "1", "", "")
    assert "(1 new message in your DM with helpdesk: /open dm)" in shown


async def test_a_dot_cancels_a_modal_and_the_shortcut_opens_the_catalogue(
    session: Session, screen: Screen, workspace: LocalWorkspace
) -> None:
    shown = await type_line(session, screen, "/shortcut new", ".")
    assert "== New request ==" in shown
    assert "(modal closed)" in shown
    assert workspace.slack.open_views("anna") == []


async def test_menus_ask_for_an_option_and_the_home_tab_lists_tickets(session: Session, screen: Screen) -> None:
    await open_laptop_ticket(session, screen)
    shown = await type_line(session, screen, "/home")
    assert "== Home ==" in shown
    assert "IT-1" in shown
    # Pressing the catalogue's menu in a modal asks which option, then follows the modal the desk updates.
    shown = await type_line(session, screen, "/helpdesk", "1", "16", "For my mortgage", "", "2")
    assert "Employment certificate" in shown
    assert "  1. Swedish" in shown
    assert "Your request HR-1 is with HR" in shown


async def test_people_and_places_are_checked(session: Session, screen: Screen) -> None:
    assert "No one called 'nobody'" in await type_line(session, screen, "/as nobody")
    assert "anna is not in #hr-triage." in await type_line(session, screen, "/open #hr-triage")
    assert "There is no choice [7] on screen." in await type_line(session, screen, "7")
    assert "No message #9 here." in await type_line(session, screen, "/thread 9")
    assert "/clock [+2h|+30m|+1d|next-working-day|now]" in await type_line(session, screen, "/help")
    shown = await type_line(session, screen, "/who")
    assert " * anna " in shown
    assert "lena-it" in shown


async def test_a_reaction_opens_a_ticket_and_the_clock_moves_the_desk(
    session: Session, screen: Screen, workspace: LocalWorkspace
) -> None:
    await type_line(session, screen, "the printer on floor 3 jams")
    shown = await type_line(session, screen, "/react 1 ticket")
    assert ":ticket: 1" in shown
    before = workspace.desk.clock.now()
    shown = await type_line(session, screen, "/clock +1d")
    assert "(1d ahead of real time)" in shown
    assert workspace.desk.clock.now() - before >= timedelta(days=1)


async def test_today_s_digest_on_demand_once(session: Session, screen: Screen) -> None:
    await open_laptop_ticket(session, screen)
    await type_line(session, screen, "/as lena-it")
    await type_line(session, screen, "/digest it")
    shown = await type_line(session, screen, "/open #it-triage")
    assert "IT: morning digest" in shown
    again = await type_line(session, screen, "/digest it")
    assert "today's digest was already posted" in again


async def test_a_taken_port_is_replaced_by_a_free_one(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/desk.db"}
        async with local_workspace(str(REPO / "app.yaml"), env, port=port) as running:
            assert running.port_moved
            assert running.port != port
            assert running.slack.request_url == f"http://127.0.0.1:{running.port}/slack/events"
