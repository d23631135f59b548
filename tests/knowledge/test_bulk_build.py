"""The bulk build (numpy counting, see knowledge.matcher._BulkPostings) must index exactly as adding the
documents one by one does: same postings, same float values bit for bit, same vocabulary in the same order
(fuzzy matching takes the first of equally close words). White-box on purpose: ranking ties make a
difference in the last bit visible only on some corpora."""

from __future__ import annotations

import pytest

import knowledge.matcher as matcher_module
from bot.bench.match_scale import synthetic_corpus
from knowledge.matcher import Matcher, _Doc
from knowledge.models import Article, CatalogEntry


def _incremental_copy(bulk: Matcher) -> Matcher:
    """The same documents indexed through the incremental path, against the bulk build's field statistics
    (an incremental add normalises by the averages of the documents seen so far)."""
    again = Matcher([], [])
    again._catalog, again._articles = bulk._catalog, bulk._articles
    again._field_len_sum, again._field_count = bulk._field_len_sum.copy(), bulk._field_count.copy()
    for doc in bulk._docs:
        texts = again._field_texts(doc)
        again._add(_Doc(doc.kind, doc.id, doc.phrasing), texts, {n: len(t.split()) for n, t in texts.items()})
    return again


def _assert_same_index(bulk: Matcher, again: Matcher) -> None:
    assert set(bulk._docs_of) == set(again._docs_of)
    for term, docs in again._docs_of.items():
        assert bulk._docs_of[term] == docs, term
        assert bulk._docs_of.values_of[term] == again._docs_of.values_of[term], term
    assert list(bulk._surface.items()) == list(again._surface.items())
    assert bulk._surface.buckets == again._surface.buckets
    assert bulk._phrasing_df == again._phrasing_df


@pytest.mark.parametrize("chunk_tokens", [1, 50, 1 << 19])
def test_bulk_build_equals_incremental_adds(monkeypatch: pytest.MonkeyPatch, chunk_tokens: int) -> None:
    monkeypatch.setattr(matcher_module, "BULK_CHUNK_TOKENS", chunk_tokens)
    catalog, articles = synthetic_corpus(40, 200, seed=5)
    bulk = Matcher(catalog, articles)
    _assert_same_index(bulk, _incremental_copy(bulk))


def test_compaction_with_phrasings_equals_incremental_adds(
    monkeypatch: pytest.MonkeyPatch, small_catalog: list[CatalogEntry], small_articles: list[Article]
) -> None:
    monkeypatch.setattr(matcher_module, "BULK_CHUNK_TOKENS", 20)
    matcher = Matcher(small_catalog, small_articles)
    matcher.add_phrasing("catalog:printer-problem", "skrivaren på plan 3 är trasig igen")
    matcher.add_phrasing("catalog:access-card", "I lost my badge, the access card for the doors")
    matcher._compact()  # rebuilds in bulk, phrasings included
    _assert_same_index(matcher, _incremental_copy(matcher))


def test_an_empty_matcher_builds() -> None:
    assert not Matcher([], []).match("printer").candidates
