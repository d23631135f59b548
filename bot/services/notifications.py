"""Which Slack messages a ticket change causes. Runs inside the change's transaction and only queues outbox
rows; the senders in bot/notify/ deliver them after commit."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Ticket
from bot.services.outbox import enqueue
from bot.services.tickets import Change

# Changes the requester hears about in their thread, each once.
REQUESTER_NOTICES = frozenset(
    {
        "created",
        "claimed",
        "assigned",
        "moved",
        "cancelled",
        "approved",
        "rejected",
        "waiting_on_requester",
        "resolved",
        "closed",
        "reopened",
    }
)
# Changes written as a line in the card's thread: the ticket's history where the team looks.
HISTORY = frozenset(
    {
        "claimed",
        "assigned",
        "unassigned",
        "priority_changed",
        "waiting_on_requester",
        "requester_replied",
        "resolved",
        "reopened",
        "closed",
        "cancelled",
        "moved",
        "approved",
        "rejected",
    }
)

TRIAGE_CARD = "triage_card"
REQUESTER_NOTICE = "requester_notice"
CARD_HISTORY = "card_history"
OLD_CARD = "old_card"
AGENT_NOTICE = "agent_notice"


class NotificationPlanner:
    async def ticket_changed(self, session: AsyncSession, ticket: Ticket, change: Change) -> None:
        # Every change redraws the card; the sender draws the ticket as it is when it sends, so a backlog
        # of redraws converges on the current state.
        # A ticket waiting for approval is not the team's yet: its card appears once it is approved.
        if ticket.state != "awaiting_approval" and change.to_state != "rejected":
            key = "post" if change.type in ("created", "approved") else f"v{ticket.version}"
            await enqueue(
                session, kind=TRIAGE_CARD, dedupe_key=f"card:{ticket.id}:{key}", at=change.at, ticket_id=ticket.id
            )
        event_key = f"{ticket.id}:{change.type}:v{ticket.version}"
        payload = {"notice": change.type, "actor": change.actor_id, "data": dict(change.data)}
        if change.type in HISTORY:
            await enqueue(
                session,
                kind=CARD_HISTORY,
                dedupe_key=f"history:{event_key}",
                at=change.at,
                ticket_id=ticket.id,
                payload=payload,
            )
        if change.type == "moved":
            await enqueue(
                session,
                kind=OLD_CARD,
                dedupe_key=f"oldcard:{event_key}",
                at=change.at,
                ticket_id=ticket.id,
                payload=payload,
            )
        if change.type == "assigned":
            new, old = change.data.get("assignee_id"), change.data.get("previous_assignee_id")
            # Reassignment tells both agents; nobody is told what they did themselves.
            targets = [("new", new)] if new and new != change.actor_id else []
            if old and old not in (new, change.actor_id):
                targets.append(("old", old))
            for role, person in targets:
                await enqueue(
                    session,
                    kind=AGENT_NOTICE,
                    dedupe_key=f"agent:{event_key}:{role}",
                    at=change.at,
                    ticket_id=ticket.id,
                    payload={**payload, "to": person, "role": role},
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
