"""The headline benchmark's yardsticks, served in a process of their own as the desk is: a bare slack-bolt
AsyncApp verifying signatures as Bolt does by default, with a no-op message listener or (with `reply`) one that
answers every message in its thread with one chat.postMessage, the least a desk that replies must do.

    python -m bot.bench._bare_bolt PORT SLACK_API_URL [noop|reply]"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

import aiohttp
from aiohttp import web


async def serve(port: int, api_url: str, mode: str) -> None:
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    # One HTTP session for all calls, as the desk has (slack_sdk would open one per call without it).
    session = aiohttp.ClientSession()
    app = AsyncApp(
        client=AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=api_url, session=session),
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    )

    if mode == "reply":

        @app.event("message")
        async def reply(event: dict[str, Any], client: AsyncWebClient) -> None:
            await client.chat_postMessage(channel=event["channel"], thread_ts=event["ts"], text="Got it")

    else:

        @app.event("message")
        async def noop() -> None:
            return None

    runner = web.AppRunner(app.web_app(path="/slack/events"), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "noop"))
