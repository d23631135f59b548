"""`servicedesk check`: validate app.yaml, its catalogue files and the knowledge folder."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from typing import Any

from bot.commands._common import add_config_option
from bot.config import ConfigError, DeskConfig, Problem, load_config
from bot.config.errors import display_path
from bot.knowledge_check import check_knowledge


def register(sub: Any) -> None:
    parser = sub.add_parser("check", help="validate the configuration and the knowledge folder")
    add_config_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    problems: list[Problem] = []
    config: DeskConfig | None = None
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        problems.extend(exc.problems)
    article_count = 0
    if config is not None:
        article_count, knowledge_problems = check_knowledge(config)
        problems.extend(knowledge_problems)
    if problems:
        for problem in sorted(problems):
            print(problem, file=sys.stderr)
        print(f"\n{len(problems)} problem(s) found; fix them and run `servicedesk check` again.", file=sys.stderr)
        return 1
    assert config is not None
    print(summary(config, article_count))
    return 0


def summary(config: DeskConfig, article_count: int) -> str:
    per_team = Counter(item.team for item in config.catalog)
    approvals = sum(1 for item in config.catalog if item.approval)
    lines = [
        f"{display_path(config.source or config.base_dir)} is valid: {config.desk.name}",
        f"  teams      {len(config.teams)}: "
        + ", ".join(
            f"{t.id} ({per_team[t.id]} services{', confidential' if t.confidential else ''})" for t in config.teams
        ),
        f"  catalogue  {len(config.catalog)} services, {approvals} need approval",
        f"  knowledge  {article_count} articles in {display_path(config.knowledge_dir)}",
        f"  calendars  {', '.join(sorted({*config.calendars, '24x7'}))}",
        f"  SLA        {', '.join(sorted(config.sla.policies))} (warn at {config.sla.warn_at:.0%})",
        f"  database   {_redacted(config.database.url)}",
        f"  slack      {'Socket Mode' if config.slack.app_token else 'HTTP'}"
        f"{'' if config.slack.bot_token else ' (no bot token: `servicedesk run` starts the local workspace)'}",
    ]
    return "\n".join(lines)


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
