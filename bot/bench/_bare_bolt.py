"""The headline benchmark's yardstick, served in a process of its own as the desk is: a bare slack-bolt AsyncApp
with a no-op message listener, verifying signatures as Bolt does by default.

    python -m bot.bench._bare_bolt PORT SLACK_API_URL"""

from __future__ import annotations

import asyncio
import os
import sys

from aiohttp import web


async def serve(port: int, api_url: str) -> None:
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    app = AsyncApp(
        client=AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=api_url),
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    )

    @app.event("message")
    async def noop() -> None:
        return None

    runner = web.AppRunner(app.web_app(path="/slack/events"), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), sys.argv[2]))
