"""Drain the outbox to an LRS with ``requests``: batches, timeouts, backoff with jitter.

What each answer means (docs/dev/xapi.md, "Delivery"; /work/shared/notes/xapi.md §3):

=============  ==========================================================================
200, 204       stored (or already stored identically): the rows leave the outbox. The body
               is never zipped with the request: Ralph's id list skips duplicates.
409            a statement with that id and different content exists: bisect the batch to
               find it; that one row becomes a dead letter (kept, listed, re-queueable).
400, 422       bisect; a single statement the LRS rejects becomes a dead letter.
413            halve the batch size (for the rest of this sender's life) and bisect; a single
               statement that is too large becomes a dead letter.
429, 5xx,      temporary: keep the rows, wait (``Retry-After`` if given, else exponential
network,       backoff with jitter), try again.  Nothing is ever dropped.
timeouts, 401,
403, other
=============  ==========================================================================

Delivery is at-least-once; statement ids are deterministic and the bytes never change, so the
LRS stores each statement exactly once (an identical re-POST is a no-op, 204).
"""
from __future__ import annotations

import contextlib
import email.utils
import fcntl
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from competency_xblock.xapi.config import XapiConfig
from competency_xblock.xapi.outbox import Outbox, Row

log = logging.getLogger(__name__)

MAX_RETRY_AFTER = 600.0
DEAD_STATUSES = {400, 409, 413, 422}


@dataclass
class Answer:
    status: int | None  # None: no HTTP answer (connection refused, timeout, ...)
    detail: str = ""
    retry_after: float | None = None


@dataclass
class DrainReport:
    sent: int = 0
    dead: int = 0
    requests: int = 0
    retries: int = 0
    errors: list[str] = field(default_factory=list)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = moment.timestamp() - (now if now is not None else time.time())
    return max(0.0, min(seconds, MAX_RETRY_AFTER))


class LrsClient:
    """POSTs pre-serialised statements to ``<endpoint>/statements``."""

    def __init__(self, statements_url: str, username: str = "", password: str = "",
                 version: str = "1.0.3", connect_timeout: float = 3.05,
                 read_timeout: float = 15.0) -> None:
        import requests
        from requests.adapters import HTTPAdapter

        self.url = statements_url
        self.timeout = (connect_timeout, read_timeout)
        self.session = requests.Session()
        self.session.mount("http://", HTTPAdapter(pool_connections=1, pool_maxsize=2,
                                                  max_retries=0))
        self.session.mount("https://", HTTPAdapter(pool_connections=1, pool_maxsize=2,
                                                   max_retries=0))
        if username or password:
            self.session.auth = (username, password)
        self.session.headers.update({"Content-Type": "application/json",
                                     "X-Experience-API-Version": version})
        self._errors = requests.RequestException

    @classmethod
    def from_config(cls, config: XapiConfig) -> LrsClient:
        return cls(config.statements_url, config.lrs_username, config.lrs_password,
                   config.version, config.connect_timeout, config.read_timeout)

    def post(self, bodies: Sequence[bytes]) -> Answer:
        payload = b"[" + b",".join(bodies) + b"]"
        try:
            res = self.session.post(self.url, data=payload, timeout=self.timeout)
        except self._errors as exc:
            return Answer(None, f"{type(exc).__name__}: {exc}"[:300])
        detail = "" if res.status_code in (200, 204) else res.text[:500]
        return Answer(res.status_code, detail, parse_retry_after(res.headers.get("Retry-After")))

    def close(self) -> None:
        self.session.close()


class Sender:
    """Moves rows from an :class:`Outbox` to an LRS; one instance per sending thread."""

    def __init__(self, outbox: Outbox, client: LrsClient, batch_size: int = 50,
                 backoff_base: float = 0.5, backoff_max: float = 60.0,
                 rng: random.Random | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.outbox = outbox
        self.client = client
        self.batch_size = max(1, int(batch_size))
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.rng = rng or random.Random()
        self.clock = clock
        self.failures = 0           # consecutive temporary failures
        self.retry_at = 0.0         # clock() before which we do not call the LRS

    @classmethod
    def from_config(cls, outbox: Outbox, config: XapiConfig) -> Sender:
        return cls(outbox, LrsClient.from_config(config), config.batch_size,
                   config.backoff_base, config.backoff_max)

    # ---- timing ---------------------------------------------------------------------------
    def backoff_delay(self, retry_after: float | None = None) -> float:
        """Exponential backoff with jitter (half fixed, half random); Retry-After wins if longer."""
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** max(0, self.failures - 1))
        delay = ceiling / 2 + self.rng.uniform(0, ceiling / 2)
        if retry_after is not None:
            delay = max(delay, retry_after)
        return delay

    def wait_time(self) -> float:
        return max(0.0, self.retry_at - self.clock())

    # ---- one round ------------------------------------------------------------------------
    def send_batch(self, rows: Sequence[Row], report: DrainReport) -> bool:
        """Deliver ``rows`` (bisecting as needed). False: a temporary failure, stop for now."""
        queue: list[Sequence[Row]] = [rows]
        while queue:
            chunk = queue.pop(0)
            answer = self.client.post([r.body for r in chunk])
            report.requests += 1
            status = answer.status
            if status is not None and 200 <= status < 300:
                self.outbox.mark_sent(chunk)
                report.sent += len(chunk)
                self.failures = 0
                continue
            if status in DEAD_STATUSES:
                if status == 413 and len(chunk) > 1:
                    self.batch_size = max(1, min(self.batch_size, len(chunk)) // 2)
                if len(chunk) > 1:
                    half = len(chunk) // 2
                    queue[:0] = [chunk[:half], chunk[half:]]
                    continue
                reason = f"HTTP {status}: {answer.detail}"
                log.error("xAPI statement %s refused by the LRS for good (%s); kept as a dead "
                          "letter", chunk[0].statement_id, reason)
                self.outbox.mark_dead(chunk[0], status, reason)
                report.dead += 1
                continue
            # Temporary: keep everything still unsent, back off.
            error = f"HTTP {status}: {answer.detail}" if status else answer.detail
            self.failures += 1
            delay = self.backoff_delay(answer.retry_after)
            self.retry_at = self.clock() + delay
            self.outbox.mark_failed(chunk, error)
            report.retries += 1
            if len(report.errors) < 20:
                report.errors.append(error)
            log.warning("xAPI LRS unavailable (%s); retrying in %.1f s", error, delay)
            return False
        return True

    def drain(self, stop: threading.Event | None = None, deadline: float | None = None,
              progress: Callable[[DrainReport], None] | None = None,
              wait: bool = True) -> DrainReport:
        """Send until the outbox has no pending rows (or ``stop``/``deadline``).

        With ``wait`` the sender sleeps through backoff; without it, it returns at the first
        temporary failure.  ``deadline`` is a ``time.monotonic()`` value.
        """
        report = DrainReport()
        stop = stop or threading.Event()
        while not stop.is_set():
            pause = self.wait_time()
            if pause > 0:
                if not wait:
                    break
                if deadline is not None:
                    pause = min(pause, deadline - time.monotonic())
                    if pause <= 0:
                        break
                if stop.wait(pause):
                    break
            if deadline is not None and time.monotonic() >= deadline:
                break
            rows = self.outbox.pending(self.batch_size)
            if not rows:
                break
            ok = self.send_batch(rows, report)
            if progress:
                progress(report)
            if not ok and not wait:
                break
        if report.sent:
            self.outbox.checkpoint()
        return report


# ---- one sender per outbox across processes -------------------------------------------------
class SenderLock:
    """An exclusive ``flock`` next to the outbox: at most one process drains it at a time.

    The kernel releases it when the holder dies (even by SIGKILL), so a crash never leaves
    the outbox locked.  Correctness does not depend on it (the LRS de-duplicates); it keeps
    two senders from sending the same rows twice.
    """

    def __init__(self, outbox_path: str) -> None:
        self.path = outbox_path + ".sender-lock"
        self.fd: int | None = None

    def acquire(self, timeout: float | None = 0.0) -> bool:
        if self.fd is None:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    return False
                time.sleep(0.05)

    def release(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self.fd, fcntl.LOCK_UN)
                os.close(self.fd)
            self.fd = None


class SenderThread(threading.Thread):
    """Drains the outbox in the web process, so no learner request ever waits on the LRS.

    Woken by every enqueue; also polls (rows written by other processes).  Each round takes
    the cross-process :class:`SenderLock` and lets it go when the outbox is empty.
    """

    def __init__(self, outbox: Outbox, config: XapiConfig, poll_interval: float = 2.0) -> None:
        super().__init__(name="competency-xapi-sender", daemon=True)
        self.outbox = outbox
        self.config = config
        self.poll_interval = poll_interval
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.sender = Sender.from_config(outbox, config)
        self.lock = SenderLock(outbox.path)

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                if self.lock.acquire(timeout=0):
                    try:
                        self.sender.drain(stop=self.stopping, wait=False)
                    finally:
                        self.lock.release()
            except Exception:  # noqa: BLE001 - the sender must outlive any one failure
                log.exception("xAPI sender round failed; retrying")
                self.sender.failures += 1
                self.sender.retry_at = time.monotonic() + self.sender.backoff_delay()
            timeout = max(self.sender.wait_time(), 0.0) or self.poll_interval
            self.wake.wait(timeout)
            self.wake.clear()

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping.set()
        self.wake.set()
        self.join(timeout)
        self.sender.client.close()
