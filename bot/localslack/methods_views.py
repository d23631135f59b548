"""views.* methods: modals opened with a trigger, stacked, updated by id or external id, and home tabs."""

from __future__ import annotations

from typing import Any

from bot.localslack.blockkit import validate_view
from bot.localslack.context import Args, StandIn, invalid_view
from bot.localslack.errors import SlackApiError
from bot.localslack.workspace import MAX_VIEW_STACK


def _spec(args: Args, *, kind: str | None = None) -> dict[str, Any]:
    spec = args.json("view", "invalid_arguments")
    if spec is None:
        raise SlackApiError("invalid_arguments", response_metadata={"messages": ["[ERROR] missing view"]})
    violations = validate_view(spec)
    if violations:
        raise invalid_view(violations)
    if kind is not None and spec.get("type") != kind:
        raise SlackApiError("invalid_arguments", response_metadata={"messages": [f"[ERROR] view type must be {kind}"]})
    return dict(spec)


def views_open(si: StandIn, args: Args) -> dict[str, Any]:
    spec = _spec(args, kind="modal")
    user_id = si.workspace.exchange_trigger(args.opt("trigger_id") or args.opt("interactivity_pointer"))
    view = si.workspace.new_view(user_id, spec, root=None, previous=None)
    view.root_view_id = view.id
    si.workspace.modal_stacks[user_id] = [view.id]
    return {"ok": True, "view": view.to_api()}


def views_push(si: StandIn, args: Args) -> dict[str, Any]:
    spec = _spec(args, kind="modal")
    user_id = si.workspace.exchange_trigger(args.opt("trigger_id") or args.opt("interactivity_pointer"))
    stack = si.workspace.modal_stacks.get(user_id) or []
    if not stack:
        raise SlackApiError("not_found")
    if len(stack) >= MAX_VIEW_STACK:
        raise SlackApiError("push_limit_reached")
    view = si.workspace.new_view(user_id, spec, root=stack[0], previous=stack[-1])
    stack.append(view.id)
    return {"ok": True, "view": view.to_api()}


def views_update(si: StandIn, args: Args) -> dict[str, Any]:
    spec = _spec(args)
    view = si.workspace.find_view(args.opt("view_id"), args.opt("external_id"))
    expected = args.opt("hash")
    if expected is not None and expected != view.hash:
        raise SlackApiError("hash_conflict")
    si.workspace.replace_view(view, spec)
    return {"ok": True, "view": view.to_api()}


def views_publish(si: StandIn, args: Args) -> dict[str, Any]:
    spec = _spec(args, kind="home")
    user = si.workspace.users.get(args.text("user_id"))
    if user is None:
        raise SlackApiError("user_not_found")
    existing = si.workspace.home_views.get(user.id)
    if existing is not None:
        view = si.workspace.views[existing]
        expected = args.opt("hash")
        if expected is not None and expected != view.hash:
            raise SlackApiError("hash_conflict")
        si.workspace.replace_view(view, spec)
    else:
        view = si.workspace.new_view(user.id, spec, root=None, previous=None)
        si.workspace.home_views[user.id] = view.id
    return {"ok": True, "view": view.to_api()}


METHODS = {
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "views.publish": views_publish,
}
