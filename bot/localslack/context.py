"""What every API method sees: the workspace, where the stand-in is reachable, and the arguments of the call
read the way Slack reads them (form strings or JSON, JSON-in-a-string for blocks and views)."""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.localslack.blockkit import Violation
from bot.localslack.errors import SlackApiError
from bot.localslack.faults import Faults
from bot.localslack.models import Message
from bot.localslack.recorder import Recorder
from bot.localslack.workspace import Workspace


@dataclass
class ResponseTarget:
    """Where a `response_url` answers: the channel, the user who acted, and the message acted on (if any)."""

    channel_id: str
    user_id: str
    message_ts: str | None = None
    ephemeral_ts: str | None = None
    thread_ts: str | None = None
    uses: int = 0


@dataclass
class StandIn:
    workspace: Workspace
    faults: Faults = field(default_factory=Faults)
    recorder: Recorder = field(default_factory=Recorder)
    base_url: str = "http://127.0.0.1"
    response_targets: dict[str, ResponseTarget] = field(default_factory=dict)
    uploads: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Called for every message the bot posts, so the driver can echo it to the app as Slack does.
    on_bot_message: Callable[[Message], None] | None = None

    def bot_posted(self, message: Message) -> None:
        if self.on_bot_message is not None:
            self.on_bot_message(message)

    def new_response_url(self, target: ResponseTarget) -> str:
        key = secrets.token_urlsafe(12)
        self.response_targets[key] = target
        return f"{self.base_url}/response/{key}"


class Args:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def text(self, name: str, default: str = "") -> str:
        value = self.raw.get(name)
        return default if value is None else str(value)

    def opt(self, name: str) -> str | None:
        value = self.raw.get(name)
        return None if value in (None, "") else str(value)

    def flag(self, name: str) -> bool:
        value = self.raw.get(name)
        if isinstance(value, bool):
            return value
        return str(value).lower() in ("1", "true", "yes")

    def number(self, name: str, default: int) -> int:
        value = self.raw.get(name)
        if value in (None, ""):
            return default
        try:
            return int(str(value))
        except ValueError:
            raise SlackApiError("invalid_arguments") from None

    def json(self, name: str, error: str) -> Any:
        """A structured argument: a list/dict in a JSON body, or a JSON string in a form body."""
        value = self.raw.get(name)
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise SlackApiError(error) from None
        return value


def invalid_blocks(violations: list[Violation]) -> SlackApiError:
    errors = [str(v) for v in violations]
    return SlackApiError(
        "invalid_blocks", errors=errors, response_metadata={"messages": [f"[ERROR] {e}" for e in errors]}
    )


def invalid_view(violations: list[Violation]) -> SlackApiError:
    return SlackApiError("invalid_arguments", response_metadata={"messages": [f"[ERROR] {v}" for v in violations]})


def encode_cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        kind, _, number = base64.b64decode(cursor.encode()).decode().partition(":")
        if kind != "offset":
            raise ValueError(cursor)
        return int(number)
    except ValueError:
        raise SlackApiError("invalid_cursor") from None


def page(items: list[Any], args: Args, *, default_limit: int = 100) -> tuple[list[Any], dict[str, Any]]:
    """Slack's cursor pagination: a slice of `items` and the `response_metadata` that points past it."""
    limit = max(1, min(args.number("limit", default_limit), 999))
    start = decode_cursor(args.opt("cursor"))
    chunk = items[start : start + limit]
    more = start + limit < len(items)
    return chunk, {
        "has_more": more,
        "response_metadata": {"next_cursor": encode_cursor(start + limit) if more else ""},
    }
