"""The interactive loop: one person at a time types into the workspace and sees what the desk answers.

Plain text is a message in the open conversation; `/as`, `/open`, `/thread`, numbers and the other commands
of HELP act as that person through the stand-in. After each action the desk settles and the session prints
what changed for the person, then walks any modal that opened for them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.blocks.ids import CallbackId
from bot.localslack.driver import Delivery, LocalSlack
from bot.localslack.errors import SlackApiError
from bot.localslack.interactions import InvalidChoice, NoSuchAction
from bot.localslack.models import Message, View
from bot.localslack.terminal.clockctl import ClockControl, ClockUsage
from bot.localslack.terminal.lines import Lines, Output
from bot.localslack.terminal.modal import ModalWalker
from bot.localslack.terminal.prompts import CANCEL, BadAnswer, Prompt
from bot.localslack.terminal.render import Choice, Numbering, Style, render_view
from bot.localslack.terminal.screen import Screen

RECENT = 12

HELP = """\
  text               send a message in the open conversation (start: your DM with helpdesk)
  N  or  /click N    press choice [N] (menus and pickers ask which option)
  /as HANDLE         be someone else (/who lists people)
  /open #channel     open a channel; /open dm for your DM with helpdesk (/channels lists them)
  /thread N, /back   enter the thread of message #N, and leave it
  /react N EMOJI     react to message #N, e.g. /react 2 ticket
  /helpdesk TEXT     the desk's slash command (any other /command is passed on too)
  /shortcut new      the "New request" shortcut; /shortcut ticket N: "Create ticket" on message #N
  /home              your App Home tab
  /modal             go back to a modal that is still open
  /clock [+2h|+30m|+1d|next-working-day|now]   show or move the desk's clock
  /who, /channels, /help, /quit"""


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
    ) -> None:
        self.slack = slack
        self._settle = settle
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


async def cmd_help(session: Session, _: str) -> None:
    session.out.line(HELP)


async def cmd_as(session: Session, arg: str) -> None:
    try:
        user = session.slack.workspace.user(arg.strip().lstrip("@"))
    except SlackApiError:
        session.out.line(session.style.warn(f"No one called {arg!r} here; /who lists people."))
        return
    if user.is_bot:
        session.out.line(session.style.warn("You cannot be the bot."))
        return
    session.user_id = user.id
    session.choices = {}
    session.thread_ts = None
    channel = session.slack.workspace.channels[session.channel_id]
    if user.id not in channel.members:
        session.channel_id = session.slack.workspace.open_im(user.id).id
    session.out.line(f"You are now {session.describe_user()}, in {session.screen.place(session.channel_id)}.")
    await session.modals.follow()


async def cmd_open(session: Session, arg: str) -> None:
    target = arg.strip()
    workspace = session.slack.workspace
    if target in ("", "dm", "@helpdesk"):
        channel = workspace.open_im(session.user_id)
    elif target.startswith("@"):
        session.out.line(session.style.warn("Only your DM with helpdesk exists here: /open dm"))
        return
    else:
        try:
            channel = workspace.channel("#" + target.lstrip("#"))
        except SlackApiError:
            session.out.line(session.style.warn(f"No channel {target}; /channels lists them."))
            return
        if session.user_id not in channel.members:
            session.out.line(session.style.warn(f"{session.handle} is not in #{channel.name}."))
            return
    session.channel_id, session.thread_ts = channel.id, None
    session.show_recent()


async def cmd_thread(session: Session, arg: str) -> None:
    message = session.message_at(arg)
    if message is not None:
        session.thread_ts = message.thread_ts or message.ts
        session.show_recent()


async def cmd_back(session: Session, _: str) -> None:
    session.thread_ts = None
    session.show_recent()


async def cmd_click(session: Session, arg: str) -> None:
    if arg.strip().isdigit():
        await session.press(int(arg.strip()))
    else:
        session.out.line(session.style.warn("Use /click N, or just type N."))


async def cmd_react(session: Session, arg: str) -> None:
    parts = arg.split()
    if len(parts) != 2:
        session.out.line(session.style.warn("Use /react N EMOJI, e.g. /react 2 ticket"))
        return
    message = session.message_at(parts[0])
    if message is not None:
        emoji = parts[1].strip(":")
        await session.act(session.slack.add_reaction(session.handle, message.channel, message.ts, emoji))


async def cmd_shortcut(session: Session, arg: str) -> None:
    parts = arg.split()
    if parts == ["new"]:
        await session.act(session.slack.global_shortcut(session.handle, CallbackId.NEW_REQUEST_SHORTCUT))
    elif len(parts) == 2 and parts[0] == "ticket":
        message = session.message_at(parts[1])
        if message is not None:
            await session.act(session.slack.message_shortcut(session.handle, message, CallbackId.TICKET_FROM_MESSAGE))
    else:
        session.out.line(session.style.warn("Use /shortcut new, or /shortcut ticket N"))


async def cmd_home(session: Session, _: str) -> None:
    await session.act(session.slack.open_app_home(session.handle))
    home = session.slack.home_of(session.handle)
    if home is None:
        session.out.line(session.style.dim("(the desk has no App Home for you)"))
    else:
        session.show_view(home)


async def cmd_modal(session: Session, _: str) -> None:
    if not session.slack.open_views(session.handle):
        session.out.line(session.style.dim("(no modal is open)"))
    await session.modals.follow(again=True)


async def cmd_clock(session: Session, arg: str) -> None:
    try:
        session.out.line(session.clock.apply(arg))
    except ClockUsage as exc:
        session.out.line(session.style.warn(str(exc)))
        return
    await session.act(session.slack.settle())


async def cmd_who(session: Session, _: str) -> None:
    for user in session.slack.workspace.users.values():
        if not user.is_bot:
            marker = "*" if user.id == session.user_id else " "
            session.out.line(f" {marker} {user.handle:<16} {user.real_name:<18} {', '.join(user.roles)}")


async def cmd_channels(session: Session, _: str) -> None:
    for channel in session.slack.workspace.channels.values():
        if channel.is_im:
            continue
        member = "member" if session.user_id in channel.members else "not a member"
        private = ", private" if channel.is_private else ""
        session.out.line(f"  #{channel.name:<20} ({member}{private})")


COMMANDS: dict[str, Callable[[Session, str], Awaitable[None]]] = {
    "/help": cmd_help,
    "/as": cmd_as,
    "/open": cmd_open,
    "/thread": cmd_thread,
    "/back": cmd_back,
    "/click": cmd_click,
    "/react": cmd_react,
    "/shortcut": cmd_shortcut,
    "/home": cmd_home,
    "/modal": cmd_modal,
    "/clock": cmd_clock,
    "/who": cmd_who,
    "/channels": cmd_channels,
}
