"""The one place that wires the desk together: engine, sessions, clock, services, the Slack Web API client,
the Bolt app and its listeners. Tests call it with their own clock, database and Slack stand-in."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import Clock, SystemClock
from bot.config import DeskConfig
from bot.db.engine import create_engine, make_sessionmaker
from bot.db.migrate import upgrade
from bot.digest_wiring import register_digest_senders
from bot.notify.ticket_messages import TicketMessages
from bot.notify.triage_messages import TriageMessages
from bot.services.conversation import ConversationService
from bot.services.inbox import Inbox
from bot.services.intake import IntakeService
from bot.services.knowledge_base import KnowledgeBase
from bot.services.notifications import NotificationPlanner
from bot.services.outbox import OutboxDispatcher
from bot.services.people import People
from bot.services.queue import QueueService
from bot.services.reaction_tickets import ReactionTickets
from bot.services.requests import RequestService
from bot.services.status import StatusService
from bot.services.tickets import TicketService
from bot.services.triage import TriageService
from bot.sla.policy import SlaPolicies
from bot.slack.edge import SlackEdge
from bot.slack.gateway import SlackGateway, make_web_client

log = logging.getLogger(__name__)


@dataclass
class Desk:
    config: DeskConfig
    clock: Clock
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    policies: SlaPolicies
    knowledge: KnowledgeBase
    tickets: TicketService
    outbox: OutboxDispatcher
    intake: IntakeService
    requests: RequestService
    conversation: ConversationService
    status: StatusService
    triage: TriageService
    queue: QueueService
    http: aiohttp.ClientSession
    gateway: SlackGateway
    people: People
    reactions: ReactionTickets
    bolt: AsyncApp | None
    edge: SlackEdge
    background: list[asyncio.Task[None]] = field(default_factory=list)

    async def settle(self) -> None:
        """Finish every event taken and deliver every queued message (tests and the local workspace)."""
        for _ in range(10):
            await self.edge.settle()
            if await self.outbox.drain() == 0 and not self.edge.busy:
                return

    async def close(self) -> None:
        for task in self.background:
            task.cancel()
        for task in self.background:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.edge.settle()
        await self.http.close()
        await self.engine.dispose()


async def build_desk(config: DeskConfig, *, clock: Clock | None = None, migrate: bool = True) -> Desk:
    clock = clock or SystemClock()
    engine = create_engine(config.database)
    if migrate:
        await upgrade(engine)
    sessions = make_sessionmaker(engine)
    policies = SlaPolicies(config)
    knowledge = await KnowledgeBase.load(config, sessions)
    tickets = TicketService(sessions, clock, observers=[NotificationPlanner()])
    outbox = OutboxDispatcher(sessions, clock)
    intake = IntakeService(sessions, clock, config, knowledge, policies)

    http = aiohttp.ClientSession()
    client = make_web_client(config.slack.bot_token, config.slack.api_url, http)
    gateway = SlackGateway(client)
    people = People(gateway, config)
    bolt = None
    if config.slack.bot_token:
        bolt = _bolt_app(client, config)
    edge = SlackEdge(bolt, Inbox(sessions, clock), config.slack.signing_secret)
    desk = Desk(
        config=config,
        clock=clock,
        engine=engine,
        sessions=sessions,
        policies=policies,
        knowledge=knowledge,
        tickets=tickets,
        outbox=outbox,
        intake=intake,
        requests=RequestService(sessions, clock, config, tickets, knowledge),
        conversation=ConversationService(sessions, clock, tickets),
        status=StatusService(sessions, clock),
        triage=TriageService(config, tickets, people),
        queue=QueueService(sessions, clock),
        http=http,
        gateway=gateway,
        people=people,
        reactions=ReactionTickets(config, gateway, people, knowledge, tickets, intake),
        bolt=bolt,
        edge=edge,
    )
    messages = TicketMessages(sessions, gateway, config, policies, clock)
    messages.register(outbox)
    TriageMessages(messages, gateway, config).register(outbox)
    register_digest_senders(desk)  # the daily digest's outbox senders (its schedule is started by `run`)
    edge.after_event = outbox.kick

    if bolt is not None:
        import handlers  # only the bootstrap knows the Slack listeners

        handlers.register(bolt, desk)
    return desk


def _bolt_app(client: AsyncWebClient, config: DeskConfig) -> AsyncApp:
    return AsyncApp(
        client=client,
        signing_secret=config.slack.signing_secret or "unset",
        # The HTTP edge verifies every signature itself, before the inbox; stored events are replayed later.
        request_verification_enabled=False,
        # Listeners finish before the response, so a stored event is only marked done when it really is.
        process_before_response=True,
        raise_error_for_unhandled_request=False,
    )


def start_background(desk: Desk, stop: asyncio.Event) -> None:
    """The loops `servicedesk run` keeps going: deliver the outbox, retry what the inbox still holds."""
    desk.background.append(asyncio.create_task(desk.outbox.run(stop)))
    desk.background.append(asyncio.create_task(_inbox_loop(desk, stop)))


async def _inbox_loop(desk: Desk, stop: asyncio.Event, interval: float = 10.0) -> None:
    while not stop.is_set():
        try:
            await desk.edge.recover()
        except Exception:  # keep the loop alive through a database hiccup; the next round retries
            log.exception("inbox recovery failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
