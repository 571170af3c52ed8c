"""Spreadsheets: the framework as one CSV, and the shared CSV reading and writing rules."""
from __future__ import annotations

import pytest

from competency_xblock.competency import tabular
from competency_xblock.competency.errors import ProblemsError
from competency_xblock.competency.framework_csv import export_csv, import_csv
from competency_xblock.text import UserFacingError

from .conftest import read_data


def test_fixture_csv_equals_fixture_json(kommune):
    assert import_csv(read_data("kommune-framework.csv")) == kommune


@pytest.mark.parametrize("delimiter,bom", [(";", True), (",", False), ("\t", False)])
def test_digcomp_round_trips_through_csv(digcomp, delimiter, bom):
    text = export_csv(digcomp, delimiter=delimiter, bom=bom)
    assert text.startswith("\ufeff") == bom
    again = import_csv(text)
    assert again.to_dict() == {k: v for k, v in digcomp.to_dict().items() if k != "attribution"}


def test_emoji_and_danish_survive(kommune):
    text = export_csv(kommune)
    assert "Genkende phishing 🎣" in text and "Hjælper kollegerne 💪." in text
    assert import_csv(text).competence("phishing").title["da"] == "Genkende phishing 🎣"


def test_formula_like_cells_are_quoted_and_restored(kommune_dict):
    kommune_dict["areas"][0]["competences"][1]["description"] = {"da": "=HYPERLINK(\"x\")",
                                                                 "en": "-5 is fine"}
    from competency_xblock.competency.framework import Framework
    framework = Framework.from_dict(kommune_dict)
    text = export_csv(framework)
    assert "'=HYPERLINK" in text and "'-5 is fine" in text
    assert import_csv(text).competence("post.sende").description == {
        "da": "=HYPERLINK(\"x\")", "en": "-5 is fine"}


def test_competence_without_area_column_joins_the_area_above():
    text = ("type,id,area,title_da\nframework,f,,Ramme\nlevel,lav,,Lav\nlevel,høj,,Høj\n"
            "area,a,,Område\ncompetence,c1,,Kompetence 1\ncompetence,c2,,Kompetence 2\n")
    with pytest.raises(ProblemsError) as caught:
        import_csv(text)
    # "høj" is not a valid id (ASCII only): the problem names the spreadsheet row.
    assert [p.path for p in caught.value.problems] == ["row 4: /levels/1/id"]
    framework = import_csv(text.replace("høj", "hoej"))
    assert [c.id for c in framework.areas[0].competences] == ["c1", "c2"]
    assert framework.title == {"da": "Ramme"}


def test_every_row_problem_is_reported():
    text = ("type;id;area;title_en\nlevel;a;;A\nlevel;b;;B\nthing;x;;X\n"
            "competence;c0;nowhere;C0\narea;1;;One\ncompetence;c1;;C1\n")
    with pytest.raises(ProblemsError) as caught:
        import_csv(text)
    rendered = [p.render() for p in caught.value.problems]
    assert rendered == [
        'Unknown row type "thing"; use one of: framework, level, area, competence. '
        '(row 4, column type)',
        'The competence\'s area "nowhere" has no area row above it. (row 5, column area)',
    ]


def test_missing_header_columns():
    with pytest.raises(ProblemsError):
        import_csv("name,title\nx,y\n")


@pytest.mark.parametrize("text", ["", "\ufeff  \n"])
def test_empty_file(text):
    with pytest.raises(UserFacingError, match="empty"):
        tabular.read(text)


def test_too_big_file():
    with pytest.raises(UserFacingError, match="too big"):
        tabular.read("a\n" * (tabular.MAX_CSV_CHARS // 2 + 1))


def test_read_sniffs_delimiter_skips_blank_rows_and_numbers_lines():
    table = tabular.read("\ufeffA;B\r\n1;2\r\n;\r\n3;\"x;y\"\r\n")
    header, rows = table.header, table.rows
    assert header == ["a", "b"]
    assert table.titles == {"a": "A", "b": "B"}
    assert [(r.line, r.cells) for r in rows] == [(2, {"a": "1", "b": "2"}),
                                                  (4, {"a": "3", "b": "x;y"})]
    assert rows[1].where("b") == "row 4, column b"
