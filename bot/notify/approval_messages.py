"""Approvers' DMs: the request with Approve and Reject, a reminder in the same thread, and the message
updated with the decision."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.blocks.ids import ActionId
from bot.blocks.text import actions, button, context, escape, quote, section
from bot.config import DeskConfig
from bot.db.models import Approval
from bot.i18n import t
from bot.notify.ticket_messages import TicketMessages
from bot.services.approvals import APPROVAL_DECIDED, APPROVAL_REMINDER, APPROVAL_REQUEST
from bot.services.outbox import OutboxDispatcher, OutboxItem
from bot.services.people import People
from bot.services.tickets import TicketSnapshot
from bot.slack.gateway import SlackGateway


class ApprovalMessages:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        messages: TicketMessages,
        gateway: SlackGateway,
        people: People,
        config: DeskConfig,
    ) -> None:
        self._sessions = sessions
        self._messages = messages
        self._gateway = gateway
        self._people = people
        self._config = config

    def register(self, dispatcher: OutboxDispatcher) -> None:
        dispatcher.register(APPROVAL_REQUEST, self.send_request)
        dispatcher.register(APPROVAL_REMINDER, self.send_reminder)
        dispatcher.register(APPROVAL_DECIDED, self.send_decided)

    async def _approval(self, ticket_id: int, approver: str) -> Approval | None:
        async with self._sessions() as session:
            return await session.scalar(
                select(Approval).where(Approval.ticket_id == ticket_id, Approval.approver_id == approver)
            )

    def _request_blocks(self, ticket: TicketSnapshot, language: str) -> tuple[str, list[dict[str, Any]]]:
        item = self._config.item(ticket.catalog_item_id) if ticket.catalog_item_id else None
        title = (item.title_sv if language == "sv" and item and item.title_sv else item.title) if item else ticket.title
        text = t(
            language, "approval.request", requester=f"<@{ticket.requester_id}>", item=escape(title), key=ticket.key
        )
        answers = [f"*{escape(str(k))}*: {escape(str(v))}" for k, v in ticket.fields.items()]
        value = {"k": ticket.id}
        blocks = [section(text), section(quote(ticket.description))]
        if answers:
            blocks.append(context(*answers[:10]))
        blocks.append(
            actions(
                button(t(language, "approval.approve"), ActionId.APPROVE, value, style="primary"),
                button(t(language, "approval.reject"), ActionId.REJECT, value, style="danger"),
            )
        )
        return text, blocks

    async def send_request(self, item: OutboxItem) -> None:
        ticket = await self._messages.ticket(item.ticket_id)
        approver = str(item.payload["approver"])
        language = await self._people.language(approver)
        text, blocks = self._request_blocks(ticket, language)
        channel = await self._gateway.open_dm(approver)
        ts = await self._messages.post_once(item, channel, text, blocks, thread_ts=None)
        if ts is not None:
            async with self._sessions.begin() as session:
                await session.execute(
                    update(Approval)
                    .where(Approval.ticket_id == ticket.id, Approval.approver_id == approver)
                    .values(slack_channel=channel, slack_ts=ts)
                    .execution_options(synchronize_session=False)
                )

    async def send_reminder(self, item: OutboxItem) -> None:
        ticket = await self._messages.ticket(item.ticket_id)
        approver = str(item.payload["approver"])
        approval = await self._approval(ticket.id, approver)
        if approval is None or approval.state != "pending":
            return
        language = await self._people.language(approver)
        text = t(language, "approval.reminder", key=ticket.key, requester=f"<@{ticket.requester_id}>")
        channel = approval.slack_channel or await self._gateway.open_dm(approver)
        await self._messages.post_once(item, channel, text, [section(text)], thread_ts=approval.slack_ts)

    async def send_decided(self, item: OutboxItem) -> None:
        async with self._sessions() as session:
            approval = await session.get(Approval, int(item.payload["approval_id"]))
        if approval is None or not approval.slack_channel or not approval.slack_ts:
            return
        ticket = await self._messages.ticket(item.ticket_id)
        language = await self._people.language(approval.approver_id)
        key = "approval.you_approved" if approval.state == "approved" else "approval.you_rejected"
        text = t(language, key, key=ticket.key, requester=f"<@{ticket.requester_id}>")
        await self._gateway.update(approval.slack_channel, approval.slack_ts, text, [section(text)])
