"""Stored quiz state that cannot be read: ``attempts.read_state`` and everything built on it.

The stored state is learner data written by earlier versions, by hand or damaged in storage.
These tests pin the rules in ``attempts``: an unreadable record counts as an attempt used but
has no result; an unreadable open attempt is drawn again; a state whose attempts cannot be
read is *unreadable* (nothing opens or submits); nothing stored is rewritten or lost.
"""
from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from competency_xblock.quiz_engine import attempts as at
from competency_xblock.quiz_engine.bank import bank_from_dict
from competency_xblock.quiz_engine.report import attempt_rows
from competency_xblock.quiz_engine.settings import QuizSettings
from competency_xblock.text import UserFacingError

from .conftest import small_bank_data
from .test_attempts import right_answers, wrong_answers

SETTINGS = QuizSettings(questions_per_attempt=0, max_attempts=3, pass_threshold=80)
LAST = QuizSettings(questions_per_attempt=0, max_attempts=3, pass_threshold=80,
                    grade_policy="last")
UNREADABLE_STATES = ["x", 5, ["x"], {"attempts": "x"}, {"attempts": {"1": {}}},
                     {"attempts": 3, "score": [4.0, 6.0]}]
BAD_RECORDS = [None, 1, "x", [], {}, {"result": "bad"}, {"draw": {"seed": "s"}},
               {"draw": {"seed": "s", "questions": [{"q": "q1", "c": 3}]}}]


def submitted(bank, n=1, settings=SETTINGS, answers=right_answers):
    """A state with ``n`` attempts submitted (first right, the rest as ``answers``)."""
    state = None
    for number in range(1, n + 1):
        state, rec = at.open_attempt(state, bank, settings, "u", "b")
        pick = right_answers if number == 1 else answers
        state, _, _ = at.submit(state, bank, settings, number, pick(bank, rec))
    return state


def one_right(bank, open_record):
    """Only the first drawn question answered, and right: 1 of 6 points."""
    first = open_record["draw"]["questions"][0]["q"]
    return {first: right_answers(bank, open_record)[first]}


def result_of(state, number=1):
    return copy.deepcopy(state["attempts"][number - 1]["result"])


# ---- read_state ------------------------------------------------------------------------------

@pytest.mark.parametrize("state", [None, {}, [], ""])
def test_nothing_stored_is_a_learner_without_attempts(state):
    read = at.read_state(state)
    assert read.readable and read.attempts == () and read.open is None and not read.problems


@pytest.mark.parametrize("state", UNREADABLE_STATES, ids=repr)
def test_a_state_whose_attempts_cannot_be_read_is_unreadable(state, small_bank):
    before = copy.deepcopy(state)
    read = at.read_state(state)
    assert not read.readable and read.problems and read.attempts == ()
    assert at.attempts_left(state, SETTINGS) == 0
    assert at.attempts_left(state, QuizSettings(max_attempts=0)) == 0   # also when unlimited
    assert not at.status(state, SETTINGS).can_attempt
    assert at.open_attempt(state, small_bank, SETTINGS, "u", "b") == (state, None)
    with pytest.raises(UserFacingError) as caught:
        at.submit(state, small_bank, SETTINGS, 1, {})
    assert caught.value.message == at.UNREADABLE
    assert at.rescore(state, small_bank, SETTINGS) is state
    assert state == before                                   # nothing rewritten


def test_an_unreadable_state_keeps_its_score(small_bank):
    assert at.read_state({"attempts": 3, "score": [4, 6]}).score == (4.0, 6.0)
    assert at.final_score({"attempts": 3, "score": [4, 6]}, SETTINGS) is None


@pytest.mark.parametrize("bad", BAD_RECORDS, ids=repr)
def test_an_unreadable_record_counts_as_used_but_has_no_result(small_bank, bad):
    state = submitted(small_bank)
    state = dict(state, attempts=[bad, *state["attempts"]])
    read = at.read_state(state)
    assert read.readable and len(read.attempts) == 2
    assert read.attempts[0].result is None and not read.attempts[0].usable
    assert read.attempts[1].usable and read.attempts[1].number == 2
    assert read.results == [read.attempts[1].result]
    assert "attempt 1 cannot be read" in read.problems
    st_ = at.status(state, SETTINGS)
    assert (st_.submitted, st_.attempts_left, st_.passed_any) == (2, 1, True)
    assert read.last_usable() is read.attempts[1] and read.usable_attempt(1) is None


@pytest.mark.parametrize("change", [
    {"earned": 7.0},                 # more than possible
    {"earned": -1.0},
    {"earned": float("nan")},
    {"percent": 101.0},
    {"possible": True},              # a bool is not a count
    {"possible": 5},                 # not one result per question
    {"passed": "yes"},
    {"questions": "all"},
])
def test_a_result_that_is_not_possible_is_not_read(small_bank, change):
    state = submitted(small_bank)
    state["attempts"][0]["result"].update(change)
    assert at.read_state(state).attempts[0].result is None


@pytest.mark.parametrize("change", [{"credit": 2}, {"credit": "1"}, {"correct": 1},
                                    {"selected": "a"}, {"q": None}, {"withdrawn": "no"}])
def test_a_question_result_that_cannot_be_read_makes_the_result_unreadable(small_bank, change):
    state = submitted(small_bank)
    state["attempts"][0]["result"]["questions"][0].update(change)
    assert at.read_state(state).attempts[0].result is None


def test_the_next_attempt_after_an_unreadable_record_keeps_it_as_stored(small_bank):
    state = submitted(small_bank)
    state["attempts"].insert(0, {"result": "bad", "kept": ["as", "stored"]})
    before = copy.deepcopy(state)
    new, rec = at.open_attempt(state, small_bank, SETTINGS, "u", "b")
    assert rec["number"] == 3                         # the unreadable one was attempt 1
    done = at.submit_attempt(new, small_bank, SETTINGS, 3, wrong_answers(small_bank, rec))
    assert done.state["attempts"][:2] == before["attempts"] and state == before
    # What the submit says the new state reads as is what reading it gives.
    again = at.read_state(done.state)
    assert done.read.attempts == again.attempts and done.read.results == again.results
    assert done.read.open is None and again.open is None and not done.replayed
    assert at.attempts_left(done.read, SETTINGS) == 0


def test_an_unreadable_record_cannot_be_replayed_or_overwritten(small_bank):
    state = submitted(small_bank)
    _, rec = at.open_attempt(None, small_bank, SETTINGS, "u", "b")
    del state["attempts"][0]["result"]
    before = copy.deepcopy(state)
    with pytest.raises(UserFacingError, match="already been submitted"):
        at.submit(state, small_bank, SETTINGS, 1, right_answers(small_bank, rec))
    assert state == before


@pytest.mark.parametrize("bad_open", ["x", {"number": 1}, {"number": "1", "draw": None},
                                      {"number": True, "draw": {"seed": "s", "questions": []}},
                                      {"draw": {"seed": 1, "questions": []}, "number": 1}],
                         ids=repr)
def test_an_unreadable_open_attempt_is_drawn_again(small_bank, bad_open):
    state = {"attempts": [], "open": bad_open}
    read = at.read_state(state)
    assert read.readable and read.has_open and read.open is None
    assert "the open attempt cannot be read" in read.problems
    with pytest.raises(UserFacingError, match="not open"):
        at.submit(state, small_bank, SETTINGS, 1, {})
    new, rec = at.open_attempt(state, small_bank, SETTINGS, "u", "b")
    assert rec == at.open_attempt(None, small_bank, SETTINGS, "u", "b")[1]
    assert new["open"] == rec and state["open"] == bad_open


def test_other_keys_of_the_state_are_kept(small_bank):
    state = dict(submitted(small_bank), note_by_support="kept", score=[6.0, 6.0])
    new, rec = at.open_attempt(state, small_bank, SETTINGS, "u", "b")
    done = at.submit_attempt(new, small_bank, SETTINGS, 2, right_answers(small_bank, rec))
    assert done.state["note_by_support"] == "kept"
    assert at.rescore(done.state, small_bank, SETTINGS)["note_by_support"] == "kept"


# ---- the grade ---------------------------------------------------------------------------

def test_the_stored_score_is_the_floor_when_a_best_result_cannot_be_read(small_bank):
    state = submitted(small_bank, 2, answers=one_right)        # 6/6, then 1/6
    low = at.read_state(state).attempts[1].result
    assert (low.earned, low.possible) == (1, 6) and at.final_score(state, SETTINGS) == (6, 6)
    state = at.with_score(state, 6, 6)
    del state["attempts"][0]["result"]                         # the 6/6 record is damaged
    assert at.final_score(state, SETTINGS) == (6.0, 6.0)       # not lowered to the 2nd
    state["score"] = [0.5, 6.0]                                # a lower stored score
    assert at.final_score(state, SETTINGS) == (low.earned, low.possible)
    del state["score"]                                         # none stored: readable only
    assert at.final_score(state, SETTINGS) == (low.earned, low.possible)


def test_under_last_an_unreadable_last_attempt_keeps_the_stored_score(small_bank):
    state = at.with_score(submitted(small_bank, 2, LAST, wrong_answers), 1.5, 6)
    state["attempts"][1]["result"] = None
    assert at.final_score(state, LAST) == (1.5, 6.0)           # not the first (6/6)
    state["attempts"][1]["result"] = result_of(state, 1)
    state["attempts"][0]["result"] = None                      # only an earlier one damaged
    assert at.final_score(state, LAST) == (6, 6)


def test_a_readable_state_ignores_the_stored_score(small_bank):
    state = at.with_score(submitted(small_bank, 2, answers=wrong_answers), 0.5, 6)
    assert at.final_score(state, SETTINGS) == (6, 6)


def test_rescore_recomputes_a_damaged_result_from_draw_and_answers(small_bank):
    state = submitted(small_bank)
    good = result_of(state)
    state["attempts"][0]["result"] = "damaged"
    state["attempts"].append({"number": 2, "draw": "damaged", "result": "damaged"})
    new = at.rescore(state, small_bank, SETTINGS)
    assert new["attempts"][0]["result"] == good
    assert new["attempts"][1] == state["attempts"][1]          # no draw: kept as stored
    assert state["attempts"][0]["result"] == "damaged"         # pure


# ---- report rows -------------------------------------------------------------------------

def test_report_marks_an_unreadable_record_without_inventing_a_score(small_bank):
    state = submitted(small_bank, 2)
    state["attempts"][0]["result"]["earned"] = 99
    rows = list(attempt_rows(small_bank, state, "en"))
    first, second = rows
    assert first["Attempt"] == 1 and first["Unreadable stored state"].startswith(
        "The stored record of this attempt cannot be read")
    assert [first[k] for k in ("Score", "Possible", "Percent", "Passed")] == ["", "", "", ""]
    assert not any(k.startswith("Question") for k in first)
    assert second["Attempt"] == 2 and second["Score"] == 6 and \
        "Unreadable stored state" not in second


@pytest.mark.parametrize("state", UNREADABLE_STATES, ids=repr)
def test_report_marks_a_learner_whose_attempts_cannot_be_read(small_bank, state):
    (row,) = attempt_rows(small_bank, state, "en")
    assert row["Attempt"] == "" and row["Score"] == ""
    assert row["Unreadable stored state"].startswith("This learner's stored attempts")


def test_report_marks_in_the_learners_language(small_bank):
    from competency_xblock.reports.i18n import gettext_for

    da = gettext_for("da")
    (row,) = attempt_rows(small_bank, {"attempts": "x"}, "da", da)
    assert row["Forsøg"] == "" and row["Gemte data kan ikke læses"].startswith(
        "Deltagerens gemte forsøg kan ikke læses")
    (row,) = attempt_rows(small_bank, {"attempts": [None]}, "da", da)
    assert row["Forsøg"] == 1 and "forsøg kan ikke læses" in row["Gemte data kan ikke læses"]


# ---- never raising -------------------------------------------------------------------------

BANK = bank_from_dict(small_bank_data())
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 12) | st.floats(allow_nan=True)
    | st.sampled_from(["", "x", "q1", "s1", "a", "0", "1"]),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(["attempts", "open", "score", "number", "draw",
                                       "answers", "result", "seed", "questions", "q", "c",
                                       "earned", "possible", "percent", "passed", "selected",
                                       "credit", "correct"]), inner, max_size=6),
    max_leaves=25)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(state=JSON, answers=JSON, number=st.integers(0, 4))
def test_no_stored_state_makes_anything_raise_but_a_message(state, answers, number):
    small_bank = BANK
    before = json.dumps(state, sort_keys=True, default=str)
    read = at.read_state(state)
    at.status(read, SETTINGS)
    at.final_score(read, SETTINGS)
    at.rescore(state, small_bank, SETTINGS)
    list(attempt_rows(small_bank, state, "en"))
    new, _ = at.open_attempt(read, small_bank, SETTINGS, "u", "b")
    for candidate in (state, new):
        try:
            at.submit(candidate, small_bank, SETTINGS, number, answers)
        except UserFacingError:
            pass
    assert json.dumps(state, sort_keys=True, default=str) == before
