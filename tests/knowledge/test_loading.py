from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.loading import catalog_entries_from_dicts, load_articles, load_catalog_file, parse_article

ITEM = {
    "id": "password-reset",
    "title": "Password reset",
    "title_sv": "Återställ lösenord",
    "description": "Locked out.",
    "keywords": ["password", "lösenord"],
    "team": "it",
    "kind": "incident",
    "priority": "high",
    "fields": [{"name": "system"}],
    "sla": {"first_response": "4h"},
}


def test_catalog_items_keep_the_matcher_fields_and_ignore_extra_keys() -> None:
    [entry] = catalog_entries_from_dicts([ITEM])
    assert entry.id == "password-reset"
    assert entry.keywords == ("password", "lösenord")
    assert entry.kind == "incident"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": "Password_Reset"}, "kebab-case"),
        ({"kind": "question"}, "kind"),
        ({"priority": "urgent"}, "priority"),
        ({"title": None}, "title"),
    ],
)
def test_invalid_catalog_items_are_rejected_with_a_reason(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        catalog_entries_from_dicts([{**ITEM, **change}])


def test_duplicate_catalog_ids_are_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        catalog_entries_from_dicts([ITEM, ITEM])


def test_catalog_file_needs_a_top_level_catalog_list(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text("items: []\n", encoding="utf-8")
    with pytest.raises(ValueError, match="catalog"):
        load_catalog_file(path)
    path.write_text("catalog:\n  - id: vpn\n    title: VPN\n    team: it\n    kind: incident\n    priority: low\n")
    assert [e.id for e in load_catalog_file(path)] == ["vpn"]


ARTICLE = """---
id: kb-connect-vpn
title: Connect to the VPN
tags: [vpn, remote-work]
lang: en
related: [vpn-remote-access]
---
# Connect to the VPN

Click the shield icon.
"""


def test_article_front_matter_and_body_are_parsed() -> None:
    article = parse_article(ARTICLE, source="kb.md")
    assert article.id == "kb-connect-vpn"
    assert article.tags == ("vpn", "remote-work")
    assert article.related == ("vpn-remote-access",)
    assert article.body.startswith("# Connect to the VPN")
    assert article.source == "kb.md"


def test_broken_front_matter_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "broken.md").write_text("---\nid: [unclosed\n---\nbody\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.md"):
        load_articles(tmp_path)


def test_article_without_front_matter_is_rejected() -> None:
    with pytest.raises(ValueError, match="front matter"):
        parse_article("# Just a heading\n", source="plain.md")


def test_articles_load_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "b.md").write_text(ARTICLE.replace("kb-connect-vpn", "kb-b"), encoding="utf-8")
    (tmp_path / "a.md").write_text(ARTICLE.replace("kb-connect-vpn", "kb-a"), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    assert [a.id for a in load_articles(tmp_path)] == ["kb-a", "kb-b"]
