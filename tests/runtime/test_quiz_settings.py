"""A bank edited under an open attempt, and settings Studio and OLX import must refuse (quiz,
atlas, self-assessment), through the real workbench."""
from __future__ import annotations

import pytest

from competency_xblock.text import UserFacingError
from tests.runtime.test_quiz import RIGHT, Learner, answers_for, quiz_olx, small_bank


def one_question_bank() -> dict:
    bank = small_bank()
    bank["questions"] = bank["questions"][:1]
    return bank


def staff_edit(workbench, usage, payload, lang="en"):
    return workbench.call(usage, "submit_studio_edits", payload, student="staff", lang=lang)


# --- 1. the bank changes under an open attempt -----------------------------------------------

def test_open_attempt_is_redrawn_when_its_questions_leave_the_bank(workbench):
    sid = workbench.scenario(quiz_olx(one_question_bank()))
    learner = Learner(workbench, sid)
    first = learner.load()["attempt"]
    assert [q["id"] for q in first["questions"]] == ["q1"]
    workbench.events.clear()

    assert staff_edit(workbench, learner.usage, {"values": {}, "defaults": ["bank"]}).status == 200

    # The page still shows q1: its submit is refused, uses no attempt and grades nothing.
    before = workbench.snapshot()
    stale = learner.call("submit", {"attempt": 1, "answers": {}})
    assert stale.status == 400 and "changed by the course team" in stale.data["error"]
    assert workbench.snapshot() == before
    assert not workbench.events.of_type("grade")

    # A reload draws attempt 1 again from the current (default) bank.
    again = learner.load()
    assert again["attempt"]["attempt"] == 1
    assert len(again["attempt"]["questions"]) == 10
    assert "q1" not in {q["id"] for q in again["attempt"]["questions"]}
    assert again["status"]["attempts_left"] == 3
    result = learner.call("submit", {"attempt": 1, "answers": {}})
    assert result.status == 200
    assert result.data["result"]["earned"] == 0 and result.data["result"]["passed"] is False
    assert workbench.events.of_type("grade")[-1]["value"] == 0


def test_retry_redraws_a_stale_open_attempt(workbench):
    sid = workbench.scenario(quiz_olx(small_bank(), questions_per_attempt=0,
                                      shuffle_questions="false"))
    learner = Learner(workbench, sid)
    first = learner.load()["attempt"]
    assert learner.submit(first, RIGHT).status == 200
    second = learner.call("retry", {"attempt": 2}).data["attempt"]
    assert len(second["questions"]) == 4
    assert staff_edit(workbench, learner.usage, {"values": {"bank": one_question_bank()}}
                      ).status == 200
    again = learner.call("retry", {"attempt": 2})
    assert again.status == 200
    assert [q["id"] for q in again.data["attempt"]["questions"]] == ["q1"]
    stored = workbench.state(learner.usage, "s1")["quiz_state"]["open"]
    assert [q["q"] for q in stored["draw"]["questions"]] == ["q1"]
    result = learner.submit(again.data["attempt"], RIGHT).data["result"]
    assert (result["earned"], result["possible"]) == (1, 1)  # not 4 of 4 for 1 question shown


def test_submitted_attempts_keep_their_score_after_the_bank_changes(workbench):
    sid = workbench.scenario(quiz_olx(small_bank(), questions_per_attempt=0))
    learner = Learner(workbench, sid)
    attempt = learner.load()["attempt"]
    result = learner.submit(attempt, RIGHT).data["result"]
    assert (result["earned"], result["possible"], result["passed"]) == (4, 4, True)
    assert staff_edit(workbench, learner.usage, {"values": {"bank": one_question_bank()}}
                      ).status == 200
    view = learner.load()
    assert view["attempt"] is None
    assert view["result"]["earned"] == 4 and view["result"]["possible"] == 4
    assert view["status"]["final_percent"] == 100


def test_a_stale_answer_set_is_not_graded_against_the_new_bank(workbench):
    """Part of the draw left the bank: the submit is refused, nothing counts as correct."""
    sid = workbench.scenario(quiz_olx(small_bank(), questions_per_attempt=0))
    learner = Learner(workbench, sid)
    attempt = learner.load()["attempt"]
    answers = {k: v for k, v in answers_for(attempt, RIGHT).items() if k == "q1"}
    assert staff_edit(workbench, learner.usage, {"values": {"bank": one_question_bank()}}
                      ).status == 200
    refused = learner.call("submit", {"attempt": 1, "answers": answers})
    assert refused.status == 400
    assert workbench.state(learner.usage, "s1")["quiz_state"]["attempts"] == []


# --- 2. OLX import refuses unusable settings, naming the element and the attribute -----------

@pytest.mark.parametrize("attrs, words", [
    ({"topics": '["nope"]'}, ['"nope"', "topics"]),
    ({"max_attempts": "-1"}, ["max_attempts"]),
    ({"pass_threshold": "200"}, ["pass_threshold", "200"]),
    ({"weight": "-3"}, ["weight cannot be negative"]),
    ({"weight": "heavy"}, ["weight: enter a number"]),
    ({"weight": "1e999"}, ["weight: enter a number"]),
    ({"weight": "1e308"}, ["weight: the number is too large"]),
    ({"questions_per_attempt": "ten"}, ["questions_per_attempt: enter a whole number"]),
    ({"topics": "[cpr"}, ["topics: enter a JSON list"]),
    ({"draw_mode": "random"}, ['draw_mode: "random" is not one of the choices']),
    ({"shuffle_questions": "maybe"}, ["shuffle_questions: choose true or false"]),
    ({"display_name": "x" * 1001}, ["display_name: the text is too long"]),
])
def test_quiz_olx_with_unusable_settings_is_refused(_django, attrs, words):
    from tests.helpers.workbench import parse_olx

    with pytest.raises(UserFacingError) as caught:
        parse_olx(quiz_olx(**attrs))
    message = str(caught.value)
    assert "<data_security_quiz>" in message
    for word in words:
        assert word in message


@pytest.mark.parametrize("olx, words", [
    ('<atlas_lookup mode="quiz"/>', ['mode: "quiz" is not one of the choices']),
    ('<atlas_lookup results_per_page="0"/>', ["results_per_page must be between 1 and 50"]),
    ('<atlas_lookup max_attempts="11"/>', ["max_attempts must be between 0 and 10"]),
    ('<atlas_lookup weight="-1"/>', ["weight cannot be negative"]),
    ('<competency_self_assessment graded="yes"/>', ["graded: choose true or false"]),
])
def test_other_blocks_refuse_unusable_olx_settings(_django, olx, words):
    from tests.helpers.workbench import parse_olx

    with pytest.raises(UserFacingError) as caught:
        parse_olx(olx)
    tag = olx[1:].split(" ")[0]
    assert f"<{tag}>" in str(caught.value)
    for word in words:
        assert word in str(caught.value)


def test_usable_olx_settings_still_import(_django):
    from tests.helpers.workbench import parse_olx

    bank = small_bank()
    bank["questions"][0]["topic"] = "t1"
    block = parse_olx(quiz_olx(bank, topics='["t1"]', max_attempts="0", pass_threshold="100",
                               weight="2.5", shuffle_choices="False"))
    assert (block.max_attempts, block.pass_threshold, block.weight) == (0, 100, 2.5)
    assert block.shuffle_choices is False
    # More questions per attempt than the bank has: each attempt draws all of them.
    assert parse_olx(quiz_olx(small_bank(), questions_per_attempt=10)).max_score() == 4
    assert parse_olx('<competency_self_assessment graded="true"/>').graded is True


# --- 2b. settings stored before these checks: learners get a working block -------------------

def stored_quiz(workbench, **fields):
    """A quiz whose stored settings bypassed Studio and OLX checks (an older version)."""
    from tests.helpers.workbench import parse_olx

    workbench.render(workbench.scenario(quiz_olx(small_bank())))  # the browser's CSRF cookie
    block = parse_olx(quiz_olx(small_bank(), questions_per_attempt=0))
    for name, value in fields.items():
        setattr(block, name, value)
    block.save()
    return str(block.scope_ids.usage_id)


def test_stored_out_of_range_settings_fall_back_to_the_defaults(workbench):
    usage = stored_quiz(workbench, max_attempts=-1, pass_threshold=200.0, draw_mode="random",
                        grade_policy="worst")
    load = workbench.call(usage, "load", {}, student="s9")
    assert load.status == 200, load.body
    status, attempt = load.data["status"], load.data["attempt"]
    assert status["can_attempt"] and status["attempts_left"] == 3
    assert status["pass_threshold"] == 80 and status["grade_policy"] == "best"
    assert len(attempt["questions"]) == 4
    answers = answers_for(attempt, RIGHT)
    result = workbench.call(usage, "submit", {"attempt": 1, "answers": answers}, student="s9")
    assert result.status == 200 and result.data["result"]["passed"] is True


def test_unknown_topics_tell_the_learner_and_use_no_attempt(workbench):
    usage = stored_quiz(workbench, topics=["nope"])
    load = workbench.call(usage, "load", {}, student="s9", lang="da")
    assert load.status == 400 and "kursusteamet" in load.data["error"]
    submit = workbench.call(usage, "submit", {"attempt": 1, "answers": {}}, student="s9")
    assert submit.status == 400
    assert not workbench.state(usage, "s9").get("quiz_state")  # no attempt opened or used


def test_studio_validate_warns_staff_about_stored_bad_settings(workbench):
    from tests.helpers.workbench import parse_olx

    block = parse_olx(quiz_olx(small_bank(), questions_per_attempt=0))
    block.weight = -3.0
    block.topics = ["nope"]
    messages = " ".join(m.text for m in block.validate().messages)
    assert '"nope"' in messages
    assert "weight cannot be negative" in messages or "Vægten kan ikke" in messages


# --- 3. Studio refuses what learners could not use --------------------------------------------

@pytest.mark.parametrize("values, words", [
    ({"weight": -1}, "The weight cannot be negative."),
    ({"weight": -5}, "The weight cannot be negative."),
    ({"weight": 1e308}, "the number is too large"),
    ({"display_name": "x" * 100_000}, "the text is too long"),
    ({"max_attempts": 2.5}, "enter a whole number"),
    ({"draw_mode": "random"}, "is not one of the choices"),
    ({"shuffle_questions": "yes"}, "choose true or false"),
])
def test_quiz_studio_refuses_bad_values_and_saves_nothing(workbench, values, words):
    sid = workbench.scenario(quiz_olx(small_bank(), questions_per_attempt=0))
    usage = workbench.render(sid, student="staff").usage_id
    before = workbench.snapshot()
    result = staff_edit(workbench, usage, {"values": values})
    assert result.status == 400, result.body
    assert words in " ".join(result.data["messages"])
    assert workbench.snapshot() == before


def test_quiz_studio_weight_message_in_danish_and_good_values_save(workbench):
    sid = workbench.scenario(quiz_olx(small_bank(), questions_per_attempt=0))
    usage = workbench.render(sid, student="staff").usage_id
    danish = staff_edit(workbench, usage, {"values": {"weight": -1}}, lang="da")
    assert "Vægten kan ikke være negativ." in danish.data["messages"]
    good = staff_edit(workbench, usage, {"values": {"weight": 2, "display_name": "Quiz",
                                                    "shuffle_questions": False}})
    assert good.status == 200, good.body


@pytest.mark.parametrize("name", ["aarhus", "../../etc/passwd"])
def test_atlas_studio_refuses_an_unknown_named_atlas(workbench, name):
    sid = workbench.scenario("<atlas_lookup/>")
    usage = workbench.render(sid, student="staff").usage_id
    before = workbench.snapshot()
    result = staff_edit(workbench, usage, {"values": {"atlas_name": name}})
    assert result.status == 400
    assert f'No atlas named "{name}" is configured' in " ".join(result.data["messages"])
    assert "eksempel-kommune" in " ".join(result.data["messages"])
    assert workbench.snapshot() == before
    assert staff_edit(workbench, usage, {"values": {"atlas_name": "eksempel-kommune"}}
                      ).status == 200


def test_self_assessment_studio_refuses_a_non_boolean_graded(workbench):
    sid = workbench.scenario("<competency_self_assessment/>")
    usage = workbench.render(sid, student="staff").usage_id
    before = workbench.snapshot()
    result = staff_edit(workbench, usage, {"values": {"graded": "yes"}})
    assert result.status == 400
    assert "choose true or false" in " ".join(result.data["messages"])
    assert workbench.snapshot() == before
    assert staff_edit(workbench, usage, {"values": {"graded": True}}).status == 200
