"""The figures of the daily digest: what happened yesterday, where the desk stands now, how requesters rated it
and the last two weeks' trend. Every count is an indexed SQL aggregate; only the working-time medians read
rows (yesterday's timestamps, bounded) because working minutes come from the team's calendar, not from SQL.

"Yesterday" is the calendar day before the digest's local date in the team's time zone, from local midnight to
the next local midnight converted to UTC, so a DST day is 23 or 25 hours long, as people lived it."""

from __future__ import annotations

import heapq
import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Executable, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import DeskConfig
from bot.db.models import Feedback, SlaClock, Ticket
from bot.domain.lifecycle import TicketState
from bot.sla.policy import SlaPolicies

OPEN_STATES = (
    TicketState.NEW.value,
    TicketState.AWAITING_APPROVAL.value,
    TicketState.OPEN.value,
    TicketState.IN_PROGRESS.value,
    TicketState.WAITING_ON_REQUESTER.value,
)
# States where nobody has to be working on the ticket yet: without an assignee they wait for a Claim.
CLAIMABLE_STATES = (TicketState.NEW.value, TicketState.OPEN.value)
TREND_DAYS = 14
SATISFACTION_DAYS = 30
LISTED = 5
COMMENTS = 3
# A day with more first responses or resolutions than this is not a help desk; the cap keeps memory bounded.
MEDIAN_ROWS = 20_000
_PRIORITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def local_midnight(day: date, timezone: str) -> datetime:
    """The UTC instant a local calendar day begins (European DST switches never touch midnight)."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def day_window(day: date, timezone: str) -> tuple[datetime, datetime]:
    return local_midnight(day, timezone), local_midnight(day + timedelta(days=1), timezone)


def percent(met: int, breached: int) -> int | None:
    """Share met, rounded half up to a whole percent; None when no clock was decided."""
    total = met + breached
    return None if total == 0 else (met * 200 + total) // (total * 2)


@dataclass(frozen=True)
class TicketLine:
    id: int
    key: str
    title: str
    priority: str
    state: str
    assignee_id: str | None
    created_at: datetime
    version: int
    triage_channel: str | None
    triage_ts: str | None
    due_at: datetime | None = None
    breached: bool = False


@dataclass(frozen=True)
class RatingComment:
    key: str
    rating: int
    comment: str
    created_at: datetime


@dataclass(frozen=True)
class LowRating:
    """A rating at or below the alert threshold, and whether a lead has followed it up (service recovery)."""

    key: str
    rating: int
    followed_up_by: str | None


@dataclass(frozen=True)
class Trend:
    days: tuple[date, ...]
    opened: tuple[int, ...]
    resolved: tuple[int, ...]


@dataclass(frozen=True)
class TeamDigest:
    team_id: str
    local_date: date
    timezone: str
    confidential: bool
    # Yesterday.
    opened: int
    resolved: int
    first_response_met: int
    first_response_breached: int
    resolution_met: int
    resolution_breached: int
    median_first_response: float | None  # working minutes
    median_resolution: float | None
    # Now.
    unassigned: int
    in_progress: int
    waiting_on_requester: int
    awaiting_approval: int
    at_risk: int
    breached: int
    oldest_unassigned: tuple[TicketLine, ...]
    most_urgent: tuple[TicketLine, ...]
    # Satisfaction.
    ratings_yesterday: int
    ratings_30d: int
    rating_sum_30d: int
    comments: tuple[RatingComment, ...]
    trend: Trend
    low_ratings: tuple[LowRating, ...] = ()

    @property
    def yesterday(self) -> date:
        return self.local_date - timedelta(days=1)

    @property
    def open_total(self) -> int:
        return self.unassigned + self.in_progress + self.waiting_on_requester + self.awaiting_approval

    @property
    def first_response_percent(self) -> int | None:
        return percent(self.first_response_met, self.first_response_breached)

    @property
    def resolution_percent(self) -> int | None:
        return percent(self.resolution_met, self.resolution_breached)

    @property
    def rating_average_30d(self) -> float | None:
        return None if self.ratings_30d == 0 else self.rating_sum_30d / self.ratings_30d

    @property
    def quiet(self) -> bool:
        """Nothing happened yesterday and nothing waits: worth one line at most."""
        return self.opened == 0 and self.resolved == 0 and self.ratings_yesterday == 0 and self.open_total == 0


@dataclass(frozen=True)
class CompanyDigest:
    local_date: date
    teams: tuple[TeamDigest, ...]

    @property
    def quiet(self) -> bool:
        return all(team.quiet for team in self.teams)


def _ticket_line(row: Ticket, due_at: datetime | None = None, breached: bool = False) -> TicketLine:
    return TicketLine(
        id=row.id,
        key=row.key,
        title=row.title,
        priority=row.priority,
        state=row.state,
        assignee_id=row.assignee_id,
        created_at=row.created_at,
        version=row.version,
        triage_channel=row.triage_channel,
        triage_ts=row.triage_ts,
        due_at=due_at,
        breached=breached,
    )


def _urgency(line: TicketLine) -> tuple[int, datetime, int, datetime]:
    """Breached first, then whichever runs out soonest, then priority, then age."""
    far = datetime.max.replace(tzinfo=UTC)
    return (0 if line.breached else 1, line.due_at or far, _PRIORITY_RANK.get(line.priority, 9), line.created_at)


class DigestService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        config: DeskConfig,
        policies: SlaPolicies,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._config = config
        self._policies = policies

    def local_today(self, team_id: str) -> date:
        return self._clock.now().astimezone(ZoneInfo(self._policies.timezone(team_id))).date()

    async def build(self, team_id: str, local_date: date, *, now: datetime | None = None) -> TeamDigest:
        """The digest of `local_date` (a date in the team's zone); "now" figures are as of `now`."""
        team = self._config.team(team_id)
        zone = self._policies.timezone(team_id)
        now = now or self._clock.now()
        yesterday = local_date - timedelta(days=1)
        start, end = day_window(yesterday, zone)
        async with self._sessions() as session:
            trend = await self._trend(session, team_id, local_date, zone)
            fr_met, fr_breached = await self._sla_outcomes(session, team_id, "first_response", start, end)
            res_met, res_breached = await self._sla_outcomes(session, team_id, "resolution", start, end)
            first_responses = await self._durations(session, team_id, Ticket.first_response_at, start, end)
            resolutions = await self._durations(session, team_id, Ticket.resolved_at, start, end)
            states = await self._open_states(session, team_id)
            oldest = await self._oldest_unassigned(session, team_id)
            at_risk, breached, urgent = await self._risk(session, team_id, now)
            ratings_yesterday = await self._ratings(session, team_id, start, end)
            month_start = local_midnight(local_date - timedelta(days=SATISFACTION_DAYS), zone)
            month_end = local_midnight(local_date, zone)
            ratings_30d, rating_sum = await self._rating_sum(session, team_id, month_start, month_end)
            comments = () if team.confidential else await self._comments(session, team_id, month_start, month_end)
            low_ratings = await self._low_ratings(session, team_id, month_start, month_end)
        calendar = self._policies.team_calendar(team_id)

        def median(pairs: Sequence[tuple[datetime, datetime]]) -> float | None:
            return float(statistics.median(calendar.between(a, b) for a, b in pairs)) if pairs else None

        return TeamDigest(
            team_id=team_id,
            local_date=local_date,
            timezone=zone,
            confidential=team.confidential,
            opened=trend.opened[-1],
            resolved=trend.resolved[-1],
            first_response_met=fr_met,
            first_response_breached=fr_breached,
            resolution_met=res_met,
            resolution_breached=res_breached,
            median_first_response=median(first_responses),
            median_resolution=median(resolutions),
            unassigned=states.get("unassigned", 0),
            in_progress=states.get("in_progress", 0),
            waiting_on_requester=states.get("waiting_on_requester", 0),
            awaiting_approval=states.get("awaiting_approval", 0),
            at_risk=at_risk,
            breached=breached,
            oldest_unassigned=oldest,
            most_urgent=urgent,
            ratings_yesterday=ratings_yesterday,
            ratings_30d=ratings_30d,
            rating_sum_30d=rating_sum,
            comments=comments,
            low_ratings=low_ratings,
            trend=trend,
        )

    async def build_company(self, local_date: date, *, now: datetime | None = None) -> CompanyDigest:
        now = now or self._clock.now()
        teams = [await self.build(team.id, local_date, now=now) for team in self._config.teams]
        return CompanyDigest(local_date=local_date, teams=tuple(teams))

    async def agent_tickets(self, user_id: str, *, now: datetime | None = None) -> tuple[TicketLine, ...]:
        """The agent's open tickets across teams, most urgent first (for the morning DM)."""
        now = now or self._clock.now()
        async with self._sessions() as session:
            tickets = list(
                await session.scalars(
                    select(Ticket)
                    .where(Ticket.assignee_id == user_id, Ticket.state.in_(OPEN_STATES))
                    .order_by(Ticket.created_at)
                    .limit(200)
                )
            )
            clocks = await self._running_clocks(session, [t.id for t in tickets], now)
        lines = [_ticket_line(t, *clocks.get(t.id, (None, False))) for t in tickets]
        return tuple(sorted(lines, key=_urgency))

    # The queries. Each names the index it is written for; the benchmark prints their plans.

    def trend_query(self, team_id: str, bounds: Sequence[datetime], column: object) -> Executable:
        """One range scan of (team_id, <column>) counting each local day of the window in its own column."""
        assert isinstance(column, type(Ticket.created_at))
        buckets = [
            func.coalesce(func.sum(case((and_(column >= lo, column < hi), 1), else_=0)), 0)
            for lo, hi in itertools.pairwise(bounds)
        ]
        return select(*buckets).where(Ticket.team_id == team_id, column >= bounds[0], column < bounds[-1])

    async def _trend(self, session: AsyncSession, team_id: str, local_date: date, zone: str) -> Trend:
        days = tuple(local_date - timedelta(days=n) for n in range(TREND_DAYS, 0, -1))
        bounds = [local_midnight(day, zone) for day in days] + [local_midnight(local_date, zone)]
        # ix_tickets_team_created and ix_tickets_team_resolved.
        opened = (await session.execute(self.trend_query(team_id, bounds, Ticket.created_at))).one()
        resolved = (await session.execute(self.trend_query(team_id, bounds, Ticket.resolved_at))).one()
        return Trend(days=days, opened=tuple(int(n) for n in opened), resolved=tuple(int(n) for n in resolved))

    def sla_query(self, team_id: str, kind: str, start: datetime, end: datetime) -> Executable:
        # ix_sla_clocks_kind_stopped finds the day's stopped clocks, the tickets' primary key their team.
        return (
            select(SlaClock.met, func.count())
            .join(Ticket, Ticket.id == SlaClock.ticket_id)
            .where(
                SlaClock.kind == kind,
                SlaClock.stopped_at >= start,
                SlaClock.stopped_at < end,
                SlaClock.met.is_not(None),
                Ticket.team_id == team_id,
            )
            .group_by(SlaClock.met)
        )

    async def _sla_outcomes(
        self, session: AsyncSession, team_id: str, kind: str, start: datetime, end: datetime
    ) -> tuple[int, int]:
        """(met, breached) among the clocks of this kind that stopped yesterday: a clock counts on the day
        its outcome became final; a breach still running shows under "breached" in the now section."""
        counts = {bool(met): int(n) for met, n in await session.execute(self.sla_query(team_id, kind, start, end))}
        return counts.get(True, 0), counts.get(False, 0)

    def durations_query(self, team_id: str, column: object, start: datetime, end: datetime) -> Executable:
        # ix_tickets_team_first_response / ix_tickets_team_resolved.
        assert isinstance(column, type(Ticket.created_at))
        return (
            select(Ticket.created_at, column)
            .where(Ticket.team_id == team_id, column >= start, column < end)
            .limit(MEDIAN_ROWS)
        )

    async def _durations(
        self, session: AsyncSession, team_id: str, column: object, start: datetime, end: datetime
    ) -> list[tuple[datetime, datetime]]:
        rows = await session.execute(self.durations_query(team_id, column, start, end))
        return [(created, at) for created, at in rows if at is not None]

    def states_query(self, team_id: str) -> Executable:
        # ix_tickets_team_state: only open states are read, however many closed tickets there are.
        unassigned = Ticket.assignee_id.is_(None)
        return (
            select(Ticket.state, unassigned, func.count())
            .where(Ticket.team_id == team_id, Ticket.state.in_(OPEN_STATES))
            .group_by(Ticket.state, unassigned)
        )

    async def _open_states(self, session: AsyncSession, team_id: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for state, unassigned, n in await session.execute(self.states_query(team_id)):
            bucket = ("unassigned" if unassigned else "in_progress") if state in CLAIMABLE_STATES else str(state)
            counts[bucket] = counts.get(bucket, 0) + int(n)
        return counts

    def oldest_query(self, team_id: str) -> Executable:
        # ix_tickets_team_state. No ORDER BY on purpose: with one, SQLite walks ix_tickets_team_created through
        # every ticket the team ever had to skip a sort; the team's backlog is small enough to sort here.
        return select(Ticket.id, Ticket.created_at).where(
            Ticket.team_id == team_id, Ticket.state.in_(CLAIMABLE_STATES), Ticket.assignee_id.is_(None)
        )

    async def _oldest_unassigned(self, session: AsyncSession, team_id: str) -> tuple[TicketLine, ...]:
        backlog = [(at, ticket_id) for ticket_id, at in await session.execute(self.oldest_query(team_id))]
        oldest = [ticket_id for _, ticket_id in heapq.nsmallest(LISTED, backlog)]
        rows = {t.id: t for t in await session.scalars(select(Ticket).where(Ticket.id.in_(oldest)))}
        return tuple(_ticket_line(rows[i]) for i in oldest if i in rows)

    @staticmethod
    def _breached(now: datetime) -> object:
        return or_(
            SlaClock.breached_at.is_not(None),
            and_(SlaClock.paused_since.is_(None), SlaClock.due_at.is_not(None), SlaClock.due_at <= now),
        )

    @staticmethod
    def _warned(now: datetime) -> object:
        return and_(SlaClock.paused_since.is_(None), or_(SlaClock.warned_at.is_not(None), SlaClock.warn_at <= now))

    def risk_query(self, team_id: str, now: datetime) -> Executable:
        """Per open ticket with a running clock past its warning point: (ticket, breached?, at risk?, due)."""
        breached, warned = self._breached(now), self._warned(now)
        # ix_tickets_team_state for the team's open tickets, uq_sla_clocks_ticket_id_kind for their clocks.
        return (
            select(
                SlaClock.ticket_id,
                func.max(case((breached, 1), else_=0)),  # type: ignore[arg-type]
                func.max(case((warned, 1), else_=0)),  # type: ignore[arg-type]
                func.min(SlaClock.due_at),
            )
            .join(Ticket, Ticket.id == SlaClock.ticket_id)
            .where(
                Ticket.team_id == team_id,
                Ticket.state.in_(OPEN_STATES),
                SlaClock.stopped_at.is_(None),
                or_(breached, warned),  # type: ignore[arg-type]
            )
            .group_by(SlaClock.ticket_id)
        )

    async def _risk(
        self, session: AsyncSession, team_id: str, now: datetime
    ) -> tuple[int, int, tuple[TicketLine, ...]]:
        """(at risk, breached, the most urgent of them): a ticket counts once, as breached if any clock is."""
        flagged = [
            (int(ticket_id), bool(b), due)
            for ticket_id, b, _, due in await session.execute(self.risk_query(team_id, now))
        ]
        breached = sum(1 for _, b, _ in flagged if b)
        order = sorted(flagged, key=lambda f: (0 if f[1] else 1, f[2] or datetime.max.replace(tzinfo=UTC), f[0]))
        top = order[:LISTED]
        rows = {t.id: t for t in await session.scalars(select(Ticket).where(Ticket.id.in_([f[0] for f in top])))}
        urgent = tuple(_ticket_line(rows[i], due, b) for i, b, due in top if i in rows)
        return len(flagged) - breached, breached, urgent

    async def _running_clocks(
        self, session: AsyncSession, ticket_ids: list[int], now: datetime
    ) -> dict[int, tuple[datetime | None, bool]]:
        if not ticket_ids:
            return {}
        rows = await session.execute(
            select(SlaClock.ticket_id, func.min(SlaClock.due_at), func.max(case((self._breached(now), 1), else_=0)))  # type: ignore[arg-type]
            # A paused clock's due time is stale until it resumes: it says nothing about urgency.
            .where(SlaClock.ticket_id.in_(ticket_ids), SlaClock.stopped_at.is_(None), SlaClock.paused_since.is_(None))
            .group_by(SlaClock.ticket_id)
        )
        return {int(ticket_id): (due, bool(b)) for ticket_id, due, b in rows}

    def ratings_query(self, team_id: str, start: datetime, end: datetime) -> Executable:
        # ix_feedback_team_created.
        return select(func.count(Feedback.rating), func.sum(Feedback.rating)).where(
            Feedback.team_id == team_id,
            Feedback.created_at >= start,
            Feedback.created_at < end,
            Feedback.rating.is_not(None),
        )

    async def _ratings(self, session: AsyncSession, team_id: str, start: datetime, end: datetime) -> int:
        count, _ = (await session.execute(self.ratings_query(team_id, start, end))).one()
        return int(count)

    async def _rating_sum(self, session: AsyncSession, team_id: str, start: datetime, end: datetime) -> tuple[int, int]:
        # A sum and a count rather than AVG: PostgreSQL and SQLite round AVG differently.
        count, total = (await session.execute(self.ratings_query(team_id, start, end))).one()
        return int(count), int(total or 0)

    async def _low_ratings(
        self, session: AsyncSession, team_id: str, start: datetime, end: datetime
    ) -> tuple[LowRating, ...]:
        rows = await session.execute(
            select(Ticket.key, Feedback.rating, Feedback.followed_up_by)
            .join(Ticket, Ticket.id == Feedback.ticket_id)
            .where(
                Feedback.team_id == team_id,
                Feedback.created_at >= start,
                Feedback.created_at < end,
                Feedback.rating <= self._config.feedback.low_rating,
            )
            .order_by(Feedback.created_at.desc(), Feedback.id.desc())
            .limit(COMMENTS)
        )
        return tuple(LowRating(key, int(rating or 0), followed_up_by) for key, rating, followed_up_by in rows)

    async def _comments(
        self, session: AsyncSession, team_id: str, start: datetime, end: datetime
    ) -> tuple[RatingComment, ...]:
        rows = await session.execute(
            select(Ticket.key, Feedback.rating, Feedback.comment, Feedback.created_at)
            .join(Ticket, Ticket.id == Feedback.ticket_id)
            .where(
                Feedback.team_id == team_id,
                Feedback.created_at >= start,
                Feedback.created_at < end,
                Feedback.rating.is_not(None),
                Feedback.comment.is_not(None),
                Feedback.comment != "",
            )
            .order_by(Feedback.created_at.desc(), Feedback.id.desc())
            .limit(COMMENTS)
        )
        return tuple(
            RatingComment(key=key, rating=int(rating or 0), comment=str(comment), created_at=at or end)
            for key, rating, comment, at in rows
        )
