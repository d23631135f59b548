"""The one place that wires the desk together: engine, sessions, clock, services, the Slack Web API client,
the Bolt app and its listeners. Tests call it with their own clock, database and Slack stand-in."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import Clock, SystemClock
from bot.config import DeskConfig
from bot.db.engine import create_engine, make_sessionmaker
from bot.db.migrate import upgrade
from bot.digest_wiring import register_digest_senders, schedule_digest
from bot.metrics import DeskMetrics
from bot.notify.approval_messages import ApprovalMessages
from bot.notify.article_messages import ArticleMessages
from bot.notify.feedback_messages import FeedbackMessages
from bot.notify.sla_messages import SlaMessages
from bot.notify.ticket_messages import TicketMessages
from bot.notify.triage_messages import TriageMessages
from bot.scheduler import Leases, Scheduler, process_identity
from bot.services.approvals import ApprovalService
from bot.services.articles import ArticleService
from bot.services.conversation import ConversationService
from bot.services.feedback import FeedbackService, SurveyPlanner
from bot.services.inbox import Inbox
from bot.services.intake import IntakeService
from bot.services.knowledge_base import KnowledgeBase
from bot.services.notifications import NotificationPlanner
from bot.services.outbox import OutboxDispatcher
from bot.services.people import People
from bot.services.queue import QueueService
from bot.services.reaction_tickets import ReactionTickets
from bot.services.requests import RequestService
from bot.services.sla_engine import SlaEngine, run_sla_sweeper
from bot.services.status import StatusService
from bot.services.tickets import TicketService
from bot.services.triage import TriageService
from bot.sla.policy import SlaPolicies
from bot.slack.edge import SlackEdge
from bot.slack.gateway import MeteredWebClient, SlackGateway, make_web_client

log = logging.getLogger(__name__)


@dataclass
class Desk:
    config: DeskConfig
    clock: Clock
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    policies: SlaPolicies
    sla: SlaEngine
    knowledge: KnowledgeBase
    tickets: TicketService
    outbox: OutboxDispatcher
    intake: IntakeService
    requests: RequestService
    conversation: ConversationService
    status: StatusService
    triage: TriageService
    queue: QueueService
    feedback: FeedbackService
    approvals: ApprovalService
    articles: ArticleService
    scheduler: Scheduler
    http: aiohttp.ClientSession
    gateway: SlackGateway
    people: People
    reactions: ReactionTickets
    bolt: AsyncApp | None
    edge: SlackEdge
    background: list[asyncio.Task[None]] = field(default_factory=list)
    metrics: DeskMetrics = field(default_factory=DeskMetrics)

    async def settle(self) -> None:
        """Finish every event taken and deliver every queued message (tests and the local workspace)."""
        for _ in range(10):
            await self.edge.settle()
            # The background loop may hold a claimed message that drain() cannot see; let it finish first.
            await self.outbox.idle()
            # Checked after drain: the background round may have taken the message drain() came for.
            if await self.outbox.drain() == 0 and not self.edge.busy and self.outbox.is_idle:
                return

    async def close(self) -> None:
        for task in self.background:
            task.cancel()
        for task in self.background:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.edge.settle()
        await self.intake.drain()
        await self.http.close()
        await self.engine.dispose()


async def build_desk(config: DeskConfig, *, clock: Clock | None = None, migrate: bool = True) -> Desk:
    clock = clock or SystemClock()
    engine = create_engine(config.database)
    if migrate:
        await upgrade(engine)
    sessions = make_sessionmaker(engine)
    policies = SlaPolicies(config)
    policies.warm(clock.now())
    knowledge = await KnowledgeBase.load(config, sessions)
    # The SLA engine moves clocks inside each ticket change's own transaction.
    sla = SlaEngine(sessions, clock, policies)
    tickets = TicketService(sessions, clock, observers=[NotificationPlanner(), SurveyPlanner(config), sla])
    outbox = OutboxDispatcher(sessions, clock)
    intake = IntakeService(sessions, clock, config, knowledge, policies)
    conversation = ConversationService(sessions, clock, tickets)

    http = aiohttp.ClientSession()
    client = make_web_client(config.slack.bot_token, config.slack.api_url, http)
    gateway = SlackGateway(
        client, make_web_client(config.slack.bot_token, config.slack.api_url, http, blind_retries=False)
    )
    people = People(gateway, config)
    approvals = ApprovalService(sessions, clock, config, gateway, tickets)
    bolt = None
    if config.slack.bot_token:
        bolt = _bolt_app(client, config)
    edge = SlackEdge(
        bolt, Inbox(sessions, clock), config.slack.signing_secret, concurrency=config.server.event_concurrency
    )
    desk = Desk(
        config=config,
        clock=clock,
        engine=engine,
        sessions=sessions,
        policies=policies,
        sla=sla,
        knowledge=knowledge,
        tickets=tickets,
        outbox=outbox,
        intake=intake,
        requests=RequestService(sessions, clock, config, tickets, knowledge, approvals),
        conversation=conversation,
        status=StatusService(sessions, clock),
        triage=TriageService(config, tickets, people),
        queue=QueueService(sessions, clock),
        feedback=FeedbackService(sessions, clock, config, tickets, people, policies, conversation),
        scheduler=Scheduler(Leases(sessions, clock, process_identity())),
        http=http,
        gateway=gateway,
        people=people,
        reactions=ReactionTickets(config, gateway, people, knowledge, tickets, intake, approvals, sessions),
        approvals=approvals,
        articles=ArticleService(sessions, clock, config, tickets, people, knowledge),
        bolt=bolt,
        edge=edge,
    )
    messages = TicketMessages(sessions, gateway, config, policies, clock, sla)
    messages.register(outbox)
    TriageMessages(messages, gateway, config).register(outbox)
    SlaMessages(sessions, gateway, config, policies, clock).register(outbox)
    FeedbackMessages(sessions, messages, gateway, config).register(outbox)
    ApprovalMessages(sessions, messages, gateway, people, config).register(outbox)
    desk.scheduler.every("close-unanswered", 300, desk.feedback.close_unanswered)
    desk.scheduler.every("approval-reminders", 300, approvals.remind)
    ArticleMessages(sessions, messages, config).register(outbox)
    await desk.articles.refresh()
    register_digest_senders(desk)
    schedule_digest(desk, desk.scheduler)
    outbox.wake_on_commit(sessions)

    if bolt is not None:
        import handlers  # only the bootstrap knows the Slack listeners

        handlers.register(bolt, desk)
    _instrument(desk)
    return desk


def _instrument(desk: Desk) -> None:
    """Connect the desk's parts to its own metrics registry (/metrics)."""
    desk.edge.meter = desk.metrics
    desk.outbox.meter = desk.metrics
    desk.tickets.observe(desk.metrics.tickets)
    for client in (desk.gateway.client, desk.gateway.posting):
        if isinstance(client, MeteredWebClient):
            client.meter = desk.metrics


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
    """The loops `servicedesk run` keeps going: deliver the outbox, retry what the inbox still holds, sweep the
    SLA clocks."""
    desk.background.append(asyncio.create_task(desk.outbox.run(stop)))
    desk.background.append(asyncio.create_task(_inbox_loop(desk, stop)))
    desk.background.append(asyncio.create_task(run_sla_sweeper(desk, stop)))
    desk.background.append(asyncio.create_task(desk.scheduler.run(stop)))
    # Not under a lease: every process keeps its own matcher index current with what others published.
    desk.background.append(asyncio.create_task(_every(stop, 60.0, desk.articles.refresh)))


async def _inbox_loop(desk: Desk, stop: asyncio.Event, interval: float = 5.0) -> None:
    await _every(stop, interval, desk.edge.recover)


async def _every(stop: asyncio.Event, interval: float, job: Callable[[], Awaitable[object]]) -> None:
    while not stop.is_set():
        try:
            await job()
        except Exception:  # keep the loop alive through a database hiccup; the next round retries
            log.exception("background job %s failed", getattr(job, "__qualname__", job))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
