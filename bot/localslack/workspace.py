"""The in-memory Slack workspace: who is in it, where they talk, what was said, which views are open.

Every operation enforces the rule Slack enforces and raises `SlackApiError` with Slack's error name, so the
HTTP layer stays a thin translation and the driver can reuse the same rules for user actions."""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.localslack.errors import SlackApiError
from bot.localslack.models import Channel, Ephemeral, Message, User, UserGroup, View

TRIGGER_LIFETIME = timedelta(seconds=3)
MAX_VIEW_STACK = 3


@dataclass(frozen=True)
class AppIdentity:
    team_id: str = "T0DESK0001"
    team_name: str = "Local Desk"
    team_domain: str = "localdesk"
    app_id: str = "A0DESKAPP1"
    bot_user_id: str = "U0DESKBOT1"
    bot_id: str = "B0DESKBOT1"
    bot_name: str = "helpdesk"
    bot_token: str = "xoxb-local-desk"
    signing_secret: str = "local-signing-secret"
    verification_token: str = "local-verification-token"


@dataclass
class Trigger:
    user_id: str
    issued_at: datetime
    used: bool = False


@dataclass
class Workspace:
    clock: Clock
    app: AppIdentity = field(default_factory=AppIdentity)
    users: dict[str, User] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    usergroups: dict[str, UserGroup] = field(default_factory=dict)
    messages: dict[tuple[str, str], Message] = field(default_factory=dict)
    ephemerals: list[Ephemeral] = field(default_factory=list)
    views: dict[str, View] = field(default_factory=dict)
    modal_stacks: dict[str, list[str]] = field(default_factory=dict)
    home_views: dict[str, str] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    triggers: dict[str, Trigger] = field(default_factory=dict)
    _last_ts: int = 0
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # --- ids and time -------------------------------------------------------------------------------------

    def new_ts(self) -> str:
        """Slack's "seconds.micros" timestamp, strictly increasing even when the clock stands still."""
        micros = int(self.clock.now().timestamp() * 1_000_000)
        self._last_ts = max(micros, self._last_ts + 1)
        return f"{self._last_ts // 1_000_000}.{self._last_ts % 1_000_000:06d}"

    def new_id(self, prefix: str) -> str:
        return f"{prefix}0{next(self._counter):08X}"

    # --- lookups -------------------------------------------------------------------------------------------

    def user(self, ref: str) -> User:
        """By id (U0ANNA0001), handle (anna) or email."""
        if ref in self.users:
            return self.users[ref]
        for user in self.users.values():
            if ref in (user.handle, user.email):
                return user
        raise SlackApiError("user_not_found")

    def channel(self, ref: str) -> Channel:
        """By id, #name or name. A user id or handle means the IM with that user (opened if needed)."""
        if ref in self.channels:
            return self.channels[ref]
        name = ref.removeprefix("#")
        for channel in self.channels.values():
            if not channel.is_im and channel.name == name:
                return channel
        if ref.startswith("U") or not ref.startswith(("C", "D", "G", "#")):
            try:
                return self.open_im(self.user(ref).id)
            except SlackApiError:
                pass
        raise SlackApiError("channel_not_found")

    def open_im(self, user_id: str) -> Channel:
        user = self.user(user_id)
        for channel in self.channels.values():
            if channel.is_im and channel.im_user == user.id:
                return channel
        channel = Channel(
            id="D" + user.id[1:],
            name=user.id,
            is_im=True,
            im_user=user.id,
            members={user.id, self.app.bot_user_id},
            created=int(self.clock.now().timestamp()),
        )
        self.channels[channel.id] = channel
        return channel

    def message(self, channel_id: str, ts: str) -> Message:
        found = self.messages.get((channel_id, ts))
        if found is None:
            raise SlackApiError("message_not_found")
        return found

    # --- messages ------------------------------------------------------------------------------------------

    def post(
        self,
        channel: Channel,
        *,
        text: str = "",
        blocks: list[dict[str, Any]] | None = None,
        user: str | None = None,
        bot_id: str | None = None,
        thread_ts: str | None = None,
        reply_broadcast: bool = False,
        metadata: dict[str, Any] | None = None,
        files: list[dict[str, Any]] | None = None,
    ) -> Message:
        if thread_ts is not None:
            parent = self.messages.get((channel.id, thread_ts))
            if parent is None:
                # Slack posts a reply to an unknown ts as a new top-level message; we refuse, since
                # for the desk that is always a bug (a reply meant for a thread landing in the channel).
                raise SlackApiError("thread_not_found")
            if parent.is_reply:
                thread_ts = parent.thread_ts
        ts = self.new_ts()
        message = Message(
            channel=channel.id,
            ts=ts,
            text=text,
            blocks=with_ids(blocks),
            user=user,
            bot_id=bot_id,
            app_id=self.app.app_id if bot_id else None,
            thread_ts=thread_ts,
            reply_broadcast=reply_broadcast,
            metadata=metadata,
            files=list(files or []),
            subtype="thread_broadcast" if reply_broadcast and thread_ts else None,
        )
        self.messages[(channel.id, ts)] = message
        if thread_ts is not None:
            parent = self.messages[(channel.id, thread_ts)]
            parent.thread_ts = parent.ts
            parent.reply_count += 1
            parent.latest_reply = ts
            author = user or self.app.bot_user_id
            if author not in parent.reply_users:
                parent.reply_users.append(author)
        return message

    def history(self, channel_id: str) -> list[Message]:
        """Top-level messages and broadcast replies, newest first, as conversations.history returns them."""
        found = [
            m for (cid, _), m in self.messages.items() if cid == channel_id and (not m.is_reply or m.reply_broadcast)
        ]
        return sorted(found, key=lambda m: _ts_key(m.ts), reverse=True)

    def replies(self, channel_id: str, thread_ts: str) -> list[Message]:
        """The parent then its replies, oldest first, as conversations.replies returns them."""
        parent = self.message(channel_id, thread_ts)
        root = parent.thread_ts or parent.ts
        found = [
            m for (cid, _), m in self.messages.items() if cid == channel_id and (m.ts == root or m.thread_ts == root)
        ]
        return sorted(found, key=lambda m: _ts_key(m.ts))

    def delete(self, channel_id: str, ts: str) -> None:
        self.message(channel_id, ts)
        del self.messages[(channel_id, ts)]

    def post_ephemeral(
        self,
        channel: Channel,
        user_id: str,
        *,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
    ) -> Ephemeral:
        ephemeral = Ephemeral(
            channel=channel.id,
            user=user_id,
            ts=self.new_ts(),
            text=text,
            blocks=with_ids(blocks),
            thread_ts=thread_ts,
        )
        self.ephemerals.append(ephemeral)
        return ephemeral

    def react(self, channel_id: str, ts: str, name: str, user_id: str) -> Message:
        message = self.message(channel_id, ts)
        users = message.reactions.setdefault(name, [])
        if user_id in users:
            raise SlackApiError("already_reacted")
        users.append(user_id)
        return message

    # --- triggers and views --------------------------------------------------------------------------------

    def issue_trigger(self, user_id: str) -> str:
        trigger_id = f"{next(self._counter)}.{int(self.clock.now().timestamp())}.{secrets.token_hex(16)}"
        self.triggers[trigger_id] = Trigger(user_id=user_id, issued_at=self.clock.now())
        return trigger_id

    def exchange_trigger(self, trigger_id: str | None) -> str:
        """The user the trigger was issued for; a trigger works once and for three seconds."""
        if not trigger_id:
            raise SlackApiError(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] missing required field: trigger_id"]},
            )
        trigger = self.triggers.get(trigger_id)
        if trigger is None:
            raise SlackApiError("invalid_trigger_id")
        if trigger.used:
            raise SlackApiError("exchanged_trigger_id")
        if self.clock.now() - trigger.issued_at > TRIGGER_LIFETIME:
            raise SlackApiError("expired_trigger_id")
        trigger.used = True
        return trigger.user_id

    def new_view(self, user_id: str, spec: dict[str, Any], *, root: str | None, previous: str | None) -> View:
        external_id = str(spec.get("external_id") or "")
        if external_id and any(v.external_id == external_id for v in self.views.values()):
            raise SlackApiError("duplicate_external_id")
        view = View(
            id=self.new_id("V"),
            team_id=self.app.team_id,
            user_id=user_id,
            type=str(spec.get("type")),
            blocks=with_ids(spec.get("blocks")),
            hash=_new_hash(self.clock),
            app_id=self.app.app_id,
            bot_id=self.app.bot_id,
            external_id=external_id,
            root_view_id=root,
            previous_view_id=previous,
        )
        _apply_spec(view, spec)
        self.views[view.id] = view
        return view

    def replace_view(self, view: View, spec: dict[str, Any]) -> View:
        view.type = str(spec.get("type", view.type))
        view.blocks = with_ids(spec.get("blocks"))
        view.state = {"values": {}}
        view.hash = _new_hash(self.clock)
        _apply_spec(view, spec)
        return view

    def find_view(self, view_id: str | None = None, external_id: str | None = None) -> View:
        if view_id and view_id in self.views:
            return self.views[view_id]
        if external_id:
            for view in self.views.values():
                if view.external_id == external_id:
                    return view
        raise SlackApiError("not_found")

    def modal_stack(self, user_id: str) -> list[View]:
        return [self.views[vid] for vid in self.modal_stacks.get(user_id, [])]


def with_ids(blocks: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Copies of the blocks with the block_id and action_id Slack makes up when the sender leaves them out."""
    filled: list[dict[str, Any]] = []
    for block in blocks or []:
        block = dict(block)
        block.setdefault("block_id", secrets.token_urlsafe(3))
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict) and block[key].get("type") != "image":
                block[key] = {"action_id": secrets.token_urlsafe(3), **block[key]}
        if block.get("type") == "actions":
            block["elements"] = [{"action_id": secrets.token_urlsafe(3), **el} for el in block.get("elements", [])]
        filled.append(block)
    return filled


def _apply_spec(view: View, spec: dict[str, Any]) -> None:
    view.title = spec.get("title")
    view.submit = spec.get("submit")
    view.close = spec.get("close")
    view.private_metadata = str(spec.get("private_metadata") or "")
    view.callback_id = str(spec.get("callback_id") or "")
    view.notify_on_close = bool(spec.get("notify_on_close", False))
    view.clear_on_close = bool(spec.get("clear_on_close", False))
    if spec.get("external_id"):
        view.external_id = str(spec["external_id"])


def _new_hash(clock: Clock) -> str:
    return f"{int(clock.now().timestamp())}.{secrets.token_hex(4)}"


def _ts_key(ts: str) -> tuple[int, int]:
    seconds, _, micros = ts.partition(".")
    return int(seconds), int(micros or 0)
