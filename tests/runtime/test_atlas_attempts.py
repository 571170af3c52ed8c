"""Attempts per scenario: the author's block setting, else the exercise document's own
``max_attempts`` (the schema's promise), else the default of 2."""
from __future__ import annotations

import json

from tests.runtime.test_atlas_lookup import EXERCISE, olx


def wrong_picks_until_finished(workbench, usage, limit=6) -> int:
    for attempt in range(1, limit + 1):
        res = workbench.call(usage, "pick", {"scenario": "s2", "kind": "service", "id": "pas"},
                             student="s1")
        assert res.status == 200, res.body
        if res.data["finished"]:
            return attempt
    return limit + 1


def test_exercise_document_sets_the_attempts_when_the_block_does_not(workbench):
    exercise = json.loads(json.dumps(EXERCISE))
    exercise["max_attempts"] = 4
    sid = workbench.scenario(olx(mode="exercise", exercise=exercise))
    page = workbench.render(sid, student="s1")
    assert wrong_picks_until_finished(workbench, page.usage_id) == 4


def test_block_setting_overrides_the_exercise_document(workbench):
    exercise = json.loads(json.dumps(EXERCISE))
    exercise["max_attempts"] = 4
    sid = workbench.scenario(olx(mode="exercise", exercise=exercise, max_attempts=1))
    page = workbench.render(sid, student="s1")
    assert wrong_picks_until_finished(workbench, page.usage_id) == 1


def test_default_is_two_attempts(workbench):
    sid = workbench.scenario(olx(mode="exercise"))
    page = workbench.render(sid, student="s1")
    assert wrong_picks_until_finished(workbench, page.usage_id) == 2
