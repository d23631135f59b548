"""`servicedesk manifest`: print the Slack app manifest (YAML) for this configuration."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import yaml

from bot.commands._common import add_config_option, load_or_report
from bot.slack.manifest import manifest


def register(sub: Any) -> None:
    parser = sub.add_parser("manifest", help="print the Slack app manifest for this desk")
    add_config_option(parser)
    parser.add_argument("--url", help="the desk's public base URL, e.g. https://desk.example.com (HTTP mode)")
    parser.add_argument(
        "--socket-mode",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="Socket Mode (default: on when slack.app_token / SLACK_APP_TOKEN is set)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = load_or_report(args.config)
    if config is None:
        return 1
    socket_mode = bool(config.slack.app_token) if args.socket_mode is None else args.socket_mode
    try:
        document = manifest(config, url=args.url, socket_mode=socket_mode)
    except ValueError as exc:
        print(f"servicedesk manifest: {exc}", file=sys.stderr)
        return 1
    print("# Slack app manifest: api.slack.com/apps -> Create New App -> From a manifest")
    print(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), end="")
    return 0
