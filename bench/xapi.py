"""xAPI: what a handler pays to hand a statement over, and how fast the sender delivers.

``enqueue_p95_ms``: p95 of ``xapi.emit(settings, event)`` with the ``direct`` transport and an
external sender (no thread to wake): build the statement, serialise it, one ``INSERT`` into the
SQLite outbox (WAL, synchronous NORMAL, on disk under /tmp) - everything a learner's request
waits for.  Building the event object is timed too.  The five event kinds are cycled
(quiz answered/completed, self-rated, atlas searched/answered), 3,000 samples after 300
warm-up calls.  Wall time is the figure; the thread's CPU time (``enqueue_cpu_p95_ms``) is
kept too, to tell our cost from a busy machine's scheduling delays.

``throughput_ratio_vs_raw``: a local Ralph LRS (scripts/ralph_lrs.py, its own venv
``.venv-ralph``) receives, batch by batch and alternating, (a) what our sender does in one turn
of ``Sender.drain()`` - take ``xapi_batch_size`` = 50 rows from the outbox, POST them, mark
them sent in the outbox - and (b) one plain ``requests.Session().post`` of 50 statements of
the same kinds (built by the same code, other ids, so the LRS never sees a duplicate).  60
batches each (3,000 statements), 2 warm-up pairs.  Ratio = (our statements/s) / (raw
statements/s) = median raw batch time / median sender batch time (the ratio of the total
times is kept too).  Interleaving batch by batch keeps a busy machine's bursts from landing on
one side only.
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.common import QUICK, ROOT, interleaved, median, percentile

ENQUEUE_SAMPLES = 500 if QUICK else 3000
ENQUEUE_WARMUP = 100 if QUICK else 300
BATCHES = 10 if QUICK else 60
BATCH = 50
LMS = "https://lms.example.invalid"


def _events(prefix: str, count: int):
    from competency_xblock import xapi

    levels = tuple(xapi.ScaleLevel(id=x, label=x.title()) for x in
                   ("basic", "intermediate", "advanced", "highly_advanced"))
    choices = tuple(xapi.ChoiceOption(id=str(i), text=f"Svar {i}") for i in range(4))
    for i in range(count):
        usage = f"block-v1:Kommune+DS101+2026+type@data_security_quiz+block@{prefix}{i % 7}"
        learner = xapi.Learner(anonymous_id=f"{prefix}-anon-{i:06d}")
        kind = i % 5
        if kind == 0:
            yield xapi.QuizAnswered(usage_key=usage, learner=learner, attempt_id=f"{prefix}{i}",
                                    attempt=1, question_id="sensitive-02",
                                    question_text="Hvilken slags oplysninger er i notatet?",
                                    choices=choices, response_ids=("2",), correct_ids=("2",),
                                    success=True, credit=1.0, block_title="Datasikkerhed")
        elif kind == 1:
            yield xapi.QuizCompleted(usage_key=usage, learner=learner, attempt_id=f"{prefix}{i}",
                                     attempt=1, raw=8, max=10, success=True, mastery=0.8,
                                     question_count=10, block_title="Datasikkerhed")
        elif kind == 2:
            yield xapi.SelfRated(usage_key=usage.replace("data_security_quiz",
                                                         "competency_self_assessment"),
                                 learner=learner, assessment_id=f"{prefix}{i}",
                                 competence_id="4.1", competence_title="Beskytte enheder",
                                 levels=levels, self_level="intermediate",
                                 expected_level="advanced", self_rank=2, expected_rank=3, gap=1,
                                 framework_id="digcomp3", role_id="borgerservice")
        elif kind == 3:
            yield xapi.AtlasSearched(usage_key=usage.replace("data_security_quiz",
                                                             "atlas_lookup"),
                                     learner=learner, query="flytning", hit_count=8,
                                     search_id=f"{prefix}{i}")
        else:
            yield xapi.AtlasAnswered(usage_key=usage.replace("data_security_quiz",
                                                             "atlas_lookup"),
                                     learner=learner, scenario_id="flytning", attempt=1,
                                     picked_id="kle-23.05.10", correct=True,
                                     correct_ids=("kle-23.05.10",), searches_used=2,
                                     scenario_title="Flytning")


def _settings(outbox: Path, endpoint: str = "http://127.0.0.1:9/xAPI/", auth=("", "")) -> dict:
    return {"xapi_transport": "direct", "xapi_lms_root_url": LMS,
            "xapi_lrs_endpoint": endpoint, "xapi_lrs_username": auth[0],
            "xapi_lrs_password": auth[1], "xapi_outbox_path": str(outbox),
            "xapi_sender": "external", "xapi_batch_size": BATCH}


def measure_enqueue(work: Path) -> dict:
    from competency_xblock import xapi

    settings = _settings(work / "enqueue-outbox.sqlite3")
    events = _events("e", ENQUEUE_SAMPLES + ENQUEUE_WARMUP)
    samples, cpu = [], []
    for number in range(ENQUEUE_SAMPLES + ENQUEUE_WARMUP):
        start, start_cpu = time.perf_counter_ns(), time.thread_time_ns()
        event = next(events)
        built = xapi.emit(settings, event)
        elapsed, used = time.perf_counter_ns() - start, time.thread_time_ns() - start_cpu
        if built is None:
            raise RuntimeError("xapi.emit stored nothing (see the log)")
        if number >= ENQUEUE_WARMUP:
            samples.append(elapsed)
            cpu.append(used)
    return {"enqueue_p95_ms": percentile(samples, 95) / 1e6,
            "enqueue_p50_ms": median(samples) / 1e6,
            "enqueue_cpu_p95_ms": percentile(cpu, 95) / 1e6,
            "enqueue_max_ms": max(samples) / 1e6, "enqueue_samples": len(samples)}


def _load_ralph():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_ralph_lrs",
                                                  ROOT / "scripts" / "ralph_lrs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measure_throughput(work: Path) -> dict:
    import requests

    from competency_xblock.xapi.config import from_settings
    from competency_xblock.xapi.outbox import Outbox
    from competency_xblock.xapi.sender import DrainReport, Sender
    from competency_xblock.xapi.statements import build

    ralph = _load_ralph()
    if not ralph.venv_python().exists():
        return {"throughput_pending": "no .venv-ralph: run `python scripts/ralph_lrs.py "
                                      "ensure-venv` (make bench does)"}
    total = BATCHES * BATCH
    with ralph.RalphServer(work / "ralph") as lrs:
        config = from_settings(_settings(work / "unused.sqlite3", lrs.endpoint, lrs.auth))
        box = Outbox(work / "throughput-outbox.sqlite3")
        for event in _events("o-", total + 2 * BATCH):
            built = build(event, config)
            box.enqueue(built.statement_id, built.body)
        bodies = [build(e, config).body for e in _events("r-", total + 2 * BATCH)]
        sender = Sender.from_config(box, config)
        report = DrainReport()
        raw = requests.Session()
        raw.auth = lrs.auth
        raw.headers.update({"Content-Type": "application/json",
                            "X-Experience-API-Version": config.version})
        url = config.statements_url
        problems: list[str] = []

        def ours(_number: int) -> int:
            # one turn of Sender.drain(): take a batch from the outbox, POST it, mark it sent
            start = time.perf_counter_ns()
            rows = box.pending(sender.batch_size)
            ok = sender.send_batch(rows, report)
            elapsed = time.perf_counter_ns() - start
            if not ok or len(rows) != BATCH:
                problems.append(f"sender batch: {len(rows)} rows, ok={ok}, {report.errors[-1:]}")
            return elapsed

        def plain(number: int) -> int:
            chunk = bodies[number * BATCH:(number + 1) * BATCH]
            start = time.perf_counter_ns()
            res = raw.post(url, data=b"[" + b",".join(chunk) + b"]", timeout=30)
            elapsed = time.perf_counter_ns() - start
            if res.status_code != 200:
                problems.append(f"raw POST {res.status_code}: {res.text[:200]}")
            return elapsed

        samples = interleaved({"ours": ours, "raw": plain}, BATCHES, 2)
        sender.client.close()
        raw.close()
        box.close()
    ours_med, raw_med = median(samples["ours"]), median(samples["raw"])
    out = {"throughput_ratio_vs_raw": raw_med / ours_med,
           "throughput_ratio_of_totals": sum(samples["raw"]) / sum(samples["ours"]),
           "sender_statements_per_s": BATCH / (ours_med / 1e9),
           "raw_statements_per_s": BATCH / (raw_med / 1e9),
           "sender_batch_ms": ours_med / 1e6, "raw_batch_ms": raw_med / 1e6,
           "statements_each": len(samples["ours"]) * BATCH, "sent_by_sender": report.sent}
    if problems:
        out["problems"] = problems[:5]
    return out


def main() -> int:
    sys.path.insert(0, str(ROOT))
    work = Path(tempfile.mkdtemp(prefix="bench-xapi-"))
    try:
        out = measure_enqueue(work)
        try:
            out.update(measure_throughput(work))
        except Exception as error:  # noqa: BLE001 - report, do not lose the enqueue figure
            out["throughput_error"] = f"{type(error).__name__}: {error}"[:400]
    finally:
        from competency_xblock import xapi

        xapi.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
