"""The one way a stand-in method says no: the Slack error code plus any extra fields Slack puts next to it."""

from __future__ import annotations

from typing import Any


class SlackApiError(Exception):
    """Raised by workspace operations and API methods; the server turns it into `{"ok": false, ...}`."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.error, **self.extra}
