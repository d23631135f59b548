"""Telling people about SLA warnings and breaches: the outbox senders for `sla_warning` and `sla_breach`, and
the plain-words promise a requester sees.

Who hears what: a warning goes to the assignee by DM, or to the team's triage channel (in the card's thread)
while nobody has the ticket; a breach goes to the card's thread once and to each team lead by DM. All of these
are the team's own places, so confidential teams' titles stay inside the team.

Each message carries the outbox dedupe key in its metadata. A retried delivery (the process died between
Slack's 200 and the outbox commit) first asks Slack whether that message is already there, per target, so
people see it once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.blocks.text import escape, truncate
from bot.clock import Clock
from bot.config import DeskConfig
from bot.db.models import SlaClock, Ticket
from bot.i18n import language_of, t, when, working_time
from bot.services.outbox import OutboxDispatcher, OutboxItem, PermanentFailure
from bot.services.sla_engine import FIRST_RESPONSE, RESOLUTION, SLA_BREACH, SLA_WARNING, ClockView
from bot.sla.clock import ClockStatus
from bot.sla.policy import SlaPolicies
from bot.slack.gateway import SlackUser

log = logging.getLogger(__name__)

TITLE_MAX = 150
# Slack errors that retrying cannot fix: the message is given up (or, for one lead's DM, that lead skipped).
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "user_not_found",
        "user_disabled",
        "users_not_found",
        "cannot_dm_bot",
        "account_inactive",
        "invalid_auth",
        "restricted_action",
    }
)


class Gateway(Protocol):
    """The part of SlackGateway these senders use (tests pass a recording fake)."""

    async def post(
        self,
        channel: str,
        text: str,
        blocks: Sequence[dict[str, Any]] | None = None,
        *,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> tuple[str, str]: ...

    async def open_dm(self, user: str) -> str: ...

    async def user(self, user_id: str) -> SlackUser: ...

    async def find_own_message(self, channel: str, key: str, *, thread_ts: str | None = None) -> str | None: ...


def is_permanent(exc: BaseException) -> bool:
    return isinstance(exc, SlackApiError) and _error_code(exc) in PERMANENT_ERRORS


def _error_code(exc: SlackApiError) -> str:
    try:
        return str(exc.response["error"])
    except (KeyError, TypeError):
        return ""


@dataclass(frozen=True)
class _Subject:
    ticket: Ticket
    clock: SlaClock


class SlaMessages:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        gateway: Gateway,
        config: DeskConfig,
        policies: SlaPolicies,
        clock: Clock,
    ) -> None:
        self._sessions = sessions
        self._gateway = gateway
        self._config = config
        self._policies = policies
        self._clock = clock

    def register(self, dispatcher: OutboxDispatcher) -> None:
        dispatcher.register(SLA_WARNING, self.send_warning)
        dispatcher.register(SLA_BREACH, self.send_breach)

    async def send_warning(self, item: OutboxItem) -> None:
        subject = await self._subject(item)
        # Settled, retargeted or already overdue by the time we got here: the warning would only mislead.
        if subject is None or subject.clock.stopped_at is not None or subject.clock.breached_at is not None:
            return
        ticket = subject.ticket
        if ticket.assignee_id:
            language = await self._language_of(ticket.assignee_id)
            text = t(language, "sla.warning", **self._params(language, subject, item))
            try:
                await self._post_once(item, await self._dm(ticket.assignee_id), text, None)
                return
            except PermanentFailure as exc:
                # The assignee cannot be reached (left, deactivated): the team still has to hear it.
                log.warning("SLA warning DM to %s failed (%s); telling the triage channel", ticket.assignee_id, exc)
        language = self._config.desk.default_language
        channel, thread_ts = self._triage_place(ticket)
        await self._post_once(
            item, channel, t(language, "sla.warning", **self._params(language, subject, item)), thread_ts
        )

    async def send_breach(self, item: OutboxItem) -> None:
        subject = await self._subject(item)
        if subject is None or subject.clock.breached_at is None:
            return  # a priority change moved the due time out again before we told anyone
        ticket = subject.ticket
        language = self._config.desk.default_language
        channel, thread_ts = self._triage_place(ticket)
        await self._post_once(
            item, channel, t(language, "sla.breach", **self._params(language, subject, item)), thread_ts
        )
        for lead in self._config.team(ticket.team_id).leads:
            lead_language = await self._language_of(lead)
            text = t(lead_language, "sla.breach", **self._params(lead_language, subject, item))
            try:
                await self._post_once(item, await self._dm(lead), text, None)
            except PermanentFailure as exc:
                # One lead who left the company must not hold back the others (or the ticket's queue). A passing
                # failure raises instead: the retry skips the leads already told (found by their metadata).
                log.warning("SLA breach DM to %s skipped: %s", lead, exc)

    async def _dm(self, user_id: str) -> str:
        try:
            return await self._gateway.open_dm(user_id)
        except SlackApiError as exc:
            if is_permanent(exc):
                raise PermanentFailure(f"DM with {user_id}: {_error_code(exc)}") from exc
            raise

    async def _subject(self, item: OutboxItem) -> _Subject | None:
        ticket_id = int(item.payload["ticket_id"])
        async with self._sessions() as session:
            ticket = await session.get(Ticket, ticket_id)
            clock = await session.scalar(
                select(SlaClock).where(SlaClock.ticket_id == ticket_id, SlaClock.kind == item.payload["clock"])
            )
        if ticket is None or clock is None or clock.target_minutes != item.payload.get("target_minutes"):
            return None
        return _Subject(ticket, clock)

    def _triage_place(self, ticket: Ticket) -> tuple[str, str | None]:
        if ticket.triage_channel:
            return ticket.triage_channel, ticket.triage_ts
        return self._config.team(ticket.team_id).channel, None

    def _params(self, language: str, subject: _Subject, item: OutboxItem) -> dict[str, Any]:
        ticket, clock = subject.ticket, subject.clock
        due = clock.due_at or datetime.fromisoformat(str(item.payload["due_at"]))
        team = self._config.team(ticket.team_id)
        return {
            "ticket": ticket.key,
            "title": truncate(escape(ticket.title), TITLE_MAX),
            "team": escape(team.name_sv if language == "sv" and team.name_sv else team.name),
            "clock": t(language, f"sla.clock.{clock.kind}"),
            "when": when(language, due, self._clock.now(), self._policies.timezone(ticket.team_id)),
            "target": working_time(language, clock.target_minutes),
        }

    async def _language_of(self, user_id: str) -> str:
        default = self._config.desk.default_language
        try:
            user = await self._gateway.user(user_id)
        except SlackApiError as exc:
            if not is_permanent(exc):
                raise
            return default
        return language_of(user.locale, default)

    async def _post_once(self, item: OutboxItem, channel: str, text: str, thread_ts: str | None) -> None:
        try:
            if item.attempts > 1 and await self._gateway.find_own_message(
                channel, item.dedupe_key, thread_ts=thread_ts
            ):
                return
            await self._gateway.post(
                channel,
                text,
                thread_ts=thread_ts,
                metadata={"event_type": "desk_notice", "event_payload": {"key": item.dedupe_key}},
            )
        except SlackApiError as exc:
            if is_permanent(exc):
                raise PermanentFailure(f"{channel}: {_error_code(exc)}") from exc
            raise


def requester_sla_line(language: str, views: Sequence[ClockView], now: datetime, timezone: str) -> str | None:
    """What the requester reads about the SLA, in their language and the team's local time: the first-response
    promise while it runs, the resolution promise after, an explanation while the clock waits on them."""
    by_kind = {view.kind: view for view in views}
    first, resolution = by_kind.get(FIRST_RESPONSE), by_kind.get(RESOLUTION)
    if resolution is not None and resolution.paused:
        return t(language, "sla.paused")
    if first is not None and first.stopped_at is None and first.due_at is not None:
        return t(language, "sla.promise", when=when(language, first.due_at, now, timezone))
    if resolution is not None and resolution.stopped_at is None and resolution.due_at is not None:
        return t(language, "sla.promise_resolution", when=when(language, resolution.due_at, now, timezone))
    return None


def status_label(language: str, status: ClockStatus) -> str:
    """The card's word for a clock's state: on track, at risk, breached, paused, met."""
    return t(language, f"sla.status.{status.value}")
