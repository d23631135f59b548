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
    CONFIRM_SOLVED = "desk.confirm_solved"
    STILL_A_PROBLEM = "desk.still_a_problem"
    RATE = "desk.rate"
    FOLLOW_UP = "desk.follow_up"
    DRAFT_ARTICLE = "desk.draft_article"
    PUBLISH_ARTICLE = "desk.publish_article"
    APPROVE = "desk.approve"
    REJECT = "desk.reject"


class CallbackId(StrEnum):
    REQUEST_FORM = "desk.request_form"
    CATALOGUE = "desk.catalogue"
    NEW_REQUEST_SHORTCUT = "desk.new_request_shortcut"
    TICKET_FROM_MESSAGE = "desk.ticket_from_message"
    RESOLVE_FORM = "desk.resolve_form"
    NOTE_FORM = "desk.note_form"
    REOPEN_FORM = "desk.reopen_form"
    RATING_COMMENT_FORM = "desk.rating_comment_form"
    FOLLOW_UP_FORM = "desk.follow_up_form"
    ARTICLE_FORM = "desk.article_form"
    REJECT_FORM = "desk.reject_form"


class BlockId(StrEnum):
    DESCRIPTION = "desk.description"
    ITEM = "desk.item"
    SEARCH = "desk.search"


def field_block_id(field_id: str) -> str:
    return f"field.{field_id}"
