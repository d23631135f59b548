"""kill -9 the desk at random points while Slack keeps sending signed events; restart it; every event Slack
got a 200 for (and every one it retried) ends as exactly one ticket and exactly one visible reply."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db.models import Ticket
from bot.desk_process import DeskProcess
from bot.localslack.driver import Delivery, LocalSlack
from tests.conftest import REPO
from tests.databases import Database

EVENTS = 16
KILLS = 2


def desk_config(tmp_path: Path, *, it_calendar: str = "stockholm-office") -> Path:
    text = (REPO / "app.yaml").read_text(encoding="utf-8")
    text = text.replace("path: knowledge/articles", f"path: {REPO / 'knowledge' / 'articles'}")
    text = text.replace(
        "    calendar: stockholm-office\n    sla: standard\n", f"    calendar: {it_calendar}\n    sla: standard\n", 1
    )
    path = tmp_path / "app.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def process_env(db: Database, slack: LocalSlack) -> dict[str, str]:
    return {
        "DATABASE_URL": db.url,
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_API_URL": slack.api_url,
        "SLACK_APP_TOKEN": "",
    }


@pytest.fixture
async def live_slack() -> AsyncIterator[LocalSlack]:
    # Real time on both sides: the desk processes run on the system clock.
    async with LocalSlack() as slack:
        yield slack


async def bounded_wait(check: Callable[[], Awaitable[bool]], limit: float = 90.0) -> None:
    """Poll until the other process has caught up (it runs elsewhere: no event of ours can tell us)."""

    async def loop() -> None:
        while not await check():  # noqa: ASYNC110
            await asyncio.sleep(0.25)

    await asyncio.wait_for(loop(), limit)


def bot_replies(slack: LocalSlack, channel: str, ts: str) -> int:
    return sum(1 for m in slack.thread(channel, ts) if m.user == slack.workspace.app.bot_user_id)


async def test_kill_nine_at_random_points_loses_and_duplicates_nothing(
    db: Database, live_slack: LocalSlack, tmp_path: Path
) -> None:
    slack = live_slack
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    desk = DeskProcess(desk_config(tmp_path), process_env(db, slack))
    await desk.start()
    slack.request_url = desk.url
    help_channel = slack.workspace.channel("#help")
    anna = slack.workspace.user("anna").id
    messages = [
        slack.workspace.post(help_channel, text=f"the printer by desk {n} on floor 3 is jammed", user=anna).ts
        for n in range(EVENTS)
    ]
    kill_after = set(rng.sample(range(2, EVENTS - 2), KILLS))
    unanswered: list[Delivery] = []
    try:
        for index, ts in enumerate(messages):
            delivery = await slack.add_reaction("lena-it", "#help", ts, "ticket")
            assert delivery is not None
            if delivery.status != 200:
                unanswered.append(delivery)
            if index in kill_after:
                # Right after Slack got its 200 the event is stored but often not yet processed.
                await desk.kill9()
                down = await slack.add_reaction("oskar-it", "#help", messages[index + 1], "ticket")
                assert down is not None
                assert down.failure == "connection_failed"
                unanswered.append(down)
                await desk.start()
        # Slack retries what it got no 200 for, with its retry headers.
        for attempt, delivery in enumerate(unanswered, start=1):
            again = await slack.redeliver(delivery, retry_num=min(attempt, 3), reason="http_error")
            assert again.status == 200

        async def everything_done() -> bool:
            async with db.sessions() as session:
                tickets = await session.scalar(select(func.count()).select_from(Ticket))
            return tickets == EVENTS and all(bot_replies(slack, "#help", ts) >= 1 for ts in messages)

        await bounded_wait(everything_done)
        await asyncio.sleep(1.0)  # let any stray duplicate surface before counting
    finally:
        await desk.stop()

    async with db.sessions() as session:
        origins = Counter(await session.scalars(select(Ticket.origin_key)))
    assert len(origins) == EVENTS, f"seed {seed}"
    assert set(origins.values()) == {1}, f"seed {seed}"
    replies = {ts: bot_replies(slack, "#help", ts) for ts in messages}
    assert set(replies.values()) == {1}, f"seed {seed}: {replies}"
    cards = [m for m in slack.messages_in("#it-triage") if m.user == slack.workspace.app.bot_user_id]
    assert len(cards) == EVENTS, f"seed {seed}"
