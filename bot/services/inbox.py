"""The durable inbox for Slack events: stored under their event_id before Slack gets its 200, processed after,
and picked up again by any process when the one that took it died or failed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.db.models import SlackDelivery


@dataclass(frozen=True)
class InboxItem:
    id: int
    kind: str
    payload: Mapping[str, Any]
    attempts: int


class Inbox:
    # A process that took an event and died gives it back when the lease runs out.
    LEASE = timedelta(seconds=15)
    MAX_ATTEMPTS = 5

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def store(self, dedupe_key: str, kind: str, payload: Mapping[str, Any]) -> InboxItem | None:
        """Store a delivery, already claimed by this process (one statement, so acknowledging stays cheap);
        None when it was stored before (a redelivery)."""
        now = self._clock.now()
        values = {
            "dedupe_key": dedupe_key,
            "kind": kind,
            "payload": dict(payload),
            "received_at": now,
            "attempts": 1,
            "locked_until": now + self.LEASE,
        }
        async with self._sessions.begin() as session:
            insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
            row_id = await session.scalar(
                insert(SlackDelivery).values(**values).on_conflict_do_nothing().returning(SlackDelivery.id)
            )
        return InboxItem(int(row_id), kind, dict(payload), 1) if row_id is not None else None

    async def claim(self, row_id: int) -> InboxItem | None:
        now = self._clock.now()
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(SlackDelivery)
                .where(
                    SlackDelivery.id == row_id,
                    SlackDelivery.processed_at.is_(None),
                    SlackDelivery.attempts < self.MAX_ATTEMPTS,
                    or_(SlackDelivery.locked_until.is_(None), SlackDelivery.locked_until < now),
                )
                .values(locked_until=now + self.LEASE, attempts=SlackDelivery.attempts + 1)
                .returning(SlackDelivery.id, SlackDelivery.kind, SlackDelivery.payload, SlackDelivery.attempts)
                .execution_options(synchronize_session=False)
            )
            row = result.first()
            return InboxItem(*row) if row else None

    async def done(self, row_id: int) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                update(SlackDelivery)
                .where(SlackDelivery.id == row_id)
                .values(processed_at=self._clock.now(), locked_until=None, last_error=None)
                .execution_options(synchronize_session=False)
            )

    async def failed(self, row_id: int, error: str, retry_in: timedelta = timedelta(seconds=5)) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                update(SlackDelivery)
                .where(SlackDelivery.id == row_id)
                .values(locked_until=self._clock.now() + retry_in, last_error=error[:2000])
                .execution_options(synchronize_session=False)
            )

    async def pending(self, limit: int = 100) -> list[int]:
        """Deliveries nobody is working on: left by a dead process, or waiting for a retry."""
        now = self._clock.now()
        async with self._sessions() as session:
            rows = await session.scalars(
                select(SlackDelivery.id)
                .where(
                    SlackDelivery.processed_at.is_(None),
                    SlackDelivery.attempts < self.MAX_ATTEMPTS,
                    or_(SlackDelivery.locked_until.is_(None), SlackDelivery.locked_until < now),
                )
                .order_by(SlackDelivery.id)
                .limit(limit)
            )
            return list(rows)
