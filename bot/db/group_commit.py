"""Group commit: small writes made at the same moment by different tasks share one transaction. Each caller
still waits until its own write is committed, so nothing is acknowledged early; under load many writes pay
for one BEGIN/COMMIT (and, on PostgreSQL, one WAL flush) instead of one each."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import single_statement_engine

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

# Writes one batch with a single statement (in autocommit: the statement is the transaction, so a batch must
# not need two statements to be atomic); returns one result per item, in the items' order.
BatchWrite = Callable[[AsyncSession, Sequence[T]], Awaitable[Sequence[R]]]


class GroupCommit(Generic[T, R]):
    """Writes submitted while a batch is being committed wait for the next one; an idle batcher commits a
    lone write at once (no timer, so a quiet desk answers as fast as before)."""

    MAX_BATCH = 200

    def __init__(self, sessions: async_sessionmaker[AsyncSession], write: BatchWrite[T, R]) -> None:
        self._sessions = sessions
        # Each batch is one statement (or statements that stand alone), so it needs no BEGIN and COMMIT of its
        # own: in autocommit the statement is its own transaction, one round trip instead of three.
        self._autocommit = single_statement_engine(sessions.kw["bind"])
        self._write = write
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        # A writer that gave up (its request was cancelled) leaves the outcome unread; reading it here keeps
        # asyncio from reporting a never-retrieved exception for it.
        future.add_done_callback(_read_outcome)
        self._pending.append((item, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        # shield: a caller that gives up (a client that hung up) must not cancel the batch the others wait on.
        return await asyncio.shield(future)

    async def drain(self) -> None:
        """Until every write submitted so far is settled (shutdown, before the pool closes)."""
        while self._flusher is not None and not self._flusher.done():
            await asyncio.wait([self._flusher])

    async def _flush(self) -> None:
        batch: list[tuple[T, asyncio.Future[R]]] = []
        try:
            while self._pending:
                batch, self._pending = self._pending[: self.MAX_BATCH], self._pending[self.MAX_BATCH :]
                try:
                    results = await self._write_batch([item for item, _ in batch])
                except Exception as error:
                    await self._failed(batch, error)
                    continue
                for (_, future), result in zip(batch, results, strict=True):
                    _settle(future, result=result)
        except BaseException as error:
            # Cancelled, or a batch write that broke its promise (one result per item): whoever still waits
            # must hear of it, not wait for ever.
            for _, future in [*batch, *self._pending]:
                if isinstance(error, asyncio.CancelledError):
                    future.cancel()
                else:
                    _settle(future, error=error)
            self._pending = []
            raise

    async def _failed(self, batch: list[tuple[T, asyncio.Future[R]]], error: Exception) -> None:
        if len(batch) == 1 or _unreachable(error):
            # The database is down or too busy: every write in the batch would fail the same way, one timeout
            # after another, while later writes queue behind them. All hear of it at once.
            log.warning("group commit: a batch of %d writes failed: %s", len(batch), error)
            for _, future in batch:
                _settle(future, error=error)
            return
        # Something about one write (a constraint, a value): it must not fail the writes that happened to
        # share its batch, so each is tried again on its own and only the bad one hears of the error.
        log.warning("group commit: a batch of %d writes failed (%s); writing them one by one", len(batch), error)
        for item, future in batch:
            try:
                (result,) = await self._write_batch([item])
            except Exception as alone:
                _settle(future, error=alone)
            else:
                _settle(future, result=result)

    async def _write_batch(self, items: list[T]) -> Sequence[R]:
        async with self._sessions(bind=self._autocommit) as session:
            results = await self._write(session, items)
            await session.commit()
        if len(results) != len(items):
            raise RuntimeError(f"a batch write returned {len(results)} results for {len(items)} writes")
        return results


def _unreachable(error: Exception) -> bool:
    """The database, not the data: a dropped or refused connection, a pool or statement timeout."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(
        error, OperationalError | InterfaceError | DisconnectionError | PoolTimeout | TimeoutError | OSError
    )


def _settle(future: asyncio.Future[R], *, result: R | None = None, error: BaseException | None = None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)  # type: ignore[arg-type]


def _read_outcome(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()
