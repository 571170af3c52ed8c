"""HR report: time and peak memory to build the competence gap matrix from 100,000 rows.

Input: a synthetic Open edX *Problem Responses* report in the layout the LMS writes and
``competency_xblock.reports.lms.ProblemResponsesReader`` reads (``username, title, location``,
then the self-assessment block's own ``generate_report_data`` columns, then ``block_key,
state``), 100,000 learner x competence rows.  The block columns are produced by the block's own
row function (``competency.report.rows_for_state``) from a learner state built the way the
block stores it (current assessment + history), so the file is what the LMS would export:
the shipped example roles/units and DigComp 3.0 profiles, ratings drawn around each
expected level (seeded), 5 % "don't know", 30 % of learners reassessed once.

Measured in a fresh process: ``pipeline.run`` with the gap part only and CSV output - what
``competency-xblock report gaps`` does (read, fold into per-cell sums, k-anonymity suppression,
write the CSV).  ``seconds``: wall time of that call (``cpu_seconds``: its CPU time, to tell
our cost from a busy machine's); ``peak_mb``: the process's peak resident
set (``ru_maxrss``: interpreter and imports included); ``baseline_mb``: resident set just
before the call; ``python_peak_mb``: tracemalloc's peak in a second, traced run.
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, rss_mb, run_json_subprocess

ROWS = 100_000
COURSE = "Kommune+DIGI101+2026_T1"
BLOCK_KEY = f"block-v1:{COURSE}+type@competency_self_assessment+block@5e1f0a"
TITLE = "Selvvurdering: digitale kompetencer"
LOCATION = f"Digitale kompetencer i kommunen > Modul 1 > {TITLE}"


def write_report(path: Path, rows: int = ROWS, seed: int = 11) -> int:
    from competency_xblock.competency.assessment import Assessment
    from competency_xblock.competency.content import default_content
    from competency_xblock.competency.report import rows_for_state

    content = default_content()
    framework = content.framework
    level_ids = [lvl.id for lvl in framework.levels]
    roles = [r.id for r in content.roles]
    units = [u.id for u in content.units]
    rng = random.Random(seed)
    written = 0
    header: list[str] | None = None
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        learner = 0
        while written < rows:
            learner += 1
            role = rng.choice(roles)
            unit = rng.choice(units)
            expected = content.expected(role)

            def ratings(shift: int, expected=expected) -> dict:
                out = {}
                for comp, level in expected.items():
                    if rng.random() < 0.05:
                        out[comp] = "dont_know"
                        continue
                    rank = level_ids.index(level) + rng.choice((-2, -1, -1, 0, 0, 0, 1)) + shift
                    out[comp] = level_ids[max(0, min(len(level_ids) - 1, rank))]
                return out

            history = []
            if rng.random() < 0.3:
                history.append(Assessment(role, unit, ratings(-1), expected,
                                          "2025-11-03T09:00:00Z", framework.id).to_dict())
            current = Assessment(role, unit, ratings(0), expected,
                                 f"2026-05-{rng.randint(1, 28):02d}T10:00:00Z",
                                 framework.id).to_dict()
            history.append(current)
            state = {"assessment": current, "history": history, "draft": {},
                     "raw_earned": 1.0}
            state_text = json.dumps(state, ensure_ascii=False)
            username = f"medarbejder{learner:06d}"
            for row in rows_for_state(content, state, "en"):
                if header is None:
                    header = ["username", "title", "location", *row.keys(), "block_key",
                              "state"]
                    writer.writerow(header)
                writer.writerow([username, TITLE, LOCATION, *row.values(), BLOCK_KEY,
                                 state_text])
                written += 1
                if written >= rows:
                    break
    return written


def build_matrix(path: Path, traced: bool = False) -> dict:
    from competency_xblock.reports.pipeline import Options

    with tempfile.TemporaryDirectory(prefix="bench-report-out-") as out_dir:
        options = Options(inputs=[str(path)], out_dir=out_dir, parts=("gaps",),
                          formats=("csv",), language="en")
        return _build(options, traced)


def _build(options, traced: bool) -> dict:
    from competency_xblock.reports.pipeline import run

    if traced:
        import tracemalloc

        tracemalloc.start()
        run(options)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {"python_peak_mb": peak / 2**20}
    baseline = rss_mb()
    started, started_cpu = time.perf_counter(), time.process_time()
    result = run(options)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - started_cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cells = len(getattr(result.matrix, "cells", ()) or ()) if result.matrix else 0
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "peak_mb": peak,
            "baseline_mb": baseline, "rows": result.rows, "cells": cells}


def run_section(timeout: float = 300.0) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bench-report-"))
    path = work / "student_state_from_block-v1_Kommune+DIGI101.csv"
    try:
        made = run_json_subprocess(["-m", "bench.report", "--write", str(path)], timeout)
        if "error" in made:
            return made
        out = run_json_subprocess(["-m", "bench.report", "--build", str(path)], timeout)
        if "error" in out:
            return out
        traced = run_json_subprocess(["-m", "bench.report", "--build", str(path), "--traced"],
                                     timeout)
        out.update(traced if "error" not in traced else {"python_peak_error": traced["error"]})
        out["input_rows"] = made["rows"]
        out["input_mb"] = path.stat().st_size / 2**20
        return out
    finally:
        import shutil

        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path)
    parser.add_argument("--build", type=Path)
    parser.add_argument("--traced", action="store_true")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.write:
        print(json.dumps({"rows": write_report(args.write)}))
    elif args.build:
        print(json.dumps(build_matrix(args.build, args.traced)))
    else:
        print(json.dumps(run_section()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
