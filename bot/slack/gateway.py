"""Slack Web API calls the desk makes, behind one AsyncWebClient on one aiohttp session, with slack_sdk's
retry handlers for 429 (Retry-After), 5xx and dropped connections (the client's defaults retry none of them),
and small TTL caches for what rarely changes (users' locales, DM channels, user-group members)."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

Blocks = Sequence[dict[str, Any]]


@dataclass(frozen=True)
class SlackUser:
    id: str
    name: str
    locale: str | None
    tz: str | None
    is_bot: bool
    deleted: bool


class _TTLCache:
    def __init__(self, ttl: float) -> None:
        self._ttl = ttl
        self._values: dict[str, tuple[float, Any]] = {}

    def get(self, key: str) -> Any | None:
        hit = self._values.get(key)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        return None

    def put(self, key: str, value: Any) -> None:
        self._values[key] = (time.monotonic() + self._ttl, value)


class SlackApiMeter(Protocol):
    """What the Web API client reports for /metrics (bot/metrics.py)."""

    def slack_call(self, method: str) -> None: ...
    def slack_error(self, method: str, error: str) -> None: ...


class MeteredWebClient(AsyncWebClient):
    """Every Web API method of AsyncWebClient, Bolt's included, goes through api_call: counting there sees all
    calls (a call retried after a 429 counts once) and every error Slack answers with."""

    meter: SlackApiMeter | None = None

    async def api_call(self, api_method: str, **kwargs: Any) -> Any:
        if self.meter is None:
            return await super().api_call(api_method, **kwargs)
        self.meter.slack_call(api_method)
        try:
            return await super().api_call(api_method, **kwargs)
        except SlackApiError as exc:
            self.meter.slack_error(api_method, str(exc.response.get("error") or "unknown"))
            raise
        except (aiohttp.ClientError, TimeoutError) as exc:  # no answer at all (after the retry handlers)
            self.meter.slack_error(api_method, type(exc).__name__)
            raise


def make_web_client(
    token: str, api_url: str, session: aiohttp.ClientSession | None, *, blind_retries: bool = True
) -> AsyncWebClient:
    """The Web API client. A 429 was not processed, so retrying it is always safe. A 500 or a dropped
    connection may come after Slack did the work: `blind_retries=False` leaves those to the caller, which for
    posts is the outbox, that first looks for the message before it posts again."""
    handlers: list[Any] = [AsyncRateLimitErrorRetryHandler(max_retry_count=3)]
    if blind_retries:
        handlers += [
            AsyncServerErrorRetryHandler(max_retry_count=3),
            AsyncConnectionErrorRetryHandler(max_retry_count=3),
        ]
    return MeteredWebClient(
        token=token,
        base_url=api_url if api_url.endswith("/") else api_url + "/",
        session=session,
        timeout=15,
        retry_handlers=handlers,
        logger=_sdk_logger(),
    )


def _sdk_logger() -> logging.Logger:
    """slack_sdk decides whether to format its debug lines (the whole request, blocks and all) by testing the
    logger's own level, `logger.level <= DEBUG`, which a logger left at NOTSET always passes. Given the level
    it inherits anyway, the debug lines are built only when they would be shown."""
    logger = logging.getLogger("slack_sdk.web.async_client")
    if logger.level == logging.NOTSET:
        logger.setLevel(logger.getEffectiveLevel())
    return logger


class SlackGateway:
    USER_TTL = 600.0
    GROUP_TTL = 300.0

    def __init__(self, client: AsyncWebClient, posting: AsyncWebClient | None = None) -> None:
        self.client = client
        # For chat.postMessage: no blind retries, so a lost answer cannot become a second message.
        self.posting = posting or client
        self._users = _TTLCache(self.USER_TTL)
        self._groups = _TTLCache(self.GROUP_TTL)
        self._dms: dict[str, str] = {}
        self._bot_user_id: str | None = None

    async def bot_user_id(self) -> str:
        # auth.test once per process: it never changes while the token is the same.
        if self._bot_user_id is None:
            response = await self.client.auth_test()
            self._bot_user_id = str(response["user_id"])
        return self._bot_user_id

    async def post(
        self,
        channel: str,
        text: str,
        blocks: Blocks | None = None,
        *,
        thread_ts: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> tuple[str, str]:
        response = await self.posting.chat_postMessage(
            channel=channel,
            text=text,
            blocks=list(blocks) if blocks else None,
            thread_ts=thread_ts,
            metadata=dict(metadata) if metadata else None,
            unfurl_links=False,
            unfurl_media=False,
        )
        return str(response["channel"]), str(response["ts"])

    async def update(self, channel: str, ts: str, text: str, blocks: Blocks | None = None) -> None:
        await self.client.chat_update(channel=channel, ts=ts, text=text, blocks=list(blocks) if blocks else [])

    async def ephemeral(
        self, channel: str, user: str, text: str, blocks: Blocks | None = None, *, thread_ts: str | None = None
    ) -> None:
        await self.client.chat_postEphemeral(
            channel=channel, user=user, text=text, blocks=list(blocks) if blocks else None, thread_ts=thread_ts
        )

    async def open_dm(self, user: str) -> str:
        if user not in self._dms:
            response = await self.client.conversations_open(users=user)
            self._dms[user] = str(response["channel"]["id"])
        return self._dms[user]

    async def user(self, user_id: str) -> SlackUser:
        cached = self._users.get(user_id)
        if cached is not None:
            assert isinstance(cached, SlackUser)
            return cached
        response = await self.client.users_info(user=user_id, include_locale=True)
        data = response["user"]
        profile = data.get("profile") or {}
        user = SlackUser(
            id=user_id,
            name=profile.get("display_name") or data.get("real_name") or data.get("name") or user_id,
            locale=data.get("locale"),
            tz=data.get("tz"),
            is_bot=bool(data.get("is_bot")),
            deleted=bool(data.get("deleted")),
        )
        self._users.put(user_id, user)
        return user

    async def usergroup_members(self, usergroup: str) -> frozenset[str]:
        cached = self._groups.get(usergroup)
        if cached is not None:
            assert isinstance(cached, frozenset)
            return cached
        response = await self.client.usergroups_users_list(usergroup=usergroup)
        members = frozenset(str(user) for user in response.get("users") or [])
        self._groups.put(usergroup, members)
        return members

    async def permalink(self, channel: str, ts: str) -> str | None:
        response = await self.client.chat_getPermalink(channel=channel, message_ts=ts)
        return str(response["permalink"]) if response.get("permalink") else None

    async def message_text(self, channel: str, ts: str) -> str | None:
        """The text of one message (top-level or in a thread)."""
        response = await self.client.conversations_history(
            channel=channel, latest=ts, oldest=ts, inclusive=True, limit=1
        )
        messages = response.get("messages") or []
        if not messages:
            response = await self.client.conversations_replies(channel=channel, ts=ts, limit=1)
            messages = [m for m in response.get("messages") or [] if m.get("ts") == ts]
        return str(messages[0].get("text") or "") if messages else None

    async def find_own_message(self, channel: str, key: str, *, thread_ts: str | None = None) -> str | None:
        """The ts of a message we posted earlier with metadata dedupe key `key`, if Slack has it: how a
        retried delivery finds out that the first attempt did reach Slack before the process died."""
        bot = await self.bot_user_id()
        if thread_ts:
            response = await self.client.conversations_replies(
                channel=channel, ts=thread_ts, limit=200, include_all_metadata=True
            )
        else:
            response = await self.client.conversations_history(channel=channel, limit=200, include_all_metadata=True)
        for message in response.get("messages") or []:
            metadata = message.get("metadata") or {}
            if message.get("user") == bot and (metadata.get("event_payload") or {}).get("key") == key:
                return str(message["ts"])
        return None

    async def open_view(self, trigger_id: str, view: Mapping[str, Any]) -> dict[str, Any]:
        response = await self.client.views_open(trigger_id=trigger_id, view=dict(view))
        return dict(response["view"])

    async def update_view(self, view_id: str, view: Mapping[str, Any], *, hash: str | None = None) -> dict[str, Any]:
        response = await self.client.views_update(view_id=view_id, view=dict(view), hash=hash)
        return dict(response["view"])

    async def push_view(self, trigger_id: str, view: Mapping[str, Any]) -> dict[str, Any]:
        response = await self.client.views_push(trigger_id=trigger_id, view=dict(view))
        return dict(response["view"])

    async def publish_home(self, user_id: str, view: Mapping[str, Any]) -> None:
        await self.client.views_publish(user_id=user_id, view=dict(view))
