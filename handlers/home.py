"""The App Home tab."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from bot.blocks.home import home_view
from bot.blocks.ids import ActionId
from bot.blocks.queue import queue_blocks

if TYPE_CHECKING:
    from bot.bootstrap import Desk


def register(app: AsyncApp, desk: Desk) -> None:
    listeners = HomeListeners(desk)
    app.event("app_home_opened")(listeners.on_home_opened)
    app.action(ActionId.HOME_SEARCH)(listeners.on_search)


class HomeListeners:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def on_home_opened(self, event: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        await self._publish(str(event["user"]))

    async def on_search(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        query = str(action.get("value") or "").strip()
        await self._publish(str(body["user"]["id"]), query=query or None)

    async def _publish(self, user: str, query: str | None = None) -> None:
        language = await self.desk.people.language(user)
        listing = await self.desk.status.for_requester(user)
        results = [article for article, _ in self.desk.knowledge.search_articles(query)] if query else []
        now = self.desk.clock.now()
        view = home_view(listing, language, now, self.desk.policies, query=query, results=results)
        teams = await self.desk.people.teams_of(user)
        if teams:
            # Agents see their queue above their own requests.
            queue = await self.desk.queue.for_agent(user, teams)
            agent_part = queue_blocks(queue, language, now, self.desk.policies.timezone(teams[0]))
            view["blocks"] = (view["blocks"][:2] + agent_part + view["blocks"][2:])[:100]
        await self.desk.gateway.publish_home(user, view)
