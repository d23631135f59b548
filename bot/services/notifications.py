"""Which Slack messages a ticket change causes. Runs inside the change's transaction and only queues outbox
rows; the senders in bot/notify/ deliver them after commit."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Ticket
from bot.services.outbox import Notice, enqueue_many
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
        # All of a change's side effects go out in one INSERT.
        await enqueue_many(session, list(self._notices(ticket, change)), at=change.at)

    def _notices(self, ticket: Ticket, change: Change) -> Iterator[Notice]:
        event_key = f"{ticket.id}:{change.type}:v{ticket.version}"
        payload = {"notice": change.type, "actor": change.actor_id, "data": dict(change.data)}

        def notice(kind: str, key: str, body: dict[str, object] | None = None) -> Notice:
            return Notice(kind=kind, dedupe_key=key, payload=payload if body is None else body, ticket_id=ticket.id)

        # Every change redraws the card; the sender draws the ticket as it is when it sends, so a backlog
        # of redraws converges on the current state. A ticket waiting for approval is not the team's yet: its
        # card (and its history) appear once approved.
        has_card = ticket.state != "awaiting_approval" and change.to_state != "rejected"
        if has_card:
            version = "post" if change.type in ("created", "approved") else f"v{ticket.version}"
            yield notice(TRIAGE_CARD, f"card:{ticket.id}:{version}", {})
        if change.type in HISTORY and has_card:
            yield notice(CARD_HISTORY, f"history:{event_key}")
        if change.type == "moved":
            yield notice(OLD_CARD, f"oldcard:{event_key}")
        if change.type == "assigned":
            new, old = change.data.get("assignee_id"), change.data.get("previous_assignee_id")
            # Reassignment tells both agents; nobody is told what they did themselves.
            targets = [("new", new)] if new and new != change.actor_id else []
            if old and old not in (new, change.actor_id):
                targets.append(("old", old))
            for role, person in targets:
                yield notice(AGENT_NOTICE, f"agent:{event_key}:{role}", {**payload, "to": person, "role": role})
        if change.type in REQUESTER_NOTICES:
            yield notice(REQUESTER_NOTICE, f"notice:{event_key}")
