"""The LMS's per-learner "Reset Student Attempts" on the quiz, through the workbench's handler
URLs.  The LMS (``instructor/enrollment.py`` ``_reset_module_attempts``) sets the top-level
``attempts`` key of the learner's stored state to 0; ``store_fields`` writes it the same way.
The quiz then no longer counts the attempts submitted so far (``reset_at`` in ``quiz_state``),
clears the field so that a later reset works again, and keeps every attempt in its history."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.helpers.workbench import parse_olx, store_fields
from tests.runtime.test_quiz import RIGHT, WRONG, Learner, quiz_olx, small_bank


def used_up(workbench, max_attempts=1, texts=(WRONG,), **attrs) -> Learner:
    """A learner who has submitted ``texts`` (one per attempt) and has no attempt left."""
    sid = workbench.scenario(quiz_olx(small_bank(), questions_per_attempt=0,
                                      max_attempts=max_attempts, **attrs))
    learner = Learner(workbench, sid)
    attempt = learner.load()["attempt"]
    for number, answers in enumerate(texts, start=1):
        if number > 1:
            attempt = learner.call("retry", {"attempt": number}).data["attempt"]
        assert learner.submit(attempt, answers).status == 200
    assert learner.load()["status"]["can_attempt"] is False
    return learner


def lms_reset(learner) -> None:
    store_fields(learner.usage, learner.student, attempts=0)


def report_rows(workbench, learner) -> list:
    states = [SimpleNamespace(username=learner.student,
                              state=workbench.state(learner.usage, learner.student))]
    block = parse_olx(quiz_olx(small_bank(), questions_per_attempt=0))
    return [row["Attempt"] for _name, row in block.generate_report_data(iter(states))]


def test_reset_gives_the_attempts_back_and_keeps_the_history(workbench):
    learner = used_up(workbench, max_attempts=2, texts=(RIGHT, WRONG))
    lms_reset(learner)
    view = learner.load()
    status = view["status"]
    assert status["can_attempt"] is True and status["attempts_left"] == 2
    assert status["submitted"] == 2 and view["result"]["attempt"] == 2  # the last result
    stored = workbench.state(learner.usage, "s1")
    assert stored["attempts"] is None  # cleared in the same request
    assert stored["quiz_state"]["reset_at"] == 2 and len(stored["quiz_state"]["attempts"]) == 2
    third = learner.call("retry", {"attempt": 3})
    assert third.status == 200 and third.data["attempt"]["attempt"] == 3
    done = learner.submit(third.data["attempt"], WRONG)
    assert done.status == 200 and done.data["status"]["attempts_left"] == 1
    # The grade policy ("best") still runs over every attempt: attempt 1 counts.
    grades = workbench.events.of_type("grade", learner.usage)
    assert [g["value"] for g in grades] == [4.0, 4.0, 4.0]
    assert report_rows(workbench, learner) == [1, 2, 3]


def test_a_second_reset_works_again(workbench):
    learner = used_up(workbench)
    lms_reset(learner)
    assert learner.load()["status"]["can_attempt"] is True
    assert learner.submit(learner.call("retry", {"attempt": 2}).data["attempt"],
                          RIGHT).status == 200
    assert learner.load()["status"]["can_attempt"] is False
    refused = learner.call("retry", {"attempt": 3})
    assert refused.status == 400 and "used all your attempts" in refused.data["error"]
    lms_reset(learner)
    assert learner.load()["status"]["attempts_left"] == 1
    assert learner.submit(learner.call("retry", {"attempt": 3}).data["attempt"],
                          WRONG).status == 200
    assert workbench.state(learner.usage, "s1")["quiz_state"]["reset_at"] == 2
    assert report_rows(workbench, learner) == [1, 2, 3]


def test_retry_applies_a_reset_without_a_page_load(workbench):
    learner = used_up(workbench)
    lms_reset(learner)
    opened = learner.call("retry", {"attempt": 2})
    assert opened.status == 200 and opened.data["attempt"]["attempt"] == 2
    assert workbench.state(learner.usage, "s1")["attempts"] is None


def test_submit_applies_a_reset_when_it_would_refuse(workbench):
    # An attempt opened while one was left, then the limit lowered to the attempts used: the
    # submit would be refused for "no attempts left" unless staff reset the attempts.
    sid = workbench.scenario(quiz_olx(small_bank(), questions_per_attempt=0, max_attempts=2))
    donor = Learner(workbench, sid, student="donor")
    donor.submit(donor.load()["attempt"], WRONG)
    second = donor.call("retry", {"attempt": 2}).data["attempt"]
    state = workbench.state(donor.usage, "donor")["quiz_state"]
    for reset in (False, True):
        sid1 = workbench.scenario(quiz_olx(small_bank(), questions_per_attempt=0,
                                           max_attempts=1))
        learner = Learner(workbench, sid1)
        store_fields(learner.usage, "s1", quiz_state=state, **({"attempts": 0} if reset else {}))
        answered = learner.submit(second, RIGHT)
        if reset:
            assert answered.status == 200, answered.data
            stored = workbench.state(learner.usage, "s1")
            assert stored["attempts"] is None and stored["quiz_state"]["reset_at"] == 1
            assert len(stored["quiz_state"]["attempts"]) == 2
        else:
            assert answered.status == 400 and "used all" in answered.data["error"]


@pytest.mark.parametrize("odd", [-1, 2, "0", 0.0, True, False, None, [0], {"n": 0}], ids=repr)
def test_other_stored_values_are_no_reset_and_change_nothing(workbench, odd):
    learner = used_up(workbench)
    store_fields(learner.usage, "s1", attempts=odd)
    before = workbench.snapshot()
    assert learner.load()["status"]["can_attempt"] is False
    refused = learner.call("retry", {"attempt": 2})
    assert refused.status == 400 and "used all your attempts" in refused.data["error"]
    assert workbench.snapshot() == before


def test_without_a_reset_nothing_changes_and_a_submit_never_writes_the_field(workbench):
    learner = used_up(workbench, max_attempts=2, texts=(WRONG, WRONG))
    stored = workbench.state(learner.usage, "s1")
    assert "attempts" not in stored and "reset_at" not in stored["quiz_state"]
    before = workbench.snapshot()
    assert learner.load()["status"]["attempts_left"] == 0
    assert learner.call("retry", {"attempt": 3}).status == 400
    assert workbench.snapshot() == before


def test_a_reset_before_any_attempt_or_with_attempts_left_is_harmless(workbench):
    sid = workbench.scenario(quiz_olx(small_bank(), questions_per_attempt=0, max_attempts=2))
    learner = Learner(workbench, sid)
    learner.load()
    lms_reset(learner)
    view = learner.load()
    assert view["attempt"]["attempt"] == 1 and view["status"]["attempts_left"] == 2
    assert workbench.state(learner.usage, "s1")["attempts"] is None
    assert learner.submit(view["attempt"], WRONG).data["status"]["attempts_left"] == 1
