"""The three blocks' learner flows, through the workbench's handler URLs, into a real Ralph.

Each flow runs with the direct transport (outbox + sender), is delivered, and read back from
Ralph with GET by the learner's actor: exactly the expected statements (count, verbs, object
ids, results), actor = the anonymous account with no name or e-mail, byte-identical to what
the outbox stored, and every statement passes the three checks (vendored JSON Schema, Ralph's
model, our strict rules).  A rejected request (400) emits nothing, nor does xAPI when off.
"""
from __future__ import annotations

import contextlib
import copy
import json
import re
import time
import uuid

import pytest
from web_fragments.fragment import Fragment
from xblock.core import XBlock

from competency_xblock import xapi
from competency_xblock.competency.content import BlockContent
from competency_xblock.core.base import CompetencyBlockBase
from competency_xblock.core.handlers import json_api
from competency_xblock.text import N_, UserFacingError
from competency_xblock.xapi import vocabulary as v
from competency_xblock.xapi.config import from_settings
from competency_xblock.xapi.outbox import Outbox
from competency_xblock.xapi.sender import Sender
from tests.lrs.conftest import direct_settings
from tests.lrs.helpers import assert_exactly_once
from tests.runtime import test_atlas_lookup as atlas_tests
from tests.runtime import test_quiz as quiz_tests
from tests.runtime.self_assessment_helpers import EXAMPLE, olx, ratings_for

ROOT = "http://lms.test.example"


@contextlib.contextmanager
def xapi_settings(**bucket_changes):
    """XBLOCK_SETTINGS["competency_xblock"] with ``bucket_changes`` for the block's duration."""
    from django.conf import settings
    from django.test import override_settings

    patched = copy.deepcopy(settings.XBLOCK_SETTINGS)
    patched.setdefault("competency_xblock", {}).update(bucket_changes)
    with override_settings(XBLOCK_SETTINGS=patched):
        yield patched["competency_xblock"]


@pytest.fixture
def direct(ralph, tmp_path):
    """The direct transport to the session's Ralph; the test delivers with ``deliver()``."""
    outbox = tmp_path / "outbox.sqlite3"
    with xapi_settings(**direct_settings(ralph, outbox, xapi_sender="external",
                                         xapi_lms_root_url=ROOT)) as bucket:
        yield bucket


def pending(bucket) -> list:
    """What the outbox holds (the exact bytes that will be sent), oldest first."""
    path = bucket["xapi_outbox_path"]
    return Outbox(path).pending(10_000)


def deliver(bucket) -> list:
    """Send everything pending to Ralph; return the rows that were sent."""
    rows = pending(bucket)
    config = from_settings(bucket)
    sender = Sender.from_config(Outbox(config.outbox_path), config)
    try:
        report = sender.drain(deadline=time.monotonic() + 60)
    finally:
        sender.client.close()
    assert (report.sent, report.dead) == (len(rows), 0), report
    assert Outbox(config.outbox_path).pending_count() == 0
    return rows


def actor(student: str) -> dict:
    return {"objectType": "Agent", "account": {"homePage": ROOT, "name": student}}


def in_ralph(ralph, student: str, rows) -> list[dict]:
    """The learner's statements in Ralph: exactly ``rows``, byte-identical, all valid."""
    assert_exactly_once(ralph, rows)
    found = ralph.statements(agent=json.dumps(actor(student)))
    assert sorted(s["id"] for s in found) == sorted(r.statement_id for r in rows)
    for statement in found:
        assert statement["actor"] == actor(student)  # anonymous account: no name, no mbox
    by_id = {s["id"]: s for s in found}
    return [by_id[r.statement_id] for r in rows]  # in the order they were emitted


def verb(statement: dict) -> str:
    return statement["verb"]["id"].rsplit("/", 1)[-1]


def student() -> str:
    return "learner-" + uuid.uuid4().hex[:12]


# ---- self-assessment -----------------------------------------------------------------------
def test_self_assessment_submit_emits_one_rating_per_competence(workbench, ralph, direct):
    who = student()
    usage = workbench.render(workbench.scenario(olx()), student=who).usage_id
    content = BlockContent.from_dict(EXAMPLE)
    expected = content.expected("borgerservice")
    framework = content.framework

    incomplete = workbench.call(usage, "submit", {
        "role": "borgerservice", "unit": "borgerservice", "ratings": {"1.1": "basic"}},
        student=who)
    assert incomplete.status == 400
    draft = workbench.call(usage, "save_draft", {
        "role": "borgerservice", "unit": "borgerservice", "ratings": {"1.1": "basic"}},
        student=who)
    assert draft.status == 200
    assert pending(direct) == []  # a rejected submit and a draft are not self-ratings

    ratings = ratings_for("borgerservice", "intermediate", **{"1.1": "dont_know"})
    res = workbench.call(usage, "submit", {"role": "borgerservice", "unit": "borgerservice",
                                           "ratings": ratings}, student=who)
    assert res.status == 200, res.body
    rows = deliver(direct)
    statements = in_ralph(ralph, who, rows)

    assert len(statements) == len(expected) == 20
    assert {verb(s) for s in statements} == {"answered"}
    block = f"{ROOT}/xblock/{usage}"
    assert [s["object"]["id"] for s in statements] == [
        f"{block}/competency/{c}" for c in framework.competence_ids if c in expected]
    submission = {s["context"]["extensions"][v.EXT_SUBMISSION_ID] for s in statements}
    assert len(submission) == 1 and re.fullmatch(r"1@\d{4}-\d\d-\d\dT[\d:]{8}Z", submission.pop())
    for s in statements:
        competence = s["object"]["id"].rsplit("/", 1)[-1]
        definition = s["object"]["definition"]
        assert definition["interactionType"] == "likert"
        assert [lv["id"] for lv in definition["scale"]] == framework.level_ids
        assert "correctResponsesPattern" not in definition
        context = s["context"]
        assert context["extensions"][v.EXT_EXPECTED_LEVEL] == expected[competence]
        assert context["extensions"][v.EXT_ROLE] == "borgerservice"
        assert context["contextActivities"]["parent"][0]["id"] == block
        if competence == "1.1":  # "don't know": no response, marked unknown
            assert s["result"] == {"extensions": {v.EXT_LEVEL_UNKNOWN: True}}
        else:
            gap = framework.rank(expected[competence]) - framework.rank("intermediate")
            assert s["result"]["response"] == "intermediate"
            assert s["result"]["extensions"][v.EXT_LEVEL_GAP] == gap
            assert s["result"]["extensions"][v.EXT_SELF_LEVEL_RANK] == 2


# ---- quiz ----------------------------------------------------------------------------------
def test_quiz_attempts_emit_answers_and_outcome_once(workbench, ralph, direct):
    who = student()
    sid = workbench.scenario(quiz_tests.quiz_olx(quiz_tests.small_bank(), pass_threshold=75,
                                                 questions_per_attempt=0, max_attempts=2))
    learner = quiz_tests.Learner(workbench, sid, student=who)
    first = learner.load()["attempt"]
    texts = dict(quiz_tests.RIGHT, q2=["Red", "Blue"])       # 3 of 4: passed at 75 %
    assert learner.submit(first, texts).status == 200
    rows_first = pending(direct)
    assert len(rows_first) == 5

    again = learner.submit(first, texts)                       # an idempotent replay
    assert again.status == 200 and again.data["replayed"] is True
    changed = learner.submit(first, quiz_tests.WRONG)          # refused: 400
    assert changed.status == 400
    bad = learner.call("submit", {"attempt": 1, "answers": {"q1": ["9"]}})
    assert bad.status == 400
    assert pending(direct) == rows_first                       # nothing new, same bytes

    second = learner.call("retry", {"attempt": 2}).data["attempt"]
    assert learner.submit(second, quiz_tests.WRONG).status == 200
    rows = deliver(direct)
    statements = in_ralph(ralph, who, rows)

    assert [verb(s) for s in statements] == ["answered"] * 4 + ["passed"] + \
        ["answered"] * 4 + ["failed"]
    block = f"{ROOT}/xblock/{learner.usage}"
    for attempt, chunk in ((1, statements[:5]), (2, statements[5:])):
        answers, outcome = chunk[:4], chunk[4]
        assert sorted(s["object"]["id"] for s in answers) == [
            f"{block}/question/q{n}" for n in range(1, 5)]
        for s in chunk:
            assert s["context"]["extensions"][v.EXT_ATTEMPT_ID] == attempt
        assert outcome["object"]["id"] == block
        assert outcome["context"]["extensions"][v.EXT_MASTERY_SCORE] == 0.75
        assert outcome["context"]["extensions"][v.EXT_QUESTION_COUNT] == 4
        assert outcome["result"]["completion"] is True
        assert re.fullmatch(r"PT\d+(\.\d{1,2})?S", outcome["result"]["duration"])
    first_answers = {s["object"]["id"].rsplit("/", 1)[-1]: s for s in statements[:4]}
    assert first_answers["q1"]["result"] == {
        "response": "a", "success": True, "score": {"scaled": 1, "raw": 1, "min": 0, "max": 1}}
    assert first_answers["q2"]["result"]["response"] == "a[,]c"
    assert first_answers["q2"]["result"]["success"] is False
    assert first_answers["q2"]["object"]["definition"]["correctResponsesPattern"] == ["a[,]b"]
    assert first_answers["q1"]["object"]["definition"]["description"] == {
        "en": "Prompt one", "da": "Spørgsmål et"}
    assert {c["id"] for c in first_answers["q1"]["object"]["definition"]["choices"]} == \
        {"a", "b", "c"}
    assert statements[4]["result"]["score"] == {"scaled": 0.75, "raw": 3, "min": 0, "max": 4}
    assert statements[4]["result"]["success"] is True
    assert statements[9]["result"]["score"] == {"scaled": 0, "raw": 0, "min": 0, "max": 4}
    # two attempts, ten distinct statements (the attempt is part of every id)
    assert len({s["id"] for s in statements}) == 10


# ---- service atlas -------------------------------------------------------------------------
def test_atlas_lookup_searches(workbench, ralph, direct):
    who = student()
    usage = workbench.render(workbench.scenario(atlas_tests.olx()), student=who).usage_id
    for query, status in (("kørekrot", 200), ("", 200), ("x" * 500, 200), ("zzqqxx", 200),
                          ("x" * 10_000, 400)):
        res = workbench.call(usage, "search", {"query": query}, student=who, lang="da")
        assert res.status == status, (query, res.body)
    rows = deliver(direct)
    statements = in_ralph(ralph, who, rows)   # the empty and the too long query: none

    assert [verb(s) for s in statements] == ["searched", "searched"]
    assert {s["object"]["id"] for s in statements} == {f"{ROOT}/xblock/{usage}/atlas"}
    counts = [s["result"]["extensions"][v.EXT_RESULT_COUNT] for s in statements]
    assert [s["result"]["response"] for s in statements] == ["kørekrot", "zzqqxx"]
    assert counts[0] >= 1 and counts[1] == 0
    assert statements[0]["context"]["language"] == "da"
    assert "parent" not in statements[0]["context"]["contextActivities"]  # no task in lookup


def test_atlas_search_identifiers_reach_the_lrs_as_placeholders(workbench, ralph, direct):
    who = student()
    usage = workbench.render(workbench.scenario(atlas_tests.olx()), student=who).usage_id
    for query in ("pas til 010190-1234", "jens.hansen@example.dk 12345678"):
        assert workbench.call(usage, "search", {"query": query}, student=who).status == 200
    rows = deliver(direct)
    statements = in_ralph(ralph, who, rows)
    assert [s["result"]["response"] for s in statements] == [
        "pas til [cpr]", "[e-mail] [telefon]"]
    sent = json.dumps(statements)
    assert "010190" not in sent and "jens" not in sent and "12345678" not in sent


def test_atlas_exercise_search_and_picks(workbench, ralph, direct):
    who = student()
    sid = workbench.scenario(atlas_tests.olx(mode="exercise", max_attempts=2))
    usage = workbench.render(sid, student=who).usage_id
    calls = [("search", {"query": "kørekort", "scenario": "s1"}, 200),
             ("pick", {"scenario": "s1", "kind": "unit", "id": "bs"}, 200),
             ("pick", {"scenario": "s1", "kind": "unit", "id": "nope"}, 400),
             ("pick", {"scenario": "s1", "kind": "unit", "id": "pk"}, 200),
             ("pick", {"scenario": "s1", "kind": "unit", "id": "pk"}, 200),  # replayed
             ("pick", {"scenario": "s1", "kind": "unit", "id": "bs"}, 400)]  # finished
    for handler, payload, status in calls:
        res = workbench.call(usage, handler, payload, student=who)
        assert res.status == status, (payload, res.body)
    rows = deliver(direct)
    statements = in_ralph(ralph, who, rows)

    assert [verb(s) for s in statements] == ["searched", "answered", "answered"]
    block = f"{ROOT}/xblock/{usage}"
    search, wrong, right = statements
    assert search["context"]["contextActivities"]["parent"] == [{
        "objectType": "Activity", "id": f"{block}/task/s1",
        "definition": {"type": v.TYPE_INTERACTION}}]
    for s in (wrong, right):
        assert s["object"]["id"] == f"{block}/task/s1"
        assert s["object"]["definition"]["correctResponsesPattern"] == ["pk"]
        assert s["result"]["extensions"][v.EXT_SEARCHES_USED] == 1
    assert (wrong["result"]["response"], wrong["result"]["success"]) == ("bs", False)
    assert (right["result"]["response"], right["result"]["success"]) == ("pk", True)
    assert [s["context"]["extensions"][v.EXT_ATTEMPT_ID] for s in (wrong, right)] == [1, 2]


# ---- what emits nothing --------------------------------------------------------------------
class XapiRejectProbe(CompetencyBlockBase):
    """Publishes an xAPI event, then fails the way a handler can (after publishing)."""

    def student_view(self, context=None):
        return Fragment("<p>probe</p>")

    @json_api(None)
    def finish(self, data, suffix=""):
        self.publish_xapi(lambda: self.xapi_event(
            xapi.QuizCompleted, attempt_id=str(data["attempt"]), attempt=data["attempt"],
            raw=1, max=2, block_title="Probe"))
        if data.get("fail") == "user":
            raise UserFacingError(N_("Attempt {number} cannot be started; reload the page."),
                                  number=data["attempt"])
        if data.get("fail") == "bug":
            raise RuntimeError("a bug after publishing")
        return {"ok": True}


@XBlock.register_temp_plugin(XapiRejectProbe, "xapi_reject_probe")
def test_rejected_or_failed_requests_emit_nothing(workbench, ralph, direct):
    who = student()
    usage = workbench.render(workbench.scenario("<xapi_reject_probe/>"), student=who).usage_id
    assert workbench.call(usage, "finish", {"attempt": 1, "fail": "user"}, student=who).status \
        == 400
    assert workbench.call(usage, "finish", {"attempt": 2, "fail": "bug"}, student=who).status \
        == 500
    assert workbench.call(usage, "finish", raw=b"not json", student=who).status == 400
    assert pending(direct) == []
    assert workbench.call(usage, "finish", {"attempt": 3}, student=who).status == 200
    rows = deliver(direct)
    (statement,) = in_ralph(ralph, who, rows)
    assert statement["context"]["extensions"][v.EXT_ATTEMPT_ID] == 3


def test_xapi_off_emits_nothing(workbench, tmp_path):
    outbox = tmp_path / "never.sqlite3"
    with xapi_settings(xapi_transport="off", xapi_outbox_path=str(outbox),
                       xapi_lms_root_url=ROOT, xapi_lrs_endpoint="http://127.0.0.1:9/xAPI/"):
        sid = workbench.scenario(quiz_tests.quiz_olx(quiz_tests.small_bank(),
                                                     questions_per_attempt=0))
        learner = quiz_tests.Learner(workbench, sid)
        assert learner.submit(learner.load()["attempt"], quiz_tests.RIGHT).status == 200
        usage = workbench.render(workbench.scenario(atlas_tests.olx()), student="s1").usage_id
        assert workbench.call(usage, "search", {"query": "pas"}, student="s1").status == 200
    assert not outbox.exists()
    assert not [e for e in workbench.events.events if e["type"].startswith(xapi.EVENT_PREFIX)]


# ---- the other transport and the operator's opt-ins ----------------------------------------
def test_openedx_transport_publishes_events_with_the_anonymous_id_only(workbench):
    with xapi_settings(xapi_transport="openedx", xapi_lms_root_url=ROOT, xapi_actor="email",
                       xapi_actor_name=True):
        sid = workbench.scenario(quiz_tests.quiz_olx(quiz_tests.small_bank(),
                                                     questions_per_attempt=0))
        learner = quiz_tests.Learner(workbench, sid, student="s7")
        assert learner.submit(learner.load()["attempt"], quiz_tests.RIGHT).status == 200
    answered = workbench.events.of_type("competency_xblock.xapi.quiz_answered", learner.usage)
    completed = workbench.events.of_type("competency_xblock.xapi.quiz_completed", learner.usage)
    assert len(answered) == 4 and len(completed) == 1
    for payload in answered + completed:
        assert payload["learner"] == {"anonymous_id": "s7"}   # never the name or e-mail
        assert re.fullmatch(r"[0-9a-f-]{36}", payload["statement_id"])
    assert completed[0]["success"] is True and completed[0]["mastery"] == 0.8


def test_actor_opt_ins_reach_the_statement_only_when_enabled(workbench, ralph, tmp_path):
    outbox = tmp_path / "o.sqlite3"
    settings = direct_settings(ralph, outbox, xapi_sender="external", xapi_lms_root_url=ROOT,
                               xapi_actor_name=True)
    with xapi_settings(**settings):
        usage = workbench.render(workbench.scenario(atlas_tests.olx()), student="s8").usage_id
        assert workbench.call(usage, "search", {"query": "pas"}, student="s8").status == 200
    (row,) = Outbox(outbox).pending(10)
    statement = json.loads(row.body)
    assert statement["actor"] == {"objectType": "Agent", "name": "XBlock User (s8)",
                                  "account": {"homePage": ROOT, "name": "s8"}}
