"""Small helpers shared by the benchmark sections: timing, statistics, RSS, pending results."""
from __future__ import annotations

import gc
import json
import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NS = 1_000_000  # ns per ms
#: BENCH_QUICK=1: fewer rounds (a smoke run; figures are noisier).
QUICK = os.environ.get("BENCH_QUICK") == "1"


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of ``values``; NaN for an empty sequence."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def ms(ns: float) -> float:
    return ns / NS


def timed_ns(call: Callable[[], object]) -> int:
    start = time.perf_counter_ns()
    call()
    return time.perf_counter_ns() - start


def interleaved(subjects: dict[str, Callable[[int], int]], rounds: int, warmup: int,
                budget_s: float | None = None) -> dict[str, list[int]]:
    """Run every subject once per round, in an order that rotates each round, so machine
    noise (another process, a CPU frequency change) lands on all subjects alike.

    Each subject is ``f(round_number) -> elapsed ns`` (it times only what it should, so it
    can do untimed preparation such as opening a quiz attempt).  The first ``warmup`` rounds
    are discarded.  ``budget_s`` stops early (after warm-up) when the wall time is used up.
    """
    names = list(subjects)
    samples: dict[str, list[int]] = {name: [] for name in names}
    started = time.monotonic()
    gc.collect()
    for number in range(warmup + rounds):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            elapsed = subjects[name](number)
            if number >= warmup:
                samples[name].append(elapsed)
        if budget_s is not None and number >= warmup + 15 and \
                time.monotonic() - started > budget_s:
            break
    return samples


def rss_mb() -> float:
    """Resident set size of this process in MB (Linux)."""
    with open("/proc/self/statm", encoding="ascii") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def pending(reason: str) -> dict:
    return {"pending": reason}


def run_json_subprocess(args: list[str], timeout: float, env: dict | None = None) -> dict:
    """Run ``python -m <args>`` in the bench venv's interpreter; it prints one JSON object
    on its last stdout line.  Errors come back as ``{"error": ...}`` (never raised)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    full_env["PYTHONPATH"] = str(ROOT) + os.pathsep + full_env.get("PYTHONPATH", "")
    try:
        proc = subprocess.run([sys.executable, *args], cwd=ROOT, env=full_env, timeout=timeout,
                              capture_output=True, text=True)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s: {' '.join(args)}"}
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-8:]
        return {"error": f"exit {proc.returncode}: " + " | ".join(tail)}
    try:
        return json.loads(lines[-1])
    except json.JSONDecodeError:
        return {"error": "no JSON result: " + lines[-1][:300]}


def rounded(value, digits: int = 3):
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return round(value, digits)
    if isinstance(value, dict):
        return {k: rounded(v, digits) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v, digits) for v in value]
    return value
