"""Fixtures for the security tests: one in-process workbench per test module."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
SECURITY_DATA = DATA / "security"
RESULTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "security"


@pytest.fixture(scope="module")
def bench(_django):
    from tests.helpers.workbench import Workbench

    workbench = Workbench()
    yield workbench
    workbench.close()


def record_figures(name: str, figures) -> None:
    """Keep the figures of a run (payloads per handler, time) for the closing note."""
    import os

    RESULTS.mkdir(parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    (RESULTS / f"{name}-{worker}.json").write_text(json.dumps(figures, indent=1,
                                                              ensure_ascii=False))


def stored(bench) -> dict:
    """``bench.snapshot()`` without rows holding ``{}``: the workbench creates those on a mere
    read, so they are no stored change (a row that loses its content still shows)."""
    return {key: state for key, state in bench.snapshot().items() if state != "{}"}


class Listener:
    """A loopback TCP listener that records every connection (HTTP, FTP or anything else)."""

    def __init__(self) -> None:
        import socket
        import threading

        self.connections: list[bytes] = []
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self._socket.settimeout(0.1)
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:

        while not self._stop.is_set():
            try:
                conn, _ = self._socket.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(0.5)
                try:
                    first = conn.recv(1024)
                except OSError:
                    first = b""
                self.connections.append(first)
                try:
                    conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/xml\r\n\r\n"
                                 b'<!ENTITY leak "NETWORK-CANARY">')
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._socket.close()


class FileTrap:
    """A named pipe that records whether anything tried to open it.

    Any reader (Python, libxml2, a subprocess) blocks in ``open()`` until a writer appears; a
    background thread keeps trying to open the writing end without blocking, which succeeds
    only while someone has the pipe open for reading.  The trap then writes a canary and
    records the access.
    """

    CANARY = "FILE-CANARY-7d1f"

    def __init__(self, folder: Path) -> None:
        import os
        import threading

        self.path = folder / "trap.xml"
        os.mkfifo(self.path)
        self.url = self.path.as_uri()
        self.opened = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        import errno
        import os

        while not self._stop.is_set():
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as error:
                if error.errno != errno.ENXIO:
                    raise
                self._stop.wait(0.005)
                continue
            self.opened += 1
            try:
                os.write(fd, f'<!ENTITY leak "{self.CANARY}">{self.CANARY}'.encode())
            except OSError:
                pass
            os.close(fd)
            self._stop.wait(0.05)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


@pytest.fixture
def file_trap(tmp_path):
    trap = FileTrap(tmp_path)
    yield trap
    trap.close()


#: "Refused quickly": at most this much CPU time for one hostile file or request.  CPU time of
#: this process, not wall time, so two cores shared by a parallel suite do not make it flaky;
#: waiting on the network or a file costs no CPU, so the wall time has its own, looser bound
#: (and the Listener/FileTrap see any access anyway).
QUICK_CPU = 2.0
QUICK_WALL = 15.0
TIMES: list[dict] = []


class Stopwatch:
    """``with Stopwatch("what") as watch: ...`` then ``watch.check()``; every run's wall and
    CPU seconds are kept in ``TIMES`` for the closing note (test-artifacts/security/)."""

    def __init__(self, label: str = "") -> None:
        import os

        self.label = label or os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0]
        self.wall = self.cpu = 0.0

    def __enter__(self) -> Stopwatch:
        import time

        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        import time

        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu
        TIMES.append({"case": self.label, "wall_s": round(self.wall, 3),
                      "cpu_s": round(self.cpu, 3)})

    def check(self) -> None:
        assert self.cpu < QUICK_CPU, f"{self.label}: {self.cpu:.2f} s of CPU"
        assert self.wall < QUICK_WALL, f"{self.label}: {self.wall:.2f} s"


@pytest.fixture(scope="session", autouse=True)
def _record_times():
    yield
    if TIMES:
        record_figures("hostile-file-times", sorted(TIMES, key=lambda t: -t["cpu_s"]))
