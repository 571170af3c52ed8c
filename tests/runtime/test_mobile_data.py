"""Mobile: each block supports ``multi_device`` and gives the apps answer-free content.

``student_view_data`` runs when the LMS collects course blocks: no user, cached until the
next publish.  So it must be JSON, carry no learner state and never a key, a correctness flag,
feedback or an explanation (they would reach every app before anyone answered).
"""
from __future__ import annotations

import json

import pytest

ENTRY_POINTS = ("competency_self_assessment", "data_security_quiz", "atlas_lookup")
FORBIDDEN_KEYS = {"correct", "correct_ids", "correct_keys", "answer", "answers", "answer_units",
                  "answer_services", "feedback", "explanation", "hint", "credit", "selected",
                  "quiz_state", "progress", "assessment", "history", "draft", "responses",
                  "gap_log", "gap_mirror", "raw_earned"}


def _keys(value, path=""):
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}/{key}", key
            yield from _keys(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _keys(item, f"{path}/{index}")


@pytest.mark.parametrize("olx", [
    "<competency_self_assessment/>",
    "<data_security_quiz/>",
    '<data_security_quiz topics=\'["cpr"]\' questions_per_attempt="3"/>',
    "<atlas_lookup/>",
    '<atlas_lookup mode="exercise"/>',
])
def test_student_view_data_is_json_without_answers_or_learner_state(_django, olx):
    from tests.helpers.workbench import parse_olx

    block = parse_olx(olx)
    data = block.student_view_data()
    text = json.dumps(data, ensure_ascii=False)
    leaks = [path for path, key in _keys(json.loads(text)) if key in FORBIDDEN_KEYS]
    assert not leaks, leaks
    assert data["display_name"]
    assert data["block_type"] == olx[1:].split(" ")[0].split("/")[0]


def test_student_view_data_content(_django):
    from tests.helpers.workbench import parse_olx

    sa = parse_olx("<competency_self_assessment/>").student_view_data()
    assert sa["available"] and sa["content"]["framework"]["areas"]
    assert sa["content"]["roles"]
    quiz = parse_olx("<data_security_quiz/>").student_view_data()
    assert quiz["bank"]["questions"] >= 40 and quiz["settings"]["max_attempts"] == 3
    assert "questions" not in json.dumps(quiz["bank"]["topics"])
    atlas = parse_olx('<atlas_lookup mode="exercise"/>').student_view_data()
    assert atlas["scenarios"] and set(atlas["scenarios"][0]) == {"id", "prompt"}
    assert atlas["atlas"]["services"] > 100


def test_setup_errors_do_not_break_the_mobile_data(_django):
    from tests.helpers.workbench import parse_olx

    block = parse_olx('<data_security_quiz xmlns:option="http://code.edx.org/xblock/option">'
                      '<option:bank>{"questions": "nope"}</option:bank></data_security_quiz>')
    assert block.student_view_data()["available"] is False


@pytest.mark.parametrize("tag", ENTRY_POINTS)
def test_every_block_supports_multi_device(tag):
    from xblock.core import XBlock

    cls = XBlock.load_class(tag)
    assert "multi_device" in getattr(cls.student_view, "_supports", set())
