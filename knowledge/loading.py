"""Provisional: replaced by the matcher branch."""

from __future__ import annotations

import yaml

from knowledge.models import Article


def parse_article(text: str, source: str | None = None) -> Article:
    name = source or "article"
    if not text.startswith("---"):
        raise ValueError(f"{name}: no YAML front matter; start the file with --- and id/title/tags/lang")
    try:
        _, front, body = text.split("---", 2)
        meta = yaml.safe_load(front) or {}
    except (ValueError, yaml.YAMLError) as exc:
        raise ValueError(f"{name}: broken front matter: {exc}") from None
    for key in ("id", "title", "lang"):
        if not meta.get(key):
            raise ValueError(f"{name}: front matter has no '{key}'")
    return Article(
        id=str(meta["id"]),
        title=str(meta["title"]),
        tags=tuple(meta.get("tags") or ()),
        lang=str(meta["lang"]),
        related=tuple(meta.get("related") or ()),
        body=body.strip(),
        source=source,
    )
