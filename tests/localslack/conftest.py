"""Fixtures: a running stand-in on a fixed clock, a slack_sdk client pointed at it, and a tiny desk that
checks Slack's signature on everything delivered to it and answers what the test queues."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import pytest
from aiohttp import web
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import FixedClock
from bot.localslack.driver import LocalSlack


@dataclass
class Received:
    headers: dict[str, str]
    content_type: str
    body: dict[str, Any]
    signature_valid: bool


@dataclass
class FakeDesk:
    secret: str
    received: list[Received] = field(default_factory=list)
    answers: list[tuple[int, Any]] = field(default_factory=list)
    delay: float = 0.0

    def answer_next(self, body: Any, status: int = 200) -> None:
        self.answers.append((status, body))

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        valid = SignatureVerifier(self.secret).is_valid_request(raw, dict(request.headers))
        if request.content_type == "application/json":
            body = json.loads(raw)
        else:
            form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            body = json.loads(form["payload"]) if "payload" in form else form
        self.received.append(Received(dict(request.headers), request.content_type, body, valid))
        if self.delay:
            await asyncio.sleep(self.delay)
        if not valid:
            return web.Response(status=401, text="invalid signature")
        if self.answers:
            status, answer = self.answers.pop(0)
            return web.json_response(answer, status=status)
        return web.Response(status=200)

    @property
    def last(self) -> Received:
        return self.received[-1]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))


@pytest.fixture
async def slack(clock: FixedClock) -> AsyncIterator[LocalSlack]:
    async with LocalSlack(clock=clock) as stand_in:
        yield stand_in


@pytest.fixture
async def client(slack: LocalSlack) -> AsyncWebClient:
    return AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)


@pytest.fixture
async def desk(slack: LocalSlack) -> AsyncIterator[FakeDesk]:
    fake = FakeDesk(secret=slack.signing_secret)
    app = web.Application()
    app.router.add_post("/slack/events", fake.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    slack.request_url = f"http://127.0.0.1:{port}/slack/events"
    yield fake
    await runner.cleanup()
