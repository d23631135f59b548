"""The daily digest wired into a desk: the scheduler job that queues each morning's digests, and the outbox
senders that post them.

The job runs every minute under the scheduler's lease. For each team it looks at the local time in the team
calendar's zone; once it is past `digest.time` on a day the calendar is open, it queues one outbox row per
channel and local date. The row's unique key (digest:{team}:{channel}:{date}) is committed before anything is
posted, so the same morning queued again, by this process after a restart or by another process at the same
moment, inserts nothing: exactly one digest per channel and day. Closed days and weekends queue nothing."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import DeskConfig
from bot.db.models import Ticket
from bot.notify.digest_messages import (
    AGENT_DIGEST,
    COMPANY_DIGEST,
    TEAM_DIGEST,
    DigestMessages,
    agent_key,
    company_key,
    team_key,
)
from bot.services.digest import OPEN_STATES, DigestService
from bot.services.outbox import enqueue
from bot.sla.policy import SlaPolicies

if TYPE_CHECKING:
    from bot.bootstrap import Desk
    from bot.scheduler import Scheduler

JOB = "digest"
INTERVAL = 60.0


def digest_time(config: DeskConfig) -> time:
    hours, minutes = (int(part) for part in config.digest.time.split(":"))
    return time(hours, minutes)


@dataclass
class DigestPlanner:
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    config: DeskConfig
    policies: SlaPolicies

    def due_date(self, team_id: str, now: datetime, *, on_demand: bool = False) -> date | None:
        """Today's local date if the team's digest is due (past digest time on an open day), else None.
        On demand (an admin asking for it now) it is always due; it is still once per channel and day."""
        local = now.astimezone(ZoneInfo(self.policies.timezone(team_id)))
        if on_demand:
            return local.date()
        if local.time() < digest_time(self.config):
            return None
        if not self.policies.is_working_day(team_id, local.date()):
            return None
        return local.date()

    async def queue_due(self, *, teams: Collection[str] | None = None, on_demand: bool = False) -> int:
        """Queue every digest that is due now and not queued yet (of `teams` only, if given; the company
        digest only without `teams`); how many rows were new."""
        now = self.clock.now()
        queued = 0
        async with self.sessions.begin() as session:
            for team in self.config.teams:
                if teams is not None and team.id not in teams:
                    continue
                day = self.due_date(team.id, now, on_demand=on_demand)
                if day is None:
                    continue
                payload = {"team": team.id, "channel": team.channel, "date": day.isoformat()}
                key = team_key(team.id, team.channel, day)
                queued += await enqueue(session, kind=TEAM_DIGEST, dedupe_key=key, at=now, payload=payload)
                if self.config.digest.agent_dms:
                    queued += await self._queue_agents(session, team.id, day, now)
            channel = self.config.digest.company_channel if teams is None else None
            # The company digest keeps the default team's clock and calendar: one morning for the whole company.
            day = self.due_date(self.config.desk.default_team, now, on_demand=on_demand) if channel else None
            if channel and day is not None:
                payload = {"channel": channel, "date": day.isoformat()}
                key = company_key(channel, day)
                queued += await enqueue(session, kind=COMPANY_DIGEST, dedupe_key=key, at=now, payload=payload)
        return queued

    async def _queue_agents(self, session: AsyncSession, team_id: str, day: date, now: datetime) -> int:
        assignees = await session.scalars(
            select(Ticket.assignee_id)
            .where(Ticket.team_id == team_id, Ticket.state.in_(OPEN_STATES), Ticket.assignee_id.is_not(None))
            .distinct()
        )
        queued = 0
        for user in assignees:
            payload = {"user": user, "date": day.isoformat()}
            # Keyed per user and day, not per team: an agent of two teams gets one DM with all their tickets.
            key = agent_key(str(user), day)
            queued += await enqueue(session, kind=AGENT_DIGEST, dedupe_key=key, at=now, payload=payload)
        return queued


def digest_service(desk: Desk) -> DigestService:
    return DigestService(desk.sessions, desk.clock, desk.config, desk.policies)


def schedule_digest(desk: Desk, scheduler: Scheduler) -> None:
    planner = DigestPlanner(desk.sessions, desk.clock, desk.config, desk.policies)

    async def job() -> None:
        await planner.queue_due()

    scheduler.every(JOB, INTERVAL, job)


def register_digest_senders(desk: Desk) -> None:
    DigestMessages(digest_service(desk), desk.gateway, desk.config, desk.clock).register(desk.outbox)
