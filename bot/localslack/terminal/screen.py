"""What the current person sees of the workspace, and what changed since the last look.

Message numbers (#N) stay the same for a message for the whole session, so `/thread 3` keeps meaning the
same message after new ones arrive."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bot.localslack.models import Ephemeral, Message
from bot.localslack.terminal.render import Names, Numbering, Shown, Style, render_blocks, render_message
from bot.localslack.workspace import Workspace


@dataclass
class Snapshot:
    """Fingerprints of what a person could see before an action."""

    messages: dict[str, str] = field(default_factory=dict)
    ephemerals: dict[str, str] = field(default_factory=dict)
    dm_count: int = 0


def fingerprint(text: str, blocks: list[dict[str, Any]], extra: object = None) -> str:
    """What a person would see, as rendered: Slack's made-up block and action ids do not count as a change."""
    seen = render_blocks(blocks, {}, Numbering(), None)
    return json.dumps([text, seen, extra], sort_keys=True, default=str)


class Screen:
    def __init__(self, workspace: Workspace, style: Style) -> None:
        self.workspace = workspace
        self.style = style
        self._numbers: dict[str, dict[str, int]] = {}

    # --- names --------------------------------------------------------------------------------------------

    def names(self) -> Names:
        found = {u.id: u.handle for u in self.workspace.users.values()}
        found.update({c.id: c.name for c in self.workspace.channels.values() if not c.is_im})
        return found

    def title(self, channel_id: str, thread_ts: str | None) -> str:
        place = self.place(channel_id)
        if thread_ts is None:
            return place
        return f"thread of #{self.number_of(channel_id, thread_ts)} in {place}"

    def place(self, channel_id: str) -> str:
        channel = self.workspace.channels[channel_id]
        return "DM with helpdesk" if channel.is_im else f"#{channel.name}"

    # --- numbering ------------------------------------------------------------------------------------------

    def number_of(self, channel_id: str, ts: str) -> int:
        numbers = self._numbers.setdefault(channel_id, {})
        if ts not in numbers:
            numbers[ts] = len(numbers) + 1
        return numbers[ts]

    def message_numbered(self, channel_id: str, number: int) -> Message | None:
        for ts, known in self._numbers.get(channel_id, {}).items():
            if known == number:
                return self.workspace.messages.get((channel_id, ts))
        return None

    # --- reading ---------------------------------------------------------------------------------------------

    def conversation(self, channel_id: str, thread_ts: str | None) -> list[Message]:
        """In reading order: each top-level message followed by its thread's replies."""
        if thread_ts is not None:
            return self.workspace.replies(channel_id, thread_ts)
        ordered: list[Message] = []
        for top in reversed(self.workspace.history(channel_id)):
            ordered.append(top)
            if top.thread_ts == top.ts:
                ordered.extend(m for m in self.workspace.replies(channel_id, top.ts) if m.ts != top.ts)
        return ordered

    def ephemerals(self, user_id: str) -> list[Ephemeral]:
        return [e for e in self.workspace.ephemerals if e.user == user_id and not e.deleted]

    def snapshot(self, user_id: str, channel_id: str, thread_ts: str | None) -> Snapshot:
        dm = self.workspace.open_im(user_id)
        return Snapshot(
            messages={m.ts: self._print(m) for m in self.conversation(channel_id, thread_ts)},
            ephemerals={e.ts: fingerprint(e.text, e.blocks) for e in self.ephemerals(user_id)},
            dm_count=len([m for (cid, _), m in self.workspace.messages.items() if cid == dm.id]),
        )

    @staticmethod
    def _print(message: Message) -> str:
        return fingerprint(message.text, message.blocks, message.reactions)

    # --- showing -----------------------------------------------------------------------------------------------

    def show_messages(
        self, messages: list[Message], numbering: Numbering, tz: str, *, updated: set[str] | None = None
    ) -> list[str]:
        lines: list[str] = []
        names = self.names()
        for message in messages:
            shown = Shown(
                number=self.number_of(message.channel, message.ts),
                author=self._author(message),
                ts=message.ts,
                text=message.text,
                blocks=message.blocks,
                reply=message.is_reply,
                edited=message.ts in (updated or set()),
                reactions={name: len(users) for name, users in message.reactions.items()},
            )
            lines.extend(render_message(shown, names, numbering, message, tz=tz, style=self.style))
        return lines

    def show_ephemeral(
        self, ephemeral: Ephemeral, numbering: Numbering, tz: str, here: str, updated: bool
    ) -> list[str]:
        shown = Shown(
            number=0,
            author="helpdesk",
            ts=ephemeral.ts,
            text=ephemeral.text,
            blocks=ephemeral.blocks,
            reply=ephemeral.thread_ts is not None,
            ephemeral=True,
            edited=updated,
        )
        lines = render_message(shown, self.names(), numbering, ephemeral.ts, tz=tz, style=self.style)
        where = self.place(ephemeral.channel)
        if where != here:
            lines[0] += self.style.dim(f" in {where}")
        return lines

    def changes(
        self, before: Snapshot, user_id: str, channel_id: str, thread_ts: str | None, numbering: Numbering, tz: str
    ) -> list[str]:
        """New and changed messages in the open conversation, new ephemerals, and a note about the DM."""
        fresh = [m for m in self.conversation(channel_id, thread_ts) if before.messages.get(m.ts) != self._print(m)]
        updated = {m.ts for m in fresh if m.ts in before.messages}
        lines = self.show_messages(fresh, numbering, tz, updated=updated)
        here = self.place(channel_id)
        for ephemeral in self.ephemerals(user_id):
            was = before.ephemerals.get(ephemeral.ts)
            if was != fingerprint(ephemeral.text, ephemeral.blocks):
                lines.extend(self.show_ephemeral(ephemeral, numbering, tz, here, updated=was is not None))
        after = self.snapshot(user_id, channel_id, thread_ts)
        dm = self.workspace.open_im(user_id)
        if channel_id != dm.id and after.dm_count > before.dm_count:
            count = after.dm_count - before.dm_count
            plural = "s" if count > 1 else ""
            lines.append(self.style.warn(f"({count} new message{plural} in your DM with helpdesk: /open dm)"))
        return lines

    def _author(self, message: Message) -> str:
        if message.user and message.user in self.workspace.users:
            return self.workspace.users[message.user].handle
        return "helpdesk" if message.bot_id else (message.user or "?")
