"""What a person's click or form entry looks like to the app: the `actions[]` entry of a block_actions payload
and the `state.values` of a view, built from the element the person used and what they chose."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from bot.localslack.blockkit import validate_view
from bot.localslack.models import View
from bot.localslack.workspace import MAX_VIEW_STACK

Choice = str | list[str] | None

_SINGLE = {
    "static_select": "selected_option",
    "external_select": "selected_option",
    "radio_buttons": "selected_option",
    "overflow": "selected_option",
    "users_select": "selected_user",
    "conversations_select": "selected_conversation",
    "channels_select": "selected_channel",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
}
_MULTI = {
    "checkboxes": "selected_options",
    "multi_static_select": "selected_options",
    "multi_users_select": "selected_users",
    "multi_conversations_select": "selected_conversations",
    "multi_channels_select": "selected_channels",
}
_INITIAL = {
    "selected_option": "initial_option",
    "selected_user": "initial_user",
    "selected_conversation": "initial_conversation",
    "selected_channel": "initial_channel",
    "selected_date": "initial_date",
    "selected_time": "initial_time",
    "selected_options": "initial_options",
    "selected_users": "initial_users",
    "selected_conversations": "initial_conversations",
    "selected_channels": "initial_channels",
}
_OPTION_FIELDS = {"selected_option", "selected_options"}


class NoSuchAction(LookupError):
    pass


class InvalidChoice(ValueError):
    pass


class SubmissionBlocked(ValueError):
    """Slack's client would not send this submission (a required field is empty)."""


class InvalidResponseAction(ValueError):
    """The app answered a submission with something Slack refuses; the person would see
    "We had some trouble connecting" and the modal would stay as it was."""


def interactive_elements(blocks: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(block, element) for every element a person can act on."""
    for block in blocks:
        if block.get("type") == "actions":
            for element in block.get("elements", []):
                yield block, element
        for key in ("accessory", "element"):
            element = block.get(key)
            if isinstance(element, dict) and element.get("type") != "image":
                yield block, element


def find_action(
    blocks: list[dict[str, Any]], action_id: str, block_id: str | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The element a person would press: the first with this action_id (in the block named, if given)."""
    for block, element in interactive_elements(blocks):
        if element.get("action_id") == action_id and block_id in (None, block.get("block_id")):
            return block, element
    known = sorted(str(el.get("action_id")) for _, el in interactive_elements(blocks))
    raise NoSuchAction(f"no element with action_id {action_id!r}; there are {known}")


def _options(element: dict[str, Any]) -> list[dict[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def _option(element: dict[str, Any], value: str) -> dict[str, Any]:
    for option in _options(element):
        if option.get("value") == value:
            return dict(option)
    raise InvalidChoice(f"{element.get('action_id')!r} has no option with value {value!r}")


def selection(element: dict[str, Any], choice: Choice) -> dict[str, Any]:
    """The fields the element's type carries for this choice, e.g. {"selected_option": {...}}."""
    kind = element.get("type", "")
    if kind in _SINGLE:
        field = _SINGLE[kind]
        if choice is None:
            return {field: element.get(_INITIAL[field])}
        if isinstance(choice, list):
            raise InvalidChoice(f"{kind} takes one choice")
        return {field: _option(element, choice) if field in _OPTION_FIELDS else choice}
    if kind in _MULTI:
        field = _MULTI[kind]
        if choice is None:
            return {field: list(element.get(_INITIAL[field]) or [])}
        values = [choice] if isinstance(choice, str) else list(choice)
        return {field: [_option(element, v) for v in values] if field in _OPTION_FIELDS else values}
    if kind in ("plain_text_input", "email_text_input", "url_text_input", "number_input", "rich_text_input"):
        if isinstance(choice, list):
            raise InvalidChoice(f"{kind} takes one value")
        return {"value": choice if choice is not None else element.get("initial_value")}
    return {}


def action(block: dict[str, Any], element: dict[str, Any], choice: Choice, action_ts: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": element.get("type"),
        "action_id": element.get("action_id"),
        "block_id": block.get("block_id"),
        "action_ts": action_ts,
    }
    if element.get("type") == "button":
        body["text"] = element.get("text")
        for key in ("value", "style"):
            if key in element:
                body[key] = element[key]
    else:
        body.update(selection(element, choice))
        if "placeholder" in element:
            body["placeholder"] = element["placeholder"]
    return body


def state_values(
    blocks: list[dict[str, Any]], entries: Mapping[str, Choice], previous: dict[str, Any]
) -> dict[str, Any]:
    """Slack's `state.values` ({block_id: {action_id: {type, value...}}}) for a view after a person filled
    it in. `entries` is keyed by action_id (or "block_id.action_id"); untouched fields keep what they had."""
    values: dict[str, Any] = {}
    unknown = set(entries)
    for block, element in interactive_elements(blocks):
        if element.get("type") == "button":
            continue
        block_id, action_id = block.get("block_id"), element.get("action_id")
        for key in (f"{block_id}.{action_id}", str(action_id)):
            if key in entries:
                unknown.discard(key)
                state = {"type": element.get("type"), **selection(element, entries[key])}
                break
        else:
            state = previous.get(str(block_id), {}).get(str(action_id)) or {
                "type": element.get("type"),
                **selection(element, None),
            }
        values.setdefault(str(block_id), {})[str(action_id)] = state
    if unknown:
        raise NoSuchAction(f"the view has no input for {sorted(unknown)}")
    return values


def missing_required(blocks: list[dict[str, Any]], values: dict[str, Any]) -> list[str]:
    """Block ids of required input blocks left empty: Slack's client will not submit the form then."""
    missing = []
    for block in blocks:
        if block.get("type") != "input" or block.get("optional"):
            continue
        element = block.get("element") or {}
        state = values.get(str(block.get("block_id")), {}).get(str(element.get("action_id")), {})
        filled = [v for k, v in state.items() if k != "type" and v not in (None, "", [])]
        if not filled:
            missing.append(str(block.get("block_id")))
    return missing


def check_response_action(view: View, answer: dict[str, Any], depth: int) -> None:
    """Refuse a view_submission answer the way Slack would (see InvalidResponseAction)."""
    action = answer["response_action"]
    if action == "errors":
        errors = answer.get("errors")
        inputs = {b.get("block_id") for b in view.blocks if b.get("type") == "input"}
        if not isinstance(errors, dict) or not errors:
            raise InvalidResponseAction("response_action errors needs a non-empty errors object")
        unknown = sorted(set(errors) - inputs)
        if unknown:
            raise InvalidResponseAction(f"errors name blocks that are not input blocks of the view: {unknown}")
    elif action in ("update", "push"):
        problems = validate_view(answer.get("view"))
        if problems:
            raise InvalidResponseAction("; ".join(str(p) for p in problems))
        if action == "push" and depth >= MAX_VIEW_STACK:
            raise InvalidResponseAction("push_limit_reached")
    elif action != "clear":
        raise InvalidResponseAction(f"unknown response_action {action!r}")
