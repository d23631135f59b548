"""Group commit: small writes made at the same moment by different tasks share one transaction. Each caller
still waits until its own write is committed, so nothing is acknowledged early; under load many writes pay
for one BEGIN/COMMIT (and, on PostgreSQL, one WAL flush) instead of one each."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import single_statement_engine

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
        self._pending.append((item, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        # shield: a caller that gives up (a client that hung up) must not cancel the batch the others wait on.
        return await asyncio.shield(future)

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[: self.MAX_BATCH], self._pending[self.MAX_BATCH :]
            try:
                results = await self._write_batch([item for item, _ in batch])
            except Exception as error:
                if len(batch) == 1:
                    _settle(batch[0][1], error=error)
                else:
                    # One bad write must not fail the writes that happened to share its batch: each is tried
                    # again on its own, so only the bad one hears of the error, as it would have alone.
                    for item, future in batch:
                        await self._write_alone(item, future)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                _settle(future, result=result)

    async def _write_alone(self, item: T, future: asyncio.Future[R]) -> None:
        try:
            (result,) = await self._write_batch([item])
        except Exception as error:
            _settle(future, error=error)
        else:
            _settle(future, result=result)

    async def _write_batch(self, items: list[T]) -> Sequence[R]:
        async with self._sessions(bind=self._autocommit) as session:
            results = await self._write(session, items)
            await session.commit()
        return results


def _settle(future: asyncio.Future[R], *, result: R | None = None, error: BaseException | None = None) -> None:
    if future.done():  # its writer gave up; nobody is waiting
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)  # type: ignore[arg-type]
