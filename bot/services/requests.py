"""Turning a request into a ticket: validate the form, open the ticket once per origin, tie it to the
conversation it came from, and learn the requester's words for the item."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import DeskConfig
from bot.db.models import IntakeRequest
from bot.domain.forms import FieldError, validate_form
from bot.services.approvals import ApprovalService
from bot.services.knowledge_base import KnowledgeBase
from bot.services.tickets import NewTicket, TicketService, TicketSnapshot, display_title


@dataclass(frozen=True)
class RequestForm:
    requester_id: str
    item_id: str | None
    team_id: str | None
    description: str | None
    values: Mapping[str, str | None]
    language: str
    origin_key: str
    intake_id: int | None = None
    requester_channel: str | None = None
    requester_thread_ts: str | None = None
    source_channel: str | None = None
    source_ts: str | None = None
    source_permalink: str | None = None
    extra_fields: Mapping[str, str] = field(default_factory=dict)
    full_text: str | None = None


class FormInvalid(Exception):
    def __init__(self, errors: dict[str, FieldError]) -> None:
        self.errors = errors
        super().__init__(", ".join(f"{key}: {error.key}" for key, error in errors.items()))


class UnknownItem(Exception):
    pass


class RequestService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        config: DeskConfig,
        tickets: TicketService,
        knowledge: KnowledgeBase,
        approvals: ApprovalService,
    ) -> None:
        self._approvals = approvals
        self._sessions = sessions
        self._clock = clock
        self._config = config
        self._tickets = tickets
        self._knowledge = knowledge

    async def submit(self, form: RequestForm) -> tuple[TicketSnapshot, bool]:
        """(ticket, created). Raises FormInvalid (nothing stored) or UnknownItem."""
        if form.item_id is not None:
            try:
                item = self._config.item(form.item_id)
            except KeyError:
                raise UnknownItem(form.item_id) from None
            fields, team_id, kind, priority = item.fields, item.team, item.kind.value, item.priority.value
            title = item.title if form.language == "en" or not item.title_sv else item.title_sv
        else:
            item = None
            fields, kind, priority = [], "request", "medium"
            team_id = form.team_id or self._config.desk.default_team
            try:
                self._config.team(team_id)
            except KeyError:
                raise UnknownItem(team_id) from None
            title = ""
        values, description, errors = validate_form(fields, form.values, form.description)
        if errors:
            raise FormInvalid(errors)
        if form.full_text and len(form.full_text) > len(description) and form.full_text.startswith(description):
            # The modal could only show the start of a long message; unedited, the whole message is the request.
            description = form.full_text
        new = NewTicket(
            team_id=team_id,
            title=f"{title}: {display_title(description)}" if title else display_title(description),
            description=description,
            requester_id=form.requester_id,
            kind=kind,
            priority=priority,
            catalog_item_id=form.item_id,
            fields={**form.extra_fields, **values},
            language=form.language,
            needs_approval=bool(item and item.approval),
            source_channel=form.source_channel,
            source_ts=form.source_ts,
            source_permalink=form.source_permalink,
            requester_channel=form.requester_channel,
            requester_thread_ts=form.requester_thread_ts,
            origin_key=form.origin_key,
        )
        # Who approves is looked up in Slack before the transaction, so no Slack call holds a database lock.
        plan = await self._approvals.plan(item, form.requester_id) if item and item.approval else None
        async with self._sessions.begin() as session:
            ticket, created = await self._tickets.open_in(session, new)
            if created and plan is not None:
                await self._approvals.open_in(session, ticket.id, plan)
            learned = None
            if created and form.intake_id is not None:
                intake = await session.get(IntakeRequest, form.intake_id)
                if intake is not None and intake.user_id == form.requester_id:
                    await session.execute(
                        update(IntakeRequest)
                        .where(IntakeRequest.id == intake.id, IntakeRequest.ticket_id.is_(None))
                        .values(ticket_id=ticket.id, outcome="ticket")
                        .execution_options(synchronize_session=False)
                    )
                    if form.item_id:
                        learned = intake.text
                        ref = f"catalog:{form.item_id}"
                        await self._knowledge.learn(session, ref, intake.text, self._clock.now(), ticket.id)
        if learned is not None and form.item_id:
            self._knowledge.remember(f"catalog:{form.item_id}", learned)
        return ticket, created
