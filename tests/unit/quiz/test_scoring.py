"""Server-side scoring, answer resolution (bad input), grade and show-answer policies."""
from __future__ import annotations

from fractions import Fraction

import pytest

from competency_xblock.quiz_engine.draw import Draw, DrawnQuestion
from competency_xblock.quiz_engine.scoring import (
    AttemptResult,
    answers_visible,
    final_result,
    passes,
    question_credit,
    resolve_answers,
    score_attempt,
)
from competency_xblock.text import UserFacingError


def fixed_draw(bank, ids=None):
    ids = ids or [q.id for q in bank.questions]
    return Draw("seed", tuple(DrawnQuestion(i, tuple(c.id for c in bank.question(i).choices))
                              for i in ids))


@pytest.mark.parametrize("picked, credit", [
    ({"a", "b"}, 1), ({"a"}, Fraction(1, 2)), ({"a", "c"}, 0), ({"a", "b", "c"}, Fraction(1, 2)),
    ({"a", "b", "c", "d"}, 0), ({"c", "d"}, 0), (set(), 0), ({"c"}, 0),
])
def test_per_choice_rule(small_bank, picked, credit):
    q = small_bank.question("m1")  # correct a, b; wrong c, d
    assert question_credit(q, picked, "per_choice") == credit


@pytest.mark.parametrize("picked, credit", [
    ({"a", "b"}, 1), ({"a"}, 0), ({"a", "b", "c"}, 0), (set(), 0),
])
def test_all_or_nothing_rule(small_bank, picked, credit):
    q = small_bank.question("m2")
    assert question_credit(q, picked, "all_or_nothing") == credit


def test_bank_default_and_question_override(small_bank):
    m1, m2 = small_bank.question("m1"), small_bank.question("m2")
    assert small_bank.rule_for(m1) == "per_choice"
    assert small_bank.rule_for(m2) == "all_or_nothing"


@pytest.mark.parametrize("qid, picked, credit", [
    ("s1", {"a"}, 1), ("s1", {"b"}, 0), ("s1", set(), 0),
    ("tf1", {"true"}, 1), ("tf1", {"false"}, 0),
])
def test_single_and_truefalse(small_bank, qid, picked, credit):
    assert question_credit(small_bank.question(qid), picked, "per_choice") == credit


def test_score_attempt(small_bank):
    d = fixed_draw(small_bank)
    result = score_attempt(small_bank, d, {"s1": ("a",), "m1": ("a",), "m2": ("a", "b"),
                                           "tf1": ("false",)}, 50)
    assert result.possible == 6
    assert result.earned == 2.5
    assert result.percent == pytest.approx(41.67)
    assert not result.passed
    by = {q.question_id: q for q in result.questions}
    assert by["m1"].credit == 0.5 and not by["m1"].correct
    assert by["s1"].correct and by["m2"].correct
    assert by["s2"].selected == ()
    assert AttemptResult.from_dict(result.to_dict()) == result


@pytest.mark.parametrize("earned, possible, threshold, ok", [
    (Fraction(8), 10, 80, True), (Fraction(79, 10), 10, 80, False), (Fraction(0), 10, 0, True),
    (Fraction(10), 10, 100, True), (Fraction(2), 3, 66.66, True),
    (Fraction(2), 3, 66.67, False), (Fraction(1), 0, 0, False),
])
def test_pass_threshold_boundaries(earned, possible, threshold, ok):
    assert passes(earned, possible, threshold) is ok


def test_withdrawn_question_counts_as_correct(small_bank):
    d = Draw("s", (DrawnQuestion("gone", ("a", "b")), DrawnQuestion("s1", ("a", "b", "c"))))
    result = score_attempt(small_bank, d, {"s1": ("b",)}, 50)
    assert result.earned == 1 and result.possible == 2 and result.passed
    assert result.questions[0].withdrawn


# --- resolving the browser's answers --------------------------------------------------------

def test_resolve_maps_positions_to_ids(small_bank):
    d = Draw("s", (DrawnQuestion("m1", ("c", "a", "d", "b")), DrawnQuestion("s1", ("b", "a", "c"))))
    assert resolve_answers(small_bank, d, {"m1": ["1", "3"], "s1": ["1"]}) == \
        {"m1": ("a", "b"), "s1": ("a",)}
    assert resolve_answers(small_bank, d, {"m1": [1]}) == {"m1": ("a",)}
    assert resolve_answers(small_bank, d, {}) == {}
    assert resolve_answers(small_bank, d, {"s1": []}) == {"s1": ()}


@pytest.mark.parametrize("raw, path, words", [
    ({"zz": ["0"]}, "/answers/zz", "not part of this attempt"),
    ({"s2": ["0"]}, "/answers/s2", "not part of this attempt"),  # in the bank, not drawn
    ({"s1": ["7"]}, "/answers/s1", "Unknown choice"),
    ({"s1": ["a"]}, "/answers/s1", "Unknown choice"),
    ({"s1": ["-1"]}, "/answers/s1", "Unknown choice"),
    ({"s1": ["01"]}, "/answers/s1", "Unknown choice"),
    ({"s1": [True]}, "/answers/s1", "Unknown choice"),
    ({"s1": [None]}, "/answers/s1", "Unknown choice"),
    ({"s1": ["0", "1"]}, "/answers/s1", "Only one choice"),
    ({"m1": ["0", "0"]}, "/answers/m1", "given twice"),
    ({"m1": ["0", "1", "2", "3", "0"]}, "/answers/m1", "more choices"),
    ({"s1": "0"}, "/answers/s1", "must be a list"),
    ({"s1": {"0": 1}}, "/answers/s1", "must be a list"),
    (["s1"], "/answers", "must be an object"),
    ({"s1": ["0"], "m1": [], "x": [], "y": []}, "/answers", "more answers"),
])
def test_resolve_refuses_bad_input(small_bank, raw, path, words):
    d = Draw("s", (DrawnQuestion("m1", ("c", "a", "d", "b")), DrawnQuestion("s1", ("b", "a", "c")),
                   DrawnQuestion("tf1", ("true", "false"))))
    with pytest.raises(UserFacingError) as caught:
        resolve_answers(small_bank, d, raw)
    assert caught.value.path == path
    assert words in caught.value.render()


def test_resolve_refuses_choice_removed_after_draw(small_bank):
    d = Draw("s", (DrawnQuestion("s1", ("a", "b", "gone")),))
    with pytest.raises(UserFacingError):
        resolve_answers(small_bank, d, {"s1": ["2"]})


# --- policies -------------------------------------------------------------------------------

def result(percent, passed=False):
    return AttemptResult(percent / 10, 10, percent, passed, ())


def test_best_and_last():
    results = [result(40), result(90, True), result(60)]
    assert final_result(results, "best").percent == 90
    assert final_result(results, "last").percent == 60
    assert final_result([], "best") is None
    tie = [result(50), result(50)]
    assert final_result(tie, "best") is tie[0]


@pytest.mark.parametrize("policy, submitted, passed_any, left, visible", [
    ("never", 3, True, 0, False),
    ("always", 0, False, 3, False),  # nothing before the first submit
    ("always", 1, False, 2, True),
    ("after_passing", 1, False, 2, False),
    ("after_passing", 2, True, 1, True),
    ("after_last_attempt", 1, True, 2, False),
    ("after_last_attempt", 3, False, 0, True),
    ("after_last_attempt", 9, False, None, False),  # unlimited attempts: never "last"
    ("bogus", 3, True, 0, False),
])
def test_show_answer_policy(policy, submitted, passed_any, left, visible):
    assert answers_visible(policy, submitted=submitted, passed_any=passed_any,
                           attempts_left=left) is visible
