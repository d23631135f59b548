"""Who someone is to the desk: their language (from their Slack locale) and which teams they work for."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.config import DeskConfig
from bot.i18n import language_of
from bot.slack.gateway import SlackGateway

log = logging.getLogger(__name__)


class People:
    def __init__(self, gateway: SlackGateway, config: DeskConfig) -> None:
        self._gateway = gateway
        self._config = config

    async def language(self, user_id: str) -> str:
        default = self._config.desk.default_language
        try:
            user = await self._gateway.user(user_id)
        except SlackApiError as exc:
            # Without a locale we still answer, in the desk's language.
            log.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
            return default
        return language_of(user.locale, default)

    def is_admin(self, user_id: str) -> bool:
        return user_id in self._config.desk.admins

    async def is_agent(self, team_id: str, user_id: str) -> bool:
        if self.is_admin(user_id):
            return True
        team = self._config.team(team_id)
        if user_id in team.agents:
            return True
        if team.usergroup:
            try:
                return user_id in await self._gateway.usergroup_members(team.usergroup)
            except SlackApiError as exc:
                log.warning("usergroups.users.list failed for %s: %s", team.usergroup, exc.response.get("error"))
        return False

    async def teams_of(self, user_id: str) -> list[str]:
        return [team.id for team in self._config.teams if await self.is_agent(team.id, user_id)]
