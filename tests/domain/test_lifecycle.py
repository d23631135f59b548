from __future__ import annotations

import pytest

from bot.domain.lifecycle import TERMINAL, Action, IllegalTransition, TicketState, allowed_actions, next_state
from bot.domain.priority import priority_for

S = TicketState


@pytest.mark.parametrize(
    ("state", "action", "expected"),
    [
        (S.NEW, Action.SUBMIT, S.OPEN),
        (S.NEW, Action.REQUEST_APPROVAL, S.AWAITING_APPROVAL),
        (S.AWAITING_APPROVAL, Action.APPROVE, S.OPEN),
        (S.AWAITING_APPROVAL, Action.REJECT, S.REJECTED),
        (S.OPEN, Action.CLAIM, S.IN_PROGRESS),
        (S.IN_PROGRESS, Action.WAIT_ON_REQUESTER, S.WAITING_ON_REQUESTER),
        (S.WAITING_ON_REQUESTER, Action.REQUESTER_REPLIED, S.IN_PROGRESS),
        (S.WAITING_ON_REQUESTER, Action.ASSIGN, S.WAITING_ON_REQUESTER),
        (S.IN_PROGRESS, Action.RESOLVE, S.RESOLVED),
        (S.OPEN, Action.RESOLVE, S.RESOLVED),
        (S.RESOLVED, Action.CLOSE, S.CLOSED),
        (S.RESOLVED, Action.REOPEN, S.OPEN),
        (S.RESOLVED, Action.REOPEN_TO_ASSIGNEE, S.IN_PROGRESS),
        (S.IN_PROGRESS, Action.CANCEL, S.CANCELLED),
    ],
)
def test_legal_moves(state: TicketState, action: Action, expected: TicketState) -> None:
    assert next_state(state, action) is expected


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (S.OPEN, Action.CLOSE),
        (S.CLOSED, Action.REOPEN),
        (S.IN_PROGRESS, Action.CLAIM),
        (S.AWAITING_APPROVAL, Action.CLAIM),
        (S.RESOLVED, Action.CANCEL),
        (S.CANCELLED, Action.RESOLVE),
        (S.OPEN, Action.APPROVE),
    ],
)
def test_illegal_moves_raise_a_typed_error_that_explains(state: TicketState, action: Action) -> None:
    with pytest.raises(IllegalTransition) as caught:
        next_state(state, action)
    assert caught.value.state is state
    assert f"cannot {action.value} a ticket that is {state.value}" in str(caught.value)


def test_terminal_states_allow_nothing() -> None:
    for state in TERMINAL:
        assert allowed_actions(state) == frozenset()


def test_impact_and_urgency_map_to_priority() -> None:
    assert priority_for("high", "high") == "critical"
    assert priority_for("low", "low") == "low"
    assert priority_for("medium", "high") == "high"
