"""The team lead hears about a low rating at once, with the comment and a button to follow up."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.blocks.ids import ActionId
from bot.blocks.text import actions, button, quote, section
from bot.config import DeskConfig
from bot.db.models import Feedback
from bot.i18n import t
from bot.notify.ticket_messages import TicketMessages
from bot.services.feedback import LOW_RATING
from bot.services.outbox import OutboxDispatcher, OutboxItem
from bot.slack.gateway import SlackGateway


class FeedbackMessages:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        messages: TicketMessages,
        gateway: SlackGateway,
        config: DeskConfig,
    ) -> None:
        self._sessions = sessions
        self._messages = messages
        self._gateway = gateway
        self._config = config

    def register(self, dispatcher: OutboxDispatcher) -> None:
        dispatcher.register(LOW_RATING, self.send_low_rating)

    async def send_low_rating(self, item: OutboxItem) -> None:
        ticket = await self._messages.ticket(item.ticket_id)
        async with self._sessions() as session:
            feedback = await session.scalar(select(Feedback).where(Feedback.ticket_id == ticket.id))
        if feedback is None or feedback.rating is None:
            return
        lang = self._config.desk.default_language
        comment = quote(feedback.comment) if feedback.comment else t(lang, "rating.no_comment")
        agent = f"<@{feedback.agent_id}>" if feedback.agent_id else t(lang, "card.unassigned")
        text = t(
            lang,
            "rating.low",
            key=ticket.key,
            rating=feedback.rating,
            requester=f"<@{ticket.requester_id}>",
            agent=agent,
            comment=comment,
        )
        blocks = [
            section(text),
            actions(button(t(lang, "rating.follow_up"), ActionId.FOLLOW_UP, {"k": ticket.id}, style="primary")),
        ]
        for lead in self._config.team(ticket.team_id).leads:
            channel = await self._gateway.open_dm(lead)
            # One outbox row for all leads: post_once's key is per lead, so a retry skips those already told.
            await self._messages.post_once(item, channel, text, blocks, thread_ts=None, key_suffix=lead)
