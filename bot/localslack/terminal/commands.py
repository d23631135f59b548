"""The terminal's own commands (`/as`, `/open`, `/thread`, `/clock`...); any other /command goes to the desk."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.blocks.ids import CallbackId
from bot.localslack.errors import SlackApiError
from bot.localslack.terminal.clockctl import ClockUsage

if TYPE_CHECKING:
    from bot.localslack.terminal.session import Session

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
  /digest [TEAM]     today's morning digest now (all teams, or one: it, hr, finance, facilities, comms)
  /who, /channels, /help, /quit"""


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
    # Let deliveries under way finish first: a jump past their lease would make them due a second time.
    await session.settle()
    try:
        session.out.line(session.clock.apply(arg))
    except ClockUsage as exc:
        session.out.line(session.style.warn(str(exc)))
        return
    await session.act(session.slack.settle())


async def cmd_digest(session: Session, arg: str) -> None:
    if session.digest is None:
        session.out.line(session.style.warn("this workspace has no desk to ask for a digest"))
        return
    team = arg.strip() or None
    queued = await session.digest(team)
    if queued == 0:
        session.out.line(session.style.dim("(today's digest was already posted; /open the triage channel to see it)"))
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
    "/digest": cmd_digest,
    "/who": cmd_who,
    "/channels": cmd_channels,
}
