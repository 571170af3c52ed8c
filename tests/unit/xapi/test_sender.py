"""The sender's answer handling, against a scripted fake LRS client."""
from __future__ import annotations

import json
import random

import pytest

from competency_xblock.xapi.outbox import Outbox
from competency_xblock.xapi.sender import Answer, Sender, parse_retry_after


class FakeLrs:
    """Answers by a rule; records every request's statement ids."""

    def __init__(self, rule=None):
        self.rule = rule or (lambda ids, n: Answer(200))
        self.requests: list[list[str]] = []
        self.stored: list[str] = []

    def post(self, bodies):
        ids = [json.loads(b)["id"] for b in bodies]
        self.requests.append(ids)
        answer = self.rule(ids, len(self.requests))
        if answer.status in (200, 204):
            self.stored += [i for i in ids if i not in self.stored]
        return answer

    def close(self):
        pass


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def box(tmp_path):
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    for i in range(10):
        outbox.enqueue(f"id-{i}", json.dumps({"id": f"id-{i}"}).encode())
    return outbox


def sender(box, lrs, **kw):
    kw.setdefault("batch_size", 4)
    return Sender(box, lrs, rng=random.Random(1), **kw)


def test_all_sent_in_batches(box):
    lrs = FakeLrs()
    report = sender(box, lrs).drain()
    assert report.sent == 10 and [len(r) for r in lrs.requests] == [4, 4, 2]
    assert box.pending_count() == 0 and box.stats()["sent_total"] == 10


def test_204_counts_as_stored(box):
    report = sender(box, FakeLrs(lambda ids, n: Answer(204))).drain()
    assert report.sent == 10


@pytest.mark.parametrize("status", [409, 400, 422])
def test_bisection_isolates_the_refused_statement(box, status):
    lrs = FakeLrs(lambda ids, n: Answer(status, "bad") if "id-5" in ids else Answer(200))
    report = sender(box, lrs).drain()
    assert report.sent == 9 and report.dead == 1
    assert sorted(lrs.stored) == sorted(f"id-{i}" for i in range(10) if i != 5)
    (dead,) = box.dead_letters()
    assert dead.statement_id == "id-5" and dead.status == status
    assert box.pending_count() == 0


def test_413_halves_the_batch_size(box):
    lrs = FakeLrs(lambda ids, n: Answer(413) if len(ids) > 2 else Answer(200))
    s = sender(box, lrs)
    report = s.drain()
    assert report.sent == 10 and report.dead == 0
    assert s.batch_size == 2


def test_single_statement_too_large_is_a_dead_letter(box):
    lrs = FakeLrs(lambda ids, n: Answer(413) if "id-0" in ids else Answer(200))
    report = sender(box, lrs).drain()
    assert report.dead == 1 and report.sent == 9


@pytest.mark.parametrize("answer", [Answer(500), Answer(503), Answer(429), Answer(None, "refused"),
                                    Answer(401), Answer(404)])
def test_temporary_failures_keep_everything(box, answer):
    s = sender(box, FakeLrs(lambda ids, n: answer))
    report = s.drain(wait=False)
    assert report.sent == 0 and report.dead == 0 and report.retries == 1
    assert box.pending_count() == 10
    assert box.pending(1)[0].attempts == 1
    assert s.wait_time() > 0


def test_retries_until_the_lrs_recovers(box):
    lrs = FakeLrs(lambda ids, n: Answer(500) if n <= 3 else Answer(429, retry_after=0.01)
                  if n <= 5 else Answer(200))
    s = sender(box, lrs, backoff_base=0.001, backoff_max=0.01)
    report = s.drain()
    assert report.sent == 10 and report.retries == 5
    assert sorted(lrs.stored) == sorted(f"id-{i}" for i in range(10))


def test_backoff_grows_with_jitter_and_respects_retry_after(box):
    s = sender(box, FakeLrs(), backoff_base=1, backoff_max=30)
    delays = []
    for failures in range(1, 8):
        s.failures = failures
        delays.append(s.backoff_delay())
    ceilings = [min(30, 2 ** (f - 1)) for f in range(1, 8)]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    s.failures = 1
    assert s.backoff_delay(retry_after=20) == 20


def test_wait_false_stops_during_backoff(box):
    clock = Clock()
    s = sender(box, FakeLrs(lambda ids, n: Answer(503)), clock=clock)
    s.drain(wait=False)
    lrs_calls = len(s.client.requests)
    s.drain(wait=False)  # still backing off: no new request
    assert len(s.client.requests) == lrs_calls
    clock.now += 120
    s.drain(wait=False)
    assert len(s.client.requests) == lrs_calls + 1


def test_response_body_is_never_zipped_with_the_request(box):
    # Ralph answers 200 with only the ids it did not have yet.
    lrs = FakeLrs(lambda ids, n: Answer(200, json.dumps(ids[1:])))
    assert sender(box, lrs).drain().sent == 10


def test_parse_retry_after():
    assert parse_retry_after("3") == 3
    assert parse_retry_after("99999") == 600
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    assert parse_retry_after("Thu, 03 Dec 2026 10:00:10 GMT", now=1796292000.0) == 10
