"""Reading typed lines without blocking the event loop, and writing output as it comes."""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import Protocol, TextIO


class Lines(Protocol):
    async def read(self) -> str | None:
        """The next typed line, without its newline; None when input has ended."""
        ...


class LineReader:
    """A daemon thread reads lines from a stream into an asyncio queue; None means end of input.

    A thread rather than `connect_read_pipe`: the latter makes the terminal non-blocking, which the
    terminal's output side (the same tty) then shares."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stdin
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._pump, args=(loop,), name="terminal-input", daemon=True)
        self._thread.start()

    def _pump(self, loop: asyncio.AbstractEventLoop) -> None:
        while True:
            try:
                line = self._stream.readline()
            except (OSError, ValueError):  # the stream was closed under us at shutdown
                line = ""
            try:
                loop.call_soon_threadsafe(self._queue.put_nowait, line.rstrip("\r\n") if line else None)
            except RuntimeError:  # the loop is gone: the session has ended
                return
            if not line:
                return

    async def read(self) -> str | None:
        return await self._queue.get()


class Output:
    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stdout

    def line(self, text: str = "") -> None:
        self._stream.write(text + "\n")
        self._stream.flush()

    def lines(self, texts: list[str]) -> None:
        for text in texts:
            self.line(text)

    def prompt(self, text: str) -> None:
        self._stream.write(text)
        self._stream.flush()
