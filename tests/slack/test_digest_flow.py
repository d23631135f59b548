"""The digest end to end: queued by the scheduler job, posted by the outbox to the Slack stand-in with its chart
in the thread, once per channel and day across restarts, Slack hiccups and two processes."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.blocks.ids import ActionId
from bot.bootstrap import Desk
from bot.cli import main
from bot.clock import FixedClock
from bot.config import DeskConfig
from bot.db.models import OutboxMessage, Ticket
from bot.digest_wiring import DigestPlanner, digest_service, schedule_digest
from bot.localslack.driver import LocalSlack
from bot.localslack.models import Message
from bot.notify.digest_messages import DigestMessages
from bot.scheduler import Leases, Scheduler
from bot.services.outbox import OutboxDispatcher
from tests.conftest import REPO
from tests.databases import Database
from tests.services.digest_history import DIGEST_NOW, LENA, build_history
from tests.slack.conftest import desk_env

CHART = "digest-it-C0ITTRIAGE-2026-11-27.png"


@pytest.fixture(autouse=True)
def _friday_morning(clock: FixedClock) -> None:
    clock.set(DIGEST_NOW)  # 09:00 in Stockholm, Friday 27 November 2026


@pytest.fixture
async def history(db: Database) -> None:
    async with db.sessions.begin() as session:
        await build_history(session)


def planner(desk: Desk, config: DeskConfig | None = None) -> DigestPlanner:
    return DigestPlanner(desk.sessions, desk.clock, config or desk.config, desk.policies)


def digests(slack: LocalSlack, channel: str) -> list[Message]:
    """The digests posted to a channel: the bot's messages carrying a digest run key as metadata."""
    return [m for m in slack.messages_in(channel) if (m.metadata or {}).get("event_type") == "desk_digest"]


def charts(slack: LocalSlack, channel: str, message: Message) -> list[str]:
    return [f["name"] for m in slack.thread(channel, message.ts) for f in m.files]


async def test_the_digest_arrives_with_its_chart_and_claim_works(
    desk: Desk, slack: LocalSlack, db: Database, history: None
) -> None:
    assert await planner(desk).queue_due() == 6
    await desk.settle()

    [digest] = digests(slack, "#it-triage")
    shown = digest.text_content
    assert "IT: morning digest, Friday 27 November" in shown
    assert "Opened *3* · resolved *2*" in shown
    assert "At risk *1* · breached *1*" in shown
    assert "VPN &lt;drops&gt; &amp; reconnects" in shown
    assert charts(slack, "#it-triage", digest) == [CHART]
    png = next(f for f in slack.workspace.files.values() if f["name"] == CHART)["content"]
    assert png.startswith(b"\x89PNG")

    await slack.click("lena-it", digest, ActionId.CLAIM, block_id="digest.oldest.1003")
    await desk.settle()
    async with db.sessions() as session:
        claimed = await session.scalar(select(Ticket).where(Ticket.key == "IT-3"))
        assert claimed is not None
        assert claimed.assignee_id == LENA
        assert claimed.state == "in_progress"


async def test_every_channel_gets_one_digest_and_secrets_stay_private(
    desk: Desk, slack: LocalSlack, history: None
) -> None:
    await planner(desk).queue_due()
    await desk.settle()
    await planner(desk).queue_due()  # the next minute's round
    await desk.settle()
    for channel in ("#it-triage", "#hr-triage", "#finance-triage", "#facilities-triage", "#comms-triage"):
        assert len(digests(slack, channel)) == 1, channel
    [hr] = digests(slack, "#hr-triage")
    assert "Harassment report" in hr.text_content  # its own private channel may list its tickets
    assert "Agnes handled" not in hr.text_content  # but no rating comments
    [company] = digests(slack, "#general")
    assert "*HR* opened 2 · resolved 1 · open 1" in company.text_content
    for secret in ("Harassment", "Parental", "Agnes", "VPN"):
        assert secret not in company.text_content
    # Facilities and Communications had nothing: one line each.
    [quiet] = digests(slack, "#comms-triage")
    assert quiet.text_content.startswith("Communications: a quiet desk.")


async def test_quiet_desks_can_post_nothing(desk: Desk, slack: LocalSlack) -> None:
    silent = desk.config.model_copy(update={"digest": desk.config.digest.model_copy(update={"when_quiet": "none"})})
    DigestMessages(digest_service(desk), desk.gateway, silent, desk.clock).register(desk.outbox)
    assert await planner(desk).queue_due() == 6
    await desk.settle()
    for channel in ("#it-triage", "#general"):
        assert digests(slack, channel) == []
    assert await desk.outbox.backlog() == 0  # handled, not left to retry


async def test_a_restart_after_posting_does_not_post_again(
    desk: Desk, slack: LocalSlack, db: Database, history: None
) -> None:
    await planner(desk).queue_due()
    # The process claims the IT row, posts the digest and the chart, then dies before marking the row sent.
    dying = OutboxDispatcher(desk.sessions, desk.clock)
    register_senders = DigestMessages(digest_service(desk), desk.gateway, desk.config, desk.clock)
    register_senders.register(dying)
    claimed = await dying._claim(limit=50)
    [it_row] = [item for item in claimed if item.dedupe_key == "digest:it:C0ITTRIAGE:2026-11-27"]
    await register_senders.send_team(it_row)
    assert len(digests(slack, "#it-triage")) == 1

    desk.clock.advance(OutboxDispatcher.LEASE + timedelta(seconds=1))  # its lease runs out
    await desk.settle()
    [digest] = digests(slack, "#it-triage")
    assert charts(slack, "#it-triage", digest) == [CHART]
    async with db.sessions() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == it_row.dedupe_key))
        assert row is not None
        assert row.sent_at is not None
        assert row.attempts == 2


async def test_slack_dropping_the_upload_retries_the_chart_not_the_digest(
    desk: Desk, slack: LocalSlack, history: None
) -> None:
    slack.faults.inject("files.getUploadURLExternal", "drop", times=4)  # more than the client's own retries
    await planner(desk).queue_due()
    await desk.settle()
    [digest] = digests(slack, "#it-triage")
    assert charts(slack, "#it-triage", digest) == []

    desk.clock.advance(timedelta(seconds=5))
    await desk.settle()
    assert digests(slack, "#it-triage") == [digest]
    assert charts(slack, "#it-triage", digest) == [CHART]


async def test_a_refused_upload_puts_the_trend_in_the_digest_as_text(
    desk: Desk, slack: LocalSlack, history: None
) -> None:
    slack.faults.inject("files.getUploadURLExternal", "refused", error="not_allowed")  # e.g. an admin policy
    await planner(desk).queue_due()
    await desk.settle()
    [digest] = digests(slack, "#it-triage")
    assert charts(slack, "#it-triage", digest) == []
    shown = slack.workspace.message(digest.channel, digest.ts).text_content
    assert "opened     1  0  0  0  0  0  0  1  0  0  1  1  2  3" in shown
    assert "chart in the thread" not in shown


async def test_two_processes_deliver_each_digest_once(desk: Desk, slack: LocalSlack, history: None) -> None:
    other = OutboxDispatcher(desk.sessions, desk.clock)
    DigestMessages(digest_service(desk), desk.gateway, desk.config, desk.clock).register(other)
    await asyncio.gather(planner(desk).queue_due(), planner(desk).queue_due())
    await asyncio.gather(desk.outbox.drain(), other.drain())
    for channel in ("#it-triage", "#hr-triage", "#general"):
        assert len(digests(slack, channel)) == 1, channel


async def test_agents_get_their_tickets_most_urgent_first(desk: Desk, slack: LocalSlack, history: None) -> None:
    with_dms = desk.config.model_copy(update={"digest": desk.config.digest.model_copy(update={"agent_dms": True})})
    await planner(desk, with_dms).queue_due()
    await desk.settle()
    # Lena's Slack speaks Swedish, Oskar's English.
    [dm] = [m for m in slack.dm_with("lena-it") if "Dina öppna ärenden" in m.text]
    shown = dm.text_content
    assert "God morgon! Dina öppna ärenden, mest brådskande först (2):" in shown
    assert shown.index("IT-5") < shown.index("IT-8")  # IT-5's clock runs out first; IT-8 has none running
    [english] = [m for m in slack.dm_with("oskar-it") if "Your open tickets" in m.text]
    assert "Good morning! Your open tickets, most urgent first (1):" in english.text_content
    assert "IT-6" in english.text_content
    assert "due" not in english.text_content  # its clock is paused: no stale due time
    assert json.dumps(dm.blocks).count("desk.claim") == 0


async def test_an_admin_can_post_todays_digest_on_demand_once(
    db: Database, slack: LocalSlack, history: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in desk_env(db, slack).items():
        monkeypatch.setenv(name, value)
    argv = ["digest", "--post", "--team", "it", "--config", str(REPO / "app.yaml")]
    # The command runs its own event loop, as from a shell; the stand-in keeps serving on this one meanwhile.
    assert await asyncio.to_thread(main, argv) == 0
    assert "1 digest(s) queued and delivered" in capsys.readouterr().out
    assert len(digests(slack, "#it-triage")) == 1
    assert digests(slack, "#hr-triage") == []

    assert await asyncio.to_thread(main, argv) == 0
    assert "already posted" in capsys.readouterr().out
    assert len(digests(slack, "#it-triage")) == 1


async def test_two_schedulers_with_the_digest_job_post_once(desk: Desk, slack: LocalSlack, history: None) -> None:
    schedulers = [Scheduler(Leases(desk.sessions, desk.clock, holder)) for holder in ("host-a:1", "host-b:2")]
    for scheduler in schedulers:
        schedule_digest(desk, scheduler)
    ran = await asyncio.gather(*(s.run_once("digest") for s in schedulers))
    assert sorted(ran) == [False, True]  # the lease lets one of them run the job
    # The holder dies; once its lease (three intervals) has run out the other takes over and runs the same
    # morning again: the run keys are already there, so nothing is queued twice.
    desk.clock.advance(timedelta(minutes=4))
    assert await schedulers[ran.index(False)].run_once("digest")
    other = OutboxDispatcher(desk.sessions, desk.clock)
    DigestMessages(digest_service(desk), desk.gateway, desk.config, desk.clock).register(other)
    await asyncio.gather(desk.outbox.drain(), other.drain())
    for channel in ("#it-triage", "#hr-triage", "#finance-triage", "#facilities-triage", "#comms-triage", "#general"):
        assert len(digests(slack, channel)) == 1, channel
