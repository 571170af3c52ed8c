"""Seeded, reproducible draws of questions and choice orders.

The seed comes from SHA-256 over (learner, block, attempt), never Python's ``hash()`` (salted
per process), and the generator below is our own counter-mode SHA-256, so a draw is identical
across processes, machines and Python versions: a reload shows the same questions.  Blocks also
store the draw with the attempt, so even a later bank edit cannot reshuffle an open attempt.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from competency_xblock.quiz_engine.model import TRUEFALSE, Bank, Question
from competency_xblock.quiz_engine.settings import OVERALL, PER_TOPIC, QuizSettings

SEED_NAMESPACE = "competency_xblock.quiz.v1"


def seed_for(learner_id: str, block_id: str, attempt: int) -> str:
    """A stable hex seed for one learner's attempt at one block."""
    material = "\x1f".join((SEED_NAMESPACE, str(learner_id), str(block_id), str(int(attempt))))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


class SeededRandom:
    """Deterministic uniform integers from SHA-256(seed, counter); unbiased by rejection."""

    def __init__(self, seed: str) -> None:
        self._seed = seed.encode("utf-8")
        self._counter = 0

    def _next64(self) -> int:
        block = hashlib.sha256(self._seed + b"\x00" + str(self._counter).encode()).digest()
        self._counter += 1
        return int.from_bytes(block[:8], "big")

    def below(self, n: int) -> int:
        """Uniform integer in [0, n)."""
        if n <= 0:
            raise ValueError("n must be positive")
        limit = (1 << 64) - ((1 << 64) % n)
        while True:
            value = self._next64()
            if value < limit:
                return value % n

    def shuffled(self, items: Sequence) -> list:
        """Fisher-Yates shuffle into a new list."""
        out = list(items)
        for i in range(len(out) - 1, 0, -1):
            j = self.below(i + 1)
            out[i], out[j] = out[j], out[i]
        return out

    def sample(self, items: Sequence, k: int) -> list:
        """``k`` distinct items in random order (partial Fisher-Yates)."""
        pool = list(items)
        k = max(0, min(k, len(pool)))
        for i in range(k):
            j = i + self.below(len(pool) - i)
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]


@dataclass(frozen=True)
class DrawnQuestion:
    question_id: str
    choice_ids: tuple[str, ...]  # display order

    def to_dict(self) -> dict:
        return {"q": self.question_id, "c": list(self.choice_ids)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DrawnQuestion:
        return cls(str(data["q"]), tuple(str(c) for c in data["c"]))


@dataclass(frozen=True)
class Draw:
    seed: str
    questions: tuple[DrawnQuestion, ...]

    def to_dict(self) -> dict:
        return {"seed": self.seed, "questions": [q.to_dict() for q in self.questions]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Draw:
        return cls(str(data["seed"]), tuple(DrawnQuestion.from_dict(q) for q in data["questions"]))

    def get(self, question_id: str) -> DrawnQuestion | None:
        for q in self.questions:
            if q.question_id == question_id:
                return q
        return None

    @property
    def question_ids(self) -> list[str]:
        return [q.question_id for q in self.questions]


def is_current(bank: Bank, drawn: Draw) -> bool:
    """Whether every drawn question is still in ``bank`` with the same choices.

    False after the author deleted a drawn question or changed its choices: an open attempt
    drawn then can no longer be shown and graded as drawn (a submitted one keeps its result).
    """
    for item in drawn.questions:
        question = bank.question(item.question_id)
        if question is None or {c.id for c in question.choices} != set(item.choice_ids):
            return False
    return True


def eligible_questions(bank: Bank, settings: QuizSettings) -> list[Question]:
    if not settings.topics:
        return list(bank.questions)
    wanted = set(settings.topics)
    return [q for q in bank.questions if q.topic in wanted]


def draw_size(bank: Bank, settings: QuizSettings) -> int:
    """How many questions every attempt gets; depends on content only (LMS ``max_score``)."""
    pool = eligible_questions(bank, settings)
    n = settings.questions_per_attempt
    if settings.draw_mode == PER_TOPIC:
        sizes: dict[str, int] = {}
        for q in pool:
            sizes[q.topic] = sizes.get(q.topic, 0) + 1
        return sum(size if n == 0 else min(n, size) for size in sizes.values())
    return len(pool) if n == 0 else min(n, len(pool))


def draw(bank: Bank, settings: QuizSettings, seed: str) -> Draw:
    """Draw the questions for one attempt and the display order of each one's choices."""
    rng = SeededRandom(seed)
    pool = eligible_questions(bank, settings)
    n = settings.questions_per_attempt
    if settings.draw_mode == PER_TOPIC:
        picked: list[Question] = []
        order = [t for t in bank.topic_ids() if not settings.topics or t in settings.topics]
        for topic in order:
            in_topic = [q for q in pool if q.topic == topic]
            take = rng.sample(in_topic, len(in_topic) if n == 0 else n)
            if not settings.shuffle_questions:
                take.sort(key=in_topic.index)
            picked.extend(take)
        if settings.shuffle_questions:
            picked = rng.shuffled(picked)
    else:
        assert settings.draw_mode == OVERALL
        picked = rng.sample(pool, len(pool) if n == 0 else n)
        if not settings.shuffle_questions:
            picked.sort(key=pool.index)
    drawn = []
    for q in picked:
        ids = [c.id for c in q.choices]
        # True/false keeps its natural order (True, False): shuffling two fixed words only confuses.
        if settings.shuffle_choices and q.type != TRUEFALSE:
            ids = rng.shuffled(ids)
        drawn.append(DrawnQuestion(q.id, tuple(ids)))
    return Draw(seed, tuple(drawn))
