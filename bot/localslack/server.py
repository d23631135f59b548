"""The stand-in's HTTP face: POST /api/<method> like slack.com/api, plus the response_url and upload
endpoints it hands out. Faults are applied before a call is handled; every call is recorded."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.localslack import methods_chat, methods_files, methods_read, methods_views
from bot.localslack.context import Args, StandIn
from bot.localslack.errors import SlackApiError
from bot.localslack.faults import Fault, Faults
from bot.localslack.recorder import Call, Recorder
from bot.localslack.respond import respond
from bot.localslack.workspace import Workspace

Method = Callable[[StandIn, Args], dict[str, Any]]
METHODS: dict[str, Method] = {
    **methods_chat.METHODS,
    **methods_read.METHODS,
    **methods_views.METHODS,
    **methods_files.METHODS,
}
STANDIN = web.AppKey("standin", StandIn)
# Arguments that carry JSON; recorded parsed, so assertions read the same whatever encoding the client chose.
STRUCTURED = ("blocks", "attachments", "view", "metadata", "files")


def create_app(
    workspace: Workspace, *, faults: Faults | None = None, recorder: Recorder | None = None
) -> web.Application:
    """The app; `app[STANDIN]` holds the shared state (set its `base_url` once the server listens)."""
    app = web.Application()
    app[STANDIN] = StandIn(workspace=workspace, faults=faults or Faults(), recorder=recorder or Recorder())
    app.router.add_route("*", "/api/{method}", _api)
    app.router.add_post("/response/{key}", _response_url)
    app.router.add_post("/upload/{file_id}", _upload)
    return app


async def _api(request: web.Request) -> web.StreamResponse:
    si = request.app[STANDIN]
    method = request.match_info["method"]
    try:
        raw = await _read_args(request)
    except SlackApiError as refused:
        return web.json_response(refused.body())
    token = _token(request, raw)
    args = {k: v for k, v in raw.items() if k != "token"}
    recorded = {k: _parsed(v) if k in STRUCTURED else v for k, v in args.items()}
    fault = si.faults.take(method)
    if fault is not None and fault.kind == "lost_answer":
        body = _dispatch(si, method, token, args)
        _record(si, method, recorded, 500, body, fault.kind)
        return web.json_response({"ok": False, "error": "internal_error"}, status=500)
    if fault is not None:
        faulted = await _apply_fault(request, fault)
        if faulted is not None:
            _record(si, method, recorded, faulted.status, None, fault.kind)
            return faulted
    status, body = 200, _dispatch(si, method, token, args)
    if method not in METHODS:
        status = 404
    _record(si, method, recorded, status, body, fault.kind if fault else None)
    return web.json_response(body, status=status)


def _parsed(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _dispatch(si: StandIn, method: str, token: str | None, args: dict[str, Any]) -> dict[str, Any]:
    handler = METHODS.get(method)
    if handler is None:
        return {"ok": False, "error": "unknown_method"}
    if token is None:
        return {"ok": False, "error": "not_authed"}
    if token != si.workspace.app.bot_token:
        return {"ok": False, "error": "invalid_auth"}
    try:
        return handler(si, Args(args))
    except SlackApiError as refused:
        return refused.body()


async def _read_args(request: web.Request) -> dict[str, Any]:
    args: dict[str, Any] = dict(request.query)
    if request.method != "POST" or not request.can_read_body:
        return args
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise SlackApiError("invalid_json") from None
        if isinstance(body, dict):
            args.update(body)
    else:
        form = await request.post()
        args.update({k: v for k, v in form.items() if isinstance(v, str)})
    return args


def _token(request: web.Request, args: dict[str, Any]) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header.removeprefix("Bearer ").strip() or None
    token = args.get("token")
    return str(token) if token else None


async def _apply_fault(request: web.Request, fault: Fault) -> web.Response | None:
    """A response standing for the fault, or None when the call should go on (after a slow pause)."""
    if fault.kind == "rate_limited":
        return web.json_response(
            {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(fault.retry_after)}
        )
    if fault.kind == "server_error":
        return web.json_response({"ok": False, "error": "fatal_error"}, status=500)
    if fault.kind == "refused":
        return web.json_response({"ok": False, "error": fault.error})
    if fault.kind == "slow":
        await asyncio.sleep(fault.delay)
        return None
    # "drop": hang up without an answer, as a dying load balancer would. The response returned after the
    # abort is never written; it only tells aiohttp the handler is done.
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=499)


def _record(
    si: StandIn,
    method: str,
    args: dict[str, Any],
    status: int,
    body: dict[str, Any] | None,
    fault: str | None,
) -> None:
    si.recorder.record(
        Call(method=method, args=args, status=status, response=body, at=si.workspace.clock.now(), fault=fault)
    )


async def _response_url(request: web.Request) -> web.Response:
    si = request.app[STANDIN]
    fault = si.faults.take("response_url")
    if fault is not None:
        faulted = await _apply_fault(request, fault)
        if faulted is not None:
            return faulted
    try:
        body = await request.json()
    except ValueError:
        return web.json_response({"ok": False, "error": "invalid_payload"}, status=400)
    key = request.match_info["key"]
    try:
        respond(si, key, body if isinstance(body, dict) else {})
    except SlackApiError as refused:
        _record(si, "response_url", body, 404, refused.body(), None)
        return web.json_response(refused.body(), status=404 if refused.error in ("invalid_url", "used_url") else 400)
    _record(si, "response_url", body, 200, {"ok": True}, None)
    return web.json_response({"ok": True})


async def _upload(request: web.Request) -> web.Response:
    si = request.app[STANDIN]
    fault = si.faults.take("upload")
    if fault is not None:
        faulted = await _apply_fault(request, fault)
        if faulted is not None:
            return faulted
    content = await request.read()
    if not methods_files.receive_upload(si, request.match_info["file_id"], content):
        return web.Response(status=404, text="file not found")
    _record(si, "upload", {"file_id": request.match_info["file_id"], "size": len(content)}, 200, None, None)
    return web.Response(text=f"OK - {len(content)}")
