"""The headline benchmark: a bare slack-bolt AsyncApp with a no-op listener, then the desk handling the same
signed DM events end to end (signature, dedupe, durable inbox, matching, the reply posted to the Slack
stand-in), on SQLite and (with --postgres or SERVICEDESK_TEST_DATABASE_URL) PostgreSQL.

    python -m bot.bench.headline [--events 300] [--senders 20] [--repeats 3] [--postgres URL]

Prints one JSON line per target with throughput (events/s; for the desk, until the last reply is in Slack),
acknowledgement latency p50/p99 as the senders saw it (min/median/max over the repeats), the ratio desk/bare,
and the process's peak RSS. Everything runs on loopback in one process: the senders and the stand-in share
the two cores with what is measured, so the figures are a floor, not a ceiling."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.db.admin import pg_admin
from bot.localslack import payloads
from bot.localslack.driver import LocalSlack
from bot.localslack.signing import signed_headers

REPO = Path(__file__).resolve().parents[2]
PHRASES = (
    "the printer on floor {n} is jammed again",
    "my vpn keeps dropping every few minutes ({n})",
    "behöver tillgång till Figma för projekt {n}",
    "I forgot my password and I'm locked out {n}",
    "the wifi in meeting room {n} is down",
)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _spread(values: list[float]) -> dict[str, float]:
    return {"min": round(min(values), 2), "median": round(statistics.median(values), 2), "max": round(max(values), 2)}


def _events(slack: LocalSlack, count: int) -> list[bytes]:
    user = slack.workspace.user("anna")
    dm = slack.workspace.open_im(user.id)
    bodies = []
    for n in range(count):
        message = slack.workspace.post(dm, text=PHRASES[n % len(PHRASES)].format(n=n), user=user.id)
        envelope = payloads.envelope(
            slack.workspace, payloads.user_message_event(slack.workspace, dm, message), slack.workspace.clock.now()
        )
        envelope["event_id"] = "Ev" + uuid.uuid4().hex[:10].upper()
        bodies.append(json.dumps(envelope).encode())
    return bodies


async def _send_all(url: str, secret: str, bodies: list[bytes], senders: int) -> tuple[float, list[float], float]:
    """(seconds for all acks, ack latencies in ms, start time)."""
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    latencies: list[float] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=senders)) as session:

        async def sender() -> None:
            while not queue.empty():
                body = queue.get_nowait()
                headers = signed_headers(secret, int(time.time()), body, "application/json")
                began = time.perf_counter()
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    if response.status != 200:
                        raise RuntimeError(f"{url} answered {response.status}")
                latencies.append((time.perf_counter() - began) * 1000)

        start = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(senders)))
        return time.perf_counter() - start, latencies, start


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}/slack/events"


async def bare_bolt(slack: LocalSlack, events: int, senders: int) -> tuple[float, list[float]]:
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    app = AsyncApp(
        client=AsyncWebClient(token=slack.bot_token, base_url=slack.api_url), signing_secret=slack.signing_secret
    )

    @app.event("message")
    async def noop() -> None:
        return None

    runner, url = await _serve(app.web_app(path="/slack/events"))
    try:
        elapsed, latencies, _ = await _send_all(url, slack.signing_secret, _events(slack, events), senders)
    finally:
        await runner.cleanup()
    return events / elapsed, latencies


async def desk_end_to_end(slack: LocalSlack, database_url: str, events: int, senders: int) -> tuple[float, list[float]]:
    from bot.bootstrap import build_desk
    from bot.config import load_config
    from bot.web import create_web_app

    env = {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_API_URL": slack.api_url,
    }
    config = load_config(REPO / "app.yaml", env=env)
    desk = await build_desk(config)
    runner, url = await _serve(create_web_app(desk))
    bot = slack.workspace.app.bot_user_id
    try:
        bodies = _events(slack, events)
        before = sum(1 for m in slack.workspace.messages.values() if m.user == bot)
        _, latencies, start = await _send_all(url, slack.signing_secret, bodies, senders)
        # The replies arrive in the stand-in, which has no event to wait on: look every 10 ms.
        while sum(1 for m in slack.workspace.messages.values() if m.user == bot) - before < events:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - start
    finally:
        await runner.cleanup()
        await desk.close()
    return events / elapsed, latencies


async def _repeat(
    run: Callable[[], Awaitable[tuple[float, list[float]]]], repeats: int
) -> tuple[list[float], list[float], list[float]]:
    throughput, p50, p99 = [], [], []
    for _ in range(repeats):
        rate, latencies = await run()
        throughput.append(rate)
        p50.append(_percentile(latencies, 0.50))
        p99.append(_percentile(latencies, 0.99))
    return throughput, p50, p99


async def _postgres_database(base: str) -> tuple[str, Callable[[], Awaitable[None]]]:
    from sqlalchemy.engine import make_url

    parsed = make_url(base)
    name = f"bench_headline_{uuid.uuid4().hex[:8]}"

    async def admin(statement: str) -> None:
        await pg_admin(base, statement)

    await admin(f'CREATE DATABASE "{name}"')
    url = parsed.set(database=name).render_as_string(hide_password=False)
    return url, lambda: admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def main_async(args: argparse.Namespace) -> None:
    async with LocalSlack() as slack:
        bare = await _repeat(lambda: bare_bolt(slack, args.events, args.senders), args.repeats)
        bare_median = statistics.median(bare[0])
        targets: list[tuple[str, str, Callable[[], Awaitable[None]] | None]] = []
        workdir = Path(tempfile.mkdtemp(prefix="bench-headline-"))
        targets.append(("sqlite", f"sqlite+aiosqlite:///{workdir / 'desk.db'}", None))
        postgres = args.postgres or os.environ.get("SERVICEDESK_TEST_DATABASE_URL")
        if postgres:
            pg_url, pg_drop = await _postgres_database(postgres)
            targets.append(("postgresql", pg_url, pg_drop))
        print(json.dumps(_line("bare_bolt_noop", args, bare, None)), flush=True)
        for name, url, drop in targets:

            def run(url: str = url) -> Awaitable[tuple[float, list[float]]]:
                return desk_end_to_end(slack, url, args.events, args.senders)

            try:
                desk = await _repeat(run, args.repeats)
            finally:
                if drop is not None:
                    await drop()
            line = _line(f"desk_end_to_end_{name}", args, desk, bare_median)
            print(json.dumps(line), flush=True)


def _line(
    name: str, args: argparse.Namespace, runs: tuple[list[float], list[float], list[float]], bare: float | None
) -> dict[str, Any]:
    throughput, p50, p99 = runs
    line: dict[str, Any] = {
        "benchmark": "headline",
        "target": name,
        "events": args.events,
        "senders": args.senders,
        "repeats": args.repeats,
        "throughput_per_s": _spread(throughput),
        "ack_p50_ms": _spread(p50),
        "ack_p99_ms": _spread(p99),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if bare is not None:
        line["ratio_to_bare_median"] = round(statistics.median(throughput) / bare, 3)
    return line


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.headline", description=__doc__)
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--postgres", help="a PostgreSQL URL (postgresql+asyncpg://...) for the PostgreSQL leg")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
