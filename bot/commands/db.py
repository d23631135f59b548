"""`servicedesk db upgrade|current|check`: migrations, from the configured DATABASE_URL."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from bot.commands._common import add_config_option, load_or_report
from bot.db.engine import create_engine
from bot.db.migrate import current_revision, head_revision, schema_drift, upgrade


def register(sub: Any) -> None:
    parser = sub.add_parser("db", help="database migrations")
    actions = parser.add_subparsers(dest="db_action", required=True, metavar="ACTION")
    for name, help_text in (
        ("upgrade", "apply every pending migration"),
        ("current", "print the database's revision and the newest one"),
        ("check", "fail when the models and the migrations disagree"),
    ):
        action = actions.add_parser(name, help=help_text)
        add_config_option(action)
        action.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = load_or_report(args.config)
    if config is None:
        return 1
    return asyncio.run(_run(args.db_action, config.database))


async def _run(action: str, settings: Any) -> int:
    engine = create_engine(settings)
    try:
        if action == "upgrade":
            before = await current_revision(engine)
            await upgrade(engine)
            after = await current_revision(engine)
            print(f"database at revision {after}" + (" (already current)" if before == after else f" (was {before})"))
        elif action == "current":
            print(f"database {await current_revision(engine)}, newest {head_revision()}")
        else:
            drift = await schema_drift(engine)
            if drift:
                for diff in drift:
                    print(diff, file=sys.stderr)
                return 1
            print("models and migrations agree")
        return 0
    except OSError as exc:
        print(f"cannot reach the database: {exc}", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
