"""The desk's side of matching: building a knowledge.Matcher from the loaded configuration."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bot.config import DeskConfig
from knowledge.loading import load_articles
from knowledge.matcher import Matcher
from knowledge.models import CatalogEntry, Thresholds


def catalog_entries_from_config(items: Iterable[Any]) -> list[CatalogEntry]:
    """Config catalogue items (objects with id, title, title_sv, ...) as the matcher's entries."""
    return [
        CatalogEntry(
            id=item.id,
            title=item.title,
            title_sv=item.title_sv or "",
            description=item.description or "",
            keywords=tuple(item.keywords or ()),
            team=item.team,
            kind=item.kind,
            priority=item.priority,
        )
        for item in items
    ]


def thresholds_from_config(confident: float | None, suggest: float | None) -> Thresholds:
    """Calibrated defaults where the config says nothing; a configured `suggest` above the default
    `confident` (or the reverse) is kept consistent rather than rejected."""
    defaults = Thresholds()
    conf = defaults.confident if confident is None else confident
    sugg = defaults.suggest if suggest is None else suggest
    return Thresholds(confident=conf, suggest=min(sugg, conf), margin=defaults.margin)


def matcher_from_config(cfg: DeskConfig) -> Matcher:
    articles = load_articles(cfg.knowledge_dir) if Path(cfg.knowledge_dir).is_dir() else []
    return Matcher(
        catalog_entries_from_config(cfg.catalog),
        articles,
        synonyms={key: list(values) for key, values in (cfg.synonyms or {}).items()},
        thresholds=thresholds_from_config(cfg.matching.confident, cfg.matching.suggest),
    )
