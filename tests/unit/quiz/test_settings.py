"""Quiz settings validation: threshold, attempts, topics, draw size versus the bank."""
from __future__ import annotations

import pytest

from competency_xblock.quiz_engine.settings import QuizSettings, settings_problems


def test_defaults_are_valid(small_bank):
    assert settings_problems({"questions_per_attempt": 4}, small_bank) == []


@pytest.mark.parametrize("threshold", [-1, 100.5, 1000, float("nan")])
def test_threshold_out_of_range(threshold):
    problems = settings_problems({"pass_threshold": threshold})
    assert [p.path for p in problems] == ["/pass_threshold"]
    assert "between 0 and 100" in problems[0].render()


@pytest.mark.parametrize("threshold", [0, 50, 100, 99.5])
def test_threshold_in_range(threshold):
    assert settings_problems({"pass_threshold": threshold}) == []


@pytest.mark.parametrize("attempts, ok", [(0, True), (1, True), (100, True), (-1, False),
                                          (101, False)])
def test_attempt_limit(attempts, ok):
    assert (settings_problems({"max_attempts": attempts}) == []) is ok


def test_schema_errors_first():
    problems = settings_problems({"grade_policy": "average", "show_answer": "sometimes"})
    assert {p.path for p in problems} == {"/grade_policy", "/show_answer"}


def test_unknown_topic_and_too_many_questions(small_bank):
    problems = settings_problems({"topics": ["t1", "nope"], "questions_per_attempt": 3},
                                 small_bank)
    rendered = [p.render() for p in problems]
    assert any("\"nope\" is not in the question bank" in r for r in rendered)
    assert any("only 2 to draw from" in r for r in rendered)


def test_no_questions_match(small_bank):
    problems = settings_problems({"topics": ["nope"]}, small_bank)
    assert any(p.path == "/topics" and "No questions" in p.render() for p in problems)


def test_per_topic_count_above_topic_size_is_fine(small_bank):
    assert settings_problems({"draw_mode": "per_topic", "questions_per_attempt": 5},
                             small_bank) == []


def test_round_trip():
    settings = QuizSettings(topics=("a",), max_attempts=0)
    assert QuizSettings.from_dict(settings.to_dict()) == settings
    assert settings.unlimited
    assert QuizSettings.from_dict({"unknown": 1}) == QuizSettings()
