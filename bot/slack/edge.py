"""Where Slack's HTTP requests enter the desk. Every request's signature is checked here (so Bolt need not,
and stored events can be processed after their 5-minute signature window). Events are stored in the inbox
before Slack gets its 200 and processed after; commands and interactions need their answer in the response,
so they go through Bolt at once."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Protocol
from urllib.parse import parse_qsl, urlencode

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier

from bot.services.inbox import Inbox, InboxItem

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024


class EdgeMeter(Protocol):
    """What the edge reports for /metrics (bot/metrics.py)."""

    def event_received(self) -> None: ...
    def event_duplicate(self) -> None: ...
    def event_failed(self) -> None: ...
    def acknowledged(self, kind: str, seconds: float) -> None: ...


class Unmetered:
    def event_received(self) -> None:
        pass

    def event_duplicate(self) -> None:
        pass

    def event_failed(self) -> None:
        pass

    def acknowledged(self, kind: str, seconds: float) -> None:
        pass


def ack_kind(body: str) -> str | None:
    """event, command or interaction: what a verified request is, for the acknowledgement latency."""
    if body.lstrip().startswith("{"):
        return "event"
    fields = {key for key, _ in parse_qsl(body, keep_blank_values=True)}
    if "payload" in fields:
        return "interaction"
    return "command" if "command" in fields else None


def _protect_payload_word(body: str) -> str:
    """Bolt 1.30 takes any form body containing the word "payload" for an interactivity payload and drops
    it when there is no `payload=` field, so `/helpdesk what is the payload limit` would vanish. Re-encoding
    the letter keeps the parsed values identical while hiding the word from that check."""
    pairs = parse_qsl(body, keep_blank_values=True)
    if "payload" not in body or any(key == "payload" for key, _ in pairs):
        return body
    return urlencode(pairs).replace("payload", "%70ayload")


class SlackEdge:
    def __init__(
        self,
        bolt: AsyncApp | None,
        inbox: Inbox,
        signing_secret: str,
        *,
        concurrency: int = 32,
    ) -> None:
        self._bolt = bolt
        self._inbox = inbox
        self._verifier = SignatureVerifier(signing_secret) if signing_secret else None
        self._tasks: set[asyncio.Task[None]] = set()
        self._working = asyncio.Semaphore(concurrency)
        self.meter: EdgeMeter = Unmetered()

    def verified(self, body: str, timestamp: str | None, signature: str | None) -> bool:
        if self._verifier is None or not timestamp or not signature:
            return False
        try:
            return self._verifier.is_valid(body=body, timestamp=timestamp, signature=signature)
        except (ValueError, TypeError):
            # A non-numeric timestamp is a forged or broken request, not a server error.
            return False

    async def handle(self, request: web.Request) -> web.Response:
        arrived = time.perf_counter()
        checked = await self._checked_body(request)
        if isinstance(checked, web.Response):
            return checked
        response = await self._answer(request, checked)
        # Timed only past the signature check: forged requests say nothing about how fast the desk answers.
        kind = ack_kind(checked)
        if kind is not None:
            self.meter.acknowledged(kind, time.perf_counter() - arrived)
        return response

    async def _checked_body(self, request: web.Request) -> str | web.Response:
        """The body when Slack signed it, or the refusal."""
        if self._bolt is None:
            return web.json_response({"ok": False, "error": "Slack is not configured: set SLACK_BOT_TOKEN"}, status=503)
        raw = await request.read()
        if len(raw) > MAX_BODY:
            return web.json_response({"ok": False, "error": "request too large"}, status=413)
        body = raw.decode("utf-8", errors="replace")
        if not self.verified(
            body, request.headers.get("X-Slack-Request-Timestamp"), request.headers.get("X-Slack-Signature")
        ):
            return web.json_response({"ok": False, "error": "invalid signature"}, status=401)
        return body

    async def _answer(self, request: web.Request, body: str) -> web.Response:
        assert self._bolt is not None  # checked with the signature
        if body.lstrip().startswith("{"):
            try:
                envelope = json.loads(body)
            except ValueError:
                return web.json_response({"ok": False, "error": "body is not JSON"}, status=400)
            if envelope.get("type") == "url_verification":
                return web.json_response({"challenge": envelope.get("challenge")})
            if envelope.get("type") == "event_callback":
                return await self._accept_event(envelope, body)
            return web.json_response({"ok": False, "error": f"unsupported type {envelope.get('type')!r}"}, status=400)

        headers: dict[str, str | Sequence[str]] = {key.lower(): value for key, value in request.headers.items()}
        response = await self._bolt.async_dispatch(AsyncBoltRequest(body=_protect_payload_word(body), headers=headers))
        return web.Response(
            status=response.status,
            body=response.body,
            headers={
                k: v for k, v in response.first_headers_without_set_cookie().items() if k.lower() != "content-length"
            },
        )

    async def _accept_event(self, envelope: dict[str, object], body: str) -> web.Response:
        if not await self.accept_event(envelope, body):
            return web.json_response({"ok": False, "error": "event without event_id"}, status=400)
        # Stored (or stored before): Slack may consider it delivered.
        return web.Response(status=200)

    async def accept_event(self, envelope: Mapping[str, object], body: str) -> bool:
        """Store an Events API envelope (once per event_id) and process it in the background. False when
        the envelope has no event_id to deduplicate on."""
        event_id = envelope.get("event_id")
        if not isinstance(event_id, str) or not event_id:
            return False
        item = await self._inbox.store(f"event:{event_id}", "event", {"body": body})
        if item is None:
            self.meter.event_duplicate()
        else:
            self.meter.event_received()
            self.spawn(item.id, item)
        return True

    async def dispatch_now(self, request: AsyncBoltRequest) -> BoltResponse | None:
        """Commands and interactions, which need their answer at once (Socket Mode's path into Bolt)."""
        if self._bolt is None:
            return None
        return await self._bolt.async_dispatch(request)

    def spawn(self, row_id: int, claimed: InboxItem | None = None) -> None:
        task = asyncio.get_running_loop().create_task(self.process(row_id, claimed))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def process(self, row_id: int, claimed: InboxItem | None = None) -> None:
        if self._bolt is None:
            return
        # A bounded number at a time (server.event_concurrency): the rest wait here rather than in the
        # database's queue, where they would hold up the acknowledgement of events still arriving.
        async with self._working:
            await self._process(row_id, claimed)

    async def _process(self, row_id: int, claimed: InboxItem | None) -> None:
        assert self._bolt is not None
        item = claimed or await self._inbox.claim(row_id)
        if item is None:
            return
        try:
            request = AsyncBoltRequest(body=str(item.payload["body"]), headers={"content-type": "application/json"})
            response = await self._bolt.async_dispatch(request)
        except Exception as exc:  # keep the delivery for a retry; never lose it to a crash in a listener
            log.exception("event %s failed", row_id)
            self.meter.event_failed()
            await self._inbox.failed(row_id, f"{type(exc).__name__}: {exc}")
            return
        if response.status >= 500:
            self.meter.event_failed()
            await self._inbox.failed(row_id, f"listener answered {response.status}: {response.body[:500]}")
            return
        await self._inbox.done(row_id)

    async def recover(self) -> int:
        """Process what a dead process (or a failed attempt) left in the inbox."""
        pending = await self._inbox.pending()
        for row_id in pending:
            self.spawn(row_id)
        return len(pending)

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    async def settle(self) -> None:
        """Wait until every event taken so far has been processed (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self._inbox.drain()

    async def settle_within(self, grace: float) -> int:
        """Shutdown: wait up to `grace` seconds for the events taken so far, then cancel the rest and say how
        many were left. Nothing is lost: their inbox rows stay unprocessed and the next process takes them
        once the lease runs out."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        while self._tasks and (remaining := deadline - loop.time()) > 0:
            await asyncio.wait(list(self._tasks), timeout=remaining)
        left = list(self._tasks)
        for task in left:
            task.cancel()
        await asyncio.gather(*left, return_exceptions=True)
        # A cancelled event's done mark may still be on its way (writes outlive their writers); let it land
        # before the pool closes, so the event is not processed a second time.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._inbox.drain(), max(deadline - loop.time(), 1.0))
        return len(left)
