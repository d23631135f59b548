"""The bodies Slack sends an app, built from workspace objects, in the documented shapes:
Events API `event_callback` envelopes, slash command forms and interactivity payloads."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any

from bot.localslack.models import Channel, Message, User, View
from bot.localslack.workspace import Workspace


def envelope(ws: Workspace, event: dict[str, Any], now: datetime) -> dict[str, Any]:
    app = ws.app
    return {
        "token": app.verification_token,
        "team_id": app.team_id,
        "context_team_id": app.team_id,
        "context_enterprise_id": None,
        "api_app_id": app.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": "Ev" + secrets.token_hex(5).upper(),
        "event_time": int(now.timestamp()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": app.team_id,
                "user_id": app.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": "4-" + secrets.token_urlsafe(24),
    }


def _rich_text(text: str) -> list[dict[str, Any]]:
    return [
        {
            "type": "rich_text",
            "block_id": secrets.token_urlsafe(3),
            "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
        }
    ]


def user_message_event(ws: Workspace, channel: Channel, message: Message, kind: str = "message") -> dict[str, Any]:
    event: dict[str, Any] = {
        "client_msg_id": str(uuid.uuid4()),
        "type": kind,
        "text": message.text,
        "user": message.user,
        "ts": message.ts,
        "blocks": _rich_text(message.text),
        "team": ws.app.team_id,
        "channel": channel.id,
        "event_ts": message.ts,
    }
    if kind == "message":
        event["channel_type"] = channel.channel_type
    if message.thread_ts is not None:
        event["thread_ts"] = message.thread_ts
        parent = ws.messages.get((channel.id, message.thread_ts))
        if parent is not None and parent.user is not None:
            event["parent_user_id"] = parent.user
    return event


def bot_message_event(ws: Workspace, channel: Channel, message: Message) -> dict[str, Any]:
    """What Slack sends an app about its own post: the desk has to recognise and skip these."""
    event = message.to_api()
    event.update(
        {
            "team": ws.app.team_id,
            "channel": channel.id,
            "event_ts": message.ts,
            "channel_type": channel.channel_type,
            "bot_profile": {"id": ws.app.bot_id, "app_id": ws.app.app_id, "name": ws.app.bot_name},
        }
    )
    return event


def reaction_added_event(message: Message, user_id: str, name: str, event_ts: str) -> dict[str, Any]:
    return {
        "type": "reaction_added",
        "user": user_id,
        "reaction": name,
        "item_user": message.user,
        "item": {"type": "message", "channel": message.channel, "ts": message.ts},
        "event_ts": event_ts,
    }


def app_home_opened_event(user: User, channel: Channel, view: View | None, event_ts: str) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user.id,
        "channel": channel.id,
        "tab": "home",
        "event_ts": event_ts,
    }
    if view is not None:
        event["view"] = view.to_api()
    return event


def slash_command_form(
    ws: Workspace, user: User, channel: Channel, command: str, text: str, response_url: str, trigger_id: str
) -> dict[str, str]:
    return {
        "token": ws.app.verification_token,
        "team_id": ws.app.team_id,
        "team_domain": ws.app.team_domain,
        "channel_id": channel.id,
        "channel_name": "directmessage" if channel.is_im else channel.name,
        "user_id": user.id,
        "user_name": user.handle,
        "command": command,
        "text": text,
        "api_app_id": ws.app.app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def _common(ws: Workspace, user: User, kind: str) -> dict[str, Any]:
    return {
        "type": kind,
        "token": ws.app.verification_token,
        "api_app_id": ws.app.app_id,
        "team": {"id": ws.app.team_id, "domain": ws.app.team_domain},
        "user": {"id": user.id, "username": user.handle, "name": user.handle, "team_id": ws.app.team_id},
        "enterprise": None,
        "is_enterprise_install": False,
    }


def _channel_ref(channel: Channel) -> dict[str, str]:
    return {"id": channel.id, "name": "directmessage" if channel.is_im else channel.name}


def block_actions_on_message(
    ws: Workspace,
    user: User,
    channel: Channel,
    message_ts: str,
    message: dict[str, Any] | None,
    action: dict[str, Any],
    trigger_id: str,
    response_url: str,
) -> dict[str, Any]:
    body = _common(ws, user, "block_actions")
    body["container"] = {
        "type": "message",
        "message_ts": message_ts,
        "channel_id": channel.id,
        "is_ephemeral": message is None,
    }
    body["trigger_id"] = trigger_id
    body["channel"] = _channel_ref(channel)
    if message is not None:
        body["message"] = message
    body["state"] = {"values": {}}
    body["response_url"] = response_url
    body["actions"] = [action]
    return body


def block_actions_on_view(
    ws: Workspace, user: User, view: View, action: dict[str, Any], trigger_id: str
) -> dict[str, Any]:
    body = _common(ws, user, "block_actions")
    body["container"] = {"type": "view", "view_id": view.id}
    body["trigger_id"] = trigger_id
    body["view"] = view.to_api()
    body["actions"] = [action]
    return body


def view_submission(ws: Workspace, user: User, view: View, trigger_id: str) -> dict[str, Any]:
    body = _common(ws, user, "view_submission")
    body["trigger_id"] = trigger_id
    body["view"] = view.to_api()
    body["response_urls"] = []
    return body


def view_closed(ws: Workspace, user: User, view: View, *, is_cleared: bool) -> dict[str, Any]:
    body = _common(ws, user, "view_closed")
    body["view"] = view.to_api()
    body["is_cleared"] = is_cleared
    return body


def global_shortcut(ws: Workspace, user: User, callback_id: str, trigger_id: str, action_ts: str) -> dict[str, Any]:
    body = _common(ws, user, "shortcut")
    body.update({"callback_id": callback_id, "trigger_id": trigger_id, "action_ts": action_ts})
    return body


def message_shortcut(
    ws: Workspace,
    user: User,
    channel: Channel,
    message: Message,
    callback_id: str,
    trigger_id: str,
    response_url: str,
    action_ts: str,
) -> dict[str, Any]:
    body = _common(ws, user, "message_action")
    body.update(
        {
            "callback_id": callback_id,
            "trigger_id": trigger_id,
            "action_ts": action_ts,
            "message_ts": message.ts,
            "message": message.to_api(),
            "channel": _channel_ref(channel),
            "response_url": response_url,
        }
    )
    return body
