"""Role profiles: validation against the framework and CSV import/export for HR."""
from __future__ import annotations

import pytest

from competency_xblock.competency import profiles as pf
from competency_xblock.competency.errors import ProblemsError
from competency_xblock.competency.profiles import Role

from .conftest import read_data

ROLES = [Role("borgerservice", {"en": "Citizen service", "da": "Borgerservicemedarbejder"}),
         Role("sagsbehandler", {"en": "Caseworker", "da": "Sagsbehandler"})]


def test_profile_problems_cover_every_kind(digcomp):
    found = pf.profile_problems(
        {"borgerservice": {"1.1": "advanced", "9.9": "basic", "4.2": "expert"},
         "ghost": {"1.1": "basic"}, "sagsbehandler": {}},
        digcomp, ["borgerservice", "sagsbehandler", "leder"])
    assert [p.render() for p in found] == [
        'Unknown competence "9.9": it is not in the framework. (/profiles/borgerservice/9.9)',
        'Level "expert" is not on the level scale (basic, intermediate, advanced, '
        'highly_advanced). (/profiles/borgerservice/4.2)',
        'The profile is for an unknown role "ghost"; add the role first. (/profiles/ghost)',
        'Role "sagsbehandler" expects no competence; give it at least one expected level. '
        '(/profiles/sagsbehandler)',
        'Role "leder" expects no competence; give it at least one expected level. '
        '(/profiles/leder)',
    ]


def test_import_danish_excel_sheet_with_titles_and_labels(digcomp):
    result = pf.import_csv(read_data("profiles-excel-da.csv"), digcomp, ROLES)
    assert result.profiles == {
        "borgerservice": {"1.1": "advanced", "4.2": "advanced", "2.3": "advanced"},
        "sagsbehandler": {"1.1": "intermediate", "4.2": "advanced"},
        "leder": {"4.2": "advanced", "2.3": "intermediate"},
    }
    assert [(r.id, r.title) for r in result.new_roles] == [("leder", "Leder")]


def test_import_long_format(digcomp):
    result = pf.import_csv(read_data("profiles-long.csv"), digcomp, ROLES)
    assert result.profiles == {
        "borgerservice": {"1.1": "advanced", "4.2": "advanced"},
        "sagsbehandler": {"4.2": "intermediate"},
        "ny-rolle": {"5.1": "basic"},
    }
    assert [(r.id, r.title) for r in result.new_roles] == [("ny-rolle", "ny-rolle-😀")]


def test_export_then_import_is_lossless(example):
    for language in ("da", "en"):
        text = pf.export_csv(example.profiles, example.framework, example.roles,
                             language=language)
        result = pf.import_csv(text, example.framework, example.roles)
        assert result.profiles == example.profiles
        assert result.new_roles == ()


def test_export_is_a_readable_spreadsheet(example):
    text = pf.export_csv(example.profiles, example.framework, example.roles, language="da")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0] == "competence;area;title;borgerservice;sagsbehandler;administrativ;leder"
    assert lines[1].startswith("1.1;Informationssøgning, -vurdering og -håndtering;"
                               "Browsing, søgning og filtrering af information;Avanceret;Øvet")
    # 3.4 is left out for Borgerservice and caseworkers: empty cells.
    assert [ln for ln in lines if ln.startswith("3.4;")][0].endswith(";;;Grundlæggende;"
                                                                   "Grundlæggende")
    assert len(lines) == 22


def test_import_reports_every_problem_with_row_and_column(digcomp):
    text = ("competence,borgerservice,sagsbehandler\n1.1,advanced,ekspert\n9.9,basic,\n"
            "1.1,basic,basic\n4.2,5,\n")
    with pytest.raises(ProblemsError) as caught:
        pf.import_csv(text, digcomp, ROLES)
    rendered = [p.render() for p in caught.value.problems]
    assert rendered[0].startswith('"ekspert" is not a level on the scale; use one of: basic (1), '
                                  'intermediate (2)')
    assert rendered[0].endswith("(row 2, column sagsbehandler)")
    assert rendered[1] == ('Unknown competence "9.9": it is not in the framework. '
                           '(row 3, column competence)')
    assert rendered[2] == ('Competence "1.1" appears twice (first in row 2). '
                           '(row 4, column competence)')
    assert rendered[3].endswith("(row 5, column borgerservice)")


def test_import_long_format_problems(digcomp):
    text = ("role;competence;level\n;1.1;basic\nborgerservice;0.0;basic\n"
            "borgerservice;1.1;x\nborgerservice;1.2;basic\nborgerservice;1.2;advanced\n")
    with pytest.raises(ProblemsError) as caught:
        pf.import_csv(text, digcomp, ROLES)
    assert [p.path for p in caught.value.problems] == [
        "row 2, column role", "row 3, column competence", "row 4, column level",
        "row 6, column competence"]


def test_header_needs_competence_and_roles(digcomp):
    with pytest.raises(ProblemsError, match="problem"):
        pf.import_csv("role;level\nx;y\n", digcomp, ROLES)
    with pytest.raises(ProblemsError):
        pf.import_csv("competence;title\n1.1;x\n", digcomp, ROLES)


def test_new_role_ids_are_slugs_of_danish_titles(digcomp):
    result = pf.import_csv("competence;Økonomimedarbejder på Ærø\n1.1;1\n", digcomp, ROLES)
    assert result.new_roles[0].id == "oekonomimedarbejder-paa-aeroe"
    assert result.profiles == {"oekonomimedarbejder-paa-aeroe": {"1.1": "basic"}}


def test_danish_headings_and_competences_named_by_title(digcomp):
    """A sheet HR made themselves: Danish headings, a description column, competences by their
    Danish or English title, roles by title."""
    sheet = ("\ufeffKompetence;Område;Beskrivelse;Borgerservicemedarbejder;Caseworker\r\n"
             "Beskyttelse af personoplysninger og privatliv;Sikkerhed;Vigtig;Avanceret;2\r\n"
             " browsing, searching and filtering information ;Info;;1;\r\n")
    result = pf.import_csv(sheet, digcomp, ROLES)
    assert result.profiles == {"borgerservice": {"4.2": "advanced", "1.1": "basic"},
                               "sagsbehandler": {"4.2": "intermediate"}}
    assert result.new_roles == ()
    long = "Rolle,Kompetence,Niveau\nsagsbehandler,Protecting personal data and privacy,3\n"
    assert pf.import_csv(long, digcomp, ROLES).profiles == {"sagsbehandler": {"4.2": "advanced"}}


@pytest.mark.parametrize("header", [
    "competence;borgerservice;Borgerservicemedarbejder",   # the same role by id and title
    "competence;Sagsbehandler;sagsbehandler",
    "competence;kompetence;borgerservice",                  # the competence column twice
])
def test_two_columns_for_the_same_thing_are_refused(digcomp, header):
    with pytest.raises(ProblemsError) as caught:
        pf.import_csv(header + "\n1.1;basic;advanced\n", digcomp, ROLES)
    messages = [p.render() for p in caught.value.problems]
    assert any(m.startswith("Columns ") and "mean the same" in m for m in messages), messages


def test_more_role_columns_than_a_block_can_hold_are_refused_at_once(digcomp):
    sheet = "competence;" + ";".join(f"rolle {i}" for i in range(51)) + "\n1.1" + ";2" * 51
    with pytest.raises(ProblemsError) as caught:
        pf.import_csv(sheet, digcomp, ROLES)
    assert [p.render() for p in caught.value.problems] == [
        "The sheet has 51 role columns; a block has at most 50 roles. (row 1)"]
