"""Every statement built in these tests passes the three checks (see checks.py)."""
from __future__ import annotations

import pytest

from tests.unit.xapi.checks import check_all, recording_builders


@pytest.fixture(autouse=True)
def every_statement_is_valid():
    with recording_builders() as built:
        yield built
    check_all(built)
