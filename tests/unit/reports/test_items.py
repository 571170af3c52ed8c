"""Quiz item analysis, checked against sums done by hand."""
from __future__ import annotations

import statistics

import pytest

from competency_xblock.reports.items import (
    FLAG_EASY,
    FLAG_HARD,
    FLAG_KEY,
    FLAG_WEAK,
    Attempt,
    ItemAccumulator,
    Response,
    analyse,
    group_weights,
    point_biserial,
)
from competency_xblock.reports.lms import ProblemResponsesReader, Sink, learner_hasher

from .conftest import RESPONSES_DA, RESPONSES_EN


def attempt(learner, marks, number=1, options=None, criterion=None):
    options = options or {}
    return Attempt(learner, "block", "Quiz", number,
                   [Response(q, f"Prompt {q}", bool(m), options.get(q, ("key",) if m else
                                                                   ("wrong",)))
                    for q, m in marks.items()], criterion)


def test_two_questions_by_hand():
    # A: 1 1 1 0 0 0; B: 1 1 0 1 0 0.  The rest score of A is B (and vice versa).
    a = [1, 1, 1, 0, 0, 0]
    b = [1, 1, 0, 1, 0, 0]
    result = analyse([attempt(i, {"A": a[i], "B": b[i]}) for i in range(6)], min_for_flags=5)
    item = result.items[0]
    assert item.question_id == "A" and item.responses == 6 and item.facility == 0.5
    # r = (n*Sxy - Sx*Sy) / sqrt((n*Sx - Sx^2)(n*Syy - Sy^2)) = (12 - 9) / sqrt(9 * 9) = 1/3
    assert item.point_biserial == pytest.approx(1 / 3)
    assert item.point_biserial == pytest.approx(statistics.correlation(a, b))
    # Groups of round(0.27 * 6) = 2: rest score 1 for three learners (A right: 2 of them),
    # 2/3 of that bin is the upper group -> (2 * 2/3) / 2 = 2/3; lower: (1 * 2/3) / 2 = 1/3.
    assert item.upper_lower == pytest.approx(2 / 3 - 1 / 3)
    assert item.flags == []


def test_point_biserial_edge_cases():
    assert point_biserial(1, 1, 1, 1, 1) is None
    assert point_biserial(4, 4, 2, 1.5, 2) is None  # everybody right: no variance
    assert point_biserial(4, 2, 2, 2, 2) == pytest.approx(1.0)


def test_group_weights_share_the_boundary_bin():
    bins = {1000: [2, 0], 500: [4, 0], 0: [4, 0]}
    assert group_weights(bins, 3, upper=True) == {1000: 1.0, 500: 0.25}
    assert group_weights(bins, 3, upper=False) == {0: 0.75}


def test_flags():
    marks = []
    for i in range(10):
        strong = i < 5
        marks.append({"good": int(strong), "easy": 1, "hard": int(i == 0),
                      "keyed_wrong": int(not strong), "r1": int(strong), "r2": int(strong),
                      "r3": int(strong or i == 9)})
    result = analyse([attempt(i, m) for i, m in enumerate(marks)])
    flags = {item.question_id: item.flags for item in result.items}
    assert flags["easy"] == [FLAG_EASY]
    assert FLAG_HARD in flags["hard"]
    assert flags["keyed_wrong"] == [FLAG_KEY]
    assert flags["good"] == []
    assert [i.question_id for i in result.flagged()][0] == "keyed_wrong"


def test_weak_discrimination_is_flagged():
    # right or wrong independently of the rest of the quiz: r = 0
    marks = [{"q": i % 2, "r1": int(i < 6), "r2": int(i < 6)} for i in range(12)]
    item = next(i for i in analyse([attempt(n, m) for n, m in enumerate(marks)]).items
                if i.question_id == "q")
    assert item.point_biserial == pytest.approx(0) and item.flags == [FLAG_WEAK]


def test_few_responses_not_flagged_for_discrimination():
    marks = [{"a": int(i < 3), "b": int(i >= 3)} for i in range(6)]
    result = analyse([attempt(i, m) for i, m in enumerate(marks)])  # 6 < 10 responses
    assert all(FLAG_KEY not in i.flags for i in result.items)


def test_question_with_fewer_than_k_responses_is_hidden():
    result = analyse([attempt(i, {"a": 1, "b": 0}) for i in range(4)])
    assert all(i.suppressed and i.facility is None and i.options == [] for i in result.items)


def test_attempt_policy():
    acc = ItemAccumulator("first")
    for i in range(5):
        acc.add(attempt(i, {"a": 0, "b": 1}, number=1))
        acc.add(attempt(i, {"a": 1, "b": 1}, number=2))
    assert acc.result().items[0].facility == 0 and acc.skipped == 5
    acc = ItemAccumulator("all")
    for i in range(5):
        acc.add(attempt(i, {"a": 0, "b": 1}, number=1))
        acc.add(attempt(i, {"a": 1, "b": 1}, number=2))
    assert acc.result().items[0].facility == 0.5


def test_external_criterion():
    # with the course grade as criterion a single-question quiz still gets a discrimination
    grades = [0.9, 0.8, 0.7, 0.3, 0.2, 0.1]
    right = [1, 1, 1, 0, 0, 1]
    result = analyse([attempt(i, {"a": right[i]}, criterion=grades[i]) for i in range(6)])
    assert result.criterion == "external"
    assert result.items[0].point_biserial == pytest.approx(statistics.correlation(right, grades))


def test_distractor_complementary_suppression():
    # 10 responses, 4 right; distractors picked 5 and 1 times.  Facility shows 6 wrong, so
    # hiding only the 1 would give it back: both are hidden.
    options = ["key"] * 4 + ["d1"] * 5 + ["d2"]
    result = analyse([attempt(i, {"q": int(o == "key"), "z": 1}, options={"q": (o,)})
                      for i, o in enumerate(options)])
    q = next(i for i in result.items if i.question_id == "q")
    shown = {o.option: o.picks for o in q.options}
    assert shown == {"key": 4, "d1": None, "d2": None}
    # with 6 and 2 nothing needs a partner... no: the 2 alone would be recovered (8 - 6)
    options = ["key"] * 2 + ["d1"] * 6 + ["d2"] * 2
    result = analyse([attempt(i, {"q": int(o == "key"), "z": 1}, options={"q": (o,)})
                      for i, o in enumerate(options)])
    q = next(i for i in result.items if i.question_id == "q")
    assert {o.option: o.picks for o in q.options} == {"key": 2, "d1": None, "d2": None}


def read(path, policy="first"):
    acc = ItemAccumulator(policy)
    ProblemResponsesReader(str(path), learner_hasher()).read(Sink(attempt=acc.add))
    return acc


# The fixture quiz: ten learners by ability, q1 good, q2 keyed wrong, q3 easy, q4 hard, q5
# good.  Rest scores written out by hand from make_fixtures.QUIZ_DESIGN.
Q = {"q1": [1, 1, 1, 1, 1, 1, 0, 0, 0, 0], "q2": [0, 0, 0, 0, 0, 1, 1, 1, 1, 1],
     "q3": [1] * 10, "q4": [1, 1, 0, 0, 0, 0, 0, 0, 0, 0], "q5": [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]}
REST = {"q1": [.75, .75, .5, .5, .5, .5, .5, .5, .5, .5],
        "q2": [1, 1, .75, .75, .75, .5, .25, .25, .25, .25],
        "q4": [.75, .75, .75, .75, .75, .75, .5, .5, .5, .5],
        "q5": [.75, .75, .5, .5, .5, .75, .5, .5, .5, .5]}


@pytest.mark.parametrize("path", [RESPONSES_EN, RESPONSES_DA], ids=["en", "da"])
def test_fixture_quiz_by_hand(path):
    acc = read(path)
    assert acc.skipped == 2 and acc.attempts == 10
    items = {i.question_id: i for i in acc.result().items}
    assert {q: i.facility for q, i in items.items()} == {
        "q1": 0.6, "q2": 0.5, "q3": 1.0, "q4": 0.2, "q5": 0.5}
    for q, rest in REST.items():
        assert items[q].point_biserial == pytest.approx(statistics.correlation(Q[q], rest)), q
    # q1: upper 3 = both 0.75 (right) + 1/8 of the eight at 0.5 (4 right) -> 2.5/3;
    #     lower 3 = 3/8 of the 0.5 bin -> 1.5/3.
    assert items["q1"].upper_lower == pytest.approx(2.5 / 3 - 1.5 / 3)
    # q5: upper = 0.75 bin (3 people, 2 right) -> 2/3; lower = 3/7 of the 0.5 bin (3 right)
    assert items["q5"].upper_lower == pytest.approx(2 / 3 - 3 / 7)
    assert {q: i.flags for q, i in items.items()} == {
        "q1": [], "q2": ["key_suspect"], "q3": ["too_easy"], "q4": ["too_hard"], "q5": []}
    q2 = {o.option: o for o in items["q2"].options}
    distractor = q2["Fagforeningsmedlemskab"]
    assert (distractor.is_key, distractor.picks, distractor.upper, distractor.lower) == (
        False, 5, 1.0, 0.0)
    assert q2["Helbredsoplysninger"].is_key
    assert items["q2"].top_distractor.option == "Fagforeningsmedlemskab"
    # q4: wrong 1 år x5, 10 år x3: the 3 is hidden and the 5 with it
    # (listed: shown options first, then the hidden ones by name, not by their counts)
    assert [(o.option, o.picks) for o in items["q4"].options] == [
        ("5 år", 2), ("1 år", None), ("10 år", None)]
    assert items["q1"].prompt == "Hvad er et CPR-nummer?"


def test_all_attempts_from_the_fixture():
    acc = read(RESPONSES_EN, "all")
    assert acc.attempts == 12 and acc.result().items[0].facility == pytest.approx(8 / 12)
