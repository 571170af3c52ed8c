"""The blocks' xAPI events (core/xapi_events.py): identities, durations, plain-text labels."""
from __future__ import annotations

from datetime import timedelta

from competency_xblock.core import xapi_events
from competency_xblock.quiz_engine import attempts
from competency_xblock.quiz_engine.bank import bank_from_dict
from competency_xblock.quiz_engine.settings import QuizSettings
from competency_xblock.xapi import Learner, build, from_settings
from tests.unit.xapi import samples

BANK = bank_from_dict({"id": "b", "questions": [
    {"id": "q1", "type": "single", "text_format": "html",
     "prompt": {"en": "<p>Is <b>this</b> &amp; that <script>x()</script>personal?</p>",
                "da": "<p>Er det <em>personligt</em>?</p>"},
     "choices": [{"id": "y", "text": "<i>Yes</i>", "correct": True}, {"id": "n", "text": "No"}]},
    {"id": "q2", "type": "truefalse", "prompt": "Plain <b>kept</b>",
     "choices": [{"id": "true", "text": "True", "correct": True},
                 {"id": "false", "text": "False"}]},
]})
SETTINGS = QuizSettings.from_dict({"questions_per_attempt": 0, "pass_threshold": 50.0})


class FakeBlock:
    """What the builders use of a block: ``xapi_learner`` and ``xapi_event``."""

    def xapi_learner(self):
        return Learner(anonymous_id="anon-1")

    def xapi_event(self, event_type, **fields):
        fields.setdefault("learner", self.xapi_learner())
        return event_type(usage_key=samples.USAGE_QUIZ, language="en", block_title="Quiz",
                          **fields)


def submitted(opened_at: str | None):
    state, record = attempts.open_attempt({}, BANK, SETTINGS, "anon-1", samples.USAGE_QUIZ)
    if opened_at is not None:
        record[xapi_events.OPENED_AT] = opened_at
    opened = dict(record)
    keys = {q: ["0"] for q in ("q1", "q2")}
    _state, result, _replayed = attempts.submit(state, BANK, SETTINGS, 1, keys)
    return opened, result


def test_quiz_attempt_events_and_stable_ids():
    opened_at = (xapi_events.now() - timedelta(seconds=42)).isoformat().replace("+00:00", "Z")
    opened, result = submitted(opened_at)
    events = xapi_events.quiz_attempt(FakeBlock(), BANK, SETTINGS, 1, result, opened)
    assert [e.kind for e in events] == ["quiz_answered", "quiz_answered", "quiz_completed"]
    completed = events[-1]
    assert completed.attempt_id == f"1@{opened_at}" and completed.mastery == 0.5
    assert 42 <= completed.duration_seconds < 60
    again = xapi_events.quiz_attempt(FakeBlock(), BANK, SETTINGS, 1, result, opened)
    config = from_settings(samples.settings())
    assert [build(e, config).statement_id for e in events] == \
        [build(e, config).statement_id for e in again]  # a rebuild: the same ids


def test_quiz_without_a_pass_mark_is_completed_not_passed():
    ungraded = QuizSettings.from_dict({"questions_per_attempt": 0, "pass_threshold": 0})
    opened, result = submitted(None)
    completed = xapi_events.quiz_attempt(FakeBlock(), BANK, ungraded, 1, result, opened)[-1]
    assert (completed.success, completed.mastery) == (None, None)
    statement = build(completed, from_settings(samples.settings())).statement
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert "success" not in statement["result"] and statement["result"]["completion"] is True
    assert "https://w3id.org/xapi/cmi5/context/extensions/masteryscore" not in \
        statement["context"]["extensions"]
    graded = xapi_events.quiz_attempt(FakeBlock(), BANK, SETTINGS, 1, result, opened)[-1]
    assert build(graded, from_settings(samples.settings())).statement_id == \
        statement["id"]  # the verb is content, not identity


def test_attempt_opened_before_the_upgrade_has_no_duration():
    opened, result = submitted(None)
    completed = xapi_events.quiz_attempt(FakeBlock(), BANK, SETTINGS, 1, result, opened)[-1]
    assert completed.attempt_id == "1" and completed.duration_seconds is None


def test_html_question_text_becomes_plain_text():
    opened, result = submitted(None)
    events = xapi_events.quiz_attempt(FakeBlock(), BANK, SETTINGS, 1, result, opened)
    q1 = next(e for e in events if getattr(e, "question_id", "") == "q1")
    assert q1.question_text == {"en": "Is this & that personal?", "da": "Er det personligt?"}
    assert {c.id: c.text for c in q1.choices} == {"y": "Yes", "n": "No"}
    assert xapi_events.plain_text("Plain <b>kept</b>") == "Plain <b>kept</b>"  # plain format
