"""Learner-safe projections: exactly what may be sent to the browser, nothing more.

``attempt_view`` carries no correctness, feedback or explanation, and choice keys are display
positions, not the author's ids.  ``result_view`` adds per-question correctness and the correct
choices only when the show-answer policy allows it (``reveal``).  The XBlock sends these dicts
as they are; a runtime test inspects them for leaks.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

from competency_xblock.quiz_engine.draw import Draw
from competency_xblock.quiz_engine.model import Bank, Question
from competency_xblock.quiz_engine.scoring import AttemptResult, choice_key
from competency_xblock.text import pick_language


def _t(text, lang: Optional[str]) -> str:
    return pick_language(text, lang)


def question_view(question: Question, choice_ids: tuple[str, ...], lang: Optional[str]) -> dict:
    choices = []
    for index, cid in enumerate(choice_ids):
        choice = question.choice(cid)
        if choice is None:  # removed by the author after the draw
            continue
        choices.append({"key": choice_key(index), "text": _t(choice.text, lang)})
    return {
        "id": question.id,
        "type": question.type,
        "format": question.text_format,
        "scenario": _t(question.scenario, lang) if question.scenario else "",
        "prompt": _t(question.prompt, lang),
        "choices": choices,
    }


def attempt_view(bank: Bank, draw: Draw, number: int, lang: Optional[str]) -> dict:
    """The open attempt's questions, in draw order, with shuffled choices."""
    questions = []
    for drawn in draw.questions:
        question = bank.question(drawn.question_id)
        if question is not None:
            questions.append(question_view(question, drawn.choice_ids, lang))
    return {"attempt": number, "questions": questions}


def result_view(bank: Bank, draw: Draw, result: AttemptResult, number: int,
                lang: Optional[str], *, reveal: bool, explanations: bool) -> dict:
    """Score, pass/fail and per-question feedback of one submitted attempt.

    ``reveal``: the show-answer policy allows correct answers and correctness now.
    ``explanations``: show explanations and the feedback of the picked choices (after every
    submit, or only with ``reveal``).
    """
    by_id = {r.question_id: r for r in result.questions}
    questions = []
    for drawn in draw.questions:
        question = bank.question(drawn.question_id)
        qres = by_id.get(drawn.question_id)
        if question is None or qres is None:
            continue
        keys = {cid: choice_key(i) for i, cid in enumerate(drawn.choice_ids)}
        view = question_view(question, drawn.choice_ids, lang)
        view["selected"] = [keys[c] for c in qres.selected if c in keys]
        # Per-choice feedback ("Correct! ...") tells as much as the explanation, so it follows
        # the same setting: with ``show_explanations="with_answers"`` it waits for ``reveal``.
        view["feedback"] = [
            {"key": keys[c], "text": _t(choice.feedback, lang)}
            for c in qres.selected
            if c in keys and (choice := question.choice(c)) is not None and choice.feedback
        ] if explanations else []
        if explanations and question.explanation:
            view["explanation"] = _t(question.explanation, lang)
        if reveal:
            view["correct"] = qres.correct
            view["credit"] = qres.credit
            view["correct_keys"] = [keys[c.id] for c in question.choices
                                    if c.correct and c.id in keys]
        questions.append(view)
    return {
        "attempt": number,
        "earned": result.earned,
        "possible": result.possible,
        "percent": result.percent,
        "passed": result.passed,
        "answers_revealed": reveal,
        "questions": questions,
    }


def attempt_record_view(bank: Bank, record: Mapping[str, Any], lang: Optional[str], *,
                        reveal: bool, explanations: bool) -> dict:
    """``result_view`` for a stored attempt record (see ``attempts``)."""
    return result_view(bank, Draw.from_dict(record["draw"]),
                       AttemptResult.from_dict(record["result"]), int(record["number"]), lang,
                       reveal=reveal, explanations=explanations)
