"""`LocalSlack`: run the stand-in on 127.0.0.1 and act as the people in the workspace.

Each user action changes the workspace the way Slack would, then delivers what Slack sends the app
(signed, to `request_url`) and returns the app's HTTP answer."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from bot.clock import Clock, SystemClock
from bot.localslack import interactions, payloads
from bot.localslack.context import ResponseTarget, StandIn
from bot.localslack.faults import Faults
from bot.localslack.models import Message, View
from bot.localslack.queries import WorkspaceQueries
from bot.localslack.recorder import Recorder
from bot.localslack.seed import load_workspace
from bot.localslack.server import STANDIN, create_app
from bot.localslack.signing import signed_headers
from bot.localslack.workspace import Workspace


@dataclass
class Delivery:
    """One request delivered to the app and its answer. `body` is the raw bytes sent, for redelivery."""

    kind: str
    body: bytes
    content_type: str
    status: int = 0
    text: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    # Set when the app gave no answer, named as in X-Slack-Retry-Reason: "http_timeout", "connection_failed".
    failure: str | None = None

    def json(self) -> Any:
        """The answer parsed; None when empty or not JSON (Slack treats both as a plain acknowledgement)."""
        try:
            return json.loads(self.text) if self.text.strip() else None
        except ValueError:
            return None


@dataclass
class Posted:
    message: Message
    deliveries: list[Delivery]


class DeskUnreachable(RuntimeError):
    pass


class LocalSlack(WorkspaceQueries):
    def __init__(
        self,
        workspace: Workspace | None = None,
        *,
        clock: Clock | None = None,
        seed: Path | str | None = None,
        request_url: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        signing_time: Callable[[], float] = time.time,
        echo_bot_messages: bool = False,
        delivery_timeout: float = 3.0,
    ) -> None:
        self.workspace = workspace or load_workspace(clock or SystemClock(), seed)
        self.faults = Faults()
        self.recorder = Recorder()
        self.request_url = request_url
        self._host, self._port = host, port
        # Slack signs with real time and the desk checks against real time, whatever the workspace clock says.
        self._signing_time = signing_time
        # Slack gives an app three seconds to answer before it counts the delivery as failed.
        self._delivery_timeout = delivery_timeout
        self.app = create_app(self.workspace, faults=self.faults, recorder=self.recorder)
        self.standin: StandIn = self.app[STANDIN]
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.deliveries: list[Delivery] = []
        self._background: set[asyncio.Task[Delivery]] = set()
        self.echo_own_posts(echo_bot_messages)

    # --- lifecycle -----------------------------------------------------------------------------------

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        port = sockets[0].getsockname()[1] if sockets else self._port
        self.standin.base_url = f"http://{self._host}:{port}"
        self._session = aiohttp.ClientSession()

    async def stop(self) -> None:
        await self.settle()
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> LocalSlack:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return self.standin.base_url

    @property
    def api_url(self) -> str:
        """What to give slack_sdk's AsyncWebClient as base_url."""
        return f"{self.base_url}/api/"

    @property
    def bot_token(self) -> str:
        return self.workspace.app.bot_token

    @property
    def signing_secret(self) -> str:
        return self.workspace.app.signing_secret

    # --- delivery ------------------------------------------------------------------------------------

    async def _deliver(self, delivery: Delivery, extra_headers: Mapping[str, str] | None = None) -> Delivery:
        if self.request_url is None:
            raise DeskUnreachable("set request_url to where the desk listens (e.g. http://127.0.0.1:3000/slack/events)")
        if self._session is None:
            raise DeskUnreachable("LocalSlack is not started; use `async with LocalSlack(...)`")
        timestamp = int(self._signing_time())
        headers = signed_headers(self.signing_secret, timestamp, delivery.body, delivery.content_type)
        headers.update(extra_headers or {})
        timeout = aiohttp.ClientTimeout(total=self._delivery_timeout)
        try:
            async with self._session.post(
                self.request_url, data=delivery.body, headers=headers, timeout=timeout
            ) as response:
                delivery.status = response.status
                delivery.text = await response.text()
                delivery.headers = dict(response.headers)
        except TimeoutError:
            delivery.failure = "http_timeout"
        except aiohttp.ClientConnectionError:
            delivery.failure = "connection_failed"
        self.deliveries.append(delivery)
        return delivery

    async def _event(self, event: dict[str, Any]) -> Delivery:
        body = json.dumps(payloads.envelope(self.workspace, event, self.workspace.clock.now())).encode()
        return await self._deliver(Delivery("event", body, "application/json"))

    async def _interaction(self, payload: dict[str, Any]) -> Delivery:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return await self._deliver(Delivery(payload["type"], body, "application/x-www-form-urlencoded"))

    def echo_own_posts(self, enabled: bool = True) -> None:
        """Whether the app hears about its own posts, as an app subscribed to message events does."""
        self.standin.on_bot_message = self._echo if enabled else None

    def _echo(self, message: Message) -> None:
        """Slack tells the app about the app's own posts too (message.im / message.channels); deliver them
        in the background, as Slack does, while the app's API call returns."""
        channel = self.workspace.channels[message.channel]
        if self.request_url is None or self.workspace.app.bot_user_id not in channel.members:
            return
        task = asyncio.get_running_loop().create_task(
            self._event(payloads.bot_message_event(self.workspace, channel, message))
        )
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def settle(self) -> None:
        """Wait until every background delivery (echoes of the bot's own posts) has been answered."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    async def redeliver(self, delivery: Delivery, retry_num: int = 1, reason: str = "http_timeout") -> Delivery:
        """Send the same body again as Slack does when it did not get a timely 200."""
        again = Delivery(delivery.kind, delivery.body, delivery.content_type)
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": reason}
        return await self._deliver(again, headers)

    # --- what people do ---------------------------------------------------------------------------------

    async def send_message(self, as_user: str, channel: str, text: str, thread_ts: str | None = None) -> Posted:
        user = self.workspace.user(as_user)
        where = self.workspace.channel(channel)
        if user.id not in where.members:
            raise PermissionError(f"{user.handle} is not in {where.name}")
        message = self.workspace.post(where, text=text, user=user.id, thread_ts=thread_ts)
        deliveries: list[Delivery] = []
        # The bot hears what is said where it is a member: its DMs and the channels it was added to.
        if self.workspace.app.bot_user_id in where.members:
            deliveries.append(await self._event(payloads.user_message_event(self.workspace, where, message)))
            if not where.is_im and f"<@{self.workspace.app.bot_user_id}>" in text:
                mention = payloads.user_message_event(self.workspace, where, message, kind="app_mention")
                deliveries.append(await self._event(mention))
        return Posted(message, deliveries)

    async def add_reaction(self, as_user: str, channel: str, ts: str, name: str) -> Delivery | None:
        user = self.workspace.user(as_user)
        where = self.workspace.channel(channel)
        message = self.workspace.react(where.id, ts, name, user.id)
        if self.workspace.app.bot_user_id not in where.members:
            return None
        event = payloads.reaction_added_event(message, user.id, name, self.workspace.new_ts())
        return await self._event(event)

    async def open_app_home(self, as_user: str) -> Delivery:
        user = self.workspace.user(as_user)
        channel = self.workspace.open_im(user.id)
        event = payloads.app_home_opened_event(user, channel, self.home_of(user.id), self.workspace.new_ts())
        return await self._event(event)

    async def slash_command(self, as_user: str, command: str, text: str = "", channel: str | None = None) -> Delivery:
        user = self.workspace.user(as_user)
        where = self.workspace.channel(channel) if channel else self.workspace.open_im(user.id)
        response_url = self.standin.new_response_url(ResponseTarget(channel_id=where.id, user_id=user.id))
        trigger_id = self.workspace.issue_trigger(user.id)
        form = payloads.slash_command_form(self.workspace, user, where, command, text, response_url, trigger_id)
        return await self._deliver(
            Delivery("slash_command", urlencode(form).encode(), "application/x-www-form-urlencoded")
        )

    async def click(
        self,
        as_user: str,
        where: Message | View | str,
        action_id: str,
        choice: interactions.Choice = None,
        *,
        block_id: str | None = None,
    ) -> Delivery:
        """Press a button or pick from a menu in a message, an ephemeral message (by ts) or a view. Several
        elements may share an action_id across blocks; `block_id` says which one."""
        user = self.workspace.user(as_user)
        trigger_id = self.workspace.issue_trigger(user.id)
        action_ts = self.workspace.new_ts()
        view = self.workspace.views.get(where) if isinstance(where, str) else where if isinstance(where, View) else None
        if view is not None:
            block, element = interactions.find_action(view.blocks, action_id, block_id)
            act = interactions.action(block, element, choice, action_ts)
            if element.get("type") != "button":
                entry = {f"{block.get('block_id')}.{action_id}": choice}
                view.state = {"values": interactions.state_values(view.blocks, entry, view.state["values"])}
            return await self._interaction(payloads.block_actions_on_view(self.workspace, user, view, act, trigger_id))
        if isinstance(where, Message):
            channel = self.workspace.channel(where.channel)
            current = self.workspace.message(where.channel, where.ts)
            block, element = interactions.find_action(current.blocks, action_id, block_id)
            target = ResponseTarget(channel.id, user.id, message_ts=current.ts, thread_ts=current.thread_ts)
            message_body: dict[str, Any] | None = current.to_api()
            ts = current.ts
        else:
            ephemeral = next(e for e in self.ephemerals_for(user.id) if e.ts == where)
            channel = self.workspace.channel(ephemeral.channel)
            block, element = interactions.find_action(ephemeral.blocks, action_id, block_id)
            target = ResponseTarget(channel.id, user.id, ephemeral_ts=ephemeral.ts, thread_ts=ephemeral.thread_ts)
            message_body, ts = None, ephemeral.ts
        act = interactions.action(block, element, choice, action_ts)
        response_url = self.standin.new_response_url(target)
        payload = payloads.block_actions_on_message(
            self.workspace, user, channel, ts, message_body, act, trigger_id, response_url
        )
        return await self._interaction(payload)

    async def submit_view(
        self, as_user: str, view: View | str, values: Mapping[str, interactions.Choice] | None = None
    ) -> Delivery:
        """Fill in and submit the modal. The app's answer is applied as Slack applies it: empty closes the
        modal, `errors` keeps it open, `update`/`push`/`clear` change the stack."""
        user = self.workspace.user(as_user)
        target = self._view(view)
        stack = self.workspace.modal_stacks.get(user.id, [])
        if target.id not in stack:
            raise LookupError(f"{target.id} is not open for {user.handle}")
        target.state = {"values": interactions.state_values(target.blocks, values or {}, target.state["values"])}
        missing = interactions.missing_required(target.blocks, target.state["values"])
        if missing:
            raise interactions.SubmissionBlocked(f"required fields left empty: {missing}")
        trigger_id = self.workspace.issue_trigger(user.id)
        delivery = await self._interaction(payloads.view_submission(self.workspace, user, target, trigger_id))
        if delivery.status == 200:
            self._apply_response_action(user.id, target, delivery.json())
        return delivery

    def _apply_response_action(self, user_id: str, view: View, answer: Any) -> None:
        stack = self.workspace.modal_stacks.setdefault(user_id, [])
        action = answer.get("response_action") if isinstance(answer, dict) else None
        if action is not None:
            interactions.check_response_action(view, answer, len(stack))
        if action == "errors":
            return
        if action == "update":
            self.workspace.replace_view(view, answer["view"])
        elif action == "push":
            pushed = self.workspace.new_view(user_id, answer["view"], root=stack[0], previous=view.id)
            stack.append(pushed.id)
        elif action == "clear":
            stack.clear()
        else:
            stack.remove(view.id)

    async def close_view(self, as_user: str, view: View | str) -> Delivery | None:
        user = self.workspace.user(as_user)
        target = self._view(view)
        stack = self.workspace.modal_stacks.get(user.id, [])
        if target.id in stack:
            stack.remove(target.id)
        if not target.notify_on_close:
            return None
        return await self._interaction(payloads.view_closed(self.workspace, user, target, is_cleared=False))

    async def global_shortcut(self, as_user: str, callback_id: str) -> Delivery:
        user = self.workspace.user(as_user)
        trigger_id = self.workspace.issue_trigger(user.id)
        payload = payloads.global_shortcut(self.workspace, user, callback_id, trigger_id, self.workspace.new_ts())
        return await self._interaction(payload)

    async def message_shortcut(self, as_user: str, message: Message, callback_id: str) -> Delivery:
        user = self.workspace.user(as_user)
        channel = self.workspace.channel(message.channel)
        trigger_id = self.workspace.issue_trigger(user.id)
        target = ResponseTarget(channel.id, user.id, message_ts=message.ts, thread_ts=message.thread_ts)
        response_url = self.standin.new_response_url(target)
        payload = payloads.message_shortcut(
            self.workspace,
            user,
            channel,
            message,
            callback_id,
            trigger_id,
            response_url,
            self.workspace.new_ts(),
        )
        return await self._interaction(payload)

    def _view(self, view: View | str) -> View:
        return view if isinstance(view, View) else self.workspace.find_view(view)
