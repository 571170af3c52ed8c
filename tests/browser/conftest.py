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


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    reuse = os.environ.get("CX_BROWSER_SERVER")
    if reuse:
        # While writing tests: `python -m tests.browser.server 127.0.0.1:8765` in another
        # shell, then CX_BROWSER_SERVER=http://127.0.0.1:8765 pytest tests/browser/...
        yield reuse.rstrip("/")
        return
    port = _free_port()
    var = tmp_path_factory.mktemp("browser-var")
    env = {**os.environ, "WORKBENCH_VAR": str(var), "PYTHONUNBUFFERED": "1"}
    log = open(var / "server.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "tests.browser.server", f"127.0.0.1:{port}"],
                               cwd=ROOT,
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/", timeout=2).read()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("demo server did not start:\n"
                                   + (var / "server.log").read_text()) from None
            time.sleep(0.3)
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request):
    """A fresh page; console errors and page errors are collected in ``page.errors``."""
    context = browser.new_context(locale="en-US")
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
    yield tab
    ARTIFACTS.mkdir(exist_ok=True)
    name = request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
    try:
        tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    except Exception:  # noqa: BLE001 - a screenshot is an artifact, not a result
        pass
    context.close()


from tests.browser.helpers import axe_violations  # noqa: E402,F401 - used by older tests
