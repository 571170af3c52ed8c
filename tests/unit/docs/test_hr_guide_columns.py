"""Every column heading the report commands write (English and Danish) is explained in the
HR guide.  The real pipeline runs on the shipped report fixtures, with every part and the
opt-in list of user names, so a new column cannot be added without documenting it."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from competency_xblock.reports import pipeline

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "data" / "reports"
GUIDE = ROOT / "docs" / "hr-guide.rst"


def headings(out: Path, language: str) -> dict[str, list[str]]:
    pipeline.run(pipeline.Options(
        inputs=[str(DATA / "problem_responses_en.csv"), str(DATA / "grade_report.csv")],
        out_dir=str(out), language=language, formats=("csv",), identities=True))
    found = {}
    for path in sorted(out.glob("*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            found[path.name] = next(csv.reader(handle, delimiter=";" if language == "da"
                                               else ","))
    return found


def explained() -> str:
    return re.sub(r"\s+", " ", GUIDE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("language", ["en", "da"])
def test_every_column_is_explained(tmp_path, language):
    written = headings(tmp_path, language)
    assert set(written) == {pipeline.FILES[k] for k in (
        "gaps_csv", "items_csv", "options_csv", "terms_csv", "scenarios_csv", "identities")}
    guide = explained()
    missing = [(name, column) for name, columns in written.items() for column in columns
               if f"``{column}``" not in guide]
    assert not missing, missing


def test_every_output_file_is_named():
    guide = explained()
    missing = [name for name in pipeline.FILES.values() if f"``{name}``" not in guide]
    assert not missing, missing
