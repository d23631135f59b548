"""Socket Mode: Slack's requests arrive over a WebSocket instead of HTTP. Events still go through the durable
inbox before Slack gets its acknowledgement; commands and interactions are answered through Bolt at once."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.edge import SlackEdge

log = logging.getLogger(__name__)

ACK_KINDS = {"events_api": "event", "slash_commands": "command", "interactive": "interaction"}


class SocketModeBridge:
    def __init__(self, edge: SlackEdge) -> None:
        self._edge = edge

    async def on_request(self, client: Any, request: SocketModeRequest) -> None:
        arrived = time.perf_counter()
        await self._answer(client, request)
        kind = ACK_KINDS.get(request.type)
        if kind is not None:
            self._edge.meter.acknowledged(kind, time.perf_counter() - arrived)

    async def _answer(self, client: Any, request: SocketModeRequest) -> None:
        if request.type == "events_api":
            stored = await self._edge.accept_event(request.payload, json.dumps(request.payload))
            if not stored:
                log.warning("socket mode event without event_id dropped: %s", request.envelope_id)
            # Acknowledge only after the event is stored: what Slack counts as delivered is never lost.
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))
            return
        if request.type not in ("slash_commands", "interactive"):
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))
            return
        response = await self._edge.dispatch_now(AsyncBoltRequest(mode="socket_mode", body=request.payload))
        payload = None
        if response is not None and response.status == 200 and response.body:
            try:
                payload = json.loads(response.body)
            except ValueError:
                payload = {"text": response.body}
        await client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id, payload=payload))


async def connect_socket_mode(edge: SlackEdge, app_token: str, web_client: AsyncWebClient) -> SocketModeClient:
    client = SocketModeClient(app_token=app_token, web_client=web_client)
    bridge = SocketModeBridge(edge)
    client.socket_mode_request_listeners.append(bridge.on_request)
    await client.connect()  # type: ignore[no-untyped-call]
    return client
