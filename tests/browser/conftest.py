"""Browser fixtures: the demo workbench in a subprocess and Debian's Chromium via Playwright.

The server is ``python -m tests.browser.server``: the same workbench and settings as
``make demo`` plus a few test-only scenarios (two blocks on one page, a small quiz with known
answers, one scenario per Studio-edit test), on a free loopback port with its own ``var/``
folder, so these tests see exactly what a person sees.  One server per pytest process (each
xdist worker starts its own); helpers for axe, keyboard, screenshots and layout live in
``tests/browser/helpers.py``.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
    # Headless Chromium 15x still starts a GPU process for software rendering; when it dies
    # (seen under load: exit code 5) Chromium aborts the whole browser after a few restarts.
    "--disable-gpu-process-crash-limit",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("Debian's chromium is missing: run `make test` (it installs it) "
                    "or `apt-get install chromium`.")
    return path


class _Server:
    """The workbench subprocess of this pytest process (one per xdist worker)."""

    def __init__(self, module: str = "tests.browser.server") -> None:
        self.var = Path(tempfile.mkdtemp(prefix="cx-browser-var-"))
        self.url = f"http://127.0.0.1:{_free_port()}"
        env = {**os.environ, "WORKBENCH_VAR": str(self.var), "PYTHONUNBUFFERED": "1"}
        self.log = open(self.var / "server.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, self.url.rsplit("/", 1)[1]],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_until_ready(self, seconds: float = 90) -> str:
        deadline = time.monotonic() + seconds
        while True:
            try:
                urllib.request.urlopen(self.url + "/", timeout=2).read()
                return self.url
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("demo server did not start:\n"
                                       + (self.var / "server.log").read_text()) from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()
        shutil.rmtree(self.var, ignore_errors=True)


_server: _Server | None = None


def _start_server(config) -> _Server:
    global _server
    if _server is None:
        _server = _Server()
        config.add_cleanup(_server.stop)
    return _server


@pytest.hookimpl(trylast=True)   # after -m/-k deselection
def pytest_collection_modifyitems(session, config, items):
    """Boot the workbench (a few seconds: tables, scenarios) while Chromium starts and other
    tests run, as soon as this process knows it has browser tests to run."""
    if os.environ.get("CX_BROWSER_SERVER") or config.option.collectonly:
        return
    if any(item.get_closest_marker("browser") for item in items):
        _start_server(config)


@pytest.fixture(scope="session")
def live_server(request):
    reuse = os.environ.get("CX_BROWSER_SERVER")
    if reuse:
        # While writing tests: `python -m tests.browser.server 127.0.0.1:8765` in another
        # shell, then CX_BROWSER_SERVER=http://127.0.0.1:8765 pytest tests/browser/...
        return reuse.rstrip("/")
    return _start_server(request.config).wait_until_ready()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.cx_failed = report.failed


_chromium = None


def shared_browser(config):
    """One Playwright and one Chromium per pytest process, whichever test folder asks (two
    sync Playwright instances cannot run in one thread); closed when the session ends."""
    global _chromium
    if _chromium is None:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        _chromium = playwright.chromium.launch(executable_path=chromium_path(),
                                               args=CHROMIUM_ARGS)

        def stop() -> None:
            global _chromium
            _chromium.close()
            playwright.stop()
            _chromium = None

        config.add_cleanup(stop)
    return _chromium


@pytest.fixture(scope="session")
def browser(request):
    return shared_browser(request.config)


def _open_tab(context):
    """A new page whose console errors, page errors and HTTP errors collect in ``.errors``."""
    tab = context.new_page()
    tab.errors = []

    def on_console(msg):
        # The workbench serves no favicon; Chromium's request for it is not our page's error.
        if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico"):
            tab.errors.append(f"{msg.text} ({msg.location.get('url')})")

    tab.on("console", on_console)
    tab.on("pageerror", lambda exc: tab.errors.append(str(exc)))
    tab.on("response", lambda r: tab.errors.append(f"HTTP {r.status} {r.url}")
           if r.status >= 400 else None)
    return tab


def save_screenshot(request, tab, prefix: str = "", suffix: str = "") -> None:
    """The page as it is, as test-artifacts/<prefix><test name><suffix>.png (an artifact, not
    a result: a page that cannot be photographed any more is skipped)."""
    ARTIFACTS.mkdir(exist_ok=True)
    name = request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
    try:
        tab.screenshot(path=str(ARTIFACTS / f"{prefix}{name}{suffix}.png"), full_page=True)
    except Exception:  # noqa: BLE001 - a screenshot is an artifact, not a result
        pass


@pytest.fixture
def page(browser, request):
    """A fresh page; console errors and page errors are collected in ``page.errors``.  Its
    last state is saved as test-artifacts/<test name>.png (unless the test saved its own
    named screenshots and passed)."""
    context = browser.new_context(locale="en-US")
    tab = _open_tab(context)
    yield tab
    # Tests that save named screenshots of their final states (helpers.snap) skip this one,
    # unless they failed: then the page as it was is what helps.
    if getattr(request.node, "cx_failed", False) or not getattr(tab, "cx_snapped", False):
        save_screenshot(request, tab)
    context.close()


@pytest.fixture
def page_factory(browser, request):
    """``make(**context_options)`` -> a page in a new context (viewport, device_scale_factor,
    ...); the workbench's bare /view/ pages work too (see STUDENT_ID_SHIM).  When the test
    fails, each page's last state is saved as test-artifacts/<test name>-<n>.png."""
    from tests.browser.helpers import STUDENT_ID_SHIM

    contexts, tabs = [], []

    def make(**options):
        options.setdefault("locale", "en-US")
        context = browser.new_context(**options)
        context.add_init_script(STUDENT_ID_SHIM)
        contexts.append(context)
        tabs.append(_open_tab(context))
        return tabs[-1]

    yield make
    if getattr(request.node, "cx_failed", False):
        for number, tab in enumerate(tabs):
            save_screenshot(request, tab, suffix=f"-{number}")
    for context in contexts:
        context.close()


from tests.browser.helpers import axe_violations  # noqa: E402,F401 - used by older tests
