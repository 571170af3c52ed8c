"""Run every benchmark section, print a table (figure, target, met/MISSED) and write
bench/results.json.  ``make bench`` runs this in .venv-bench (see bench/README.md).

    python -m bench.run                      # everything (about 5 minutes on 2 cores)
    python -m bench.run --only atlas,xapi    # some sections
    BENCH_QUICK=1 python -m bench.run        # fewer rounds, atlases up to 10,000 (a smoke run)

A section whose dependency is missing or broken reports ``{"pending": reason}`` instead of
failing the run; the exit status is 0 unless the harness itself fails, since a missed target
is a finding, not a crash (``--strict`` exits 1 when a target is missed or pending).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import ROOT, rounded, run_json_subprocess

RESULTS = ROOT / "bench" / "results.json"
ENTRY_POINTS = ("competency_self_assessment", "data_security_quiz", "atlas_lookup")
QUICK = os.environ.get("BENCH_QUICK") == "1"  # same switch as bench.common.QUICK
SECTIONS = ("render", "submit", "atlas", "xapi", "report", "page_weight")


# ---- sections ------------------------------------------------------------------------------
def _module(name: str, timeout: float) -> Callable[[], dict]:
    return lambda: run_json_subprocess(["-m", f"bench.{name}"], timeout)


def _atlas() -> dict:
    from bench import atlas_search

    sizes = (1_000, 10_000) if QUICK else (1_000, 10_000, 100_000)
    return atlas_search.run(sizes)


def _report() -> dict:
    from bench import report

    return report.run_section()


RUNNERS: dict[str, Callable[[], dict]] = {
    "render": _module("render", 420),
    "submit": _module("submit", 600),
    "atlas": _atlas,
    "xapi": _module("xapi", 300),
    "report": _report,
    "page_weight": _module("page_weight", 180),
}


# ---- assembling the figures ------------------------------------------------------------------
def _pending(raw: dict, what: str) -> dict | None:
    if "error" in raw:
        return {"pending": f"{what}: {raw['error']}"}
    if "pending" in raw:
        return {"pending": raw["pending"]}
    return None


def assemble(raw: dict[str, dict]) -> dict:
    out: dict = {}
    for key, section in (("render_ratio_vs_poll", "render"), ("submit_ratio_vs_poll", "submit")):
        data = raw.get(section)
        if data is None:
            continue
        missing = _pending(data, section)
        if missing:
            out[key] = missing
            continue
        blocks = data["comparable"]["blocks"]
        out[key] = {name: blocks[name]["ratio"] for name in ENTRY_POINTS if name in blocks}
        out[key + "_demo"] = {name: data["demo"]["blocks"][name]["ratio"]
                              for name in ENTRY_POINTS if name in data["demo"]["blocks"]}
        extra = data.get("comparable_with_deadline_fields")
        if extra:
            out[key + "_with_deadline_fields"] = {
                name: extra["blocks"][name]["ratio"] for name in ENTRY_POINTS
                if name in extra["blocks"]}
    if "atlas" in raw:
        atlas = raw["atlas"]
        out["atlas_search"] = _pending(atlas, "atlas") or atlas
    if "xapi" in raw:
        data = raw["xapi"]
        missing = _pending(data, "xapi")
        if missing:
            out["xapi"] = missing
        else:
            through = data.get("throughput_ratio_vs_raw")
            if through is None:
                through = {"pending": data.get("throughput_pending")
                           or data.get("throughput_error") or "not measured"}
            out["xapi"] = {"enqueue_p95_ms": data["enqueue_p95_ms"],
                           "throughput_ratio_vs_raw": through}
    if "report" in raw:
        data = raw["report"]
        out["report"] = _pending(data, "report") or {"seconds": data["seconds"],
                                                     "peak_mb": data["peak_mb"]}
    if "page_weight" in raw:
        data = raw["page_weight"]
        missing = _pending(data, "page_weight")
        out["page_weight_kb"] = missing or {
            name: data[name]["kb"] for name in ENTRY_POINTS if name in data}
        out["page_weight_third_party_js"] = missing or {
            name: data[name]["third_party_js"] for name in ENTRY_POINTS if name in data}
    return out


def _value(figures: dict, path: tuple):
    node = figures
    for part in path:
        if not isinstance(node, dict):
            return None
        if "pending" in node:
            return node
        node = node.get(part)
    return node


def targets(figures: dict) -> list[dict]:
    """One line per target: figure, value, target, status (met / MISSED / pending)."""
    lines = []

    def check(label: str, path: tuple, op: str, limit: float, unit: str = "") -> None:
        value = _value(figures, path)
        if isinstance(value, dict) and "pending" in value:
            lines.append({"figure": label, "value": None, "target": f"{op} {limit}{unit}",
                          "status": "pending", "why": value["pending"]})
            return
        if value is None:
            lines.append({"figure": label, "value": None, "target": f"{op} {limit}{unit}",
                          "status": "pending", "why": "not measured in this run"})
            return
        met = value <= limit if op == "<=" else value >= limit
        lines.append({"figure": label, "value": value, "target": f"{op} {limit}{unit}",
                      "status": "met" if met else "MISSED"})

    for name in ENTRY_POINTS:
        check(f"render_ratio_vs_poll.{name}", ("render_ratio_vs_poll", name), "<=", 1.0)
    for name in ENTRY_POINTS:
        check(f"submit_ratio_vs_poll.{name}", ("submit_ratio_vs_poll", name), "<=", 1.0)
    atlas = figures.get("atlas_search") or {}
    check("atlas_search.10000.p95_ms", ("atlas_search", "10000", "p95_ms"), "<=", 1.0, " ms")
    for size in ("1000", "10000", "100000"):
        if size in atlas or not QUICK:
            check(f"atlas_search.{size}.fts5_ratio", ("atlas_search", size, "fts5_ratio"),
                  "<=", 1.0)
    check("atlas_search.recall_at_5", ("atlas_search", "recall_at_5"), ">=", 0.9)
    fts = _value(figures, ("atlas_search", "fts5_recall_at_5"))
    ours = _value(figures, ("atlas_search", "recall_at_5"))
    if isinstance(fts, float) and isinstance(ours, float):
        lines.append({"figure": "atlas_search.recall_at_5 - fts5_recall_at_5",
                      "value": ours - fts, "target": "> 0",
                      "status": "met" if ours > fts else "MISSED"})
    check("xapi.enqueue_p95_ms", ("xapi", "enqueue_p95_ms"), "<=", 1.0, " ms")
    check("xapi.throughput_ratio_vs_raw", ("xapi", "throughput_ratio_vs_raw"), ">=", 0.8)
    check("report.seconds", ("report", "seconds"), "<=", 5.0, " s")
    check("report.peak_mb", ("report", "peak_mb"), "<=", 200.0, " MB")
    for name in ENTRY_POINTS:
        check(f"page_weight_kb.{name}", ("page_weight_kb", name), "<=", 30.0, " KB")
    third = _value(figures, ("page_weight_third_party_js",))
    if isinstance(third, dict) and "pending" not in third:
        found = {k: v for k, v in third.items() if v}
        lines.append({"figure": "page_weight third-party JS libraries", "value": len(found),
                      "target": "= 0", "status": "met" if not found else "MISSED"})
    return lines


def notes(raw: dict[str, dict], figures: dict) -> list[str]:
    """Facts from this run that explain the figures (measured, not remembered)."""
    out = []
    for section, label in (("render", "render"), ("submit", "submit")):
        data = raw.get(section) or {}
        if "comparable" not in data:
            continue
        for content in ("comparable", "demo", "comparable_with_deadline_fields"):
            part = data.get(content)
            if not part:
                continue
            poll_q = part.get("poll_sql_queries")
            for name, block in part["blocks"].items():
                extra = f", handler {block['handler']}" if "handler" in block else ""
                if "first_last_ms" in block:
                    first, last = block["first_last_ms"]
                    pf, pl = part.get("poll_first_last_ms", [0, 0])
                    extra += (f"; first/last 20 rounds {first:.1f}/{last:.1f} ms "
                              f"(poll {pf:.1f}/{pl:.1f})")
                out.append(f"{label} [{content}] {name}: median {block['median_ms']:.2f} ms vs "
                           f"poll {part['poll_ms']:.2f} ms; {block.get('sql_queries')} SQL "
                           f"statements vs poll's {poll_q}{extra} ({block['content']})")
    atlas = raw.get("atlas") or {}
    for size in ("1000", "10000", "100000"):
        item = atlas.get(size) or {}
        if "p95_ms" in item:
            out.append(
                f"atlas {size}: ours p50/p95 {item['p50_ms']:.2f}/{item['p95_ms']:.2f} ms "
                f"(warm {item['warm_p50_ms']:.2f}/{item['warm_p95_ms']:.2f}), FTS5 "
                f"{item['fts5_p50_ms']:.2f}/{item['fts5_p95_ms']:.2f} ms; build "
                f"{item['build_s']:.1f} s / {item['index_mb']:.0f} MB vs FTS5 "
                f"{item['fts5_build_s']:.2f} s / {item['fts5_mb']:.0f} MB; recall@5 "
                f"{item['recall_at_5']:.3f} vs FTS5 {item['fts5_recall_at_5']:.3f}")
    xapi = raw.get("xapi") or {}
    if "enqueue_p95_ms" in xapi:
        out.append(f"xapi enqueue: wall p50/p95 {xapi['enqueue_p50_ms']:.3f}/"
                   f"{xapi['enqueue_p95_ms']:.3f} ms, thread CPU p95 "
                   f"{xapi.get('enqueue_cpu_p95_ms', 0):.3f} ms; sender batch of 50 "
                   f"{xapi.get('sender_batch_ms', 0):.1f} ms vs plain POST "
                   f"{xapi.get('raw_batch_ms', 0):.1f} ms")
    rep = raw.get("report") or {}
    if "seconds" in rep:
        out.append(f"report: {rep['input_rows']:,} rows ({rep['input_mb']:.0f} MB) in "
                   f"{rep['seconds']:.2f} s wall / {rep.get('cpu_seconds', 0):.2f} s CPU, peak RSS "
                   f"{rep['peak_mb']:.1f} MB (interpreter + imports {rep['baseline_mb']:.1f} MB)")
    quality = atlas.get("quality") or {}
    ceiling = quality.get("lexical_ceiling")
    if ceiling:
        out.append(f"atlas quality on the real atlas: recall@5 {quality['recall_at_5']:.3f} (FTS5 "
                   f"{quality['fts5_recall_at_5']:.3f}); only {ceiling['shared_stem']:.0%} of the "
                   f"held-out stikord share a word stem ({ceiling['shared_prefix5']:.0%} a "
                   "5-letter prefix) with any text of a relevant service - the ceiling for "
                   "word matching")
    page = raw.get("page_weight") or {}
    if page and "error" not in page:
        third = {name: page[name].get("third_party_js") for name in ENTRY_POINTS
                 if name in page and page[name].get("third_party_js")}
        poll = page.get("poll") or {}
        out.append(f"third-party JS in our blocks: {third or 'none'}; for reference xblock-poll "
                   f"loads {poll.get('kb', 0):.1f} KB gzipped, third-party: "
                   f"{poll.get('third_party_js')}")
    return out


# ---- output ----------------------------------------------------------------------------------
def machine() -> dict:
    def sh(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            return ""

    lscpu = sh(["lscpu"])
    model = next((line.split(":", 1)[1].strip() for line in lscpu.splitlines()
                  if line.startswith("Model name")), platform.processor())
    versions = {}
    try:
        from importlib.metadata import version

        for dist in ("XBlock", "xblock-sdk", "xblock-poll", "Django"):
            versions[dist] = version(dist)
    except Exception:  # noqa: BLE001 - informative only
        pass
    return {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "nproc": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "platform": platform.platform(), "sqlite": __import__("sqlite3").sqlite_version,
            "versions": versions,
            "commit": sh(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]).strip(),
            "quick": QUICK}


def fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 100 else f"{value:.1f}"
    return str(value)


def print_table(lines: list[dict], stream=sys.stdout) -> None:
    width = max(len(line["figure"]) for line in lines) + 2
    print(f"\n{'figure':<{width}}{'value':>10}  {'target':<12}status", file=stream)
    print("-" * (width + 34), file=stream)
    for line in lines:
        status = line["status"]
        if status == "pending":
            status += f" ({line['why'][:90]})"
        print(f"{line['figure']:<{width}}{fmt(line['value']):>10}  {line['target']:<12}{status}",
              file=stream)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="competency_xblock benchmarks")
    parser.add_argument("--only", default="", help=f"comma list of: {', '.join(SECTIONS)}")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 when a target is missed or pending")
    args = parser.parse_args(argv)
    chosen = [s for s in (args.only.split(",") if args.only else SECTIONS) if s]
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {sorted(unknown)}")
    started = time.monotonic()
    raw: dict[str, dict] = {}
    timings = {}
    load = {}
    for section in chosen:
        t0 = time.monotonic()
        before = os.getloadavg()[0]
        print(f"[bench] {section} ...", file=sys.stderr, flush=True)
        try:
            raw[section] = RUNNERS[section]()
        except Exception as error:  # noqa: BLE001 - one broken section must not stop the rest
            raw[section] = {"error": f"{type(error).__name__}: {error}"[:500]}
        timings[section] = time.monotonic() - t0
        load[section] = [round(before, 2), round(os.getloadavg()[0], 2)]
        state = "pending/error" if ("error" in raw[section] or "pending" in raw[section]) \
            else "done"
        print(f"[bench] {section} {state} in {timings[section]:.0f} s", file=sys.stderr,
              flush=True)
    figures = assemble(raw)
    lines = targets(figures)
    if args.only:   # leave out the targets of sections not run
        lines = [line for line in lines if line.get("why") != "not measured in this run"]
    meta = machine()
    meta["seconds"] = {k: round(v, 1) for k, v in timings.items()}
    meta["loadavg_1min_before_after"] = load
    meta["total_seconds"] = round(time.monotonic() - started, 1)
    result = {**figures, "targets": lines, "notes": notes(raw, figures), "details": raw,
              "meta": meta}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(rounded(result, 4), indent=2, ensure_ascii=False) + "\n",
                           encoding="utf-8")
    print_table(lines)
    print("\nnotes:")
    for line in result["notes"]:
        print(f"  - {line}")
    missed = [line["figure"] for line in lines if line["status"] != "met"]
    print(f"\n{len(lines) - len(missed)} of {len(lines)} targets met; "
          f"missed or pending: {', '.join(missed) or 'none'}")
    print("What was tried for each missed target: docs/benchmarks.md (closing note).")
    shown = args.output.resolve()
    shown = shown.relative_to(ROOT) if shown.is_relative_to(ROOT) else shown
    print(f"wrote {shown} in {meta['total_seconds']:.0f} s "
          f"({meta['nproc']} cores, {meta['cpu']}, Python {meta['python']})")
    busy = {k: v for k, v in load.items() if max(v) > (meta["nproc"] or 1)}
    if busy:
        print(f"note: the machine was busy (1-min load average above {meta['nproc']} during "
              f"{', '.join(busy)}): absolute latencies and p95s include scheduling delays; "
              "ratios are interleaved and less affected.")
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
