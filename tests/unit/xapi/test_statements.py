"""Statement builders: shapes per kind, determinism, privacy, and the three validations."""
from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from competency_xblock.xapi import statements as st
from competency_xblock.xapi import validation
from competency_xblock.xapi import vocabulary as v
from competency_xblock.xapi.config import from_settings
from tests.unit.xapi import samples

CONFIG = from_settings(samples.settings())


def build(event, config=CONFIG):
    return st.build(event, config)


@pytest.mark.parametrize("factory", samples.FACTORIES, ids=lambda f: f.__name__)
def test_every_kind_passes_all_three_checks(factory):
    built = build(factory())
    assert validation.all_errors(built.statement) == {}


@pytest.mark.parametrize("factory", samples.FACTORIES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("verb", ["answered", "evaluated"])
def test_variants_pass_all_three_checks(factory, verb):
    config = from_settings(samples.settings(xapi_answer_verb=verb, xapi_actor="email",
                                            xapi_actor_name=True))
    who = samples.learner(email="a@example.dk", full_name="Anne")
    assert validation.all_errors(st.build(factory(who), config).statement) == {}


@pytest.mark.parametrize("factory", samples.FACTORIES, ids=lambda f: f.__name__)
def test_same_event_gives_same_bytes(factory):
    assert build(factory()).body == build(factory()).body


def test_body_is_canonical_json_of_the_statement():
    built = build(samples.quiz_answered())
    assert built.body == json.dumps(built.statement, sort_keys=True, separators=(",", ":"),
                                    ensure_ascii=False).encode()
    assert "Øvet".encode() in build(samples.self_rated()).body  # UTF-8, not \\u escapes


def test_ids_are_uuid5_over_what_identifies_the_event():
    base = build(samples.quiz_answered())
    assert uuid.UUID(base.statement_id).version == 5
    later = samples.quiz_answered(when=samples.WHEN + timedelta(seconds=5))
    assert build(later).statement_id == base.statement_id  # time is not identity
    for changed in (samples.quiz_answered(attempt_id="att-3"),
                    samples.quiz_answered(question_id="q8"),
                    samples.quiz_answered(samples.learner("someone-else")),
                    samples.quiz_answered(usage_key=samples.USAGE_QUIZ + "x")):
        assert build(changed).statement_id != base.statement_id


def test_ids_differ_between_kinds_and_competences():
    ids = {build(e).statement_id for e in samples.all_kinds()}
    assert len(ids) == 5
    assert (build(samples.self_rated(competence_id="1.2")).statement_id
            != build(samples.self_rated()).statement_id)


def test_timestamp_is_utc_with_milliseconds():
    copenhagen_winter = timezone(timedelta(hours=1))
    when = datetime(2026, 12, 3, 11, 15, 30, 123987, tzinfo=copenhagen_winter)
    built = build(samples.quiz_completed(when=when))
    assert built.statement["timestamp"] == "2026-12-03T10:15:30.123Z"


def test_naive_time_is_refused():
    with pytest.raises(ValueError):
        samples.quiz_completed(when=datetime(2026, 12, 3, 10, 0))


def test_actor_is_an_anonymous_account_by_default():
    who = samples.learner(username="anne", email="anne@kommune.dk", full_name="Anne Hansen")
    built = build(samples.quiz_answered(who))
    assert built.statement["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": samples.ROOT, "name": "5f1d0c1b2a3e4f5a6b7c8d9e0f1a2b3c"}}
    for personal in (b"anne", b"Hansen", b"kommune.dk"):
        assert personal not in built.body


@pytest.mark.parametrize(("opt_in", "expected"), [
    ({"xapi_actor": "username"}, {"account": {"homePage": samples.ROOT, "name": "anne"}}),
    ({"xapi_actor": "email"}, {"mbox": "mailto:anne@kommune.dk"}),
    ({"xapi_actor_name": True}, {"account": {"homePage": samples.ROOT,
                                             "name": "5f1d0c1b2a3e4f5a6b7c8d9e0f1a2b3c"},
                                 "name": "Anne Hansen"}),
])
def test_operator_opt_ins_add_identity(opt_in, expected):
    who = samples.learner(username="anne", email="anne@kommune.dk", full_name="Anne Hansen")
    config = from_settings(samples.settings(**opt_in))
    assert st.build(samples.quiz_answered(who), config).statement["actor"] == {
        "objectType": "Agent", **expected}


def test_self_rating_is_likert_without_correct_answer():
    s = build(samples.self_rated()).statement
    definition = s["object"]["definition"]
    assert s["verb"]["id"] == v.VERB_ANSWERED
    assert definition["interactionType"] == "likert"
    assert [c["id"] for c in definition["scale"]] == ["foundation", "intermediate", "advanced"]
    assert definition["scale"][0]["description"] == {"en": "Foundation", "da": "Grundlæggende"}
    assert "correctResponsesPattern" not in definition
    assert s["result"]["response"] == "foundation"
    assert s["result"]["extensions"][v.EXT_LEVEL_GAP] == 1
    assert s["context"]["extensions"][v.EXT_EXPECTED_LEVEL] == "intermediate"
    grouping = s["context"]["contextActivities"]["grouping"]
    assert grouping[-1]["definition"]["type"] == v.TYPE_COMPETENCY
    assert grouping[0]["id"] == f"{samples.ROOT}/course/course-v1:Org+SEC101+2026"


def test_self_rating_dont_know_has_no_response():
    s = build(samples.self_rated(self_level=None, self_rank=None, gap=None)).statement
    assert "response" not in s["result"]
    assert s["result"]["extensions"] == {v.EXT_LEVEL_UNKNOWN: True}
    assert validation.all_errors(s) == {}


def test_self_rating_keeps_answered_even_when_evaluated_is_chosen():
    config = from_settings(samples.settings(xapi_answer_verb="evaluated"))
    assert st.build(samples.self_rated(), config).statement["verb"]["id"] == v.VERB_ANSWERED
    assert st.build(samples.quiz_answered(), config).statement["verb"] == {
        "id": v.VERB_EVALUATED, "display": {"en": "evaluated"}}
    assert st.build(samples.atlas_answered(), config).statement["verb"]["id"] == v.VERB_EVALUATED


def test_quiz_answer_is_a_choice_with_the_correct_pattern():
    s = build(samples.quiz_answered(response_ids=("b",), success=False, credit=0.5)).statement
    definition = s["object"]["definition"]
    assert definition["interactionType"] == "choice"
    assert definition["correctResponsesPattern"] == ["a[,]b"]
    assert [c["id"] for c in definition["choices"]] == ["a", "b", "c"]
    assert s["result"] == {"response": "b", "success": False,
                           "score": {"scaled": 0.5, "raw": 0.5, "min": 0, "max": 1}}
    assert s["context"]["contextActivities"]["parent"][0]["id"] == (
        f"{samples.ROOT}/xblock/{samples.USAGE_QUIZ}")
    assert s["context"]["extensions"] == {v.EXT_ATTEMPT_ID: 2}


@pytest.mark.parametrize(("success", "verb"), [
    (True, v.VERB_PASSED), (False, v.VERB_FAILED), (None, v.VERB_COMPLETED)])
def test_quiz_outcome_verbs(success, verb):
    s = build(samples.quiz_completed(success=success)).statement
    assert s["verb"]["id"] == verb
    assert s["result"]["score"] == {"scaled": 0.6, "raw": 6, "min": 0, "max": 10}
    assert s["result"]["duration"] == "PT252.34S"
    assert s["result"]["completion"] is True
    assert ("success" in s["result"]) is (success is not None)
    assert s["context"]["extensions"][v.EXT_MASTERY_SCORE] == 0.8


def test_atlas_search_carries_query_and_hit_count():
    s = build(samples.atlas_searched(query="  " + "x" * 500)).statement
    assert s["verb"]["id"] == v.VERB_SEARCHED
    assert s["object"]["definition"]["type"] == v.TYPE_SEARCH_ENGINE
    assert s["result"]["response"] == "x" * st.MAX_QUERY
    assert s["result"]["extensions"] == {v.EXT_RESULT_COUNT: 3}


def test_atlas_search_query_is_sent_with_whitespace_collapsed():
    s = build(samples.atlas_searched(query=" nulstil\n\tadgangs   kode ")).statement
    assert s["result"]["response"] == "nulstil adgangs kode"
    assert (build(samples.atlas_searched(query="nulstil  adgangskode")).statement_id
            == build(samples.atlas_searched(query="nulstil adgangskode")).statement_id)


def test_two_identical_searches_at_different_times_are_two_statements():
    first = build(samples.atlas_searched())
    second = build(samples.atlas_searched(when=samples.WHEN + timedelta(seconds=3)))
    assert first.statement_id != second.statement_id
    with_id = build(samples.atlas_searched(search_id="s-1"))
    assert with_id.statement_id == build(samples.atlas_searched(
        search_id="s-1", when=samples.WHEN + timedelta(seconds=3))).statement_id


def test_atlas_answer():
    s = build(samples.atlas_answered()).statement
    assert s["object"]["definition"]["correctResponsesPattern"] == ["svc-iam-helpdesk"]
    assert s["result"]["response"] == "svc-iam-helpdesk"
    assert s["result"]["success"] is True
    assert s["result"]["duration"] == "PT41.5S"


def test_no_course_in_the_workbench():
    event = samples.quiz_answered(usage_key="data_security_quiz.0.q")
    s = build(event).statement
    assert "registration" not in s["context"]
    assert s["context"]["contextActivities"] == {"parent": [
        {"objectType": "Activity", "id": f"{samples.ROOT}/xblock/data_security_quiz.0.q",
         "definition": {"type": v.TYPE_ASSESSMENT, "name": {"en": "Data-security quiz"}}}]}


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "PT0S"), (252.34, "PT252.34S"), (120, "PT120S"), (0.005, "PT0.01S"), (59.999, "PT60S")])
def test_duration(seconds, text):
    assert st.duration(seconds) == text


def test_numbers_are_stable():
    assert st.number(1.0) == 1 and isinstance(st.number(1.0), int)
    assert st.number(2 / 3) == 0.6667
    with pytest.raises(ValueError):
        st.number(float("nan"))


def test_iri_segments_are_encoded():
    assert st.iri_segment("a b/c") == "a%20b%2Fc"
    assert st.iri_segment("block-v1:Org+C+R+type@x+block@y") == "block-v1:Org+C+R+type@x+block@y"


def test_every_built_statement_round_trips_through_json():
    for event in samples.many(25):
        built = build(event)
        assert json.loads(built.body) == built.statement
        assert dataclasses.replace(event) == event
