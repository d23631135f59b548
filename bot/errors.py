"""The desk's exception tree: every failure a user can cause has a type and a message fit to show them."""

from __future__ import annotations

from bot.domain.lifecycle import IllegalTransition

__all__ = [
    "AlreadyClaimed",
    "ConcurrentUpdate",
    "DeskError",
    "IllegalTransition",
    "NotPermitted",
    "TicketNotFound",
]


class DeskError(Exception):
    """Base of errors that are the user's or the situation's, not a bug."""


class TicketNotFound(DeskError):
    def __init__(self, ref: int | str) -> None:
        self.ref = ref
        super().__init__(f"there is no ticket {ref}")


class AlreadyClaimed(DeskError):
    def __init__(self, key: str, holder: str) -> None:
        self.key = key
        self.holder = holder
        super().__init__(f"{key} is already claimed by {holder}")


class NotPermitted(DeskError):
    """`message` is the i18n key of what the person is told; the default fits agent-only actions."""

    def __init__(self, user_id: str, what: str, message: str = "errors.not_permitted") -> None:
        self.user_id = user_id
        self.what = what
        self.message = message
        super().__init__(f"{user_id} may not {what}")


class ConcurrentUpdate(DeskError):
    """Kept losing the race for a ticket that others change at the same moment; try again."""

    def __init__(self, ticket_id: int) -> None:
        self.ticket_id = ticket_id
        super().__init__(f"ticket {ticket_id} changed too often while we tried to update it; try again")
