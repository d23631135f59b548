"""Drafting a knowledge article from a resolved ticket, and publishing it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from bot.blocks.article_form import BODY_BLOCK, TITLE_BLOCK, article_modal, read_article
from bot.blocks.ids import ActionId, CallbackId
from bot.blocks.text import decode_value, section
from bot.errors import DeskError
from bot.i18n import t
from handlers.errors import explain, message_for
from handlers.replies import container_place, ticket_id_of

if TYPE_CHECKING:
    from bot.bootstrap import Desk


def register(app: AsyncApp, desk: Desk) -> None:
    listeners = ArticleListeners(desk)
    app.action(ActionId.DRAFT_ARTICLE)(listeners.on_draft)
    app.view_submission(CallbackId.ARTICLE_FORM)(listeners.on_draft_submitted)
    app.action(ActionId.PUBLISH_ARTICLE)(listeners.on_publish)


class ArticleListeners:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def on_draft(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        ticket_id = ticket_id_of(action)
        if ticket_id is None:
            return
        user = str(body["user"]["id"])
        try:
            ticket, title, text = await self.desk.articles.starting_text(ticket_id, user)
        except DeskError as error:
            await explain(self.desk, body, error)
            return
        language = await self.desk.people.language(user)
        await self.desk.gateway.open_view(str(body["trigger_id"]), article_modal(language, ticket.id, title, text))

    async def on_draft_submitted(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = str(body["user"]["id"])
        language = await self.desk.people.language(user)
        ticket_id, title, text = read_article(view)
        errors = {}
        if not title.strip():
            errors[TITLE_BLOCK] = t(language, "request.required")
        if not text.strip():
            errors[BODY_BLOCK] = t(language, "request.required")
        if ticket_id is None or errors:
            await ack(response_action="errors", errors=errors or {TITLE_BLOCK: t(language, "request.gone")})
            return
        try:
            await self.desk.articles.draft(ticket_id, user, title, text)
        except DeskError as error:
            await ack(response_action="errors", errors={TITLE_BLOCK: message_for(language, error)})
            return
        await ack()

    async def on_publish(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        value = decode_value(action.get("value"))
        user = str(body["user"]["id"])
        if not isinstance(value.get("a"), int):
            return
        try:
            published = await self.desk.articles.publish(value["a"], user)
        except DeskError as error:
            await explain(self.desk, body, error)
            return
        channel, thread = container_place(body)
        if channel:
            language = self.desk.config.desk.default_language
            text = t(language, "article.published", user=f"<@{user}>", title=published.title)
            await self.desk.gateway.post(channel, text, [section(text)], thread_ts=thread)
