"""Understanding a request: what someone wrote, what the matcher made of it, and the offers we reply with.
Each request is stored once under its origin (the Slack message), so a redelivered event gets the same
answer and never a second reply."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import DeskConfig
from bot.config.schema import CatalogItem, TeamConfig
from bot.db.group_commit import GroupCommit
from bot.db.models import IntakeRequest, table_of
from bot.db.upsert import insert_ignoring_conflicts
from bot.services.knowledge_base import KnowledgeBase
from bot.sla.policy import SlaPolicies
from knowledge.models import Article, Decision

MAX_ALTERNATIVES = 2
MAX_ARTICLES = 2


@dataclass(frozen=True)
class ItemOffer:
    item: CatalogItem
    team: TeamConfig
    score: float
    first_response_minutes: int
    promise_at: datetime


@dataclass(frozen=True)
class ArticleOffer:
    article: Article
    score: float


@dataclass(frozen=True)
class Suggestion:
    intake_id: int
    decision: Decision
    items: tuple[ItemOffer, ...]
    articles: tuple[ArticleOffer, ...]
    default_team: TeamConfig
    language: str
    is_new: bool
    reply_ts: str | None
    ticket_id: int | None


@dataclass(frozen=True)
class IntakeView:
    id: int
    user_id: str
    channel: str | None
    ts: str | None
    thread_ts: str | None
    reply_ts: str | None
    text: str
    language: str
    ticket_id: int | None


class IntakeService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        config: DeskConfig,
        knowledge: KnowledgeBase,
        policies: SlaPolicies,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._config = config
        self._knowledge = knowledge
        self._policies = policies
        self._catalog = {item.id: item for item in config.catalog}
        self._intakes = GroupCommit(sessions, self._store_batch)
        self._replies = GroupCommit(sessions, self._replied_batch)

    async def understand(
        self,
        *,
        origin_key: str,
        user_id: str,
        text: str,
        language: str,
        channel: str | None = None,
        ts: str | None = None,
        thread_ts: str | None = None,
    ) -> Suggestion:
        now = self._clock.now()
        result = self._knowledge.match(text)
        values: dict[str, Any] = {
            "origin_key": origin_key,
            "user_id": user_id,
            "channel": channel,
            "ts": ts,
            "thread_ts": thread_ts,
            "text": text,
            "language": language,
            "decision": result.decision.value,
            "candidates": {"candidates": [[c.kind, c.id, round(c.score, 4)] for c in result.candidates]},
            "created_at": now,
        }
        stored, is_new = await self._intakes.submit(values)
        return self._suggestion(stored, is_new=is_new)

    async def _store_batch(
        self, session: AsyncSession, rows: Sequence[dict[str, Any]]
    ) -> list[tuple[IntakeRequest, bool]]:
        """Requests understood at the same moment, stored in one INSERT. A request whose origin was stored
        before (a redelivery, or another process a moment ago) gets that answer: it is the answer."""
        # Core on the table: the rows become objects below only for the suggestion, never for the session.
        table = table_of(IntakeRequest)
        statement = insert_ignoring_conflicts(session, table).returning(table.c.id, table.c.origin_key)
        inserted = {key: int(row_id) for row_id, key in (await session.execute(statement, list(rows))).all()}
        earlier_keys = {row["origin_key"] for row in rows if row["origin_key"] not in inserted}
        earlier: dict[str, IntakeRequest] = {}
        if earlier_keys:
            found = await session.scalars(select(IntakeRequest).where(IntakeRequest.origin_key.in_(earlier_keys)))
            earlier = {row.origin_key: row for row in found}
        results: list[tuple[IntakeRequest, bool]] = []
        for row in rows:
            key = row["origin_key"]
            row_id = inserted.pop(key, None)
            if row_id is not None:
                earlier[key] = IntakeRequest(id=row_id, **row)
                results.append((earlier[key], True))
            else:
                # Stored before, or earlier in this very batch (the same message delivered twice at once).
                results.append((earlier[key], False))
        return results

    async def drain(self) -> None:
        """Until the requests and reply timestamps submitted so far are settled (shutdown)."""
        await self._intakes.drain()
        await self._replies.drain()

    async def get(self, intake_id: int) -> IntakeView | None:
        async with self._sessions() as session:
            row = await session.get(IntakeRequest, intake_id)
            return _view(row) if row else None

    async def suggestion(self, intake_id: int) -> Suggestion | None:
        async with self._sessions() as session:
            row = await session.get(IntakeRequest, intake_id)
            return self._suggestion(row, is_new=False) if row else None

    async def replied(self, intake_id: int, reply_ts: str) -> None:
        await self._replies.submit((intake_id, reply_ts))

    async def _replied_batch(self, session: AsyncSession, replies: Sequence[tuple[int, str]]) -> list[None]:
        table = table_of(IntakeRequest)
        # The first reply's ts stays: a late duplicate write must not point the request at another message.
        statement = (
            update(table)
            .where(table.c.id == bindparam("intake_id"), table.c.reply_ts.is_(None))
            .values(reply_ts=bindparam("reply"))
        )
        await session.execute(statement, [{"intake_id": intake_id, "reply": ts} for intake_id, ts in replies])
        return [None] * len(replies)

    async def article_solved(self, intake_id: int, article_id: str, user_id: str) -> bool:
        """The requester says the article solved it: remember their words for that article. Only the person
        who asked can say so, and only once."""
        async with self._sessions.begin() as session:
            row = await session.get(IntakeRequest, intake_id)
            if row is None or row.user_id != user_id or row.outcome is not None:
                return False
            row.outcome = f"solved:{article_id}"[:32]
            await self._knowledge.learn(session, f"article:{article_id}", row.text, self._clock.now())
            text = row.text
        self._knowledge.remember(f"article:{article_id}", text)
        return True

    def _suggestion(self, row: IntakeRequest, *, is_new: bool) -> Suggestion:
        now = row.created_at if not is_new else self._clock.now()
        candidates: list[list[Any]] = list(row.candidates.get("candidates") or [])
        items: list[ItemOffer] = []
        articles: list[ArticleOffer] = []
        for kind, ident, score in candidates:
            # An item stored with an old request may have left the catalogue since: it is no longer offered.
            item = self._catalog.get(ident) if kind == "catalog" else None
            if item is not None and len(items) < 1 + MAX_ALTERNATIVES:
                items.append(self.offer(item, now, float(score)))
            elif kind == "article" and len(articles) < MAX_ARTICLES:
                article = self._knowledge.article(ident)
                if article is not None:
                    articles.append(ArticleOffer(article, float(score)))
        decision = Decision(row.decision)
        if decision is Decision.NOTHING:
            items, articles = [], []
        default_team = self._config.team(self._config.desk.default_team)
        return Suggestion(
            intake_id=row.id,
            decision=decision,
            items=tuple(items),
            articles=tuple(articles),
            default_team=default_team,
            language=row.language,
            is_new=is_new,
            reply_ts=row.reply_ts,
            ticket_id=row.ticket_id,
        )

    def offer(self, item: CatalogItem, now: datetime, score: float = 1.0) -> ItemOffer:
        """The service with its first-response promise as of `now`."""
        first, _ = self._policies.targets(item.team, item.id, item.priority)
        return ItemOffer(
            item=item,
            team=self._config.team(item.team),
            score=score,
            first_response_minutes=first,
            promise_at=self._policies.team_calendar(item.team).add(now, first),
        )


def _view(row: IntakeRequest) -> IntakeView:
    return IntakeView(
        id=row.id,
        user_id=row.user_id,
        channel=row.channel,
        ts=row.ts,
        thread_ts=row.thread_ts,
        reply_ts=row.reply_ts,
        text=row.text,
        language=row.language,
        ticket_id=row.ticket_id,
    )
