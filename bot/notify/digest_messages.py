"""Senders of the digest outbox rows. The row's unique dedupe key is the run key: it was committed before
anything is posted, so a second scheduler or a restart finds it and does not queue the digest again. The figures
are built when the row is sent. A retried row first looks for what the earlier attempt may have posted:

- the digest message carries the row's key as message metadata (found with conversations.history);
- the chart goes into the digest's thread as a file named after the key (found with conversations.replies),
  so a crash between upload and commit does not post the chart twice either.

When Slack refuses the upload (not_allowed, missing_scope or any other error in the upload steps) the digest is
updated in place with the trend as a text table instead: the figures reach the team either way."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.blocks.digest import (
    agent_blocks,
    company_blocks,
    company_quiet_text,
    long_date,
    quiet_text,
    team_blocks,
    team_name,
)
from bot.blocks.text import section
from bot.clock import Clock
from bot.config import DeskConfig
from bot.digest_chart import trend_png
from bot.i18n import language_of, t
from bot.notify.ticket_messages import is_permanent
from bot.services.digest import DigestService, TeamDigest, TicketLine
from bot.services.outbox import OutboxDispatcher, OutboxItem, PermanentFailure
from bot.slack.gateway import SlackGateway

log = logging.getLogger(__name__)

TEAM_DIGEST = "digest"
COMPANY_DIGEST = "digest_company"
AGENT_DIGEST = "digest_agent"


def team_key(team_id: str, channel: str, day: date) -> str:
    return f"digest:{team_id}:{channel}:{day.isoformat()}"


def company_key(channel: str, day: date) -> str:
    return f"digest:company:{channel}:{day.isoformat()}"


def agent_key(user_id: str, day: date) -> str:
    return f"digest:agent:{user_id}:{day.isoformat()}"


def chart_filename(key: str) -> str:
    return key.replace(":", "-") + ".png"


def _metadata(key: str) -> dict[str, Any]:
    return {"event_type": "desk_digest", "event_payload": {"key": key}}


class DigestMessages:
    def __init__(self, service: DigestService, gateway: SlackGateway, config: DeskConfig, clock: Clock) -> None:
        self._service = service
        self._gateway = gateway
        self._config = config
        self._clock = clock

    @property
    def language(self) -> str:
        return self._config.desk.default_language

    def register(self, dispatcher: OutboxDispatcher) -> None:
        dispatcher.register(TEAM_DIGEST, self.send_team)
        dispatcher.register(COMPANY_DIGEST, self.send_company)
        dispatcher.register(AGENT_DIGEST, self.send_agent)

    async def send_team(self, item: OutboxItem) -> None:
        team_id, channel = str(item.payload["team"]), str(item.payload["channel"])
        day = date.fromisoformat(str(item.payload["date"]))
        digest = await self._service.build(team_id, day)
        if digest.quiet:
            await self._quiet(item, channel, quiet_text(self._config, team_id, self.language))
            return
        now = self._clock.now()
        links = await self._links((*digest.oldest_unassigned, *digest.most_urgent))
        text, blocks = team_blocks(digest, self._config, self.language, now=now, links=links, chart="thread")
        ts = await self._post_once(item, channel, text, blocks)
        if await self._chart(item, channel, ts, digest):
            return
        # The upload was refused: the digest carries the trend as text instead.
        text, blocks = team_blocks(digest, self._config, self.language, now=now, links=links, chart="fallback")
        await self._slack(self._gateway.update(channel, ts, text, blocks))

    async def send_company(self, item: OutboxItem) -> None:
        channel = str(item.payload["channel"])
        day = date.fromisoformat(str(item.payload["date"]))
        company = await self._service.build_company(day)
        if company.quiet:
            await self._quiet(item, channel, company_quiet_text(day, self.language))
            return
        text, blocks = company_blocks(company, self._config, self.language)
        await self._post_once(item, channel, text, blocks)

    async def send_agent(self, item: OutboxItem) -> None:
        user = str(item.payload["user"])
        lines = await self._service.agent_tickets(user)
        if not lines:
            return  # nothing of theirs is open: no DM at all
        language, timezone = await self._user_settings(user)
        text, blocks = agent_blocks(
            lines, language, now=self._clock.now(), timezone=timezone, links=await self._links(lines)
        )
        channel = await self._slack(self._gateway.open_dm(user))
        await self._post_once(item, channel, text, blocks)

    async def _user_settings(self, user: str) -> tuple[str, str]:
        """(language, time zone) of the agent's own Slack profile; the desk's defaults if Slack does not say."""
        team = self._config.team(self._config.desk.default_team)
        zone, language = self._config.calendar(team.calendar).timezone, self.language
        try:
            profile = await self._gateway.user(user)
        except SlackApiError:
            return language, zone
        return language_of(profile.locale, language), profile.tz or zone

    async def _quiet(self, item: OutboxItem, channel: str, text: str) -> None:
        if self._config.digest.when_quiet == "none":
            return  # configured silence: the row is marked sent and nothing is posted
        await self._post_once(item, channel, text, [section(text)])

    async def _post_once(self, item: OutboxItem, channel: str, text: str, blocks: list[dict[str, Any]]) -> str:
        """Post with the row's key as metadata, or find the earlier attempt's message; the message's ts."""
        key = item.dedupe_key
        if item.attempts > 1:
            found = await self._slack(self._gateway.find_own_message(channel, key))
            if found is not None:
                return str(found)
        _, ts = await self._slack(self._gateway.post(channel, text, blocks, metadata=_metadata(key)))
        return str(ts)

    async def _chart(self, item: OutboxItem, channel: str, ts: str, digest: TeamDigest) -> bool:
        """Upload the chart into the digest's thread once; False when Slack would not take the file."""
        filename = chart_filename(item.dedupe_key)
        lang = self.language
        try:
            if item.attempts > 1 and await self._chart_posted(channel, ts, filename):
                return True
            png = trend_png(
                digest.trend,
                title=t(
                    lang,
                    "digest.chart_title",
                    team=team_name(self._config, digest.team_id, lang),
                    first=long_date(lang, digest.trend.days[0]),
                    last=long_date(lang, digest.trend.days[-1]),
                ),
                opened_label=t(lang, "digest.chart_opened"),
                resolved_label=t(lang, "digest.chart_resolved"),
            )
            await self._gateway.client.files_upload_v2(
                channel=channel, thread_ts=ts, file=png, filename=filename, title=filename
            )
        except SlackApiError as exc:
            log.warning("digest chart upload refused (%s); posting the text trend", exc.response.get("error"))
            return False
        return True

    async def _chart_posted(self, channel: str, ts: str, filename: str) -> bool:
        bot = await self._gateway.bot_user_id()
        response = await self._gateway.client.conversations_replies(channel=channel, ts=ts, limit=200)
        for message in response.get("messages") or []:
            if message.get("user") == bot and any(f.get("name") == filename for f in message.get("files") or []):
                return True
        return False

    async def _links(self, lines: tuple[TicketLine, ...]) -> dict[int, str]:
        """Permalinks to the listed tickets' triage cards; a ticket without one is listed by key alone."""
        links: dict[int, str] = {}
        for line in lines:
            if line.id in links or not (line.triage_channel and line.triage_ts):
                continue
            try:
                url = await self._gateway.permalink(line.triage_channel, line.triage_ts)
            except SlackApiError:
                continue  # a card deleted by hand: the digest still names the ticket
            if url:
                links[line.id] = url
        return links

    async def _slack(self, call: Any) -> Any:
        try:
            return await call
        except SlackApiError as exc:
            if is_permanent(exc):
                raise PermanentFailure(str(exc.response.get("error"))) from exc
            raise
