"""The Slack app manifest for this desk: what to paste into api.slack.com/apps -> Create New App -> From a
manifest. Scopes and events are exactly what the listeners use."""

from __future__ import annotations

from typing import Any

from bot.blocks.ids import CallbackId
from bot.config import DeskConfig

BOT_SCOPES = (
    "app_mentions:read",  # @mentions in channels
    "channels:history",  # replies in ticket threads in public channels
    "channels:read",
    "chat:write",
    "commands",  # /helpdesk
    "files:write",  # the digest's chart
    "groups:history",  # private triage channels (HR)
    "groups:read",
    "im:history",  # DMs to the desk
    "im:read",
    "im:write",  # opening a DM to confirm a ticket
    "reactions:read",  # the :ticket: reaction
    "reactions:write",
    "users:read",  # locale and time zone of each person
    "users:read.email",
    "usergroups:read",  # teams defined by a user group
)
BOT_EVENTS = (
    "app_home_opened",
    "app_mention",
    "message.channels",
    "message.groups",
    "message.im",
    "reaction_added",
)


def manifest(config: DeskConfig, *, url: str | None, socket_mode: bool) -> dict[str, Any]:
    events_url = f"{url.rstrip('/')}/slack/events" if url else None
    command: dict[str, Any] = {
        "command": "/helpdesk",
        "description": "Ask for help, or see your tickets",
        "usage_hint": "[what you need] | status [KEY] | queue",
        "should_escape": False,
    }
    settings: dict[str, Any] = {
        "event_subscriptions": {"bot_events": list(BOT_EVENTS)},
        "interactivity": {"is_enabled": True},
        "org_deploy_enabled": False,
        "socket_mode_enabled": socket_mode,
        "token_rotation_enabled": False,
    }
    if not socket_mode:
        if events_url is None:
            raise ValueError("HTTP mode needs the desk's public URL: pass --url https://desk.example.com")
        command["url"] = events_url
        settings["event_subscriptions"]["request_url"] = events_url
        settings["interactivity"]["request_url"] = events_url
    return {
        "display_information": {
            "name": config.desk.name[:35],
            "description": "Ask for help in plain words; get an answer or a ticket with the right team.",
            "background_color": "#1d3557",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": "helpdesk", "always_online": True},
            "slash_commands": [command],
            "shortcuts": [
                {
                    "name": "New request",
                    "type": "global",
                    "callback_id": str(CallbackId.NEW_REQUEST_SHORTCUT),
                    "description": "Pick a service and open a ticket",
                },
                {
                    "name": "Create ticket from message",
                    "type": "message",
                    "callback_id": str(CallbackId.TICKET_FROM_MESSAGE),
                    "description": "Open a ticket with this message",
                },
            ],
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": settings,
    }
