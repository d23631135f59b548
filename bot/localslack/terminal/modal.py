"""Modals as a short sequence of prompts: walk the inputs, submit, show the desk's errors next to their
fields and ask those again; follow `update`, `push` and `clear`; a dot cancels (view_closed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.localslack.interactions import InvalidResponseAction, SubmissionBlocked
from bot.localslack.models import View
from bot.localslack.terminal.prompts import CANCEL, BadAnswer, Prompt, Value, prompts_of

if TYPE_CHECKING:
    from bot.localslack.terminal.session import Session

MAX_ROUNDS = 20  # a desk that keeps answering with new views should not keep the terminal forever


class Cancelled(Exception):
    pass


class ModalWalker:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._handled: tuple[str, str] | None = None

    def _top(self) -> View | None:
        stack = self.session.slack.open_views(self.session.handle)
        return stack[-1] if stack else None

    async def follow(self, *, again: bool = False) -> None:
        """Walk whatever modal is open for the current person until none is, or it stops changing."""
        for _ in range(MAX_ROUNDS):
            view = self._top()
            if view is None:
                return
            key = (view.id, view.hash)
            if key == self._handled and not again:
                return
            again = False
            self._handled = key
            try:
                await self._walk(view)
            except Cancelled:
                await self.session.act(self.session.slack.close_view(self.session.handle, view))
                self.session.out.line(self.session.style.dim("(modal closed)"))

    async def _walk(self, view: View) -> None:
        session = self.session
        numbering = session.show_view(view)
        prompts = prompts_of(view.blocks)
        if numbering.choices:
            hint = "Enter fills in the form" if prompts else "nothing else to do here"
            answer = await self._answer(f"Type a choice number, '.' to cancel ({hint}): ")
            if answer.strip().isdigit():
                await session.press(int(answer.strip()))
                return
            if not prompts:
                raise Cancelled
        if not prompts:
            return
        values = await self._fill(prompts)
        await self._submit(view, prompts, values)

    async def _answer(self, prompt: str) -> str:
        answer = await self.session.ask(prompt)
        if answer is None or answer.strip() == CANCEL:
            raise Cancelled
        return answer

    async def _fill(self, prompts: list[Prompt], errors: dict[str, str] | None = None) -> dict[str, Value]:
        session = self.session
        values: dict[str, Value] = {}
        for prompt in prompts:
            for line in prompt.question():
                session.out.line(line)
            if errors and prompt.block_id in errors:
                session.out.line(session.style.warn(f"  ! {errors[prompt.block_id]}"))
            while True:
                answer = await self._answer("> ")
                try:
                    values[prompt.key] = prompt.parse(answer, session.people(), session.rooms())
                    break
                except BadAnswer as exc:
                    session.out.line(session.style.warn(f"  ! {exc}"))
        return {key: value for key, value in values.items() if value is not None}

    async def _submit(self, view: View, prompts: list[Prompt], values: dict[str, Value]) -> None:
        session = self.session
        for _ in range(MAX_ROUNDS):
            before = session.screen.snapshot(session.user_id, session.channel_id, session.thread_ts)
            try:
                delivery = await session.slack.submit_view(session.handle, view, values)
            except (SubmissionBlocked, InvalidResponseAction) as exc:
                session.out.line(session.style.warn(f"Slack would refuse this: {exc}"))
                return
            session.report_delivery(delivery)
            answer = delivery.json()
            errors = answer.get("errors") if isinstance(answer, dict) else None
            if not (isinstance(answer, dict) and answer.get("response_action") == "errors" and errors):
                await session.settle()
                session.show_changes(before)
                if self._top() is None:
                    session.out.line(session.style.dim("(sent)"))
                return
            session.out.line(session.style.warn("The form needs another look:"))
            again = [p for p in prompts if p.block_id in errors]
            values.update(await self._fill(again, errors))
