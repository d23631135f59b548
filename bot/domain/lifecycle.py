"""The ticket state machine, as pure data: which action moves a ticket from which state to which."""

from __future__ import annotations

from enum import StrEnum


class TicketState(StrEnum):
    NEW = "new"
    AWAITING_APPROVAL = "awaiting_approval"
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    WAITING_ON_REQUESTER = "waiting_on_requester"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


class Action(StrEnum):
    SUBMIT = "submit"
    REQUEST_APPROVAL = "request_approval"
    APPROVE = "approve"
    REJECT = "reject"
    CLAIM = "claim"
    ASSIGN = "assign"
    UNASSIGN = "unassign"
    WAIT_ON_REQUESTER = "wait_on_requester"
    REQUESTER_REPLIED = "requester_replied"
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"
    REOPEN_TO_ASSIGNEE = "reopen_to_assignee"
    CANCEL = "cancel"
    MOVE = "move"


S = TicketState
ACTIVE = frozenset({S.OPEN, S.IN_PROGRESS, S.WAITING_ON_REQUESTER})
TERMINAL = frozenset({S.CLOSED, S.CANCELLED, S.REJECTED})

TRANSITIONS: dict[Action, dict[TicketState, TicketState]] = {
    Action.SUBMIT: {S.NEW: S.OPEN},
    Action.REQUEST_APPROVAL: {S.NEW: S.AWAITING_APPROVAL},
    Action.APPROVE: {S.AWAITING_APPROVAL: S.OPEN},
    Action.REJECT: {S.AWAITING_APPROVAL: S.REJECTED},
    Action.CLAIM: {S.OPEN: S.IN_PROGRESS},
    # Assigning someone keeps a waiting ticket waiting: the requester still owes an answer.
    Action.ASSIGN: {
        S.OPEN: S.IN_PROGRESS,
        S.IN_PROGRESS: S.IN_PROGRESS,
        S.WAITING_ON_REQUESTER: S.WAITING_ON_REQUESTER,
    },
    Action.UNASSIGN: {S.IN_PROGRESS: S.OPEN},
    Action.WAIT_ON_REQUESTER: {S.IN_PROGRESS: S.WAITING_ON_REQUESTER},
    Action.REQUESTER_REPLIED: {S.WAITING_ON_REQUESTER: S.IN_PROGRESS},
    Action.RESOLVE: dict.fromkeys(ACTIVE, S.RESOLVED),
    Action.CLOSE: {S.RESOLVED: S.CLOSED},
    Action.REOPEN: {S.RESOLVED: S.OPEN},
    # "No, still a problem" goes straight back to the agent who resolved it.
    Action.REOPEN_TO_ASSIGNEE: {S.RESOLVED: S.IN_PROGRESS},
    Action.CANCEL: dict.fromkeys((S.NEW, S.AWAITING_APPROVAL, *ACTIVE), S.CANCELLED),
    # A moved ticket starts over in the new team's queue: unassigned, open.
    Action.MOVE: dict.fromkeys(ACTIVE, S.OPEN),
}


class IllegalTransition(Exception):
    """The action does not apply to the ticket's current state (often: someone else acted first)."""

    def __init__(self, state: TicketState, action: Action) -> None:
        self.state = state
        self.action = action
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[action]))
        super().__init__(f"cannot {action.value} a ticket that is {state.value} (only when {allowed})")


def next_state(state: TicketState | str, action: Action) -> TicketState:
    current = TicketState(state)
    try:
        return TRANSITIONS[action][current]
    except KeyError:
        raise IllegalTransition(current, action) from None


def allowed_actions(state: TicketState | str) -> frozenset[Action]:
    current = TicketState(state)
    return frozenset(action for action, moves in TRANSITIONS.items() if current in moves)
