"""The headline benchmark: a bare slack-bolt AsyncApp with a no-op listener, then the desk handling the same
signed DM events end to end (signature, dedupe, durable inbox, matching, the reply posted to the Slack
stand-in), on SQLite and (with --postgres or SERVICEDESK_TEST_DATABASE_URL) PostgreSQL. Between them, bare
Bolt whose listener only posts one reply per message: the floor for any desk that answers.

    python -m bot.bench.headline [--events 1000] [--senders 20] [--repeats 3] [--postgres URL]

Prints one JSON line per target with throughput (events/s; where there are replies, until the last is in Slack),
acknowledgement latency p50/p99 as the senders saw it (min/median/max over the repeats), the ratio desk/bare,
and the measured server's peak RSS. Both servers run as processes of their own, the desk exactly as
`servicedesk run` starts it in HTTP mode; the senders and the stand-in run in this process. Everything is on
loopback and shares the machine's cores, so the figures are a floor, not a ceiling."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bot.db.admin import pg_admin
from bot.desk_process import DeskProcess, free_port, peak_rss_mb
from bot.localslack import payloads
from bot.localslack.driver import LocalSlack
from bot.localslack.signing import signed_headers

REPO = Path(__file__).resolve().parents[2]
# A desk that answers at all answers within this; past it the run is a failure, not a slow figure.
REPLY_LIMIT = 120.0
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

        # This process holds every message the stand-in has seen; a full collection of that paused the senders
        # for about 100 ms, which showed as the servers' latency. What exists now is kept out of collections.
        gc.collect()
        gc.freeze()
        start = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(senders)))
        return time.perf_counter() - start, latencies, start


async def bare_bolt(slack: LocalSlack, events: int, senders: int, *, reply: bool = False) -> Run:
    """Bare Bolt's acknowledgements; with `reply`, until its last reply is in the stand-in."""
    port = free_port()
    env = {**os.environ, "SLACK_BOT_TOKEN": slack.bot_token, "SLACK_SIGNING_SECRET": slack.signing_secret}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.bench._bare_bolt",
        str(port),
        slack.api_url,
        "reply" if reply else "noop",
        cwd=str(REPO),
        env=env,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        ready = await asyncio.wait_for(process.stdout.readline(), 60)
        if ready.strip() != b"ready":
            raise RuntimeError(f"bare Bolt did not start: {ready!r}")
        url = f"http://127.0.0.1:{port}/slack/events"
        before = _replies(slack)
        await _send_all(url, slack.signing_secret, _events(slack, senders), senders)  # warm-up, not measured
        if reply:
            await _replied(slack, before + senders)
        before = _replies(slack)
        elapsed, latencies, start = await _send_all(url, slack.signing_secret, _events(slack, events), senders)
        if reply:
            await _replied(slack, before + events)
            elapsed = time.perf_counter() - start
        rss = peak_rss_mb(process.pid)
    finally:
        process.terminate()
        await process.wait()
    return Run(events / elapsed, latencies, rss)


def _replies(slack: LocalSlack) -> int:
    bot = slack.workspace.app.bot_user_id
    return sum(1 for m in slack.workspace.messages.values() if m.user == bot)


async def _replied(slack: LocalSlack, count: int) -> None:
    """Until the stand-in holds `count` bot messages. It has no event to wait on: look every 10 ms, for a
    bounded time."""
    deadline = time.perf_counter() + REPLY_LIMIT
    while _replies(slack) < count:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"not every event got its reply within {REPLY_LIMIT} s")
        await asyncio.sleep(0.01)


async def desk_end_to_end(slack: LocalSlack, database_url: str, events: int, senders: int) -> Run:
    env = {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_API_URL": slack.api_url,
        "SLACK_APP_TOKEN": "",
    }
    desk = DeskProcess(REPO / "app.yaml", env)
    await desk.start()
    try:
        # Warm-up, not measured: one event per sender, so first-use costs (connections, statement caches)
        # are paid before the clock starts, as they are for bare Bolt.
        before = _replies(slack)
        await _send_all(desk.url, slack.signing_secret, _events(slack, senders), senders)
        await _replied(slack, before + senders)
        bodies = _events(slack, events)
        before = _replies(slack)
        _, latencies, start = await _send_all(desk.url, slack.signing_secret, bodies, senders)
        await _replied(slack, before + events)
        elapsed = time.perf_counter() - start
        rss = desk.peak_rss_mb()
    finally:
        await desk.stop()
    return Run(events / elapsed, latencies, rss)


@dataclass(frozen=True)
class Run:
    throughput: float
    latencies: list[float]
    peak_rss_mb: float | None


@dataclass
class Runs:
    throughput: list[float] = field(default_factory=list)
    p50: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)
    peak_rss_mb: list[float] = field(default_factory=list)


async def _repeat(run: Callable[[], Awaitable[Run]], repeats: int) -> Runs:
    runs = Runs()
    for _ in range(repeats):
        measured = await run()
        runs.throughput.append(measured.throughput)
        runs.p50.append(_percentile(measured.latencies, 0.50))
        runs.p99.append(_percentile(measured.latencies, 0.99))
        if measured.peak_rss_mb is not None:
            runs.peak_rss_mb.append(measured.peak_rss_mb)
    return runs


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
    with tempfile.TemporaryDirectory(prefix="bench-headline-") as workdir:
        await _measure(args, Path(workdir))


async def _measure(args: argparse.Namespace, workdir: Path) -> None:
    async with LocalSlack() as slack:
        bare = await _repeat(lambda: bare_bolt(slack, args.events, args.senders), args.repeats)
        bare_median = statistics.median(bare.throughput)
        targets: list[tuple[str, str, Callable[[], Awaitable[None]] | None]] = []
        targets.append(("sqlite", f"sqlite+aiosqlite:///{workdir / 'desk.db'}", None))
        postgres = args.postgres or os.environ.get("SERVICEDESK_TEST_DATABASE_URL")
        if postgres:
            pg_url, pg_drop = await _postgres_database(postgres)
            targets.append(("postgresql", pg_url, pg_drop))
        print(json.dumps(_line("bare_bolt_noop", args, bare, None)), flush=True)
        # What any desk that answers must do at least: Bolt, plus one chat.postMessage per event.
        replying = await _repeat(lambda: bare_bolt(slack, args.events, args.senders, reply=True), args.repeats)
        print(json.dumps(_line("bare_bolt_reply", args, replying, bare_median)), flush=True)
        for name, url, drop in targets:

            def run(url: str = url) -> Awaitable[Run]:
                return desk_end_to_end(slack, url, args.events, args.senders)

            try:
                desk = await _repeat(run, args.repeats)
            finally:
                if drop is not None:
                    await drop()
            line = _line(f"desk_end_to_end_{name}", args, desk, bare_median)
            print(json.dumps(line), flush=True)


def _line(name: str, args: argparse.Namespace, runs: Runs, bare: float | None) -> dict[str, Any]:
    line: dict[str, Any] = {
        "benchmark": "headline",
        "target": name,
        "events": args.events,
        "senders": args.senders,
        "repeats": args.repeats,
        "throughput_per_s": _spread(runs.throughput),
        "ack_p50_ms": _spread(runs.p50),
        "ack_p99_ms": _spread(runs.p99),
        # The measured server's own process: the senders and the stand-in live in the benchmark's.
        "server_peak_rss_mb": round(max(runs.peak_rss_mb), 1) if runs.peak_rss_mb else None,
    }
    if bare is not None:
        line["ratio_to_bare_median"] = round(statistics.median(runs.throughput) / bare, 3)
    return line


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.headline", description=__doc__)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--postgres", help="a PostgreSQL URL (postgresql+asyncpg://...) for the PostgreSQL leg")
    return parser


def main() -> None:
    asyncio.run(main_async(parser().parse_args()))


if __name__ == "__main__":
    main()
