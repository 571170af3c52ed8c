"""The quiz with stored learner state that cannot be read, through the workbench's handler
URLs: the page and every handler answer (200 or a clear 400 in the learner's language), and
nothing stored is rewritten or lost (``attempts.read_state`` has the rules)."""
from __future__ import annotations

import copy
from types import SimpleNamespace

import pytest

from tests.helpers.workbench import parse_olx, store_fields
from tests.runtime.test_quiz import RIGHT, WRONG, Learner, quiz_olx, small_bank

UNREADABLE = {"quiz_state": "x"}, {"quiz_state": ["x"]}, {"quiz_state": {"attempts": "x"}}


def learner_with(workbench, stored: dict, student="s1", lang="en", **attrs) -> Learner:
    """A learner of a new quiz whose stored fields are ``stored`` (written as raw JSON)."""
    settings = {"questions_per_attempt": 0, **attrs}
    sid = workbench.scenario(quiz_olx(small_bank(), **settings))
    learner = Learner(workbench, sid, student=student, lang=lang)
    learner.scenario = sid
    store_fields(learner.usage, student, **stored)
    return learner


def submitted_state(workbench, texts=(RIGHT,), **attrs) -> dict:
    """The quiz_state a learner leaves after submitting ``texts`` (one per attempt)."""
    learner = learner_with(workbench, {}, student="donor", **attrs)
    attempt = learner.load()["attempt"]
    for number, answers in enumerate(texts, start=1):
        if number > 1:
            attempt = learner.call("retry", {"attempt": number}).data["attempt"]
        assert learner.submit(attempt, answers).status == 200
    return workbench.state(learner.usage, "donor")["quiz_state"]


@pytest.mark.parametrize("stored", UNREADABLE, ids=repr)
def test_unreadable_attempts_open_nothing_and_say_why(workbench, stored):
    learner = learner_with(workbench, stored)
    before = workbench.snapshot()
    workbench.render(learner.scenario, student="s1")       # the page: 200
    data = learner.load()
    assert data["attempt"] is None and data["result"] is None
    status = data["status"]
    assert not status["can_attempt"] and status["attempts_left"] == 0
    assert status["notice"].startswith("Your earlier attempts at this quiz cannot be read")
    retry = learner.call("retry", {"attempt": 1})
    assert retry.status == 400 and "cannot be read" in retry.data["error"]
    submit = learner.call("submit", {"attempt": 1, "answers": {}})
    assert submit.status == 400 and "cannot be read" in submit.data["error"]
    assert workbench.snapshot() == before                  # nothing rewritten
    assert workbench.events.of_type("grade", learner.usage) == []


def test_unreadable_attempts_are_explained_in_danish(workbench):
    learner = learner_with(workbench, {"quiz_state": {"attempts": 7}}, lang="da")
    assert learner.load()["status"]["notice"].startswith(
        "Dine tidligere forsøg i denne quiz kan ikke læses")
    refused = learner.call("retry", {"attempt": 1})
    assert refused.status == 400 and refused.data["error"].startswith(
        "Dine tidligere forsøg i denne quiz kan ikke læses")


def test_an_unreadable_record_counts_but_shows_no_result(workbench):
    state = submitted_state(workbench, (RIGHT, WRONG), max_attempts=3)
    state["attempts"][1] = {"result": "damaged by hand"}
    learner = learner_with(workbench, {"quiz_state": state}, max_attempts=3)
    data = learner.load()
    assert data["status"]["submitted"] == 2 and data["status"]["attempts_left"] == 1
    assert data["status"]["notice"] is None
    assert data["result"]["attempt"] == 1 and data["result"]["earned"] == 4  # the last usable
    assert learner.call("submit", {"attempt": 2, "answers": {}}).status == 400
    attempt = learner.call("retry", {"attempt": 3}).data["attempt"]
    assert attempt["attempt"] == 3
    done = learner.submit(attempt, WRONG)
    assert done.status == 200 and done.data["result"]["attempt"] == 3
    stored = workbench.state(learner.usage, "s1")["quiz_state"]
    assert stored["attempts"][:2] == state["attempts"]     # kept exactly as stored
    assert len(stored["attempts"]) == 3 and done.data["status"]["attempts_left"] == 0


def test_a_damaged_best_attempt_does_not_lower_the_grade(workbench):
    state = submitted_state(workbench, (RIGHT,), max_attempts=2)
    assert state["score"] == [4.0, 4.0]
    state["attempts"][0]["result"]["questions"] = "damaged"
    learner = learner_with(workbench, {"quiz_state": state}, max_attempts=2)
    attempt = learner.call("retry", {"attempt": 2}).data["attempt"]
    assert learner.submit(attempt, WRONG).status == 200
    assert workbench.events.of_type("grade", learner.usage) == [
        {"value": 4.0, "max_value": 4.0, "only_if_higher": False}]
    assert workbench.state(learner.usage, "s1")["quiz_state"]["score"] == [4.0, 4.0]


def test_an_unreadable_open_attempt_is_drawn_again(workbench):
    learner = learner_with(workbench, {"quiz_state": {"attempts": [], "open": {"number": 1}}})
    attempt = learner.load()["attempt"]
    assert attempt["attempt"] == 1 and len(attempt["questions"]) == 4
    stored = workbench.state(learner.usage, "s1")["quiz_state"]
    assert stored["open"]["draw"]["questions"]           # a readable open attempt now
    assert learner.submit(attempt, RIGHT).data["result"]["earned"] == 4


def test_a_list_stored_as_quiz_state_is_a_learner_without_attempts(workbench):
    learner = learner_with(workbench, {"quiz_state": []})
    attempt = learner.load()["attempt"]
    assert learner.submit(attempt, RIGHT).status == 200


def test_report_rows_for_unreadable_state(workbench):
    from django.utils import translation

    good = submitted_state(workbench, (RIGHT,))
    damaged = copy.deepcopy(good)
    damaged["attempts"].insert(0, None)
    block = parse_olx(quiz_olx(small_bank(), questions_per_attempt=0))
    states = [SimpleNamespace(username="a", state={"quiz_state": "x"}),
              SimpleNamespace(username="b", state=["not", "a", "dict"]),
              SimpleNamespace(username="c", state={"quiz_state": damaged}),
              SimpleNamespace(username="d", state={"quiz_state": good})]
    with translation.override("en"):   # (a Danish request before may have left "da" on)
        rows = list(block.generate_report_data(iter(states)))
    assert [(user, row["Attempt"]) for user, row in rows] == [
        ("a", ""), ("c", 1), ("c", 2), ("d", 1)]
    assert [row.get("Unreadable stored state", "")[:20] for _, row in rows] == [
        "This learner's store", "The stored record of", "", ""]
    assert rows[2][1]["Score"] == rows[3][1]["Score"] == 4.0


def test_report_of_a_quiz_whose_bank_is_broken_is_empty_not_an_error(workbench):
    block = parse_olx(quiz_olx(small_bank(), questions_per_attempt=0))
    block.bank = {"questions": "not a list"}
    good = SimpleNamespace(username="a", state={"quiz_state": {"attempts": []}})
    assert list(block.generate_report_data(iter([good]))) == []
