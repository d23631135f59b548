"""Build a workspace from a readable YAML seed (bot/localslack/seed.yaml by default)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from bot.clock import Clock
from bot.localslack.models import Channel, User, UserGroup
from bot.localslack.workspace import AppIdentity, Workspace


class SeedError(ValueError):
    pass


def default_seed_text() -> str:
    return resources.files("bot.localslack").joinpath("seed.yaml").read_text(encoding="utf-8")


def load_workspace(clock: Clock, seed: Path | str | None = None) -> Workspace:
    text = Path(seed).read_text(encoding="utf-8") if seed is not None else default_seed_text()
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise SeedError("a seed is a mapping with team, app, users, channels")
    return workspace_from_seed(clock, data)


def workspace_from_seed(clock: Clock, data: dict[str, Any]) -> Workspace:
    team = data.get("team") or {}
    app = data.get("app") or {}
    defaults = AppIdentity()
    identity = AppIdentity(
        team_id=team.get("id", defaults.team_id),
        team_name=team.get("name", defaults.team_name),
        team_domain=team.get("domain", defaults.team_domain),
        app_id=app.get("id", defaults.app_id),
        bot_user_id=app.get("bot_user", defaults.bot_user_id),
        bot_id=app.get("bot_id", defaults.bot_id),
        bot_name=app.get("bot_name", defaults.bot_name),
        bot_token=app.get("token", defaults.bot_token),
        signing_secret=app.get("signing_secret", defaults.signing_secret),
    )
    workspace = Workspace(clock=clock, app=identity)
    for raw in data.get("users") or []:
        user = _user(raw, team.get("email_domain", "example.se"))
        workspace.users[user.id] = user
    if identity.bot_user_id not in workspace.users:
        raise SeedError(f"the bot user {identity.bot_user_id} must be among the users")
    humans = {u.id for u in workspace.users.values() if not u.is_bot}
    for raw in data.get("channels") or []:
        members: set[str] = set()
        for ref in raw.get("members") or []:
            members |= humans if ref == "everyone" else {_resolve(workspace, ref)}
        channel = Channel(id=raw["id"], name=raw["name"], is_private=bool(raw.get("private", False)), members=members)
        workspace.channels[channel.id] = channel
    for raw in data.get("usergroups") or []:
        group = UserGroup(
            id=raw["id"],
            handle=raw["handle"],
            name=raw.get("name", raw["handle"]),
            users=[_resolve(workspace, ref) for ref in raw.get("users") or []],
        )
        workspace.usergroups[group.id] = group
    for user in workspace.users.values():
        if user.manager:
            user.manager = _resolve(workspace, user.manager)
    return workspace


def _user(raw: dict[str, Any], email_domain: str) -> User:
    try:
        handle = raw["handle"]
        return User(
            id=raw["id"],
            handle=handle,
            real_name=raw.get("real_name", handle),
            display_name=raw.get("display_name", handle),
            email=raw.get("email", f"{handle}@{email_domain}"),
            tz=raw.get("tz", "Europe/Stockholm"),
            locale=raw.get("locale", "en-US"),
            title=raw.get("title", ""),
            is_bot=bool(raw.get("is_bot", False)),
            bot_id=raw.get("bot_id"),
            manager=raw.get("manager"),
            roles=tuple(raw.get("roles") or ()),
        )
    except KeyError as missing:
        raise SeedError(f"a seed user needs {missing}: {raw!r}") from None


def _resolve(workspace: Workspace, ref: str) -> str:
    for user in workspace.users.values():
        if ref in (user.id, user.handle):
            return user.id
    raise SeedError(f"unknown user in seed: {ref}")
