"""Atlas search: latency, index build, memory and quality against SQLite FTS5.

Each atlas size runs in its own process (``python -m bench.atlas_search --size N``) so its
memory figures start from a clean interpreter.  Inside, for the same services and the same
queries:

* ours: ``SearchIndex(atlas)`` then ``search(index, query, limit=10, language="da")`` - the
  call the block's search handler makes;
* FTS5: an in-memory ``fts5`` table (title, søgeord, unit, description, referral notes;
  ``unicode61 remove_diacritics 2``) ranked by ``bm25`` with the same field weights our index
  uses (3.0, 2.2, 0.6, 0.7, 0.4) configured as the table's ``rank`` (FTS5's fast path), queried
  with the query's words minus the same Danish stop words, each reduced by a light Danish
  suffix stripper (``-erne``, ``-ene``, ``-er``, ``-en``, ``-et``, ``-e``, ``-s``, ``-ning`` ...;
  a stem keeps at least 4 letters) and matched as a prefix (``"stem"*``, 3+ letters), OR'ed,
  ``LIMIT 10``.  Building the MATCH string is timed too.  (Tried on the real atlas: plain
  prefixes gave recall@5 0.656, exact words 0.633, suffix stripping + prefix 0.673 - the best
  baseline is the one used.)

Latency: a warm-up of 200 service titles, then each held-out query once per engine, the two
engines alternating which goes first (``p50_ms``/``p95_ms``: the first time the process sees
that query); then the same queries again (``warm_*``: our per-index word-expansion cache is
warm for them).  ``fts5_ratio`` = our p50 / FTS5 p50 (``fts5_ratio_p95`` likewise for p95).
Quality: ``recall_at_5`` = share of queries with a service of the stikord's emne in the top 5;
``mrr`` = mean reciprocal rank of the first such service in the top 10 (0 when absent).
``cpu_p95_ms``: p95 of the thread's CPU time per query (without a busy machine's scheduling
delays; the wall-clock figures are the headline).  ``lexical_ceiling``: share of queries that
share at least one word stem (or a 5-letter prefix) with a relevant service - an upper bound
for any word-matching search on this data.  Memory: growth of the process's resident set over
the build (includes transient build garbage the allocator keeps), and for FTS5 also the
database's page bytes.
"""
from __future__ import annotations

import argparse
import gc
import json
import random
import re
import sqlite3
import sys
import time

from bench import atlas_data
from bench.common import ROOT, median, percentile, rss_mb, run_json_subprocess

FTS_WEIGHTS = (3.0, 2.2, 0.6, 0.7, 0.4)   # = competency_xblock.atlas.index.FIELD_WEIGHTS
WORD_RE = re.compile(r"\w+", re.UNICODE)
#: Light Danish suffix stripping for the FTS5 baseline (longest first).
SUFFIXES = tuple(sorted(("erne", "ene", "ende", "erede", "ede", "ere", "er", "en", "et", "e",
                         "s", "es", "ets", "ens", "ers", "ning", "ninger", "ningen", "ingen",
                         "heden", "hed"), key=len, reverse=True))


def light_stem(word: str) -> str:
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[:-len(suffix)]
    return word


class Fts5:
    def __init__(self, texts: list[dict]) -> None:
        from competency_xblock.atlas.text import STOPWORDS, fold

        self._stop = STOPWORDS
        self._fold = fold
        self.db = sqlite3.connect(":memory:")
        self.db.execute(
            "CREATE VIRTUAL TABLE svc USING fts5(title, keywords, unit, description, referral, "
            "tokenize = 'unicode61 remove_diacritics 2')")
        self.db.executemany(
            "INSERT INTO svc(rowid, title, keywords, unit, description, referral) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            ((i, t["title"], t["keywords"], t["unit"], t["description"], t["referral"])
             for i, t in enumerate(texts)))
        weights = ", ".join(str(w) for w in FTS_WEIGHTS)
        self.db.execute(f"INSERT INTO svc(svc, rank) VALUES('rank', 'bm25({weights})')")
        self.db.execute("INSERT INTO svc(svc) VALUES('optimize')")
        self.db.commit()
        self.kle = [t["kle"] for t in texts]

    def match(self, query: str) -> str:
        terms = []
        for word in dict.fromkeys(WORD_RE.findall(query.lower())):
            if self._fold(word) in self._stop:
                continue
            stem = light_stem(word)
            terms.append(f'"{stem}"*' if len(stem) >= 3 else f'"{stem}"')
        return " OR ".join(terms)

    def search(self, query: str, limit: int = 10) -> list[int]:
        expression = self.match(query)
        if not expression:
            return []
        rows = self.db.execute("SELECT rowid FROM svc WHERE svc MATCH ? ORDER BY rank LIMIT ?",
                               (expression, limit)).fetchall()
        return [r[0] for r in rows]

    def page(self, query: str, limit: int = 10) -> list[int]:
        """What a results page shows, as our search returns it: the top ``limit`` with their
        title, søgeord and description marked (FTS5's ``highlight()``), plus the number of
        services that match (a second query: FTS5 does not count past its LIMIT)."""
        expression = self.match(query)
        if not expression:
            return []
        rows = self.db.execute(
            "SELECT rowid, highlight(svc, 0, char(2), char(3)), "
            "highlight(svc, 1, char(2), char(3)), highlight(svc, 3, char(2), char(3)) "
            "FROM svc WHERE svc MATCH ? ORDER BY rank LIMIT ?", (expression, limit)).fetchall()
        self.db.execute("SELECT count(*) FROM svc WHERE svc MATCH ?", (expression,)).fetchone()
        return [r[0] for r in rows]

    def page_mb(self) -> float:
        count = self.db.execute("PRAGMA page_count").fetchone()[0]
        size = self.db.execute("PRAGMA page_size").fetchone()[0]
        return count * size / 2**20


def _rank_of(kles: list[str], emne: str) -> int | None:
    for position, kle in enumerate(kles, 1):
        if kle == emne:
            return position
    return None


def _quality(ranks: list[int | None]) -> tuple[float, float]:
    n = max(len(ranks), 1)
    recall = sum(1 for r in ranks if r is not None and r <= 5) / n
    mrr = sum(1.0 / r for r in ranks if r is not None) / n
    return recall, mrr


def lexical_ceiling(texts: list[dict], queries) -> dict:
    """Share of queries that share at least one content word stem (or a 5-letter prefix of
    one) with some service of their emne: no word-matching engine finds the rest."""
    from competency_xblock.atlas.text import STOPWORDS, stem_folded, words

    def stems(text: str) -> set[str]:
        return {stem_folded(w) for w in words(text) if w not in STOPWORDS and not w.isdigit()}

    by_emne: dict[str, set[str]] = {}
    for t in texts:
        bucket = by_emne.setdefault(t["kle"], set())
        for name in ("title", "keywords", "unit", "description", "referral"):
            bucket |= stems(t[name])
    n = max(len(queries), 1)
    shared = prefix = 0
    for query in queries:
        mine, theirs = stems(query.text), by_emne.get(query.emne, set())
        shared += bool(mine & theirs)
        prefix += bool({w[:5] for w in mine} & {w[:5] for w in theirs})
    return {"shared_stem": shared / n, "shared_prefix5": prefix / n}


def measure_size(size: int) -> dict:
    from competency_xblock.atlas.index import SearchIndex
    from competency_xblock.atlas.model import Atlas
    from competency_xblock.atlas.search import search

    indexed, queries, counts = atlas_data.split_stikord()
    data = atlas_data.build(size, indexed, {q.emne for q in queries})
    started = time.perf_counter()
    atlas = Atlas.from_dict(data, check_schema=False)
    load_s = time.perf_counter() - started
    texts = atlas_data.service_texts(data)
    del data
    gc.collect()

    before = rss_mb()
    started = time.perf_counter()
    index = SearchIndex(atlas)
    build_s = time.perf_counter() - started
    gc.collect()
    index_mb = rss_mb() - before

    before = rss_mb()
    started = time.perf_counter()
    fts = Fts5(texts)
    fts_build_s = time.perf_counter() - started
    fts_mb = rss_mb() - before

    def ours(text: str) -> list[str]:
        result = search(index, text, limit=10, language="da")
        return [(hit.service.kle or ("",))[0] for hit in result.hits]

    def theirs(text: str) -> list[str]:
        return [fts.kle[i] for i in fts.search(text, 10)]

    rng = random.Random(f"{atlas_data.SALT}-warmup-{size}")
    for text in rng.sample([t["title"] for t in texts], min(200, len(texts))):
        ours(text)
        theirs(text)

    order = list(queries)
    random.Random(f"{atlas_data.SALT}-order").shuffle(order)
    engines = {"ours": ours, "fts5": theirs}
    passes: dict[str, dict[str, list[int]]] = {}
    cpu: dict[str, list[int]] = {"ours": [], "fts5": []}
    ranks: dict[str, list[int | None]] = {"ours": [], "fts5": []}
    for pass_name in ("cold", "warm"):
        lat = {"ours": [], "fts5": []}
        for number, query in enumerate(order):
            names = ("ours", "fts5") if number % 2 == 0 else ("fts5", "ours")
            for name in names:
                c0 = time.thread_time_ns()
                t0 = time.perf_counter_ns()
                kles = engines[name](query.text)
                lat[name].append(time.perf_counter_ns() - t0)
                if pass_name == "cold":
                    cpu[name].append(time.thread_time_ns() - c0)
                if pass_name == "cold":
                    ranks[name].append(_rank_of(kles, query.emne))
        passes[pass_name] = lat

    def stat(name: str, pass_name: str, q: float) -> float:
        values = passes[pass_name][name]
        return (median(values) if q == 50 else percentile(values, q)) / 1e6

    page = _page_pass(atlas, fts, order) if size and size <= PAGE_PASS_MAX else {}

    recall, mrr = _quality(ranks["ours"])
    fts_recall, fts_mrr = _quality(ranks["fts5"])
    p50, p95 = stat("ours", "cold", 50), stat("ours", "cold", 95)
    f50, f95 = stat("fts5", "cold", 50), stat("fts5", "cold", 95)
    return {
        "services": len(atlas), "queries": len(order),
        "p50_ms": p50, "p95_ms": p95,
        "warm_p50_ms": stat("ours", "warm", 50), "warm_p95_ms": stat("ours", "warm", 95),
        "fts5_p50_ms": f50, "fts5_p95_ms": f95,
        "fts5_warm_p50_ms": stat("fts5", "warm", 50), "fts5_warm_p95_ms": stat("fts5", "warm", 95),
        "fts5_ratio": p50 / f50, "fts5_ratio_p95": p95 / f95,
        "cpu_p95_ms": percentile(cpu["ours"], 95) / 1e6,
        "fts5_cpu_p95_ms": percentile(cpu["fts5"], 95) / 1e6,
        "atlas_load_s": load_s, "build_s": build_s, "index_mb": index_mb,
        "fts5_build_s": fts_build_s, "fts5_mb": fts_mb, "fts5_db_mb": fts.page_mb(),
        "recall_at_5": recall, "mrr": mrr, "fts5_recall_at_5": fts_recall, "fts5_mrr": fts_mrr,
        "lexical_ceiling": lexical_ceiling(texts, order),
        "split": counts,
        **page,
    }


#: Sizes that also get the results-page comparison (the sizes where FTS5 is faster).
PAGE_PASS_MAX = 10_000


def _page_pass(atlas, fts: Fts5, order) -> dict:
    """Ours against FTS5 asked for what a results page shows (``Fts5.page``: highlights and
    the number of matches, as our ``search`` returns them); context for ``fts5_ratio``, which
    compares with FTS5 returning row ids only.  Ours runs on a freshly built index, its
    first sight of each query as in the cold pass (the process-wide word caches are emptied
    and refilled by the build), after a warm-up on the first 200 services' titles (the cold
    pass warms up on 200 sampled titles).  FTS5 keeps its database from the passes before, so
    its page cache is warm: if anything, the ratio is pessimistic for ours."""
    from competency_xblock.atlas import text
    from competency_xblock.atlas.index import SearchIndex
    from competency_xblock.atlas.search import search

    for cached in (text.fold, text.stem, text.stem_folded):
        cached.cache_clear()
    index = SearchIndex(atlas)
    for service in atlas.services[:200]:             # the same warm-up size as above
        title = service.title if isinstance(service.title, str) else \
            next(iter(service.title.values()))
        search(index, title, limit=10, language="da")
        fts.page(title)
    lat: dict[str, list[int]] = {"ours": [], "page": []}
    engines = {"ours": lambda q: search(index, q, limit=10, language="da"), "page": fts.page}
    for number, query in enumerate(order):
        for name in (("ours", "page") if number % 2 == 0 else ("page", "ours")):
            t0 = time.perf_counter_ns()
            engines[name](query.text)
            lat[name].append(time.perf_counter_ns() - t0)
    ours, page = median(lat["ours"]) / 1e6, median(lat["page"]) / 1e6
    return {"page_pass_p50_ms": ours, "fts5_page_p50_ms": page,
            "fts5_page_p95_ms": percentile(lat["page"], 95) / 1e6,
            "fts5_page_ratio": ours / page}


def run(sizes: tuple[int, ...] = atlas_data.SIZES, timeout: float = 420.0) -> dict:
    """All sizes, each in a fresh process, plus the quality run on the real atlas (all 1,910
    real services, no generated variants), whose recall@5 and MRR are the headline."""
    out: dict = {}
    for size in sizes:
        result = run_json_subprocess(["-m", "bench.atlas_search", "--size", str(size)],
                                     timeout=timeout)
        split = result.pop("split", None)
        if split:
            out.setdefault("split", split)
        out[str(size)] = result
    real = run_json_subprocess(["-m", "bench.atlas_search", "--size", "0"], timeout=timeout)
    real.pop("split", None)
    if "error" in real:
        out["quality"] = real
        return out
    out["quality"] = {"atlas": f"the real atlas: {real['services']} services, no variants",
                      **{k: real[k] for k in ("services", "queries", "recall_at_5",
                                              "fts5_recall_at_5", "mrr", "fts5_mrr",
                                              "p50_ms", "p95_ms", "fts5_p50_ms",
                                              "fts5_p95_ms", "lexical_ceiling")}}
    for key in ("recall_at_5", "fts5_recall_at_5", "mrr", "fts5_mrr"):
        out[key] = real[key]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, required=True,
                        help="services; 0 = the real atlas (all real services, no variants)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    print(json.dumps(measure_size(args.size)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
