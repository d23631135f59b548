"""Messages on the team's side: history lines in the card's thread, the old card of a moved ticket, and
notices to agents when a ticket is assigned to them or taken from them."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError

from bot.blocks.text import context, section
from bot.config import DeskConfig
from bot.i18n import t
from bot.notify.ticket_messages import TicketMessages, is_permanent
from bot.services.notifications import AGENT_NOTICE, CARD_HISTORY, OLD_CARD
from bot.services.outbox import OutboxDispatcher, OutboxItem, PermanentFailure
from bot.slack.gateway import SlackGateway


class TriageMessages:
    def __init__(self, messages: TicketMessages, gateway: SlackGateway, config: DeskConfig) -> None:
        self._messages = messages
        self._gateway = gateway
        self._config = config

    def register(self, dispatcher: OutboxDispatcher) -> None:
        dispatcher.register(CARD_HISTORY, self.send_history)
        dispatcher.register(OLD_CARD, self.send_old_card)
        dispatcher.register(AGENT_NOTICE, self.send_agent_notice)

    def _lang(self) -> str:
        return self._config.desk.default_language

    async def send_history(self, item: OutboxItem) -> None:
        ticket = await self._messages.ticket(item.ticket_id)
        if not (ticket.triage_channel and ticket.triage_ts):
            if item.payload.get("notice") == "moved":
                return  # the new team's card tells the story from here
            raise RuntimeError("the card is not posted yet")  # retried after the card's own delivery
        text = history_line(self._lang(), ticket.key, item.payload)
        await self._messages.post_once(item, ticket.triage_channel, text, [context(text)], thread_ts=ticket.triage_ts)

    async def send_old_card(self, item: OutboxItem) -> None:
        """The card left behind in the old team's channel becomes a stub: no title, no text, because the new
        team may be confidential."""
        data: dict[str, Any] = dict(item.payload.get("data") or {})
        channel, ts = (data.get("old_card") or [None, None])[:2]
        if not channel or not ts:
            return
        ticket = await self._messages.ticket(item.ticket_id)
        team = self._config.team(str(data.get("to_team")))
        text = t(
            self._lang(), "card.moved_stub", key=ticket.key, team=team.name, user=f"<@{item.payload.get('actor')}>"
        )
        try:
            await self._gateway.update(str(channel), str(ts), text, [section(text)])
        except SlackApiError as exc:
            if is_permanent(exc) or exc.response.get("error") == "message_not_found":
                raise PermanentFailure(str(exc.response.get("error"))) from exc
            raise

    async def send_agent_notice(self, item: OutboxItem) -> None:
        ticket = await self._messages.ticket(item.ticket_id)
        person = str(item.payload.get("to"))
        data = dict(item.payload.get("data") or {})
        key = "agent.assigned_to_you" if item.payload.get("role") == "new" else "agent.taken_from_you"
        text = t(
            self._lang(),
            key,
            key=ticket.key,
            actor=f"<@{item.payload.get('actor')}>",
            assignee=f"<@{data.get('assignee_id')}>",
        )
        channel = await self._gateway.open_dm(person)
        await self._messages.post_once(item, channel, text, [section(text)], thread_ts=None)


def history_line(language: str, key: str, payload: Any) -> str:
    notice = str(payload.get("notice"))
    actor = f"<@{payload.get('actor')}>" if payload.get("actor") else t(language, "history.system")
    data = dict(payload.get("data") or {})
    params: dict[str, Any] = {"key": key, "actor": actor}
    if notice == "assigned":
        params["assignee"] = f"<@{data.get('assignee_id')}>"
    if notice == "priority_changed":
        params["before"] = t(language, f"priority.{data.get('from')}")
        params["after"] = t(language, f"priority.{data.get('to')}")
    if notice == "moved":
        params["team"] = str(data.get("to_team"))
    return t(language, f"history.{notice}", **params)
