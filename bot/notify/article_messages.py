"""A drafted article appears in the card's thread with a Publish button for the team's leads."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.blocks.ids import ActionId
from bot.blocks.text import actions, button, escape, quote, section
from bot.config import DeskConfig
from bot.db.models import KnowledgeArticle
from bot.i18n import t
from bot.notify.ticket_messages import TicketMessages
from bot.services.articles import ARTICLE_DRAFTED
from bot.services.outbox import OutboxDispatcher, OutboxItem, PermanentFailure


class ArticleMessages:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], messages: TicketMessages, config: DeskConfig
    ) -> None:
        self._sessions = sessions
        self._messages = messages
        self._config = config

    def register(self, dispatcher: OutboxDispatcher) -> None:
        dispatcher.register(ARTICLE_DRAFTED, self.send_drafted)

    async def send_drafted(self, item: OutboxItem) -> None:
        async with self._sessions() as session:
            article = await session.get(KnowledgeArticle, int(item.payload["article_id"]))
        if article is None:
            raise PermanentFailure("article is gone")
        ticket = await self._messages.ticket(item.ticket_id)
        if not (ticket.triage_channel and ticket.triage_ts):
            raise PermanentFailure("the ticket has no card to post the draft under")
        lang = self._config.desk.default_language
        text = t(
            lang,
            "article.drafted",
            user=f"<@{article.created_by}>",
            key=ticket.key,
            title=escape(article.title),
            body=quote(article.body, 2000),
        )
        blocks = [
            section(text),
            actions(button(t(lang, "article.publish"), ActionId.PUBLISH_ARTICLE, {"a": article.id}, style="primary")),
        ]
        await self._messages.post_once(item, ticket.triage_channel, text, blocks, thread_ts=ticket.triage_ts)
