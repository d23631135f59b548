"""Every action_id and callback_id the desk uses, so listeners and builders cannot drift apart."""

from __future__ import annotations

from enum import StrEnum


class ActionId(StrEnum):
    CHOOSE_ITEM = "desk.choose_item"
    ARTICLE_SOLVED = "desk.article_solved"
    STILL_NEED_HELP = "desk.still_need_help"
    FREE_TEXT = "desk.free_text"
    BROWSE = "desk.browse"
    NEW_REQUEST = "desk.new_request"
    PICK_ITEM = "desk.pick_item"
    HOME_SEARCH = "desk.home_search"
    OPEN_ARTICLE = "desk.open_article"
    # Triage card (agents).
    CLAIM = "desk.claim"
    ASSIGN = "desk.assign"
    PRIORITY = "desk.priority"
    WAIT = "desk.wait"
    RESOLVE = "desk.resolve"
    CARD_MENU = "desk.card_menu"
    NOTE = "desk.note"
    CANCEL_OWN = "desk.cancel_own"


class CallbackId(StrEnum):
    REQUEST_FORM = "desk.request_form"
    CATALOGUE = "desk.catalogue"
    NEW_REQUEST_SHORTCUT = "desk.new_request_shortcut"
    TICKET_FROM_MESSAGE = "desk.ticket_from_message"
    RESOLVE_FORM = "desk.resolve_form"
    NOTE_FORM = "desk.note_form"


class BlockId(StrEnum):
    DESCRIPTION = "desk.description"
    ITEM = "desk.item"
    SEARCH = "desk.search"


def field_block_id(field_id: str) -> str:
    return f"field.{field_id}"
