"""The desk's knowledge: the matcher over the catalogue and articles, plus what the desk learned from its own
history (phrasings of requests that ended in a ticket, or that an article solved), kept in the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import DeskConfig
from bot.db.models import LearnedPhrasing
from bot.matching import matcher_from_config
from knowledge.matcher import Matcher
from knowledge.models import Article, Candidate, MatchResult

MAX_PHRASING_CHARS = 500


class KnowledgeBase:
    def __init__(self, matcher: Matcher, articles: dict[str, Article], *, max_phrasings: int) -> None:
        self._matcher = matcher
        self._articles = articles
        self._max_phrasings = max_phrasings

    @classmethod
    async def load(cls, config: DeskConfig, sessions: async_sessionmaker[AsyncSession]) -> KnowledgeBase:
        matcher = matcher_from_config(config)
        articles = {a.id: a for a in _articles_of(config)}
        base = cls(matcher, articles, max_phrasings=config.matching.max_learned_phrasings)
        async with sessions() as session:
            rows = await session.execute(select(LearnedPhrasing.ref, LearnedPhrasing.text).order_by(LearnedPhrasing.id))
            for ref, text in rows:
                if base._known(ref):
                    matcher.add_phrasing(ref, text)
        return base

    def match(self, text: str, limit: int = 5) -> MatchResult:
        return self._matcher.match(text, limit=limit)

    def article(self, article_id: str) -> Article | None:
        return self._articles.get(article_id)

    def search_articles(self, text: str, limit: int = 5) -> list[tuple[Article, Candidate]]:
        found = []
        for candidate in self._matcher.match(text, limit=limit * 3).candidates:
            article = self._articles.get(candidate.id) if candidate.kind == "article" else None
            if article is not None:
                found.append((article, candidate))
        return found[:limit]

    def add_article(self, article: Article) -> None:
        """Published articles join the index at once; no restart."""
        self._articles[article.id] = article
        self._matcher.add_article(article)

    async def learn(
        self, session: AsyncSession, ref: str, text: str, at: datetime, ticket_id: int | None = None
    ) -> None:
        """Remember a phrasing in the caller's transaction; call `remember` after commit to index it."""
        text = " ".join(text.split())[:MAX_PHRASING_CHARS]
        if not text or self._max_phrasings == 0 or not self._known(ref):
            return
        session.add(LearnedPhrasing(ref=ref, text=text, ticket_id=ticket_id, created_at=at))
        await session.flush()
        keep = select(LearnedPhrasing.id).where(LearnedPhrasing.ref == ref)
        keep = keep.order_by(LearnedPhrasing.id.desc()).limit(self._max_phrasings)
        await session.execute(
            delete(LearnedPhrasing)
            .where(LearnedPhrasing.ref == ref, LearnedPhrasing.id.not_in(keep.scalar_subquery()))
            .execution_options(synchronize_session=False)
        )

    def remember(self, ref: str, text: str) -> None:
        text = " ".join(text.split())[:MAX_PHRASING_CHARS]
        if text and self._max_phrasings and self._known(ref):
            self._matcher.add_phrasing(ref, text)

    def _known(self, ref: str) -> bool:
        kind, _, ident = ref.partition(":")
        if kind == "article":
            return ident in self._articles
        return kind == "catalog"


def _articles_of(config: DeskConfig) -> list[Article]:
    from knowledge.loading import load_articles

    return load_articles(config.knowledge_dir) if config.knowledge_dir.is_dir() else []
