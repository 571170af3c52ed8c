"""Run a real Ralph LRS (PyPI ``ralph-malph``) on loopback for the tests and ``make demo``.

Ralph's server pins FastAPI/uvicorn/starlette versions that have nothing to do with Django or
XBlock, so it lives in its own virtualenv (``.venv-ralph``, pinned by
``requirements/ralph.txt``).  This script is standard library only except for the ``serve``
subcommand, which runs *inside* that venv.

    python scripts/ralph_lrs.py ensure-venv                       # create/refresh .venv-ralph
    python scripts/ralph_lrs.py start --port 8100 --dir var/ralph # background; waits until ready
    python scripts/ralph_lrs.py status --dir var/ralph            # url, user, password, pid
    python scripts/ralph_lrs.py stop --dir var/ralph
    python scripts/ralph_lrs.py statements --dir var/ralph        # GET what the LRS holds

From Python (pytest fixtures)::

    with RalphServer(directory) as lrs:   # free 127.0.0.1 port
        lrs.endpoint, lrs.auth             # for requests / XBLOCK_SETTINGS
        lrs.stop(); lrs.start()            # same port, same data

Two work-arounds for Ralph 5.1.0's file-system backend, applied in ``serve`` before the app is
imported (see docs/dev/xapi.md):

1. ``FSLRSBackend.default_operation_type = APPEND``: the stock value CREATE refuses every write
   after the first (500, "fs_lrs.jsonl already exists and overwrite is not allowed").
2. The backend's read/write history (a JSON file rewritten whole on every request, only used by
   Ralph's CLI) is not kept: it makes each request slower than the one before.
"""
from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VENV = ROOT / ".venv-ralph"
REQUIREMENTS = ROOT / "requirements" / "ralph.txt"
DEFAULT_USER = "competency"
CREDENTIALS_FILE = "credentials.json"  # plain text for us (0600); Ralph gets a bcrypt hash
PID_FILE = "ralph.pid"
LOG_FILE = "ralph.log"
PORT_FILE = "ralph.port"


def venv_python(venv: Path = DEFAULT_VENV) -> Path:
    return venv / "bin" / "python"


def ensure_venv(venv: Path = DEFAULT_VENV, python: str | None = None, quiet: bool = True) -> Path:
    """Create ``venv`` with Ralph's LRS server unless it is already there and current.

    Safe to call from several processes at once (pytest-xdist workers): one builds, the
    others wait for it.
    """
    import fcntl

    stamp = venv / ".installed"
    wanted = REQUIREMENTS.read_text(encoding="utf-8")
    venv.mkdir(parents=True, exist_ok=True)  # `python -m venv` fills an existing folder
    with open(venv / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = stamp.exists() and stamp.read_text(encoding="utf-8") == wanted
        if current and venv_python(venv).exists():
            return venv_python(venv)
        if not venv_python(venv).exists():
            subprocess.run([python or sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv_python(venv)), "-m", "pip", "install", "--disable-pip-version-check"]
        if quiet:
            pip.append("-q")
        subprocess.run([*pip, "-r", str(REQUIREMENTS)], check=True)
        stamp.write_text(wanted, encoding="utf-8")
    return venv_python(venv)


def free_port(host: str = "127.0.0.1") -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def credentials(directory: Path, user: str = DEFAULT_USER) -> tuple[str, str]:
    """The (user, password) for the LRS in ``directory``; made once, kept in the directory."""
    path = directory / CREDENTIALS_FILE
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        return data["username"], data["password"]
    directory.mkdir(parents=True, exist_ok=True)
    data = {"username": user, "password": secrets.token_urlsafe(18)}
    path.touch(mode=0o600)
    path.write_text(json.dumps(data), encoding="utf-8")
    return data["username"], data["password"]


class RalphServer:
    """A Ralph LRS process on ``host:port`` storing statements under ``directory``.

    Restartable (``stop()``/``start()``) on the same port with the same data, for fault tests.
    """

    def __init__(self, directory: os.PathLike | str, port: int | None = None,
                 host: str = "127.0.0.1", venv: Path = DEFAULT_VENV,
                 startup_timeout: float = 30.0) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("Ralph is only ever started on loopback")
        self.directory = Path(directory).resolve()
        self.host = host
        self.port = port or free_port(host)
        self.venv = venv
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen | None = None
        self.username, self.password = credentials(self.directory)

    # ---- addresses -----------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def endpoint(self) -> str:
        """The xAPI endpoint (what an LRS client is configured with)."""
        return f"{self.url}/xAPI/"

    @property
    def auth(self) -> tuple[str, str]:
        return self.username, self.password

    def settings(self) -> dict:
        """The ``XBLOCK_SETTINGS["competency_xblock"]`` keys that point the direct sender here."""
        return {"xapi_lrs_endpoint": self.endpoint, "xapi_lrs_username": self.username,
                "xapi_lrs_password": self.password}

    # ---- lifecycle -----------------------------------------------------------------------
    def command(self) -> list[str]:
        return [str(venv_python(self.venv)), str(Path(__file__).resolve()), "serve",
                "--host", self.host, "--port", str(self.port), "--dir", str(self.directory)]

    def start(self) -> RalphServer:
        if self.running():
            return self
        if not venv_python(self.venv).exists():
            raise RuntimeError(f"No Ralph venv at {self.venv}: run `python scripts/ralph_lrs.py "
                               "ensure-venv` (or `make ralph-venv`) first")
        self.directory.mkdir(parents=True, exist_ok=True)
        log = open(self.directory / LOG_FILE, "ab")  # noqa: SIM115 - owned by the child
        try:
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        finally:
            log.close()
        (self.directory / PID_FILE).write_text(str(self.process.pid), encoding="utf-8")
        (self.directory / PORT_FILE).write_text(str(self.port), encoding="utf-8")
        self.wait_ready()
        return self

    def wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"Ralph exited with {self.process.returncode}; see "
                                   f"{self.directory / LOG_FILE}")
            try:
                status, _ = self.request("GET", "/whoami")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"Ralph did not answer within {self.startup_timeout} s")

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (uvicorn finishes requests in flight), SIGKILL after ``timeout``."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        with contextlib.suppress(FileNotFoundError):
            (self.directory / PID_FILE).unlink()

    def __enter__(self) -> RalphServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- reading back --------------------------------------------------------------------
    def request(self, method: str, path: str, body: bytes | None = None,
                timeout: float = 10.0) -> tuple[int, bytes]:
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        req = urllib.request.Request(self.url + path, data=body, method=method, headers={
            "Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3",
            "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as res:  # noqa: S310 - loopback
                return res.status, res.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    def statements(self, **params: str) -> list[dict]:
        """Every statement the LRS returns for ``params`` (follows ``more`` links)."""
        from urllib.parse import urlencode

        query = {"limit": "1000", **params}
        path = "/xAPI/statements?" + urlencode(query)
        found: list[dict] = []
        while path:
            status, body = self.request("GET", path)
            if status != 200:
                raise RuntimeError(f"GET {path} -> {status}: {body[:200]!r}")
            page = json.loads(body)
            found.extend(page.get("statements", []))
            more = page.get("more") or ""
            path = more[more.index("/xAPI"):] if "/xAPI" in more else (more or None)
        return found


def xapi_settings_for(directory: os.PathLike | str, lms_root_url: str,
                      outbox_path: os.PathLike | str) -> dict:
    """``XBLOCK_SETTINGS["competency_xblock"]`` keys that send statements to the Ralph started
    in ``directory`` (empty when none was started there): for demo/settings.py."""
    directory = Path(directory)
    try:
        port = int((directory / PORT_FILE).read_text(encoding="utf-8"))
        data = json.loads((directory / CREDENTIALS_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return {"xapi_transport": "direct", "xapi_lms_root_url": lms_root_url,
            "xapi_lrs_endpoint": f"http://127.0.0.1:{port}/xAPI/",
            "xapi_lrs_username": data["username"], "xapi_lrs_password": data["password"],
            "xapi_outbox_path": str(outbox_path), "xapi_sender": "thread"}


def brief(statement: dict) -> str:
    """One line per statement: when, verb, object, result (for people reading the demo's)."""
    verb = statement.get("verb", {}).get("id", "").rsplit("/", 1)[-1]
    obj = statement.get("object", {}).get("id", "")
    result = statement.get("result", {})
    shown = {k: result[k] for k in ("response", "success", "score") if k in result}
    return f"{statement.get('timestamp', '')}  {verb:<9} {obj}  {json.dumps(shown)}"


# ---- the process inside .venv-ralph ------------------------------------------------------
def serve(host: str, port: int, directory: Path, keep_history: bool = False) -> None:
    """Run Ralph's API with the fs backend and basic auth (called in .venv-ralph)."""
    directory = directory.resolve()
    store = directory / "lrs"
    store.mkdir(parents=True, exist_ok=True)
    username, password = credentials(directory)
    auth_file = directory / "auth.json"
    os.environ.update({
        "RALPH_APP_DIR": str(directory / "app"),
        "RALPH_AUTH_FILE": str(auth_file),
        "RALPH_HISTORY_FILE": str(directory / "app" / "history.json"),
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_RUNSERVER_AUTH_BACKENDS": "basic",
        # Reading back thousands of statements in tests: fewer, larger pages.
        "RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT": "1000",
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(store),
    })
    import bcrypt

    if not auth_file.exists():
        digest = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=10)).decode("ascii")
        auth_file.write_text(json.dumps([{
            "username": username, "hash": digest, "scopes": ["all"],
            "agent": {"objectType": "Agent", "name": "competency_xblock local LRS",
                      "account": {"homePage": f"http://{host}:{port}", "name": username}},
        }], indent=2), encoding="utf-8")

    from ralph.backends.data.base import BaseOperationType
    from ralph.backends.lrs.fs import FSLRSBackend

    # Work-around 1 (see the module docstring): append instead of create.
    FSLRSBackend.default_operation_type = BaseOperationType.APPEND
    if not keep_history:
        # Work-around 2: no ever-growing history file rewritten on each request.
        FSLRSBackend.append_to_history = lambda self, event: None

    import uvicorn

    uvicorn.run("ralph.api:app", host=host, port=port, log_level="warning", access_log=False,
                timeout_graceful_shutdown=5)


# ---- command line ------------------------------------------------------------------------
def _pid(directory: Path) -> int | None:
    try:
        pid = int((directory / PID_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except OSError:
        return None
    return pid


def _server_for(directory: Path) -> RalphServer:
    port = int((directory / PORT_FILE).read_text(encoding="utf-8"))
    return RalphServer(directory, port=port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("ensure-venv", help="create .venv-ralph from requirements/ralph.txt")
    p.add_argument("--venv", type=Path, default=DEFAULT_VENV)
    p.add_argument("--python", default=None, help="interpreter for the venv (default: this one)")
    for name in ("start", "serve"):
        p = sub.add_parser(name)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8100)
        p.add_argument("--dir", type=Path, default=ROOT / "var" / "ralph")
        p.add_argument("--keep-history", action="store_true")
        if name == "start":
            p.add_argument("--venv", type=Path, default=DEFAULT_VENV)
    for name in ("stop", "status", "statements"):
        p = sub.add_parser(name)
        p.add_argument("--dir", type=Path, default=ROOT / "var" / "ralph")
        if name == "statements":
            p.add_argument("--brief", action="store_true", help="one line per statement")
    args = parser.parse_args(argv)

    if args.cmd == "ensure-venv":
        print(ensure_venv(args.venv, args.python))
        return 0
    if args.cmd == "serve":
        serve(args.host, args.port, args.dir, args.keep_history)
        return 0
    directory = args.dir.resolve()
    if args.cmd == "start":
        if _pid(directory):
            print(f"Ralph already running (pid {_pid(directory)})")
            return 0
        server = RalphServer(directory, port=args.port, host=args.host, venv=args.venv)
        server.start()
        server.process = None  # leave it running after we exit
        print(f"Ralph LRS on {server.endpoint} (user {server.username}); data in {directory}")
        return 0
    if args.cmd == "stop":
        pid = _pid(directory)
        if pid is None:
            print("Ralph is not running")
            return 0
        os.killpg(pid, signal.SIGTERM)
        for _ in range(100):
            if _pid(directory) is None:
                break
            time.sleep(0.1)
        with contextlib.suppress(FileNotFoundError):
            (directory / PID_FILE).unlink()
        print("Ralph stopped")
        return 0
    server = _server_for(directory)
    if args.cmd == "status":
        print(json.dumps({"running": _pid(directory) is not None, "endpoint": server.endpoint,
                          "username": server.username, "password": server.password,
                          "pid": _pid(directory), "data": str(directory / "lrs")}, indent=2))
        return 0
    if args.cmd == "statements":
        if _pid(directory) is None:
            print(f"Ralph is not running for {directory}: start it with `make demo` or "
                  f"`python scripts/ralph_lrs.py start --dir {args.dir}`", file=sys.stderr)
            return 1
        found = sorted(server.statements(), key=lambda st: st.get("timestamp", ""))
        if args.brief:
            print("\n".join(brief(st) for st in found))
        else:
            print(json.dumps(found, indent=2, ensure_ascii=False))
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
