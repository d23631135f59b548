"""`servicedesk run`: start the desk and keep it running until Ctrl-C or SIGTERM.

Without Slack tokens (or with `--local`) it runs the local workspace instead: the same desk against the
built-in Slack stand-in, with a terminal client in front (bot/localslack/terminal)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import signal
import sys
from typing import Any

from aiohttp import web

from bot.bootstrap import build_desk, start_background
from bot.commands._common import add_config_option, load_or_report
from bot.config import DeskConfig
from bot.logging_setup import configure_logging
from bot.shutdown import HTTP_GRACE, shut_down
from bot.slack.socket_mode import connect_socket_mode
from bot.web import create_web_app


def register(sub: Any) -> None:
    parser = sub.add_parser("run", help="start the desk")
    add_config_option(parser)
    parser.add_argument("--host", help="override server.host")
    parser.add_argument("--port", type=int, help="override server.port")
    parser.add_argument(
        "--local", action="store_true", help="run the local workspace (Slack stand-in + terminal) even with tokens"
    )
    parser.add_argument("--fresh", action="store_true", help="local workspace: start from an empty database")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = load_or_report(args.config)
    if config is None:
        return 1
    if args.local or not (config.slack.bot_token or config.slack.app_token):
        return run_local(args, config.server.port)
    if args.fresh:
        print("--fresh only applies to the local workspace (no Slack tokens, or --local)", file=sys.stderr)
        return 2
    if not _configure_logging(config):
        return 2
    try:
        return asyncio.run(serve(config, host=args.host, port=args.port))
    except KeyboardInterrupt:
        return 0


def _configure_logging(config: DeskConfig) -> bool:
    """LOG_LEVEL (default INFO) and LOG_FORMAT (json, or text by default); the Slack secrets are never logged."""
    secrets = (config.slack.bot_token, config.slack.signing_secret, config.slack.app_token)
    try:
        configure_logging(os.environ.get("LOG_LEVEL", "INFO"), os.environ.get("LOG_FORMAT", "text"), secrets=secrets)
    except ValueError as exc:
        print(f"LOG_LEVEL: {exc}", file=sys.stderr)
        return False
    return True


def run_local(args: argparse.Namespace, configured_port: int) -> int:
    from bot.localslack.terminal import lines, local  # the stand-in and terminal only load in local mode

    notes = []
    if args.fresh:
        try:
            wiped = local.wipe_default_database(os.environ)
        except local.FreshRefused as exc:
            print(exc, file=sys.stderr)
            return 2
        notes.append(f"--fresh: started from an empty database ({wiped}).")
    port = args.port if args.port is not None else configured_port
    try:
        return asyncio.run(local.run_local(args.config, os.environ, port, lines.Output(), notes))
    except KeyboardInterrupt:
        return 0


async def serve(config: DeskConfig, *, host: str | None = None, port: int | None = None) -> int:
    host = host or config.server.host
    port = port or config.server.port
    desk = await build_desk(config)
    # Everything built so far (config, matcher index, SQLAlchemy's mappings) lives as long as the process:
    # frozen, the cyclic garbage collector stops walking it at every full collection, which showed as
    # pauses of tens of ms in the acknowledgement latency under load.
    gc.collect()
    gc.freeze()
    runner = web.AppRunner(create_web_app(desk), shutdown_timeout=HTTP_GRACE)
    await runner.setup()
    stopped = False
    try:
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as exc:
            print(f"cannot listen on {host}:{port}: {exc.strerror}; set PORT or server.port", file=sys.stderr)
            return 1
        stop = asyncio.Event()
        start_background(desk, stop)
        await desk.edge.recover()
        socket = None
        if config.slack.app_token:
            socket = await connect_socket_mode(desk.edge, config.slack.app_token, desk.gateway.client)
            mode = "Socket Mode"
        else:
            mode = f"HTTP, Slack's request URL is http://{host}:{port}/slack/events"
        print(f"{config.desk.name} is running ({mode}; health: /healthz, ready: /readyz)", flush=True)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signum, stop.set)
        await stop.wait()
        print("stopping", flush=True)
        left = await shut_down(desk, runner, socket)
        stopped = True
        print(f"stopped ({left} event(s) left in the inbox for the next process)" if left else "stopped", flush=True)
        return 0
    finally:
        if not stopped:
            await runner.cleanup()
            await desk.close()
