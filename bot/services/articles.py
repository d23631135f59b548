"""Knowledge from resolved tickets: an agent drafts an article from the resolution and the conversation, a
team lead publishes it, and the matcher knows it from then on, in every process, without a restart."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import DeskConfig
from bot.db.models import Comment, KnowledgeArticle
from bot.errors import NotPermitted, TicketNotFound
from bot.services.knowledge_base import KnowledgeBase
from bot.services.outbox import enqueue
from bot.services.people import People
from bot.services.tickets import TicketService, TicketSnapshot
from knowledge.models import Article

ARTICLE_DRAFTED = "article_drafted"


@dataclass(frozen=True)
class Draft:
    id: int
    slug: str
    title: str
    body: str
    state: str


def slugify(title: str, suffix: int) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:80] or "article"
    return f"kb-{words}-{suffix}"


def _article(row: KnowledgeArticle) -> Article:
    related = tuple(str(r) for r in (row.related or {}).get("items", []))
    return Article(id=row.slug, title=row.title, tags=(), lang=row.lang, related=related, body=row.body, source=None)


class ArticleService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        config: DeskConfig,
        tickets: TicketService,
        people: People,
        knowledge: KnowledgeBase,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._config = config
        self._tickets = tickets
        self._people = people
        self._knowledge = knowledge
        self._loaded: set[str] = set()

    async def starting_text(self, ticket_id: int, user_id: str) -> tuple[TicketSnapshot, str, str]:
        """(ticket, title, body) to prefill the draft: the resolution note and the public conversation."""
        ticket = await self._tickets.get(ticket_id)
        if not await self._people.is_agent(ticket.team_id, user_id):
            raise NotPermitted(user_id, "write articles for this team")
        async with self._sessions() as session:
            comments = await session.scalars(
                select(Comment.body)
                .where(Comment.ticket_id == ticket_id, Comment.internal.is_(False))
                .order_by(Comment.created_at)
            )
            conversation = [f"- {text.strip()}" for text in comments if text.strip()]
        item = self._config.item(ticket.catalog_item_id) if ticket.catalog_item_id else None
        title = (
            (item.title_sv if ticket.language == "sv" and item and item.title_sv else item.title)
            if item
            else ticket.title
        )
        body = "\n\n".join(part for part in (ticket.resolution_note or "", "\n".join(conversation)) if part)
        return ticket, title[:200], body[:3000]

    async def draft(self, ticket_id: int, user_id: str, title: str, body: str) -> Draft:
        ticket = await self._tickets.get(ticket_id)
        if not await self._people.is_agent(ticket.team_id, user_id):
            raise NotPermitted(user_id, "write articles for this team")
        now = self._clock.now()
        async with self._sessions.begin() as session:
            row = KnowledgeArticle(
                slug=f"draft-{ticket_id}-{int(now.timestamp())}",
                ticket_id=ticket_id,
                team_id=ticket.team_id,
                title=title.strip()[:200],
                body=body.strip(),
                lang=ticket.language,
                related={"items": [ticket.catalog_item_id] if ticket.catalog_item_id else []},
                state="draft",
                created_by=user_id,
                created_at=now,
            )
            session.add(row)
            await session.flush()
            row.slug = slugify(row.title, row.id)
            await enqueue(
                session,
                kind=ARTICLE_DRAFTED,
                dedupe_key=f"article:{row.id}:drafted",
                at=now,
                ticket_id=ticket_id,
                payload={"article_id": row.id},
            )
            return Draft(row.id, row.slug, row.title, row.body, row.state)

    async def publish(self, article_id: int, user_id: str) -> Draft:
        async with self._sessions() as session:
            row = await session.get(KnowledgeArticle, article_id)
        if row is None:
            raise TicketNotFound(article_id)
        team = self._config.team(row.team_id)
        if user_id not in team.leads and not self._people.is_admin(user_id):
            raise NotPermitted(user_id, "publish articles", "article.not_lead")
        now = self._clock.now()
        async with self._sessions.begin() as session:
            await session.execute(
                update(KnowledgeArticle)
                .where(KnowledgeArticle.id == article_id, KnowledgeArticle.state == "draft")
                .values(state="published", published_by=user_id, published_at=now)
                .execution_options(synchronize_session=False)
            )
            published = await session.get(KnowledgeArticle, article_id, populate_existing=True)
            assert published is not None
        await self.refresh()
        return Draft(published.id, published.slug, published.title, published.body, published.state)

    async def refresh(self) -> int:
        """Index published articles this process has not seen yet (others may have published them)."""
        async with self._sessions() as session:
            rows = list(
                await session.scalars(
                    select(KnowledgeArticle).where(KnowledgeArticle.state == "published").order_by(KnowledgeArticle.id)
                )
            )
        added = 0
        for row in rows:
            if row.slug not in self._loaded:
                self._knowledge.add_article(_article(row))
                self._loaded.add(row.slug)
                added += 1
        return added
