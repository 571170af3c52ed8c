"""A learner's attempts at one quiz: opening, submitting, grading, rescoring.

The state is one JSON-compatible dict (stored in a ``user_state`` field)::

    {"attempts": [{"number": 1, "draw": {...}, "answers": {...}, "result": {...}}, ...],
     "open": {"number": 2, "draw": {...}} | null,
     "score": [raw earned, raw possible],
     "reset_at": 2}

``reset_at`` (absent until staff reset the learner's attempts in the LMS, see
:func:`reset_attempts`) is the number of attempts submitted at the last reset: only attempts
submitted after it count against the attempt limit.  Every attempt stays in the history
(results, reports, rescoring, the grade policy).

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

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any, Optional

from competency_xblock.quiz_engine.draw import Draw, draw, is_current, seed_for
from competency_xblock.quiz_engine.model import Bank
from competency_xblock.quiz_engine.scoring import (
    AttemptResult,
    QuestionResult,
    answers_visible,
    final_result,
    resolve_answers,
    score_attempt,
)
from competency_xblock.quiz_engine.settings import BEST, QuizSettings
from competency_xblock.text import N_, UserFacingError


def empty_state() -> dict:
    return {"attempts": [], "open": None}


# ---- reading a stored state defensively ---------------------------------------------------
# The stored state is learner data written by earlier versions, by hand (support staff) or
# damaged in storage.  It is read once per request by :func:`read_state`, the one reader of
# this structure, and every function below works on what it read, so a malformed part never
# crashes a handler or a report and is handled the same everywhere:
#
# * an attempt record that cannot be read still counts as an attempt used (no extra attempts)
#   but has no result: no score, pass or answers are shown or counted from it (under the
#   "best" policy the stored score that counts stays the floor of the grade, see
#   :func:`final_score`, so the grade it earned is not lost);
# * an open attempt that cannot be read is drawn again (it was never submitted);
# * a state whose list of attempts cannot be read (not a dict, ``attempts`` not a list) is
#   *unreadable*: the number of attempts used is unknown, so no attempt is opened or
#   submitted (:data:`UNREADABLE`) until staff reset the learner's state;
# * nothing is rewritten: a new state is the stored dict with only the learner's change.


@dataclass(frozen=True)
class StoredAttempt:
    """One submitted attempt as read from the state; ``number`` is its position + 1."""

    number: int
    draw: Optional[Draw]                          # None: cannot be read
    answers: Optional[dict[str, tuple[str, ...]]]  # None: cannot be read
    result: Optional[AttemptResult]               # None: cannot be read (no score)

    @property
    def usable(self) -> bool:
        """Whether it can be shown as a result (draw and result readable)."""
        return self.draw is not None and self.result is not None


@dataclass(frozen=True)
class ReadState:
    """What can be used of a stored state (see :func:`read_state`)."""

    stored: Any                   # the state as stored (what a change starts from)
    readable: bool
    attempts: tuple[StoredAttempt, ...] = ()
    open: Optional[dict] = None   # the open attempt, only when its number and draw are readable
    open_draw: Optional[Draw] = None   # its draw
    has_open: bool = False        # whether an open attempt is stored (readable or not)
    score: Optional[tuple[float, float]] = None   # the stored score that counts
    reset_at: int = 0             # attempts submitted at the last staff reset (not counted)
    problems: tuple[str, ...] = ()   # what could not be read (for the log; no learner data)

    @property
    def results(self) -> list[AttemptResult]:
        return [a.result for a in self.attempts if a.result is not None]

    def usable_attempt(self, number: int) -> Optional[StoredAttempt]:
        if 1 <= number <= len(self.attempts) and self.attempts[number - 1].usable:
            return self.attempts[number - 1]
        return None

    def last_usable(self) -> Optional[StoredAttempt]:
        return next((a for a in reversed(self.attempts) if a.usable), None)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) \
        and math.isfinite(value)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _strings(value: Any) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)


def _read_draw(data: Any) -> Optional[Draw]:
    if not isinstance(data, Mapping) or not isinstance(data.get("seed"), str) \
            or not isinstance(data.get("questions"), list):
        return None
    for item in data["questions"]:
        if not isinstance(item, Mapping) or not isinstance(item.get("q"), str) \
                or not _strings(item.get("c")):
            return None
    return Draw.from_dict(data)


def _read_answers(data: Any) -> Optional[dict[str, tuple[str, ...]]]:
    if not isinstance(data, Mapping):
        return None
    if not all(isinstance(q, str) and _strings(c) for q, c in data.items()):
        return None
    return {q: tuple(c) for q, c in data.items()}


def _read_question_result(data: Any) -> Optional[QuestionResult]:
    if not isinstance(data, Mapping) or not isinstance(data.get("q"), str) \
            or not _strings(data.get("selected")) or not _is_number(data.get("credit")) \
            or not 0 <= data["credit"] <= 1 or not isinstance(data.get("correct"), bool) \
            or not isinstance(data.get("withdrawn", False), bool):
        return None
    return QuestionResult.from_dict(data)


def _read_result(data: Any) -> Optional[AttemptResult]:
    """The stored result, or None unless every part has its type and a possible value (a
    score that was not earned is never shown: earned within [0, possible])."""
    if not isinstance(data, Mapping):
        return None
    earned, possible, percent = data.get("earned"), data.get("possible"), data.get("percent")
    questions = data.get("questions")
    if not (_is_number(earned) and _is_count(possible) and _is_number(percent)
            and isinstance(data.get("passed"), bool) and isinstance(questions, list)
            and 0 <= earned <= possible and 0 <= percent <= 100
            and len(questions) == possible):
        return None
    read = [_read_question_result(q) for q in questions]
    if any(q is None for q in read):
        return None
    return AttemptResult(float(earned), possible, float(percent), data["passed"], tuple(read))


def _read_record(position: int, record: Any) -> StoredAttempt:
    if not isinstance(record, Mapping):
        return StoredAttempt(position, None, None, None)
    return StoredAttempt(position, _read_draw(record.get("draw")),
                         _read_answers(record.get("answers")), _read_result(record.get("result")))


def read_state(state: Any) -> ReadState:
    """Read a stored state defensively: what can be used of it, never raising.

    ``None`` and ``{}`` are a learner without attempts; see the rules above for the rest.
    A :class:`ReadState` is returned as it is, so every function below takes either.
    """
    if isinstance(state, ReadState):
        return state
    if not state:
        return ReadState(state, True)
    if not isinstance(state, Mapping):
        return ReadState(state, False, problems=(f"the state is a {type(state).__name__}",))
    score = stored_score(state)
    problems = [] if state.get("score") is None or score is not None \
        else ["the stored score cannot be read"]
    records = state.get("attempts")
    if records is None:
        records = []
    if not isinstance(records, list):
        return ReadState(state, False, score=score, problems=(
            f"the attempts are a {type(records).__name__}", *problems))
    read = tuple(_read_record(n, r) for n, r in enumerate(records, start=1))
    problems += [f"attempt {a.number} cannot be read" for a in read
                 if a.result is None or a.draw is None]
    current = state.get("open")
    open_, open_draw = None, None
    if current is not None:
        open_draw = _read_draw(current.get("draw")) if isinstance(current, Mapping) else None
        if open_draw is not None and _is_count(current.get("number")):
            open_ = current
        else:
            open_draw = None
            problems.append("the open attempt cannot be read")
    reset_at = state.get("reset_at", 0)
    if not _is_count(reset_at) or reset_at > len(read):
        problems.append("the reset of the attempts cannot be read")
        reset_at = 0
    return ReadState(state, True, read, open_, open_draw, current is not None, score,
                     reset_at, tuple(problems))


def _copy(read: ReadState) -> dict:
    """A new state to change: a shallow copy of the stored dict (everything in it is kept;
    nothing nested is changed in place, parts that change are replaced)."""
    out = dict(read.stored) if read.stored else empty_state()
    out["attempts"] = list(out.get("attempts") or [])
    out.setdefault("open", None)
    return out


#: The learner's message when the stored attempts cannot be read (see :func:`read_state`).
UNREADABLE = N_("Your earlier attempts at this quiz cannot be read, so no new attempt can be "
                "started. Please tell the course team; nothing has been changed.")


def submitted_results(state: Any) -> list[AttemptResult]:
    """The results that can be read, in attempt order."""
    return read_state(state).results


def attempts_left(state: Any, settings: QuizSettings) -> Optional[int]:
    """Remaining attempts, or None when unlimited; 0 when the state cannot be read."""
    read = read_state(state)
    if not read.readable:
        return 0
    if settings.unlimited:
        return None
    return max(0, settings.max_attempts - counted_attempts(read))


def counted_attempts(state: Any) -> int:
    """The attempts that count against the limit: those submitted after the last reset."""
    read = read_state(state)
    return len(read.attempts) - read.reset_at


def reset_attempts(state: Any) -> Any:
    """A new state in which the attempts submitted so far no longer count against the limit
    (the LMS's "Reset Student Attempts"): ``reset_at`` is their number.  Every attempt, the
    open one and the score that counts are kept.  A state that cannot be read is returned as
    stored (how many attempts were used is unknown; staff delete such a state)."""
    read = read_state(state)
    if not read.readable:
        return read.stored
    new = _copy(read)
    new["reset_at"] = len(read.attempts)
    return new


@dataclass(frozen=True)
class Status:
    """What the block needs to know to render and grade."""

    submitted: int                 # attempts used (also those whose record cannot be read)
    attempts_left: Optional[int]
    passed_any: bool
    final: Optional[AttemptResult]
    answers_visible: bool
    readable: bool = True          # False: the stored attempts cannot be read (UNREADABLE)

    @property
    def can_attempt(self) -> bool:
        return self.readable and (self.attempts_left is None or self.attempts_left > 0)


def status(state: Any, settings: QuizSettings) -> Status:
    read = read_state(state)
    results = read.results
    left = attempts_left(read, settings)
    passed_any = any(r.passed for r in results)
    used = len(read.attempts)
    return Status(used, left, passed_any, final_result(results, settings.grade_policy),
                  answers_visible(settings.show_answer, submitted=used,
                                  passed_any=passed_any, attempts_left=left),
                  read.readable)


def open_attempt(state: Any, bank: Bank, settings: QuizSettings,
                 learner_id: str, block_id: str) -> tuple[Any, Optional[dict]]:
    """Return (new state, the open attempt) — drawing it if needed; None when none are left.

    The draw is seeded by (learner, block, attempt number), so opening the same attempt twice
    (two tabs, a reload, concurrent requests) yields the same questions.

    An open attempt whose questions are no longer in the bank as drawn (the author deleted
    or replaced them), or whose stored record cannot be read, is drawn again from the current
    bank, as Open edX's randomized content block replaces deleted children: it was never
    submitted, so no attempt is used up and no submitted result changes.  Raises
    :class:`UserFacingError` and opens nothing when the settings leave no question to draw
    (for example only unknown topics).  A state that cannot be read is returned as stored,
    with no attempt.
    """
    read = read_state(state)
    if not read.readable:
        return read.stored, None
    new = _copy(read)
    number = len(read.attempts) + 1
    current = read.open
    if current and current["number"] == number and read.open_draw.questions \
            and is_current(bank, read.open_draw):
        return new, current
    if attempts_left(read, settings) == 0:
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


@dataclass(frozen=True)
class Submitted:
    """What :func:`submit_attempt` did: the new state (to store unless ``replayed``), what it
    reads as (without reading it again), the attempt's result and whether it was a replay."""

    state: Any
    read: ReadState
    result: AttemptResult
    replayed: bool


def submit(state: Any, bank: Bank, settings: QuizSettings,
           attempt_number: Any, raw_answers: Any) -> tuple[Any, AttemptResult, bool]:
    """(new state, result, replayed): :func:`submit_attempt` for callers that need no more."""
    done = submit_attempt(state, bank, settings, attempt_number, raw_answers)
    return done.state, done.result, done.replayed


def submit_attempt(state: Any, bank: Bank, settings: QuizSettings,
                   attempt_number: Any, raw_answers: Any) -> Submitted:
    """Score and record the answers to attempt ``attempt_number``.

    ``replayed`` is True when the same attempt was already submitted with the same answers:
    the stored result is returned, state unchanged.  Raises :class:`UserFacingError` (the
    block answers HTTP 400) and changes nothing when the attempt is unknown, already
    submitted with other answers (or its record cannot be read), none are left, or the
    stored state cannot be read.
    """
    read = read_state(state)
    if isinstance(attempt_number, bool) or not isinstance(attempt_number, int):
        raise UserFacingError(N_("The attempt number is missing or not a whole number."),
                              path="/attempt")
    if not read.readable:
        raise UserFacingError(UNREADABLE, path="/attempt")
    if 1 <= attempt_number <= len(read.attempts):
        stored = read.attempts[attempt_number - 1]
        if stored.usable and stored.answers is not None:
            try:
                answers = resolve_answers(bank, stored.draw, raw_answers)
            except UserFacingError:
                answers = None
            if answers is not None and _same_answers(answers, stored.answers):
                return Submitted(read.stored, read, stored.result, True)
        raise UserFacingError(N_("Attempt {number} has already been submitted."),
                              path="/attempt", number=attempt_number)
    if attempts_left(read, settings) == 0:
        raise UserFacingError(N_("You have used all your attempts."), path="/attempt")
    current = read.open
    if not current or current["number"] != attempt_number:
        raise UserFacingError(N_("Attempt {number} is not open; reload the page."),
                              path="/attempt", number=attempt_number)
    draw_ = read.open_draw
    if not draw_.questions or not is_current(bank, draw_):
        raise UserFacingError(N_("The questions of attempt {number} have been changed by the "
                                 "course team. Reload the page to get the new questions; no "
                                 "attempt has been used."), path="/attempt",
                              number=attempt_number)
    answers = resolve_answers(bank, draw_, raw_answers)
    result = score_attempt(bank, draw_, answers, settings.pass_threshold)
    new = _copy(read)
    new["attempts"].append({"number": attempt_number, "draw": current["draw"],
                            "answers": {q: list(c) for q, c in answers.items()},
                            "result": result.to_dict()})
    new["open"] = None
    after = replace(read, stored=new, open=None, open_draw=None, has_open=False,
                    attempts=(*read.attempts,
                              StoredAttempt(attempt_number, draw_, answers, result)))
    return Submitted(new, after, result, False)


def _same_answers(answers: Mapping[str, tuple[str, ...]], stored: Mapping[str, Any]) -> bool:
    def norm(mapping):
        return {q: sorted(c) for q, c in mapping.items() if c}
    return norm(answers) == norm(stored)


def rescore(state: Any, bank: Bank, settings: QuizSettings) -> Any:
    """Recompute every submitted attempt against the current answer key and threshold.

    The stored draws and answers (choice ids) are kept; only results change.  Used when an
    author fixes a wrong key (LMS rescoring).  An answer whose picked choice the author has
    since removed keeps its marks (``score_attempt``): a question that did not change never
    loses points, and one that did cannot take them away for a choice that is gone.  A
    record whose draw or answers cannot be read is kept as it is (it has no result); a state
    that cannot be read is returned as stored.
    """
    read = read_state(state)
    if not read.readable:
        return read.stored
    new = _copy(read)
    for stored in read.attempts:
        if stored.draw is None or stored.answers is None:
            continue
        index = stored.number - 1
        new["attempts"][index] = dict(new["attempts"][index], result=score_attempt(
            bank, stored.draw, stored.answers, settings.pass_threshold,
            stored.result).to_dict())
    return new


def stored_score(state: Any) -> Optional[tuple[float, float]]:
    """The score that counts, as stored in ``state``; None if none (or not a valid one)."""
    score = state.get("score") if isinstance(state, Mapping) else None
    if (isinstance(score, list | tuple) and len(score) == 2
            and all(_is_number(v) for v in score) and 0 <= score[0] <= score[1]):
        return float(score[0]), float(score[1])
    return None


def with_score(state: Any, earned: float, possible: float) -> dict:
    """A new state whose score that counts is ``(earned, possible)``."""
    new = dict(state) if isinstance(state, Mapping) and state else empty_state()
    new["score"] = [float(earned), float(possible)]
    return new


def final_score(state: Any, settings: QuizSettings) -> Optional[tuple[float, float]]:
    """(raw earned, raw possible) under the grade policy; None before the first submit (or
    when no submitted result can be read and no score is stored).

    Under the "best" policy an attempt whose result cannot be read may have earned the
    stored score that counts: that score stays the floor, so a damaged record never lowers
    the grade.  Under "last", when the last attempt's result cannot be read, the stored score
    (set when it was submitted) is the one that counts.
    """
    read = read_state(state)
    result = final_result(read.results, settings.grade_policy)
    counted = (result.earned, result.possible) if result is not None else None
    if read.score is None or all(a.result is not None for a in read.attempts):
        return counted
    if settings.grade_policy == BEST:
        if counted is None or _fraction(read.score) > _fraction(counted):
            return read.score
    elif read.attempts[-1].result is None:
        return read.score   # the last attempt counts, and it was stored with this score
    return counted


def _fraction(score: tuple[float, float]) -> Fraction:
    earned, possible = score
    return Fraction(earned).limit_denominator(10**6) / Fraction(possible) if possible \
        else Fraction(0)
