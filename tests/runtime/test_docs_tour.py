"""The quickstart's tour of the demo (docs/quickstart.rst) does what it says, through the
workbench's handler URLs with CSRF: the scenarios it describes, the searches it suggests, the
staff and Studio views it points to."""
from __future__ import annotations

import re

import pytest

from tests.unit.docs.rst_examples import DOCS

TOUR = " ".join((DOCS / "quickstart.rst").read_text(encoding="utf-8").split())


def _scenario_olx(cls, index: int) -> str:
    return cls.workbench_scenarios()[index][1]


def test_tour_self_assessment_scenarios(_django):
    from competency_xblock.self_assessment import CompetencySelfAssessmentXBlock as Block
    from tests.helpers.workbench import parse_olx

    assert "The second scenario fixes the role and unit and grades participation" in TOUR
    second = parse_olx(_scenario_olx(Block, 1))
    assert second.graded is True
    assert second.setup.get("fixed_role") and second.setup.get("fixed_unit")
    assert "the third fixes only the role (caseworkers)" in TOUR
    third = parse_olx(_scenario_olx(Block, 2))
    assert third.setup.get("fixed_role") == "sagsbehandler" and not third.setup.get("fixed_unit")


def test_tour_quiz_scenarios_and_reload(workbench):
    from competency_xblock.quiz import DataSecurityQuizXBlock as Block
    from tests.helpers.workbench import parse_olx

    assert "Reload during an attempt: the same questions come back" in TOUR
    usage = workbench.render("data_security_quiz.0", student="tour-quiz").usage_id
    first = workbench.call(usage, "load", {}, student="tour-quiz")
    again = workbench.call(usage, "load", {}, student="tour-quiz")
    assert first.status == again.status == 200
    ids = [q["id"] for q in first.data["attempt"]["questions"]]
    assert len(ids) == 10 and ids == [q["id"] for q in again.data["attempt"]["questions"]]
    assert first.data["status"]["max_attempts"] == 3
    assert "The second scenario draws two questions per topic and always shows the answers" \
        in TOUR
    second = parse_olx(_scenario_olx(Block, 1))
    assert (second.draw_mode, second.questions_per_attempt, second.show_answer) == \
        ("per_topic", 2, "always")


@pytest.mark.parametrize(("query", "expect"), [
    ("boligstøte", "Boligstøtte"),   # "try a typo"
    ("23.05", None),                 # "a KLE number"
    ("aeldre", "ldre"),              # "or aeldre" (æ written ae)
])
def test_tour_lookup_searches_find_services(workbench, query, expect):
    assert query in TOUR
    usage = workbench.render("atlas_lookup.1", student="tour-atlas").usage_id
    found = workbench.call(usage, "search", {"query": query}, student="tour-atlas")
    assert found.status == 200 and found.data["status"] == "ok", found.data
    titles = [hit["title"] for hit in found.data["hits"]]
    assert titles, found.data
    if expect:
        assert any(expect in title for title in titles[:3]), titles[:3]
    else:
        assert found.data["kle_prefix"] == query
        assert all(any(k.startswith(query) for k in hit["kle"]) for hit in found.data["hits"])


def test_tour_candidate_soegeord_for_staff(workbench):
    assert "Search for something that does not exist, then open the lookup as" in TOUR
    usage = workbench.render("atlas_lookup.1", student="tour-gap").usage_id
    missing = workbench.call(usage, "search", {"query": "zyxwvuq"}, student="tour-gap")
    assert missing.status == 200 and missing.data["status"] == "no_hits"
    staff = workbench.call(usage, "staff_gaps", {}, student="staff")
    assert staff.status == 200
    assert "zyxwvuq" in [row["term"] for row in staff.data["candidates"]]


def test_tour_exercise_and_inline_atlas(workbench):
    from competency_xblock.atlas_lookup import AtlasLookupXBlock as Block
    from tests.helpers.workbench import parse_olx

    assert "search for *flytning*" in TOUR
    page = workbench.render("atlas_lookup.0", student="tour-ex", lang="da")
    assert 'lang="da"' in page.html
    found = workbench.call(page.usage_id, "search", {"query": "flytning"}, student="tour-ex",
                           lang="da")
    assert found.status == 200 and found.data["total"] > 0
    assert "The third atlas scenario stores a two-service atlas in the block itself" in TOUR
    inline = parse_olx(_scenario_olx(Block, 2))
    assert len(inline.inline_atlas["services"]) == 2


def test_tour_studio_url_shows_the_quiz_import_panel(workbench):
    url = re.search(r"``(/scenario/data_security_quiz\.0/studio_view/)``", TOUR)
    assert url and "with the question import panel" in TOUR
    page = workbench.render("data_security_quiz.0", student="staff", view="studio_view")
    assert "data-cx-studio-form" in page.html and "data-cx-quiz-studio" in page.html
