"""Faults injected per method and per number of calls, as slack_sdk and its retry handlers see them."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.localslack.driver import LocalSlack


async def test_rate_limit_answers_429_with_retry_after(slack: LocalSlack, client: AsyncWebClient) -> None:
    slack.faults.inject("chat.postMessage", "rate_limited", retry_after=7)
    with pytest.raises(SlackApiError) as limited:
        await client.chat_postMessage(channel="C0HELPCHAN", text="hello")
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["Retry-After"] == "7"
    assert limited.value.response["error"] == "ratelimited"
    assert slack.messages_in("#help") == []


async def test_the_sdk_rate_limit_handler_retries_and_then_succeeds(slack: LocalSlack) -> None:
    slack.faults.inject("chat.postMessage", "rate_limited", times=2, retry_after=0)
    client = AsyncWebClient(
        token=slack.bot_token,
        base_url=slack.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)],
    )
    response = await client.chat_postMessage(channel="C0HELPCHAN", text="eventually")
    assert response["ok"]
    assert [m.text for m in slack.messages_in("#help")] == ["eventually"]
    assert [c.fault for c in slack.calls("chat.postMessage")] == ["rate_limited", "rate_limited", None]


async def test_faults_only_hit_the_named_method(slack: LocalSlack, client: AsyncWebClient) -> None:
    slack.faults.inject("chat.update", "server_error")
    assert (await client.auth_test())["ok"]
    assert (await client.chat_postMessage(channel="C0HELPCHAN", text="fine"))["ok"]
    assert len(slack.faults.pending) == 1


async def test_server_error_is_a_500_that_the_sdk_handler_retries(slack: LocalSlack) -> None:
    slack.faults.inject("auth.test", "server_error")
    plain = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    with pytest.raises(SlackApiError) as failed:
        await plain.auth_test()
    assert failed.value.response.status_code == 500

    slack.faults.inject("auth.test", "server_error")
    retrying = AsyncWebClient(
        token=slack.bot_token,
        base_url=slack.api_url,
        retry_handlers=[AsyncServerErrorRetryHandler(max_retry_count=1)],
    )
    assert (await retrying.auth_test())["ok"]


async def test_a_dropped_connection_is_a_connection_error_until_retried(slack: LocalSlack) -> None:
    slack.faults.inject("chat.postMessage", "drop")
    # slack_sdk retries connection errors once by default; without handlers the drop is seen as it is.
    plain = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url, retry_handlers=[])
    with pytest.raises(aiohttp.ClientConnectionError):
        await plain.chat_postMessage(channel="C0HELPCHAN", text="lost")
    assert slack.messages_in("#help") == []

    slack.faults.inject("chat.postMessage", "drop")
    retrying = AsyncWebClient(
        token=slack.bot_token,
        base_url=slack.api_url,
        retry_handlers=[AsyncConnectionErrorRetryHandler(max_retry_count=1)],
    )
    assert (await retrying.chat_postMessage(channel="C0HELPCHAN", text="delivered"))["ok"]
    assert [m.text for m in slack.messages_in("#help")] == ["delivered"]


async def test_a_slow_answer_outlasts_a_short_client_timeout(slack: LocalSlack) -> None:
    slack.faults.inject("conversations.history", "slow", delay=1.0)
    impatient = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url, timeout=0.1)
    with pytest.raises(asyncio.TimeoutError):
        await impatient.conversations_history(channel="C0HELPCHAN")
    slack.faults.inject("conversations.history", "slow", delay=0.05)
    patient = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    assert (await patient.conversations_history(channel="C0HELPCHAN"))["ok"]


def test_fault_requests_are_checked(slack: LocalSlack) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        slack.faults.inject("chat.postMessage", "explode")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one call"):
        slack.faults.inject("chat.postMessage", times=0)


async def test_refused_is_an_ok_false_answer_that_no_handler_retries(slack: LocalSlack) -> None:
    slack.faults.inject("files.getUploadURLExternal", "refused", error="not_allowed")
    retrying = AsyncWebClient(
        token=slack.bot_token,
        base_url=slack.api_url,
        retry_handlers=[AsyncServerErrorRetryHandler(max_retry_count=3)],
    )
    with pytest.raises(SlackApiError) as refused:
        await retrying.files_getUploadURLExternal(filename="a.png", length=3)
    assert refused.value.response["error"] == "not_allowed"
    assert [c.fault for c in slack.calls("files.getUploadURLExternal")] == ["refused"]
