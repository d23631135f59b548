"""Reading catalogue items and knowledge articles from plain data (YAML mappings, Markdown files)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from knowledge.models import Article, CatalogEntry

_KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_KINDS = ("request", "incident")
_PRIORITIES = ("low", "medium", "high", "critical")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.DOTALL)


def _text(item: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = item.get(key)
    if value is None:
        if required:
            raise ValueError(f"{where}: missing '{key}'")
        return ""
    if not isinstance(value, str | int | float):
        raise ValueError(f"{where}: '{key}' must be text")
    return str(value).strip()


def _strings(value: object, key: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list | tuple):
        raise ValueError(f"{where}: '{key}' must be a list")
    return tuple(str(v).strip() for v in value if str(v).strip())


def catalog_entries_from_dicts(items: Iterable[Mapping[str, Any]]) -> list[CatalogEntry]:
    """Validate raw catalogue mappings; unknown keys (fields, approval, sla...) are ignored here."""
    entries: list[CatalogEntry] = []
    seen: set[str] = set()
    for position, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            raise ValueError(f"catalogue item {position}: expected a mapping")
        where = f"catalogue item {item.get('id', position)!s}"
        entry_id = _text(item, "id", where)
        if not _KEBAB.match(entry_id):
            raise ValueError(f"{where}: id must be kebab-case")
        if entry_id in seen:
            raise ValueError(f"{where}: duplicate id")
        seen.add(entry_id)
        kind = _text(item, "kind", where)
        if kind not in _KINDS:
            raise ValueError(f"{where}: kind must be one of {', '.join(_KINDS)}")
        priority = _text(item, "priority", where)
        if priority not in _PRIORITIES:
            raise ValueError(f"{where}: priority must be one of {', '.join(_PRIORITIES)}")
        entries.append(
            CatalogEntry(
                id=entry_id,
                title=_text(item, "title", where),
                title_sv=_text(item, "title_sv", where, required=False),
                description=_text(item, "description", where, required=False),
                keywords=_strings(item.get("keywords"), "keywords", where),
                team=_text(item, "team", where),
                kind=kind,
                priority=priority,
            )
        )
    return entries


def load_catalog_file(path: str | Path) -> list[CatalogEntry]:
    """A YAML file whose top-level `catalog:` key lists the items."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, Mapping) or not isinstance(data.get("catalog"), list):
        raise ValueError(f"{path}: expected a top-level 'catalog:' list")
    try:
        return catalog_entries_from_dicts(data["catalog"])
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc


def parse_article(text: str, source: str | None = None) -> Article:
    """Parse a Markdown article with YAML front matter (id, title, tags, lang, optional related)."""
    where = source or "article"
    match = _FRONT_MATTER.match(text.lstrip("\ufeff"))
    if match is None:
        raise ValueError(f"{where}: missing YAML front matter between '---' lines")
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise ValueError(f"{where}: broken front matter: {exc}") from exc
    if not isinstance(meta, Mapping):
        raise ValueError(f"{where}: front matter must be a mapping")
    article_id = _text(meta, "id", where)
    if not _KEBAB.match(article_id):
        raise ValueError(f"{where}: id must be kebab-case")
    return Article(
        id=article_id,
        title=_text(meta, "title", where),
        tags=_strings(meta.get("tags"), "tags", where),
        lang=_text(meta, "lang", where, required=False) or "en",
        related=_strings(meta.get("related"), "related", where),
        body=match.group(2).strip(),
        source=source,
    )


def load_articles(directory: str | Path) -> list[Article]:
    """Every *.md file in the directory (sorted by name, so the order is stable)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ValueError(f"{directory}: not a directory")
    articles: list[Article] = []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.md")):
        article = parse_article(path.read_text(encoding="utf-8"), source=str(path))
        if article.id in seen:
            raise ValueError(f"{path}: duplicate article id '{article.id}' (also in {seen[article.id]})")
        seen[article.id] = str(path)
        articles.append(article)
    return articles
