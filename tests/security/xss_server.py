"""``python -m tests.security.xss_server ADDR:PORT``: the demo workbench plus the scenarios of
:mod:`tests.security.xss_content` (hostile author text in every field).

A separate process from the browser tests' server, so the hostile content never reaches the
scenarios other tests use.  Started by ``tests/security/test_xss_browser.py`` like the browser
tests' server (own ``WORKBENCH_VAR``, stops with the pytest process that started it).
"""
from __future__ import annotations

import sys


def main(address: str) -> None:
    from tests.browser.server import serve
    from tests.security.xss_content import scenarios

    serve(address, scenarios, CX_DEMO_XAPI="0")

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:8000")
