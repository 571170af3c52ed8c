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


@pytest.fixture
def xapi_openedx(_django):
    """xAPI on, through the LMS's event bus: each statement becomes a runtime event the test
    sees."""
    import copy

    from django.conf import settings
    from django.test import override_settings

    bucket = copy.deepcopy(settings.XBLOCK_SETTINGS)
    bucket["competency_xblock"].update({"xapi_transport": "openedx",
                                        "xapi_lms_root_url": "https://lms.kommune.invalid"})
    with override_settings(XBLOCK_SETTINGS=bucket):
        yield
