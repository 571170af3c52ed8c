"""Fixtures for the HR reports (pure: no XBlock runtime, no Django)."""
from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "data" / "reports"
RESPONSES_EN = DATA / "problem_responses_en.csv"
RESPONSES_DA = DATA / "problem_responses_da.csv"
GRADES = DATA / "grade_report.csv"


@pytest.fixture
def write(tmp_path):
    """Write ``text`` (str or bytes) to a file under tmp_path and return its path."""
    def _write(name: str, text, encoding: str = "utf-8") -> str:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding=encoding, newline="")
        return str(path)
    return _write


@pytest.fixture(autouse=True)
def every_statement_is_valid():
    """Every xAPI statement these tests build passes the three checks (tests/unit/xapi/
    checks.py): what the reports read is what the blocks send."""
    from tests.unit.xapi.checks import check_all, recording_builders

    with recording_builders() as built:
        yield built
    check_all(built)
