"""Render: median time of ``student_view`` through the workbench runtime, ours / xblock-poll.

One sample = what the workbench's scenario page does for the block (bench.workbench
.render_fragment): a fresh ``WorkbenchRuntime`` for the student, the block loaded from the
database, ``student_view`` rendered to a Fragment.  The page template around it is the same for
every block and is left out, so it cannot dilute the ratio.  Poll and our three blocks are
interleaved round by round (rotating order).  Also reported, for the record: the same ratio for
the whole workbench page (``GET /scenario/...`` through Django's test client).
"""
from __future__ import annotations

import json
import sys

from bench.common import QUICK, median, ms, timed_ns

ROUNDS = 40 if QUICK else 200
WARMUP = 10 if QUICK else 30
PAGE_ROUNDS = 20 if QUICK else 80


def measure(content: str, rounds: int = ROUNDS, page_rounds: int = PAGE_ROUNDS) -> dict:
    from bench.common import interleaved
    from bench.workbench import Bench, QueryCount, render_fragment, subjects

    subs = subjects(content)
    bench = Bench()
    usage = {name: bench.register(s) for name, s in subs.items()}
    scenario_urls = {name: f"/scenario/{bench.scenarios[name]}/student_view/?student="
                     for name in subs}

    def fragment_of(name):
        return lambda _n: timed_ns(lambda: render_fragment(usage[name]))

    samples = interleaved({name: fragment_of(name) for name in subs}, rounds, WARMUP,
                          budget_s=8 if QUICK else 25)

    client = bench.wb.client

    def page_of(name):
        url = scenario_urls[name] + "bench-page"

        def one(_n):
            return timed_ns(lambda: client.get(url))
        return one

    for name, url in scenario_urls.items():
        response = client.get(url + "bench-page")
        if response.status_code != 200:
            raise RuntimeError(f"{name}: page {url} answered {response.status_code}")
    pages = interleaved({name: page_of(name) for name in subs}, page_rounds, 5 if QUICK else 10,
                        budget_s=8 if QUICK else 20)

    queries = {}
    for name in subs:
        with QueryCount() as counted:
            render_fragment(usage[name])
        queries[name] = counted.count
    poll = median(samples["poll"])
    poll_page = median(pages["poll"])
    out = {"poll_ms": ms(poll), "poll_page_ms": ms(poll_page), "rounds": len(samples["poll"]),
           "poll_sql_queries": queries["poll"], "blocks": {}}
    for name, subject in subs.items():
        if name == "poll":
            continue
        ours = median(samples[name])
        page = median(pages[name])
        out["blocks"][name] = {"ratio": ours / poll, "median_ms": ms(ours),
                               "page_ratio": page / poll_page, "page_median_ms": ms(page),
                               "sql_queries": queries[name],
                               "content": subject.info.get("content", "")}
    return out


def main() -> int:
    from bench.workbench import setup

    setup()
    result = {content: measure(content) for content in ("comparable", "demo")}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
