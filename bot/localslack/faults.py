"""Faults a test asks for: Slack answering 429, 500, slowly, or hanging up, per method and for N calls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# "lost_answer": Slack does the work (the message is posted) but the answer never arrives intact (a 500 after
# the fact), the case that tempts a client into posting twice.
# "refused" answers 200 with ok: false and the given error (not_allowed, missing_scope...): no client retries it.
FaultKind = Literal["rate_limited", "server_error", "slow", "drop", "lost_answer", "refused"]
KINDS: tuple[str, ...] = ("rate_limited", "server_error", "slow", "drop", "lost_answer", "refused")
ANY_METHOD = "*"


@dataclass
class Fault:
    method: str
    kind: FaultKind
    remaining: int
    retry_after: int = 1
    delay: float = 0.0
    error: str = "not_allowed"


class Faults:
    """A queue of faults per method. `"*"` matches every method; `response_url` and `upload` name the
    non-API endpoints."""

    def __init__(self) -> None:
        self._pending: list[Fault] = []

    def inject(
        self,
        method: str,
        kind: FaultKind = "rate_limited",
        *,
        times: int = 1,
        retry_after: int = 1,
        delay: float = 0.0,
        error: str = "not_allowed",
    ) -> Fault:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {', '.join(KINDS)}")
        if times < 1:
            raise ValueError("a fault applies to at least one call")
        fault = Fault(method=method, kind=kind, remaining=times, retry_after=retry_after, delay=delay, error=error)
        self._pending.append(fault)
        return fault

    def take(self, method: str) -> Fault | None:
        """The fault to apply to this call, if any; each call uses up one."""
        for fault in self._pending:
            if fault.method in (method, ANY_METHOD) and fault.remaining > 0:
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._pending.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        self._pending.clear()

    @property
    def pending(self) -> list[Fault]:
        return list(self._pending)
