"""Senders for the triage card and the requester's thread. A retried delivery first looks for the message the
earlier attempt may have posted (by its metadata key) so a crash between Slack's answer and our commit does
not show the message twice."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.blocks.ids import ActionId
from bot.blocks.text import actions, button, context, escape, quote, section
from bot.blocks.triage_card import card_blocks
from bot.clock import Clock
from bot.config import DeskConfig
from bot.db.models import Comment, Ticket, TicketEvent
from bot.i18n import t, when
from bot.notify.sla_messages import status_label
from bot.services.conversation import RELAY
from bot.services.notifications import REQUESTER_NOTICE, TRIAGE_CARD
from bot.services.outbox import OutboxDispatcher, OutboxItem, PermanentFailure
from bot.services.sla_engine import SlaEngine
from bot.services.tickets import TicketSnapshot
from bot.sla.policy import SlaPolicies
from bot.slack.gateway import SlackGateway

PERMANENT_ERRORS = frozenset(
    {"channel_not_found", "not_in_channel", "is_archived", "invalid_blocks", "msg_too_long", "user_not_found"}
)


def _metadata(key: str) -> dict[str, Any]:
    return {"event_type": "desk_notice", "event_payload": {"key": key}}


def is_permanent(exc: SlackApiError) -> bool:
    return str(exc.response.get("error")) in PERMANENT_ERRORS


class TicketMessages:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        gateway: SlackGateway,
        config: DeskConfig,
        policies: SlaPolicies,
        clock: Clock,
        sla: SlaEngine | None = None,
    ) -> None:
        self._sla = sla
        self._sessions = sessions
        self._gateway = gateway
        self._config = config
        self._policies = policies
        self._clock = clock

    async def post_once(
        self,
        item: OutboxItem,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]],
        *,
        thread_ts: str | None,
        key_suffix: str | None = None,
    ) -> str | None:
        """Post with the outbox key as metadata; a retry first looks for the earlier attempt's message.
        Returns the new message's ts, or None when the earlier attempt had already posted it."""
        key = f"{item.dedupe_key}:{key_suffix}" if key_suffix else item.dedupe_key
        try:
            if item.attempts > 1 and await self._gateway.find_own_message(channel, key, thread_ts=thread_ts):
                return None
            _, ts = await self._gateway.post(channel, text, blocks, thread_ts=thread_ts, metadata=_metadata(key))
            return ts
        except SlackApiError as exc:
            if is_permanent(exc):
                raise PermanentFailure(str(exc.response.get("error"))) from exc
            raise

    def register(self, dispatcher: OutboxDispatcher) -> None:
        dispatcher.register(TRIAGE_CARD, self.send_card)
        dispatcher.register(REQUESTER_NOTICE, self.send_notice)
        dispatcher.register(RELAY, self.send_relay)

    async def ticket(self, ticket_id: int | None) -> TicketSnapshot:
        async with self._sessions() as session:
            row = await session.get(Ticket, ticket_id) if ticket_id is not None else None
            if row is None:
                raise PermanentFailure(f"ticket {ticket_id} is gone")
            return TicketSnapshot.of(row)

    async def send_card(self, item: OutboxItem) -> None:
        ticket = await self.ticket(item.ticket_id)
        team = self._config.team(ticket.team_id)
        text, blocks = card_blocks(
            ticket,
            self._config,
            now=self._clock.now(),
            timezone=self._policies.timezone(ticket.team_id),
            withheld=await self._came_from_confidential(ticket),
            sla_lines=await self._sla_lines(ticket),
        )
        try:
            if ticket.triage_ts and ticket.triage_channel:
                await self._gateway.update(ticket.triage_channel, ticket.triage_ts, text, blocks)
                return
            key = f"card:{ticket.id}"
            ts = await self._gateway.find_own_message(team.channel, key) if item.attempts > 1 else None
            channel = team.channel
            if ts is None:
                channel, ts = await self._gateway.post(team.channel, text, blocks, metadata=_metadata(key))
        except SlackApiError as exc:
            if is_permanent(exc):
                raise PermanentFailure(str(exc.response.get("error"))) from exc
            raise
        async with self._sessions.begin() as session:
            await session.execute(
                update(Ticket)
                .where(Ticket.id == ticket.id, Ticket.triage_ts.is_(None))
                .values(triage_channel=channel, triage_ts=ts)
                .execution_options(synchronize_session=False)
            )

    async def _sla_lines(self, ticket: TicketSnapshot) -> list[str]:
        if self._sla is None:
            return []
        lang = self._config.desk.default_language
        now, timezone = self._clock.now(), self._policies.timezone(ticket.team_id)
        lines = []
        for view in await self._sla.clock_views(None, ticket.id):
            label = t(lang, f"card.clock_{view.kind}")
            state = status_label(lang, view.status)
            due = when(lang, view.due_at, now, timezone) if view.due_at and view.stopped_at is None else None
            lines.append(f"{label}: {state}" + (f" ({t(lang, 'card.due', when=due)})" if due else ""))
        return lines

    async def _came_from_confidential(self, ticket: TicketSnapshot) -> bool:
        if self._config.team(ticket.team_id).confidential:
            return False  # its own confidential channel may show everything
        confidential = {team.id for team in self._config.teams if team.confidential}
        async with self._sessions() as session:
            moves = await session.scalars(
                select(TicketEvent.data).where(TicketEvent.ticket_id == ticket.id, TicketEvent.type == "moved")
            )
            return any((data or {}).get("from_team") in confidential for data in moves)

    async def send_notice(self, item: OutboxItem) -> None:
        ticket = await self.ticket(item.ticket_id)
        notice = str(item.payload.get("notice"))
        text = self._notice_text(ticket, notice, item.payload)
        if text is None:
            return
        channel, thread_ts = await self._requester_thread(ticket)
        blocks = [section(text)]
        if notice == "created" and thread_ts is None:
            blocks.append(context(t(ticket.language, "created.updates_here")))
        blocks.extend(self.notice_actions(ticket, notice))
        ts = await self.post_once(item, channel, text, blocks, thread_ts=thread_ts)
        if thread_ts is None and ts is not None:
            # The first message in a fresh DM becomes the ticket's thread for every later update.
            async with self._sessions.begin() as session:
                await session.execute(
                    update(Ticket)
                    .where(Ticket.id == ticket.id, Ticket.requester_thread_ts.is_(None))
                    .values(requester_channel=channel, requester_thread_ts=ts)
                    .execution_options(synchronize_session=False)
                )

    async def _requester_thread(self, ticket: TicketSnapshot) -> tuple[str, str | None]:
        channel = ticket.requester_channel
        confidential = self._config.team(ticket.team_id).confidential
        if channel is None or (confidential and not channel.startswith("D")):
            # A confidential team's ticket never speaks in a shared channel: the requester hears in private.
            return await self._gateway.open_dm(ticket.requester_id), None
        return channel, ticket.requester_thread_ts

    def _notice_text(self, ticket: TicketSnapshot, notice: str, payload: Any) -> str | None:
        lang = ticket.language
        team = self._config.team(ticket.team_id)
        team_name = team.name_sv if lang == "sv" and team.name_sv else team.name
        if notice == "created":
            if ticket.state.value == "awaiting_approval":
                return t(lang, "created.approval", key=ticket.key, team=team_name)
            due = self._policies.first_response_due(
                ticket.team_id, ticket.catalog_item_id, ticket.priority, ticket.created_at
            )
            confirmation = t(
                lang,
                "created.confirmation",
                key=ticket.key,
                team=team_name,
                priority=t(lang, f"priority.{ticket.priority}"),
                when=when(lang, due, self._clock.now(), self._policies.timezone(ticket.team_id)),
            )
            opened_by = ticket.fields.get("opened_by")
            if opened_by and opened_by != ticket.requester_id:
                # Opened for someone by a colleague's reaction: say so, in the same one message.
                reaction = t(lang, "created.reaction", key=ticket.key, team=team_name, user=ticket.requester_id)
                return f"{reaction} {confirmation}"
            return confirmation
        actor = payload.get("actor")
        if notice in ("claimed", "assigned") and ticket.assignee_id:
            return t(lang, "notice.claimed", key=ticket.key, agent=f"<@{ticket.assignee_id}>")
        if notice == "cancelled":
            return t(lang, "notice.cancelled", key=ticket.key, who=f"<@{actor}>" if actor else team_name)
        if notice == "approved":
            return t(lang, "notice.approved", key=ticket.key, team=team_name)
        if notice == "rejected":
            return t(
                lang,
                "notice.rejected",
                key=ticket.key,
                reason=escape(str(payload.get("data", {}).get("reason") or "-")),
            )
        if notice == "moved":
            return t(lang, "notice.moved", key=ticket.key, team=team_name)
        if notice == "waiting_on_requester":
            return t(lang, "notice.waiting", key=ticket.key, agent=f"<@{actor}>" if actor else team_name)
        if notice == "resolved":
            note = quote(str(payload.get("data", {}).get("note") or ticket.resolution_note or ""))
            return t(lang, "notice.resolved", key=ticket.key, agent=f"<@{actor}>" if actor else team_name, note=note)
        if notice == "closed":
            reason = str(payload.get("data", {}).get("reason") or "")
            return t(lang, "notice.closed_silently" if reason == "no answer" else "notice.closed", key=ticket.key)
        if notice == "reopened":
            return t(lang, "notice.reopened", key=ticket.key)
        if notice == "survey":
            return t(lang, "notice.survey", key=ticket.key, team=team_name)
        if notice == "linked":
            data = payload.get("data", {})
            return t(lang, "notice.linked", key=ticket.key, old=str(data.get("old_key")), team=team_name)
        return None

    def notice_actions(self, ticket: TicketSnapshot, notice: str) -> list[dict[str, Any]]:
        """Buttons that go with a notice: the requester can cancel an open request from its confirmation."""
        lang = ticket.language
        if notice == "created":
            label = t(lang, "notice.cancel_button")
            return [actions(button(label, ActionId.CANCEL_OWN, {"k": ticket.id}))]
        if notice == "resolved":
            value = {"k": ticket.id}
            return [
                actions(
                    button(t(lang, "notice.solved_button"), ActionId.CONFIRM_SOLVED, value, style="primary"),
                    button(t(lang, "notice.still_button"), ActionId.STILL_A_PROBLEM, value),
                )
            ]
        if notice == "survey":
            return [
                actions(
                    # Action ids are unique within a block, so each rating gets its own.
                    *(button(f"{n} " + "★" * n, f"{ActionId.RATE}.{n}", {"k": ticket.id, "r": n}) for n in range(1, 6)),
                    block_id=f"rate.{ticket.id}",
                )
            ]
        return []

    async def send_relay(self, item: OutboxItem) -> None:
        """A comment carried to the other side: the requester's words to the card's thread, an agent's public
        reply to the requester's thread, each attributed to its author."""
        ticket = await self.ticket(item.ticket_id)
        async with self._sessions() as session:
            comment = await session.get(Comment, int(item.payload["comment_id"]))
            if comment is None:
                raise PermanentFailure("comment is gone")
            author, body = comment.author_id, comment.body
        channel: str
        thread_ts: str | None
        to = item.payload.get("to")
        if to in ("internal", "triage"):
            if not (ticket.triage_channel and ticket.triage_ts):
                raise RuntimeError("the card is not posted yet")  # retried after the card's own delivery
            channel, thread_ts = ticket.triage_channel, ticket.triage_ts
            lang = self._config.desk.default_language
            if to == "internal":
                text = t(lang, "relay.note", user=f"<@{author}>", text=quote(body))
            else:
                text = t(lang, "relay.from_requester", user=f"<@{author}>", key=ticket.key, text=quote(body))
        else:
            channel, thread_ts = await self._requester_thread(ticket)
            text = t(ticket.language, "relay.from_agent", user=f"<@{author}>", key=ticket.key, text=quote(body))
        await self.post_once(item, channel, text, [section(text)], thread_ts=thread_ts)
