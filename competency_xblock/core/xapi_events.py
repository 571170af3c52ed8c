"""The xAPI domain events of the three blocks, built from what their handlers computed.

Kept out of the block modules so each handler needs one line (``self.publish_xapi(lambda:
...)``); the lambda runs only when the operator turned a transport on.  The contract (which
event, which identity) is docs/dev/xapi.md "Contract for block authors".

Identities, so a retried or replayed request re-emits the same statement ids:

- self-rating: the submission (``assessment_id`` = history position + submit time) and the
  competence;
- quiz: the attempt (number + the moment it was opened, so attempt 1 after a staff reset of
  the learner's state is a new attempt, not a conflicting copy of the old one) and question;
- atlas answer: scenario and attempt number (as the contract defines it);
- atlas search: the moment, the task and the query (a search is never repeated).
"""
from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import datetime

import nh3

from competency_xblock.atlas.redact import redact
from competency_xblock.quiz_engine.draw import Draw
from competency_xblock.quiz_engine.model import HTML, Question
from competency_xblock.text import LocalizedText
from competency_xblock.xapi import (
    AtlasAnswered,
    AtlasSearched,
    ChoiceOption,
    Event,
    QuizAnswered,
    QuizCompleted,
    ScaleLevel,
    SelfRated,
    now,
)

#: Key of the moment an attempt was opened, in the quiz's open-attempt record.
OPENED_AT = "opened_at"


def now_iso() -> str:
    """UTC now with milliseconds, as stored in learner state (``...T10:15:30.123Z``)."""
    return now().isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse(value) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else None


def plain_text(text: LocalizedText | None, text_format: str = "plain") -> LocalizedText:
    """Authored HTML as plain text (an LRS shows descriptions as text, never as markup)."""
    if text is None:
        return ""
    if text_format != HTML:
        return text
    if isinstance(text, Mapping):
        return {lang: plain_text(value, HTML) for lang, value in text.items()}
    return " ".join(html.unescape(nh3.clean(str(text), tags=set())).split())


# ---- self-assessment -------------------------------------------------------------------------
def self_ratings(block, content, record, evaluation, position: int) -> list[Event]:
    """One ``SelfRated`` per evaluated competence ("don't know" included: ``self_level``
    None, which the statement marks with ``level-unknown``)."""
    framework = content.framework
    levels = tuple(ScaleLevel(id=lv.id, label=lv.label) for lv in framework.levels)
    assessment_id = f"{position}@{record.submitted_at}"
    learner = block.xapi_learner()
    events: list[Event] = []
    for row in evaluation.rows:
        competence = framework.competence(row.competence)
        events.append(block.xapi_event(
            SelfRated, learner=learner, assessment_id=assessment_id,
            competence_id=row.competence,
            competence_title=competence.title if competence else row.competence,
            levels=levels, self_level=row.self_level, expected_level=row.expected_level,
            self_rank=row.self_rank, expected_rank=row.expected_rank, gap=row.gap,
            framework_id=framework.id, role_id=record.role or None))
    return events


# ---- quiz ----------------------------------------------------------------------------------
def _choices(question: Question, order) -> tuple[ChoiceOption, ...]:
    ids = list(order) or [c.id for c in question.choices]
    found = [question.choice(cid) for cid in ids]
    return tuple(ChoiceOption(id=c.id, text=plain_text(c.text, question.text_format))
                 for c in found if c is not None)


def quiz_attempt(block, bank, settings, number: int, result, opened: Mapping) -> list[Event]:
    """One ``QuizAnswered`` per question of the submitted attempt, then its ``QuizCompleted``.

    ``opened`` is the open-attempt record as it was before the submit (its draw gives the
    order the choices were shown in, its ``opened_at`` the duration).
    """
    opened_at = _parse(opened.get(OPENED_AT)) if opened.get("number") == number else None
    attempt_id = f"{number}@{opened[OPENED_AT]}" if opened_at else str(number)
    draw = Draw.from_dict(opened["draw"]) if opened.get("draw") else None
    learner = block.xapi_learner()
    events: list[Event] = []
    for outcome in result.questions:
        question = bank.question(outcome.question_id)
        if question is None:  # withdrawn by the author after the draw: nothing to describe
            continue
        drawn = draw.get(outcome.question_id) if draw else None
        events.append(block.xapi_event(
            QuizAnswered, learner=learner, attempt_id=attempt_id, attempt=number,
            question_id=question.id,
            question_text=plain_text(question.prompt, question.text_format),
            choices=_choices(question, drawn.choice_ids if drawn else ()),
            response_ids=tuple(outcome.selected), correct_ids=tuple(sorted(question.correct_ids)),
            success=outcome.correct, credit=outcome.credit))
    moment = now()
    seconds = (moment - opened_at).total_seconds() if opened_at is not None else None
    # A pass mark of 0 % is no pass mark: the outcome is "completed", without success or
    # mastery score (cmi5 9.5), not a "passed" that every attempt would get.
    graded = settings.pass_threshold > 0
    completed = block.xapi_event(
        QuizCompleted, learner=learner, attempt_id=attempt_id, attempt=number, raw=result.earned,
        max=result.possible, success=result.passed if graded else None,
        mastery=settings.pass_threshold / 100 if graded else None,
        question_count=len(result.questions), occurred_at=moment,
        duration_seconds=None if seconds is None else max(0.0, round(seconds, 2)))
    events.append(completed)
    return events


# ---- service atlas -------------------------------------------------------------------------
def atlas_search(block, query: str, hit_count: int, scenario_id: str | None) -> Event:
    """The query leaves the LMS with its personal identifiers as placeholders."""
    return block.xapi_event(AtlasSearched, query=redact(query), hit_count=int(hit_count),
                            scenario_id=scenario_id or None)


def atlas_answer(block, scenario, outcome, picked_id: str, searches_used: int | None) -> Event:
    return block.xapi_event(
        AtlasAnswered, scenario_id=scenario.id, attempt=outcome.attempts, picked_id=picked_id,
        correct=outcome.correct,
        correct_ids=tuple(scenario.answer_services or scenario.answer_units),
        scenario_title=scenario.prompt, searches_used=searches_used)
