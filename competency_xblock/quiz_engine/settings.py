"""The author's quiz settings and their validation (``schemas/quiz-settings.schema.json``)."""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from competency_xblock.core import schemas
from competency_xblock.quiz_engine.model import Bank
from competency_xblock.text import N_, UserFacingError

OVERALL = "overall"
PER_TOPIC = "per_topic"
DRAW_MODES = (OVERALL, PER_TOPIC)

BEST = "best"
LAST = "last"
GRADE_POLICIES = (BEST, LAST)

NEVER = "never"
AFTER_PASSING = "after_passing"
AFTER_LAST_ATTEMPT = "after_last_attempt"
ALWAYS = "always"
SHOW_ANSWER_POLICIES = (NEVER, AFTER_PASSING, AFTER_LAST_ATTEMPT, ALWAYS)

AFTER_SUBMIT = "after_submit"
WITH_ANSWERS = "with_answers"

MAX_ATTEMPTS_LIMIT = 100


@dataclass(frozen=True)
class QuizSettings:
    draw_mode: str = OVERALL
    questions_per_attempt: int = 10
    topics: tuple[str, ...] = field(default_factory=tuple)
    shuffle_questions: bool = True
    shuffle_choices: bool = True
    pass_threshold: float = 80.0
    max_attempts: int = 3  # 0 = unlimited
    grade_policy: str = BEST
    show_answer: str = AFTER_LAST_ATTEMPT
    show_explanations: str = AFTER_SUBMIT

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QuizSettings:
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        if "topics" in values:
            values["topics"] = tuple(values["topics"] or ())
        return cls(**values)

    @classmethod
    def effective(cls, data: Mapping[str, Any]) -> QuizSettings:
        """The settings a learner's request uses: every stored value that is of the wrong kind
        or out of range (from an older version, or set past Studio and OLX checks) counts as
        its default, so a bad setting never breaks the block (Studio's validation shows it to
        staff).  Unknown topics stay: they are a setup problem the block reports."""
        default = cls()
        values = {}
        for name, check in _VALID.items():
            if name not in data:
                continue
            value = data[name]
            if name == "topics" and isinstance(value, list | tuple):
                value = tuple(t for t in value if isinstance(t, str))
            if check(value):
                values[name] = value
            else:
                values[name] = getattr(default, name)
        return cls(**values)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["topics"] = list(self.topics)
        return out

    @property
    def unlimited(self) -> bool:
        return self.max_attempts == 0


def _whole(low: int, high: int):
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high


_VALID = {
    "draw_mode": lambda v: v in DRAW_MODES,
    "questions_per_attempt": _whole(0, 500),
    "topics": lambda v: isinstance(v, tuple),
    "shuffle_questions": lambda v: isinstance(v, bool),
    "shuffle_choices": lambda v: isinstance(v, bool),
    "pass_threshold": lambda v: (isinstance(v, int | float) and not isinstance(v, bool)
                                 and math.isfinite(v) and 0 <= v <= 100),
    "max_attempts": _whole(0, MAX_ATTEMPTS_LIMIT),
    "grade_policy": lambda v: v in GRADE_POLICIES,
    "show_answer": lambda v: v in SHOW_ANSWER_POLICIES,
    "show_explanations": lambda v: v in (AFTER_SUBMIT, WITH_ANSWERS),
}


def settings_problems(data: Mapping[str, Any], bank: Bank | None = None, *,
                      check_size: bool = True) -> list[UserFacingError]:
    """All problems with the settings, including ones that depend on the bank.

    ``check_size=False``: leave out "more questions per attempt than the bank has" (a draw
    then takes all of them; Studio refuses it, OLX import accepts it)."""
    problems = list(schemas.errors("quiz-settings", dict(data)))
    if problems:
        return problems
    settings = QuizSettings.from_dict(data)
    threshold = settings.pass_threshold
    if not math.isfinite(threshold) or not 0 <= threshold <= 100:
        problems.append(UserFacingError(
            N_("The pass threshold must be between 0 and 100 percent (it is {value})."),
            path="/pass_threshold", value=threshold))
    if not 0 <= settings.max_attempts <= MAX_ATTEMPTS_LIMIT:
        problems.append(UserFacingError(
            N_("The number of attempts must be between 0 (unlimited) and {limit} (it is {value})."),
            path="/max_attempts", value=settings.max_attempts, limit=MAX_ATTEMPTS_LIMIT))
    if bank is not None:
        known = set(bank.topic_ids())
        for topic in settings.topics:
            if topic not in known:
                problems.append(UserFacingError(
                    N_("The topic \"{topic}\" is not in the question bank."),
                    path="/topics", topic=topic))
        # Imported here to keep draw.py free to import settings.
        from competency_xblock.quiz_engine.draw import eligible_questions
        eligible = len(eligible_questions(bank, settings))
        wanted = settings.questions_per_attempt
        if eligible == 0:
            problems.append(UserFacingError(
                N_("No questions in the bank match the chosen topics."), path="/topics"))
        elif check_size and settings.draw_mode == OVERALL and wanted > eligible:
            problems.append(UserFacingError(
                N_("{wanted} questions per attempt were asked for, but the bank has only "
                   "{available} to draw from."), path="/questions_per_attempt",
                wanted=wanted, available=eligible))
    return problems
