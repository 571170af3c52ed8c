"""Referral exercises: grading picks, hints, explanations, attempts."""
from __future__ import annotations

import json

import pytest

from competency_xblock.atlas.exercise import Exercise, Progress
from competency_xblock.text import UserFacingError

EXERCISE = {
    "max_attempts": 2,
    "scenarios": [
        {"id": "flyt", "prompt": {"da": "En borger er lige flyttet til kommunen.",
                                  "en": "A citizen has just moved here."},
         "answer": {"units": ["borgerservice"]},
         "hint": {"da": "Søg på flytning.", "en": "Search for flytning."},
         "explanation": {"da": "Flytning meldes til Borgerservice.", "en": "Borgerservice."}},
        {"id": "rotter", "prompt": "Rotter i haven.", "answer": {"services": ["rotter"]},
         "hint": "Søg på rotter.", "explanation": "Natur og Miljø."},
    ],
}


@pytest.fixture()
def exercise():
    return Exercise.from_dict(json.loads(json.dumps(EXERCISE)))


def test_correct_pick_by_unit_or_by_a_service_of_the_unit(small_atlas, exercise):
    progress = Progress(exercise)
    outcome = progress.pick(small_atlas, "flyt", "service", "flytteanmeldelse")
    assert outcome.correct and outcome.finished
    assert outcome.explanation["da"].startswith("Flytning")
    assert outcome.answer_units == ("borgerservice",)
    # a service of a sub-unit of the answer unit is right too
    progress = Progress(exercise)
    assert progress.pick(small_atlas, "flyt", "service", "koerekort").correct
    progress = Progress(exercise)
    assert progress.pick(small_atlas, "flyt", "unit", "borgerservice").correct


def test_wrong_pick_gives_hint_then_explanation(small_atlas, exercise):
    progress = Progress(exercise)
    first = progress.pick(small_atlas, "rotter", "service", "skadedyr")
    assert not first.correct and not first.finished
    assert first.hint == "Søg på rotter." and first.explanation == ""
    assert first.attempts_left == 1 and first.answer_services == ()
    second = progress.pick(small_atlas, "rotter", "unit", "natur")
    assert not second.correct and second.finished      # a unit is not the asked service
    assert second.explanation == "Natur og Miljø." and second.hint == ""
    assert second.answer_services == ("rotter",)
    with pytest.raises(UserFacingError, match="already finished"):
        progress.pick(small_atlas, "rotter", "service", "rotter")
    assert progress.score() == (0, 2)
    # the pick that finished it, sent again (a double click): the same answer, not counted
    again = progress.pick(small_atlas, "rotter", "unit", "natur")
    assert again.replayed and not again.correct and again.finished
    assert again.explanation == second.explanation and again.attempts == second.attempts
    assert progress.states["rotter"].attempts == 2 and len(progress.states["rotter"].picks) == 2


def test_unlimited_attempts_and_score(small_atlas, exercise):
    progress = Progress(exercise, max_attempts=0)
    for _ in range(5):
        outcome = progress.pick(small_atlas, "rotter", "service", "pas")
        assert outcome.attempts_left is None and not outcome.finished
    assert progress.pick(small_atlas, "rotter", "service", "rotter").correct
    assert progress.score() == (1, 2)
    assert not progress.all_finished()


def test_state_round_trip_and_searches(small_atlas, exercise):
    progress = Progress(exercise)
    progress.record_search("flyt", "  flytning   til  kommunen ")
    progress.record_search("flyt", "x" * 500)
    progress.pick(small_atlas, "flyt", "unit", "aeldre")
    again = Progress(exercise, json.loads(json.dumps(progress.to_dict())))
    state = again.states["flyt"]
    assert state.searches == 2 and state.attempts == 1
    assert state.queries[0] == "flytning til kommunen" and len(state.queries[1]) == 200
    assert state.picks[0] == {"kind": "unit", "id": "aeldre", "correct": False,
                              "query": "x" * 200}


def test_bad_picks_are_refused(small_atlas, exercise):
    progress = Progress(exercise)
    with pytest.raises(UserFacingError, match="Unknown scenario"):
        progress.pick(small_atlas, "nope", "unit", "aeldre")
    with pytest.raises(UserFacingError, match="not in the atlas"):
        progress.pick(small_atlas, "flyt", "unit", "ghost")
    with pytest.raises(UserFacingError, match="unit or a service"):
        progress.pick(small_atlas, "flyt", "team", "aeldre")
    assert progress.states["flyt"].attempts == 0       # nothing changed


def test_exercise_validation(small_atlas):
    with pytest.raises(UserFacingError):
        Exercise.from_dict({"scenarios": []})
    with pytest.raises(UserFacingError, match="Duplicate scenario"):
        Exercise.from_dict({"scenarios": [EXERCISE["scenarios"][0]] * 2})
    with pytest.raises(UserFacingError, match="no answer"):
        Exercise.from_dict({"scenarios": [{"id": "a", "prompt": "p", "answer": {}}]})
    bad = Exercise.from_dict({"scenarios": [{"id": "a", "prompt": "p",
                                             "answer": {"units": ["ghost"],
                                                        "services": ["nix"]}}]})
    rendered = [p.render() for p in bad.problems_with(small_atlas)]
    assert len(rendered) == 2 and "ghost" in rendered[0] and "nix" in rendered[1]
