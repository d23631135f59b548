"""The one place that wires the desk together: engine, sessions, clock and services (and, once the Slack
surface exists, the Bolt app and its listeners). Tests call it with their own clock and database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import Clock, SystemClock
from bot.config import DeskConfig
from bot.db.engine import create_engine, make_sessionmaker
from bot.db.migrate import upgrade
from bot.services.tickets import TicketService


@dataclass
class Desk:
    config: DeskConfig
    clock: Clock
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    tickets: TicketService

    async def close(self) -> None:
        await self.engine.dispose()


async def build_desk(config: DeskConfig, *, clock: Clock | None = None, migrate: bool = True) -> Desk:
    clock = clock or SystemClock()
    engine = create_engine(config.database)
    if migrate:
        await upgrade(engine)
    sessions = make_sessionmaker(engine)
    return Desk(config=config, clock=clock, engine=engine, sessions=sessions, tickets=TicketService(sessions, clock))
