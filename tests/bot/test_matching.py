from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.matching import matcher_from_config, thresholds_from_config
from knowledge.models import Thresholds

ARTICLE = """---
id: kb-guest-wifi
title: Guest wifi for visitors
tags: [wifi, visitors]
lang: en
---
Visitors join the network "Guest" and accept the terms.
"""


@dataclass
class FakeItem:
    id: str
    title: str
    title_sv: str
    description: str
    keywords: list[str]
    team: str = "it"
    kind: str = "request"
    priority: str = "medium"


@dataclass
class FakeMatching:
    confident: float | None = None
    suggest: float | None = None


@dataclass
class FakeConfig:
    catalog: list[FakeItem]
    knowledge_dir: Path
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    matching: FakeMatching = field(default_factory=FakeMatching)


def test_matcher_from_config_uses_catalogue_articles_and_synonyms(tmp_path: Path) -> None:
    (tmp_path / "kb-guest-wifi.md").write_text(ARTICLE, encoding="utf-8")
    cfg = FakeConfig(
        catalog=[FakeItem("password-reset", "Password reset", "Återställ lösenord", "Locked out.", ["password"])],
        knowledge_dir=tmp_path,
        synonyms={"pw": ["password"]},
        matching=FakeMatching(confident=0.3, suggest=None),
    )
    matcher = matcher_from_config(cfg)
    assert matcher.match("pw expired").candidates[0].ref == "catalog:password-reset"
    assert matcher.match("guest wifi").candidates[0].ref == "article:kb-guest-wifi"
    assert matcher.thresholds.confident == 0.3
    assert matcher.thresholds.suggest == Thresholds().suggest


def test_missing_knowledge_directory_means_no_articles(tmp_path: Path) -> None:
    cfg = FakeConfig(catalog=[FakeItem("vpn", "VPN problem", "", "", [])], knowledge_dir=tmp_path / "none")
    assert len(matcher_from_config(cfg)) == 1


def test_unset_thresholds_fall_back_to_calibrated_defaults() -> None:
    assert thresholds_from_config(None, None) == Thresholds()


def test_configured_suggest_above_confident_is_capped() -> None:
    thresholds = thresholds_from_config(0.4, 0.6)
    assert thresholds.suggest == thresholds.confident == 0.4
