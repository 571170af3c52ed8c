"""Shared builders for the quiz engine tests."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest

from competency_xblock.quiz_engine.bank import bank_from_dict, default_bank, default_bank_data

DATA = Path(__file__).resolve().parents[2] / "data" / "quiz"


def small_bank_data() -> dict:
    """Six questions over three topics: every type, scenario, feedback, explanation."""
    return {
        "id": "small",
        "scoring": "per_choice",
        "topics": [{"id": "t1"}, {"id": "t2"}, {"id": "t3"}],
        "questions": [
            {"id": "s1", "type": "single", "topic": "t1", "prompt": {"en": "P1", "da": "S1"},
             "scenario": "An e-mail", "explanation": "Because art. 9",
             "choices": [{"id": "a", "text": "A", "correct": True, "feedback": "Yes"},
                         {"id": "b", "text": "B", "feedback": "No"},
                         {"id": "c", "text": "C"}]},
            {"id": "m1", "type": "multiple", "topic": "t1", "prompt": "P2",
             "choices": [{"id": "a", "text": "A", "correct": True},
                         {"id": "b", "text": "B", "correct": True},
                         {"id": "c", "text": "C"},
                         {"id": "d", "text": "D"}]},
            {"id": "m2", "type": "multiple", "topic": "t2", "prompt": "P3",
             "scoring": "all_or_nothing",
             "choices": [{"id": "a", "text": "A", "correct": True},
                         {"id": "b", "text": "B", "correct": True},
                         {"id": "c", "text": "C"}]},
            {"id": "tf1", "type": "truefalse", "topic": "t2", "prompt": "P4",
             "choices": [{"id": "true", "text": "True", "correct": True},
                         {"id": "false", "text": "False", "feedback": "Wrong"}]},
            {"id": "s2", "type": "single", "topic": "t3", "prompt": "P5",
             "choices": [{"id": "x", "text": "X"}, {"id": "y", "text": "Y", "correct": True}]},
            {"id": "s3", "type": "single", "topic": "t3", "prompt": "P6",
             "choices": [{"id": "x", "text": "X", "correct": True}, {"id": "y", "text": "Y"}]},
        ],
    }


@pytest.fixture
def small_data() -> dict:
    return small_bank_data()


@pytest.fixture
def small_bank():
    return bank_from_dict(small_bank_data())


@pytest.fixture(scope="session")
def default_data() -> dict:
    return default_bank_data()


@pytest.fixture(scope="session")
def bank_default():
    return default_bank()


def clone(data: dict) -> dict:
    return copy.deepcopy(data)
