"""A learner's attempts at one quiz: opening, submitting, grading, rescoring.

The state is one JSON-compatible dict (stored in a ``user_state`` field)::

    {"attempts": [{"number": 1, "draw": {...}, "answers": {...}, "result": {...}}, ...],
     "open": {"number": 2, "draw": {...}} | null,
     "score": [raw earned, raw possible]}

``score`` is the score that counts for the LMS (set on submit from the grade policy, and by
rescoring, which may keep a higher one); it sits in the same dict so that a submit writes one
field.

Why attempt numbers: the browser sends the number of the attempt it answers.  A repeated submit
of an already submitted attempt with the same answers is idempotent (returns the stored result,
changes nothing); with other answers it is refused.  Two concurrent submits that both read the
old state both write attempt N, so the last write wins and attempt N is counted once: the
attempt limit can never be exceeded and an attempt never counted twice.

All functions are pure: they return a new state and never mutate their input.
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional

from competency_xblock.quiz_engine.draw import Draw, draw, is_current, seed_for
from competency_xblock.quiz_engine.model import Bank
from competency_xblock.quiz_engine.scoring import (
    AttemptResult,
    answers_visible,
    final_result,
    resolve_answers,
    score_attempt,
)
from competency_xblock.quiz_engine.settings import QuizSettings
from competency_xblock.text import N_, UserFacingError


def empty_state() -> dict:
    return {"attempts": [], "open": None}


def _normalise(state: Optional[Mapping[str, Any]]) -> dict:
    out = copy.deepcopy(dict(state)) if state else empty_state()
    out.setdefault("attempts", [])
    out.setdefault("open", None)
    return out


def submitted_results(state: Mapping[str, Any]) -> list[AttemptResult]:
    return [AttemptResult.from_dict(a["result"]) for a in (state or {}).get("attempts", [])]


def attempts_left(state: Mapping[str, Any], settings: QuizSettings) -> Optional[int]:
    """Remaining attempts, or None when unlimited."""
    if settings.unlimited:
        return None
    return max(0, settings.max_attempts - len((state or {}).get("attempts", [])))


@dataclass(frozen=True)
class Status:
    """What the block needs to know to render and grade."""

    submitted: int
    attempts_left: Optional[int]
    passed_any: bool
    final: Optional[AttemptResult]
    answers_visible: bool

    @property
    def can_attempt(self) -> bool:
        return self.attempts_left is None or self.attempts_left > 0


def status(state: Mapping[str, Any], settings: QuizSettings) -> Status:
    results = submitted_results(state)
    left = attempts_left(state, settings)
    passed_any = any(r.passed for r in results)
    return Status(len(results), left, passed_any, final_result(results, settings.grade_policy),
                  answers_visible(settings.show_answer, submitted=len(results),
                                  passed_any=passed_any, attempts_left=left))


def open_attempt(state: Optional[Mapping[str, Any]], bank: Bank, settings: QuizSettings,
                 learner_id: str, block_id: str) -> tuple[dict, Optional[dict]]:
    """Return (new state, the open attempt) — drawing it if needed; None when none are left.

    The draw is seeded by (learner, block, attempt number), so opening the same attempt twice
    (two tabs, a reload, concurrent requests) yields the same questions.

    An open attempt whose questions are no longer in the bank as drawn (the author deleted
    or replaced them) is drawn again from the current bank, as Open edX's randomized content
    block replaces deleted children: it was never submitted, so no attempt is used up and no
    submitted result changes.  Raises :class:`UserFacingError` and opens nothing when the
    settings leave no question to draw (for example only unknown topics).
    """
    new = _normalise(state)
    number = len(new["attempts"]) + 1
    current = new["open"]
    if current and current.get("number") == number and is_usable(bank, current):
        return new, current
    if attempts_left(new, settings) == 0:
        new["open"] = None
        return new, None
    seed = seed_for(learner_id, block_id, number)
    drawn = draw(bank, settings, seed)
    if not drawn.questions:
        raise UserFacingError(NOTHING_TO_DRAW)
    new["open"] = {"number": number, "draw": drawn.to_dict()}
    return new, new["open"]


#: The learner's message when the settings leave no question to draw (staff see why in Studio).
NOTHING_TO_DRAW = N_("This quiz has no questions to show: none of its questions match its "
                     "settings. Please tell the course team; no attempt has been used.")


def is_usable(bank: Bank, record: Mapping[str, Any]) -> bool:
    """Whether an open attempt can still be shown and graded as drawn."""
    drawn = Draw.from_dict(record["draw"])
    return bool(drawn.questions) and is_current(bank, drawn)


def submit(state: Optional[Mapping[str, Any]], bank: Bank, settings: QuizSettings,
           attempt_number: Any, raw_answers: Any) -> tuple[dict, AttemptResult, bool]:
    """Score and record the answers to attempt ``attempt_number``.

    Returns (new state, result, replayed).  ``replayed`` is True when the same attempt was
    already submitted with the same answers: the stored result is returned, state unchanged.
    Raises :class:`UserFacingError` (the block answers HTTP 400) and changes nothing when the
    attempt is unknown, already submitted with other answers, or none are left.
    """
    new = _normalise(state)
    if isinstance(attempt_number, bool) or not isinstance(attempt_number, int):
        raise UserFacingError(N_("The attempt number is missing or not a whole number."),
                              path="/attempt")
    done = new["attempts"]
    if 1 <= attempt_number <= len(done):
        record = done[attempt_number - 1]
        draw_ = Draw.from_dict(record["draw"])
        try:
            answers = resolve_answers(bank, draw_, raw_answers)
        except UserFacingError:
            answers = None
        if answers is not None and _same_answers(answers, record["answers"]):
            return new, AttemptResult.from_dict(record["result"]), True
        raise UserFacingError(N_("Attempt {number} has already been submitted."),
                              path="/attempt", number=attempt_number)
    if attempts_left(new, settings) == 0:
        raise UserFacingError(N_("You have used all your attempts."), path="/attempt")
    current = new["open"]
    if not current or current.get("number") != attempt_number:
        raise UserFacingError(N_("Attempt {number} is not open; reload the page."),
                              path="/attempt", number=attempt_number)
    if not is_usable(bank, current):
        raise UserFacingError(N_("The questions of attempt {number} have been changed by the "
                                 "course team. Reload the page to get the new questions; no "
                                 "attempt has been used."), path="/attempt",
                              number=attempt_number)
    draw_ = Draw.from_dict(current["draw"])
    answers = resolve_answers(bank, draw_, raw_answers)
    result = score_attempt(bank, draw_, answers, settings.pass_threshold)
    done.append({"number": attempt_number, "draw": current["draw"],
                 "answers": {q: list(c) for q, c in answers.items()},
                 "result": result.to_dict()})
    new["open"] = None
    return new, result, False


def _same_answers(answers: Mapping[str, tuple[str, ...]], stored: Mapping[str, Any]) -> bool:
    def norm(mapping):
        return {q: sorted(c) for q, c in mapping.items() if c}
    return norm(answers) == norm(stored)


def rescore(state: Optional[Mapping[str, Any]], bank: Bank, settings: QuizSettings) -> dict:
    """Recompute every submitted attempt against the current answer key and threshold.

    The stored draws and answers (choice ids) are kept; only results change.  Used when an
    author fixes a wrong key (LMS rescoring).  An answer whose picked choice the author has
    since removed keeps its marks (``score_attempt``): a question that did not change never
    loses points, and one that did cannot take them away for a choice that is gone.
    """
    new = _normalise(state)
    for record in new["attempts"]:
        draw_ = Draw.from_dict(record["draw"])
        answers = {q: tuple(c) for q, c in record.get("answers", {}).items()}
        record["result"] = score_attempt(bank, draw_, answers, settings.pass_threshold,
                                         AttemptResult.from_dict(record["result"])).to_dict()
    return new


def stored_score(state: Optional[Mapping[str, Any]]) -> Optional[tuple[float, float]]:
    """The score that counts, as stored in ``state``; None if none (or not a valid one)."""
    score = (state or {}).get("score")
    if (isinstance(score, list | tuple) and len(score) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in score)):
        return float(score[0]), float(score[1])
    return None


def with_score(state: Optional[Mapping[str, Any]], earned: float, possible: float) -> dict:
    """A new state whose score that counts is ``(earned, possible)``."""
    new = dict(state) if state else empty_state()
    new["score"] = [float(earned), float(possible)]
    return new


def final_score(state: Optional[Mapping[str, Any]],
                settings: QuizSettings) -> Optional[tuple[float, int]]:
    """(raw earned, raw possible) under the grade policy; None before the first submit."""
    result = final_result(submitted_results(state or {}), settings.grade_policy)
    if result is None:
        return None
    return result.earned, result.possible
