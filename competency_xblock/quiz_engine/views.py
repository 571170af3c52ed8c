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
from competency_xblock.quiz_engine.scoring import AttemptResult, choice_key, score_attempt
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

    The score is the stored one (what the LMS has).  Each question is marked the way a
    rescore would mark it now, so its verdict always agrees with the correct answer shown
    next to it; where that differs from the stored marks (the author changed the key since),
    ``changed`` is ``"key"`` and ``stored_credit`` what the score still counts.  An answer
    that picked a choice the author has since removed keeps its marks, also at a rescore
    (``changed`` ``"answer_removed"``; ``removed_answer`` says so even without ``reveal``).
    ``pending`` counts the questions whose marks a rescore would change, ``withdrawn`` the
    drawn questions no longer in the bank (not shown).
    """
    by_id = {r.question_id: r for r in result.questions}
    now = {r.question_id: r for r in score_attempt(
        bank, draw, {r.question_id: r.selected for r in result.questions}, 0,
        previous=result).questions}
    questions = []
    pending = withdrawn = 0
    for drawn in draw.questions:
        question = bank.question(drawn.question_id)
        qres = by_id.get(drawn.question_id)
        if qres is None:
            continue
        current = now[drawn.question_id]
        differs = abs(current.credit - qres.credit) > 1e-9 or current.correct != qres.correct
        pending += differs
        if question is None:
            withdrawn += 1
            continue
        # The choices shown then, and any the author has added since (a correct answer may
        # be among them).
        shown = drawn.choice_ids + tuple(c.id for c in question.choices
                                         if c.id not in drawn.choice_ids)
        keys = {cid: choice_key(i) for i, cid in enumerate(shown)}
        view = question_view(question, shown, lang)
        picked = [c for c in qres.selected if question.choice(c) is not None]
        view["selected"] = [keys[c] for c in picked]
        if len(picked) < len(qres.selected):
            view["removed_answer"] = True
        # Per-choice feedback ("Correct! ...") tells as much as the explanation, so it follows
        # the same setting: with ``show_explanations="with_answers"`` it waits for ``reveal``.
        view["feedback"] = [
            {"key": keys[c], "text": _t(choice.feedback, lang)}
            for c in picked if (choice := question.choice(c)) is not None and choice.feedback
        ] if explanations else []
        if explanations and question.explanation:
            view["explanation"] = _t(question.explanation, lang)
        if reveal:
            view["correct"] = current.correct
            view["credit"] = current.credit
            view["correct_keys"] = [keys[c.id] for c in question.choices if c.correct]
            if current.kept:
                view["changed"], view["stored_credit"] = "answer_removed", qres.credit
            elif differs:
                view["changed"], view["stored_credit"] = "key", qres.credit
        questions.append(view)
    return {
        "attempt": number,
        "earned": result.earned,
        "possible": result.possible,
        "percent": result.percent,
        "passed": result.passed,
        "answers_revealed": reveal,
        "pending": pending,
        "withdrawn": withdrawn,
        "questions": questions,
    }


def attempt_record_view(bank: Bank, record: Mapping[str, Any], lang: Optional[str], *,
                        reveal: bool, explanations: bool) -> dict:
    """``result_view`` for a stored attempt record (see ``attempts``)."""
    return result_view(bank, Draw.from_dict(record["draw"]),
                       AttemptResult.from_dict(record["result"]), int(record["number"]), lang,
                       reveal=reveal, explanations=explanations)
