"""Methods that read the workspace or touch it lightly: auth, conversations, users, user groups, reactions."""

from __future__ import annotations

from typing import Any

from bot.localslack.context import Args, StandIn, page
from bot.localslack.errors import SlackApiError
from bot.localslack.models import Channel


def auth_test(si: StandIn, args: Args) -> dict[str, Any]:
    app = si.workspace.app
    return {
        "ok": True,
        "url": f"{si.base_url}/",
        "team": app.team_name,
        "user": app.bot_name,
        "team_id": app.team_id,
        "user_id": app.bot_user_id,
        "bot_id": app.bot_id,
        "is_enterprise_install": False,
    }


def _visible_channel(si: StandIn, args: Args, name: str = "channel") -> Channel:
    ref = args.opt(name)
    if ref is None:
        raise SlackApiError("channel_not_found")
    channel = si.workspace.channels.get(ref)
    if channel is None:
        raise SlackApiError("channel_not_found")
    bot = si.workspace.app.bot_user_id
    # Private channels and other people's DMs do not exist for a bot that is not in them.
    if (channel.is_private or channel.is_im) and bot not in channel.members:
        raise SlackApiError("channel_not_found")
    return channel


def _readable_channel(si: StandIn, args: Args) -> Channel:
    channel = _visible_channel(si, args)
    if si.workspace.app.bot_user_id not in channel.members:
        raise SlackApiError("not_in_channel")
    return channel


def conversations_open(si: StandIn, args: Args) -> dict[str, Any]:
    if args.opt("channel"):
        channel = _visible_channel(si, args)
    else:
        users = [u for u in args.text("users").split(",") if u]
        if not users:
            raise SlackApiError("users_list_not_supplied")
        if len(users) > 1:
            raise SlackApiError("not_supported", detail="the stand-in opens one-to-one DMs only")
        channel = si.workspace.open_im(si.workspace.user(users[0]).id)
    if args.flag("return_im"):
        return {"ok": True, "channel": channel.to_api(si.workspace.app.bot_user_id)}
    return {"ok": True, "channel": {"id": channel.id}}


def conversations_info(si: StandIn, args: Args) -> dict[str, Any]:
    channel = _visible_channel(si, args)
    return {"ok": True, "channel": channel.to_api(si.workspace.app.bot_user_id)}


def conversations_members(si: StandIn, args: Args) -> dict[str, Any]:
    channel = _visible_channel(si, args)
    members, meta = page(sorted(channel.members), args)
    return {"ok": True, "members": members, "response_metadata": meta["response_metadata"]}


def conversations_history(si: StandIn, args: Args) -> dict[str, Any]:
    channel = _readable_channel(si, args)
    messages = si.workspace.history(channel.id)
    oldest, latest = args.opt("oldest"), args.opt("latest")
    if oldest:
        messages = [m for m in messages if float(m.ts) > float(oldest)]
    if latest:
        messages = [m for m in messages if float(m.ts) < float(latest)]
    chunk, meta = page(messages, args)
    return {"ok": True, "messages": [m.to_api() for m in chunk], "pin_count": 0, **meta}


def conversations_replies(si: StandIn, args: Args) -> dict[str, Any]:
    channel = _readable_channel(si, args)
    ts = args.opt("ts")
    if ts is None or (channel.id, ts) not in si.workspace.messages:
        raise SlackApiError("thread_not_found")
    chunk, meta = page(si.workspace.replies(channel.id, ts), args, default_limit=1000)
    return {"ok": True, "messages": [m.to_api() for m in chunk], **meta}


def users_info(si: StandIn, args: Args) -> dict[str, Any]:
    user = si.workspace.users.get(args.text("user"))
    if user is None:
        raise SlackApiError("user_not_found")
    now = si.workspace.clock.now()
    body = user.to_api(si.workspace.app.team_id, now, include_locale=args.flag("include_locale"))
    return {"ok": True, "user": body}


def users_lookup_by_email(si: StandIn, args: Args) -> dict[str, Any]:
    email = args.text("email").lower()
    for user in si.workspace.users.values():
        if user.email.lower() == email and not user.is_bot:
            return {"ok": True, "user": user.to_api(si.workspace.app.team_id, si.workspace.clock.now())}
    raise SlackApiError("users_not_found")


def usergroups_users_list(si: StandIn, args: Args) -> dict[str, Any]:
    group = si.workspace.usergroups.get(args.text("usergroup"))
    if group is None:
        raise SlackApiError("no_such_subteam")
    return {"ok": True, "users": list(group.users)}


def usergroups_list(si: StandIn, args: Args) -> dict[str, Any]:
    groups = []
    for group in si.workspace.usergroups.values():
        body: dict[str, Any] = {
            "id": group.id,
            "team_id": si.workspace.app.team_id,
            "handle": group.handle,
            "name": group.name,
            "user_count": len(group.users),
        }
        if args.flag("include_users"):
            body["users"] = list(group.users)
        groups.append(body)
    return {"ok": True, "usergroups": groups}


def reactions_add(si: StandIn, args: Args) -> dict[str, Any]:
    channel = _readable_channel(si, args)
    name = args.text("name").strip(":")
    if not name:
        raise SlackApiError("invalid_name")
    si.workspace.react(channel.id, args.text("timestamp"), name, si.workspace.app.bot_user_id)
    return {"ok": True}


METHODS = {
    "auth.test": auth_test,
    "conversations.open": conversations_open,
    "conversations.info": conversations_info,
    "conversations.members": conversations_members,
    "conversations.history": conversations_history,
    "conversations.replies": conversations_replies,
    "users.info": users_info,
    "users.lookupByEmail": users_lookup_by_email,
    "usergroups.users.list": usergroups_users_list,
    "usergroups.list": usergroups_list,
    "reactions.add": reactions_add,
}
