"""Every call the desk makes, in order, for assertions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Call:
    method: str
    args: dict[str, Any]
    status: int
    response: dict[str, Any] | None
    at: datetime
    fault: str | None = None

    @property
    def ok(self) -> bool:
        return bool(self.response and self.response.get("ok"))


class Recorder:
    def __init__(self) -> None:
        self._calls: list[Call] = []

    def record(self, call: Call) -> None:
        self._calls.append(call)

    def calls(self, method: str | None = None) -> list[Call]:
        return [c for c in self._calls if method is None or c.method == method]

    def clear(self) -> None:
        self._calls.clear()
