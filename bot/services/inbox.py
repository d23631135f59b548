"""The durable inbox for Slack events: stored under their event_id before Slack gets its 200, processed after,
and picked up again by any process when the one that took it died or failed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.db.group_commit import GroupCommit
from bot.db.models import SlackDelivery, table_of
from bot.db.upsert import insert_ignoring_conflicts


@dataclass(frozen=True)
class _Delivery:
    dedupe_key: str
    kind: str
    payload: dict[str, Any]


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
        self._stores = GroupCommit(sessions, self._store_batch)
        self._dones = GroupCommit(sessions, self._done_batch)

    async def store(self, dedupe_key: str, kind: str, payload: Mapping[str, Any]) -> InboxItem | None:
        """Store a delivery, already claimed by this process; None when it was stored before (a redelivery).
        Returns once the row is committed; deliveries arriving together share the transaction."""
        return await self._stores.submit(_Delivery(dedupe_key, kind, dict(payload)))

    async def _store_batch(self, session: AsyncSession, deliveries: Sequence[_Delivery]) -> list[InboxItem | None]:
        now = self._clock.now()
        rows = [
            {
                "dedupe_key": delivery.dedupe_key,
                "kind": delivery.kind,
                "payload": delivery.payload,
                "received_at": now,
                "attempts": 1,
                "locked_until": now + self.LEASE,
            }
            for delivery in deliveries
        ]
        # One multi-row INSERT; a key already stored (or twice in this batch) returns no row the second time.
        # Core on the table, not the ORM's bulk insert: nothing here needs objects, and the ORM's per-row
        # bookkeeping cost more than the statement.
        table = table_of(SlackDelivery)
        statement = insert_ignoring_conflicts(session, table).returning(table.c.id, table.c.dedupe_key)
        stored = {key: int(row_id) for row_id, key in (await session.execute(statement, rows)).all()}
        items: list[InboxItem | None] = []
        for delivery in deliveries:
            row_id = stored.pop(delivery.dedupe_key, None)
            items.append(InboxItem(row_id, delivery.kind, delivery.payload, 1) if row_id is not None else None)
        return items

    async def drain(self) -> None:
        """Until the stores and done marks submitted so far are settled (shutdown)."""
        await self._stores.drain()
        await self._dones.drain()

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
        await self._dones.submit(row_id)

    async def _done_batch(self, session: AsyncSession, row_ids: Sequence[int]) -> list[None]:
        await session.execute(
            update(table_of(SlackDelivery))
            .where(table_of(SlackDelivery).c.id.in_(row_ids))
            .values(processed_at=self._clock.now(), locked_until=None, last_error=None)
        )
        return [None] * len(row_ids)

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
