"""The HR guide's worked example is the real output of scripts/hr_worked_example.py.

The script runs in a subprocess (it starts its own workbench with its own database), and
every table the guide marks with ``.. hr-example: <file>`` must appear row for row, in the
columns the guide shows, in that output file.
"""
from __future__ import annotations

import csv
import html
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "hr-guide.rst"
MARK = re.compile(r"^\.\. hr-example: (\S+)\n\n\.\. csv-table::\n   :header: (.*?)\n\n"
                  r"((?:   .*\n)+)", re.M)


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    out = tmp_path_factory.mktemp("hr-example")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "hr_worked_example.py"), "--out",
                    str(out), "--no-static"], cwd=ROOT, check=True, capture_output=True,
                   timeout=300)
    return out


def quoted_tables() -> list[tuple[str, list[str], list[list[str]]]]:
    text = GUIDE.read_text(encoding="utf-8")
    found = []
    for name, header, body in MARK.findall(text):
        headings = next(csv.reader(io.StringIO(header), skipinitialspace=True))
        rows = [r for r in csv.reader(io.StringIO(body), skipinitialspace=True) if r]
        found.append((name, headings, rows))
    return found


def test_every_figure_in_the_prose_is_one_of_the_quoted_tables():
    """Decimal figures in the walk-through are copied from the tables (checked below)."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("A worked example from the demo\n"):
                   text.index("When something is wrong with a file\n")]
    prose = re.sub(r"^\.\. (?:csv-table|code-block)::.*\n(?:   .*\n|\n)*", "", section,
                   flags=re.M)
    figures = set(re.findall(r"(?<![\d.])-?\d+\.\d{2,3}(?!\d|\.\d)", prose))
    quoted = {value for _, _, rows in quoted_tables() for row in rows for value in row}
    assert figures, "no figures found in the walk-through"
    assert figures <= quoted, sorted(figures - quoted)


def test_the_guide_quotes_every_table_kind():
    names = {name for name, _, _ in quoted_tables()}
    assert names == {"competence-gaps.csv", "quiz-questions.csv", "atlas-practice-cases.csv",
                     "atlas-search-words.csv"}


def test_every_quoted_row_is_in_the_output(example):
    for name, headings, rows in quoted_tables():
        with open(example / "hr-rapport" / name, encoding="utf-8-sig", newline="") as handle:
            produced = list(csv.DictReader(handle))
        missing = [h for h in headings if h not in produced[0]]
        assert not missing, (name, missing)
        shown = {tuple(r[h] for h in headings) for r in produced}
        for row in rows:
            assert len(row) == len(headings), (name, row)
            assert tuple(row) in shown, (name, row)


def _script():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import hr_worked_example as script
    finally:
        sys.path.pop(0)
    return script


def _guide_block(marker: str) -> str:
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index(f".. hr-example: {marker}\n")
    return text[start:text.index("\n\n", text.index("\n\n", start) + 2)]


def test_the_guide_counts_learners_as_the_script_makes_them():
    from competency_xblock.competency.content import example_dict

    script = _script()
    setup = example_dict()
    roles = {r["id"]: r["title"]["en"] for r in setup["roles"]}
    units = {u["id"]: u["title"]["en"] for u in setup["units"]}
    lines = [line for line in _guide_block("learners").splitlines() if line and
             not line.startswith(("..", "="))]
    columns = [m.start() for m in re.finditer(r"(?<=  )\S", lines[0])]
    header = [lines[0][a:b].strip() for a, b in zip(columns, [*columns[1:], None], strict=True)]
    shown = {}
    for line in lines[1:]:
        role = line[:columns[0]].strip()
        for unit, start, end in zip(header, columns, [*columns[1:], None], strict=True):
            if line[start:end].strip():
                shown[role, unit] = int(line[start:end])
    made = {(roles[r], units[u]): n for r, u, n in script.GROUPS}
    assert shown == made
    text = GUIDE.read_text(encoding="utf-8")
    assert f"{sum(made.values())} learners in three roles and three units" in text
    assert text.count("Six of the eight Borgerservice") == 1 and script.REASSESSED == 6
    assert made["Citizen service (Borgerservice)", "Citizen Service"] == 8
    small = [key for key, n in made.items() if n < 5]
    assert small == [("Citizen service (Borgerservice)", "Social Affairs and Health")]
    assert "Only 3 Borgerservice staff work in Social Affairs and Health" in text


def test_suppression_is_as_the_guide_describes(example):
    text = " ".join(GUIDE.read_text(encoding="utf-8").split())
    with open(example / "hr-rapport" / "competence-gaps.csv", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    hidden = {(r["Grouping"], r["Role"], r["Unit"]) for r in rows
              if r["Hidden (privacy)"] == "yes"}
    assert hidden == {("Role and unit", "Citizen service (Borgerservice)", "Job Centre"),
                      ("Role and unit", "Citizen service (Borgerservice)",
                       "Social Affairs and Health"),
                      ("Role and unit", "Manager", "Job Centre"),
                      ("Role and unit", "Manager", "Social Affairs and Health")}
    assert ("So four groups are hidden (Borgerservice and Manager, each in Job Centre and in "
            "Social Affairs and Health)") in text
    roles: dict[str, int] = {}
    for role, _, count in _script().GROUPS:
        roles[role] = roles.get(role, 0) + count
    assert f"every role has {min(roles.values())} learners or more" in text
    assert f"is all {roles['borgerservice']} of that role" in text
    with open(example / "hr-rapport" / "quiz-questions.csv", encoding="utf-8-sig") as handle:
        responses = [int(r["Responses"]) for r in csv.DictReader(handle) if r["Responses"]]
    assert f"few responses ({max(responses)} at most)" in text


def test_the_summary_excerpt_is_in_the_summary(example):
    page = (example / "hr-rapport" / "hr-summary.html").read_text(encoding="utf-8")
    flat = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", re.sub(
        r"<(svg|style)\b.*?</\1>", " ", page, flags=re.S))).split())
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index(".. code-block:: text\n\n", text.index(".. hr-example: hr-summary.html"))
    body = re.match(r"((?:   .*\n)+)", text[start + len(".. code-block:: text\n\n"):])
    lines = [line.strip() for line in body.group(1).splitlines()]
    assert len(lines) >= 3
    assert " ".join(lines) in flat


def test_white_cells_are_the_competences_a_profile_leaves_out(example):
    from competency_xblock.competency.content import example_dict

    setup = example_dict()
    text = " ".join(GUIDE.read_text(encoding="utf-8").split())
    with open(example / "hr-rapport" / "competence-gaps.csv", encoding="utf-8-sig") as handle:
        asked = {(r["Role"], r["Competence id"]) for r in csv.DictReader(handle)
                 if r["Grouping"] == "Role"}
    every = {c for _, c in asked}
    missing = {r["title"]["en"]: sorted(every - {c for role, c in asked
                                                 if role == r["title"]["en"]})
               for r in setup["roles"] if r["id"] in {g[0] for g in _script().GROUPS}}
    assert missing == {"Citizen service (Borgerservice)": ["3.4"],
                       "Caseworker": ["3.4", "4.4"], "Manager": []}
    assert "3.4 for Citizen service, 3.4 and 4.4 for Caseworker." in text


def test_the_report_input_and_the_bold_figures(example):
    script = _script()
    text = GUIDE.read_text(encoding="utf-8")
    assert f"``fiktiv-{len(script.learners()):02d}``" in text
    assert f"\n{len(script.learners())} learners in three roles" in text.replace(
        "same by hand).  ", "\n")
    with open(example / "student_state_fiktivt_eksempel.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["username"] for r in rows} == {name for name, _, _ in script.learners()}
    assert rows[0]["block_key"].startswith("block-v1:") and rows[0]["state"].startswith("{")
    # The prose figures are those of the quoted gap table.
    with open(example / "hr-rapport" / "competence-gaps.csv", encoding="utf-8-sig") as handle:
        gaps = {(r["Role"], r["Competence id"]): r for r in csv.DictReader(handle)
                if r["Grouping"] == "Role"}
    front_desk = "Citizen service (Borgerservice)"
    largest = max(gaps.values(), key=lambda r: float(r["Mean gap (levels)"] or "-9"))
    assert (largest["Role"], largest["Competence id"]) == (front_desk, "4.2")
    assert f"**{gaps[front_desk, '4.2']['Mean gap (levels)']}**" in text
    assert f"**{gaps[front_desk, '3.1']['Mean gap (levels)']}**" in text
    assert f"**{gaps[front_desk, '3.1']['Change in gap since previous round']}**" in text
    assert (example / "hr-rapport" / "competence-heatmap.png").stat().st_size > 1000
    for made, shown in script.STATIC.items():
        assert (example / "hr-rapport" / made).stat().st_size > 1000
        assert (ROOT / "docs" / "_static" / shown).is_file()
        assert f".. image:: _static/{shown}" in text
