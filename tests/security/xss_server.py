"""``python -m tests.security.xss_server ADDR:PORT``: the demo workbench plus the scenarios of
:mod:`tests.security.xss_content` (hostile author text in every field).

A separate process from the browser tests' server, so the hostile content never reaches the
scenarios other tests use.  Started by ``tests/security/test_xss_browser.py`` like the browser
tests' server (own ``WORKBENCH_VAR``, stops with the pytest process that started it).
"""
from __future__ import annotations

import os
import sys


def main(address: str) -> None:
    from tests.browser.server import _exit_with_parent, _throwaway_sqlite

    _exit_with_parent(os.getppid())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo.settings")
    os.environ.setdefault("EXCLUDE_SAMPLE_XBLOCKS", "yes")
    os.environ.setdefault("CX_DEMO_XAPI", "0")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.backends.signals import connection_created
    from workbench.scenarios import add_xml_scenario, get_scenarios

    from tests.security.xss_content import scenarios

    connection_created.connect(_throwaway_sqlite)
    call_command("migrate", run_syncdb=True, verbosity=0)
    get_scenarios()
    for name, (description, olx) in scenarios().items():
        add_xml_scenario(name, description, olx)
    call_command("runserver", address, use_reloader=False, skip_checks=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:8000")
