"""Stored exercise progress that cannot be read: ``exercise.read_progress`` and what is built
on it (``Progress``, the report rows).  A scenario entry that cannot be read is kept as
stored, takes no pick and adds nothing; progress that is not a dict is unreadable as a whole.
"""
from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from competency_xblock.atlas.exercise import (
    SCENARIO_UNREADABLE,
    Exercise,
    Progress,
    ScenarioState,
    read_progress,
    read_scenario_state,
)
from competency_xblock.atlas.model import Atlas
from competency_xblock.atlas.report import progress_rows
from competency_xblock.atlas.views import scenario_views
from competency_xblock.text import UserFacingError

from .conftest import DATA
from .test_exercise import EXERCISE

SOLVED = {"attempts": 1, "searches": 2, "solved": True, "finished": True,
          "picks": [{"kind": "unit", "id": "borgerservice", "correct": True, "query": "flyt"}],
          "queries": ["flyt"]}
BAD_ENTRIES = ["garbage", 5, [], {"attempts": None}, {"attempts": "two"}, {"attempts": -1},
               {"attempts": True}, {"searches": 1.5}, {"solved": "yes"}, {"finished": 1},
               {"picks": "pk"}, {"picks": ["pk"]}, {"picks": [{"kind": "unit", "id": 5}]},
               {"picks": [{"kind": "unit", "id": ["a"]}]},
               {"picks": [{"kind": "unit", "id": "a", "correct": "no"}]},
               {"queries": 7}, {"queries": [None]}]


@pytest.fixture()
def exercise():
    return Exercise.from_dict(json.loads(json.dumps(EXERCISE)))


def test_a_readable_entry_is_read_with_defaults_for_missing_keys():
    assert read_scenario_state(None) == ScenarioState()
    assert read_scenario_state({}) == ScenarioState()
    state = read_scenario_state(SOLVED)
    assert (state.attempts, state.searches, state.solved, state.picks[0]["id"]) == (
        1, 2, True, "borgerservice")
    assert read_scenario_state({"attempts": 2}).picks == []


@pytest.mark.parametrize("entry", BAD_ENTRIES, ids=repr)
def test_an_entry_with_a_value_of_the_wrong_type_cannot_be_read(entry):
    assert read_scenario_state(entry) is None
    with pytest.raises(ValueError):
        ScenarioState.from_dict(entry)


@pytest.mark.parametrize("data", [None, {}, []])
def test_nothing_stored_is_a_learner_who_has_not_started(data, exercise):
    stored = read_progress(data)
    assert stored.readable and stored.entries == {}
    assert Progress(exercise, data).unreadable == set()


@pytest.mark.parametrize("entry", BAD_ENTRIES, ids=repr)
def test_an_unreadable_scenario_takes_no_pick_and_is_stored_back_as_it_was(
        small_atlas, exercise, entry):
    data = {"flyt": entry, "rotter": {"attempts": 0}}
    before = copy.deepcopy(data)
    progress = Progress(exercise, data)
    assert progress.unreadable == {"flyt"} and set(progress.states) == {"rotter"}
    with pytest.raises(UserFacingError) as caught:
        progress.pick(small_atlas, "flyt", "unit", "borgerservice")
    assert caught.value.message == SCENARIO_UNREADABLE
    assert progress.record_search("flyt", "flytning") is False
    assert progress.record_search("rotter", "rotter") is True
    assert progress.pick(small_atlas, "rotter", "service", "rotter").correct
    stored = progress.to_dict()
    assert stored["flyt"] == before["flyt"]                 # kept exactly as stored
    assert stored["rotter"]["solved"] is True and data == before
    assert progress.score() == (1, 2) and not progress.all_finished()


@pytest.mark.parametrize("data", ["x", ["x"], 5], ids=repr)
def test_progress_that_is_not_a_dict_is_unreadable_as_a_whole(small_atlas, exercise, data):
    progress = Progress(exercise, data)
    assert not progress.stored.readable and progress.unreadable == {"flyt", "rotter"}
    for scenario in ("flyt", "rotter"):
        with pytest.raises(UserFacingError, match="cannot be read"):
            progress.pick(small_atlas, scenario, "unit", "borgerservice")
        assert progress.record_search(scenario, "x") is False
    assert progress.to_dict() is data and progress.score() == (0, 2)
    with pytest.raises(UserFacingError, match="Unknown scenario"):
        progress.record_search("nope", "x")


def test_the_grade_keeps_what_an_unreadable_scenario_counted(small_atlas, exercise):
    progress = Progress(exercise, {"flyt": "garbage", "rotter": SOLVED})
    assert progress.score() == (1, 2)
    assert progress.grade(2.0) == 2.0        # flyt was solved then: it still counts
    assert progress.grade(1.0) == 1.0        # the stored 1 was rotter's
    assert progress.grade(0.0) == 1.0 and progress.grade(None) == 1.0
    assert progress.grade(5.0) == 2.0        # at most one per unreadable scenario
    assert progress.grade(True) == 1.0 and progress.grade(float("nan")) == 1.0
    assert Progress(exercise, {"rotter": SOLVED}).grade(2.0) == 1.0   # all readable
    # Solved in this request: counted once, the stored score was from before it.
    progress = Progress(exercise, {"flyt": "garbage"})
    assert progress.pick(small_atlas, "rotter", "service", "rotter").correct
    assert progress.grade(1.0) == 2.0 and progress.grade(0.0) == 1.0


def test_views_show_an_unreadable_scenario_without_its_state(small_atlas, exercise):
    progress = Progress(exercise, {"flyt": "garbage", "rotter": SOLVED})
    flyt, rotter = scenario_views(exercise, progress, small_atlas, "da")
    assert flyt["unreadable"] is True and flyt["prompt"].startswith("En borger")
    assert flyt["finished"] is False and "answer" not in flyt and "hint" not in flyt
    assert "unreadable" not in rotter and rotter["solved"] is True


def test_report_rows_mark_what_cannot_be_read(small_atlas, exercise):
    rows = list(progress_rows(exercise, {"flyt": {"attempts": "two"}, "rotter": SOLVED},
                              small_atlas, "en"))
    assert [(r["scenario"], r["attempts"], r.get("unreadable", "")[:30]) for r in rows] == [
        ("flyt", "", "The stored progress of this sc"), ("rotter", 1, "")]
    assert rows[0]["prompt"] == "A citizen has just moved here." and rows[0]["solved"] == ""
    (whole,) = progress_rows(exercise, "x", small_atlas, "en", gettext=lambda s: "X" + s)
    assert whole["scenario"] == "" and whole["unreadable"].startswith("XThis learner's")
    assert list(progress_rows(exercise, None, small_atlas, "en")) == []


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 3) | st.floats()
    | st.sampled_from(["", "x", "unit", "service", "borgerservice", "rotter"]),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["flyt", "rotter", "attempts", "searches", "solved",
                                       "finished", "picks", "queries", "kind", "id",
                                       "correct", "query"]), inner, max_size=5),
    max_leaves=20)
EXERCISE_ = Exercise.from_dict(json.loads(json.dumps(EXERCISE)))
ATLAS = Atlas.from_dict(json.loads((DATA / "small-atlas.json").read_text(encoding="utf-8")))


@settings(max_examples=300, deadline=None)
@given(data=JSON)
def test_no_stored_progress_makes_anything_raise_but_a_message(data):
    atlas = ATLAS
    before = json.dumps(data, sort_keys=True, default=str)
    progress = Progress(EXERCISE_, data)
    scenario_views(EXERCISE_, progress, atlas, "en")
    list(progress_rows(EXERCISE_, data, atlas, "en"))
    progress.grade(1.0)
    for scenario in ("flyt", "rotter"):
        progress.record_search(scenario, "rotter")
        try:
            progress.pick(atlas, scenario, "service", "rotter")
        except UserFacingError:
            pass
    progress.to_dict()
    assert json.dumps(data, sort_keys=True, default=str) == before
