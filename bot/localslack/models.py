"""The things a Slack workspace holds, each able to render itself in the shape the Web API returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.localslack.text import flatten_blocks


@dataclass
class User:
    id: str
    handle: str
    real_name: str
    email: str
    tz: str = "Europe/Stockholm"
    locale: str = "en-US"
    display_name: str = ""
    title: str = ""
    is_bot: bool = False
    bot_id: str | None = None
    manager: str | None = None
    roles: tuple[str, ...] = ()

    def to_api(self, team_id: str, now: datetime, *, include_locale: bool = False) -> dict[str, Any]:
        zone = ZoneInfo(self.tz)
        offset = now.astimezone(zone).utcoffset()
        profile: dict[str, Any] = {
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.display_name or self.handle,
            "display_name_normalized": self.display_name or self.handle,
            "title": self.title,
            "team": team_id,
        }
        if not self.is_bot:
            profile["email"] = self.email
        else:
            profile["bot_id"] = self.bot_id
        if self.manager:
            # Slack keeps custom profile fields under opaque ids; the desk reads the manager from here.
            profile["fields"] = {"Xf0MANAGER": {"value": self.manager, "alt": "Manager"}}
        body: dict[str, Any] = {
            "id": self.id,
            "team_id": team_id,
            "name": self.handle,
            "deleted": False,
            "real_name": self.real_name,
            "tz": self.tz,
            "tz_label": now.astimezone(zone).tzname(),
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "is_admin": "admin" in self.roles,
            "profile": profile,
        }
        if include_locale:
            body["locale"] = self.locale
        return body


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool = False
    is_im: bool = False
    im_user: str | None = None
    members: set[str] = field(default_factory=set)
    created: int = 1700000000
    topic: str = ""

    @property
    def channel_type(self) -> str:
        """The `channel_type` of message events: im, group (private channel) or channel."""
        if self.is_im:
            return "im"
        return "group" if self.is_private else "channel"

    def to_api(self, bot_user_id: str) -> dict[str, Any]:
        if self.is_im:
            return {
                "id": self.id,
                "created": self.created,
                "is_im": True,
                "is_org_shared": False,
                "user": self.im_user,
                "is_user_deleted": False,
            }
        return {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_mpim": False,
            "is_private": self.is_private,
            "is_archived": False,
            "is_general": self.name == "general",
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "is_member": bot_user_id in self.members,
            "created": self.created,
            "topic": {"value": self.topic, "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
            "num_members": len(self.members),
        }


@dataclass
class Message:
    channel: str
    ts: str
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    user: str | None = None
    bot_id: str | None = None
    app_id: str | None = None
    thread_ts: str | None = None
    reply_broadcast: bool = False
    reply_count: int = 0
    reply_users: list[str] = field(default_factory=list)
    latest_reply: str | None = None
    reactions: dict[str, list[str]] = field(default_factory=dict)
    files: list[dict[str, Any]] = field(default_factory=list)
    metadata: dict[str, Any] | None = None
    edited: dict[str, str] | None = None
    subtype: str | None = None

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    @property
    def text_content(self) -> str:
        """Everything a person would read in the message: its text and the text of its blocks."""
        parts = [self.text, flatten_blocks(self.blocks)]
        return "\n".join(part for part in parts if part)

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": "message", "ts": self.ts, "text": self.text}
        if self.subtype:
            body["subtype"] = self.subtype
        if self.user:
            body["user"] = self.user
        if self.bot_id:
            body["bot_id"] = self.bot_id
        if self.app_id:
            body["app_id"] = self.app_id
        if self.blocks:
            body["blocks"] = self.blocks
        if self.thread_ts:
            body["thread_ts"] = self.thread_ts
        if self.thread_ts == self.ts:
            body["reply_count"] = self.reply_count
            body["reply_users"] = list(self.reply_users)
            body["reply_users_count"] = len(self.reply_users)
            body["latest_reply"] = self.latest_reply
        if self.reactions:
            body["reactions"] = [
                {"name": name, "users": list(users), "count": len(users)} for name, users in self.reactions.items()
            ]
        if self.files:
            body["files"] = self.files
        if self.metadata:
            body["metadata"] = self.metadata
        if self.edited:
            body["edited"] = self.edited
        return body


@dataclass
class Ephemeral:
    """A message only one person sees. Slack never returns these from history, so neither do we."""

    channel: str
    user: str
    ts: str
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    deleted: bool = False

    @property
    def text_content(self) -> str:
        parts = [self.text, flatten_blocks(self.blocks)]
        return "\n".join(part for part in parts if part)

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": "message", "ts": self.ts, "text": self.text, "blocks": self.blocks}
        if self.thread_ts:
            body["thread_ts"] = self.thread_ts
        return body


@dataclass
class View:
    id: str
    team_id: str
    user_id: str
    type: str
    blocks: list[dict[str, Any]]
    hash: str
    app_id: str
    bot_id: str
    title: dict[str, Any] | None = None
    submit: dict[str, Any] | None = None
    close: dict[str, Any] | None = None
    private_metadata: str = ""
    callback_id: str = ""
    external_id: str = ""
    notify_on_close: bool = False
    clear_on_close: bool = False
    root_view_id: str | None = None
    previous_view_id: str | None = None
    state: dict[str, Any] = field(default_factory=lambda: {"values": {}})

    @property
    def text_content(self) -> str:
        title = (self.title or {}).get("text", "")
        return "\n".join(part for part in (title, flatten_blocks(self.blocks)) if part)

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "team_id": self.team_id,
            "type": self.type,
            "title": self.title,
            "submit": self.submit,
            "close": self.close,
            "blocks": self.blocks,
            "private_metadata": self.private_metadata,
            "callback_id": self.callback_id,
            "state": self.state,
            "hash": self.hash,
            "clear_on_close": self.clear_on_close,
            "notify_on_close": self.notify_on_close,
            "root_view_id": self.root_view_id or self.id,
            "previous_view_id": self.previous_view_id,
            "app_id": self.app_id,
            "external_id": self.external_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }


@dataclass
class UserGroup:
    id: str
    handle: str
    name: str
    users: list[str]
