"""The `servicedesk` command line. Each sub-command lives in bot/commands/<name>.py and exposes
`register(subparsers)`; the parser stores the function to run in `args.run`, which returns an exit code."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.commands import COMMAND_MODULES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="servicedesk",
        description="A service desk that lives in Slack.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    code: int = args.run(args)
    return code


def entrypoint() -> None:
    sys.exit(main())
