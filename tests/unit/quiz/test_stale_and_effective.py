"""An open attempt whose questions left the bank, and settings that fall back to defaults."""
from __future__ import annotations

import math

import pytest

from competency_xblock.quiz_engine import attempts as at
from competency_xblock.quiz_engine.bank import bank_from_dict
from competency_xblock.quiz_engine.draw import Draw, is_current
from competency_xblock.quiz_engine.settings import QuizSettings
from competency_xblock.text import UserFacingError

from .conftest import clone

SETTINGS = QuizSettings(questions_per_attempt=0, max_attempts=2, pass_threshold=80)


def without(data: dict, *question_ids: str):
    data = clone(data)
    data["questions"] = [q for q in data["questions"] if q["id"] not in question_ids]
    return bank_from_dict(data)


def test_is_current_notices_deleted_questions_and_changed_choices(small_data, small_bank):
    _, record = at.open_attempt(None, small_bank, SETTINGS, "l", "b")
    drawn = Draw.from_dict(record["draw"])
    assert is_current(small_bank, drawn)
    assert not is_current(without(small_data, "s1"), drawn)
    changed = clone(small_data)
    changed["questions"][0]["choices"].append({"id": "z", "text": "Z"})
    assert not is_current(bank_from_dict(changed), drawn)


def test_open_attempt_is_redrawn_from_the_current_bank(small_data, small_bank):
    state, record = at.open_attempt(None, small_bank, SETTINGS, "l", "b")
    smaller = without(small_data, "s1", "m1")
    again, redrawn = at.open_attempt(state, smaller, SETTINGS, "l", "b")
    assert redrawn["number"] == 1
    ids = Draw.from_dict(redrawn["draw"]).question_ids
    assert sorted(ids) == sorted(q.id for q in smaller.questions)
    assert again["attempts"] == []
    # Unchanged bank: the same record, no new draw.
    same_state, same = at.open_attempt(again, smaller, SETTINGS, "l", "b")
    assert same == redrawn and same_state == again


def test_submit_of_a_stale_attempt_is_refused_and_changes_nothing(small_data, small_bank):
    state, _ = at.open_attempt(None, small_bank, SETTINGS, "l", "b")
    empty = clone(small_data)
    empty["questions"] = empty["questions"][:1]
    newer = bank_from_dict(empty)
    snapshot = clone(state)
    with pytest.raises(UserFacingError, match="changed by the course team"):
        at.submit(state, newer, SETTINGS, 1, {})
    assert state == snapshot


def test_an_empty_stored_draw_is_never_graded(small_bank):
    state = {"attempts": [], "open": {"number": 1, "draw": {"seed": "x", "questions": []}}}
    with pytest.raises(UserFacingError):
        at.submit(state, small_bank, SETTINGS, 1, {})
    _, record = at.open_attempt(state, small_bank, SETTINGS, "l", "b")
    assert Draw.from_dict(record["draw"]).questions


def test_nothing_to_draw_opens_no_attempt(small_bank):
    settings = QuizSettings(topics=("nope",))
    with pytest.raises(UserFacingError) as caught:
        at.open_attempt(None, small_bank, settings, "l", "b")
    assert caught.value.message == at.NOTHING_TO_DRAW


@pytest.mark.parametrize("name, bad", [
    ("max_attempts", -1), ("max_attempts", 101), ("max_attempts", True), ("max_attempts", "3"),
    ("pass_threshold", 200.0), ("pass_threshold", -0.5), ("pass_threshold", math.nan),
    ("pass_threshold", None), ("questions_per_attempt", -2), ("questions_per_attempt", 501),
    ("draw_mode", "random"), ("grade_policy", "worst"), ("show_answer", "sometimes"),
    ("show_explanations", None), ("shuffle_questions", "yes"), ("topics", "cpr"),
])
def test_effective_settings_use_the_default_for_a_bad_value(name, bad):
    settings = QuizSettings.effective({name: bad})
    assert getattr(settings, name) == getattr(QuizSettings(), name)


def test_effective_settings_keep_good_values():
    data = {"draw_mode": "per_topic", "questions_per_attempt": 0, "topics": ["a", "b"],
            "shuffle_questions": False, "shuffle_choices": False, "pass_threshold": 100,
            "max_attempts": 0, "grade_policy": "last", "show_answer": "always",
            "show_explanations": "with_answers"}
    assert QuizSettings.effective(data) == QuizSettings.from_dict(data)
