"""Provisional: replaced by the matcher branch."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    tags: tuple[str, ...]
    lang: str
    related: tuple[str, ...]
    body: str
    source: str | None = None
