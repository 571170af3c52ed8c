"""The spreadsheet importer bounds its cells itself: the csv module's limit is process-wide
and another part of the process (the HR report reader) may have raised it."""
from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from competency_xblock.competency import tabular
from competency_xblock.text import UserFacingError


@pytest.fixture
def raised_csv_limit():
    before = csv.field_size_limit()
    csv.field_size_limit(16 * 1024 * 1024)
    yield
    csv.field_size_limit(before)


def test_an_oversized_cell_is_refused_with_its_row(raised_csv_limit):
    text = "competence;borgerservice\n1.1;2\n1.2;" + "x" * (tabular.MAX_CELL_CHARS + 1) + "\n"
    with pytest.raises(UserFacingError) as caught:
        tabular.read(text)
    assert caught.value.params == {"limit": tabular.MAX_CELL_CHARS}
    assert caught.value.path == "row 3"


def test_a_cell_at_the_limit_is_read(raised_csv_limit):
    text = "competence;note\n1.1;" + "x" * tabular.MAX_CELL_CHARS + "\n"
    assert len(tabular.read(text).rows[0].cells["note"]) == tabular.MAX_CELL_CHARS


def test_importing_the_report_reader_leaves_the_csv_limit_alone():
    code = ("import csv; before = csv.field_size_limit(); "
            "import competency_xblock.reports.csvread; print(csv.field_size_limit() == before)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[3])
    assert out.stdout.strip() == "True"
