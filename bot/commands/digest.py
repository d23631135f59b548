"""`servicedesk digest --preview`: the morning digest as it would be posted, printed for admins (and tests);
`servicedesk digest --post`: today's digest posted now (the local workspace's "show me the digest").

The preview reads the configured database and never writes to it: it does not migrate (a database behind the code is
reported, with the command that fixes it) and it posts nothing. The trend prints as the text table Slack shows
when the chart cannot be uploaded; `--chart PATH` writes the chart itself as PNG."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path
from typing import Any

from bot.blocks.digest import (
    company_blocks,
    company_quiet_text,
    long_date,
    plain_text,
    quiet_text,
    team_blocks,
    team_name,
)
from bot.bootstrap import build_desk
from bot.clock import SystemClock
from bot.commands._common import add_config_option, load_or_report
from bot.config import DeskConfig
from bot.db.engine import create_engine, make_sessionmaker
from bot.db.migrate import current_revision, head_revision
from bot.digest_chart import trend_png
from bot.digest_wiring import DigestPlanner
from bot.i18n import t
from bot.services.digest import DigestService
from bot.sla.policy import SlaPolicies


def register(sub: Any) -> None:
    parser = sub.add_parser("digest", help="show the morning digest as it would be posted, or post it now")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--preview", action="store_true", help="print it; nothing is posted or written")
    mode.add_argument(
        "--post",
        action="store_true",
        help="post today's digest now through the configured Slack (still once per channel and day)",
    )
    parser.add_argument("--team", help="one team's digest (default: every team's, then the company digest)")
    parser.add_argument("--date", type=date.fromisoformat, help="the digest's local date, YYYY-MM-DD (default: today)")
    parser.add_argument(
        "--chart", type=Path, metavar="PATH", help="write the trend chart PNG here (several teams: PATH-<team>.png)"
    )
    add_config_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = load_or_report(args.config)
    if config is None:
        return 1
    if args.team is not None and args.team not in {team.id for team in config.teams}:
        known = ", ".join(team.id for team in config.teams)
        print(f"no team '{args.team}' in the configuration; teams: {known}", file=sys.stderr)
        return 2
    if args.post:
        if args.date is not None or args.chart is not None:
            print("--post sends today's digest; --date and --chart go with --preview", file=sys.stderr)
            return 2
        return asyncio.run(post_now(config, team=args.team))
    return asyncio.run(preview(config, team=args.team, day=args.date, chart=args.chart))


async def post_now(config: DeskConfig, *, team: str | None) -> int:
    """Queue today's digest under its run key and deliver it, as the morning job would (migrating like `run`)."""
    desk = await build_desk(config)
    try:
        planner = DigestPlanner(desk.sessions, desk.clock, desk.config, desk.policies)
        queued = await planner.queue_due(teams=[team] if team else None, on_demand=True)
        await desk.outbox.drain()
        if queued == 0:
            print("today's digest was already posted (once per channel and day)")
        else:
            print(f"{queued} digest(s) queued and delivered; {await desk.outbox.backlog()} message(s) still waiting")
        return 0
    finally:
        await desk.close()


def _chart_path(chart: Path, team_id: str, several: bool) -> Path:
    return chart.with_name(f"{chart.stem}-{team_id}{chart.suffix or '.png'}") if several else chart


async def preview(config: DeskConfig, *, team: str | None, day: date | None, chart: Path | None) -> int:
    engine = create_engine(config.database)
    try:
        try:
            revision = await current_revision(engine)
        except OSError as exc:
            print(f"cannot reach the database: {exc}", file=sys.stderr)
            return 1
        if revision != head_revision():
            print(
                f"the database is at revision {revision}, the code expects {head_revision()}; "
                "run `servicedesk db upgrade` first",
                file=sys.stderr,
            )
            return 1
        clock = SystemClock()
        policies = SlaPolicies(config)
        service = DigestService(make_sessionmaker(engine), clock, config, policies)
        lang = config.desk.default_language
        teams = [team] if team else [t.id for t in config.teams]
        for team_id in teams:
            local_date = day or service.local_today(team_id)
            digest = await service.build(team_id, local_date)
            channel = config.team(team_id).channel
            print(f"# {channel} ({team_id}), {local_date.isoformat()}")
            if digest.quiet:
                quiet = config.digest.when_quiet == "none"
                print("(quiet desk: nothing would be posted)" if quiet else quiet_text(config, team_id, lang))
            else:
                _, blocks = team_blocks(digest, config, lang, now=clock.now(), chart="fallback")
                print(plain_text(blocks))
            if chart is not None:
                path = _chart_path(chart, team_id, len(teams) > 1)
                title = t(
                    lang,
                    "digest.chart_title",
                    team=team_name(config, team_id, lang),
                    first=long_date(lang, digest.trend.days[0]),
                    last=long_date(lang, digest.trend.days[-1]),
                )
                path.write_bytes(
                    trend_png(
                        digest.trend,
                        title=title,
                        opened_label=t(lang, "digest.chart_opened"),
                        resolved_label=t(lang, "digest.chart_resolved"),
                    )
                )
                print(f"(chart written to {path})")
            print()
        company_channel = config.digest.company_channel
        if team is None and company_channel:
            local_date = day or service.local_today(config.desk.default_team)
            company = await service.build_company(local_date)
            print(f"# {company_channel} (company), {local_date.isoformat()}")
            if company.quiet:
                quiet = config.digest.when_quiet == "none"
                print("(quiet desk: nothing would be posted)" if quiet else company_quiet_text(local_date, lang))
            else:
                print(plain_text(company_blocks(company, config, lang)[1]))
        return 0
    finally:
        await engine.dispose()
