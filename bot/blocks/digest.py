"""The daily digest as Block Kit (pure: figures in, blocks out), and as plain text for the preview command.
Titles are user text: escaped and cut for display. A confidential team's own digest may list its tickets in
its private channel but shows no rating comments; the company digest never shows a title of any team."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal

from bot.blocks.ids import ActionId
from bot.blocks.text import MESSAGE_TEXT_MAX, button, context, escape, header, section, truncate
from bot.config import DeskConfig
from bot.i18n import age, t, when, working_time
from bot.services.digest import CLAIMABLE_STATES, CompanyDigest, TeamDigest, TicketLine, Trend

MAX_BLOCKS = 50
TITLE_MAX = 80
COMMENT_MAX = 300
# How the trend reaches the channel: a chart in the digest's thread, the text table (upload refused), or
# nothing (the preview prints the table itself).
ChartMode = Literal["thread", "fallback", "none"]


def long_date(language: str, day: date) -> str:
    return f"{t(language, f'weekday.{day.weekday()}')} {day.day} {t(language, f'month.{day.month}')}"


def team_name(config: DeskConfig, team_id: str, language: str) -> str:
    team = config.team(team_id)
    return team.name_sv if language == "sv" and team.name_sv else team.name


def _sla(language: str, met: int, breached: int, pct: int | None) -> str:
    if pct is None:
        return t(language, "digest.sla_none")
    return t(language, "digest.sla_percent", pct=pct, met=met, total=met + breached)


def _median(language: str, minutes: float | None) -> str:
    if minutes is None:
        return t(language, "digest.median_none")
    return working_time(language, int(minutes + 0.5))


def _link(line: TicketLine, links: Mapping[int, str]) -> str:
    url = links.get(line.id)
    return f"<{url}|*{line.key}*>" if url else f"*{line.key}*"


def _title(line: TicketLine) -> str:
    return escape(truncate(line.title, TITLE_MAX))


def _claim(line: TicketLine, language: str) -> dict[str, Any] | None:
    if line.assignee_id is None and line.state in CLAIMABLE_STATES:
        return button(t(language, "card.claim"), ActionId.CLAIM, {"k": line.id, "v": line.version})
    return None


def _urgent_text(line: TicketLine, language: str, now: datetime, timezone: str) -> str:
    if line.due_at is None:
        due = ""
    elif line.breached:
        due = t(language, "digest.overdue", when=when(language, line.due_at, now, timezone))
    else:
        due = t(language, "digest.due_in", when=when(language, line.due_at, now, timezone))
    return due


def trend_table(trend: Trend, language: str) -> str:
    """The 14 days as a fixed-width table in a code block: what Slack shows when the chart cannot be uploaded."""
    labels = (t(language, "digest.chart_opened"), t(language, "digest.chart_resolved"))
    width = max(len(label) for label in labels) + 1
    rows = [
        " " * width + "".join(f"{day.day:>3}" for day in trend.days),
        labels[0].ljust(width) + "".join(f"{n:>3}" for n in trend.opened),
        labels[1].ljust(width) + "".join(f"{n:>3}" for n in trend.resolved),
    ]
    intro = t(
        language,
        "digest.trend_rows",
        days=len(trend.days),
        first=long_date(language, trend.days[0]),
        last=long_date(language, trend.days[-1]),
    )
    return intro + "\n```\n" + "\n".join(rows) + "\n```"


def quiet_text(config: DeskConfig, team_id: str, language: str) -> str:
    return t(language, "digest.quiet", team=team_name(config, team_id, language))


def team_blocks(
    digest: TeamDigest,
    config: DeskConfig,
    language: str,
    *,
    now: datetime,
    links: Mapping[int, str] | None = None,
    chart: ChartMode = "thread",
) -> tuple[str, list[dict[str, Any]]]:
    """(notification text, blocks) of one team's digest."""
    links = links or {}
    lang, tz = language, digest.timezone
    name = team_name(config, digest.team_id, lang)
    title = t(lang, "digest.header", team=name, date=long_date(lang, digest.local_date))
    blocks: list[dict[str, Any]] = [header(title)]

    yesterday = [
        t(lang, "digest.yesterday", date=long_date(lang, digest.yesterday)),
        t(lang, "digest.opened_resolved", opened=digest.opened, resolved=digest.resolved),
        t(
            lang,
            "digest.sla_line",
            first=_sla(lang, digest.first_response_met, digest.first_response_breached, digest.first_response_percent),
            resolution=_sla(lang, digest.resolution_met, digest.resolution_breached, digest.resolution_percent),
        ),
        t(
            lang,
            "digest.medians",
            first=_median(lang, digest.median_first_response),
            resolution=_median(lang, digest.median_resolution),
        ),
    ]
    blocks.append(section("\n".join(yesterday)))

    standing = [
        t(lang, "digest.now"),
        t(
            lang,
            "digest.states",
            unassigned=digest.unassigned,
            in_progress=digest.in_progress,
            waiting=digest.waiting_on_requester,
            approval=digest.awaiting_approval,
        ),
        t(lang, "digest.risk", at_risk=digest.at_risk, breached=digest.breached),
    ]
    blocks.append(section("\n".join(standing)))

    if digest.oldest_unassigned:
        blocks.append(section(t(lang, "digest.oldest")))
        for line in digest.oldest_unassigned:
            text = t(
                lang,
                "digest.ticket_line",
                link=_link(line, links),
                title=_title(line),
                priority=t(lang, f"priority.{line.priority}"),
                age=age(lang, now - line.created_at),
            )
            blocks.append(section(text, _claim(line, lang), block_id=f"digest.oldest.{line.id}"))
    if digest.most_urgent:
        blocks.append(section(t(lang, "digest.urgent")))
        for line in digest.most_urgent:
            text = t(
                lang,
                "digest.due_line",
                link=_link(line, links),
                title=_title(line),
                priority=t(lang, f"priority.{line.priority}"),
                due=_urgent_text(line, lang, now, tz),
            )
            # A ticket may be both oldest and most urgent; block ids must still be unique in the message.
            blocks.append(section(text, _claim(line, lang), block_id=f"digest.urgent.{line.id}"))

    average = digest.rating_average_30d
    satisfaction = [
        t(lang, "digest.satisfaction"),
        t(
            lang,
            "digest.ratings",
            yesterday=digest.ratings_yesterday,
            average=t(lang, "digest.average", average=f"{average:.1f}", count=digest.ratings_30d)
            if average is not None
            else t(lang, "digest.average_none"),
        ),
    ]
    if not digest.confidential:
        for comment in digest.comments:
            words = escape(truncate(" ".join(comment.comment.split()), COMMENT_MAX))
            satisfaction.append(
                t(lang, "digest.comment", stars=":star:" * comment.rating, key=comment.key, comment=f"“{words}”")
            )
    for low in digest.low_ratings:
        # Service recovery is visible: each low rating with whether a lead has followed it up.
        if low.followed_up_by:
            status = t(lang, "digest.followed_up", user=f"<@{low.followed_up_by}>")
        else:
            status = t(lang, "digest.not_followed_up")
        satisfaction.append(t(lang, "digest.low_rating", key=low.key, rating=low.rating, status=status))
    blocks.append(section("\n".join(satisfaction)))

    trend = t(
        lang,
        "digest.trend",
        days=len(digest.trend.days),
        opened=sum(digest.trend.opened),
        resolved=sum(digest.trend.resolved),
    )
    if chart == "thread":
        trend += f" · {t(lang, 'digest.chart_in_thread')}"
    blocks.append(context(trend))
    if chart == "fallback":
        blocks.append(section(trend_table(digest.trend, lang)))
    return truncate(title, MESSAGE_TEXT_MAX), blocks[:MAX_BLOCKS]


def company_blocks(company: CompanyDigest, config: DeskConfig, language: str) -> tuple[str, list[dict[str, Any]]]:
    """One line per team: counts and SLA shares only, so nothing of a confidential team's work shows."""
    lang = language
    title = t(lang, "digest.company_header", date=long_date(lang, company.local_date))
    lines = [
        t(
            lang,
            "digest.company_line",
            team=team_name(config, team.team_id, lang),
            opened=team.opened,
            resolved=team.resolved,
            open=team.open_total,
            at_risk=team.at_risk,
            breached=team.breached,
            first=f"{team.first_response_percent}%" if team.first_response_percent is not None else "–",
            resolution=f"{team.resolution_percent}%" if team.resolution_percent is not None else "–",
        )
        for team in company.teams
    ]
    blocks: list[dict[str, Any]] = [header(title)]
    # Ten lines to a section keeps each well inside the 3,000-character limit.
    for start in range(0, len(lines), 10):
        blocks.append(section("\n".join(lines[start : start + 10])))
    return title, blocks[:MAX_BLOCKS]


def company_quiet_text(local_date: date, language: str) -> str:
    return t(language, "digest.company_quiet", date=long_date(language, local_date))


def agent_blocks(
    lines: Sequence[TicketLine],
    language: str,
    *,
    now: datetime,
    timezone: str,
    links: Mapping[int, str] | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    links = links or {}
    title = t(language, "digest.agent_header", count=len(lines))
    blocks: list[dict[str, Any]] = [section(title)]
    for line in lines[: MAX_BLOCKS - 1]:
        due = _urgent_text(line, language, now, timezone)
        text = f"{_link(line, links)} {_title(line)} · {t(language, f'state.{line.state}')}"
        blocks.append(section(text + (f" · {due}" if due else "")))
    return title, blocks


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def plain_text(blocks: Sequence[Mapping[str, Any]]) -> str:
    """The blocks as a person would read them in Slack, for the terminal: the text of every block with mrkdwn
    escapes shown as the characters they stand for, buttons in brackets."""
    out: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            text = str(block["text"]["text"])
            out.extend([text, "=" * len(text)])
        elif kind == "section":
            line = str(block.get("text", {}).get("text", ""))
            accessory = block.get("accessory") or {}
            if accessory.get("type") == "button":
                line += f"  [{accessory['text']['text']}]"
            out.append(line)
        elif kind == "context":
            out.append("  ".join(str(e.get("text", "")) for e in block.get("elements", [])))
        elif kind == "divider":
            out.append("-" * 40)
    return _unescape("\n".join(out)) + "\n"
