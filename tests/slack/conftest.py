"""End-to-end fixtures: the real desk (Bolt app, services, real database) behind a real HTTP server, and the
local Slack stand-in delivering signed requests to it and serving the Web API it calls."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestServer

from bot.bootstrap import Desk, build_desk
from bot.clock import FixedClock
from bot.config import load_config
from bot.localslack.driver import LocalSlack
from bot.web import create_web_app
from tests.conftest import REPO
from tests.databases import Database


@pytest.fixture
async def slack(clock: FixedClock) -> AsyncIterator[LocalSlack]:
    async with LocalSlack(clock=clock) as standin:
        yield standin


def desk_env(db: Database, slack: LocalSlack, **extra: str) -> dict[str, str]:
    return {
        "DATABASE_URL": db.url,
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_API_URL": slack.api_url,
        **extra,
    }


@pytest.fixture
async def desk(db: Database, slack: LocalSlack, clock: FixedClock) -> AsyncIterator[Desk]:
    config = load_config(REPO / "app.yaml", env=desk_env(db, slack))
    built = await build_desk(config, clock=clock, migrate=False)
    server = TestServer(create_web_app(built), host="127.0.0.1")
    await server.start_server()
    slack.request_url = str(server.make_url("/slack/events"))
    try:
        yield built
    finally:
        await server.close()
        await built.close()
