"""The SQLite outbox: durable, de-duplicating, dead letters kept, fast enqueue."""
from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from competency_xblock.xapi.outbox import Outbox, shared


@pytest.fixture
def box(tmp_path):
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    yield outbox
    outbox.close()


def test_wal_mode(box):
    mode = sqlite3.connect(box.path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    assert box.conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL


def test_enqueue_keeps_bytes_and_deduplicates(box):
    assert box.enqueue("id-1", b'{"a":1}')
    assert not box.enqueue("id-1", b'{"a":2}')
    assert box.enqueue("id-2", b'{"b":1}')
    rows = box.pending(10)
    assert [(r.statement_id, r.body) for r in rows] == [("id-1", b'{"a":1}'), ("id-2", b'{"b":1}')]


def test_survives_reopening(tmp_path):
    Outbox(tmp_path / "o.sqlite3").enqueue("id-1", b"x")
    assert [r.statement_id for r in Outbox(tmp_path / "o.sqlite3").pending(5)] == ["id-1"]


def test_sent_rows_leave_and_are_counted(box):
    for i in range(5):
        box.enqueue(f"id-{i}", b"x")
    box.mark_sent(box.pending(3))
    assert [r.statement_id for r in box.pending(10)] == ["id-3", "id-4"]
    stats = box.stats()
    assert (stats["pending"], stats["sent_total"], stats["dead"]) == (2, 3, 0)


def test_failures_are_counted_not_dropped(box):
    box.enqueue("id-1", b"x")
    box.mark_failed(box.pending(1), "HTTP 503: busy")
    box.mark_failed(box.pending(1), "HTTP 503: busy")
    (row,) = box.pending(1)
    assert row.attempts == 2
    assert "503" in box.stats()["last_error"]


def test_dead_letters_are_kept_listed_and_requeueable(box):
    box.enqueue("id-1", b"x")
    box.enqueue("id-2", b"y")
    box.mark_dead(box.pending(1)[0], 409, "HTTP 409: differing statement")
    assert [r.statement_id for r in box.pending(10)] == ["id-2"]
    (dead,) = box.dead_letters()
    assert (dead.statement_id, dead.status, dead.body) == ("id-1", 409, b"x")
    assert box.stats()["dead"] == 1
    assert box.requeue(["id-1"]) == 1
    assert [r.statement_id for r in box.pending(10)] == ["id-1", "id-2"]


def test_requeue_all(box):
    for i in range(3):
        box.enqueue(f"id-{i}", b"x")
        box.mark_dead(box.pending(1)[0], 400, "bad")
    assert box.requeue() == 3


def test_many_threads_enqueue_at_once(box):
    def work(n):
        for i in range(200):
            box.enqueue(f"{n}-{i}", b"x")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert box.pending_count() == 1600


def test_shared_is_one_instance_per_path(tmp_path):
    assert shared(tmp_path / "a.sqlite3") is shared(tmp_path / "a.sqlite3")


def test_enqueue_is_fast(box):
    """The handler's cost (the benchmark's target is p95 <= 1 ms; generous bound here)."""
    box.enqueue("warm", b"x")
    body = b"x" * 1500
    times = []
    for i in range(2000):
        start = time.perf_counter()
        box.enqueue(f"id-{i}", body)
        times.append(time.perf_counter() - start)
    times.sort()
    assert times[int(len(times) * 0.95)] < 0.005
