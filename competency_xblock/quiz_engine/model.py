"""Immutable data model of a question bank.

Every text an author writes is :data:`~competency_xblock.text.LocalizedText`: a plain string
(one language) or ``{"en": ..., "da": ...}``.  ``text_format`` says whether texts are plain
(escaped when rendered) or HTML (sanitised when rendered); importers of HTML formats keep HTML.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from competency_xblock.text import LocalizedText

SINGLE = "single"
MULTIPLE = "multiple"
TRUEFALSE = "truefalse"
QUESTION_TYPES = (SINGLE, MULTIPLE, TRUEFALSE)

ALL_OR_NOTHING = "all_or_nothing"
PER_CHOICE = "per_choice"
SCORING_RULES = (ALL_OR_NOTHING, PER_CHOICE)

PLAIN = "plain"
HTML = "html"
TEXT_FORMATS = (PLAIN, HTML)

#: The wrapper of an HTML scenario in a GIFT question: the export puts it around the scenario
#: (Moodle shows it above the question), the import takes it off again.
SCENARIO_OPEN, SCENARIO_CLOSE = '<div class="scenario">', "</div>"
TRUE_ID = "true"
FALSE_ID = "false"


@dataclass(frozen=True)
class Choice:
    id: str
    text: LocalizedText
    correct: bool = False
    feedback: Optional[LocalizedText] = None  # shown when the learner picked this choice


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    prompt: LocalizedText
    choices: tuple[Choice, ...]
    topic: str = ""
    tags: tuple[str, ...] = ()
    scenario: Optional[LocalizedText] = None  # an e-mail, a situation at the counter ...
    explanation: Optional[LocalizedText] = None  # why; cites the rule
    scoring: Optional[str] = None  # multiple response only; None = the bank's default
    text_format: str = PLAIN

    def choice(self, choice_id: str) -> Optional[Choice]:
        for choice in self.choices:
            if choice.id == choice_id:
                return choice
        return None

    @property
    def correct_ids(self) -> frozenset[str]:
        return frozenset(c.id for c in self.choices if c.correct)


@dataclass(frozen=True)
class Topic:
    id: str
    title: LocalizedText = ""


@dataclass(frozen=True)
class Bank:
    questions: tuple[Question, ...]
    id: str = "bank"
    title: LocalizedText = ""
    topics: tuple[Topic, ...] = ()
    scoring: str = PER_CHOICE  # default partial-credit rule for multiple response
    languages: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict, compare=False)

    def question(self, question_id: str) -> Optional[Question]:
        return self._index().get(question_id)

    def _index(self) -> dict[str, Question]:
        # frozen dataclass: cache the index in __dict__ without tripping __setattr__
        index = self.__dict__.get("_qindex")
        if index is None:
            index = {q.id: q for q in self.questions}
            object.__setattr__(self, "_qindex", index)
        return index

    def rule_for(self, question: Question) -> str:
        return question.scoring or self.scoring

    def topic_ids(self) -> list[str]:
        """Topics in the declared order, then any used but undeclared, in order of use."""
        seen = [t.id for t in self.topics]
        for q in self.questions:
            if q.topic not in seen:
                seen.append(q.topic)
        return seen
