"""A durable outbox for statements: SQLite in WAL mode, one row per statement.

The handler's only cost is one ``INSERT OR IGNORE`` on a per-thread connection (WAL,
``synchronous=NORMAL``: no fsync per insert; a committed row survives a crash of the process,
and ``FULL`` is available for power-loss durability).  The id is the primary key, so a
re-emitted event is stored once.  Rows leave the table only when the LRS has accepted them;
rows the LRS refuses for good become dead letters, kept until an operator re-queues them.
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    statement_id TEXT NOT NULL UNIQUE,
    body BLOB NOT NULL,
    enqueued_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    dead INTEGER NOT NULL DEFAULT 0,
    dead_at REAL,
    dead_status INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (dead, seq);
CREATE TABLE IF NOT EXISTS outbox_meta (key TEXT PRIMARY KEY, value);
"""
PENDING = 0
DEAD = 1
CHECKPOINT_EVERY = 1.0  # seconds


@dataclass(frozen=True)
class Row:
    seq: int
    statement_id: str
    body: bytes
    attempts: int = 0


@dataclass(frozen=True)
class DeadLetter:
    seq: int
    statement_id: str
    status: int | None
    reason: str
    dead_at: float
    attempts: int
    body: bytes


class Outbox:
    """One SQLite file; safe to use from many threads and processes at once."""

    def __init__(self, path: str | os.PathLike, synchronous: str = "NORMAL",
                 busy_timeout_ms: int = 5000) -> None:
        self.path = os.path.abspath(os.fspath(path))
        self.synchronous = "FULL" if synchronous.upper() == "FULL" else "NORMAL"
        self.busy_timeout_ms = int(busy_timeout_ms)
        self._local = threading.local()
        # Threads of one process queue on this lock instead of on SQLite's busy handler, which
        # sleeps in whole milliseconds: it keeps the handler's enqueue well under 1 ms.
        self._write_lock = threading.Lock()
        self._last_checkpoint = 0.0
        directory = os.path.dirname(self.path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(SCHEMA)

    # ---- connections -------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=self.busy_timeout_ms / 1000,
                               isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout={self.busy_timeout_ms}")
        conn.execute(f"PRAGMA synchronous={self.synchronous}")
        # No checkpoint (and its fsync) inside a learner's enqueue: the sender checkpoints
        # after it has removed sent rows (see mark_sent and Sender.drain).
        conn.execute("PRAGMA wal_autocheckpoint=0")
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection (re-opened after a fork)."""
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            local.conn = self._connect()
            local.pid = os.getpid()
        return local.conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None and getattr(self._local, "pid", None) == os.getpid():
            conn.close()
        self._local = threading.local()

    # ---- the handler's side ---------------------------------------------------------------
    def enqueue(self, statement_id: str, body: bytes) -> bool:
        """Store one statement; False if that id is already stored (sent rows excepted)."""
        conn = self.conn
        with self._write_lock:
            cur = conn.execute(
                "INSERT OR IGNORE INTO outbox (statement_id, body, enqueued_at) VALUES (?, ?, ?)",
                (statement_id, body, time.time()))
        return cur.rowcount == 1

    # ---- the sender's side ----------------------------------------------------------------
    def pending(self, limit: int, after_seq: int = 0) -> list[Row]:
        """The oldest pending rows (in enqueue order)."""
        rows = self.conn.execute(
            "SELECT seq, statement_id, body, attempts FROM outbox WHERE dead = 0 AND seq > ? "
            "ORDER BY seq LIMIT ?", (after_seq, int(limit))).fetchall()
        return [Row(seq, sid, bytes(body), attempts) for seq, sid, body, attempts in rows]

    def mark_sent(self, rows: Sequence[Row]) -> None:
        """The LRS holds these: remove them and count them."""
        if not rows:
            return
        conn = self.conn
        with self._write_lock:
            self._delete_sent(conn, rows)
        if time.monotonic() - self._last_checkpoint > CHECKPOINT_EVERY:
            self.checkpoint()

    def checkpoint(self) -> None:
        """Fold the WAL into the database file (the sender's job, at most once a second)."""
        self._last_checkpoint = time.monotonic()
        self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    @staticmethod
    def _delete_sent(conn: sqlite3.Connection, rows: Sequence[Row]) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for start in range(0, len(rows), 500):
                part = rows[start:start + 500]
                conn.execute(f"DELETE FROM outbox WHERE seq IN ({','.join('?' * len(part))})",
                             [r.seq for r in part])
            conn.execute(
                "INSERT INTO outbox_meta (key, value) VALUES ('sent_total', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = value + excluded.value", (len(rows),))
            conn.execute(
                "INSERT INTO outbox_meta (key, value) VALUES ('last_sent_at', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (time.time(),))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def mark_failed(self, rows: Sequence[Row], error: str) -> None:
        """A temporary failure: count the attempt, keep the rows pending."""
        if not rows:
            return
        conn = self.conn
        with self._write_lock:
            self._count_failure(conn, rows, error)

    @staticmethod
    def _count_failure(conn: sqlite3.Connection, rows: Sequence[Row], error: str) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?",
                [(error[:500], r.seq) for r in rows])
            conn.execute(
                "INSERT INTO outbox_meta (key, value) VALUES ('last_error', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {error[:500]}",))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def mark_dead(self, row: Row, status: int | None, reason: str) -> None:
        """The LRS refuses this statement for good: keep it as a dead letter."""
        self.conn.execute(
            "UPDATE outbox SET dead = 1, dead_at = ?, dead_status = ?, last_error = ?, "
            "attempts = attempts + 1 WHERE seq = ?", (time.time(), status, reason[:2000], row.seq))

    # ---- operators ------------------------------------------------------------------------
    def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        rows = self.conn.execute(
            "SELECT seq, statement_id, dead_status, last_error, dead_at, attempts, body "
            "FROM outbox WHERE dead = 1 ORDER BY seq LIMIT ?", (int(limit),)).fetchall()
        return [DeadLetter(seq, sid, status, reason or "", dead_at or 0.0, attempts, bytes(body))
                for seq, sid, status, reason, dead_at, attempts, body in rows]

    def requeue(self, statement_ids: Iterable[str] | None = None) -> int:
        """Make dead letters pending again (all of them when ``statement_ids`` is None)."""
        if statement_ids is None:
            cur = self.conn.execute("UPDATE outbox SET dead = 0 WHERE dead = 1")
            return cur.rowcount
        count = 0
        for sid in statement_ids:
            count += self.conn.execute(
                "UPDATE outbox SET dead = 0 WHERE dead = 1 AND statement_id = ?", (sid,)).rowcount
        return count

    def stats(self) -> dict:
        conn = self.conn
        pending, oldest = conn.execute(
            "SELECT COUNT(*), MIN(enqueued_at) FROM outbox WHERE dead = 0").fetchone()
        dead = conn.execute("SELECT COUNT(*) FROM outbox WHERE dead = 1").fetchone()[0]
        meta = dict(conn.execute("SELECT key, value FROM outbox_meta").fetchall())
        return {
            "path": self.path,
            "pending": pending,
            "dead": dead,
            "sent_total": int(meta.get("sent_total", 0)),
            "oldest_pending_age_s": round(time.time() - oldest, 1) if oldest else None,
            "last_sent_at": meta.get("last_sent_at"),
            "last_error": meta.get("last_error"),
        }

    def pending_count(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM outbox WHERE dead = 0").fetchone()[0]


_outboxes: dict[tuple[str, str], Outbox] = {}
_outboxes_lock = threading.Lock()


def shared(path: str | os.PathLike, synchronous: str = "NORMAL") -> Outbox:
    """The process-wide :class:`Outbox` for ``path`` (created on first use)."""
    key = (os.path.abspath(os.fspath(path)), synchronous.upper())
    box = _outboxes.get(key)
    if box is None:
        with _outboxes_lock:
            box = _outboxes.get(key)
            if box is None:
                box = _outboxes[key] = Outbox(key[0], synchronous=key[1])
    return box
