"""Attempt bookkeeping: open, submit, idempotent repeats, limits, concurrency, rescoring."""
from __future__ import annotations

import copy

import pytest

from competency_xblock.quiz_engine import attempts as at
from competency_xblock.quiz_engine.bank import bank_from_dict
from competency_xblock.quiz_engine.draw import Draw
from competency_xblock.quiz_engine.settings import QuizSettings
from competency_xblock.text import UserFacingError

from .conftest import clone

SETTINGS = QuizSettings(questions_per_attempt=0, max_attempts=2, pass_threshold=80)


def right_answers(bank, open_record):
    """The browser payload that answers every drawn question correctly."""
    d = Draw.from_dict(open_record["draw"])
    out = {}
    for drawn in d.questions:
        q = bank.question(drawn.question_id)
        out[q.id] = [str(i) for i, cid in enumerate(drawn.choice_ids) if q.choice(cid).correct]
    return out


def wrong_answers(bank, open_record):
    d = Draw.from_dict(open_record["draw"])
    out = {}
    for drawn in d.questions:
        q = bank.question(drawn.question_id)
        wrong = [str(i) for i, cid in enumerate(drawn.choice_ids) if not q.choice(cid).correct]
        out[q.id] = wrong[:1]
    return out


def test_open_is_reproducible_and_pure(small_bank):
    state = at.empty_state()
    s1, rec1 = at.open_attempt(state, small_bank, SETTINGS, "u1", "b1")
    s2, rec2 = at.open_attempt(None, small_bank, SETTINGS, "u1", "b1")
    assert rec1 == rec2 and rec1["number"] == 1
    assert state == at.empty_state()  # input untouched
    s3, rec3 = at.open_attempt(s1, small_bank, SETTINGS, "u1", "b1")
    assert rec3 == rec1 and s3 == s1


def test_submit_scores_and_closes_the_attempt(small_bank):
    state, rec = at.open_attempt(None, small_bank, SETTINGS, "u", "b")
    new, result, replayed = at.submit(state, small_bank, SETTINGS, 1,
                                     right_answers(small_bank, rec))
    assert not replayed and result.passed and result.earned == 6
    assert new["open"] is None and len(new["attempts"]) == 1
    assert state["open"] is not None  # pure
    assert at.final_score(new, SETTINGS) == (6, 6)
    st = at.status(new, SETTINGS)
    assert st.submitted == 1 and st.attempts_left == 1 and st.passed_any and st.can_attempt


def test_repeat_submit_is_idempotent(small_bank):
    state, rec = at.open_attempt(None, small_bank, SETTINGS, "u", "b")
    answers = right_answers(small_bank, rec)
    new, result, _ = at.submit(state, small_bank, SETTINGS, 1, answers)
    again, result2, replayed = at.submit(new, small_bank, SETTINGS, 1, answers)
    assert replayed and result2 == result and again == new


def test_repeat_submit_with_other_answers_is_refused(small_bank):
    state, rec = at.open_attempt(None, small_bank, SETTINGS, "u", "b")
    new, _, _ = at.submit(state, small_bank, SETTINGS, 1, right_answers(small_bank, rec))
    before = copy.deepcopy(new)
    with pytest.raises(UserFacingError, match="already been submitted"):
        at.submit(new, small_bank, SETTINGS, 1, wrong_answers(small_bank, rec))
    with pytest.raises(UserFacingError, match="already been submitted"):
        at.submit(new, small_bank, SETTINGS, 1, {"nonsense": ["9"]})
    assert new == before


@pytest.mark.parametrize("number", [0, 2, 7, -1, "1", None, 1.0, True])
def test_wrong_attempt_numbers(small_bank, number):
    state, rec = at.open_attempt(None, small_bank, SETTINGS, "u", "b")
    with pytest.raises(UserFacingError) as caught:
        at.submit(state, small_bank, SETTINGS, number, right_answers(small_bank, rec))
    assert caught.value.path == "/attempt"


def test_submit_without_open_attempt(small_bank):
    with pytest.raises(UserFacingError, match="not open"):
        at.submit(None, small_bank, SETTINGS, 1, {})


def test_attempt_limit(small_bank):
    state = None
    for number in (1, 2):
        state, rec = at.open_attempt(state, small_bank, SETTINGS, "u", "b")
        state, _, _ = at.submit(state, small_bank, SETTINGS, number, wrong_answers(small_bank, rec))
    state, rec = at.open_attempt(state, small_bank, SETTINGS, "u", "b")
    assert rec is None
    with pytest.raises(UserFacingError, match="used all your attempts"):
        at.submit(state, small_bank, SETTINGS, 3, {})
    st = at.status(state, SETTINGS)
    assert st.attempts_left == 0 and not st.can_attempt and st.answers_visible


def test_concurrent_submits_count_once(small_bank):
    """Two requests read the same state and both write: attempt 1 is still one attempt."""
    state, rec = at.open_attempt(None, small_bank, SETTINGS, "u", "b")
    first, _, _ = at.submit(state, small_bank, SETTINGS, 1, right_answers(small_bank, rec))
    second, _, _ = at.submit(state, small_bank, SETTINGS, 1, wrong_answers(small_bank, rec))
    for final in (first, second):  # whichever write wins
        assert len(final["attempts"]) == 1 and final["attempts"][0]["number"] == 1
        assert at.attempts_left(final, SETTINGS) == 1


def test_best_and_last_policies(small_bank):
    state, rec = at.open_attempt(None, small_bank, SETTINGS, "u", "b")
    state, _, _ = at.submit(state, small_bank, SETTINGS, 1, right_answers(small_bank, rec))
    state, rec = at.open_attempt(state, small_bank, SETTINGS, "u", "b")
    assert rec["number"] == 2
    state, _, _ = at.submit(state, small_bank, SETTINGS, 2, wrong_answers(small_bank, rec))
    assert at.final_score(state, SETTINGS) == (6, 6)
    last = QuizSettings(questions_per_attempt=0, max_attempts=2, grade_policy="last")
    assert at.final_score(state, last)[0] < 6
    assert at.final_score(None, SETTINGS) is None


def test_unlimited_attempts(small_bank):
    unlimited = QuizSettings(questions_per_attempt=2, max_attempts=0)
    state = None
    for number in range(1, 6):
        state, rec = at.open_attempt(state, small_bank, unlimited, "u", "b")
        state, _, _ = at.submit(state, small_bank, unlimited, number, {})
    assert at.attempts_left(state, unlimited) is None
    assert at.status(state, unlimited).can_attempt


def test_rescore_after_key_fix(small_data):
    bank = bank_from_dict(small_data)
    settings = QuizSettings(questions_per_attempt=0, shuffle_choices=False,
                            shuffle_questions=False, max_attempts=1, pass_threshold=100)
    state, rec = at.open_attempt(None, bank, settings, "u", "b")
    answers = right_answers(bank, rec)
    answers["s2"] = ["0"]  # picks "x", which the (wrong) key marks wrong
    state, result, _ = at.submit(state, bank, settings, 1, answers)
    assert result.earned == 5 and not result.passed
    fixed = clone(small_data)
    fixed["questions"][4]["choices"][0]["correct"] = True  # the author fixes the key: x
    fixed["questions"][4]["choices"][1]["correct"] = False
    rescored = at.rescore(state, bank_from_dict(fixed), settings)
    assert at.final_score(rescored, settings) == (6, 6)
    assert rescored["attempts"][0]["answers"] == state["attempts"][0]["answers"]
    assert at.submitted_results(rescored)[0].passed
    assert at.final_score(state, settings) == (5, 6)  # pure


def test_bank_edit_does_not_change_an_open_attempt(small_data):
    bank = bank_from_dict(small_data)
    settings = QuizSettings(questions_per_attempt=3)
    state, rec = at.open_attempt(None, bank, settings, "u", "b")
    bigger = clone(small_data)
    bigger["questions"].append({"id": "new", "type": "single", "prompt": "N", "topic": "t1",
                                "choices": [{"id": "a", "text": "A", "correct": True},
                                            {"id": "b", "text": "B"}]})
    _, rec2 = at.open_attempt(state, bank_from_dict(bigger), settings, "u", "b")
    assert rec2 == rec


def _used_up(bank):
    state = at.empty_state()
    for _ in range(SETTINGS.max_attempts):
        state, rec = at.open_attempt(state, bank, SETTINGS, "u", "b")
        state, _, _ = at.submit(state, bank, SETTINGS, rec["number"], wrong_answers(bank, rec))
    return state


def test_reset_attempts_gives_the_limit_back_and_keeps_every_attempt(small_bank):
    state = _used_up(small_bank)
    assert at.attempts_left(state, SETTINGS) == 0
    frozen = copy.deepcopy(state)
    reset = at.reset_attempts(state)
    assert state == frozen  # pure
    assert reset["reset_at"] == 2 and reset["attempts"] == state["attempts"]
    assert at.attempts_left(reset, SETTINGS) == 2 and at.status(reset, SETTINGS).submitted == 2
    reset, rec = at.open_attempt(reset, small_bank, SETTINGS, "u", "b")
    assert rec["number"] == 3
    reset, _, _ = at.submit(reset, small_bank, SETTINGS, 3, right_answers(small_bank, rec))
    assert at.attempts_left(reset, SETTINGS) == 1 and at.counted_attempts(reset) == 1
    assert at.final_score(reset, SETTINGS)[0] == at.final_score(reset, SETTINGS)[1]  # best
    assert at.reset_attempts(reset)["reset_at"] == 3


@pytest.mark.parametrize("odd", [-1, 3, "1", 1.0, True, None, [1]], ids=repr)
def test_a_reset_mark_that_cannot_be_read_counts_every_attempt(small_bank, odd):
    state = dict(_used_up(small_bank), reset_at=odd)
    read = at.read_state(state)
    assert read.reset_at == 0 and read.readable
    assert any("reset" in p for p in read.problems)
    assert at.attempts_left(read, SETTINGS) == 0


def test_reset_of_an_unreadable_state_changes_nothing():
    assert at.reset_attempts({"attempts": "x"}) == {"attempts": "x"}
