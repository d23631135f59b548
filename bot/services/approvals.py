"""Approval before work: the catalogue item names who approves (the requester's manager, named people or a
user group; any one or all of them). Approvers decide from a DM; only they can; the ticket then goes to the
team or ends as rejected. Reminders go out after a while, and a fallback approver stands in for someone
away or deactivated."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from slack_sdk.errors import SlackApiError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import DeskConfig
from bot.config.schema import CatalogItem
from bot.db.models import Approval, Ticket
from bot.domain.lifecycle import IllegalTransition, TicketState
from bot.errors import NotPermitted, TicketNotFound
from bot.services.outbox import enqueue
from bot.services.tickets import TicketService, TicketSnapshot
from bot.slack.gateway import SlackGateway

log = logging.getLogger(__name__)

APPROVAL_REQUEST = "approval_request"
APPROVAL_REMINDER = "approval_reminder"
APPROVAL_DECIDED = "approval_decided"


@dataclass(frozen=True)
class ApprovalPlan:
    approvers: tuple[str, ...]
    mode: str


class ApprovalService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        config: DeskConfig,
        gateway: SlackGateway,
        tickets: TicketService,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._config = config
        self._gateway = gateway
        self._tickets = tickets

    def _fallback(self, item: CatalogItem) -> str | None:
        return (item.approval.fallback if item.approval else None) or self._config.approvals.fallback

    async def plan(self, item: CatalogItem, requester_id: str) -> ApprovalPlan:
        """Who decides, resolved before the ticket is written (Slack look-ups stay out of the transaction)."""
        assert item.approval is not None
        wanted: list[str] = []
        if item.approval.manager:
            manager = self._config.approvals.managers.get(requester_id) or await self._manager_of(requester_id)
            if manager:
                wanted.append(manager)
        wanted.extend(item.approval.users)
        if item.approval.usergroup:
            try:
                wanted.extend(sorted(await self._gateway.usergroup_members(item.approval.usergroup)))
            except SlackApiError as exc:
                log.warning("approval group %s unavailable: %s", item.approval.usergroup, exc.response.get("error"))
        approvers: list[str] = []
        for person in wanted:
            chosen = person if await self._available(person) and person != requester_id else self._fallback(item)
            if chosen and chosen not in approvers and chosen != requester_id:
                approvers.append(chosen)
        if not approvers:
            # Nobody can decide: the desk's admins do, rather than the request waiting forever.
            approvers = [admin for admin in self._config.desk.admins if admin != requester_id][:1]
        return ApprovalPlan(tuple(approvers), item.approval.mode)

    async def _manager_of(self, user_id: str) -> str | None:
        try:
            response = await self._gateway.client.users_info(user=user_id)
        except SlackApiError:
            return None
        fields = ((response.get("user") or {}).get("profile") or {}).get("fields") or {}
        value = (fields.get(self._config.approvals.manager_field) or {}).get("value")
        return str(value) if value else None

    async def _available(self, user_id: str) -> bool:
        try:
            response = await self._gateway.client.users_info(user=user_id)
        except SlackApiError:
            return False
        user = response.get("user") or {}
        emoji = (user.get("profile") or {}).get("status_emoji") or ""
        return not user.get("deleted") and emoji not in self._config.approvals.away_emoji

    async def open_in(self, session: AsyncSession, ticket_id: int, plan: ApprovalPlan) -> None:
        now = self._clock.now()
        for approver in plan.approvers:
            session.add(Approval(ticket_id=ticket_id, approver_id=approver, state="pending", created_at=now))
            await enqueue(
                session,
                kind=APPROVAL_REQUEST,
                dedupe_key=f"approval:{ticket_id}:{approver}",
                at=now,
                ticket_id=ticket_id,
                payload={"approver": approver, "mode": plan.mode},
            )

    async def decide(self, ticket_id: int, approver_id: str, *, approve: bool, reason: str = "") -> TicketSnapshot:
        now = self._clock.now()
        async with self._sessions.begin() as session:
            ticket = await session.get(Ticket, ticket_id)
            if ticket is None:
                raise TicketNotFound(ticket_id)
            rows = list(await session.scalars(select(Approval).where(Approval.ticket_id == ticket_id)))
            mine = next((row for row in rows if row.approver_id == approver_id), None)
            if mine is None:
                raise NotPermitted(approver_id, "decide on this request", "errors.not_approver")
            if mine.state == "pending":
                await session.execute(
                    update(Approval)
                    .where(Approval.id == mine.id, Approval.state == "pending")
                    .values(state="approved" if approve else "rejected", reason=reason or None, decided_at=now)
                    .execution_options(synchronize_session=False)
                )
                await enqueue(
                    session,
                    kind=APPROVAL_DECIDED,
                    dedupe_key=f"decided:{mine.id}",
                    at=now,
                    ticket_id=ticket_id,
                    payload={"approval_id": mine.id},
                )
        return await self.settle(ticket_id)

    async def settle(self, ticket_id: int) -> TicketSnapshot:
        """Apply what the recorded decisions add up to. Safe to call again (the reminder job does, which
        heals a crash between a decision and the ticket's move)."""
        async with self._sessions() as session:
            rows = list(await session.scalars(select(Approval).where(Approval.ticket_id == ticket_id)))
            ticket = await session.get(Ticket, ticket_id)
        if ticket is None:
            raise TicketNotFound(ticket_id)
        if TicketState(ticket.state) is not TicketState.AWAITING_APPROVAL:
            return TicketSnapshot.of(ticket)
        item = self._config.item(ticket.catalog_item_id) if ticket.catalog_item_id else None
        mode = item.approval.mode if item and item.approval else "any"
        outcome = _outcome([(row.state, row.approver_id, row.reason) for row in rows], mode)
        if outcome is None:
            return TicketSnapshot.of(ticket)
        decision, who, reason = outcome
        try:
            if decision == "approved":
                return await self._tickets.approve(ticket_id, actor_id=who)
            return await self._tickets.reject(ticket_id, actor_id=who, reason=reason or "")
        except IllegalTransition:
            return await self._tickets.get(ticket_id)

    async def remind(self) -> int:
        """Remind approvers who have not decided after `approvals.remind_after`."""
        now = self._clock.now()
        due = now - timedelta(minutes=self._config.approvals.remind_after.minutes)
        async with self._sessions.begin() as session:
            pending = list(
                await session.scalars(
                    select(Approval).where(
                        Approval.state == "pending", Approval.reminded_at.is_(None), Approval.created_at <= due
                    )
                )
            )
            for row in pending:
                row.reminded_at = now
                await enqueue(
                    session,
                    kind=APPROVAL_REMINDER,
                    dedupe_key=f"approval-reminder:{row.id}",
                    at=now,
                    ticket_id=row.ticket_id,
                    payload={"approver": row.approver_id},
                )
        return len(pending)

    async def may_decide(self, ticket_id: int, user_id: str) -> TicketSnapshot:
        """The ticket, if `user_id` is one of its approvers; NotPermitted otherwise."""
        async with self._sessions() as session:
            approver = await session.scalar(
                select(Approval.id).where(Approval.ticket_id == ticket_id, Approval.approver_id == user_id)
            )
        if approver is None:
            raise NotPermitted(user_id, "decide on this request", "errors.not_approver")
        return await self._tickets.get(ticket_id)


def _outcome(decisions: Sequence[tuple[str, str, str | None]], mode: str) -> tuple[str, str, str | None] | None:
    """(approved|rejected, who decided it, reason) once the decisions settle it, else None."""
    rejected = [(who, reason) for state, who, reason in decisions if state == "rejected"]
    approved = [who for state, who, _ in decisions if state == "approved"]
    if rejected:
        return "rejected", rejected[0][0], rejected[0][1]
    if mode == "any" and approved:
        return "approved", approved[0], None
    if mode == "all" and decisions and len(approved) == len(decisions):
        return "approved", approved[-1], None
    return None
