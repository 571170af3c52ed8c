"""The atlas exercise with stored progress that cannot be read, through the workbench's
handler URLs: the page, search and pick answer (200 or a clear 400 in the learner's
language), the grade is not lowered and nothing stored is rewritten or lost
(``atlas.exercise.read_progress`` has the rules)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.helpers.workbench import parse_olx, store_fields
from tests.runtime.test_atlas_lookup import olx

SOLVED = {"attempts": 1, "searches": 1, "solved": True, "finished": True,
          "picks": [{"kind": "unit", "id": "pk", "correct": True, "query": "kørekort"}],
          "queries": ["kørekort"]}
ODD = [{"s1": {"attempts": None}}, {"s1": "x"}, {"s1": {"attempts": 1, "picks": "pk"}},
       {"s1": {"attempts": 1, "picks": [{"kind": "unit", "id": 5}]}},
       {"s1": {"attempts": 1, "queries": 7}}]


def exercise_with(workbench, progress, student="s1", lang="en", **fields):
    sid = workbench.scenario(olx(mode="exercise", max_attempts=2))
    usage = workbench.render(sid, student=student).usage_id
    store_fields(usage, student, progress=progress, **fields)
    return sid, usage


def pick(workbench, usage, scenario, kind, id_, lang="en"):
    return workbench.call(usage, "pick", {"scenario": scenario, "kind": kind, "id": id_},
                          student="s1", lang=lang)


def test_the_notice_is_the_refused_picks_answer():
    from competency_xblock.atlas.exercise import SCENARIO_UNREADABLE
    from competency_xblock.atlas_lookup import UI_TEXT

    assert UI_TEXT["unreadable"] == SCENARIO_UNREADABLE


@pytest.mark.parametrize("progress", ODD, ids=repr)
def test_an_unreadable_scenario_is_shown_and_refused_the_others_work(workbench, progress):
    sid, usage = exercise_with(workbench, progress)
    page = workbench.render(sid, student="s1")
    assert '"unreadable": true' in page.html
    before = workbench.snapshot()
    refused = pick(workbench, usage, "s1", "unit", "pk")
    assert refused.status == 400 and "cannot be read" in refused.data["error"]
    search = workbench.call(usage, "search", {"query": "kørekort", "scenario": "s1"},
                            student="s1")
    assert search.status == 200 and search.data["total"] >= 1
    assert workbench.snapshot() == before                 # nothing counted, nothing rewritten
    assert workbench.events.of_type("grade", usage) == []
    other = pick(workbench, usage, "s2", "service", "rotter")
    assert other.status == 200 and other.data["correct"] is True
    stored = workbench.state(usage, "s1")["progress"]
    assert stored["s1"] == progress["s1"] and stored["s2"]["solved"] is True


@pytest.mark.parametrize("progress", ["x", ["x"]], ids=repr)
def test_progress_that_is_not_a_dict_takes_no_pick(workbench, progress):
    sid, usage = exercise_with(workbench, progress)
    workbench.render(sid, student="s1")
    before = workbench.snapshot()
    for scenario in ("s1", "s2"):
        refused = pick(workbench, usage, scenario, "service", "rotter", lang="da")
        assert refused.status == 400
        assert refused.data["error"].startswith("Dine tidligere svar i dette scenarie")
        assert workbench.call(usage, "search", {"query": "rotter", "scenario": scenario},
                              student="s1").status == 200
    assert workbench.snapshot() == before


def test_an_empty_list_stored_as_progress_is_a_learner_who_has_not_started(workbench):
    _sid, usage = exercise_with(workbench, [])
    assert pick(workbench, usage, "s2", "service", "rotter").data["correct"] is True


def test_a_damaged_solved_scenario_does_not_lower_the_grade(workbench):
    _sid, usage = exercise_with(workbench, {"s1": dict(SOLVED, attempts="1")},
                                raw_earned=1.0)
    done = pick(workbench, usage, "s2", "service", "rotter")
    assert done.status == 200 and done.data["score"] == {"earned": 2.0, "possible": 2}
    # s1 was solved (the stored score says so) and s2 now: 2, not the 1 readable
    assert workbench.events.of_type("grade", usage)[-1]["value"] == 2.0
    _sid, usage = exercise_with(workbench, {"s1": "x"}, raw_earned=0.0)
    done = pick(workbench, usage, "s2", "service", "rotter")
    assert workbench.events.of_type("grade", usage)[-1]["value"] == 1.0
    assert workbench.events.of_type("completion", usage) == []   # s1 is not finished


def test_report_rows_for_unreadable_progress(_django):
    block = parse_olx(olx(mode="exercise"))
    states = [SimpleNamespace(username="a", state={"progress": "x"}),
              SimpleNamespace(username="b", state="not a dict"),
              SimpleNamespace(username="c", state={"progress": {"s1": "x", "s2": SOLVED}}),
              SimpleNamespace(username="d", state={"progress": {"s1": SOLVED}})]
    rows = list(block.generate_report_data(iter(states)))
    assert [(user, row["scenario"], row["attempts"], "unreadable" in row)
            for user, row in rows] == [("a", "", "", True), ("c", "s1", "", True),
                                       ("c", "s2", 1, False), ("d", "s1", 1, False)]
    assert rows[3][1]["pick_label"] == "Pas og kørekort"
    assert len(list(block.generate_report_data(iter(states), limit_responses=2))) == 2
