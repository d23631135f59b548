"""Periodic jobs shared by several desk processes. Each job runs under a lease in the database: one process
holds it and renews it while alive; when that process dies the lease runs out and another takes over. Jobs
are written to be idempotent anyway (unique keys on what they produce), so a lease is about not doing the
same work twice, never about correctness."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.db.models import JobLease
from bot.db.upsert import insert_ignore

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[Any]]


def process_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Leases:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock, holder: str) -> None:
        self._sessions = sessions
        self._clock = clock
        self.holder = holder

    async def acquire(self, name: str, ttl: timedelta) -> bool:
        """Take or renew the lease; False while another live process holds it."""
        now = self._clock.now()
        async with self._sessions.begin() as session:
            await insert_ignore(session, JobLease, {"name": name, "holder": self.holder, "expires_at": now + ttl})
            result = await session.execute(
                update(JobLease)
                .where(JobLease.name == name, or_(JobLease.holder == self.holder, JobLease.expires_at <= now))
                .values(holder=self.holder, expires_at=now + ttl)
                .execution_options(synchronize_session=False)
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def release(self, name: str) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                update(JobLease)
                .where(JobLease.name == name, JobLease.holder == self.holder)
                .values(expires_at=self._clock.now())
                .execution_options(synchronize_session=False)
            )


@dataclass
class _Scheduled:
    name: str
    interval: float
    job: Job


class Scheduler:
    def __init__(self, leases: Leases) -> None:
        self._leases = leases
        self._jobs: list[_Scheduled] = []

    def every(self, name: str, seconds: float, job: Job) -> None:
        self._jobs.append(_Scheduled(name, seconds, job))

    async def run_once(self, name: str) -> bool:
        """Run one job now if this process holds (or can take) its lease; True when it ran."""
        scheduled = next(s for s in self._jobs if s.name == name)
        return await self._tick(scheduled)

    async def _tick(self, scheduled: _Scheduled) -> bool:
        # The lease outlives a few intervals so a slow round does not hand the job to a second process.
        ttl = timedelta(seconds=max(30.0, scheduled.interval * 3))
        if not await self._leases.acquire(scheduled.name, ttl):
            return False
        await scheduled.job()
        return True

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.gather(*(self._loop(s, stop) for s in self._jobs))

    async def _loop(self, scheduled: _Scheduled, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self._tick(scheduled)
            except Exception:  # a failing round must not stop the job; the next round tries again
                log.exception("job %s failed", scheduled.name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=scheduled.interval)
        with contextlib.suppress(Exception):
            await self._leases.release(scheduled.name)
