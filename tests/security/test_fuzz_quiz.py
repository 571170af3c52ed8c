"""Fuzz every handler of the data-security quiz (learner, Studio import/export and edits)."""
from __future__ import annotations

import json

import pytest

from competency_xblock.quiz import DataSecurityQuizXBlock
from tests.security.conftest import DATA, record_figures
from tests.security.fuzzing import LEARNER, STAFF, fresh_target, handler_names

BLOCK = DataSecurityQuizXBlock
FIGURES: list[dict] = []
QUIZ = DATA / "quiz"


def _files() -> list[tuple[str, str]]:
    found = [("gift", (QUIZ / "gift" / "questions.gift.txt").read_text(encoding="utf-8")),
             ("moodle", (QUIZ / "moodle" / "questions.xml").read_text(encoding="utf-8")),
             ("moodle", (QUIZ / "moodle" / "xxe.xml").read_text(encoding="utf-8"))]
    for path in sorted((QUIZ / "capa").glob("*.xml"))[:3]:
        found.append(("capa", path.read_text(encoding="utf-8")))
    return found


@pytest.fixture(scope="module")
def figures():
    yield FIGURES
    record_figures("fuzz-quiz", FIGURES)


@pytest.fixture
def target(bench, request):
    """A fresh quiz per handler, so one handler's successful requests do not shape the next."""
    name = request.node.name
    target = fresh_target(bench, '<data_security_quiz max_attempts="3" '
                                 'questions_per_attempt="4"/>', f"fuzz quiz {name}")
    loaded = bench.call(target.usage_id, "load", {}, student=LEARNER).data
    target.questions = [q["id"] for q in loaded["attempt"]["questions"]]
    target.answers = {q["id"]: [q["choices"][0]["key"]] for q in loaded["attempt"]["questions"]}
    return target


def seeds(target) -> dict[str, list]:
    files = _files()
    return {
        "load": [{}],
        "retry": [{"attempt": n} for n in (1, 2, 3, 4)],
        "submit": [{"attempt": n, "answers": target.answers} for n in (1, 2, 3)]
        + [{"attempt": 1, "answers": {}}],
        "import_questions": [{"format": fmt, "content": text, "dry_run": n % 2 == 0,
                              "topic": "fuzz"} for n, (fmt, text) in enumerate(files)]
        + [{"format": "auto", "content": text, "replace": False, "dry_run": True}
           for _, text in files],
        "export_questions": [{"format": f, "language": lang}
                             for f in ("gift", "olx", "json") for lang in ("en", "da")],
        "submit_studio_edits": [
            {"values": {"max_attempts": 2, "pass_threshold": 50.0, "questions_per_attempt": 3,
                        "show_answer": "always", "draw_mode": "overall", "topics": []},
             "defaults": []},
            {"values": {"display_name": "Fuzz quiz", "grade_policy": "last",
                        "shuffle_choices": False}, "defaults": ["weight"]},
            {"values": {}, "defaults": ["max_attempts", "bank"]},
        ],
    }


def vocabulary(target) -> list[str]:
    words = list(target.questions) + ["0", "1", "2", "3", "gift", "olx", "json", "moodle", "capa",
                                      "auto", "en", "da", "always", "never", "best", "last",
                                      "per_topic", "overall", "after_passing"]
    words += [text for _, text in _files()]
    return sorted(set(words))


@pytest.mark.parametrize("handler", handler_names(BLOCK))
def test_fuzz_handler(target, figures, handler):
    figures.append(target.fuzz(BLOCK, handler, vocabulary(target), seeds(target).get(handler)))


def test_seeds_are_valid_requests(target):
    """The seed payloads must themselves be accepted, or the fuzzer explores nothing deep."""
    result = target.bench.call(target.usage_id, "export_questions",
                               seeds(target)["export_questions"][0], student=STAFF)
    assert result.status == 200, result.data
    assert json.loads(result.body)["format"] == "gift"
