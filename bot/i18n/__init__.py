"""User-facing text: one catalogue per language (en.yaml, sv.yaml), loaded on first use."""

from __future__ import annotations

import string
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

LANGUAGES = ("en", "sv")
_HERE = Path(__file__).resolve().parent


@cache
def catalogue(language: str) -> dict[str, str]:
    data = yaml.safe_load((_HERE / f"{language}.yaml").read_text(encoding="utf-8"))
    flat: dict[str, str] = {}

    def walk(prefix: str, node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(f"{prefix}.{key}" if prefix else str(key), value)
        else:
            flat[prefix] = str(node)

    walk("", data)
    return flat


def language_of(locale: str | None, default: str) -> str:
    """Slack locales look like en-US or sv-SE; anything we have no catalogue for gets the desk's default."""
    if locale:
        short = locale.split("-")[0].split("_")[0].lower()
        if short in LANGUAGES:
            return short
    return default


def t(language: str, key: str, /, **params: Any) -> str:
    lang = language if language in LANGUAGES else "en"
    text = catalogue(lang).get(key) or catalogue("en")[key]
    return text.format(**params) if params else text


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def working_time(language: str, minutes: int) -> str:
    """'1 working hour', '2 working hours 30 minutes', '45 working minutes' in the user's language."""
    hours, rest = divmod(minutes, 60)
    if hours == 0:
        return t(language, "time.minutes", n=rest)
    text = t(language, "time.hour" if hours == 1 else "time.hours", n=hours)
    return text + (t(language, "time.and_minutes", n=rest) if rest else "")


def when(language: str, at: datetime, now: datetime, timezone: str) -> str:
    """A due time in words people use: 'today 14:30', 'Monday 08:30', '2 December 08:30'."""
    zone = ZoneInfo(timezone)
    local, today = at.astimezone(zone), now.astimezone(zone)
    clock = local.strftime("%H:%M")
    days = (local.date() - today.date()).days
    if days == 0:
        return t(language, "time.today", time=clock)
    if days == 1:
        return t(language, "time.tomorrow", time=clock)
    if 1 < days < 7:
        return t(language, "time.weekday", day=t(language, f"weekday.{local.weekday()}"), time=clock)
    month = t(language, f"month.{local.month}")
    return t(language, "time.date", day=local.day, month=month, time=clock)


def age(language: str, delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return t(language, "age.minutes", n=max(minutes, 0))
    if minutes < 48 * 60:
        return t(language, "age.hours", n=minutes // 60)
    return t(language, "age.days", n=minutes // (24 * 60))
