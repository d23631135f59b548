"""The desk's matcher: field-weighted BM25 over stemmed, accent-folded terms, with typo tolerance by
rapidfuzz against the index vocabulary, Swedish compound splitting, synonyms and phrasings learned from the
desk's history.

Scores are squashed to 0..1; the decision (confident answer, short list, nothing) compares them, and the
best candidate's raw lead relative to the message's reach, with cross-validated thresholds."""

from __future__ import annotations

import gc
import heapq
import math
import re
from array import array
from bisect import bisect_left
from collections import Counter, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise, repeat
from operator import add, mul, truediv

import numpy as np
from rapidfuzz import fuzz, process

from knowledge import lexicon
from knowledge.intent import intent_of
from knowledge.models import (
    Article,
    Candidate,
    CandidateKind,
    CatalogEntry,
    Decision,
    MatchResult,
    Thresholds,
)
from knowledge.text import STOPWORD_INFLECTIONS, STOPWORDS, Stemmer, content_words, raw_words, word_count, words

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
# The 0..1 score is 1 - exp(-raw / scale), where scale is SCALE_PER_IDF times the largest possible idf of
# the index. BM25 sums grow with log(N), so tying the scale to it keeps the calibrated thresholds meaningful
# for a desk with a bigger or smaller catalogue than the development set's 50 targets (scale 12 there).
SCALE_PER_IDF = 2.6

# Typos: a word the index does not know is matched to the closest index word of the same first letter with
# rapidfuzz's ratio at or above FUZZY_CUTOFF, weighted by that similarity (short words are left alone).
FUZZY_CUTOFF = 80.0
MIN_FUZZY_LEN = 4
# Inflections the stemmer leaves alone ("passerkortet"): drop up to SUFFIX_SLACK letters to reach an index
# word, keeping at least MIN_SUFFIX_HEAD.
SUFFIX_SLACK = 3
MIN_SUFFIX_HEAD = 5
SUFFIX_WEIGHT = 0.9
# Swedish compounds ("lösenordsbyte") split into two index words of at least MIN_COMPOUND_PART letters; a
# head of MIN_STEM_HEAD letters may match by its stem ("skrivar|problem").
MIN_COMPOUND_PART = 3
MIN_STEM_HEAD = 5
COMPOUND_WEIGHT = 0.8
SYNONYM_WEIGHT = 1.0
# Weight of an in-order pair of words from a title, keyword or tag (see _phrase_pairs).
PHRASE_WEIGHT = 2.0

# The kind of answer a message's wording asks for (knowledge.intent): a how-to or policy question an
# article, a request or a fault report the catalogue. That kind's raw scores are multiplied by
# 1 + INTENT_BOOST; when the wording does not tell, the catalogue's by 1 + NEUTRAL_BOOST (most messages to a
# desk ask for something, and a bare "vpn" is more often a problem than a question).
INTENT_BOOST = 0.75
NEUTRAL_BOOST = 0.75
# A message about a private matter ("my private phone", "my kid's xbox") is rarely the desk's business even
# when its words fit an entry ("phone", "repair"): it gets at most a short list, never a confident answer.
# (Scaling its scores down instead, by 0.2-0.5, cross-validates about as well on the development set, but
# a private matter whose words fit an entry closely still got a confident answer.)
# An article and a catalogue item it lists as related answer the same topic, and so score alike (the
# article's `related` field holds the item's title and keywords); which one fits is a matter of what the
# message asks for. When the wording tells and the best candidate is of the other kind, a related member of
# the favoured kind among the next FAMILY_WINDOW candidates, scoring at least FAMILY_RATIO of the best, is
# put first with the family's score; and the margin and lead of a confident answer are measured against the
# best candidate outside the family: its other member is no rival, only the other way to the same help.
# Cross-validated on the development set (bench match_decision): windows 3-5 and ratios 0-0.5 do the same.
FAMILY_WINDOW = 3
FAMILY_RATIO = 0.3

# Coordination, as in classic Lucene: a candidate's raw score is multiplied by the idf-weighted share of the
# message's words it contains, to this power. A long message's right answer covers more of it than an entry
# that picks up two of its words with a high weight each ("staying home" against the VPN entry), and a
# candidate that explains little of a message makes a confident answer less likely (its lead shrinks).
# Cross-validated on the development set: 0.35-0.65 all raise CV accuracy (bench match_decision).
COORDINATION = 0.5
# The relative lead of a confident answer is measured against what the message's REACH_WORDS most
# informative words could score: no entry answers more than a handful of a message's words, and the chatter
# of a long message ("sorry for the wall of text", the coffee machine, the weekend) would otherwise inflate
# the reach and shrink every lead, so that a long message whose need is plain never got a confident answer.
# Cross-validated on the development set: 8 raises CV accuracy 0.836 -> 0.859 (6: 0.842, 10: 0.847).
REACH_WORDS = 8

# A learned phrasing votes for its target when the message and the phrasing each reach
# PHRASING_MIN_SIMILARITY of their own best score; the target then scores at least PHRASING_SHARE of it.
PHRASING_SHARE = 1.0
PHRASING_MIN_SIMILARITY = 0.5

# Large indexes: terms in more than COMMON_SHARE of the documents (and at least COMMON_MIN_DF) only re-rank
# the best COMMON_POOL documents; on small indexes every term is scored in full.
COMMON_MIN_DF = 2000
COMMON_SHARE = 0.05
COMMON_POOL = 300
# Retired index entries (changed or removed documents) are dropped in one rebuild once they pile up.
COMPACT_AFTER = 1000
# Which fields matched is worked out for the few shown candidates only, and remembered for popular ones.
FIELD_CACHE_SIZE = 2048
# Field texts up to this length are tokenised once per bulk build (see _build).
SHORT_FIELD = 400
# A bulk build counts its postings (with numpy) this many term occurrences at a time, which bounds the
# memory of the intermediate arrays.
BULK_CHUNK_TOKENS = 1 << 19
_REF = re.compile(r"^(catalog|article):(.+)$")


@dataclass(slots=True)
class _Doc:
    """An index entry: a catalogue entry, an article, or one learned phrasing (`text`) of one of them."""

    kind: CandidateKind
    id: str
    phrasing: str | None = None
    alive: bool = True

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True, slots=True)
class QueryTerm:
    term: str
    weight: float
    origin: str  # "exact", "synonym", "suffix", "compound", "fuzzy", "phrase"


class _Vocabulary(dict[str, str]):
    """Every indexed word (folded, unstemmed) -> its stem, for typo matching and compound splitting; a
    stopword or a one-letter word -> "" (no term). A word is stemmed the first time it is looked up, so
    indexing maps a whole field's words in one C-level pass and runs Python code only for words it has not
    seen before. The fuzzy buckets go by first letter: people rarely get it wrong, and it keeps rapidfuzz's
    work small."""

    def __init__(self, stemmer: Stemmer) -> None:
        super().__init__()
        self._stem = stemmer.stem
        self.buckets: dict[str, list[str]] = {}

    def __missing__(self, word: str) -> str:
        if word in STOPWORDS or len(word) < 2:
            self[word] = ""
            return ""
        stem = self[word] = self._stem(word)
        if len(word) >= MIN_FUZZY_LEN and not word.isdigit():
            self.buckets.setdefault(word[0], []).append(word)
        return stem


class _Postings(dict[str, "array[int]"]):
    """Per term: the documents containing it, and in `values_of` their precomputed BM25 term factors, in flat
    arrays (a dict per term would cost several times the memory on a large knowledge base). Looking up a
    new term creates its arrays, which spares indexing a check per document for terms it has not seen."""

    def __init__(self) -> None:
        super().__init__()
        self.values_of: dict[str, array[float]] = {}

    def __missing__(self, term: str) -> array[int]:
        docs = self[term] = array("I")
        self.values_of[term] = array("f")
        return docs


class _TermIds(dict[str, int]):
    """Bulk build: every term (stem or phrase pair) -> a dense id from 1, in order of first occurrence. Id 0
    stands for no term, so that `filter(None, ...)` drops stopwords at C speed."""

    def __missing__(self, term: str) -> int:
        term_id = self[term] = len(self) + 1
        return term_id


class _WordIds(dict[str, int]):
    """Bulk build: folded word -> its stem's term id (0 for a stopword or a single letter). The first lookup
    of a word goes through the vocabulary, which so learns every indexed word as an incremental add does."""

    def __init__(self, vocabulary: _Vocabulary, term_ids: _TermIds) -> None:
        super().__init__()
        self._vocabulary = vocabulary
        self._term_ids = term_ids

    def __missing__(self, word: str) -> int:
        stem = self._vocabulary[word]
        term_id = self[word] = self._term_ids[stem] if stem else 0
        return term_id


class _BulkPostings:
    """A bulk build's postings, gathered as one stream of term ids, field after field (a "segment" each, with
    its document and BM25F weight), and counted and grouped with numpy a chunk of documents at a time.

    Appending each posting to its term's own array, as an incremental add does, touches a few hundred
    thousand arrays in random order; on a large knowledge base that was the biggest part of the build. The
    values come out bit for bit as an incremental add computes them: each field's term frequency times the
    field's weight, summed over the fields in the same order (float addition is not associative), then
    saturated."""

    def __init__(self, vocabulary: _Vocabulary) -> None:
        self.term_ids = _TermIds()
        self.word_ids = _WordIds(vocabulary, self.term_ids)
        self._tokens = array("I")
        self._segment_len = array("I")
        self._segment_doc = array("I")
        self._segment_weight = array("d")
        # Per chunk: the (term id, document, value) of each posting, sorted by term and then by document.
        self._chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._term_count = np.zeros(1, dtype=np.int64)

    def add_words(self, doc_idx: int, weight: float, field_words: list[str]) -> None:
        before = len(self._tokens)
        self._tokens.extend(filter(None, map(self.word_ids.__getitem__, field_words)))
        self._segment(doc_idx, weight, len(self._tokens) - before)

    def add_terms(self, doc_idx: int, weight: float, terms: list[str]) -> None:
        self._tokens.extend(map(self.term_ids.__getitem__, terms))
        self._segment(doc_idx, weight, len(terms))

    def _segment(self, doc_idx: int, weight: float, size: int) -> None:
        self._segment_len.append(size)
        self._segment_doc.append(doc_idx)
        self._segment_weight.append(weight)

    def end_document(self) -> bool:
        """Count the chunk gathered so far once it is big enough; True if it was (and so is gone)."""
        if len(self._tokens) < BULK_CHUNK_TOKENS:
            return False
        self._flush()
        return True

    def _flush(self) -> None:
        segments = len(self._segment_len)
        if self._tokens:
            # One sort on (term, segment) both counts each term's frequency per field and orders the postings
            # by term and then by document.
            key = np.repeat(np.arange(segments, dtype=np.int64), np.frombuffer(self._segment_len, dtype=np.uint32))
            key += np.frombuffer(self._tokens, dtype=np.uint32).astype(np.int64) * segments
            key.sort()
            run_start = np.flatnonzero(np.diff(key, prepend=-1))
            tf = np.diff(run_start, append=len(key))
            key = key[run_start]
            del run_start
            term = key // segments
            segment = key - term * segments
            del key
            doc = np.frombuffer(self._segment_doc, dtype=np.uint32)[segment]
            total = np.frombuffer(self._segment_weight, dtype=np.float64)[segment] * tf
            del segment, tf
            # A (term, document) group has one entry per field the term occurs in, in the fields' order: add
            # them up left to right (np.add.reduceat would pair them differently).
            first = np.ones(len(term), dtype=bool)
            first[1:] = (term[1:] != term[:-1]) | (doc[1:] != doc[:-1])
            group_start = np.flatnonzero(first)
            position = np.arange(len(term)) - group_start[np.cumsum(first) - 1]
            del first
            rank = 1
            at = np.flatnonzero(position == rank)
            while at.size:
                total[at] += total[at - 1]
                rank += 1
                at = np.flatnonzero(position == rank)
            del position, at
            last = np.append(group_start[1:], len(term)) - 1
            del group_start
            total = total[last]
            values = (total * (K1 + 1.0) / (total + K1)).astype(np.float32)
            term = term[last].astype(np.uint32)
            self._chunks.append((term, doc[last], values))
            counts = np.bincount(term, minlength=len(self.term_ids) + 1)
            counts[: len(self._term_count)] += self._term_count
            self._term_count = counts
        self._tokens = array("I")
        self._segment_len = array("I")
        self._segment_doc = array("I")
        self._segment_weight = array("d")

    def install(self, postings: _Postings) -> None:
        """Put every term's documents and values into `postings` as arrays of their own (as the query side
        reads them), by way of two flat arrays that the chunks are scattered into."""
        self._flush()
        count = self._term_count
        ends = np.cumsum(count)
        starts = ends - count
        docs_flat = array("I", [0]) * int(ends[-1])
        values_flat = array("f", [0.0]) * int(ends[-1])
        out_docs = np.frombuffer(docs_flat, dtype=np.uint32)
        out_values = np.frombuffer(values_flat, dtype=np.float32)
        fill = starts.copy()
        while self._chunks:
            term, doc, values = self._chunks.pop(0)
            first = np.ones(len(term), dtype=bool)
            first[1:] = term[1:] != term[:-1]
            run_start = np.flatnonzero(first)
            run_len = np.diff(run_start, append=len(term))
            run_term = term[run_start]
            at = np.repeat(fill[run_term] - run_start, run_len) + np.arange(len(term))
            out_docs[at] = doc
            out_values[at] = values
            fill[run_term] += run_len
        del out_docs, out_values
        # Term ids start at 1; slot 0 (no term) is empty.
        ranges = list(map(slice, starts[1:].tolist(), ends[1:].tolist()))
        terms = list(self.term_ids)
        postings.update(zip(terms, map(docs_flat.__getitem__, ranges), strict=True))
        postings.values_of.update(zip(terms, map(values_flat.__getitem__, ranges), strict=True))


def parse_ref(ref: str) -> tuple[CandidateKind, str]:
    match = _REF.match(ref)
    if match is None:
        raise ValueError(f"not a reference like 'catalog:<id>' or 'article:<id>': {ref!r}")
    kind: CandidateKind = "catalog" if match.group(1) == "catalog" else "article"
    return kind, match.group(2)


class Matcher:
    """An in-memory index over catalogue entries and articles.

    The index is append-only: changing a document (a new article version) retires its old entry and appends
    a new one, and the arrays are compacted once retired entries pile up. That keeps adding an article at
    the cost of tokenising it.

    Learned phrasings are small documents of their own that vote for their target: a message close to one
    earlier request is evidence for that request's target, while merging all phrasings into one bag of
    words would mostly add the noise of long messages."""

    def __init__(
        self,
        catalog: Sequence[CatalogEntry],
        articles: Sequence[Article],
        synonyms: Mapping[str, Sequence[str]] | None = None,
        thresholds: Thresholds | None = None,
        max_phrasings_per_target: int = 50,
        bilingual: bool = True,
    ) -> None:
        if max_phrasings_per_target < 0:
            raise ValueError("max_phrasings_per_target must not be negative")
        self.thresholds = thresholds or Thresholds()
        self._max_phrasings = max_phrasings_per_target
        self._stemmer = Stemmer(concepts=lexicon.groups() if bilingual else ())
        self._synonyms = self._compile_synonyms(synonyms or {})
        self._catalog: dict[str, CatalogEntry] = {e.id: e for e in catalog}
        self._articles: dict[str, Article] = {}
        self._phrasings: dict[str, deque[str]] = {}
        for article in articles:
            self._articles[article.id] = article
        self._reset_index()
        self._build([_Doc("catalog", e) for e in self._catalog] + [_Doc("article", a) for a in self._articles])

    # ----- public interface -------------------------------------------------------------------------------

    def match(self, text: str, limit: int = 5) -> MatchResult:
        terms = self.query_terms(text)
        if not terms or self._alive == 0:
            return MatchResult(Decision.NOTHING, ())
        scores = self._score(terms)
        for doc_idx in self._retired:
            scores.pop(doc_idx, None)
        voted = self._fold_phrasings(scores, terms)
        intent = intent_of(text)
        favoured = intent.favours or "catalog"
        boost = 1.0 + (INTENT_BOOST if intent.favours else NEUTRAL_BOOST)
        top = [(idx, scores[idx]) for idx in heapq.nlargest(max(limit, 2) * 4, scores, key=scores.__getitem__)]
        if COORDINATION > 0:
            top = self._coordinated(top, terms, voted)
        boosted = sorted(
            ((idx, raw * boost if self._docs[idx].kind == favoured else raw) for idx, raw in top),
            key=lambda item: item[1],
            reverse=True,
        )
        if intent.favours:
            boosted = self._family_pick(boosted, intent.favours)
        query_set = {qt.term for qt in terms}
        targets = len(self._by_ref)
        scale = SCALE_PER_IDF * math.log(1.0 + (targets + 0.5) / 0.5)
        candidates = tuple(
            Candidate(
                kind=self._docs[idx].kind,
                id=self._docs[idx].id,
                score=round(1.0 - math.exp(-raw / scale), 4),
                matched=self._matched_fields(idx, query_set) + (("phrasings",) if idx in voted else ()),
            )
            for idx, raw in boosted[: max(limit, 2)]
        )
        rival = 1
        if boosted and intent.favours == self._docs[boosted[0][0]].kind:
            while rival < len(boosted) and self._related(boosted[0][0], boosted[rival][0]):
                rival += 1
        runner_up = boosted[rival][1] if len(boosted) > rival else 0.0
        reach = self._reach(terms)
        lead = (boosted[0][1] - runner_up) / reach if boosted and reach > 0 else 0.0
        rival_score = round(1.0 - math.exp(-runner_up / scale), 4)
        return self._decide(candidates, limit, lead, rival_score, may_answer=not intent.private)

    def _related(self, a: int, b: int) -> bool:
        """Whether two index entries are an article and a catalogue item it lists as related."""
        doc_a, doc_b = self._docs[a], self._docs[b]
        if doc_a.kind == doc_b.kind:
            return False
        article, item = (doc_a, doc_b) if doc_a.kind == "article" else (doc_b, doc_a)
        found = self._articles.get(article.id)
        return found is not None and item.id in found.related

    def _family_pick(self, ranked: list[tuple[int, float]], favoured: CandidateKind) -> list[tuple[int, float]]:
        """Put first the member of the best candidate's family that is of the kind the wording asks for (see
        FAMILY_WINDOW), with the best one's raw score."""
        best, best_raw = ranked[0]
        if self._docs[best].kind == favoured:
            return ranked
        for position in range(1, min(len(ranked), FAMILY_WINDOW + 1)):
            idx, raw = ranked[position]
            if raw < FAMILY_RATIO * best_raw:
                break
            if self._docs[idx].kind == favoured and self._related(best, idx):
                return [(idx, best_raw), *ranked[:position], *ranked[position + 1 :]]
        return ranked

    def _coordinated(
        self, top: list[tuple[int, float]], terms: list[QueryTerm], voted: set[int]
    ) -> list[tuple[int, float]]:
        """Scale each candidate's raw score by the share of the message it covers (its words weighted by idf)
        to the power COORDINATION. Only the few best candidates are looked at, by binary search in the
        postings. A target voted for by a learned phrasing keeps its score: the phrasing covered the words."""
        weighted = [
            (self._docs_of[qt.term], qt.weight * self._idf(qt.term))
            for qt in terms
            if qt.origin != "phrase" and self._df(qt.term) > self._phrasing_df[qt.term]
        ]
        total = sum(weight for _, weight in weighted)
        if total <= 0:
            return top
        coordinated = []
        for idx, raw in top:
            if idx not in voted:
                covered = 0.0
                for docs, weight in weighted:
                    at = bisect_left(docs, idx)
                    if at < len(docs) and docs[at] == idx:
                        covered += weight
                raw *= (covered / total) ** COORDINATION
            coordinated.append((idx, raw))
        return coordinated

    def _reach(self, terms: list[QueryTerm]) -> float:
        """The most a message could score by its REACH_WORDS most informative words: each (phrase pairs
        aside) once in a title. Words that only learned phrasings contain count for nothing: no target can
        score them."""
        weight = FIELD_WEIGHTS["title"]
        best_value = weight * (K1 + 1.0) / (weight + K1)
        weights = [
            qt.weight * self._idf(qt.term)
            for qt in terms
            if qt.origin != "phrase" and self._df(qt.term) > self._phrasing_df[qt.term]
        ]
        return best_value * sum(heapq.nlargest(REACH_WORDS, weights))

    def _score(self, terms: list[QueryTerm]) -> dict[int, float]:
        """BM25F sums per document. On a large index, terms found in a big share of the documents (near
        stopwords of that corpus, weak evidence) only re-rank the best documents found by the rarer terms,
        as Lucene's common-terms query does; walking their long postings would dominate the latency."""
        common_df = max(COMMON_MIN_DF, int(COMMON_SHARE * self._alive))
        with_df = ((qt, self._df(qt.term)) for qt in terms)
        weighted = sorted(((qt, df) for qt, df in with_df if df > 0), key=lambda item: item[1])
        scores: dict[int, float] = {}
        get = scores.get
        pool: list[int] | None = None
        for position, (qt, df) in enumerate(weighted):
            docs, values = self._docs_of[qt.term], self._docs_of.values_of[qt.term]
            factor = qt.weight * self._idf(qt.term)
            if df <= common_df or position == 0:
                for doc_idx, value in zip(docs, values, strict=True):
                    scores[doc_idx] = get(doc_idx, 0.0) + factor * value
                continue
            if pool is None:
                pool = heapq.nlargest(COMMON_POOL, scores, key=scores.__getitem__)
            size = len(docs)
            for doc_idx in pool:
                at = bisect_left(docs, doc_idx)
                if at < size and docs[at] == doc_idx:
                    scores[doc_idx] += factor * values[at]
        return scores

    def _fold_phrasings(self, scores: dict[int, float], terms: list[QueryTerm]) -> set[int]:
        """Replace each phrasing's score by a vote for its target: when the message says much the same as
        an earlier one (the match reaches PHRASING_MIN_SIMILARITY of what either message would score against
        itself), the target scores at least PHRASING_SHARE of that. Loose overlaps do not vote: a few shared
        words with a long earlier message are no evidence. Returns the targets that got a vote."""
        phrasings = self._phrasing_docs.intersection(scores)
        voted: set[int] = set()
        if not phrasings:
            return voted
        weight = FIELD_WEIGHTS["phrasings"]
        best_value = weight * (K1 + 1.0) / (weight + K1)
        own = sum(qt.weight * self._idf(qt.term) * best_value for qt in terms if self._live(qt.term))
        for idx in phrasings:
            raw = scores.pop(idx)
            doc = self._docs[idx]
            target = self._by_ref.get(doc.ref)
            if target is None or raw < PHRASING_MIN_SIMILARITY * own:
                continue
            # Both ways: the earlier message must also be mostly covered by this one.
            phrasing_terms = {self._stemmer.stem(w) for w in content_words(doc.phrasing or "")}
            phrasing_own = sum(self._idf(term) * best_value for term in phrasing_terms)
            if raw >= PHRASING_MIN_SIMILARITY * phrasing_own:
                scores[target] = max(scores.get(target, 0.0), PHRASING_SHARE * raw)
                voted.add(target)
        return voted

    def add_article(self, article: Article) -> None:
        """Index a new or changed article; costs about as much as tokenising it."""
        ref = f"article:{article.id}"
        if ref in self._by_ref:
            self._retire(self._by_ref.pop(ref))
        self._articles[article.id] = article
        self._append(_Doc("article", article.id))

    def remove_article(self, article_id: str) -> None:
        ref = f"article:{article_id}"
        idx = self._by_ref.pop(ref, None)
        if idx is None:
            raise KeyError(ref)
        self._retire(idx)
        del self._articles[article_id]
        self._phrasings.pop(ref, None)
        for phrasing_idx in self._phrasing_idx.pop(ref, ()):
            self._retire(phrasing_idx)

    def add_phrasing(self, ref: str, text: str) -> None:
        """Remember how someone asked for `ref` (a ticket was opened, an article confirmed helpful).
        At most max_phrasings_per_target are kept per target; the oldest is dropped first."""
        kind, target = parse_ref(ref)
        if ref not in self._by_ref:
            raise KeyError(ref)
        text = text.strip()
        if self._max_phrasings == 0 or not text:
            return
        texts = self._phrasings.setdefault(ref, deque(maxlen=self._max_phrasings))
        indices = self._phrasing_idx.setdefault(ref, deque())
        if len(texts) == self._max_phrasings:
            self._retire(indices.popleft())
        texts.append(text)
        self._append(_Doc(kind, target, phrasing=text))

    def phrasings(self, ref: str) -> tuple[str, ...]:
        return tuple(self._phrasings.get(ref, ()))

    def __len__(self) -> int:
        return len(self._by_ref)

    # ----- query side --------------------------------------------------------------------------------------

    def query_terms(self, text: str) -> list[QueryTerm]:
        """The weighted index terms a message asks for (exposed for explanations and tests)."""
        tokens = [w for w in words(text) if len(w) > 1]
        out: dict[str, QueryTerm] = {}
        sequence: list[QueryTerm | None] = []  # the message's own words in order, for phrase pairs
        for word, origin in self._expand_synonyms(tokens):
            if word in STOPWORDS or (origin == "exact" and word in STOPWORD_INFLECTIONS):
                continue
            resolved = self._resolve(word, origin)
            if origin == "exact":
                sequence.append(resolved[0] if resolved else None)
            for qt in resolved:
                known = out.get(qt.term)
                if known is None or known.weight < qt.weight:
                    out[qt.term] = qt
        if PHRASE_WEIGHT > 0:
            for first, second in pairwise(sequence):
                if first is None or second is None:
                    continue
                pair = f"{first.term} {second.term}"
                if self._live(pair) and pair not in out:
                    out[pair] = QueryTerm(pair, min(first.weight, second.weight), "phrase")
        return list(out.values())

    def _df(self, term: str) -> int:
        """How many live entries (targets and learned phrasings) contain the term."""
        docs = self._docs_of.get(term)
        return 0 if docs is None else len(docs) - self._retired_of[term]

    def _idf(self, term: str) -> float:
        """Inverse document frequency among the targets only: learned phrasings must not shift the weight
        of words (a hundred phrasings of "vpn" would otherwise make "vpn" look common)."""
        n = len(self._by_ref)
        df = max(0, self._df(term) - self._phrasing_df[term])
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def _live(self, term: str) -> bool:
        return self._df(term) > 0

    def _resolve(self, word: str, origin: str) -> list[QueryTerm]:
        weight = SYNONYM_WEIGHT if origin == "synonym" else 1.0
        stem = self._stemmer.stem(word)
        found: list[QueryTerm] = []
        if self._live(stem):
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
            bucket = self._surface.buckets.get(word[0])
            if bucket:
                hit = process.extractOne(word, bucket, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
                if hit is not None and self._live(self._surface[hit[0]]):
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
            head_stem = self._known_head(head)
            if head_stem is None and head.endswith("s") and len(head) > MIN_COMPOUND_PART:
                head_stem = self._known_head(head[:-1])
            if head_stem is not None:
                return [head_stem, tail_stem]
        return []

    def _known_head(self, head: str) -> str | None:
        """A compound's first part often drops an ending ("skrivar|problem" from "skrivare"), so a head
        also counts when its stem is in the index."""
        known = self._known_stem(head)
        if known is None and len(head) >= MIN_STEM_HEAD:
            stem = self._stemmer.stem(head)
            known = stem if self._live(stem) else None
        return known

    def _known_stem(self, word: str) -> str | None:
        """The stem of `word` if the word itself occurs in a live document of the index."""
        stem = self._surface.get(word)
        return stem if stem and self._live(stem) else None

    @staticmethod
    def _compile_synonyms(synonyms: Mapping[str, Sequence[str]]) -> dict[tuple[str, ...], list[str]]:
        compiled: dict[tuple[str, ...], list[str]] = {}
        for key, expansions in synonyms.items():
            key_words = tuple(words(key))
            if not key_words:
                continue
            target = compiled.setdefault(key_words, [])
            for expansion in [expansions] if isinstance(expansions, str) else expansions:
                target.extend(words(expansion))
        return compiled

    def _expand_synonyms(self, tokens: list[str]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = [(t, "exact") for t in tokens]
        if not self._synonyms:
            return out
        longest = max(len(k) for k in self._synonyms)
        for start in range(len(tokens)):
            for size in range(1, min(longest, len(tokens) - start) + 1):
                expansion = self._synonyms.get(tuple(tokens[start : start + size]))
                if expansion:
                    out.extend((w, "synonym") for w in expansion)
        return out

    # ----- index side --------------------------------------------------------------------------------------

    def _reset_index(self) -> None:
        self._docs: list[_Doc] = []
        self._by_ref: dict[str, int] = {}
        self._retired: set[int] = set()
        # Document frequency is a posting array's length minus the term's retired entries.
        self._docs_of = _Postings()
        self._retired_of: Counter[str] = Counter()
        self._field_len_sum: Counter[str] = Counter()
        self._field_count: Counter[str] = Counter()
        self._alive = 0
        self._surface = _Vocabulary(self._stemmer)
        self._field_terms_cache: dict[int, dict[str, frozenset[str]]] = {}
        self._phrasing_docs: set[int] = set()
        self._short_words: dict[str, list[str]] = {}
        self._phrasing_df: Counter[str] = Counter()
        self._phrasing_idx: dict[str, deque[int]] = {}

    def _field_texts(self, doc: _Doc) -> dict[str, str]:
        if doc.phrasing is not None:
            return {"phrasings": doc.phrasing}
        if doc.kind == "catalog":
            entry = self._catalog[doc.id]
            return {
                "title": f"{entry.title} {entry.title_sv}",
                "keywords": " ".join(entry.keywords),
                "description": entry.description,
            }
        article = self._articles[doc.id]
        related = " ".join(
            f"{e.title} {e.title_sv} {' '.join(e.keywords)}"
            for e in (self._catalog.get(r) for r in article.related)
            if e is not None
        )
        return {
            "title": article.title,
            "tags": " ".join(article.tags),
            "body": article.body,
            "related": related,
        }

    def _phrase_pairs(self, doc: _Doc, *, bulk: bool = False) -> list[str]:
        """Adjacent stem pairs inside each title, keyword and tag ("access card" -> "access card"): a
        message that has a curated phrase in order is a stronger match than one with its words scattered."""
        if doc.phrasing is not None:
            return []
        if doc.kind == "catalog":
            entry = self._catalog[doc.id]
            phrases = [entry.title, entry.title_sv, *entry.keywords]
        else:
            article = self._articles[doc.id]
            phrases = [article.title, *article.tags]
        pairs: list[str] = []
        vocabulary = self._surface
        for phrase in phrases:
            if phrase.isalnum():
                continue  # one word, no pair
            terms = [term for term in map(vocabulary.__getitem__, self._tokenise(phrase, bulk=bulk)) if term]
            pairs.extend(f"{a} {b}" for a, b in pairwise(terms))
        return pairs

    def _tokenise(self, text: str, *, bulk: bool) -> list[str]:
        """The text's words, stopwords and single letters included (they map to no term in the vocabulary)."""
        if bulk and len(text) <= SHORT_FIELD:
            # In a bulk build, titles, keywords and related items repeat across documents: tokenise once.
            words_of = self._short_words.get(text)
            if words_of is None:
                words_of = self._short_words[text] = raw_words(text)
            return words_of
        return raw_words(text)

    def _field_words(self, doc: _Doc) -> dict[str, list[str]]:
        return {name: content_words(text) for name, text in self._field_texts(doc).items()}

    def _build(self, docs: list[_Doc]) -> None:
        """Index documents into an empty index (a new matcher, or a compaction after _reset_index)."""
        # Two passes, so that every document is length-normalised against the final average field length.
        # Lengths count whitespace-separated words, which is cheap enough to do twice and keeps the token
        # lists of only one document in memory at a time.
        texts = [(doc, self._field_texts(doc)) for doc in docs]
        lengths = []
        for _, fields in texts:
            field_lengths = {name: word_count(text) for name, text in fields.items()}
            lengths.append(field_lengths)
            self._field_len_sum.update(field_lengths)
            self._field_count.update(field_lengths.keys())
        # A bulk build creates no reference cycles; the collector's passes over the growing heap would only
        # add a quarter to the time.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._bulk_index(texts, lengths)
        finally:
            self._short_words.clear()
            if collecting:
                gc.enable()

    def _bulk_index(self, texts: list[tuple[_Doc, dict[str, str]]], lengths: list[dict[str, int]]) -> None:
        bulk = _BulkPostings(self._surface)
        for (doc, fields), field_lengths in zip(texts, lengths, strict=True):
            idx = self._register(doc)
            weighted = self._weighted_fields(fields, field_lengths, bulk=True)
            if doc.phrasing is not None:
                vocabulary = self._surface
                self._phrasing_df.update({vocabulary[w] for _, field_words in weighted for w in field_words} - {""})
            for weight, field_words in weighted:
                bulk.add_words(idx, weight, field_words)
            if PHRASE_WEIGHT > 0:
                pairs = self._phrase_pairs(doc, bulk=True)
                if pairs:
                    bulk.add_terms(idx, PHRASE_WEIGHT, pairs)
            if bulk.end_document():
                # The short texts that repeat (an item's title in its articles' related field) mostly repeat
                # within a chunk; the cache need not outlive it.
                self._short_words.clear()
        bulk.install(self._docs_of)

    def _append(self, doc: _Doc) -> None:
        texts = self._field_texts(doc)
        lengths = {name: word_count(text) for name, text in texts.items()}
        self._field_len_sum.update(lengths)
        self._field_count.update(lengths.keys())
        self._add(doc, texts, lengths)

    def _register(self, doc: _Doc) -> int:
        idx = len(self._docs)
        self._docs.append(doc)
        if doc.phrasing is None:
            self._by_ref[doc.ref] = idx
        else:
            self._phrasing_docs.add(idx)
            self._phrasing_idx.setdefault(doc.ref, deque()).append(idx)
        self._alive += 1
        return idx

    def _weighted_fields(
        self, texts: dict[str, str], lengths: dict[str, int], *, bulk: bool
    ) -> list[tuple[float, list[str]]]:
        """Each non-empty field's BM25F weight (length-normalised) and words, the longest field first: the
        order in which a term's per-field weights are summed."""
        fields = []
        for name, text in texts.items():
            field_words = self._tokenise(text, bulk=bulk)
            if field_words:
                avg = self._field_len_sum[name] / max(1, self._field_count[name]) or 1.0
                b = FIELD_B[name]
                fields.append((FIELD_WEIGHTS[name] / (1.0 - b + b * lengths[name] / avg), field_words))
        fields.sort(key=lambda field: len(field[1]), reverse=True)
        return fields

    def _add(self, doc: _Doc, texts: dict[str, str], lengths: dict[str, int]) -> None:
        idx = self._register(doc)
        vocabulary = self._surface
        weights: dict[str, float] = {}
        # The longest field (an article's body) first: it seeds the weights in one comprehension, and only
        # the short fields are merged in word by word.
        for weight, field_words in self._weighted_fields(texts, lengths, bulk=False):
            counts = Counter(map(vocabulary.__getitem__, field_words))
            counts.pop("", None)  # the stopwords
            if weights:
                get = weights.get
                for term, tf in counts.items():
                    weights[term] = get(term, 0.0) + weight * tf
            else:
                weights = dict(zip(counts.keys(), map(mul, counts.values(), repeat(weight)), strict=True))
        if PHRASE_WEIGHT > 0:
            get = weights.get
            for pair, tf in Counter(self._phrase_pairs(doc)).items():
                weights[pair] = get(pair, 0.0) + PHRASE_WEIGHT * tf
        if doc.phrasing is not None:
            self._phrasing_df.update(weights.keys())
        # Written as map() over C functions: one Python-level step per posting would dominate.
        docs_of = self._docs_of
        tfs = weights.values()
        saturated = map(truediv, map(mul, tfs, repeat(K1 + 1.0)), map(add, tfs, repeat(K1)))
        deque(map(array.append, map(docs_of.__getitem__, weights), repeat(idx)), maxlen=0)
        deque(map(array.append, map(docs_of.values_of.__getitem__, weights), saturated), maxlen=0)

    def _retire(self, idx: int) -> None:
        doc = self._docs[idx]
        if not doc.alive:
            return
        texts = self._field_texts(doc)
        doc.alive = False
        self._alive -= 1
        self._retired.add(idx)
        self._phrasing_docs.discard(idx)
        stem = self._stemmer.stem
        for name, text in texts.items():
            self._field_len_sum[name] -= word_count(text)
            self._field_count[name] -= 1
        terms = {stem(w) for text in texts.values() for w in content_words(text)}
        self._retired_of.update(terms)
        if doc.phrasing is not None:
            self._phrasing_df.subtract(terms)
        if PHRASE_WEIGHT > 0:
            self._retired_of.update(set(self._phrase_pairs(doc)))
        if len(self._retired) > COMPACT_AFTER and len(self._retired) * 4 > len(self._docs):
            self._compact()

    def _compact(self) -> None:
        alive = [doc for doc in self._docs if doc.alive]
        self._reset_index()
        self._build(alive)

    def _matched_fields(self, idx: int, query_terms: set[str]) -> tuple[str, ...]:
        field_terms = self._field_terms_cache.get(idx)
        if field_terms is None:
            doc = self._docs[idx]
            stem = self._stemmer.stem
            field_terms = {
                name: frozenset(stem(w) for w in field_words) for name, field_words in self._field_words(doc).items()
            }
            if len(self._field_terms_cache) >= FIELD_CACHE_SIZE:
                self._field_terms_cache.clear()
            self._field_terms_cache[idx] = field_terms
        return tuple(name for name, terms in field_terms.items() if not terms.isdisjoint(query_terms))

    # ----- decision ----------------------------------------------------------------------------------------

    def _decide(
        self, ranked: tuple[Candidate, ...], limit: int, lead: float, rival: float, *, may_answer: bool = True
    ) -> MatchResult:
        """`lead`: the best candidate's raw lead over its rival as a share of the message's reach; `rival`: the
        score of the best candidate that competes with the best one; `may_answer`: False when the message is
        no matter for a confident answer (a private one)."""
        t = self.thresholds
        candidates = ranked[:limit]
        if not candidates:
            return MatchResult(Decision.NOTHING, ())
        best = candidates[0].score
        if may_answer and best >= t.confident and best - rival >= t.margin and lead >= t.lead:
            return MatchResult(Decision.CONFIDENT, candidates, lead, rival)
        if best >= t.suggest:
            return MatchResult(Decision.CHOOSE, candidates, lead, rival)
        return MatchResult(Decision.NOTHING, candidates, lead, rival)
