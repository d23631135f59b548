"""`servicedesk run` as a real process: it serves Slack over HTTP and stops cleanly on SIGTERM, finishing the
event it already acknowledged."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.localslack.driver import LocalSlack
from tests.conftest import REPO

STARTUP = 60.0
EXIT = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def slack() -> AsyncIterator[LocalSlack]:
    async with LocalSlack() as standin:
        yield standin


async def start_desk(slack: LocalSlack, tmp_path: Path, port: int) -> asyncio.subprocess.Process:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SLACK_", "LOG_"))}
    env.update(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'desk.db'}",
        SLACK_BOT_TOKEN=slack.bot_token,
        SLACK_SIGNING_SECRET=slack.signing_secret,
        SLACK_API_URL=slack.api_url,
        HOST="127.0.0.1",
        PORT=str(port),
        LOG_FORMAT="json",
    )
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--config",
        str(REPO / "app.yaml"),
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def read_until(process: asyncio.subprocess.Process, marker: str) -> list[str]:
    assert process.stdout is not None
    seen: list[str] = []
    while not any(marker in line for line in seen):
        line = await asyncio.wait_for(process.stdout.readline(), timeout=STARTUP)
        if not line:
            raise AssertionError(f"the desk exited before saying {marker!r}: {seen}")
        seen.append(line.decode())
    return seen


async def test_sigterm_finishes_the_acknowledged_event_and_exits_cleanly(slack: LocalSlack, tmp_path: Path) -> None:
    port = free_port()
    process = await start_desk(slack, tmp_path, port)
    try:
        await read_until(process, "is running")
        slack.request_url = f"http://127.0.0.1:{port}/slack/events"
        posted = await slack.send_message("anna", "anna", "the printer on floor 3 is jammed")
        assert posted.deliveries[0].status == 200  # stored in the inbox: from now on it must not be lost

        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=EXIT)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    assert process.returncode == 0, stderr.decode()
    lines = stdout.decode().splitlines()
    assert "stopping" in lines
    assert lines[-1] == "stopped"
    # The event Slack got a 200 for was answered before the process went away.
    assert len(slack.thread("anna", posted.message.ts)) == 2
    # LOG_FORMAT=json: every log line is one JSON object, and the bot token never appears in it.
    for line in stderr.decode().splitlines():
        assert {"timestamp", "level", "logger", "message"} <= json.loads(line).keys()
    assert slack.bot_token not in stderr.decode()

    # The listening socket is gone: nothing takes new connections.
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectionError):
            await session.get(f"http://127.0.0.1:{port}/healthz")
