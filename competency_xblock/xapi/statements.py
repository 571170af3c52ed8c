"""Build xAPI 1.0.3 statements from domain events, as plain dicts (pure: no I/O, no clock).

Every statement is a pure function of (event, settings): the id is a uuid5 over what
identifies the event, the timestamp is the event's own ``occurred_at``, and
:func:`canonical` serialises it the same way every time.  The bytes are built once and
stored; a retry resends exactly those bytes.
"""
from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from competency_xblock.text import LocalizedText
from competency_xblock.xapi import vocabulary as v
from competency_xblock.xapi.config import XapiConfig
from competency_xblock.xapi.events import (
    AtlasAnswered,
    AtlasSearched,
    ChoiceOption,
    Event,
    Learner,
    QuizAnswered,
    QuizCompleted,
    ScaleLevel,
    SelfRated,
)

#: Search queries are cut to this many characters (they are free text typed by a person).
MAX_QUERY = 200
#: Longer texts (question wording, labels) are cut to this many characters.
MAX_TEXT = 2000
DELIMITER = "[,]"


@dataclass(frozen=True)
class Built:
    """A statement ready to store and send: ``body`` is what goes over the wire."""

    statement_id: str
    statement: dict
    body: bytes


def canonical(statement: Mapping[str, Any]) -> bytes:
    """The one serialisation we send: sorted keys, no spaces, UTF-8, no NaN."""
    return json.dumps(statement, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def statement_id(kind: str, usage_key: str, learner_id: str, *parts: str) -> str:
    """uuid5 over what identifies the event (never over the time it was built)."""
    name = "\x1f".join(("statement", kind, usage_key, learner_id, *parts))
    return str(uuid.uuid5(v.NAMESPACE, name))


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with milliseconds and ``Z`` (``-00:00`` is refused by some LRSs)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def duration(seconds: float) -> str:
    """ISO 8601 duration at 0.01 s precision, always in seconds (``PT252.34S``)."""
    if seconds < 0 or math.isnan(seconds) or math.isinf(seconds):
        raise ValueError("duration must be a finite, non-negative number of seconds")
    text = f"{seconds:.2f}".rstrip("0").rstrip(".")
    return f"PT{text}S"


def number(value: float) -> int | float:
    """Integral values as ints, others rounded to 4 places (stable across rebuilds)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"not a number: {value!r}")
    if math.isnan(value) or math.isinf(value):
        raise ValueError("scores must be finite")
    if float(value).is_integer():
        return int(value)
    return round(float(value), 4)


def iri_segment(text: str) -> str:
    """Percent-encode one path segment of an activity IRI (keeps usage-key punctuation)."""
    return quote(str(text), safe=":+@~._-!$&'()*,;=")


def course_key_of(usage_key: str) -> str | None:
    """``course-v1:Org+C+R`` for a ``block-v1:Org+C+R+type@x+block@y`` usage key."""
    if usage_key.startswith("block-v1:") and "+type@" in usage_key:
        return "course-v1:" + usage_key[len("block-v1:"):usage_key.index("+type@")]
    return None


def language_map(text: LocalizedText | None, language: str) -> dict[str, str] | None:
    """An xAPI language map; plain strings are labelled with the event's language."""
    if text is None:
        return None
    if isinstance(text, str):
        text = {language: text}
    result = {str(k).replace("_", "-"): str(val)[:MAX_TEXT] for k, val in text.items() if val}
    return result or None


def search_query(text: str) -> str:
    """A query as sent: whitespace (line breaks, tabs) collapsed, at most MAX_QUERY chars."""
    return " ".join(str(text).split())[:MAX_QUERY]


def _compact(data: dict, deep: bool = True) -> dict:
    """Drop None values and empty dicts/lists (xAPI forbids nulls outside extensions).

    ``deep=False`` for dicts whose children were built compact already (keeps building cheap).
    """
    out = {}
    for key, value in data.items():
        if deep and type(value) is dict:
            value = _compact(value)
        if value is None or value == {} or value == []:
            continue
        out[key] = value
    return out


# ---- shared parts -------------------------------------------------------------------------
def actor(config: XapiConfig, learner: Learner) -> dict:
    """The learner as an Agent: an opaque account unless the operator opted in to more."""
    agent: dict[str, Any] = {"objectType": "Agent"}
    if config.actor == "email" and learner.email:
        agent["mbox"] = "mailto:" + learner.email
    else:
        name = learner.anonymous_id
        if config.actor == "username" and learner.username:
            name = learner.username
        agent["account"] = {"homePage": config.lms_root_url, "name": str(name)}
    if config.actor_name and learner.full_name:
        agent["name"] = learner.full_name
    return agent


def verb(iri: str) -> dict:
    return {"id": iri, "display": {"en": v.VERB_DISPLAY.get(iri, iri.rsplit("/", 1)[-1])}}


def block_iri(config: XapiConfig, usage_key: str) -> str:
    return f"{config.lms_root_url}/xblock/{iri_segment(usage_key)}"


def activity(iri: str, activity_type: str | None = None, name: dict | None = None,
             **definition: Any) -> dict:
    return _compact({"objectType": "Activity", "id": iri, "definition": {
        "type": activity_type, "name": name, **definition}})


def course_activity(config: XapiConfig, event: Event) -> dict | None:
    course = event.course_key or course_key_of(event.usage_key)
    if not course:
        return None
    return activity(f"{config.lms_root_url}/course/{iri_segment(course)}", v.TYPE_COURSE)


def registration(config: XapiConfig, event: Event) -> str | None:
    """One registration per (course, learner): groups a learner's statements in a course."""
    course = event.course_key or course_key_of(event.usage_key)
    if not course:
        return None
    return str(uuid.uuid5(v.NAMESPACE, "\x1f".join(
        ("registration", config.lms_root_url, course, event.learner.anonymous_id))))


def context(config: XapiConfig, event: Event, parent: Iterable[dict | None] = (),
            grouping: Iterable[dict | None] = (), extensions: Mapping | None = None) -> dict:
    activities = {
        "parent": [a for a in parent if a],
        "grouping": [a for a in grouping if a],
    }
    return _compact({
        "registration": registration(config, event),
        "platform": config.platform or None,
        "language": event.language or None,
        "contextActivities": _compact(activities, deep=False),
        "extensions": {k: val for k, val in (extensions or {}).items() if val is not None},
    }, deep=False)


def envelope(config: XapiConfig, event: Event, sid: str, verb_iri: str, obj: dict,
             result: dict | None, ctx: dict, agent: dict | None) -> dict:
    return _compact({
        "id": sid,
        "actor": agent or actor(config, event.learner),
        "verb": verb(verb_iri),
        "object": obj,
        "result": result,
        "context": ctx,
        "timestamp": timestamp(event.occurred_at),
    }, deep=False)


def _choices(options: Iterable[ChoiceOption], language: str) -> list[dict]:
    return [_compact({"id": str(o.id), "description": language_map(o.text, language)})
            for o in options]


def _scale(levels: Iterable[ScaleLevel], language: str) -> list[dict]:
    return [_compact({"id": str(lv.id), "description": language_map(lv.label, language)})
            for lv in levels]


def _pattern(ids: Iterable[str]) -> str:
    return DELIMITER.join(sorted(str(i) for i in ids))


# ---- one builder per event kind --------------------------------------------------------------
def _self_rated(e: SelfRated, config: XapiConfig, agent: dict | None) -> dict:
    block = block_iri(config, e.usage_key)
    competence_iri = e.competence_iri or "{}/competency/{}/{}".format(
        config.lms_root_url, iri_segment(e.framework_id or "framework"),
        iri_segment(e.competence_id))
    title = language_map(e.competence_title, e.language)
    obj = activity(f"{block}/competency/{iri_segment(e.competence_id)}", v.TYPE_INTERACTION,
                   title, interactionType="likert", scale=_scale(e.levels, e.language))
    result = _compact({
        "response": e.self_level,
        "extensions": {
            v.EXT_SELF_LEVEL_RANK: e.self_rank,
            v.EXT_LEVEL_GAP: e.gap,
            v.EXT_LEVEL_UNKNOWN: True if e.self_level is None else None,
        },
    }) or None
    ctx = context(config, e,
                  parent=[activity(block, v.TYPE_SURVEY, language_map(e.block_title, e.language))],
                  grouping=[course_activity(config, e),
                            activity(competence_iri, v.TYPE_COMPETENCY, title)],
                  extensions={v.EXT_EXPECTED_LEVEL: e.expected_level,
                              v.EXT_EXPECTED_LEVEL_RANK: e.expected_rank,
                              v.EXT_SUBMISSION_ID: e.assessment_id,
                              v.EXT_ROLE: e.role_id})
    sid = statement_id_of(e)
    # Self-ratings always use ``answered``: ``evaluated`` would put them in Aspects' problem
    # dashboards as questions without a correct answer.
    return envelope(config, e, sid, v.VERB_ANSWERED, obj, result, ctx, agent)


def _quiz_answered(e: QuizAnswered, config: XapiConfig, agent: dict | None) -> dict:
    block = block_iri(config, e.usage_key)
    definition: dict[str, Any] = {"interactionType": "choice",
                                  "choices": _choices(e.choices, e.language)}
    if e.correct_ids:
        definition["correctResponsesPattern"] = [_pattern(e.correct_ids)]
    obj = activity(f"{block}/question/{iri_segment(e.question_id)}", v.TYPE_INTERACTION,
                   None, description=language_map(e.question_text, e.language), **definition)
    credit = number(min(max(e.credit, 0), 1))
    result = {"response": _pattern(e.response_ids), "success": bool(e.success),
              "score": {"scaled": credit, "raw": credit, "min": 0, "max": 1}}
    ctx = context(config, e,
                  parent=[activity(block, v.TYPE_ASSESSMENT,
                                   language_map(e.block_title, e.language))],
                  grouping=[course_activity(config, e)],
                  extensions={v.EXT_ATTEMPT_ID: e.attempt})
    sid = statement_id_of(e)
    return envelope(config, e, sid, config.answer_verb, obj, result, ctx, agent)


def _quiz_completed(e: QuizCompleted, config: XapiConfig, agent: dict | None) -> dict:
    block = block_iri(config, e.usage_key)
    if e.success is None:
        verb_iri = v.VERB_COMPLETED
    else:
        verb_iri = v.VERB_PASSED if e.success else v.VERB_FAILED
    span = e.max - e.min
    scaled = e.scaled if e.scaled is not None else ((e.raw - e.min) / span if span > 0 else 0)
    score = {"scaled": number(min(max(scaled, -1), 1)), "raw": number(e.raw),
             "min": number(e.min), "max": number(e.max)}
    result = _compact({
        "score": score,
        "success": e.success,
        "completion": True,
        "duration": duration(e.duration_seconds) if e.duration_seconds is not None else None,
    })
    obj = activity(block, v.TYPE_ASSESSMENT, language_map(e.block_title, e.language))
    ctx = context(config, e, parent=[course_activity(config, e)], extensions={
        v.EXT_MASTERY_SCORE: number(e.mastery) if e.mastery is not None else None,
        v.EXT_ATTEMPT_ID: e.attempt,
        v.EXT_QUESTION_COUNT: e.question_count,
    })
    sid = statement_id_of(e)
    return envelope(config, e, sid, verb_iri, obj, result, ctx, agent)


def _atlas_searched(e: AtlasSearched, config: XapiConfig, agent: dict | None) -> dict:
    block = block_iri(config, e.usage_key)
    query = search_query(e.query)
    obj = activity(f"{block}/atlas", v.TYPE_SEARCH_ENGINE,
                   language_map(e.block_title, e.language))
    result = {"response": query, "extensions": {v.EXT_RESULT_COUNT: int(e.hit_count)}}
    task = (activity(f"{block}/task/{iri_segment(e.scenario_id)}", v.TYPE_INTERACTION)
            if e.scenario_id else None)
    ctx = context(config, e, parent=[task],
                  grouping=[activity(block, v.TYPE_MODULE), course_activity(config, e)])
    sid = statement_id_of(e)
    return envelope(config, e, sid, v.VERB_SEARCHED, obj, result, ctx, agent)


def _atlas_answered(e: AtlasAnswered, config: XapiConfig, agent: dict | None) -> dict:
    block = block_iri(config, e.usage_key)
    definition: dict[str, Any] = {"interactionType": "choice"}
    if e.choices:
        definition["choices"] = _choices(e.choices, e.language)
    if e.correct_ids:
        # Any one of the responsible units/services is a right referral: one pattern each
        # (a single pattern "a[,]b" would mean "pick all of them").
        accepted = list(dict.fromkeys(map(str, e.correct_ids)))
        if e.correct and str(e.picked_id) not in accepted:
            accepted.append(str(e.picked_id))  # a service of the responsible unit
        definition["correctResponsesPattern"] = accepted
    obj = activity(f"{block}/task/{iri_segment(e.scenario_id)}", v.TYPE_INTERACTION,
                   language_map(e.scenario_title, e.language), **definition)
    result = _compact({
        "response": str(e.picked_id),
        "success": bool(e.correct),
        "duration": duration(e.duration_seconds) if e.duration_seconds is not None else None,
        "extensions": {v.EXT_SEARCHES_USED: e.searches_used},
    })
    ctx = context(config, e,
                  parent=[activity(block, v.TYPE_MODULE, language_map(e.block_title, e.language))],
                  grouping=[course_activity(config, e)],
                  extensions={v.EXT_ATTEMPT_ID: e.attempt})
    sid = statement_id_of(e)
    return envelope(config, e, sid, config.answer_verb, obj, result, ctx, agent)


def _identity(e: Event) -> tuple[str, ...]:
    """What identifies ``e`` beyond (kind, usage key, learner): the parts of its uuid5."""
    if isinstance(e, SelfRated):
        return (e.assessment_id, e.competence_id)
    if isinstance(e, QuizAnswered):
        return (e.attempt_id, e.question_id)
    if isinstance(e, QuizCompleted):
        return (e.attempt_id,)
    if isinstance(e, AtlasSearched):
        if e.search_id:
            return (e.search_id,)
        return (timestamp(e.occurred_at), e.scenario_id or "", search_query(e.query))
    if isinstance(e, AtlasAnswered):
        # The moment is part of the identity: after a staff reset the attempt numbers start
        # again.
        return (e.scenario_id, str(e.attempt), timestamp(e.occurred_at))
    raise TypeError(f"no statement builder for {type(e).__name__}")


def statement_id_of(event: Event) -> str:
    """The statement id of ``event`` (the same whatever the settings: the ``openedx``
    transport publishes it, and event-routing-backends builds the statement with it)."""
    return statement_id(event.kind, event.usage_key, event.learner.anonymous_id,
                        *_identity(event))


BUILDERS = {
    SelfRated: _self_rated,
    QuizAnswered: _quiz_answered,
    QuizCompleted: _quiz_completed,
    AtlasSearched: _atlas_searched,
    AtlasAnswered: _atlas_answered,
}


def build_statement(event: Event, config: XapiConfig, agent: dict | None = None) -> dict:
    """The statement for ``event`` as a dict. ``agent`` replaces our actor (ERB transport)."""
    try:
        builder = BUILDERS[type(event)]
    except KeyError as exc:
        raise TypeError(f"no statement builder for {type(event).__name__}") from exc
    return builder(event, config, agent)


def build(event: Event, config: XapiConfig, agent: dict | None = None) -> Built:
    """Statement, id and the canonical bytes that will be stored and sent."""
    statement = build_statement(event, config, agent)
    return Built(statement["id"], statement, canonical(statement))
