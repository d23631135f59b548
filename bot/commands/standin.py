"""`servicedesk slack-standin`: run the local Slack stand-in in the foreground, for poking at it by hand."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from bot.clock import SystemClock
from bot.localslack.driver import LocalSlack
from bot.localslack.seed import SeedError


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "slack-standin",
        help="run the local Slack stand-in (Web API on 127.0.0.1) until interrupted",
    )
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--seed", type=Path, default=None, help="workspace seed YAML (default: the built-in one)")
    parser.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        pass
    except (OSError, SeedError) as problem:
        print(f"slack-standin: {problem}")
        return 1
    return 0


async def _serve(args: argparse.Namespace) -> None:
    async with LocalSlack(clock=SystemClock(), seed=args.seed, host=args.host, port=args.port) as slack:
        workspace = slack.workspace
        print(f"api_url: {slack.api_url}")
        print(f"bot token: {slack.bot_token}")
        print(f"signing secret: {slack.signing_secret}")
        size = f"{len(workspace.users)} users, {len(workspace.channels)} channels"
        print(f"workspace: {workspace.app.team_name} ({size})")
        print("Ctrl-C to stop.", flush=True)
        await asyncio.Event().wait()
