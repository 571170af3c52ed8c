"""Rows for the LMS Problem Responses report: one per learner and scenario worked on.

Keys are plain (not translated), see ``reports.lms.ATLAS_KEYS``.  Stored progress that cannot
be read (``exercise.read_progress``) never fails the report: a scenario whose entry cannot be
read gets a row with its id and prompt, empty values and why under ``"unreadable"``; progress
that cannot be read at all gets one such row without a scenario.  Nothing is made up for them.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

from competency_xblock.text import N_, pick_language

from .exercise import Exercise, Progress
from .model import Atlas

#: The key of the column that marks a row whose stored progress cannot be read (the
#: translated ``text.UNREADABLE_COLUMN`` of the other blocks; the atlas keys are plain).
UNREADABLE_KEY = "unreadable"
SCENARIO_ROW_NOTE = N_("The stored progress of this scenario cannot be read: no pick or "
                         "score is shown for it.")
PROGRESS_ROW_NOTE = N_("This learner's stored progress cannot be read: no pick or score "
                         "is shown. Staff can reset the learner's state.")
_EMPTY = ("pick", "pick_label", "correct", "solved", "attempts", "searches")


def progress_rows(exercise: Exercise, progress_data: Any, atlas: Atlas | None,
                  language: str | None, max_attempts: int | None = None,
                  gettext: Callable[[str], str] = lambda s: s) -> Iterator[OrderedDict]:
    """The rows of one learner's stored ``progress``; never raises on what is stored."""
    progress = Progress(exercise, progress_data, max_attempts=max_attempts)
    if not progress.stored.readable:
        yield _marked("", "", gettext(PROGRESS_ROW_NOTE))
        return
    for scenario in exercise.scenarios:
        prompt = pick_language(scenario.prompt, language)
        state = progress.states.get(scenario.id)
        if state is None:
            yield _marked(scenario.id, prompt, gettext(SCENARIO_ROW_NOTE))
            continue
        if not state.attempts and not state.searches:
            continue
        last = state.picks[-1] if state.picks else {}
        yield OrderedDict([
            ("scenario", scenario.id),
            ("prompt", prompt),
            ("pick", last.get("id", "")),
            ("pick_label", _label(atlas, last, language)),
            ("correct", bool(last.get("correct"))),
            ("solved", state.solved),
            ("attempts", state.attempts),
            ("searches", state.searches),
        ])


def _marked(scenario: str, prompt: str, why: str) -> OrderedDict:
    return OrderedDict([("scenario", scenario), ("prompt", prompt),
                        *((key, "") for key in _EMPTY), (UNREADABLE_KEY, why)])


def _label(atlas: Atlas | None, pick: dict, language: str | None) -> str:
    if not pick or atlas is None:
        return ""
    item = atlas.unit(pick["id"]) if pick.get("kind") == "unit" else atlas.service(pick["id"])
    return item.label(language) if item else ""
