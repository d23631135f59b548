"""The desk's tables. Every schema change goes through a migration in bot/migrations/versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, cast

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.db.types import UTCDateTime

# Stable constraint names make migrations reproducible and let SQLite's batch mode find constraints.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SlackUser = String(32)
SlackChannel = String(32)
SlackTs = String(32)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


def table_of(model: type[Base]) -> Table:
    """A mapped class's table, for Core statements on hot paths where the ORM's per-row bookkeeping is not
    needed (typed as the Table it is; `__table__` is declared as a plain FromClause)."""
    return cast(Table, model.__table__)


class TeamCounter(Base):
    """The last ticket number handed out per team; incremented with a conditional UPDATE."""

    __tablename__ = "team_counters"
    team_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("team_id", "number"),
        Index("ix_tickets_team_state", "team_id", "state"),
        Index("ix_tickets_requester_state", "requester_id", "state"),
        Index("ix_tickets_assignee_state", "assignee_id", "state"),
        Index("ix_tickets_team_created", "team_id", "created_at"),
        Index("ix_tickets_team_resolved", "team_id", "resolved_at"),
        # The digest's "median time to first response yesterday" reads a day's range of this per team.
        Index("ix_tickets_team_first_response", "team_id", "first_response_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    team_id: Mapped[str] = mapped_column(String(64))
    number: Mapped[int] = mapped_column(Integer)
    catalog_item_id: Mapped[str | None] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    language: Mapped[str] = mapped_column(String(8), default="en")
    requester_id: Mapped[str] = mapped_column(SlackUser)
    assignee_id: Mapped[str | None] = mapped_column(SlackUser)
    # Where the request was made, and the thread where the requester hears back.
    source_channel: Mapped[str | None] = mapped_column(SlackChannel)
    source_ts: Mapped[str | None] = mapped_column(SlackTs)
    source_permalink: Mapped[str | None] = mapped_column(String(500))
    requester_channel: Mapped[str | None] = mapped_column(SlackChannel)
    requester_thread_ts: Mapped[str | None] = mapped_column(SlackTs)
    # The card in the team's triage channel.
    triage_channel: Mapped[str | None] = mapped_column(SlackChannel)
    triage_ts: Mapped[str | None] = mapped_column(SlackTs)
    linked_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    # What caused this ticket (a request message, a modal, a reaction): unique, so a redelivered event or a
    # double-clicked button can never open a second ticket.
    origin_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    resolution_note: Mapped[str | None] = mapped_column(Text)
    # Bumped on every change: conditional UPDATEs on it make concurrent changes safe without locks.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class IntakeRequest(Base):
    """What someone asked the desk in their own words, and what the matcher made of it. Buttons and modals
    refer to it by id, so the full text (up to Slack's 40,000 characters) never has to travel in a payload."""

    __tablename__ = "intake_requests"
    __table_args__ = (
        UniqueConstraint("origin_key"),
        Index("ix_intake_requests_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    origin_key: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[str] = mapped_column(SlackUser)
    channel: Mapped[str | None] = mapped_column(SlackChannel)
    ts: Mapped[str | None] = mapped_column(SlackTs)
    thread_ts: Mapped[str | None] = mapped_column(SlackTs)
    reply_ts: Mapped[str | None] = mapped_column(SlackTs)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    decision: Mapped[str] = mapped_column(String(16))
    candidates: Mapped[dict[str, Any]] = mapped_column(default=dict)
    outcome: Mapped[str | None] = mapped_column(String(32))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]


class TicketEvent(Base):
    """Append-only audit trail: one row per change, written in the change's own transaction."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_ticket_at", "ticket_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    actor_id: Mapped[str | None] = mapped_column(SlackUser)
    type: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (
        UniqueConstraint("slack_channel", "slack_ts"),
        Index("ix_comments_ticket_created", "ticket_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    author_id: Mapped[str] = mapped_column(SlackUser)
    body: Mapped[str] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    # The Slack message it came from: relayed messages are deduplicated on it.
    slack_channel: Mapped[str | None] = mapped_column(SlackChannel)
    slack_ts: Mapped[str | None] = mapped_column(SlackTs)
    created_at: Mapped[datetime]


class SlaClock(Base):
    """One SLA clock of a ticket (first response or resolution). The engine keeps these facts current;
    `next_check_at` is what the sweeper's indexed query looks at."""

    __tablename__ = "sla_clocks"
    __table_args__ = (
        UniqueConstraint("ticket_id", "kind"),
        Index("ix_sla_clocks_next_check_at", "next_check_at"),
        # The digest's "SLA met yesterday": the clocks of one kind that stopped within a day.
        Index("ix_sla_clocks_kind_stopped", "kind", "stopped_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    calendar: Mapped[str] = mapped_column(String(64))
    target_minutes: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    due_at: Mapped[datetime | None]
    warn_at: Mapped[datetime | None]
    paused_since: Mapped[datetime | None]
    stopped_at: Mapped[datetime | None]
    met: Mapped[bool | None] = mapped_column(Boolean)
    warned_at: Mapped[datetime | None]
    breached_at: Mapped[datetime | None]
    next_check_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)


class SlaPause(Base):
    __tablename__ = "sla_pauses"
    __table_args__ = (Index("ix_sla_pauses_clock", "clock_id", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    clock_id: Mapped[int] = mapped_column(ForeignKey("sla_clocks.id", ondelete="CASCADE"))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(String(32))


class Approval(Base):
    __tablename__ = "approvals"
    __table_args__ = (UniqueConstraint("ticket_id", "approver_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    approver_id: Mapped[str] = mapped_column(SlackUser)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    slack_channel: Mapped[str | None] = mapped_column(SlackChannel)
    slack_ts: Mapped[str | None] = mapped_column(SlackTs)


class Feedback(Base):
    """A requester's rating of one ticket, kept per team, item and agent for reporting."""

    __tablename__ = "feedback"
    __table_args__ = (
        Index("ix_feedback_team_created", "team_id", "created_at"),
        Index("ix_feedback_requester_created", "requester_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), unique=True)
    team_id: Mapped[str] = mapped_column(String(64))
    catalog_item_id: Mapped[str | None] = mapped_column(String(80))
    agent_id: Mapped[str | None] = mapped_column(SlackUser)
    requester_id: Mapped[str] = mapped_column(SlackUser)
    requested_at: Mapped[datetime]
    rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime | None]
    followed_up_by: Mapped[str | None] = mapped_column(SlackUser)
    followed_up_at: Mapped[datetime | None]
    follow_up_note: Mapped[str | None] = mapped_column(Text)


class SlackDelivery(Base):
    """The durable inbox: each Slack delivery stored under its dedupe key before it is acknowledged,
    processed after, and picked up again by the next process if this one dies."""

    __tablename__ = "slack_deliveries"
    __table_args__ = (Index("ix_slack_deliveries_pending", "processed_at", "received_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class OutboxMessage(Base):
    """A Slack side effect of a committed change, written in the same transaction and sent after."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class JobLease(Base):
    """Who runs a periodic job right now; a lease that is not renewed expires and another process takes over."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime]


class JobRun(Base):
    """One run of a job under a unique key (e.g. digest:it:C0ITTRIAGE:2026-11-27): committed before the
    side effects so a second scheduler or a restart never repeats it."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job: Mapped[str] = mapped_column(String(64))
    run_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="running")
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class LearnedPhrasing(Base):
    """How people actually asked for an item or article, fed back into the matcher (bounded per target)."""

    __tablename__ = "learned_phrasings"
    __table_args__ = (Index("ix_learned_phrasings_ref_created", "ref", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ref: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]


class KnowledgeArticle(Base):
    """An article written from a resolved ticket: a draft until a team lead publishes it, then part of the
    matcher's index in every process (loaded at start, picked up by a refresh job)."""

    __tablename__ = "knowledge_articles"
    __table_args__ = (Index("ix_knowledge_articles_state_published", "state", "published_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    team_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(8))
    related: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(16), default="draft")
    created_by: Mapped[str] = mapped_column(SlackUser)
    created_at: Mapped[datetime]
    published_by: Mapped[str | None] = mapped_column(SlackUser)
    published_at: Mapped[datetime | None]
