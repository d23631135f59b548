"""What a user could pick instead of the desk's matcher, on the same cases in the same run.

    python -m bot.bench.match_baselines [--cases C --catalog F --knowledge D]

Prints one JSON line per matcher (desk, fts5, fts5_porter, token_set_ratio) with the eval-match metrics
plus `typo_top1` (top1 over the typo-tagged cases). The baselines are given their best confidence cut-off
on these very cases (a generous comparison); the desk runs with its default, calibrated thresholds."""

from __future__ import annotations

import argparse
import json
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from rapidfuzz import fuzz, process

from knowledge.evaluation import Case, Outcome, load_cases, metrics, run_cases, top1_for_tag
from knowledge.loading import load_articles, load_catalog_file
from knowledge.matcher import Matcher
from knowledge.models import Article, Candidate, CatalogEntry, Decision, MatchResult
from knowledge.text import content_words, words

DEV_SET = Path(__file__).resolve().parents[2] / ".." / "shared" / "eval" / "dev"


def _docs(catalog: Sequence[CatalogEntry], articles: Sequence[Article]) -> list[tuple[str, str, str, str]]:
    """(ref, title, keywords or tags, description or body) for both kinds of target."""
    rows = [(f"catalog:{e.id}", f"{e.title} {e.title_sv}", " ".join(e.keywords), e.description) for e in catalog]
    rows += [(f"article:{a.id}", a.title, " ".join(a.tags), a.body) for a in articles]
    return rows


def _candidates(scored: list[tuple[str, float]]) -> tuple[Candidate, ...]:
    out = []
    for ref, score in scored:
        kind, _, target = ref.partition(":")
        out.append(Candidate("catalog" if kind == "catalog" else "article", target, score, ()))
    return tuple(out)


class Fts5Baseline:
    """SQLite FTS5 with its bm25() ranking over title, keywords/tags and description/body, the same field
    weights as the desk; the message's words minus stopwords are OR-ed together (an AND query finds nothing
    for most real messages)."""

    def __init__(self, docs: list[tuple[str, str, str, str]], tokenizer: str) -> None:
        self._db = sqlite3.connect(":memory:")
        self._db.execute(
            f"CREATE VIRTUAL TABLE docs USING fts5(ref UNINDEXED, title, keywords, body, tokenize = '{tokenizer}')"
        )
        self._db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?)", docs)
        self.cutoff = 0.0

    def scored(self, text: str, limit: int = 5) -> list[tuple[str, float]]:
        terms = sorted(set(content_words(text)))
        if not terms:
            return []
        query = " OR ".join(f'"{t}"' for t in terms)
        rows = self._db.execute(
            "SELECT ref, -bm25(docs, 3.0, 3.0, 1.0) AS s FROM docs WHERE docs MATCH ? ORDER BY s DESC LIMIT ?",
            (query, limit),
        ).fetchall()
        return [(str(ref), float(score)) for ref, score in rows]

    def match(self, text: str) -> MatchResult:
        scored = self.scored(text)
        confident = bool(scored) and scored[0][1] >= self.cutoff
        return MatchResult(Decision.CONFIDENT if confident else Decision.NOTHING, _candidates(scored))


class TokenSetBaseline:
    """rapidfuzz token_set_ratio of the message against each target's title, keywords and description."""

    def __init__(self, docs: list[tuple[str, str, str, str]]) -> None:
        self._refs = [d[0] for d in docs]
        self._texts = [" ".join(words(" ".join(d[1:3]) + " " + d[3][:300])) for d in docs]
        self.cutoff = 0.0

    def scored(self, text: str, limit: int = 5) -> list[tuple[str, float]]:
        query = " ".join(words(text))
        hits = process.extract(query, self._texts, scorer=fuzz.token_set_ratio, limit=limit)
        return [(self._refs[idx], score / 100.0) for _, score, idx in hits]

    def match(self, text: str) -> MatchResult:
        scored = self.scored(text)
        confident = bool(scored) and scored[0][1] >= self.cutoff
        return MatchResult(Decision.CONFIDENT if confident else Decision.NOTHING, _candidates(scored))


def best_cutoff(scored: Callable[[str], list[tuple[str, float]]], cases: Sequence[Case]) -> float:
    """The confidence cut-off that maximises accuracy on the cases (generous to the baseline)."""
    tops: list[tuple[str | None, str | None, float]] = []
    for case in cases:
        hits = scored(case.text)
        tops.append((case.expected, hits[0][0], hits[0][1]) if hits else (case.expected, None, 0.0))
    best, best_right = 0.0, -1
    for cutoff in sorted({score for _, _, score in tops} | {float("inf")}):
        right = sum((ref if score >= cutoff else None) == expected for expected, ref, score in tops)
        if right > best_right:
            best, best_right = cutoff, right
    return best


def _report(name: str, outcomes: list[Outcome], index_ms: float, **extra: object) -> str:
    figures: dict[str, object] = {"matcher": name, **metrics(outcomes, index_ms)}
    figures["typo_top1"] = top1_for_tag(outcomes, "typo")
    figures.update(extra)
    return json.dumps(figures)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.match_baselines", description=__doc__)
    parser.add_argument("--cases", type=Path, default=DEV_SET / "cases.jsonl")
    parser.add_argument("--catalog", type=Path, default=DEV_SET / "catalog.yaml")
    parser.add_argument("--knowledge", type=Path, default=DEV_SET / "knowledge")
    args = parser.parse_args(argv)
    cases = load_cases(args.cases)
    catalog = load_catalog_file(args.catalog)
    articles = load_articles(args.knowledge)

    started = time.perf_counter()
    desk = Matcher(catalog, articles)
    desk_ms = (time.perf_counter() - started) * 1000.0
    print(_report("desk", run_cases(desk.match, cases), desk_ms))

    docs = _docs(catalog, articles)
    for name, tokenizer in (
        ("fts5", "unicode61 remove_diacritics 2"),
        ("fts5_porter", "porter unicode61 remove_diacritics 2"),
    ):
        started = time.perf_counter()
        fts = Fts5Baseline(docs, tokenizer)
        fts_ms = (time.perf_counter() - started) * 1000.0
        fts.cutoff = best_cutoff(fts.scored, cases)
        print(_report(name, run_cases(fts.match, cases), fts_ms, cutoff=round(fts.cutoff, 4)))

    started = time.perf_counter()
    token_set = TokenSetBaseline(docs)
    token_ms = (time.perf_counter() - started) * 1000.0
    token_set.cutoff = best_cutoff(token_set.scored, cases)
    print(_report("token_set_ratio", run_cases(token_set.match, cases), token_ms, cutoff=round(token_set.cutoff, 4)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
