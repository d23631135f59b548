"""Logging for `servicedesk run`: JSON lines for a log collector (LOG_FORMAT=json) or plain text for people,
third-party chatter kept down, and secrets never written, whoever logs them."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO, Any

# Libraries that log every query, frame or request at DEBUG/INFO; only LOG_LEVEL=DEBUG lets them through.
CHATTY = ("aiosqlite", "asyncio", "slack_sdk", "slack_bolt", "sqlalchemy", "asyncpg", "alembic")

# Slack tokens: bot (xoxb-), user (xoxp-), app-level (xapp-), and the other xox?- kinds.
TOKEN = re.compile(r"\b(?:xox[abeoprs]|xapp)-[A-Za-z0-9-]+")
REDACTED = "[redacted]"

# What every LogRecord has; anything else on a record came from `extra=` and goes into the JSON line.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class RedactSecrets(logging.Filter):
    """Replaces Slack tokens and the given secrets (the signing secret) in messages, their arguments,
    exception text and extra fields, before any formatter sees them."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # Short values would redact ordinary words; real secrets are long.
        self._secrets = sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return TOKEN.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, self.redact(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp, level, logger, message, then the record's extra fields
    (ticket_key, team, user, channel, event_id... whatever the caller passed with `extra=`)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in line:
                line[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False, default=str)


class _DeskHandler(logging.StreamHandler[IO[str]]):
    """Marks the handler configure_logging installed, so calling it again replaces it instead of adding one."""


def configure_logging(
    level: str = "INFO", fmt: str = "text", *, secrets: Iterable[str] = (), stream: IO[str] | None = None
) -> None:
    """Set up the root logger: `fmt` is "json" or "text"; `secrets` are redacted wherever they appear."""
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        raise ValueError(f"unknown log level {level!r}; use DEBUG, INFO, WARNING or ERROR")
    handler = _DeskHandler(stream or sys.stderr)
    if fmt.lower() == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    # On the handler, not a logger: logger filters do not see records that propagate from child loggers.
    handler.addFilter(RedactSecrets(secrets))

    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _DeskHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric)
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.NOTSET if numeric <= logging.DEBUG else logging.WARNING)
