"""What agents do to tickets from the triage card, each checked against who may do it. Refusals are errors
with a message for the person who pressed; nothing changes for them."""

from __future__ import annotations

from bot.config import DeskConfig
from bot.errors import NotPermitted
from bot.services.people import People
from bot.services.tickets import TicketService, TicketSnapshot


class TriageService:
    def __init__(self, config: DeskConfig, tickets: TicketService, people: People) -> None:
        self._config = config
        self._tickets = tickets
        self._people = people

    async def _agent_ticket(self, ticket_id: int, user_id: str, what: str) -> TicketSnapshot:
        ticket = await self._tickets.get(ticket_id)
        if not await self._people.is_agent(ticket.team_id, user_id):
            raise NotPermitted(user_id, what)
        return ticket

    async def claim(self, ticket_id: int, user_id: str) -> TicketSnapshot:
        await self._agent_ticket(ticket_id, user_id, "claim")
        return await self._tickets.claim(ticket_id, user_id)

    async def assign(self, ticket_id: int, user_id: str, assignee_id: str) -> tuple[TicketSnapshot, str | None]:
        """(ticket, previous assignee). Only an agent of the ticket's team can be given the ticket."""
        ticket = await self._agent_ticket(ticket_id, user_id, "assign")
        if not await self._people.is_agent(ticket.team_id, assignee_id):
            raise NotPermitted(assignee_id, "take tickets of this team")
        return await self._tickets.assign(ticket_id, assignee_id, actor_id=user_id), ticket.assignee_id

    async def set_priority(self, ticket_id: int, user_id: str, priority: str) -> TicketSnapshot:
        await self._agent_ticket(ticket_id, user_id, "change priority")
        return await self._tickets.set_priority(ticket_id, priority, actor_id=user_id)

    async def wait_on_requester(self, ticket_id: int, user_id: str) -> TicketSnapshot:
        await self._agent_ticket(ticket_id, user_id, "wait on the requester")
        return await self._tickets.wait_on_requester(ticket_id, actor_id=user_id)

    async def may_resolve(self, ticket_id: int, user_id: str) -> TicketSnapshot:
        return await self._agent_ticket(ticket_id, user_id, "resolve")

    async def resolve(self, ticket_id: int, user_id: str, note: str) -> TicketSnapshot:
        await self._agent_ticket(ticket_id, user_id, "resolve")
        return await self._tickets.resolve(ticket_id, actor_id=user_id, note=note)

    async def cancel_duplicate(self, ticket_id: int, user_id: str) -> TicketSnapshot:
        await self._agent_ticket(ticket_id, user_id, "cancel")
        return await self._tickets.cancel(ticket_id, actor_id=user_id, reason="duplicate")

    async def move(self, ticket_id: int, user_id: str, team_id: str) -> TicketSnapshot:
        ticket = await self._agent_ticket(ticket_id, user_id, "move")
        self._config.team(team_id)  # KeyError for a team that is gone
        if team_id == ticket.team_id:
            return ticket
        return await self._tickets.move(ticket_id, team_id, actor_id=user_id)

    async def may_note(self, ticket_id: int, user_id: str) -> TicketSnapshot:
        return await self._agent_ticket(ticket_id, user_id, "write internal notes")

    async def cancel_own(self, ticket_id: int, user_id: str) -> TicketSnapshot:
        ticket = await self._tickets.get(ticket_id)
        if ticket.requester_id != user_id and not await self._people.is_agent(ticket.team_id, user_id):
            raise NotPermitted(user_id, "cancel someone else's request")
        return await self._tickets.cancel(ticket_id, actor_id=user_id, reason="cancelled by requester")
