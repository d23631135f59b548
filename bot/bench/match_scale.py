"""Matcher at scale: a synthetic catalogue of 10,000 items and 50,000 articles.

    python -m bot.bench.match_scale [--items N --articles N --queries N --seed S]

Article bodies have about 170 words, as the development set's articles do. Prints one JSON object: index
build seconds (wall clock and CPU, since a shared machine makes the first
noisy), per-query p50/p95 milliseconds, incremental add of an article
in milliseconds, and the process's peak resident memory in MB. The text is made of invented words drawn
from a Zipf-like distribution (as real vocabularies are), with Swedish-looking compounds and typos in the
queries, so every code path of the matcher (exact, suffix, compound, fuzzy) is exercised."""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import time
from collections.abc import Sequence
from itertools import accumulate

from knowledge.matcher import Matcher
from knowledge.models import Article, CatalogEntry
from knowledge.text import STOPWORDS

FUNCTION_WORD_SHARE = 0.45

_CONSONANTS = "bdfghjklmnprstv"
_VOWELS = "aeiouyåäö"


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < size:
        syllables = rng.randint(1, 4)
        word = "".join(rng.choice(_CONSONANTS) + rng.choice(_VOWELS) for _ in range(syllables))
        word += rng.choice(("", "n", "r", "s", "t", "ng"))
        if word not in seen and len(word) >= 3:
            seen.add(word)
            out.append(word)
    return out


class _Text:
    """Invented content words with a Zipf-like distribution, and in running text (`prose`) the share of
    function words real text has (about 45% in the development set's articles)."""

    def __init__(self, rng: random.Random, vocabulary: list[str]) -> None:
        self._rng = rng
        self._words = vocabulary
        self._cum = list(accumulate(1.0 / (rank + 1) ** 1.05 for rank in range(len(vocabulary))))
        self._function_words = sorted(STOPWORDS)

    def words(self, count: int) -> list[str]:
        return self._rng.choices(self._words, cum_weights=self._cum, k=count)

    def sentence(self, low: int, high: int) -> str:
        return " ".join(self.words(self._rng.randint(low, high)))

    def prose(self, low: int, high: int) -> str:
        count = self._rng.randint(low, high)
        content = iter(self.words(count))
        return " ".join(
            self._rng.choice(self._function_words) if self._rng.random() < FUNCTION_WORD_SHARE else next(content)
            for _ in range(count)
        )


def synthetic_corpus(items: int, articles: int, seed: int) -> tuple[list[CatalogEntry], list[Article]]:
    rng = random.Random(seed)
    text = _Text(rng, _vocabulary(rng, 40_000))
    catalog = [
        CatalogEntry(
            id=f"item-{n}",
            title=text.sentence(2, 5),
            title_sv=text.sentence(2, 5),
            description=text.prose(15, 35),
            keywords=tuple(text.sentence(1, 3) for _ in range(rng.randint(4, 8))),
            team=rng.choice(("it", "hr", "finance", "facilities", "comms")),
            kind=rng.choice(("request", "incident")),
            priority=rng.choice(("low", "medium", "high", "critical")),
        )
        for n in range(items)
    ]
    library = [
        Article(
            id=f"kb-{n}",
            title=text.sentence(3, 8),
            tags=tuple(text.words(rng.randint(2, 5))),
            lang=rng.choice(("en", "sv")),
            related=(f"item-{rng.randrange(items)}",) if items else (),
            body="\n\n".join(text.prose(25, 70) for _ in range(rng.randint(2, 5))),
        )
        for n in range(articles)
    ]
    return catalog, library


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 5:
        return word
    at = rng.randrange(1, len(word) - 1)
    return word[:at] + word[at + 1 :] if rng.random() < 0.5 else word[:at] + word[at + 1] + word[at] + word[at + 2 :]


def synthetic_queries(catalog: list[CatalogEntry], articles: list[Article], count: int, seed: int) -> list[str]:
    rng = random.Random(seed + 1)
    queries: list[str] = []
    for _ in range(count):
        if rng.random() < 0.4 and catalog:
            entry = rng.choice(catalog)
            source = f"{entry.title} {entry.description}".split()
        else:
            article = rng.choice(articles)
            source = f"{article.title} {article.body}".split()
        picked = rng.sample(source, min(len(source), rng.randint(1, 12)))
        if len(picked) >= 2 and rng.random() < 0.3:
            picked[0:2] = [picked[0] + "s" + picked[1]]  # a compound
        queries.append(" ".join(_typo(rng, w) if rng.random() < 0.2 else w for w in picked))
    return queries


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024, 1)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.match_scale", description=__doc__)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    catalog, articles = synthetic_corpus(args.items, args.articles, args.seed)
    queries = synthetic_queries(catalog, articles, args.queries, args.seed)
    started, started_cpu = time.perf_counter(), time.process_time()
    matcher = Matcher(catalog, articles)
    build_s, build_cpu_s = time.perf_counter() - started, time.process_time() - started_cpu

    times: list[float] = []
    for query in queries:
        started = time.perf_counter()
        matcher.match(query)
        times.append((time.perf_counter() - started) * 1000.0)
    add_times: list[float] = []
    for n in range(20):
        extra = Article(f"kb-extra-{n}", "extra article", ("extra",), "en", (), articles[n].body)
        started = time.perf_counter()
        matcher.add_article(extra)
        add_times.append((time.perf_counter() - started) * 1000.0)
    percentiles = statistics.quantiles(times, n=100, method="inclusive")
    print(
        json.dumps(
            {
                "items": args.items,
                "articles": args.articles,
                "queries": len(queries),
                "index_build_s": round(build_s, 3),
                "index_build_cpu_s": round(build_cpu_s, 3),
                "p50_ms": round(percentiles[49], 3),
                "p95_ms": round(percentiles[94], 3),
                "add_article_ms": round(statistics.median(add_times), 3),
                "peak_rss_mb": _peak_rss_mb(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
