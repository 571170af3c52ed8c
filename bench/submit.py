"""Submit: median handler round trip through Django's test client, ours / xblock-poll's vote.

One sample = one POST to the workbench handler URL with the CSRF cookie and header, exactly as
the blocks' JavaScript sends it, until the JSON answer is back: URL routing, the runtime, the
block loaded from the database, our schema check and per-(block, user) lock, the handler, the
field save and the response.  Every round uses a *fresh learner* for each block (a first vote
/ a first submit), so no block is measured answering "already done".  Untimed preparation:
the quiz's attempt is opened by its ``load`` handler first (a quiz submit needs one).

``first_last_ms``: medians of the first and the last 20 rounds - a handler whose cost grows
with the number of learners who already submitted shows it there (each round adds one).

Handlers: poll ``vote``; self-assessment ``submit`` (every competence of the role rated);
quiz ``submit`` (an answer to every drawn question); atlas ``search`` (comparable: lookup
mode, citizen-desk queries cycled) or ``pick`` (demo: exercise mode, the right answer).

The runtime is the workbench as xblock-sdk ships it; ``comparable_with_deadline_fields``
repeats the comparable round with the demo's emulation of the LMS's deadline fields mixed in
(see :func:`main`).
"""
from __future__ import annotations

import json
import sys
import time

from bench.common import QUICK, median, ms

ROUNDS = 30 if QUICK else 300
WARMUP = 3 if QUICK else 5


def measure(content: str, rounds: int = ROUNDS) -> dict:
    from bench.common import interleaved
    from bench.workbench import Bench, QueryCount, subjects

    subs = subjects(content)
    bench = Bench()
    usage = {name: bench.register(s) for name, s in subs.items()}
    statuses: dict[str, dict[int, int]] = {name: {} for name in subs}

    def sample(name):
        subject = subs[name]

        def one(number: int) -> int:
            student = f"b{number}-{name[:4]}"
            extra = {}
            if subject.prepare is not None:
                extra["attempt"] = subject.prepare(bench, usage[name], student, number)
            body = subject.payload(bench, usage[name], student, number, **extra)
            start = time.perf_counter_ns()
            result = bench.call(usage[name], subject.handler, body, student)
            elapsed = time.perf_counter_ns() - start
            statuses[name][result.status] = statuses[name].get(result.status, 0) + 1
            if result.status != 200:
                raise RuntimeError(f"{name}.{subject.handler}: HTTP {result.status} "
                                   f"{result.body[:300]!r}")
            if name == "poll" and not result.data.get("success"):
                raise RuntimeError(f"poll vote refused: {result.data}")
            return elapsed
        return one

    samples = interleaved({name: sample(name) for name in subs}, rounds, WARMUP,
                          budget_s=10 if QUICK else 40)
    queries = {}
    for name, subject in subs.items():   # one more fresh learner each, to count SQL
        student, extra = f"bq-{name[:4]}", {}
        if subject.prepare is not None:
            extra["attempt"] = subject.prepare(bench, usage[name], student, 0)
        body = subject.payload(bench, usage[name], student, 0, **extra)
        with QueryCount() as counted:
            bench.call(usage[name], subject.handler, body, student)
        queries[name] = counted.count
    poll = median(samples["poll"])
    out = {"poll_ms": ms(poll), "rounds": len(samples["poll"]),
           "poll_sql_queries": queries["poll"],
           "poll_first_last_ms": [ms(median(samples["poll"][:20])),
                                  ms(median(samples["poll"][-20:]))], "blocks": {}}
    for name, subject in subs.items():
        if name == "poll":
            continue
        ours = median(samples[name])
        out["blocks"][name] = {"ratio": ours / poll, "median_ms": ms(ours),
                               "handler": subject.handler, "sql_queries": queries[name],
                               "first_last_ms": [ms(median(samples[name][:20])),
                                                 ms(median(samples[name][-20:]))],
                               "content": subject.info.get("content", "")}
    return out


def main() -> int:
    from bench.workbench import setup

    setup()
    result = {content: measure(content) for content in ("comparable", "demo")}
    # Again with the demo's emulation of the LMS's deadline fields (due, graceperiod,
    # self_paced): the quiz and the atlas exercise check the deadline on every submit.  In the
    # LMS these inherited settings come with the block; in the workbench each is a stored
    # field, so reading ``due`` costs one more SQL query there.  Context, not the target.
    from demo.deadlines import install

    install()
    result["comparable_with_deadline_fields"] = measure("comparable")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
