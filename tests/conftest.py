"""Shared fixtures: the in-process workbench for runtime tests."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def _django(tmp_path_factory):
    from tests.helpers.workbench import setup_django

    setup_django(str(tmp_path_factory.mktemp("workbench-var")))


@pytest.fixture
def workbench(_django):
    from tests.helpers.workbench import Workbench

    bench = Workbench()
    yield bench
    bench.close()
