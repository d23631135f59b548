"""`servicedesk check`."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    parser = sub.add_parser("check", help="(not yet implemented)")
    parser.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    print("servicedesk check: not implemented yet")
    return 0
