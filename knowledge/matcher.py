"""The desk's matcher: field-weighted BM25 over stemmed, accent-folded terms, with typo tolerance by rapidfuzz
against the index vocabulary, Swedish compound splitting, synonyms and phrasings learned from the desk's history.

Scores are squashed to 0..1; the decision (confident answer, short list, nothing) compares them with
calibrated thresholds."""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from knowledge.models import (
    Article,
    Candidate,
    CandidateKind,
    CatalogEntry,
    Decision,
    MatchResult,
    Thresholds,
)
from knowledge.text import STOPWORDS, Stemmer, content_words, fold, words

# Field weights of the BM25F sum, and their length normalisation (b). Titles and keywords are short, curated
# and say what the item is; descriptions and bodies are long and chatty, so one hit there means less.
FIELD_WEIGHTS: Mapping[str, float] = {
    "title": 3.0,
    "keywords": 3.0,
    "tags": 2.5,
    "description": 1.0,
    "body": 0.15,
    "related": 1.0,
    "phrasings": 2.0,
}
FIELD_B: Mapping[str, float] = {
    "title": 0.3,
    "keywords": 0.3,
    "tags": 0.3,
    "description": 0.6,
    "body": 0.75,
    "related": 0.3,
    "phrasings": 0.5,
}
K1 = 1.2
# A raw BM25 score of SCALE maps to 1 - 1/e on the 0..1 scale.
SCALE = 12.0
FUZZY_CUTOFF = 80.0
MIN_FUZZY_LEN = 4
MIN_COMPOUND_PART = 3
COMPOUND_WEIGHT = 0.8
SUFFIX_SLACK = 3
MIN_SUFFIX_HEAD = 5
SUFFIX_WEIGHT = 0.9
SYNONYM_WEIGHT = 1.0
# Words that make a message a how-to question, which an article answers; without them a message is more likely
# a fault report or a request for a service, which the catalogue handles.
HOW_TO_MARKERS: frozenset[str] = frozenset(
    "how hur howto tips guide instructions instruktion instruktioner manual steps".split()
)
INTENT_BOOST = 0.75
_REF = re.compile(r"^(catalog|article):(.+)$")


@dataclass(slots=True)
class _Doc:
    kind: CandidateKind
    id: str
    fields: dict[str, list[str]]  # field -> stemmed terms
    weights: dict[str, float] = field(default_factory=dict)  # term -> weighted, length-normalised tf
    alive: bool = True


@dataclass(frozen=True, slots=True)
class QueryTerm:
    term: str
    weight: float
    origin: str  # "exact", "synonym", "compound", "fuzzy"


def parse_ref(ref: str) -> tuple[CandidateKind, str]:
    match = _REF.match(ref)
    if match is None:
        raise ValueError(f"not a reference like 'catalog:<id>' or 'article:<id>': {ref!r}")
    kind: CandidateKind = "catalog" if match.group(1) == "catalog" else "article"
    return kind, match.group(2)


class Matcher:
    def __init__(
        self,
        catalog: Sequence[CatalogEntry],
        articles: Sequence[Article],
        synonyms: Mapping[str, Sequence[str]] | None = None,
        thresholds: Thresholds | None = None,
        max_phrasings_per_target: int = 50,
    ) -> None:
        if max_phrasings_per_target < 0:
            raise ValueError("max_phrasings_per_target must not be negative")
        self.thresholds = thresholds or Thresholds()
        self._max_phrasings = max_phrasings_per_target
        self._stemmer = Stemmer()
        self._synonyms = self._compile_synonyms(synonyms or {})
        self._docs: list[_Doc] = []
        self._by_ref: dict[str, int] = {}
        self._postings: dict[str, dict[int, float]] = {}
        self._field_len_sum: Counter[str] = Counter()
        self._field_count: Counter[str] = Counter()
        self._alive = 0
        # Surface words of the index (folded, unstemmed) for typo matching, bucketed by first letter: people
        # rarely get the first letter wrong, and the bucket keeps rapidfuzz's work small on big indexes.
        self._surface: dict[str, str] = {}
        self._buckets: dict[str, list[str]] = {}
        self._catalog: dict[str, CatalogEntry] = {}
        self._articles: dict[str, Article] = {}
        self._phrasings: dict[str, deque[str]] = {}
        for entry in catalog:
            self._catalog[entry.id] = entry
        for entry in catalog:
            self._index(self._catalog_doc(entry))
        for article in articles:
            self._articles[article.id] = article
            self._index(self._article_doc(article))

    # ----- public interface -------------------------------------------------------------------------------

    def match(self, text: str, limit: int = 5) -> MatchResult:
        terms = self.query_terms(text)
        if not terms or self._alive == 0:
            return MatchResult(Decision.NOTHING, ())
        scores: dict[int, float] = {}
        n = self._alive
        for qt in terms:
            postings = self._postings.get(qt.term)
            if not postings:
                continue
            df = len(postings)
            idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
            factor = qt.weight * idf * (K1 + 1.0)
            for doc_idx, tf in postings.items():
                scores[doc_idx] = scores.get(doc_idx, 0.0) + factor * tf / (tf + K1)
        how_to = any(w in HOW_TO_MARKERS for w in words(text))
        favoured = "article" if how_to else "catalog"
        boost = 1.0 + INTENT_BOOST
        for doc_idx in scores:
            if self._docs[doc_idx].kind == favoured:
                scores[doc_idx] *= boost
        top = heapq.nlargest(max(limit, 2), scores.items(), key=lambda item: item[1])
        query_set = {qt.term for qt in terms}
        candidates = tuple(
            Candidate(
                kind=self._docs[idx].kind,
                id=self._docs[idx].id,
                score=round(1.0 - math.exp(-raw / SCALE), 4),
                matched=tuple(f for f, ts in self._docs[idx].fields.items() if query_set.intersection(ts)),
            )
            for idx, raw in top
        )
        return self._decide(candidates, limit)

    def add_article(self, article: Article) -> None:
        """Index a new or changed article; costs about as much as matching one long message."""
        ref = f"article:{article.id}"
        if ref in self._by_ref:
            self._unindex(self._by_ref.pop(ref))
        self._articles[article.id] = article
        self._index(self._article_doc(article))

    def remove_article(self, article_id: str) -> None:
        ref = f"article:{article_id}"
        idx = self._by_ref.pop(ref, None)
        if idx is None:
            raise KeyError(ref)
        self._unindex(idx)
        self._articles.pop(article_id, None)
        self._phrasings.pop(ref, None)

    def add_phrasing(self, ref: str, text: str) -> None:
        """Remember how someone asked for `ref` (a ticket was opened, an article confirmed helpful).
        At most max_phrasings_per_target are kept per target; the oldest is dropped first."""
        kind, target = parse_ref(ref)
        if ref not in self._by_ref:
            raise KeyError(ref)
        if self._max_phrasings == 0 or not text.strip():
            return
        queue = self._phrasings.setdefault(ref, deque(maxlen=self._max_phrasings))
        queue.append(text.strip())
        self._unindex(self._by_ref.pop(ref))
        if kind == "catalog":
            self._index(self._catalog_doc(self._catalog[target]))
        else:
            self._index(self._article_doc(self._articles[target]))

    def phrasings(self, ref: str) -> tuple[str, ...]:
        return tuple(self._phrasings.get(ref, ()))

    def __len__(self) -> int:
        return self._alive

    # ----- query side --------------------------------------------------------------------------------------

    def query_terms(self, text: str) -> list[QueryTerm]:
        """The weighted index terms a message asks for (exposed for explanations and tests)."""
        tokens = [w for w in words(text) if len(w) > 1]
        expanded: list[tuple[str, str]] = []  # (word, origin)
        for word in self._expand_synonyms(tokens):
            expanded.append(word)
        out: dict[str, QueryTerm] = {}
        for word, origin in expanded:
            if word in STOPWORDS:
                continue
            for qt in self._resolve(word, origin):
                known = out.get(qt.term)
                if known is None or known.weight < qt.weight:
                    out[qt.term] = qt
        return list(out.values())

    def _resolve(self, word: str, origin: str) -> list[QueryTerm]:
        weight = SYNONYM_WEIGHT if origin == "synonym" else 1.0
        stem = self._stemmer.stem(word)
        found: list[QueryTerm] = []
        if self._postings.get(stem):
            found.append(QueryTerm(stem, weight, origin))
        # Inflected forms the stemmer leaves alone (Swedish definite -et/-en/-na: "passerkortet",
        # "losenordet") still meet the bare form in the index.
        for cut in range(1, SUFFIX_SLACK + 1):
            head = word[:-cut]
            if len(head) < MIN_SUFFIX_HEAD:
                break
            head_stem = self._known_stem(head)
            if head_stem is not None and head_stem != stem:
                found.append(QueryTerm(head_stem, weight * SUFFIX_WEIGHT, "suffix"))
                break
        if found:
            return found
        parts = self._split_compound(word)
        if parts:
            return [QueryTerm(p, weight * COMPOUND_WEIGHT, "compound") for p in parts]
        if len(word) >= MIN_FUZZY_LEN and not word.isdigit():
            bucket = self._buckets.get(word[0])
            if bucket:
                hit = process.extractOne(word, bucket, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
                if hit is not None:
                    similarity = hit[1] / 100.0
                    return [QueryTerm(self._surface[hit[0]], weight * similarity, "fuzzy")]
        return []

    def _split_compound(self, word: str) -> list[str]:
        """Split a Swedish compound into two known parts ("losenordsbyte" -> losenord + byte), trying the
        longest head first and allowing the linking -s- of Swedish compounds."""
        if len(word) < 2 * MIN_COMPOUND_PART:
            return []
        for cut in range(len(word) - MIN_COMPOUND_PART, MIN_COMPOUND_PART - 1, -1):
            head, tail = word[:cut], word[cut:]
            tail_stem = self._known_stem(tail)
            if tail_stem is None:
                continue
            head_stem = self._known_stem(head)
            if head_stem is None and head.endswith("s") and len(head) > MIN_COMPOUND_PART:
                head_stem = self._known_stem(head[:-1])
            if head_stem is not None:
                return [head_stem, tail_stem]
        return []

    def _known_stem(self, word: str) -> str | None:
        stem = self._surface.get(word)
        return stem if stem is not None and self._postings.get(stem) else None

    @staticmethod
    def _compile_synonyms(synonyms: Mapping[str, Sequence[str]]) -> dict[tuple[str, ...], list[str]]:
        compiled: dict[tuple[str, ...], list[str]] = {}
        for key, expansions in synonyms.items():
            key_words = tuple(words(key))
            if not key_words:
                continue
            if isinstance(expansions, str):
                expansions = [expansions]
            target = compiled.setdefault(key_words, [])
            for expansion in expansions:
                target.extend(words(expansion))
        return compiled

    def _expand_synonyms(self, tokens: list[str]) -> Iterable[tuple[str, str]]:
        if not self._synonyms:
            return [(t, "exact") for t in tokens]
        out: list[tuple[str, str]] = [(t, "exact") for t in tokens]
        longest = max(len(k) for k in self._synonyms)
        for start in range(len(tokens)):
            for size in range(1, min(longest, len(tokens) - start) + 1):
                expansion = self._synonyms.get(tuple(tokens[start : start + size]))
                if expansion:
                    out.extend((w, "synonym") for w in expansion)
        return out

    # ----- index side --------------------------------------------------------------------------------------

    def _terms(self, text: str) -> list[str]:
        return [self._stemmer.stem(w) for w in content_words(text)]

    def _catalog_doc(self, entry: CatalogEntry) -> _Doc:
        ref = f"catalog:{entry.id}"
        fields = {
            "title": self._terms(f"{entry.title} {entry.title_sv}"),
            "keywords": self._terms(" ".join(entry.keywords)),
            "description": self._terms(entry.description),
            "phrasings": self._terms(" ".join(self._phrasings.get(ref, ()))),
        }
        return _Doc("catalog", entry.id, fields)

    def _article_doc(self, article: Article) -> _Doc:
        ref = f"article:{article.id}"
        related_text = " ".join(
            f"{e.title} {e.title_sv} {' '.join(e.keywords)}"
            for e in (self._catalog.get(r) for r in article.related)
            if e is not None
        )
        fields = {
            "title": self._terms(article.title),
            "tags": self._terms(" ".join(article.tags)),
            "body": self._terms(article.body),
            "related": self._terms(related_text),
            "phrasings": self._terms(" ".join(self._phrasings.get(ref, ()))),
        }
        return _Doc("article", article.id, fields)

    def _remember_surface(self, text_words: Iterable[str]) -> None:
        for word in text_words:
            if word in self._surface or len(word) < MIN_COMPOUND_PART or word.isdigit():
                continue
            self._surface[word] = self._stemmer.stem(word)
            if len(word) >= MIN_FUZZY_LEN:
                self._buckets.setdefault(word[0], []).append(word)

    def _index(self, doc: _Doc) -> None:
        idx = len(self._docs)
        self._docs.append(doc)
        self._by_ref[f"{doc.kind}:{doc.id}"] = idx
        self._alive += 1
        for name, terms in doc.fields.items():
            self._field_len_sum[name] += len(terms)
            self._field_count[name] += 1
        weights: Counter[str] = Counter()
        for name, terms in doc.fields.items():
            if not terms:
                continue
            avg = self._field_len_sum[name] / max(1, self._field_count[name]) or 1.0
            b = FIELD_B[name]
            norm = 1.0 - b + b * len(terms) / avg
            w = FIELD_WEIGHTS[name] / norm
            for term, tf in Counter(terms).items():
                weights[term] += w * tf
        doc.weights = dict(weights)
        for term, tf in doc.weights.items():
            self._postings.setdefault(term, {})[idx] = tf
        self._remember_surface(self._surface_words(doc))

    def _surface_words(self, doc: _Doc) -> list[str]:
        if doc.kind == "catalog":
            entry = self._catalog[doc.id]
            text = " ".join((entry.title, entry.title_sv, entry.description, *entry.keywords))
        else:
            article = self._articles[doc.id]
            text = " ".join((article.title, *article.tags, article.body))
        text += " " + " ".join(self._phrasings.get(f"{doc.kind}:{doc.id}", ()))
        return [fold(w) for w in content_words(text)]

    def _unindex(self, idx: int) -> None:
        doc = self._docs[idx]
        if not doc.alive:
            return
        doc.alive = False
        self._alive -= 1
        for name, terms in doc.fields.items():
            self._field_len_sum[name] -= len(terms)
            self._field_count[name] -= 1
        for term in doc.weights:
            postings = self._postings.get(term)
            if postings is not None:
                postings.pop(idx, None)
                if not postings:
                    del self._postings[term]
        doc.weights = {}
        doc.fields = {}

    # ----- decision ----------------------------------------------------------------------------------------

    def _decide(self, ranked: tuple[Candidate, ...], limit: int) -> MatchResult:
        t = self.thresholds
        candidates = ranked[:limit]
        if not candidates:
            return MatchResult(Decision.NOTHING, ())
        best = candidates[0].score
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        if best >= t.confident and best - runner_up >= t.margin:
            return MatchResult(Decision.CONFIDENT, candidates)
        if best >= t.suggest:
            return MatchResult(Decision.CHOOSE, candidates)
        return MatchResult(Decision.NOTHING, candidates)
