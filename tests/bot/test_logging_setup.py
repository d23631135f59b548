from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logging_setup import CHATTY, configure_logging


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in CHATTY}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def lines(stream: io.StringIO) -> list[str]:
    return stream.getvalue().splitlines()


def test_json_lines_carry_level_logger_message_and_extra_fields() -> None:
    out = io.StringIO()
    configure_logging("INFO", "json", stream=out)
    logging.getLogger("bot.services.tickets").info(
        "ticket %s claimed", "IT-7", extra={"ticket_key": "IT-7", "team": "it", "user": "U0LENA0001"}
    )
    [line] = lines(out)
    record = json.loads(line)
    assert record["level"] == "INFO"
    assert record["logger"] == "bot.services.tickets"
    assert record["message"] == "ticket IT-7 claimed"
    assert (record["ticket_key"], record["team"], record["user"]) == ("IT-7", "it", "U0LENA0001")
    assert record["timestamp"].endswith("+00:00")


def test_json_exceptions_stay_on_one_line() -> None:
    out = io.StringIO()
    configure_logging("INFO", "json", stream=out)
    try:
        raise RuntimeError("the database went away")
    except RuntimeError:
        logging.getLogger("bot").exception("outbox round failed")
    [line] = lines(out)
    record = json.loads(line)
    assert "RuntimeError: the database went away" in record["exception"]


def test_tokens_and_the_signing_secret_are_redacted_everywhere() -> None:
    out = io.StringIO()
    secret = "8f14e45fceea167a5a36dedd4bea2543"
    configure_logging("INFO", "json", secrets=[secret], stream=out)
    log = logging.getLogger("slack_bolt.App")
    log.warning("calling with token xoxb-1234-5678-abcdEFGH and app token %s", "xapp-1-A0DESK-99-ff00")
    log.warning("user token xoxp-11-22-33-aa in %s", {"signing_secret": secret}, extra={"channel": f"x{secret}"})
    try:
        raise ValueError(f"bad header with xoxb-local-desk and {secret}")
    except ValueError:
        logging.getLogger("bot").exception("failed")
    text = out.getvalue()
    for leaked in ("xoxb-1234", "xapp-1-A0DESK", "xoxp-11", "xoxb-local-desk", secret):
        assert leaked not in text
    assert [json.loads(line)["message"] for line in lines(out)] == [
        "calling with token [redacted] and app token [redacted]",
        "user token [redacted] in {'signing_secret': '[redacted]'}",
        "failed",
    ]


def test_plain_text_is_redacted_too() -> None:
    out = io.StringIO()
    configure_logging("INFO", "text", stream=out)
    logging.getLogger("bot").info("token is xoxb-local-desk")
    [line] = lines(out)
    assert line.endswith("INFO bot: token is [redacted]")


def test_third_party_debug_chatter_is_kept_down_unless_debug() -> None:
    out = io.StringIO()
    configure_logging("INFO", "text", stream=out)
    logging.getLogger("sqlalchemy.engine.Engine").info("SELECT 1")
    logging.getLogger("aiosqlite").debug("executing")
    logging.getLogger("slack_sdk.web").info("sending a request")
    logging.getLogger("bot.web").info("desk line")
    assert [line.split(" ", 3)[-1] for line in lines(out)] == ["bot.web: desk line"]

    configure_logging("DEBUG", "text", stream=out)
    logging.getLogger("sqlalchemy.engine.Engine").info("SELECT 2")
    assert lines(out)[-1].endswith("sqlalchemy.engine.Engine: SELECT 2")


def test_calling_again_replaces_the_handler_and_unknown_levels_are_refused() -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging("INFO", "text", stream=first)
    configure_logging("INFO", "text", stream=second)
    logging.getLogger("bot").info("once")
    assert (lines(first), len(lines(second))) == ([], 1)
    with pytest.raises(ValueError, match="unknown log level"):
        configure_logging("LOUD", "text")
