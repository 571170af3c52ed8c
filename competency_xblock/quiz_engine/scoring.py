"""Server-side scoring, pass/fail, grade policy and the show-answer policy.

Partial credit for multiple response (``per_choice``)::

    credit = max(0, (correct choices picked - wrong choices picked) / number of correct choices)

so picking every choice earns 0 (when there are as many wrong choices as right ones), picking
only right ones earns a share, and guessing is not rewarded.  ``all_or_nothing`` gives 1 only for
exactly the correct set.  Single choice and true/false are always 1 or 0.  Every drawn question
is worth one raw point, so ``possible`` is the number of questions drawn and depends on content
only.  Arithmetic uses :class:`fractions.Fraction`; results are stored as floats.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Optional

from competency_xblock.quiz_engine.draw import Draw
from competency_xblock.quiz_engine.model import ALL_OR_NOTHING, MULTIPLE, Bank, Question
from competency_xblock.quiz_engine.settings import (
    AFTER_LAST_ATTEMPT,
    AFTER_PASSING,
    ALWAYS,
    BEST,
    LAST,
    NEVER,
)
from competency_xblock.text import N_, UserFacingError

MAX_ANSWER_ITEMS = 50


def question_credit(question: Question, selected: Iterable[str], rule: str) -> Fraction:
    """Credit in [0, 1] for one question given the picked choice ids."""
    picked = set(selected)
    correct = question.correct_ids
    if question.type != MULTIPLE:
        return Fraction(1) if picked and picked == set(correct) else Fraction(0)
    if rule == ALL_OR_NOTHING:
        return Fraction(1) if picked == set(correct) else Fraction(0)
    if not correct:
        return Fraction(0)
    right = len(picked & correct)
    wrong = len(picked - correct)
    return max(Fraction(0), Fraction(right - wrong, len(correct)))


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    selected: tuple[str, ...]
    credit: float
    correct: bool
    withdrawn: bool = False  # the author deleted the question after it was drawn
    #: A picked choice is no longer in the question (the author removed it): a rescore keeps
    #: the marks the answer had, as it cannot be judged by the new key.
    kept: bool = False

    def to_dict(self) -> dict:
        out = {"q": self.question_id, "selected": list(self.selected),
               "credit": self.credit, "correct": self.correct}
        if self.withdrawn:
            out["withdrawn"] = True
        if self.kept:
            out["kept"] = True
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QuestionResult:
        return cls(data["q"], tuple(data["selected"]), float(data["credit"]),
                   bool(data["correct"]), bool(data.get("withdrawn", False)),
                   bool(data.get("kept", False)))


@dataclass(frozen=True)
class AttemptResult:
    earned: float
    possible: int
    percent: float
    passed: bool
    questions: tuple[QuestionResult, ...]

    def to_dict(self) -> dict:
        return {"earned": self.earned, "possible": self.possible, "percent": self.percent,
                "passed": self.passed, "questions": [q.to_dict() for q in self.questions]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AttemptResult:
        return cls(float(data["earned"]), int(data["possible"]), float(data["percent"]),
                   bool(data["passed"]),
                   tuple(QuestionResult.from_dict(q) for q in data["questions"]))

    @property
    def fraction(self) -> Fraction:
        if not self.possible:
            return Fraction(0)
        return Fraction(self.earned).limit_denominator(10**6) / self.possible


def passes(earned: Fraction, possible: int, threshold: float) -> bool:
    if possible <= 0:
        return False
    return earned * 100 >= Fraction(threshold) * possible


def score_attempt(bank: Bank, draw: Draw, answers: Mapping[str, Sequence[str]],
                  threshold: float, previous: Optional[AttemptResult] = None) -> AttemptResult:
    """Score resolved ``answers`` (question id -> choice ids) for the questions in ``draw``.

    A drawn question the author has since deleted counts as answered correctly (a withdrawn
    question must not cost the learner), which keeps ``possible`` equal to the draw size.
    Rescoring passes the ``previous`` result: an answer that picked a choice the author has
    since removed cannot be judged by the new key and keeps its marks from then.
    """
    before = {q.question_id: q for q in previous.questions} if previous else {}
    total = Fraction(0)
    results = []
    for drawn in draw.questions:
        selected = tuple(answers.get(drawn.question_id, ()))
        question = bank.question(drawn.question_id)
        old = before.get(drawn.question_id)
        if question is None:
            credit, correct, withdrawn, kept = Fraction(1), True, True, False
        elif old is not None and any(question.choice(c) is None for c in selected):
            credit = Fraction(old.credit).limit_denominator(10**6)
            correct, withdrawn, kept = old.correct, False, True
        else:
            credit = question_credit(question, selected, bank.rule_for(question))
            correct, withdrawn, kept = credit == 1, False, False
        total += credit
        results.append(QuestionResult(drawn.question_id, selected, round(float(credit), 6),
                                      correct, withdrawn, kept))
    possible = len(draw.questions)
    percent = round(float(total * 100 / possible), 2) if possible else 0.0
    return AttemptResult(round(float(total), 6), possible, percent,
                         passes(total, possible, threshold), tuple(results))


def resolve_answers(bank: Bank, draw: Draw, raw: Any) -> dict[str, tuple[str, ...]]:
    """Turn the browser's ``{question id: [choice key, ...]}`` into choice ids, or refuse.

    Choice keys are positions in the drawn display order (see ``views``), so the browser never
    sees the author's choice ids (imports often put the right answer first as "c1").
    Unanswered questions may be left out; they earn nothing.
    """
    if not isinstance(raw, Mapping):
        raise UserFacingError(N_("The answers must be an object of question ids."), path="/answers")
    if len(raw) > len(draw.questions):
        raise UserFacingError(N_("There are more answers than questions in this attempt."),
                              path="/answers")
    resolved: dict[str, tuple[str, ...]] = {}
    for qid, keys in raw.items():
        path = f"/answers/{qid}"
        drawn = draw.get(str(qid))
        question = bank.question(str(qid)) if drawn else None
        if drawn is None or question is None:
            raise UserFacingError(
                N_("The answer names the question \"{id}\", which is not part of this attempt."),
                path=path, id=str(qid)[:80])
        if isinstance(keys, str) or not isinstance(keys, Sequence):
            raise UserFacingError(N_("The answer must be a list of choices."), path=path)
        if len(keys) > min(MAX_ANSWER_ITEMS, len(drawn.choice_ids)):
            raise UserFacingError(N_("The answer lists more choices than the question has."),
                                  path=path)
        ids = []
        for key in keys:
            index = _key_index(key)
            if index is None or index >= len(drawn.choice_ids) \
                    or question.choice(drawn.choice_ids[index]) is None:
                raise UserFacingError(N_("Unknown choice \"{key}\"."), path=path,
                                      key=str(key)[:20])
            ids.append(drawn.choice_ids[index])
        if len(set(ids)) != len(ids):
            raise UserFacingError(N_("A choice is given twice."), path=path)
        if question.type != MULTIPLE and len(ids) > 1:
            raise UserFacingError(N_("Only one choice may be picked for this question."),
                                  path=path)
        resolved[drawn.question_id] = tuple(ids)
    return resolved


def _key_index(key: Any) -> Optional[int]:
    if isinstance(key, bool) or not isinstance(key, (str, int)):
        return None
    text = str(key)
    if not text.isdigit() or len(text) > 3 or (len(text) > 1 and text[0] == "0"):
        return None
    return int(text)


def choice_key(index: int) -> str:
    """The browser-facing key of the choice shown at ``index`` (see :func:`resolve_answers`)."""
    return str(index)


def final_result(results: Sequence[AttemptResult], policy: str) -> Optional[AttemptResult]:
    """The attempt that counts: the best (earliest of equals) or the last one submitted."""
    if not results:
        return None
    if policy == LAST:
        return results[-1]
    assert policy == BEST
    best = results[0]
    for result in results[1:]:
        if result.fraction > best.fraction:
            best = result
    return best


def answers_visible(policy: str, *, submitted: int, passed_any: bool,
                    attempts_left: Optional[int]) -> bool:
    """May the learner see the correct answers and per-question correctness now?

    Nothing is ever revealed before the first submitted attempt; ``always`` means "with every
    result".  ``attempts_left`` is None for unlimited attempts, so ``after_last_attempt`` never
    reveals answers when attempts are unlimited.
    """
    if submitted <= 0 or policy == NEVER:
        return False
    if policy == ALWAYS:
        return True
    if policy == AFTER_PASSING:
        return passed_any
    if policy == AFTER_LAST_ATTEMPT:
        return attempts_left is not None and attempts_left <= 0
    return False
