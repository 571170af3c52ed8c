"""Graded work closes at the LMS deadline, through the workbench's handler URLs with CSRF.

The demo runtime mixes the LMS's deadline fields into every block (demo/deadlines.py), so
``due``, ``graceperiod`` and ``self_paced`` in OLX close a block here as in the LMS.  The
clock is moved by replacing ``demo.deadlines.now``.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.runtime.test_atlas_lookup import olx as atlas_olx
from tests.runtime.test_quiz import RIGHT, WRONG, Learner, answers_for, quiz_olx, small_bank

PAST = "2020-01-01T00:00:00Z"
FUTURE = "2999-01-01T00:00:00Z"
CLOSED_EN = "This quiz closed on 1 January 2020, 00:00 UTC."
CLOSED_DA = "Quizzen lukkede den 1. januar 2020 kl. 00.00 UTC."
EXERCISE_CLOSED_EN = "This exercise closed on 1 January 2020, 00:00 UTC."
EXERCISE_CLOSED_DA = "Øvelsen lukkede den 1. januar 2020 kl. 00.00 UTC."


@pytest.fixture
def clock(monkeypatch):
    """``clock(datetime)`` sets the demo runtime's "now" (UTC)."""
    from demo import deadlines

    def set_now(moment: datetime) -> None:
        monkeypatch.setattr(deadlines, "now", lambda: moment)

    return set_now


def small_quiz(**attrs) -> str:
    attrs = {"questions_per_attempt": 0, "shuffle_questions": "false",
             "shuffle_choices": "false", "max_attempts": 3, "show_answer": "always", **attrs}
    return quiz_olx(small_bank(), **attrs)


def refused(result, message: str) -> None:
    assert result.status == 400, result.body
    assert message in result.data["error"], result.data


# --- the demo runtime has the LMS's fields ------------------------------------------------------

def test_due_graceperiod_and_self_paced_reach_the_block_and_round_trip(_django):
    from tests.helpers.workbench import export_olx, parse_olx

    block = parse_olx(small_quiz(due="2026-06-30T21:59:00Z", graceperiod="2 days 3 hours",
                                 self_paced="true"))
    assert block.due == datetime(2026, 6, 30, 21, 59, tzinfo=UTC)
    assert block.graceperiod == timedelta(days=2, hours=3)
    assert block.self_paced is True
    assert block.close_date == datetime(2026, 7, 3, 0, 59, tzinfo=UTC)
    exported = export_olx(block)
    assert "due=" in exported and "graceperiod=" in exported and "self_paced=" in exported
    again = parse_olx(exported)
    assert (again.due, again.graceperiod, again.self_paced) == \
        (block.due, block.graceperiod, block.self_paced)
    # Not set: the LMS's defaults, and nothing written.
    plain = parse_olx(small_quiz())
    assert (plain.due, plain.graceperiod, plain.self_paced) == (None, None, False)
    assert plain.has_deadline_passed() is False
    assert "due=" not in export_olx(plain)
    # A date without a time is refused on import, naming the attribute (docs/authors.rst).
    from competency_xblock.core.olx import OlxSettingsError

    with pytest.raises(OlxSettingsError, match="due"):
        parse_olx(small_quiz(due="2026-06-30"))


def test_the_sdk_patch_does_not_overwrite_the_authors_due_date(workbench):
    """The sdk sets ``due = utcnow()`` on every block it renders or calls (for the LTI
    consumer); with the fields mixed in that would be saved over the author's date."""
    sid = workbench.scenario(small_quiz(due=PAST, graceperiod="1 hour"))
    usage = workbench.render(sid, student="sdk").usage_id
    assert workbench.call(usage, "load", {}, student="sdk").status == 200
    assert workbench.call(usage, "retry", {"attempt": 1}, student="sdk").status == 400
    settings = workbench.snapshot()[("usage", usage, None)]
    assert '"due": "2020-01-01T00:00:00Z"' in settings
    assert '"graceperiod": "3600 seconds"' in settings, settings
    page = workbench.render(sid, student="sdk")
    assert CLOSED_EN.replace("00:00", "01:00") in page.html


def test_the_demo_mixin_has_the_lms_semantics(_django, clock):
    from tests.helpers.workbench import parse_olx

    block = parse_olx(small_quiz(due="2026-06-30T12:00:00Z", graceperiod="1 hour"))
    clock(datetime(2026, 6, 30, 12, 30, tzinfo=UTC))   # after due, within the grace period
    assert block.has_deadline_passed() is False and block.is_past_due() is False
    clock(datetime(2026, 6, 30, 13, 0, 1, tzinfo=UTC))
    assert block.has_deadline_passed() is True and block.is_past_due() is True
    paced = parse_olx(small_quiz(due="2026-06-30T12:00:00Z", self_paced="true"))
    assert paced.is_past_due() is True and paced.has_deadline_passed() is False


# --- quiz ---------------------------------------------------------------------------------------

def test_quiz_closed_before_a_first_visit_opens_nothing(workbench):
    sid = workbench.scenario(small_quiz(due=PAST))
    page = workbench.render(sid, student="late")
    assert CLOSED_EN in page.html and "data-cx-closed" in page.html
    assert CLOSED_DA in workbench.render(sid, student="late", lang="da").html
    workbench.events.clear()
    view = workbench.call(page.usage_id, "load", {}, student="late")
    assert view.status == 200, view.body
    assert view.data["attempt"] is None and view.data["result"] is None
    status = view.data["status"]
    assert status["closed"] is True and status["can_attempt"] is False
    assert status["close_date"] == "2020-01-01T00:00:00+00:00"
    assert status["submitted"] == 0 and status["attempts_left"] == 3
    assert workbench.state(page.usage_id, "late") == {}      # no attempt opened
    before = workbench.snapshot()
    refused(workbench.call(page.usage_id, "retry", {"attempt": 1}, student="late"), CLOSED_EN)
    refused(workbench.call(page.usage_id, "retry", {"attempt": 1}, student="late", lang="da"),
            CLOSED_DA)
    refused(workbench.call(page.usage_id, "submit", {"attempt": 1, "answers": {}},
                           student="late"), CLOSED_EN)
    assert workbench.snapshot() == before
    assert workbench.events.events == []


def test_quiz_before_its_deadline_works_as_always(workbench):
    sid = workbench.scenario(small_quiz(due=FUTURE))
    learner = Learner(workbench, sid, student="early")
    assert "data-cx-closed" not in learner.page.html
    view = learner.load()
    assert view["status"]["closed"] is False and view["status"]["can_attempt"] is True
    assert view["status"]["close_date"] == "2999-01-01T00:00:00+00:00"
    done = learner.submit(view["attempt"], RIGHT)
    assert done.status == 200 and done.data["result"]["earned"] == 4
    assert workbench.events.of_type("grade", learner.usage)[-1]["value"] == 4.0
    again = learner.call("retry", {"attempt": 2})
    assert again.status == 200 and again.data["attempt"]["attempt"] == 2


def test_quiz_after_its_deadline_keeps_results_and_refuses_new_work(workbench, clock,
                                                                     xapi_openedx):
    sid = workbench.scenario(small_quiz(due="2026-06-30T12:00:00Z"))
    clock(datetime(2026, 6, 1, tzinfo=UTC))
    learner = Learner(workbench, sid, student="ontime")
    attempt = learner.load()["attempt"]
    first = learner.submit(attempt, WRONG)
    assert first.status == 200
    assert workbench.events.of_type("competency_xblock.xapi.quiz_completed", learner.usage)
    second = learner.call("retry", {"attempt": 2}).data["attempt"]   # opened in time
    clock(datetime(2026, 6, 30, 12, 0, 1, tzinfo=UTC))
    page = workbench.render(sid, student="ontime", lang="da")
    assert "Quizzen lukkede den 30. juni 2026 kl. 12.00 UTC." in page.html
    before = workbench.snapshot()
    workbench.events.clear()
    # The learner still sees the last result (feedback per the show-answer policy), not the
    # attempt that was open at the deadline; nothing is opened or redrawn.
    view = learner.load()
    assert view["attempt"] is None
    assert view["result"]["attempt"] == 1 and view["result"]["earned"] == 0
    assert view["result"]["answers_revealed"] is True
    assert view["status"]["closed"] is True and view["status"]["can_attempt"] is False
    assert view["status"]["submitted"] == 1
    message = "This quiz closed on 30 June 2026, 12:00 UTC."
    refused(learner.call("submit", {"attempt": 2, "answers": answers_for(second, RIGHT)}),
            message)
    refused(learner.call("retry", {"attempt": 2}), message)
    refused(learner.call("retry", {"attempt": 3}), message)
    refused(learner.call("submit", {"attempt": 1, "answers": answers_for(attempt, RIGHT)}),
            message)                                   # other answers to a submitted attempt
    refused(learner.call("submit", {"attempt": 7, "answers": {}}), message)
    assert workbench.snapshot() == before
    assert workbench.events.events == []               # no grade, completion, event or xAPI
    # The same answers to the attempt submitted in time (a retried request): its result again.
    replay = learner.submit(attempt, WRONG)
    assert replay.status == 200 and replay.data["replayed"] is True
    assert replay.data["result"]["earned"] == 0 and replay.data["status"]["closed"] is True
    assert workbench.snapshot() == before and workbench.events.events == []
    assert len(workbench.state(learner.usage, "ontime")["quiz_state"]["attempts"]) == 1


def test_quiz_grace_period_and_self_paced_courses(workbench, clock):
    clock(datetime(2026, 6, 30, 13, 0, tzinfo=UTC))
    graced = workbench.scenario(small_quiz(due="2026-06-30T12:00:00Z", graceperiod="2 hours"))
    usage = workbench.render(graced, student="g").usage_id
    view = workbench.call(usage, "load", {}, student="g").data
    assert view["status"]["closed"] is False and view["attempt"] is not None
    assert view["status"]["close_date"] == "2026-06-30T14:00:00+00:00"
    clock(datetime(2026, 6, 30, 14, 0, 1, tzinfo=UTC))
    refused(workbench.call(usage, "submit", {"attempt": 1, "answers": {}}, student="g"),
            "This quiz closed on 30 June 2026, 14:00 UTC.")
    paced = workbench.scenario(small_quiz(due=PAST, self_paced="true"))
    usage = workbench.render(paced, student="p").usage_id
    view = workbench.call(usage, "load", {}, student="p").data
    assert view["status"]["closed"] is False and view["attempt"] is not None


def test_staff_rescore_after_the_deadline(workbench, clock):
    from workbench.runtime import WorkbenchRuntime

    wrong_key = small_bank()
    wrong_key["questions"][3]["choices"][0]["correct"] = True   # q4: Ex marked right (wrong)
    wrong_key["questions"][3]["choices"][1]["correct"] = False
    sid = workbench.scenario(quiz_olx(wrong_key, questions_per_attempt=0, max_attempts=1,
                                      due="2026-06-30T12:00:00Z"))
    clock(datetime(2026, 6, 1, tzinfo=UTC))
    learner = Learner(workbench, sid, student="rs")
    assert learner.submit(learner.load()["attempt"], RIGHT).data["result"]["earned"] == 3
    fixed = workbench.call(learner.usage, "submit_studio_edits",
                           {"values": {"bank": small_bank()}}, student="staff")
    assert fixed.status == 200, fixed.body
    clock(datetime(2026, 7, 1, tzinfo=UTC))
    workbench.events.clear()
    block = WorkbenchRuntime("rs").get_block(learner.usage)
    assert block.has_deadline_passed() is True
    block.rescore(only_if_higher=False)
    assert workbench.events.of_type("grade", learner.usage) == [
        {"value": 4.0, "max_value": 4.0, "only_if_higher": False}]
    assert learner.load()["result"]["earned"] == 4


# --- atlas exercise ----------------------------------------------------------------------------

def test_atlas_picks_after_the_deadline_are_refused_search_still_works(workbench,
                                                                       xapi_openedx):
    sid = workbench.scenario(atlas_olx(mode="exercise", due=PAST))
    page = workbench.render(sid, student="a1")
    assert EXERCISE_CLOSED_EN in page.html and '"closed": true' in page.html
    assert EXERCISE_CLOSED_DA in workbench.render(sid, student="a1", lang="da").html
    usage = page.usage_id
    before = workbench.snapshot()
    workbench.events.clear()
    for payload in ({"scenario": "s1", "kind": "service", "id": "koerekort"},   # right
                    {"scenario": "s1", "kind": "unit", "id": "bs"},             # wrong
                    {"scenario": "nope", "kind": "unit", "id": "bs"}):          # unknown
        refused(workbench.call(usage, "pick", payload, student="a1"), EXERCISE_CLOSED_EN)
    refused(workbench.call(usage, "pick", {"scenario": "s1", "kind": "unit", "id": "pk"},
                           student="a1", lang="da"), EXERCISE_CLOSED_DA)
    assert workbench.snapshot() == before
    assert workbench.events.events == []
    # The atlas is a reference tool: searching still answers, and no longer counts towards the
    # closed scenario.
    found = workbench.call(usage, "search", {"query": "kørekort", "scenario": "s1"},
                           student="a1")
    assert found.status == 200 and found.data["total"] > 0
    assert "progress" not in workbench.state(usage, "a1")
    assert not workbench.events.of_type("grade", usage)


def test_atlas_before_the_deadline_and_a_replay_after_it(workbench, clock):
    sid = workbench.scenario(atlas_olx(mode="exercise", due="2026-06-30T12:00:00Z"))
    clock(datetime(2026, 6, 1, tzinfo=UTC))
    page = workbench.render(sid, student="a2")
    assert "data-cx-closed" not in page.html and '"closed": false' in page.html
    usage = page.usage_id
    workbench.call(usage, "search", {"query": "kørekort", "scenario": "s1"}, student="a2")
    right = {"scenario": "s1", "kind": "service", "id": "koerekort"}
    first = workbench.call(usage, "pick", right, student="a2")
    assert first.status == 200 and first.data["correct"] is True
    assert workbench.events.of_type("grade", usage)[-1]["value"] == 1.0
    clock(datetime(2026, 7, 1, tzinfo=UTC))
    before = workbench.snapshot()
    workbench.events.clear()
    again = workbench.call(usage, "pick", right, student="a2")   # a retried request
    assert again.status == 200 and again.data == first.data
    refused(workbench.call(usage, "pick", {"scenario": "s2", "kind": "service",
                                           "id": "rotter"}, student="a2"),
            "This exercise closed on 30 June 2026, 12:00 UTC.")
    found = workbench.call(usage, "search", {"query": "rotter", "scenario": "s2"}, student="a2")
    assert found.status == 200 and found.data["total"] > 0
    assert workbench.snapshot() == before     # not counted for s2 (a search with hits)
    assert workbench.events.of_type("grade", usage) == []


def test_lookup_mode_has_nothing_to_close(workbench):
    sid = workbench.scenario(atlas_olx(mode="lookup", due=PAST))
    page = workbench.render(sid, student="l1")
    assert "data-cx-closed" not in page.html
    found = workbench.call(page.usage_id, "search", {"query": "pas"}, student="l1")
    assert found.status == 200 and found.data["total"] > 0


# --- the demo's closed scenarios (docs/quickstart.rst) ---------------------------------------

def test_closed_demo_scenarios(workbench):
    page = workbench.render("data_security_quiz.2", student="demo-late")
    assert CLOSED_EN in page.html
    view = workbench.call(page.usage_id, "load", {}, student="demo-late").data
    assert view["status"]["closed"] is True and view["attempt"] is None
    demo = workbench.render("atlas_lookup.3", student="demo-late", lang="da")
    assert EXERCISE_CLOSED_DA in demo.html and '"closed": true' in demo.html
    found = workbench.call(demo.usage_id, "search", {"query": "flytning"}, student="demo-late")
    assert found.status == 200 and found.data["total"] > 0
    refused(workbench.call(demo.usage_id, "pick", {"scenario": "flytning", "kind": "unit",
                                                   "id": "borgerservice"}, student="demo-late"),
            EXERCISE_CLOSED_EN)


# --- self-assessment: a reflection tool, open after the deadline -----------------------------

def test_self_assessment_stays_open_after_the_deadline(workbench):
    from tests.runtime.self_assessment_helpers import ratings_for

    sid = workbench.scenario(f'<competency_self_assessment graded="true" due="{PAST}"/>')
    page = workbench.render(sid, student="sa1")
    assert "data-cx-closed" not in page.html
    done = workbench.call(page.usage_id, "submit",
                          {"role": "borgerservice", "unit": "borgerservice",
                           "ratings": ratings_for("borgerservice")}, student="sa1")
    assert done.status == 200, done.body
    assert workbench.events.of_type("grade", page.usage_id)[-1]["value"] == 1.0
