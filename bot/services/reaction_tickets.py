"""A ticket from a reaction: someone marks a colleague's message with the desk's emoji, and the desk opens a
ticket for the message's author with the service the matcher is confident about (or the default team)."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import DeskConfig
from bot.services.approvals import ApprovalService
from bot.services.intake import IntakeService
from bot.services.knowledge_base import KnowledgeBase
from bot.services.people import People
from bot.services.tickets import NewTicket, TicketService, TicketSnapshot, display_title
from bot.slack.gateway import SlackGateway
from knowledge.models import Decision

log = logging.getLogger(__name__)


class ReactionTickets:
    def __init__(
        self,
        config: DeskConfig,
        gateway: SlackGateway,
        people: People,
        knowledge: KnowledgeBase,
        tickets: TicketService,
        intake: IntakeService,
        approvals: ApprovalService,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        self._approvals = approvals
        self._sessions = sessions
        self._config = config
        self._gateway = gateway
        self._people = people
        self._knowledge = knowledge
        self._tickets = tickets
        self._intake = intake

    async def open_for_message(self, *, channel: str, ts: str, author: str, reacted_by: str) -> TicketSnapshot | None:
        try:
            text = await self._gateway.message_text(channel, ts)
        except SlackApiError as exc:
            log.warning("cannot read the reacted message %s/%s: %s", channel, ts, exc.response.get("error"))
            return None
        if text is None or not text.strip():
            return None
        language = await self._people.language(author)
        result = self._knowledge.match(text)
        best = result.best if result.decision is Decision.CONFIDENT else None
        item = self._config.item(best.id) if best is not None and best.kind == "catalog" else None
        team_id = item.team if item else self._config.desk.default_team
        permalink = await self._gateway.permalink(channel, ts)
        title = item.title_sv if item and language == "sv" and item.title_sv else (item.title if item else "")
        plan = await self._approvals.plan(item, author) if item and item.approval else None
        new = NewTicket(
            team_id=team_id,
            title=f"{title}: {display_title(text)}" if title else display_title(text),
            description=text,
            requester_id=author,
            kind=item.kind.value if item else "request",
            priority=item.priority.value if item else "medium",
            catalog_item_id=item.id if item else None,
            language=language,
            needs_approval=bool(item and item.approval),
            source_channel=channel,
            source_ts=ts,
            source_permalink=permalink,
            requester_channel=channel,
            requester_thread_ts=ts,
            origin_key=f"reaction:{channel}:{ts}",
            fields={"opened_by": reacted_by},
        )
        async with self._sessions.begin() as session:
            ticket, created = await self._tickets.open_in(session, new, actor_id=reacted_by)
            if created and plan is not None:
                await self._approvals.open_in(session, ticket.id, plan)
        # The thread hears about it through the ticket's own "created" notice (outbox: once, even after a crash).
        return ticket
