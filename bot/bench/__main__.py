"""Run every benchmark in bot/bench, one after the other, each with its own defaults.

    python -m bot.bench [--only NAME ...] [--list]

Benchmarks are found with pkgutil, so a new module here is picked up without a change to this file. Each
runs in a fresh interpreter (`python -m bot.bench.<name>`): one benchmark's heap, caches and peak memory must
not colour the next one's figures. Their JSON lines pass through unchanged; a benchmark that fails gets one
JSON line `{"benchmark": name, "error": ...}` and the run goes on, exiting non-zero at the end."""

from __future__ import annotations

import argparse
import json
import pkgutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

PACKAGE = "bot.bench"


def benchmark_names() -> list[str]:
    """The runnable modules of this package, by name (private modules and this runner left out)."""
    here = [str(Path(__file__).resolve().parent)]
    return sorted(info.name for info in pkgutil.iter_modules(here) if not info.name.startswith("_"))


def run_one(name: str) -> bool:
    sys.stdout.flush()
    completed = subprocess.run(
        [sys.executable, "-m", f"{PACKAGE}.{name}"], stdout=sys.stdout, stderr=subprocess.PIPE, text=True, check=False
    )
    if completed.returncode == 0:
        return True
    last_lines = completed.stderr.strip().splitlines()[-3:]
    print(json.dumps({"benchmark": name, "error": f"exit {completed.returncode}", "stderr": last_lines}))
    return False


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench", description=__doc__)
    parser.add_argument("--only", action="append", metavar="NAME", help="run only this benchmark (repeatable)")
    parser.add_argument("--list", action="store_true", help="print the benchmarks' names and exit")
    args = parser.parse_args(argv)
    names = benchmark_names()
    if args.list:
        print("\n".join(names))
        return 0
    if args.only:
        unknown = sorted(set(args.only) - set(names))
        if unknown:
            parser.error(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(names)}")
        names = [name for name in names if name in args.only]
    failed = [name for name in names if not run_one(name)]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
