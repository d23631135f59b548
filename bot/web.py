"""The desk's HTTP server: Slack's request URL, health, readiness and Prometheus metrics."""

from __future__ import annotations

import logging

from aiohttp import web
from sqlalchemy import text

from bot.bootstrap import Desk
from bot.db.migrate import current_revision, head_revision

log = logging.getLogger(__name__)

DESK_KEY = web.AppKey("desk", Desk)


def create_web_app(desk: Desk) -> web.Application:
    app = web.Application()
    app[DESK_KEY] = desk
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    app.router.add_post("/slack/events", slack_events)
    return app


async def slack_events(request: web.Request) -> web.Response:
    return await request.app[DESK_KEY].edge.handle(request)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def readyz(request: web.Request) -> web.Response:
    """Ready when the database answers and carries the newest migration."""
    desk = request.app[DESK_KEY]
    try:
        async with desk.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        revision = await current_revision(desk.engine)
    except Exception as exc:  # any database failure means "not ready"; the reason goes in the body
        return web.json_response({"ok": False, "database": f"unreachable: {type(exc).__name__}"}, status=503)
    if revision != head_revision():
        return web.json_response({"ok": False, "database": f"at {revision}, needs {head_revision()}"}, status=503)
    return web.json_response({"ok": True, "database": revision})


async def metrics(request: web.Request) -> web.Response:
    """Prometheus metrics of this process; the backlogs are the database's, whoever does the work."""
    desk = request.app[DESK_KEY]
    try:
        await desk.metrics.count_backlogs(desk.sessions)
    except Exception:  # a database outage must not hide the other metrics; the gauges keep their last value
        log.warning("could not count the inbox and outbox backlogs", exc_info=True)
    body, content_type = desk.metrics.exposition(request.headers.get("Accept", ""))
    return web.Response(body=body, headers={"Content-Type": content_type})
