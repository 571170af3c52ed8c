"""A real Ralph LRS (PyPI ralph-malph, own venv) on a free 127.0.0.1 port for this session."""
from __future__ import annotations

import pytest

from scripts.ralph_lrs import RalphServer, ensure_venv
from tests.unit.xapi import samples
from tests.unit.xapi.checks import check_all, recording_builders


@pytest.fixture(autouse=True)
def every_statement_is_valid():
    """Every statement built in these tests (workbench handlers included) passes the three
    checks: vendored xAPI JSON Schema, Ralph's BaseXapiStatement, our strict rules."""
    with recording_builders() as built:
        yield built
    check_all(built)


@pytest.fixture(scope="session")
def ralph_venv():
    """Create .venv-ralph from requirements/ralph.txt if needed (a no-op when current)."""
    return ensure_venv()


@pytest.fixture(scope="session")
def ralph(ralph_venv, tmp_path_factory):
    with RalphServer(tmp_path_factory.mktemp("ralph")) as server:
        yield server


@pytest.fixture
def fresh_ralph(ralph_venv, tmp_path):
    """A Ralph of its own (for tests that stop it, or that need an empty store)."""
    with RalphServer(tmp_path / "ralph") as server:
        yield server


def direct_settings(lrs, outbox, **extra) -> dict:
    """XBLOCK_SETTINGS for the direct transport pointing at ``lrs`` (fast backoff for tests)."""
    settings = samples.settings(xapi_outbox_path=str(outbox), xapi_backoff_base=0.05,
                                xapi_backoff_max=0.5, xapi_read_timeout=10)
    settings.update(lrs.settings())
    settings.update(extra)
    return settings
