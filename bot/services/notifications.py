"""Which Slack messages a ticket change causes. Runs inside the change's transaction and only queues outbox
rows; the senders in bot/notify/ deliver them after commit."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Ticket
from bot.services.outbox import enqueue
from bot.services.tickets import Change

# Changes the requester hears about in their thread, each once.
REQUESTER_NOTICES = frozenset({"created", "claimed", "assigned", "moved", "cancelled", "approved", "rejected"})

TRIAGE_CARD = "triage_card"
REQUESTER_NOTICE = "requester_notice"


class NotificationPlanner:
    async def ticket_changed(self, session: AsyncSession, ticket: Ticket, change: Change) -> None:
        # Every change redraws the card; the sender draws the ticket as it is when it sends, so a backlog
        # of redraws converges on the current state.
        key = "post" if change.type == "created" else f"v{ticket.version}"
        await enqueue(
            session, kind=TRIAGE_CARD, dedupe_key=f"card:{ticket.id}:{key}", at=change.at, ticket_id=ticket.id
        )
        if change.type in REQUESTER_NOTICES:
            await enqueue(
                session,
                kind=REQUESTER_NOTICE,
                dedupe_key=f"notice:{ticket.id}:{change.type}:v{ticket.version}",
                at=change.at,
                ticket_id=ticket.id,
                payload={"notice": change.type, "actor": change.actor_id, "data": dict(change.data)},
            )
