"""Graceful shutdown of `servicedesk run` on SIGTERM or Ctrl-C: stop taking requests, finish what was taken
within a grace period, and leave the rest where another process finds it (the inbox and the outbox)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web

from bot.bootstrap import Desk

log = logging.getLogger(__name__)

# Under the 30 s an orchestrator usually waits after SIGTERM before it kills the process.
GRACE = 20.0
# Slack gives up on an answer after 3 s, so a request still running after this is not worth waiting for.
HTTP_GRACE = 5.0


async def shut_down(desk: Desk, runner: web.AppRunner, socket: Any = None, grace: float = GRACE) -> int:
    """In this order: no new requests (Socket Mode disconnects, the listening socket closes, so new
    connections are refused), requests under way get their answer, the background loops finish their round
    (the scheduler gives its leases back), events taken are processed until the grace period runs out, one
    last outbox round sends what they queued, then the HTTP session and the database pool close. The stop
    event must be set already. Returns how many events were left in the inbox for the next process."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace
    if socket is not None:
        await socket.close()
    await runner.cleanup()  # stops the site first, then waits up to the runner's shutdown_timeout
    loops = [task for task in desk.background if not task.done()]
    if loops:
        await asyncio.wait(loops, timeout=max(deadline - loop.time(), 0.1))
    left = await desk.edge.settle_within(max(deadline - loop.time(), 0.1))
    if left:
        log.warning("%s event(s) unfinished at shutdown stay in the inbox for the next process", left)
    else:
        await _last_outbox_round(desk, max(deadline - loop.time(), 0.1))
    await desk.close()  # cancels any loop still running, closes the HTTP session, disposes the engine
    return left


async def _last_outbox_round(desk: Desk, grace: float) -> None:
    """Send what the last events queued (the outbox loop has stopped), so their answers need not wait for
    another process. Whatever is not sent in time stays queued: the outbox is durable."""
    try:
        await asyncio.wait_for(desk.outbox.deliver_due(), timeout=grace)
    except TimeoutError:
        log.warning("outbox messages still unsent at shutdown stay queued for the next process")
    except Exception:  # Slack or the database failing now must not turn a clean stop into a crash
        log.exception("last outbox round at shutdown failed; the messages stay queued")
