"""Faults: the LRS goes away, the sender dies mid-batch, the LRS says 500/429/413.

Afterwards every statement is in Ralph exactly once, byte-identical, and no learner request
(``emit``) failed or waited on the LRS.
"""
from __future__ import annotations

import json
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
    # Not a timing gate (speed is `make bench`'s job): that emit never waits on the LRS is
    # proven without a clock by test_learner_requests_never_wait_on_an_lrs_that_does_not_answer.
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


def test_learner_requests_never_wait_on_an_lrs_that_does_not_answer(workbench, ralph,
                                                                     tmp_path):
    """The LRS takes a POST and does not answer: handlers and ``emit`` carry on regardless.

    No timing: the sender is provably inside an unanswered POST (the proxy holds it) while
    learners' handler requests through the workbench succeed and their statements are
    queued; only after the LRS answers are they delivered, each exactly once.
    """
    from tests.lrs.test_block_flows import xapi_settings
    from tests.runtime import test_atlas_lookup as atlas_tests
    from tests.unit.xapi.checks import recording_builders

    held, release = threading.Event(), threading.Event()

    def rule(n: int, count: int):
        if n == 1:
            held.set()
            release.wait(60)   # the LRS sits on the first POST ...
        return None            # ... and then stores it after all

    plan = Plan(rule=rule)
    outbox = tmp_path / "o.sqlite3"
    with FaultProxy(ralph.host, ralph.port, plan) as proxy, recording_builders() as built:
        settings = direct_settings(ralph, outbox, xapi_sender="thread",
                                   xapi_lrs_endpoint=proxy.endpoint, xapi_read_timeout=120)
        try:
            first = xapi.emit(settings, samples.quiz_completed(samples.learner(uuid.uuid4().hex)))
            assert first is not None and held.wait(30)   # the sender is stuck in its POST
            with xapi_settings(**settings):
                usage = workbench.render(workbench.scenario(atlas_tests.olx()),
                                         student="s-stall").usage_id
                answers = [workbench.call(usage, "search", {"query": f"pas {i}"},
                                          student="s-stall") for i in range(20)]
            more = [xapi.emit(settings, e) for e in samples.many(200, prefix=uuid.uuid4().hex)]
            assert [a.status for a in answers] == [200] * 20
            assert all(m is not None for m in more)
            box = Outbox(outbox)
            assert not release.is_set() and box.pending_count() == 1 + 20 + 200
            release.set()
            assert wait_for(lambda: box.pending_count() == 0, timeout=60)
        finally:
            release.set()
            xapi.shutdown()
    assert len(built) == 221
    assert_exactly_once(ralph, [first, *more])
    found = {s["id"]: s for s in ralph.statements(agent=json.dumps({
        "objectType": "Agent",
        "account": {"homePage": settings["xapi_lms_root_url"], "name": "s-stall"}}))}
    assert len(found) == 20 and all(s["verb"]["id"].endswith("/searched")
                                    for s in found.values())


def test_handler_requests_succeed_while_the_lrs_is_stopped(workbench, fresh_ralph, tmp_path):
    """Learners' requests through the workbench while Ralph is down: all 200, all delivered
    once Ralph is back."""
    from tests.lrs.test_block_flows import xapi_settings
    from tests.runtime import test_atlas_lookup as atlas_tests

    outbox = tmp_path / "o.sqlite3"
    settings = direct_settings(fresh_ralph, outbox, xapi_sender="thread")
    box = Outbox(outbox)
    try:
        with xapi_settings(**settings):
            usage = workbench.render(workbench.scenario(atlas_tests.olx()),
                                     student="s-down").usage_id
            fresh_ralph.stop()
            answers = [workbench.call(usage, "search", {"query": f"pas {i}"},
                                      student="s-down") for i in range(30)]
            assert [a.status for a in answers] == [200] * 30
            assert box.pending_count() == 30
            fresh_ralph.start()
            assert wait_for(lambda: box.pending_count() == 0, timeout=60)
    finally:
        xapi.shutdown()
    rows = fresh_ralph.statements()
    assert len(rows) == 30 and len({s["id"] for s in rows}) == 30
    assert box.stats()["dead"] == 0 and box.stats()["last_error"]


def test_an_lrs_that_hangs_is_timed_out_and_retried(ralph, tmp_path):
    """The LRS holds the first POST longer than the read timeout (and stores it later): the
    sender gives up on it, retries, and every statement is stored once."""
    release = threading.Event()

    def rule(n: int, count: int):
        if n == 1:
            release.wait(5)
        return None

    plan = Plan(rule=rule)
    with FaultProxy(ralph.host, ralph.port, plan) as proxy:
        settings = direct_settings(ralph, tmp_path / "o.sqlite3", xapi_lrs_endpoint=proxy.endpoint,
                                   xapi_read_timeout=0.5, xapi_batch_size=25)
        built = [xapi.emit(settings, e) for e in samples.many(50, prefix=uuid.uuid4().hex)]
        report = drain(settings)
        release.set()
        assert wait_for(lambda: len(plan.log) >= 3, timeout=30)   # the held POST finished too
    assert report.sent == 50 and report.dead == 0 and report.retries >= 1
    assert any("Timeout" in e for e in report.errors), report.errors
    assert_exactly_once(ralph, built)
