"""The desk's Prometheus metrics, served at /metrics. One registry per desk (built in build_desk), never the
global default one: tests build many desks in one process, and two desks must not count into each other.

Each part of the desk gets only the narrow hook it needs (the edge, the outbox, the Slack client, a ticket
observer), so none of them depends on prometheus_client."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, SessionTransaction

from bot.db.models import OutboxMessage, SlackDelivery, Ticket
from bot.services.tickets import Change

# Slack wants its answer within 3 s; the buckets are dense below that so a slow database shows early.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)

_PENDING_KEY = "desk_metrics_pending_tickets"


class DeskMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.events_received = Counter(
            "desk_slack_events_received", "Slack events stored in the inbox for the first time", registry=r
        )
        self.events_duplicate = Counter(
            "desk_slack_events_duplicate", "Slack events redelivered that the inbox already held", registry=r
        )
        self.events_failed = Counter(
            "desk_slack_events_failed", "Attempts at processing a stored event that a listener failed", registry=r
        )
        self.ack_seconds = Histogram(
            "desk_slack_ack_seconds",
            "Time from a Slack request's arrival to the desk's acknowledgement, by kind",
            ["kind"],
            buckets=ACK_BUCKETS,
            registry=r,
        )
        self.tickets_opened = Counter("desk_tickets_opened", "Tickets opened, by team", ["team"], registry=r)
        self.tickets_resolved = Counter("desk_tickets_resolved", "Tickets resolved, by team", ["team"], registry=r)
        self.outbox_delivered = Counter(
            "desk_outbox_delivered", "Outbox messages delivered to Slack, by kind", ["kind"], registry=r
        )
        self.outbox_failed = Counter(
            "desk_outbox_failed", "Outbox delivery attempts that failed (retried later), by kind", ["kind"], registry=r
        )
        self.slack_api_calls = Counter(
            "desk_slack_api_calls", "Slack Web API calls made, by method", ["method"], registry=r
        )
        self.slack_api_errors = Counter(
            "desk_slack_api_errors",
            "Slack Web API calls that Slack answered with an error, by method and error",
            ["method", "error"],
            registry=r,
        )
        self.inbox_backlog = Gauge(
            "desk_inbox_backlog", "Slack events stored but not processed yet (counted at scrape)", registry=r
        )
        self.outbox_backlog = Gauge(
            "desk_outbox_backlog", "Outbox messages not delivered yet (counted at scrape)", registry=r
        )
        self.tickets = TicketCounter(self)

    # The edge's hooks
    def event_received(self) -> None:
        self.events_received.inc()

    def event_duplicate(self) -> None:
        self.events_duplicate.inc()

    def event_failed(self) -> None:
        self.events_failed.inc()

    def acknowledged(self, kind: str, seconds: float) -> None:
        self.ack_seconds.labels(kind=kind).observe(seconds)

    # The outbox's hooks
    def delivered(self, kind: str) -> None:
        self.outbox_delivered.labels(kind=kind).inc()

    def delivery_failed(self, kind: str) -> None:
        self.outbox_failed.labels(kind=kind).inc()

    # The Slack client's hooks
    def slack_call(self, method: str) -> None:
        self.slack_api_calls.labels(method=method).inc()

    def slack_error(self, method: str, error: str) -> None:
        self.slack_api_errors.labels(method=method, error=error).inc()

    async def count_backlogs(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        """Both backlogs from the database, so they are right whichever process did the work. Each is one
        COUNT on the leading column of the table's pending index."""
        async with sessions() as session:
            inbox = await session.scalar(
                select(func.count()).select_from(SlackDelivery).where(SlackDelivery.processed_at.is_(None))
            )
            outbox = await session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
            )
        self.inbox_backlog.set(int(inbox or 0))
        self.outbox_backlog.set(int(outbox or 0))

    def exposition(self, accept: str) -> tuple[bytes, str]:
        """The registry in the format the scraper asked for (Prometheus text, or OpenMetrics), and its type."""
        encoder, content_type = choose_encoder(accept)
        return encoder(self.registry), content_type


class TicketCounter:
    """A TicketObserver counting opened and resolved tickets once their transaction commits: a change that
    rolls back (a lost race, a failing observer after this one) is never counted. SQLAlchemy fires its
    commit and rollback events for savepoints too, so each change remembers the savepoint it was made in."""

    COUNTED: Mapping[str, str] = {"created": "opened", "resolved": "resolved"}

    def __init__(self, metrics: DeskMetrics) -> None:
        self._metrics = metrics

    async def ticket_changed(self, session: AsyncSession, ticket: Ticket, change: Change) -> None:
        what = self.COUNTED.get(change.type)
        if what is None:
            return
        sync_session = session.sync_session
        pending: list[_Pending] | None = sync_session.info.get(_PENDING_KEY)
        if pending is None:
            pending = sync_session.info[_PENDING_KEY] = []
            event.listen(sync_session, "after_commit", self._committed)
            event.listen(sync_session, "after_rollback", self._rolled_back)
        pending.append(_Pending(what, ticket.team_id, sync_session.get_nested_transaction()))

    def _committed(self, session: Session) -> None:
        if session.get_nested_transaction() is not None:
            return  # a savepoint released: the outer transaction may still roll back
        for item in session.info.get(_PENDING_KEY, []):
            counter = self._metrics.tickets_opened if item.what == "opened" else self._metrics.tickets_resolved
            counter.labels(team=item.team).inc()
        session.info[_PENDING_KEY] = []

    @staticmethod
    def _rolled_back(session: Session) -> None:
        savepoint = session.get_nested_transaction()
        pending: list[_Pending] = session.info.get(_PENDING_KEY, [])
        session.info[_PENDING_KEY] = [] if savepoint is None else [p for p in pending if not p.inside(savepoint)]


@dataclass(frozen=True)
class _Pending:
    what: str
    team: str
    savepoint: SessionTransaction | None

    def inside(self, savepoint: SessionTransaction) -> bool:
        transaction = self.savepoint
        while transaction is not None:
            if transaction is savepoint:
                return True
            transaction = transaction.parent
        return False
