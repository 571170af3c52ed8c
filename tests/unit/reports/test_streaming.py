"""Big inputs stream: memory does not grow with the rows, and progress reaches the end.

The input is the Problem Responses report ``make bench`` reads (``bench/report.py``: the
self-assessment block's own report rows, each carrying the learner's whole JSON state).
Ten times the rows must not need noticeably more memory: the Python heap's peak (tracemalloc)
may grow by a small fraction of the input's growth, for what is kept per learner (one bit
mask each), never per row.  ``make bench`` measures the same at 100,000 rows.
"""
from __future__ import annotations

import os
import tracemalloc

from bench.report import write_report
from competency_xblock.reports import pipeline


def peak_heap(path, out, positions) -> tuple[int, pipeline.Result]:
    def factory(label, total):
        positions.append(("open", total))
        return positions.append

    tracemalloc.start()
    try:
        result = pipeline.run(pipeline.Options(inputs=[str(path)], out_dir=str(out),
                                               parts=("gaps",), formats=("csv",),
                                               progress=factory))
        return tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


def test_ten_times_the_rows_needs_no_more_memory(tmp_path):
    small, big = tmp_path / "small.csv", tmp_path / "big.csv"
    write_report(small, rows=1_000)
    write_report(big, rows=10_000)
    growth_bytes = os.path.getsize(big) - os.path.getsize(small)
    small_progress, big_progress = [], []
    # one run first: one-time costs (imports, caches a test before may or may not have
    # filled in this worker) are then in neither measurement
    peak_heap(small, tmp_path / "o0", [])
    small_peak, small_result = peak_heap(small, tmp_path / "o1", small_progress)
    big_peak, big_result = peak_heap(big, tmp_path / "o2", big_progress)
    assert (small_result.rows, big_result.rows) == (1_000, 10_000)
    assert big_result.matrix.learners > 5 * small_result.matrix.learners
    print(f"\nheap peak {small_peak / 1e6:.2f} MB -> {big_peak / 1e6:.2f} MB for "
          f"+{growth_bytes / 1e6:.1f} MB of input")
    # Measured after the warm-up: +0.56 MB (2 % of the input's growth) - what is kept per
    # learner and the largest row being read.  Keeping the rows would cost about the input's
    # growth itself (27 MB), twenty times this bound.
    assert big_peak - small_peak < 0.05 * growth_bytes
    # the progress bar: opened with the file size, moved several times, ended at the size
    size = os.path.getsize(big)
    assert big_progress[0] == ("open", size) and big_progress[-1] is None
    moves = [p for p in big_progress[1:-1] if isinstance(p, int)]
    assert len(moves) >= 3 and moves == sorted(moves) and moves[-1] == size
