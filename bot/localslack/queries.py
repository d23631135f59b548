"""Questions tests ask about the workspace, phrased the way a person would check Slack:
"what does Anna's DM with the desk say", "what did Lena see only for herself", "which modal is open"."""

from __future__ import annotations

from bot.localslack.models import Ephemeral, Message, View
from bot.localslack.recorder import Call, Recorder
from bot.localslack.workspace import Workspace


class WorkspaceQueries:
    workspace: Workspace
    recorder: Recorder

    def messages_in(self, channel: str, thread_ts: str | None = None) -> list[Message]:
        """Oldest first: the channel's top-level messages, or one thread (parent first)."""
        found = self.workspace.channel(channel)
        if thread_ts is not None:
            return self.workspace.replies(found.id, thread_ts)
        return list(reversed(self.workspace.history(found.id)))

    def thread(self, channel: str, ts: str) -> list[Message]:
        return self.messages_in(channel, thread_ts=ts)

    def dm_with(self, user: str) -> list[Message]:
        """Everything in the user's DM with the bot, threads included, oldest first."""
        channel = self.workspace.open_im(self.workspace.user(user).id)
        found = [m for (cid, _), m in self.workspace.messages.items() if cid == channel.id]
        return sorted(found, key=lambda m: (int(m.ts.split(".")[0]), int(m.ts.split(".")[1])))

    def last_message(self, channel: str, thread_ts: str | None = None) -> Message:
        messages = self.messages_in(channel, thread_ts)
        if not messages:
            raise AssertionError(f"no messages in {channel}")
        return messages[-1]

    def ephemerals_for(self, user: str) -> list[Ephemeral]:
        user_id = self.workspace.user(user).id
        return [e for e in self.workspace.ephemerals if e.user == user_id and not e.deleted]

    def open_views(self, user: str) -> list[View]:
        """The user's modal stack, bottom first."""
        return self.workspace.modal_stack(self.workspace.user(user).id)

    def home_of(self, user: str) -> View | None:
        view_id = self.workspace.home_views.get(self.workspace.user(user).id)
        return self.workspace.views.get(view_id) if view_id else None

    def calls(self, method: str | None = None) -> list[Call]:
        return self.recorder.calls(method)
