"""Faults: the LRS goes away, the sender dies mid-batch, the LRS says 500/429/413.

Afterwards every statement is in Ralph exactly once, byte-identical, and no learner request
(``emit``) failed or waited on the LRS.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid

from competency_xblock import xapi
from competency_xblock.xapi.config import from_settings
from competency_xblock.xapi.outbox import Outbox
from competency_xblock.xapi.sender import Sender
from tests.lrs.conftest import direct_settings
from tests.lrs.helpers import FaultProxy, Plan, assert_exactly_once, stored_bodies, wait_for
from tests.unit.xapi import samples


def drain(settings, deadline: float = 60):
    config = from_settings(settings)
    sender = Sender.from_config(Outbox(config.outbox_path), config)
    try:
        return sender.drain(deadline=time.monotonic() + deadline)
    finally:
        sender.client.close()


def test_lrs_stopped_and_restarted_during_1200_submissions(fresh_ralph, tmp_path):
    settings = direct_settings(fresh_ralph, tmp_path / "o.sqlite3", xapi_sender="thread",
                               xapi_batch_size=50)
    events = samples.many(1200, prefix=uuid.uuid4().hex)
    results: list = [None] * len(events)
    latencies: list[float] = [0.0] * len(events)
    submitted = threading.Semaphore(0)

    def learner_requests(offset: int) -> None:
        for i in range(offset, len(events), 4):
            start = time.perf_counter()
            results[i] = xapi.emit(settings, events[i])  # what a handler does
            latencies[i] = time.perf_counter() - start
            submitted.release()
            time.sleep(0.002)

    threads = [threading.Thread(target=learner_requests, args=(k,)) for k in range(4)]
    box = Outbox(settings["xapi_outbox_path"])
    try:
        for t in threads:
            t.start()
        for _ in range(300):
            submitted.acquire()
        fresh_ralph.stop()                         # the LRS goes away mid-run ...
        for _ in range(400):
            submitted.acquire()
        pending_while_down = box.pending_count()
        fresh_ralph.start()                        # ... and comes back on the same port
        for t in threads:
            t.join()
        assert wait_for(lambda: box.pending_count() == 0, timeout=60)
    finally:
        xapi.shutdown()
    assert all(r is not None for r in results), "a learner request lost its statement"
    latencies.sort()
    print(f"\nemit while the LRS was down/up: p50 {latencies[len(latencies) // 2] * 1e3:.3f} ms,"
          f" p95 {latencies[int(0.95 * len(latencies))] * 1e3:.3f} ms,"
          f" max {latencies[-1] * 1e3:.1f} ms; pending while down: {pending_while_down}")
    assert latencies[int(0.95 * len(latencies))] < 0.01 and latencies[-1] < 0.5
    assert pending_while_down > 0 and box.stats()["last_error"]
    assert box.stats()["dead"] == 0
    assert_exactly_once(fresh_ralph, results)


def test_sender_killed_with_sigkill_in_the_middle_of_a_batch(fresh_ralph, tmp_path):
    settings = direct_settings(fresh_ralph, tmp_path / "o.sqlite3")
    built = [xapi.emit(settings, e) for e in samples.many(500, prefix=uuid.uuid4().hex)]
    box = Outbox(settings["xapi_outbox_path"])
    # Ralph stores each batch, then the proxy holds the answer back: the kill lands after the
    # LRS has the batch and before the sender could mark it sent.
    plan = Plan(delay_after_forward=1.0)
    with FaultProxy(fresh_ralph.host, fresh_ralph.port, plan) as proxy:
        env = {**os.environ, "COMPETENCY_XAPI_OUTBOX": settings["xapi_outbox_path"],
               "COMPETENCY_XAPI_LRS_ENDPOINT": proxy.endpoint,
               "COMPETENCY_XAPI_LRS_USERNAME": fresh_ralph.username,
               "COMPETENCY_XAPI_LRS_PASSWORD": fresh_ralph.password}
        sender = subprocess.Popen([sys.executable, "-m", "competency_xblock.cli", "xapi",
                                   "flush", "--quiet", "--batch-size", "50"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert wait_for(lambda: plan.forwarded_ok_count >= 3, timeout=30)
            os.kill(sender.pid, signal.SIGKILL)
        finally:
            sender.wait(10)
    assert sender.returncode == -signal.SIGKILL
    in_ralph = set(stored_bodies(fresh_ralph))
    still_pending = {r.statement_id for r in box.pending(1000)}
    assert in_ralph & still_pending, "the killed batch is both stored and still pending"
    report = drain(settings)                       # a new sender picks up where it died
    assert report.dead == 0 and box.pending_count() == 0
    assert_exactly_once(fresh_ralph, built)


def test_lrs_answers_500_then_429_for_a_while(ralph, tmp_path):
    def rule(n: int, count: int):
        if n <= 4:
            return 500, {}
        if n <= 7:
            return 429, {"Retry-After": "1" if n == 5 else "0"}
        return None

    plan = Plan(rule=rule)
    with FaultProxy(ralph.host, ralph.port, plan) as proxy:
        settings = direct_settings(ralph, tmp_path / "o.sqlite3", xapi_lrs_endpoint=proxy.endpoint,
                                   xapi_batch_size=40)
        built = [xapi.emit(settings, e) for e in samples.many(200, prefix=uuid.uuid4().hex)]
        start = time.monotonic()
        report = drain(settings)
    assert report.retries == 7 and report.sent == 200 and report.dead == 0
    assert time.monotonic() - start >= 1.0          # Retry-After was honoured
    assert [status for _, _, status in plan.log[:7]] == [500] * 4 + [429] * 3
    assert_exactly_once(ralph, built)


def test_lrs_answers_413_to_large_batches(ralph, tmp_path):
    plan = Plan(rule=lambda n, count: (413, {}) if count > 12 else None)
    with FaultProxy(ralph.host, ralph.port, plan) as proxy:
        settings = direct_settings(ralph, tmp_path / "o.sqlite3", xapi_lrs_endpoint=proxy.endpoint,
                                   xapi_batch_size=50)
        built = [xapi.emit(settings, e) for e in samples.many(100, prefix=uuid.uuid4().hex)]
        report = drain(settings)
    assert report.sent == 100 and report.dead == 0
    assert_exactly_once(ralph, built)
