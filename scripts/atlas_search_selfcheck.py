#!/usr/bin/env python3
"""Quick self-check of the atlas search on unseen phrasings (not a test, not the benchmark).

Idea: the shared KLE stikord sample holds about half of KL's search words for 337 emner.
We split those rows 50/50 by a stable hash, index one half as søgeord of the demo atlas's
KLE services (all 1,815 emner), and query with the other half: a hit is the stikord's own
emne within the top 5.  Rows marked "[=Emne]" only repeat the title; they are reported
separately because they are trivially found.

At ~10,000 entries the atlas is padded with synthetic services made of real title words
(seeded), so that the index has realistic vocabulary overlap without extra true answers.

Usage: python scripts/atlas_search_selfcheck.py [--shared ../shared] [--sizes 2000 10000]
"""
from __future__ import annotations

import argparse
import copy
import csv
import hashlib
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from competency_xblock.atlas.index import SearchIndex  # noqa: E402
from competency_xblock.atlas.model import Atlas  # noqa: E402
from competency_xblock.atlas.search import search  # noqa: E402

ATLAS = ROOT / "competency_xblock" / "data" / "atlas" / "eksempel-kommune.json"


def stable_half(*parts: str) -> int:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).digest()[0] & 1


def load_rows(shared: Path) -> list[dict]:
    with (shared / "data/kle/kle-stikord-sample.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def build_atlas(base: dict, indexed: dict[str, list[str]], size: int, seed: int = 7) -> Atlas:
    data = copy.deepcopy(base)
    for service in data["services"]:
        if service["id"].startswith("kle-"):
            service["keywords"] = indexed.get(service["kle"][0], [])[:100]
            if not service["keywords"]:
                service.pop("keywords")
    rng = random.Random(seed)
    pool = [w for s in data["services"] for w in s["title"].split() if len(w) > 3]
    units = [u["id"] for u in data["units"]]
    i = 0
    while len(data["services"]) < size:
        i += 1
        words = rng.sample(pool, rng.randint(2, 4))
        data["services"].append({
            "id": f"synthetic-{i}", "title": " ".join(words).strip(",").capitalize(),
            "description": " ".join(rng.sample(pool, 8)), "unit": rng.choice(units),
            "kle": [f"{rng.randint(0, 99):02d}.{rng.randint(0, 99):02d}.{rng.randint(0, 99):02d}"],
            "keywords": [" ".join(rng.sample(pool, 2)) for _ in range(rng.randint(0, 3))],
        })
    return Atlas.from_dict(data, check_schema=False)


def run(shared: Path, sizes: list[int], show_misses: int) -> None:
    base = json.loads(ATLAS.read_text(encoding="utf-8"))
    rows = load_rows(shared)
    indexed: dict[str, list[str]] = {}
    queries: list[tuple[str, str, bool]] = []
    for row in rows:
        text = " ".join(row["stikord"].split())
        is_title = "[=Emne]" in text
        if stable_half(row["emne_nr"], row["stikord"]) == 0:
            if not is_title:
                indexed.setdefault(row["emne_nr"], []).append(text)
        else:
            queries.append((text.replace("[=Emne]", "").strip(), row["emne_nr"], is_title))
    print(f"stikord rows: {len(rows)}; indexed as søgeord: "
          f"{sum(map(len, indexed.values()))}; queries: {len(queries)} "
          f"({sum(1 for q in queries if not q[2])} not title copies)")
    for size in sizes:
        atlas = build_atlas(base, indexed, size)
        started = time.perf_counter()
        index = SearchIndex(atlas)
        build = time.perf_counter() - started
        for text, _, _ in queries[:50]:      # warm the expansion cache like a live server
            search(index, text + " warm")
        found = {True: [0, 0], False: [0, 0]}
        latencies = []
        misses = []
        for text, number, is_title in queries:
            t0 = time.perf_counter()
            result = search(index, text, limit=5)
            latencies.append((time.perf_counter() - t0) * 1000)
            ok = f"kle-{number}" in result.ids()
            found[is_title][0] += ok
            found[is_title][1] += 1
            if not ok and not is_title:
                misses.append((text, number, result.ids()[:3]))
        latencies.sort()
        p50 = statistics.median(latencies)
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        hard, easy = found[False], found[True]
        total = hard[0] + easy[0], hard[1] + easy[1]
        print(f"\n{len(atlas)} services (index built in {build:.2f}s)")
        print(f"  recall@5 unseen stikord (no title copies): {hard[0] / max(hard[1], 1):.3f} "
              f"({hard[0]}/{hard[1]})")
        print(f"  recall@5 all queries incl. title copies:  {total[0] / max(total[1], 1):.3f} "
              f"({total[0]}/{total[1]})")
        print(f"  latency ms: p50 {p50:.3f}  p95 {p95:.3f}  max {latencies[-1]:.3f}")
        for text, number, top in misses[:show_misses]:
            print(f"    miss: {text!r} → want {number}, got {top}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--sizes", type=int, nargs="*", default=[2000, 10000])
    parser.add_argument("--show-misses", type=int, default=0)
    args = parser.parse_args(argv)
    run(args.shared, args.sizes, args.show_misses)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
