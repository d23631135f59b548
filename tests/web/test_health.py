from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from bot.bootstrap import build_desk
from bot.config import load_config
from bot.db.migrate import downgrade, head_revision
from bot.web import create_web_app
from tests.conftest import REPO
from tests.databases import Database


async def test_ready_only_when_the_database_is_migrated(db: Database) -> None:
    config = load_config(REPO / "app.yaml", env={"DATABASE_URL": db.url})
    desk = await build_desk(config, migrate=False)
    try:
        async with TestClient(TestServer(create_web_app(desk))) as client:
            assert (await (await client.get("/healthz")).json()) == {"ok": True}
            ready = await client.get("/readyz")
            assert ready.status == 200

            await downgrade(desk.engine, "base")
            not_ready = await client.get("/readyz")
            assert not_ready.status == 503
            assert (await not_ready.json())["database"] == f"at None, needs {head_revision()}"
    finally:
        await desk.close()
