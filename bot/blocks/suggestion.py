"""The reply to a request in plain words: the best service with up to two alternatives, articles that may
solve it at once, or an honest "not sure" with the catalogue and a free-text ticket."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.blocks.ids import ActionId
from bot.blocks.text import actions, button, context, divider, escape, section
from bot.i18n import t, when, working_time
from bot.services.intake import ItemOffer, Suggestion
from knowledge.models import Decision


def item_title(offer: ItemOffer, language: str) -> str:
    return offer.item.title_sv if language == "sv" and offer.item.title_sv else offer.item.title


def team_name(team: Any, language: str) -> str:
    return str(team.name_sv) if language == "sv" and team.name_sv else str(team.name)


def promise_line(offer: ItemOffer, language: str, now: datetime, timezone: str) -> str:
    return t(
        language,
        "suggest.promise",
        team=team_name(offer.team, language),
        target=working_time(language, offer.first_response_minutes),
        when=when(language, offer.promise_at, now, timezone),
    )


def _offer_block(offer: ItemOffer, suggestion: Suggestion, now: datetime, timezone: str) -> list[dict[str, Any]]:
    lang = suggestion.language
    title = escape(item_title(offer, lang))
    kind = t(lang, f"kind.{offer.item.kind.value}")
    chooser = button(
        t(lang, "suggest.choose_button"),
        ActionId.CHOOSE_ITEM,
        {"r": suggestion.intake_id, "i": offer.item.id},
        style="primary" if suggestion.decision is Decision.CONFIDENT else None,
    )
    return [
        section(f"*{title}*\n{team_name(offer.team, lang)} · {kind}", chooser, block_id=f"offer.{offer.item.id}"),
        context(promise_line(offer, lang, now, timezone)),
    ]


def suggestion_blocks(suggestion: Suggestion, now: datetime, timezone: str) -> tuple[str, list[dict[str, Any]]]:
    """(fallback text, blocks)."""
    lang = suggestion.language
    blocks: list[dict[str, Any]] = []
    default_team = team_name(suggestion.default_team, lang)
    if suggestion.decision is Decision.NOTHING or (not suggestion.items and not suggestion.articles):
        text = t(lang, "suggest.nothing", team=default_team)
        blocks.append(section(text))
        blocks.append(
            actions(
                button(t(lang, "suggest.browse_button"), ActionId.BROWSE, {"r": suggestion.intake_id}),
                button(
                    t(lang, "suggest.free_text_button", team=default_team),
                    ActionId.FREE_TEXT,
                    {"r": suggestion.intake_id, "t": suggestion.default_team.id},
                ),
            )
        )
        return text, blocks

    intro = t(lang, "suggest.confident" if suggestion.decision is Decision.CONFIDENT else "suggest.choose")
    blocks.append(section(intro))
    for index, offer in enumerate(suggestion.items):
        if index == 1 and suggestion.decision is Decision.CONFIDENT:
            blocks.append(context(t(lang, "suggest.alternatives")))
        blocks.extend(_offer_block(offer, suggestion, now, timezone))
    if suggestion.articles:
        blocks.append(divider())
        blocks.append(section(t(lang, "suggest.articles")))
        for found in suggestion.articles:
            body = escape(" ".join(found.article.body.split())[:280])
            blocks.append(section(f"*{escape(found.article.title)}*\n{body}"))
            blocks.append(
                actions(
                    button(
                        t(lang, "suggest.solved_button"),
                        ActionId.ARTICLE_SOLVED,
                        {"r": suggestion.intake_id, "a": found.article.id},
                        style="primary",
                    ),
                    button(
                        t(lang, "suggest.still_button"),
                        ActionId.STILL_NEED_HELP,
                        {"r": suggestion.intake_id, "a": found.article.id},
                    ),
                    block_id=f"article.{found.article.id}",
                )
            )
    blocks.append(
        actions(
            button(t(lang, "suggest.browse_button"), ActionId.BROWSE, {"r": suggestion.intake_id}),
            button(
                t(lang, "suggest.free_text_button", team=default_team),
                ActionId.FREE_TEXT,
                {"r": suggestion.intake_id, "t": suggestion.default_team.id},
            ),
        )
    )
    return intro, blocks
