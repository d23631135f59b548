"""The transactional outbox: Slack side effects are written in the same transaction as the change that causes
them, and sent after commit, at least once, in order per ticket. A crash or a Slack outage delays them; it
never loses them. Senders make repeated delivery show once (they reconcile with what Slack already has)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import and_, event, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, aliased

from bot.clock import Clock
from bot.db.models import OutboxMessage
from bot.db.upsert import insert_ignore, insert_ignoring_conflicts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutboxItem:
    id: int
    kind: str
    dedupe_key: str
    ticket_id: int | None
    payload: Mapping[str, Any]
    attempts: int


class PermanentFailure(Exception):
    """Slack will never accept this message as it is (e.g. channel_not_found); retrying cannot help."""


Sender = Callable[[OutboxItem], Awaitable[None]]


class OutboxMeter(Protocol):
    """What the dispatcher reports for /metrics (bot/metrics.py), by outbox kind."""

    def delivered(self, kind: str) -> None: ...
    def delivery_failed(self, kind: str) -> None: ...


async def enqueue(
    session: AsyncSession,
    *,
    kind: str,
    dedupe_key: str,
    at: datetime,
    payload: Mapping[str, Any] | None = None,
    ticket_id: int | None = None,
) -> bool:
    """Queue a side effect inside the caller's transaction; the same dedupe_key twice queues it once."""
    queued = await insert_ignore(
        session,
        OutboxMessage,
        {
            "dedupe_key": dedupe_key,
            "kind": kind,
            "ticket_id": ticket_id,
            "payload": dict(payload or {}),
            "created_at": at,
            "next_attempt_at": at,
            "attempts": 0,
        },
    )
    if queued:
        _mark_queued(session)
    return queued


def _mark_queued(session: AsyncSession) -> None:
    session.sync_session.info[_QUEUED] = True


# Set on a session that queued something, so its commit wakes the dispatcher (OutboxDispatcher.wake_on_commit).
_QUEUED = "outbox_queued"


@dataclass(frozen=True)
class Notice:
    """One side effect for `enqueue_many`."""

    kind: str
    dedupe_key: str
    payload: Mapping[str, Any]
    ticket_id: int | None = None


async def enqueue_many(session: AsyncSession, notices: Sequence[Notice], *, at: datetime) -> set[str]:
    """Queue many side effects in one statement inside the caller's transaction (a sweeper's batch); returns
    the dedupe keys queued by this call: a key already queued is skipped, as with `enqueue`."""
    if not notices:
        return set()
    rows = [
        {
            "dedupe_key": notice.dedupe_key,
            "kind": notice.kind,
            "ticket_id": notice.ticket_id,
            "payload": dict(notice.payload),
            "created_at": at,
            "next_attempt_at": at,
            "attempts": 0,
        }
        for notice in notices
    ]
    # executemany form: SQLAlchemy batches it into multi-row INSERTs ("insertmanyvalues") from one cached
    # compilation, where .values(rows) would compile anew for every batch size.
    statement = insert_ignoring_conflicts(session, OutboxMessage).returning(OutboxMessage.dedupe_key)
    result = await session.execute(statement, rows)
    queued = {str(key) for key in result.scalars()}
    if queued:
        _mark_queued(session)
    return queued


class OutboxDispatcher:
    # While a process works on a message nobody else may take it; if the process dies, the lease runs out.
    LEASE = timedelta(seconds=60)
    MAX_BACKOFF = timedelta(hours=1)

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        senders: Mapping[str, Sender] | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._senders: dict[str, Sender] = dict(senders or {})
        self._wake = asyncio.Event()
        # Rounds under way in this process (the background loop's included), so settling can wait for them.
        self._rounds = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.meter: OutboxMeter | None = None

    def register(self, kind: str, sender: Sender) -> None:
        self._senders[kind] = sender

    def kick(self) -> None:
        """Something was queued: deliver now instead of at the next poll."""
        self._wake.set()

    @property
    def woken(self) -> bool:
        """A kick is pending: the next round starts without waiting for the poll."""
        return self._wake.is_set()

    def wake_on_commit(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        """Kick whenever one of these sessions commits a transaction that queued something: delivery starts
        the moment a side effect is committed, and a transaction that queued nothing costs no delivery round.
        The class is the desk's own (bot.db.engine.make_sessionmaker), so no other desk's commits land here."""
        session_class = sessions.kw.get("sync_session_class", Session)
        if session_class is Session:
            raise ValueError("wake_on_commit needs a desk's own session class (bot.db.engine.make_sessionmaker)")
        event.listen(session_class, "after_commit", self._committed)
        event.listen(session_class, "after_rollback", self._rolled_back)

    def _committed(self, session: Session) -> None:
        if session.get_nested_transaction() is None and session.info.pop(_QUEUED, False):
            self.kick()

    @staticmethod
    def _rolled_back(session: Session) -> None:
        if session.get_nested_transaction() is None:
            session.info.pop(_QUEUED, None)

    async def deliver_due(self, limit: int = 50) -> int:
        """Send what is due now; returns how many messages were sent."""
        self._rounds += 1
        self._idle.clear()
        try:
            sent = 0
            for item in await self._claim(limit):
                if await self._send(item):
                    sent += 1
            return sent
        finally:
            self._rounds -= 1
            if self._rounds == 0:
                self._idle.set()

    @property
    def is_idle(self) -> bool:
        return self._rounds == 0

    async def idle(self) -> None:
        """Wait until no round of this process is delivering: a claimed message is then sent or rescheduled."""
        await self._idle.wait()

    async def drain(self, rounds: int = 20) -> int:
        """Deliver until nothing is due (what tests and the local workspace use to settle)."""
        total = 0
        for _ in range(rounds):
            sent = await self.deliver_due()
            total += sent
            if sent == 0:
                break
        return total

    async def run(self, stop: asyncio.Event, interval: float = 2.0) -> None:
        while not stop.is_set():
            # Cleared before the round, not after: a commit that queues while the round is under way must
            # start another round, not wait for the next poll.
            self._wake.clear()
            try:
                await self.deliver_due()
            except Exception:  # the loop must outlive a database hiccup; the next round retries
                log.exception("outbox round failed")
            waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
            await asyncio.wait(waiters, timeout=interval, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()

    async def _claim(self, limit: int) -> list[OutboxItem]:
        now = self._clock.now()
        earlier = aliased(OutboxMessage)
        # Only the oldest unsent message of each ticket is eligible, so a card is posted before it is updated
        # even when several processes deliver at once.
        head_of_line = ~exists().where(
            and_(
                earlier.ticket_id == OutboxMessage.ticket_id,
                earlier.sent_at.is_(None),
                earlier.id < OutboxMessage.id,
            )
        )
        async with self._sessions.begin() as session:
            ids = list(
                await session.scalars(
                    select(OutboxMessage.id)
                    .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now, head_of_line)
                    .order_by(OutboxMessage.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            if not ids:
                return []
            rows = await session.execute(
                update(OutboxMessage)
                # Re-checked here: a row another process leased since our SELECT is not ours to take.
                .where(OutboxMessage.id.in_(ids), OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
                .values(next_attempt_at=now + self.LEASE, attempts=OutboxMessage.attempts + 1)
                .returning(
                    OutboxMessage.id,
                    OutboxMessage.kind,
                    OutboxMessage.dedupe_key,
                    OutboxMessage.ticket_id,
                    OutboxMessage.payload,
                    OutboxMessage.attempts,
                )
                .execution_options(synchronize_session=False)
            )
            items = [OutboxItem(*row) for row in rows]
        return sorted(items, key=lambda item: item.id)

    async def _send(self, item: OutboxItem) -> bool:
        sender = self._senders.get(item.kind)
        try:
            if sender is None:
                raise PermanentFailure(f"no sender for outbox kind {item.kind!r}")
            await sender(item)
        except PermanentFailure as exc:
            log.error("outbox %s (%s) failed for good: %s", item.id, item.kind, exc)
            self._count(item.kind, ok=False)
            await self._reschedule(item, str(exc), self.MAX_BACKOFF * 24)
            return False
        except Exception as exc:  # Slack outages and timeouts: back off and try again later
            delay = min(timedelta(seconds=2 ** min(item.attempts, 12)), self.MAX_BACKOFF)
            log.warning("outbox %s (%s) attempt %s failed: %s", item.id, item.kind, item.attempts, exc)
            self._count(item.kind, ok=False)
            await self._reschedule(item, f"{type(exc).__name__}: {exc}", delay)
            return False
        async with self._sessions.begin() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == item.id)
                .values(sent_at=self._clock.now(), last_error=None)
                .execution_options(synchronize_session=False)
            )
        self._count(item.kind, ok=True)
        return True

    def _count(self, kind: str, *, ok: bool) -> None:
        if self.meter is None:
            return
        if ok:
            self.meter.delivered(kind)
        else:
            self.meter.delivery_failed(kind)

    async def _reschedule(self, item: OutboxItem, error: str, delay: timedelta) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == item.id)
                .values(next_attempt_at=self._clock.now() + delay, last_error=error[:2000])
                .execution_options(synchronize_session=False)
            )

    async def backlog(self) -> int:
        from sqlalchemy import func

        async with self._sessions() as session:
            count = await session.scalar(select(func.count()).where(OutboxMessage.sent_at.is_(None)))
            return int(count or 0)
