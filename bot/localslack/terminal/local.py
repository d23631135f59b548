"""`servicedesk run` without Slack tokens: the real desk (HTTP mode on loopback, SQLite) against the Slack
stand-in, and the terminal session in front. Same code path as production from the HTTP edge inward."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import signal
import sys
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from bot.bootstrap import Desk, build_desk, start_background
from bot.clock import OffsetClock
from bot.config import DeskConfig, load_config
from bot.digest_wiring import DigestPlanner
from bot.localslack.driver import LocalSlack
from bot.localslack.terminal.clockctl import ClockControl
from bot.localslack.terminal.lines import LineReader, Lines, Output
from bot.localslack.terminal.render import Style
from bot.localslack.terminal.session import Session
from bot.web import create_web_app

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/servicedesk.db"
FIRST_USER = "anna"


class FreshRefused(RuntimeError):
    pass


def database_file(url: str) -> Path | None:
    prefix = "sqlite+aiosqlite:///"
    return Path(url.removeprefix(prefix)) if url.startswith(prefix) else None


def wipe_default_database(env: Mapping[str, str]) -> Path:
    """`--fresh`: delete the local SQLite file, and only that one; a DATABASE_URL set elsewhere is refused."""
    url = env.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if url != DEFAULT_DATABASE_URL:
        raise FreshRefused(
            f"--fresh only deletes the local {DEFAULT_DATABASE_URL.removeprefix('sqlite+aiosqlite:///')}; "
            "DATABASE_URL points elsewhere, so nothing was deleted. Unset DATABASE_URL or empty that database yourself."
        )
    path = database_file(url)
    assert path is not None
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    return path


def use_colour(stream: object | None = None) -> bool:
    isatty = getattr(stream or sys.stdout, "isatty", None)
    return bool(isatty and isatty()) and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def local_config(config_path: str, slack: LocalSlack, env: Mapping[str, str]) -> DeskConfig:
    overrides = {
        **env,
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_API_URL": slack.api_url,
        "SLACK_APP_TOKEN": "",
    }
    return load_config(config_path, env=overrides)


async def serve_loopback(desk: Desk, port: int) -> tuple[web.AppRunner, int, bool]:
    """The desk's web app on 127.0.0.1; a taken port falls back to a free one (the bool says so)."""
    runner = web.AppRunner(create_web_app(desk), handle_signals=False)
    await runner.setup()
    for attempt in (port, 0):
        site = web.TCPSite(runner, "127.0.0.1", attempt)
        try:
            await site.start()
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE or attempt == 0:
                await runner.cleanup()
                raise
            continue
        sockets = getattr(site._server, "sockets", None) or []
        bound = sockets[0].getsockname()[1] if sockets else attempt
        return runner, bound, attempt != port
    raise AssertionError("unreachable")


@dataclass
class LocalWorkspace:
    desk: Desk
    slack: LocalSlack
    clock: OffsetClock
    port: int
    port_moved: bool
    database: Path | None

    def clock_control(self) -> ClockControl:
        team = self.desk.config.desk.default_team
        calendar = self.desk.policies.team_calendar(team)
        return ClockControl(self.clock, calendar.next_open, self.desk.policies.timezone(team))

    def session(self, reader: Lines, out: Output, style: Style, user: str = FIRST_USER) -> Session:
        return Session(
            self.slack,
            self.desk.settle,
            self.clock_control(),
            reader=reader,
            out=out,
            style=style,
            user=user,
            digest=self.post_digest,
        )

    async def post_digest(self, team: str | None) -> int:
        """Today's digest on demand, under the same once-per-channel-and-day key as the morning run."""
        planner = DigestPlanner(self.desk.sessions, self.desk.clock, self.desk.config, self.desk.policies)
        queued = await planner.queue_due(teams=[team] if team else None, on_demand=True)
        return queued


@contextlib.asynccontextmanager
async def local_workspace(config_path: str, env: Mapping[str, str], port: int) -> AsyncIterator[LocalWorkspace]:
    """The stand-in, then the desk built against it with the same clock, served on loopback with its
    background loops; torn down in the opposite order."""
    clock = OffsetClock()
    slack = LocalSlack(clock=clock)
    await slack.start()
    desk: Desk | None = None
    runner: web.AppRunner | None = None
    stop = asyncio.Event()
    try:
        config = local_config(config_path, slack, env)
        path = database_file(config.database.url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        desk = await build_desk(config, clock=clock)
        runner, bound, moved = await serve_loopback(desk, port)
        slack.request_url = f"http://127.0.0.1:{bound}/slack/events"
        start_background(desk, stop)
        yield LocalWorkspace(desk, slack, clock, bound, moved, path)
    finally:
        stop.set()
        await _shut_down(desk, runner, slack)


async def run_local(
    config_path: str, env: Mapping[str, str], port: int, out: Output, notes: list[str] | None = None
) -> int:
    out.line(
        "Local workspace: no Slack tokens configured, so the desk runs against a built-in Slack stand-in. "
        f"You are {FIRST_USER} (employee). Type /help."
    )
    out.lines(notes or [])
    try:
        async with local_workspace(config_path, env, port) as workspace:
            if workspace.port_moved:
                out.line(f"Port {port} is taken, so the desk listens on {workspace.port} instead.")
            where = f"data in {workspace.database}" if workspace.database else "data in the configured database"
            out.line(f"Desk ready on http://127.0.0.1:{workspace.port} ({where}). Ctrl-C or /quit stops.")
            reader = LineReader()
            reader.start()
            await _until_done_or_interrupted(workspace.session(reader, out, Style(use_colour())), out)
    except OSError as exc:  # e.g. no loopback port could be bound; say so instead of a traceback
        out.line(f"Could not start the local workspace: {exc}")
        return 1
    finally:
        out.line("Stopped.")
    return 0


async def _until_done_or_interrupted(session: Session, out: Output) -> None:
    interrupted = asyncio.Event()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError):
        loop.add_signal_handler(signal.SIGINT, interrupted.set)
        loop.add_signal_handler(signal.SIGTERM, interrupted.set)
    running = asyncio.create_task(session.run())
    waiting = asyncio.create_task(interrupted.wait())
    try:
        await asyncio.wait({running, waiting}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (running, waiting):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(signum)
    if interrupted.is_set():
        out.line()


async def _shut_down(desk: Desk | None, runner: web.AppRunner | None, slack: LocalSlack) -> None:
    """Background loops, then the web server, then the desk, then the stand-in: nothing left talking."""
    if desk is not None:
        for task in desk.background:
            task.cancel()
        for task in desk.background:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        desk.background.clear()
    if runner is not None:
        await runner.cleanup()
    if desk is not None:
        await desk.close()
    await slack.stop()
