"""Print one run's figures (bench/results.json) as Markdown, for docs/benchmarks.md.

    .venv-bench/bin/python -m bench.to_markdown [bench/results.json]
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.run import ENTRY_POINTS, RESULTS


def _f(value, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, dict) and "pending" in value:
        return f"pending: {value['pending']}"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def render(data: dict) -> str:
    meta = data["meta"]
    out = [f"Run of {meta['date']} (commit {meta['commit']}): {meta['nproc']} cores, "
           f"{meta['cpu']}, Python {meta['python']}, SQLite {meta['sqlite']}, "
           + ", ".join(f"{k} {v}" for k, v in meta.get("versions", {}).items())
           + f"; total {meta['total_seconds']:.0f} s. 1-min load average before/after each "
           f"section: " + ", ".join(f"{k} {a}/{b}" for k, (a, b) in
                                     meta.get("loadavg_1min_before_after", {}).items()) + ".",
           "", "| figure | value | target | status |", "|---|---|---|---|"]
    for line in data["targets"]:
        status = line["status"] if line["status"] != "pending" else f"pending ({line['why']})"
        out.append(f"| `{line['figure']}` | {_f(line['value'], 3)} | {line['target']} | "
                   f"{status} |")
    out += ["", "Per block (comparable content; `demo` = first demo scenario):", "",
            "| block | render ratio | render ratio (demo) | submit ratio | submit ratio (demo) "
            "| page weight KB (gzip) |", "|---|---|---|---|---|---|"]
    for name in ENTRY_POINTS:
        out.append("| " + " | ".join([
            name, _f(data.get("render_ratio_vs_poll", {}).get(name)),
            _f(data.get("render_ratio_vs_poll_demo", {}).get(name)),
            _f(data.get("submit_ratio_vs_poll", {}).get(name)),
            _f(data.get("submit_ratio_vs_poll_demo", {}).get(name)),
            _f(data.get("page_weight_kb", {}).get(name), 1)]) + " |")
    atlas = data.get("atlas_search", {})
    out += ["", "Atlas search (ms; memory = resident-set growth over the build):", "",
            "| services | p50 | p95 | p95 CPU | warm p95 | FTS5 p50 | FTS5 p95 | fts5_ratio "
            "(p50) | p95 ratio | FTS5 page p50 | page ratio | build s | index MB | "
            "FTS5 build s | FTS5 MB | recall@5 | "
            "FTS5 recall@5 | MRR | FTS5 MRR |", "|" + "---|" * 19]
    for size in ("1000", "10000", "100000"):
        a = atlas.get(size)
        if not isinstance(a, dict) or "p50_ms" not in a:
            continue
        out.append("| " + " | ".join([f"{int(size):,}", _f(a["p50_ms"]), _f(a["p95_ms"]),
                                      _f(a["cpu_p95_ms"]), _f(a["warm_p95_ms"]),
                                      _f(a["fts5_p50_ms"]), _f(a["fts5_p95_ms"]),
                                      _f(a["fts5_ratio"]), _f(a["fts5_ratio_p95"]),
                                      _f(a.get("fts5_page_p50_ms")),
                                      _f(a.get("fts5_page_ratio")),
                                      _f(a["build_s"], 1), _f(a["index_mb"], 0),
                                      _f(a["fts5_build_s"]), _f(a["fts5_mb"], 0),
                                      _f(a["recall_at_5"], 3), _f(a["fts5_recall_at_5"], 3),
                                      _f(a["mrr"], 3), _f(a["fts5_mrr"], 3)]) + " |")
    quality = atlas.get("quality") or {}
    if "recall_at_5" in quality:
        out += ["", f"Headline quality ({quality['atlas']}, {quality['queries']} held-out "
                f"stikord): recall@5 {quality['recall_at_5']:.3f} (FTS5 "
                f"{quality['fts5_recall_at_5']:.3f}), MRR {quality['mrr']:.3f} (FTS5 "
                f"{quality['fts5_mrr']:.3f})."]
        ceiling = quality.get("lexical_ceiling")
        if ceiling:
            out[-1] += (f" Only {ceiling['shared_stem']:.1%} of these queries share a word stem "
                        f"({ceiling['shared_prefix5']:.1%} a 5-letter prefix) with any text of "
                        "a relevant service: the ceiling for any word-matching search.")
    details = data.get("details", {})
    x = details.get("xapi") or {}
    if "enqueue_p95_ms" in x:
        out += ["", f"xAPI: enqueue p50/p95 {x['enqueue_p50_ms']:.3f}/{x['enqueue_p95_ms']:.3f} "
                f"ms (CPU p95 {x.get('enqueue_cpu_p95_ms', 0):.3f} ms); sender "
                f"{x.get('sender_statements_per_s', 0):.0f} statements/s vs plain requests "
                f"{x.get('raw_statements_per_s', 0):.0f}/s to a local Ralph."]
    r = details.get("report") or {}
    if "seconds" in r:
        out += ["", f"Report: {r['input_rows']:,} rows ({r['input_mb']:.0f} MB CSV) → "
                f"{r['cells']} cells in {r['seconds']:.2f} s "
                f"({r.get('cpu_seconds', 0):.2f} s CPU); peak RSS {r['peak_mb']:.1f} MB "
                f"(interpreter + imports {r['baseline_mb']:.1f} MB; Python heap peak "
                f"{r.get('python_peak_mb', 0):.1f} MB)."]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    path = Path(argv[0]) if argv else RESULTS
    print(render(json.loads(path.read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
