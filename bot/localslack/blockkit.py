"""Block Kit validation with Slack's limits and Slack's way of saying what is wrong.

Slack answers a bad message with `invalid_blocks` and an `errors` list of "<reason> [json-pointer:<where>]"
strings, and a bad view with `invalid_arguments` and the same strings prefixed "[ERROR] " in
`response_metadata.messages`. The limits are the documented ones (Block Kit reference, block and element
pages); the validator covers the blocks and elements the desk sends and refuses anything else."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_TEXT = 40_000
# Not in the reference but enforced: Slack staff put the sum of a message's block text at "12,000 text
# characters with a buffer for block containers" (slackapi/bolt-js#2509); over it, `msg_blocks_too_long`.
MAX_BLOCKS_TEXT = 12_000

TEXT_TYPES = ("plain_text", "mrkdwn")
TEXT_FIELDS = {"plain_text": {"type", "text", "emoji"}, "mrkdwn": {"type", "text", "verbatim"}}
SELECTS = (
    "static_select",
    "users_select",
    "conversations_select",
    "channels_select",
    "external_select",
    "multi_static_select",
    "multi_users_select",
    "multi_conversations_select",
    "multi_channels_select",
)
CHOICES = ("checkboxes", "radio_buttons")
PICKERS = ("datepicker", "timepicker", "datetimepicker")
INPUTS = ("plain_text_input", "email_text_input", "url_text_input", "number_input", "rich_text_input")
SECTION_ACCESSORIES = ("button", "overflow", "image", *SELECTS, *CHOICES, *PICKERS)
ACTIONS_ELEMENTS = ("button", "overflow", *SELECTS, *CHOICES, *PICKERS)
INPUT_ELEMENTS = (*INPUTS, *SELECTS, *CHOICES, *PICKERS)
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Violation:
    reason: str
    pointer: str

    def __str__(self) -> str:
        return f"{self.reason} [json-pointer:{self.pointer}]"


class _Checker:
    def __init__(self) -> None:
        self.violations: list[Violation] = []

    def fail(self, reason: str, pointer: str) -> None:
        self.violations.append(Violation(reason, pointer))

    def string(self, obj: dict[str, Any], key: str, path: str, limit: int, *, required: bool = False) -> None:
        value = obj.get(key)
        if value is None:
            if required:
                self.fail(f"missing required field: {key}", path)
            return
        if not isinstance(value, str):
            self.fail("must be a string", f"{path}/{key}")
        elif len(value) > limit:
            self.fail(f"must be less than {limit + 1} characters", f"{path}/{key}")

    def text(self, obj: Any, path: str, limit: int, *, plain_only: bool = False, required: bool = True) -> None:
        if obj is None:
            if required:
                parent, _, key = path.rpartition("/")
                self.fail(f"missing required field: {key}", parent or "/")
            return
        allowed = ("plain_text",) if plain_only else TEXT_TYPES
        if not isinstance(obj, dict) or obj.get("type") not in allowed or not isinstance(obj.get("text"), str):
            self.fail("failed to match all allowed schemas", path)
            return
        # A classic cause of invalid_blocks: `emoji` on a mrkdwn object, `verbatim` on plain_text.
        extra = sorted(set(obj) - TEXT_FIELDS[obj["type"]])
        if extra:
            self.fail("failed to match all allowed schemas", path)
            self.fail(f"unexpected field: {extra[0]}", f"{path}/{extra[0]}")
        text = obj["text"]
        if len(text) > limit:
            self.fail("failed to match all allowed schemas", path)
            self.fail(f"must be less than {limit + 1} characters", f"{path}/text")
        elif not text:
            self.fail("must be more than 0 characters", f"{path}/text")

    def items(self, value: Any, path: str, limit: int, *, minimum: int = 0) -> list[Any]:
        if not isinstance(value, list):
            self.fail("must be an array", path)
            return []
        if len(value) > limit:
            self.fail(f"no more than {limit} items allowed", path)
        elif len(value) < minimum:
            self.fail(f"must provide at least {minimum} items", path)
        return value

    # --- elements ---

    def element(self, el: Any, path: str, allowed: tuple[str, ...]) -> None:
        if not isinstance(el, dict) or el.get("type") not in allowed:
            self.fail("failed to match all allowed schemas", path)
            return
        kind = el["type"]
        if kind != "image":
            self.string(el, "action_id", path, 255)
        if kind == "button":
            self.text(el.get("text"), f"{path}/text", 75, plain_only=True)
            self.string(el, "value", path, 2000)
            self.string(el, "url", path, 3000)
            if el.get("style") not in (None, "primary", "danger"):
                self.fail("must be a valid enum value", f"{path}/style")
        elif kind == "image":
            self.string(el, "image_url", path, 3000, required=True)
            self.string(el, "alt_text", path, 2000, required=True)
        elif kind == "overflow":
            self.options(el.get("options"), f"{path}/options", 5, minimum=1)
        elif kind in SELECTS:
            self.text(el.get("placeholder"), f"{path}/placeholder", 150, plain_only=True, required=False)
            if kind in ("static_select", "multi_static_select"):
                self.static_options(el, path)
        elif kind in CHOICES:
            self.options(el.get("options"), f"{path}/options", 10, minimum=1, plain_only=False)
        elif kind == "datepicker":
            initial = el.get("initial_date")
            if initial is not None and (not isinstance(initial, str) or not DATE.match(initial)):
                self.fail("must match pattern YYYY-MM-DD", f"{path}/initial_date")
        elif kind in INPUTS:
            self.text(el.get("placeholder"), f"{path}/placeholder", 150, plain_only=True, required=False)
            self.string(el, "initial_value", path, 3000)
        if "confirm" in el:
            self.confirm(el["confirm"], f"{path}/confirm")

    def static_options(self, el: dict[str, Any], path: str) -> None:
        if "options" in el and "option_groups" in el:
            self.fail("must provide either options or option_groups, not both", path)
        if "option_groups" in el:
            for i, group in enumerate(self.items(el["option_groups"], f"{path}/option_groups", 100)):
                gpath = f"{path}/option_groups/{i}"
                self.text(
                    group.get("label") if isinstance(group, dict) else None,
                    f"{gpath}/label",
                    75,
                    plain_only=True,
                )
                self.options(group.get("options") if isinstance(group, dict) else None, f"{gpath}/options", 100)
        elif "options" in el:
            self.options(el["options"], f"{path}/options", 100, minimum=1)
        else:
            self.fail("missing required field: options", path)

    def options(self, options: Any, path: str, limit: int, *, minimum: int = 1, plain_only: bool = True) -> None:
        for i, option in enumerate(self.items(options, path, limit, minimum=minimum)):
            opath = f"{path}/{i}"
            if not isinstance(option, dict):
                self.fail("failed to match all allowed schemas", opath)
                continue
            self.text(option.get("text"), f"{opath}/text", 75, plain_only=plain_only)
            self.string(option, "value", opath, 150, required=True)
            self.text(option.get("description"), f"{opath}/description", 75, required=False, plain_only=plain_only)

    def confirm(self, confirm: Any, path: str) -> None:
        if not isinstance(confirm, dict):
            self.fail("failed to match all allowed schemas", path)
            return
        self.text(confirm.get("title"), f"{path}/title", 100, plain_only=True)
        self.text(confirm.get("text"), f"{path}/text", 300)
        self.text(confirm.get("confirm"), f"{path}/confirm", 30, plain_only=True)
        self.text(confirm.get("deny"), f"{path}/deny", 30, plain_only=True)

    # --- blocks ---

    def blocks(self, blocks: Any, path: str, limit: int) -> None:
        block_ids: set[str] = set()
        for i, block in enumerate(self.items(blocks, path, limit)):
            bpath = f"{path}/{i}"
            if not isinstance(block, dict):
                self.fail("failed to match all allowed schemas", bpath)
                continue
            block_id = block.get("block_id")
            if block_id is not None:
                self.string(block, "block_id", bpath, 255)
                if block_id in block_ids:
                    self.fail(f"duplicate block_id: {block_id}", f"{bpath}/block_id")
                block_ids.add(block_id)
            self.block(block, bpath)

    def block(self, block: dict[str, Any], path: str) -> None:
        kind = block.get("type")
        if kind == "section":
            if block.get("text") is None and block.get("fields") is None:
                self.fail("must provide either text or fields", path)
            self.text(block.get("text"), f"{path}/text", 3000, required=False)
            if block.get("fields") is not None:
                for i, item in enumerate(self.items(block["fields"], f"{path}/fields", 10)):
                    self.text(item, f"{path}/fields/{i}", 2000)
            if block.get("accessory") is not None:
                self.element(block["accessory"], f"{path}/accessory", SECTION_ACCESSORIES)
        elif kind == "header":
            self.text(block.get("text"), f"{path}/text", 150, plain_only=True)
        elif kind == "divider":
            pass
        elif kind == "context":
            for i, el in enumerate(self.items(block.get("elements"), f"{path}/elements", 10, minimum=1)):
                if isinstance(el, dict) and el.get("type") == "image":
                    self.element(el, f"{path}/elements/{i}", ("image",))
                else:
                    self.text(el, f"{path}/elements/{i}", 3000)
        elif kind == "actions":
            elements = self.items(block.get("elements"), f"{path}/elements", 25, minimum=1)
            self.unique_action_ids(elements, f"{path}/elements")
            for i, el in enumerate(elements):
                self.element(el, f"{path}/elements/{i}", ACTIONS_ELEMENTS)
        elif kind == "input":
            self.text(block.get("label"), f"{path}/label", 2000, plain_only=True)
            self.text(block.get("hint"), f"{path}/hint", 2000, plain_only=True, required=False)
            if block.get("element") is None:
                self.fail("missing required field: element", path)
            else:
                self.element(block["element"], f"{path}/element", INPUT_ELEMENTS)
        elif kind == "image":
            self.string(block, "image_url", path, 3000, required=True)
            self.string(block, "alt_text", path, 2000, required=True)
            self.text(block.get("title"), f"{path}/title", 2000, plain_only=True, required=False)
        elif kind == "rich_text":
            self.items(block.get("elements"), f"{path}/elements", 100)
        else:
            self.fail("failed to match all allowed schemas", path)

    def unique_action_ids(self, elements: list[Any], path: str) -> None:
        seen: set[str] = set()
        for i, el in enumerate(elements):
            action_id = el.get("action_id") if isinstance(el, dict) else None
            if action_id is None:
                continue
            if action_id in seen:
                self.fail(f"duplicate action_id: {action_id}", f"{path}/{i}/action_id")
            seen.add(action_id)


def blocks_text_length(blocks: Any) -> int:
    """The characters of every text string inside the blocks, as counted for `msg_blocks_too_long`."""
    if isinstance(blocks, list):
        return sum(blocks_text_length(item) for item in blocks)
    if isinstance(blocks, dict):
        own = len(blocks["text"]) if isinstance(blocks.get("text"), str) else 0
        return own + sum(blocks_text_length(v) for k, v in blocks.items() if not isinstance(v, str))
    return 0


def validate_message_blocks(blocks: Any) -> list[Violation]:
    checker = _Checker()
    checker.blocks(blocks, "/blocks", MAX_MESSAGE_BLOCKS)
    return checker.violations


def validate_view(view: Any) -> list[Violation]:
    checker = _Checker()
    if not isinstance(view, dict):
        checker.fail("must be an object", "/view")
        return checker.violations
    kind = view.get("type")
    if kind not in ("modal", "home"):
        checker.fail("must be a valid enum value", "/view/type")
    if kind == "modal":
        checker.text(view.get("title"), "/view/title", 24, plain_only=True)
        checker.text(view.get("submit"), "/view/submit", 24, plain_only=True, required=False)
        checker.text(view.get("close"), "/view/close", 24, plain_only=True, required=False)
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or [])
        if has_input and view.get("submit") is None:
            checker.fail("submit is required when an input block is within the blocks array", "/view")
    checker.string(view, "private_metadata", "/view", 3000)
    checker.string(view, "callback_id", "/view", 255)
    checker.string(view, "external_id", "/view", 255)
    checker.blocks(view.get("blocks"), "/view/blocks", MAX_VIEW_BLOCKS)
    return checker.violations
