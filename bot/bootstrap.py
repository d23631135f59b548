"""The one place that wires the desk together: engine, sessions, clock and services (and, once the Slack
surface exists, the Bolt app and its listeners). Tests call it with their own clock and database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import Clock, SystemClock
from bot.config import DeskConfig
from bot.db.engine import create_engine, make_sessionmaker
from bot.db.migrate import upgrade
from bot.services.sla_engine import SlaEngine
from bot.services.tickets import TicketService
from bot.sla.policy import SlaPolicies


@dataclass
class Desk:
    config: DeskConfig
    clock: Clock
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    tickets: TicketService
    sla: SlaEngine

    async def close(self) -> None:
        await self.engine.dispose()


async def build_desk(config: DeskConfig, *, clock: Clock | None = None, migrate: bool = True) -> Desk:
    clock = clock or SystemClock()
    engine = create_engine(config.database)
    if migrate:
        await upgrade(engine)
    sessions = make_sessionmaker(engine)
    sla = build_sla(config, sessions, clock)
    tickets = TicketService(sessions, clock, observers=[sla])
    return Desk(config=config, clock=clock, engine=engine, sessions=sessions, tickets=tickets, sla=sla)


def build_sla(config: DeskConfig, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> SlaEngine:
    """The SLA engine; it observes every ticket change (clocks move in the change's own transaction)."""
    return SlaEngine(sessions, clock, SlaPolicies(config))
