"""A known desk history for the digest tests: tickets across days and states, SLA outcomes and ratings, inserted
directly so every figure the digest shows can be worked out by hand (see the comments on each row)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Feedback, SlaClock, Ticket

ANNA, LENA, OSKAR = "U0ANNA0001", "U0LENA0001", "U0OSKAR001"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def ticket(
    team: str,
    number: int,
    created: datetime,
    state: str,
    *,
    title: str | None = None,
    priority: str = "medium",
    assignee: str | None = None,
    first_response: datetime | None = None,
    resolved: datetime | None = None,
) -> Ticket:
    return Ticket(
        id=(1000 if team == "it" else 2000 if team == "hr" else 3000) + number,
        key=f"{team.upper()}-{number}",
        team_id=team,
        number=number,
        kind="request",
        priority=priority,
        state=state,
        title=title or f"{team} ticket {number}",
        requester_id=ANNA,
        assignee_id=assignee,
        created_at=created,
        updated_at=created,
        first_response_at=first_response,
        resolved_at=resolved,
    )


def clock(
    ticket_id: int,
    kind: str,
    started: datetime,
    *,
    due: datetime | None = None,
    warn: datetime | None = None,
    stopped: datetime | None = None,
    met: bool | None = None,
    breached: datetime | None = None,
    paused: datetime | None = None,
) -> SlaClock:
    return SlaClock(
        ticket_id=ticket_id,
        kind=kind,
        calendar="stockholm-office",
        target_minutes=240,
        started_at=started,
        due_at=due,
        warn_at=warn,
        stopped_at=stopped,
        met=met,
        breached_at=breached,
        paused_since=paused,
    )


def feedback(ticket_id: int, team: str, rating: int, at: datetime, comment: str | None = None) -> Feedback:
    return Feedback(
        ticket_id=ticket_id,
        team_id=team,
        requester_id=ANNA,
        requested_at=at - timedelta(hours=1),
        rating=rating,
        comment=comment,
        created_at=at,
    )


# The digest of Friday 27 November 2026 (Stockholm, UTC+1): "yesterday" is Thursday 26 November,
# [2026-11-25 23:00 UTC, 2026-11-26 23:00 UTC). "Now" is 09:00 local.
DIGEST_NOW = utc(2026, 11, 27, 8, 0)


async def build_history(session: AsyncSession) -> None:
    rows: list[object] = [
        # Opened and resolved yesterday: first response 08:30->09:00 (30 working min), resolved 10:30 (120).
        ticket(
            "it",
            1,
            utc(2026, 11, 26, 7, 30),
            "resolved",
            assignee=LENA,
            first_response=utc(2026, 11, 26, 8, 0),
            resolved=utc(2026, 11, 26, 9, 30),
        ),
        # Opened Wednesday 16:00; answered Thursday 09:00 (60+60 = 120 working min, breached), resolved
        # Thursday 16:00 (60 + 480 = 540 working min, met).
        ticket(
            "it",
            2,
            utc(2026, 11, 25, 15, 0),
            "resolved",
            assignee=OSKAR,
            first_response=utc(2026, 11, 26, 8, 0),
            resolved=utc(2026, 11, 26, 15, 0),
        ),
        # Opened 23:30 local Thursday: yesterday. Unassigned, its first response clock past the warning.
        ticket("it", 3, utc(2026, 11, 26, 22, 30), "open", title="VPN <drops> & reconnects", priority="high"),
        # Opened 00:30 local Friday: today, not yesterday. Unassigned, first response breached.
        ticket("it", 4, utc(2026, 11, 26, 23, 30), "new", priority="critical"),
        # In progress for a week, its resolution clock far from the warning point.
        ticket("it", 5, utc(2026, 11, 20, 10, 0), "in_progress", assignee=LENA),
        # Waiting on the requester: the clock is paused, its stale due time must not count as breached.
        ticket("it", 6, utc(2026, 11, 24, 9, 0), "waiting_on_requester", assignee=OSKAR),
        ticket("it", 7, utc(2026, 11, 23, 9, 0), "awaiting_approval"),
        # Opened 00:30 local Thursday (yesterday's first minute window), answered 08:15 (15 working min).
        ticket("it", 8, utc(2026, 11, 25, 23, 30), "open", assignee=LENA, first_response=utc(2026, 11, 26, 7, 15)),
        # Opened 23:30 local Wednesday; resolved at 00:00 local Friday exactly: neither counts for yesterday.
        ticket("it", 9, utc(2026, 11, 25, 22, 30), "resolved", resolved=utc(2026, 11, 26, 23, 0)),
        ticket("it", 10, utc(2026, 10, 1, 9, 0), "closed", resolved=utc(2026, 10, 2, 9, 0)),
        # Opened 00:30 and resolved 00:40 local 13 November: the trend's first day, both columns.
        ticket("it", 11, utc(2026, 11, 12, 23, 30), "closed", resolved=utc(2026, 11, 12, 23, 40)),
        # Another team's busy day must not leak into IT's figures.
        ticket("finance", 1, utc(2026, 11, 26, 9, 0), "open", title="Invoice 4411 is wrong"),
        # HR is confidential: its titles and comments stay out of public places.
        ticket(
            "hr",
            1,
            utc(2026, 11, 26, 10, 0),
            "resolved",
            title="Parental leave question for Erik",
            resolved=utc(2026, 11, 26, 12, 0),
            first_response=utc(2026, 11, 26, 11, 0),
        ),
        ticket("hr", 2, utc(2026, 11, 26, 13, 0), "open", title="Harassment report, confidential"),
    ]
    session.add_all(rows)
    await session.flush()
    session.add_all(
        [
            clock(1001, "first_response", utc(2026, 11, 26, 7, 30), stopped=utc(2026, 11, 26, 8, 0), met=True),
            clock(1001, "resolution", utc(2026, 11, 26, 7, 30), stopped=utc(2026, 11, 26, 9, 30), met=True),
            clock(
                1002,
                "first_response",
                utc(2026, 11, 25, 15, 0),
                stopped=utc(2026, 11, 26, 8, 0),
                met=False,
                breached=utc(2026, 11, 26, 7, 15),
            ),
            clock(1002, "resolution", utc(2026, 11, 25, 15, 0), stopped=utc(2026, 11, 26, 15, 0), met=True),
            clock(
                1003,
                "first_response",
                utc(2026, 11, 26, 22, 30),
                warn=utc(2026, 11, 27, 7, 0),
                due=utc(2026, 11, 27, 9, 0),
            ),
            clock(
                1004,
                "first_response",
                utc(2026, 11, 26, 23, 30),
                warn=utc(2026, 11, 27, 7, 11),
                due=utc(2026, 11, 27, 7, 15),
                breached=utc(2026, 11, 27, 7, 15),
            ),
            clock(
                1005, "resolution", utc(2026, 11, 20, 10, 0), warn=utc(2026, 11, 30, 9, 0), due=utc(2026, 12, 1, 9, 0)
            ),
            clock(
                1006,
                "resolution",
                utc(2026, 11, 24, 9, 0),
                warn=utc(2026, 11, 26, 9, 0),
                due=utc(2026, 11, 26, 12, 0),
                paused=utc(2026, 11, 25, 9, 0),
            ),
            clock(1008, "first_response", utc(2026, 11, 25, 23, 30), stopped=utc(2026, 11, 26, 7, 15), met=True),
            # Stopped yesterday but in another team: not IT's SLA.
            clock(3001, "first_response", utc(2026, 11, 26, 9, 0), stopped=utc(2026, 11, 26, 9, 5), met=False),
            clock(2001, "first_response", utc(2026, 11, 26, 10, 0), stopped=utc(2026, 11, 26, 11, 0), met=True),
            clock(2001, "resolution", utc(2026, 11, 26, 10, 0), stopped=utc(2026, 11, 26, 12, 0), met=True),
        ]
    )
    session.add_all(
        [
            feedback(1001, "it", 5, utc(2026, 11, 26, 10, 0), "Quick & <great> help"),
            feedback(1002, "it", 2, utc(2026, 11, 26, 16, 0), "Took too long"),
            feedback(1009, "it", 4, utc(2026, 11, 10, 12, 0)),
            feedback(1010, "it", 1, utc(2026, 10, 20, 12, 0), "Outside the thirty days"),
            feedback(1011, "it", 3, utc(2026, 11, 27, 7, 0), "Today, not yesterday"),
            feedback(2001, "hr", 4, utc(2026, 11, 26, 13, 0), "Agnes handled my leave question kindly"),
        ]
    )
