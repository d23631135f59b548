"""The headline benchmark runs end to end: bare Bolt and the desk each in a process of their own, every event
acknowledged and (for the desk) answered in the Slack stand-in. Its timings are read by people, not asserted."""

from __future__ import annotations

import json

import pytest

from bot.bench import headline
from tests.databases import postgres_url


async def test_the_benchmark_measures_both_servers_and_every_event_gets_its_reply(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["--events", "12", "--senders", "3", "--repeats", "1"]
    pg = postgres_url()
    if pg:
        argv += ["--postgres", pg]
    await headline.main_async(headline.parser().parse_args(argv))
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    targets = [line["target"] for line in lines]
    expected = ["bare_bolt_noop", "bare_bolt_reply", "desk_end_to_end_sqlite"]
    assert targets == expected + (["desk_end_to_end_postgresql"] if pg else [])
    for line in lines:
        assert line["events"] == 12
        assert set(line["throughput_per_s"]) == {"min", "median", "max"}
        assert line["server_peak_rss_mb"] > 0
    assert all(line["ratio_to_bare_median"] > 0 for line in lines[1:])
