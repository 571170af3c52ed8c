"""The whole run: files written, their contents, the HTML summary and what must never be
in them (names, user names, e-mail addresses)."""
from __future__ import annotations

import csv
import json
import os
import zipfile
from html.parser import HTMLParser

import pytest

from competency_xblock.reports import heatmap, pipeline
from competency_xblock.reports.errors import ReportInputError
from competency_xblock.text import UserFacingError

from .conftest import GRADES, RESPONSES_DA, RESPONSES_EN


def run(tmp_path, *inputs, **options) -> pipeline.Result:
    out = tmp_path / "out"
    options.setdefault("formats", ("csv", "xlsx", "svg", "png", "html"))
    return pipeline.run(pipeline.Options(inputs=[str(p) for p in inputs], out_dir=str(out),
                                         **options))


@pytest.fixture(scope="module")
def english(tmp_path_factory):
    return run(tmp_path_factory.mktemp("en"), RESPONSES_EN, GRADES)


def identities() -> set[str]:
    """Every user name and e-mail address in the fixture inputs."""
    found = set()
    for path in (RESPONSES_EN, GRADES):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                for key in ("username", "Username", "Email"):
                    if row.get(key):
                        found.add(row[key].casefold())
    return found


def file_texts(paths) -> dict[str, str]:
    texts = {}
    for path in paths:
        if path.endswith(".xlsx"):
            with zipfile.ZipFile(path) as book:
                texts[path] = " ".join(book.read(n).decode("utf-8", "replace")
                                       for n in book.namelist())
        else:
            with open(path, "rb") as handle:
                texts[path] = handle.read().decode("utf-8", "replace")
    return texts


def test_files_written(english):
    names = sorted(os.path.basename(p) for p in english.written)
    assert names == sorted(pipeline.FILES[k] for k in pipeline.FILES if k != "identities")
    assert english.enrolled == 40 and english.rows == 94 + 41


def test_no_names_user_names_or_emails_anywhere(english):
    people = identities()
    assert len(people) > 60
    for path, text in file_texts(english.written).items():
        folded = text.casefold()
        leaked = sorted(p for p in people if p in folded)
        assert not leaked, (path, leaked[:5])


def test_gap_csv_english(english):
    path = next(p for p in english.written if p.endswith("competence-gaps.csv"))
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    first = rows[0]
    assert (first["Grouping"], first["Role"], first["Unit"], first["Competence id"],
            first["Respondents"], first["Mean gap (levels)"], first["Share below expectation"]) \
        == ("Role", "Sagsbehandler", "All", "1.1", "15", "0.53", "0.533")
    hidden = [r for r in rows if r["Hidden (privacy)"] == "yes" and r["Respondents"] == ""]
    assert len(hidden) == 8


def test_danish_csv_uses_semicolons_and_decimal_commas(tmp_path):
    result = run(tmp_path, RESPONSES_DA, language="da", formats=("csv",), parts=("gaps",))
    (path,) = result.written
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert rows[0][:3] == ["Gruppering", "Rolle", "Enhed"]
    assert rows[1][:3] == ["Rolle", "Sagsbehandler", "Alle"]
    assert rows[1][11] == "0,53" and rows[1][12] == "0,533"


def test_xlsx_sheets_and_heat_map(english):
    openpyxl = pytest.importorskip("openpyxl")
    path = next(p for p in english.written if p.endswith(".xlsx"))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Heat map", "Competence gaps", "Quiz questions", "Quiz options",
                               "Search words", "Practice cases", "About"]
    heat = book["Heat map"]
    assert heat["A4"].value == "Sagsbehandler" and heat["B4"].value == pytest.approx(8 / 15,
                                                                                   abs=1e-4)
    assert heat["B4"].fill.fgColor.rgb.lower() == "00" + heatmap.colour(8 / 15).lstrip("#")
    gaps = book["Competence gaps"]
    assert gaps["A1"].value == "Grouping" and gaps["G2"].value == 15
    assert gaps["L2"].number_format.startswith("+0.00")
    about = {row[0].value: row[1].value for row in book["About"].iter_rows()}
    assert about["Privacy threshold k"] == "5"


def test_html_summary(english):
    path = next(p for p in english.written if p.endswith(".html"))
    text = open(path, encoding="utf-8").read()

    class Collect(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tags, self.text = [], []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)

        def handle_data(self, data):
            self.text.append(data)

    parser = Collect()
    parser.feed(text)
    body = " ".join(parser.text)
    assert "script" not in parser.tags and "link" not in parser.tags  # standalone, inert
    assert parser.tags.count("svg") == 1 and "<?xml" not in text
    assert "34 of 40 enrolled learners answered the self-assessment (85%)." in body
    assert "Sagsbehandler – 1.1 Browsing, searching and filtering data: mean gap +0.5" in body
    assert "key looks wrong" in body and "boligsikring" in body
    assert "Figures about fewer than 5 people are hidden" in body


def test_html_escapes_what_comes_from_the_reports(tmp_path):
    source = RESPONSES_EN.read_text(encoding="utf-8").replace(
        "Sagsbehandler", "<img src=x onerror=alert(1)>Sagsbehandler")
    path = tmp_path / "evil.csv"
    path.write_text(source, encoding="utf-8")
    result = run(tmp_path, path, formats=("html", "svg"))
    html = open(next(p for p in result.written if p.endswith(".html")), encoding="utf-8").read()
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;Sagsbehandler" in html


def test_usernames_only_when_asked(tmp_path):
    result = run(tmp_path, RESPONSES_EN, parts=("gaps",), formats=("csv",), identities=True)
    path = next(p for p in result.written if p.endswith("learners-below-expectation.csv"))
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # gaps > 0 in the design: 1.1: 3+2+3+2+3+4 = 17; 4.2: 1 (S/BN) + 2 (K/Æ) = 3
    assert len(rows) == 20 and all(int(r["Gap (levels)"]) > 0 for r in rows)
    assert rows[0]["User name"] == "mette.s1"


def test_criterion_grade_needs_a_grade_report(tmp_path):
    with pytest.raises(UserFacingError):
        run(tmp_path, RESPONSES_EN, parts=("quiz",), criterion="grade", formats=("csv",))
    result = run(tmp_path, RESPONSES_EN, GRADES, parts=("quiz",), criterion="grade",
                 formats=("csv",))
    # nobody who took the quiz is in the grade report: facility only, no discrimination
    assert result.items.criterion == "external"
    assert all(i.point_biserial is None for i in result.items.items)


def test_both_lms_reports_and_xapi_warns(tmp_path):
    from .test_xapi import statements

    jsonl = tmp_path / "s.jsonl"
    jsonl.write_text("\n".join(json.dumps(s) for s in statements()), encoding="utf-8")
    result = run(tmp_path, RESPONSES_EN, jsonl, formats=("csv",))
    assert any("counted twice" in w for w in result.warnings)
    assert result.statements == 30


def test_unknown_csv_is_refused(tmp_path):
    path = tmp_path / "lon.csv"
    path.write_text("Navn;Afdeling;Løn\nA;B;1\n", encoding="utf-8")
    with pytest.raises(ReportInputError) as info:
        run(tmp_path, path)
    assert info.value.line == 1 and "Navn, Afdeling, Løn" in str(info.value)


def test_k_below_five_is_refused(tmp_path):
    with pytest.raises(UserFacingError):
        run(tmp_path, RESPONSES_EN, k=4)


def test_progress_callbacks(tmp_path):
    calls = []

    def factory(label, total):
        calls.append((label, total))
        return lambda position: calls.append(position)

    run(tmp_path, RESPONSES_EN, GRADES, formats=("csv",), progress=factory)
    assert ("grade_report.csv", GRADES.stat().st_size) in calls
    assert calls[-1] is None and RESPONSES_EN.stat().st_size in calls


def test_missing_optional_package_is_explained(tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "matplotlib" else real(name, *a))
    with pytest.raises(UserFacingError) as info:
        run(tmp_path, RESPONSES_EN, parts=("gaps",), formats=("csv", "png"))
    assert "competency-xblock[reports]" in str(info.value)
