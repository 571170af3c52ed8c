#!/usr/bin/env python3
"""Self-check of the atlas search on unseen phrasings: the split to tune on (not a test, not
the benchmark).

Leak-free by construction: the benchmark (``bench/atlas_data.py``) holds out the stikord rows
for which ``bench.atlas_data.held_out`` is true; those rows are **dropped here before anything
else** (never indexed, never queried, never printed), so no tuning done with this script can
have seen a benchmark query.  The remaining rows - the ones the benchmark indexes as søgeord -
are split again by a different stable hash (``sha1("selfcheck-v2" ...)``) into a *dev-indexed*
half (søgeord of their emne's service) and a *dev-query* half; rows that only repeat the emne
title (``[=Emne]``) are skipped, as in the benchmark.  The atlases are built the way the
benchmark builds them (``bench.atlas_data.build``: the demo atlas without its søgeord, plus
generated variants above 1,910 services), so figures here predict the benchmark's on data of
the same kind without being the benchmark's data.

Reported per size: recall@5 and MRR (a hit = a service classified under the stikord's emne),
the lexical ceiling (share of queries sharing a word stem with a relevant service), p50/p95
latency (first sight of a query, after a warm-up on service titles) and p95 CPU time.

Usage: python scripts/atlas_search_selfcheck.py [--sizes 0 10000] [--show-misses 20]
       [--profile]   (cProfile of the query loop of the last size, top 30 by cumulative time)
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import atlas_data  # noqa: E402
from competency_xblock.atlas.index import SearchIndex  # noqa: E402
from competency_xblock.atlas.model import Atlas  # noqa: E402
from competency_xblock.atlas.search import search  # noqa: E402
from competency_xblock.atlas.text import STOPWORDS, stem_folded, words  # noqa: E402

SALT = "selfcheck-v2"


def dev_split() -> tuple[dict[str, list[str]], list[atlas_data.Query], dict]:
    """(dev søgeord per emne, dev queries, counts) from the rows the benchmark indexes."""
    with atlas_data.STIKORD.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    indexed: dict[str, list[str]] = {}
    queries: list[atlas_data.Query] = []
    dropped = 0
    for row in rows:
        text = " ".join(row["stikord"].split())
        if "[=Emne]" in text:
            continue
        if atlas_data.held_out(row["emne_nr"], text):
            dropped += 1          # a benchmark query: never used here
            continue
        digest = hashlib.sha1(f"{SALT}\x1f{row['emne_nr']}\x1f{text}".encode()).digest()
        if digest[0] & 1:
            queries.append(atlas_data.Query(text, row["emne_nr"]))
        else:
            indexed.setdefault(row["emne_nr"], []).append(text)
    return indexed, queries, {"benchmark_queries_dropped": dropped,
                              "dev_indexed": sum(map(len, indexed.values())),
                              "dev_queries": len(queries)}


def ceiling(data: dict, queries: list[atlas_data.Query]) -> float:
    def stems(text: str) -> set[str]:
        return {stem_folded(w) for w in words(text) if w not in STOPWORDS and not w.isdigit()}

    by_emne: dict[str, set[str]] = {}
    for text in atlas_data.service_texts(data):
        bucket = by_emne.setdefault(text["kle"], set())
        for name in ("title", "keywords", "unit", "description", "referral"):
            bucket |= stems(text[name])
    return sum(bool(stems(q.text) & by_emne.get(q.emne, set())) for q in queries) / \
        max(len(queries), 1)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def run(sizes: list[int], show_misses: int, profile: bool) -> None:
    indexed, queries, counts = dev_split()
    print(counts)
    queried = {q.emne for q in queries}
    order = list(queries)
    random.Random(f"{SALT}-order").shuffle(order)
    for number, size in enumerate(sizes):
        data = atlas_data.build(size, indexed, queried)
        texts = [t["title"] for t in atlas_data.service_texts(data)]
        lexical = ceiling(data, queries)
        atlas = Atlas.from_dict(data, check_schema=False)
        started = time.perf_counter()
        index = SearchIndex(atlas)
        build = time.perf_counter() - started
        for text in random.Random(f"{SALT}-warm-{size}").sample(texts, min(200, len(texts))):
            search(index, text, limit=10, language="da")
        profiler = None
        if profile and number == len(sizes) - 1:
            import cProfile
            profiler = cProfile.Profile()
            profiler.enable()
        latencies, cpu, ranks, misses = [], [], [], []
        for query in order:
            c0, t0 = time.thread_time_ns(), time.perf_counter_ns()
            result = search(index, query.text, limit=10, language="da")
            latencies.append((time.perf_counter_ns() - t0) / 1e6)
            cpu.append((time.thread_time_ns() - c0) / 1e6)
            kles = [(hit.service.kle or ("",))[0] for hit in result.hits]
            rank = next((i for i, k in enumerate(kles, 1) if k == query.emne), None)
            ranks.append(rank)
            if rank is None or rank > 5:
                misses.append((query.text, query.emne, [h.title for h in result.hits[:3]]))
        if profiler is not None:
            import pstats
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        n = max(len(ranks), 1)
        recall = sum(1 for r in ranks if r is not None and r <= 5) / n
        mrr = sum(1.0 / r for r in ranks if r is not None) / n
        print(f"\n{len(atlas)} services (index built in {build:.2f}s)")
        print(f"  recall@5 {recall:.3f}  mrr {mrr:.3f}  lexical ceiling {lexical:.3f}")
        print(f"  latency ms: p50 {percentile(latencies, 50):.3f}  p95 "
              f"{percentile(latencies, 95):.3f}  cpu p95 {percentile(cpu, 95):.3f}  "
              f"max {max(latencies):.3f}")
        for text, emne, top in misses[:show_misses]:
            print(f"    miss: {text!r} → want {emne}, got {top}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[0, 10000])
    parser.add_argument("--show-misses", type=int, default=0)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    run(args.sizes, args.show_misses, args.profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
