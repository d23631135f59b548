"""Bits shared by the sub-commands."""

from __future__ import annotations

import argparse
import os
import sys

from bot.config import ConfigError, DeskConfig, load_config

DEFAULT_CONFIG = os.environ.get("SERVICEDESK_CONFIG", "app.yaml")


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        default=DEFAULT_CONFIG,
        metavar="PATH",
        help="the desk's configuration (default: $SERVICEDESK_CONFIG or app.yaml)",
    )


def load_or_report(path: str) -> DeskConfig | None:
    """The config, or None after printing every problem to stderr."""
    try:
        return load_config(path)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) in the configuration; nothing was started.", file=sys.stderr)
        return None
