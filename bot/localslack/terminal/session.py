"""The interactive loop: one person at a time types into the workspace and sees what the desk answers.

Plain text is a message in the open conversation; a number presses a choice; the commands in commands.py act
as that person through the stand-in. After each action the desk settles and the session prints what changed
for the person, then walks any modal that opened for them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.localslack.driver import Delivery, LocalSlack
from bot.localslack.errors import SlackApiError
from bot.localslack.interactions import InvalidChoice, NoSuchAction
from bot.localslack.models import Message, View
from bot.localslack.terminal.clockctl import ClockControl
from bot.localslack.terminal.commands import COMMANDS
from bot.localslack.terminal.lines import Lines, Output
from bot.localslack.terminal.modal import ModalWalker
from bot.localslack.terminal.prompts import CANCEL, BadAnswer, Prompt
from bot.localslack.terminal.render import Choice, Numbering, Style, render_view
from bot.localslack.terminal.screen import Screen

RECENT = 12  # messages shown when a conversation is opened


class Session:
    def __init__(
        self,
        slack: LocalSlack,
        settle: Callable[[], Awaitable[None]],
        clock: ClockControl,
        *,
        reader: Lines,
        out: Output,
        style: Style,
        user: str = "anna",
        digest: Callable[[str | None], Awaitable[int]] | None = None,
    ) -> None:
        self.slack = slack
        self._settle = settle
        # Posts today's digest now (of one team, or all): what `/digest` asks the desk for.
        self.digest = digest
        self.clock = clock
        self.reader = reader
        self.out = out
        self.style = style
        self.screen = Screen(slack.workspace, style)
        self.user_id = slack.workspace.user(user).id
        self.channel_id = slack.workspace.open_im(self.user_id).id
        self.thread_ts: str | None = None
        self.choices: dict[int, Choice] = {}
        self.modals = ModalWalker(self)

    # --- who and where ----------------------------------------------------------------------------------------

    @property
    def handle(self) -> str:
        return self.slack.workspace.users[self.user_id].handle

    @property
    def tz(self) -> str:
        return self.slack.workspace.users[self.user_id].tz

    def describe_user(self, user_id: str | None = None) -> str:
        user = self.slack.workspace.users[user_id or self.user_id]
        roles = ", ".join(user.roles) or "no role"
        return f"{user.handle} ({user.real_name}, {roles})"

    def prompt_text(self) -> str:
        where = self.screen.place(self.channel_id)
        if self.thread_ts is not None:
            where += f" thread #{self.screen.number_of(self.channel_id, self.thread_ts)}"
        return self.style.accent(f"{self.handle} in {where}> ")

    # --- input --------------------------------------------------------------------------------------------------

    async def ask(self, prompt: str) -> str | None:
        """One answer to a question; None when input ended."""
        self.out.prompt(prompt)
        return await self.reader.read()

    async def run(self) -> None:
        while True:
            line = await self.ask(self.prompt_text())
            if line is None:
                self.out.line()
                return
            if not await self.handle_line(line.strip()):
                return

    async def handle_line(self, line: str) -> bool:
        """Act on one typed line; False ends the session."""
        if not line:
            return True
        try:
            if line.isdigit():
                await self.press(int(line))
            elif line.startswith("/"):
                return await self.command(line)
            else:
                await self.act(self._say(line))
        except (SlackApiError, NoSuchAction, InvalidChoice, PermissionError, LookupError) as exc:
            self.out.line(self.style.warn(f"That did not work: {exc}"))
        return True

    async def _say(self, text: str) -> None:
        await self.slack.send_message(self.handle, self.channel_id, text, thread_ts=self.thread_ts)

    # --- acting and showing what changed --------------------------------------------------------------------

    async def settle(self) -> None:
        await self.slack.settle()
        await self._settle()
        await self.slack.settle()

    async def act(self, action: Awaitable[Any]) -> None:
        """Do something as the current person, let the desk finish, show what changed, follow a modal."""
        before = self.screen.snapshot(self.user_id, self.channel_id, self.thread_ts)
        result = await action
        if isinstance(result, Delivery):
            self.report_delivery(result)
        await self.settle()
        self.show_changes(before)
        await self.modals.follow()

    def report_delivery(self, delivery: Delivery) -> None:
        if delivery.failure is not None or delivery.status >= 400:
            why = delivery.failure or f"HTTP {delivery.status}"
            self.out.line(self.style.warn(f"(the desk did not take it: {why})"))
            return
        answer = delivery.json()
        if isinstance(answer, dict) and answer.get("text") and delivery.kind == "slash_command":
            # A slash command's direct answer is shown to the person only, like an ephemeral message.
            self.out.line(self.style.warn("(only you) ") + str(answer["text"]))

    def show_changes(self, before: Any) -> None:
        numbering = Numbering()
        lines = self.screen.changes(before, self.user_id, self.channel_id, self.thread_ts, numbering, self.tz)
        self.show(lines, numbering)

    def show(self, lines: list[str], numbering: Numbering) -> None:
        self.out.lines(lines)
        if numbering.choices:
            self.choices = {choice.number: choice for choice in numbering.choices}

    def show_recent(self) -> None:
        numbering = Numbering()
        messages = self.screen.conversation(self.channel_id, self.thread_ts)[-RECENT:]
        lines = self.screen.show_messages(messages, numbering, self.tz)
        self.out.line(self.style.bold(f"--- {self.screen.title(self.channel_id, self.thread_ts)} ---"))
        self.out.lines(lines or [self.style.dim("(no messages yet)")])
        # A new place on screen: only its choices can be pressed now.
        self.choices = {choice.number: choice for choice in numbering.choices}

    def show_view(self, view: View) -> Numbering:
        numbering = Numbering()
        title = str((view.title or {}).get("text", "")) or "Home"
        self.show(render_view(title, view.blocks, self.screen.names(), numbering, view, self.style), numbering)
        return numbering

    # --- choices --------------------------------------------------------------------------------------------

    async def press(self, number: int) -> None:
        choice = self.choices.get(number)
        if choice is None:
            self.out.line(self.style.warn(f"There is no choice [{number}] on screen."))
            return
        picked = await self.pick_option(choice)
        if picked is CANCELLED:
            return
        target = choice.target
        if isinstance(target, Message) and self.screen.place(target.channel) != self.screen.place(self.channel_id):
            self.out.line(self.style.dim(f"(in {self.screen.place(target.channel)})"))
        await self.act(self.slack.click(self.handle, target, choice.action_id, picked, block_id=choice.block_id))

    async def pick_option(self, choice: Choice) -> Any:
        """What to choose in a menu or picker; CANCELLED when the person backs out."""
        if not choice.needs_option:
            return None
        prompt = Prompt(
            key="", block_id="", label=choice.label, kind=choice.kind, optional=False, options=choice.options
        )
        self.out.lines(prompt.question())
        while True:
            answer = await self.ask("> ")
            if answer is None or answer.strip() == CANCEL:
                return CANCELLED
            try:
                return prompt.parse(answer, self.people(), self.rooms())
            except BadAnswer as exc:
                self.out.line(self.style.warn(str(exc)))

    def people(self) -> dict[str, str]:
        return {u.handle: u.id for u in self.slack.workspace.users.values()}

    def rooms(self) -> dict[str, str]:
        return {c.name: c.id for c in self.slack.workspace.channels.values() if not c.is_im}

    # --- commands ---------------------------------------------------------------------------------------------

    async def command(self, line: str) -> bool:
        name, _, rest = line.partition(" ")
        rest = rest.strip()
        if name in ("/quit", "/exit"):
            return False
        handler = COMMANDS.get(name)
        if handler is not None:
            await handler(self, rest)
        else:
            where = None if self.slack.workspace.channels[self.channel_id].is_im else self.channel_id
            await self.act(self.slack.slash_command(self.handle, name, rest, channel=where))
        return True

    def message_at(self, arg: str) -> Message | None:
        if not arg.strip().lstrip("#").isdigit():
            self.out.line(self.style.warn("Give a message number, like 3 for #3."))
            return None
        found = self.screen.message_numbered(self.channel_id, int(arg.strip().lstrip("#")))
        if found is None:
            self.out.line(self.style.warn(f"No message #{arg.strip().lstrip('#')} here."))
        return found


class _Cancelled:
    pass


CANCELLED = _Cancelled()
