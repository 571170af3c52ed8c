"""Referral exercises: a front-desk scenario, the learner searches and picks where to refer.

Why per-scenario state lives in one small dict: the block keeps it in ``Scope.user_state``
(one learner, one writer), so grading never races with other learners.  Everything here is
pure; the block only loads, calls and saves.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from competency_xblock.text import N_, LocalizedText, UserFacingError

from .model import Atlas
from .redact import redact

SCHEMA_NAME = "atlas-exercise"
KIND_UNIT = "unit"
KIND_SERVICE = "service"
MAX_QUERIES_KEPT = 20
MAX_QUERY_CHARS = 200


@dataclass(frozen=True)
class Scenario:
    id: str
    prompt: LocalizedText
    answer_units: tuple[str, ...] = ()
    answer_services: tuple[str, ...] = ()
    hint: LocalizedText = ""
    explanation: LocalizedText = ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        answer = data.get("answer") or {}
        return cls(id=data["id"], prompt=data["prompt"],
                   answer_units=tuple(answer.get("units") or ()),
                   answer_services=tuple(answer.get("services") or ()),
                   hint=data.get("hint") or "", explanation=data.get("explanation") or "")

    def is_correct(self, atlas: Atlas, kind: str, picked: str) -> bool:
        """A pick is right when it is an answer unit, an answer service, or a service
        handled by an answer unit (or by one of its sub-units)."""
        if kind == KIND_UNIT:
            return picked in self.answer_units
        if kind == KIND_SERVICE:
            if picked in self.answer_services:
                return True
            service = atlas.service(picked)
            if service is None:
                return False
            return any(u.id in self.answer_units for u in atlas.unit_chain(service.unit))
        return False


@dataclass(frozen=True)
class Exercise:
    scenarios: tuple[Scenario, ...]
    max_attempts: int = 2

    @classmethod
    def from_dict(cls, data: Any, *, check_schema: bool = True) -> Exercise:
        if check_schema:
            from competency_xblock.core import schemas

            problems = schemas.errors(SCHEMA_NAME, data)
            if problems:
                raise problems[0]
        scenarios = tuple(Scenario.from_dict(s) for s in data["scenarios"])
        seen: set[str] = set()
        for i, scenario in enumerate(scenarios):
            if scenario.id in seen:
                raise UserFacingError(N_("Duplicate scenario id \"{id}\"."),
                                      path=f"/scenarios/{i}/id", id=scenario.id)
            seen.add(scenario.id)
            if not scenario.answer_units and not scenario.answer_services:
                raise UserFacingError(N_("Scenario \"{id}\" has no answer (give units or "
                                         "services)."), path=f"/scenarios/{i}/answer",
                                      id=scenario.id)
        return cls(scenarios, int(data.get("max_attempts", 2)))

    def scenario(self, scenario_id: str) -> Scenario | None:
        return next((s for s in self.scenarios if s.id == scenario_id), None)

    def problems_with(self, atlas: Atlas) -> list[UserFacingError]:
        """Answers that the atlas does not contain (shown to staff, never to learners)."""
        problems = []
        for i, scenario in enumerate(self.scenarios):
            for j, unit in enumerate(scenario.answer_units):
                if atlas.unit(unit) is None:
                    problems.append(UserFacingError(
                        N_("Scenario \"{id}\" names a unit the atlas does not have: \"{ref}\"."),
                        path=f"/scenarios/{i}/answer/units/{j}", id=scenario.id, ref=unit))
            for j, service in enumerate(scenario.answer_services):
                if atlas.service(service) is None:
                    problems.append(UserFacingError(
                        N_("Scenario \"{id}\" names a service the atlas does not have: "
                           "\"{ref}\"."),
                        path=f"/scenarios/{i}/answer/services/{j}", id=scenario.id,
                        ref=service))
        return problems


@dataclass
class ScenarioState:
    attempts: int = 0
    searches: int = 0
    solved: bool = False
    finished: bool = False
    picks: list[dict[str, Any]] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"attempts": self.attempts, "searches": self.searches, "solved": self.solved,
                "finished": self.finished, "picks": self.picks, "queries": self.queries}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ScenarioState:
        """A stored scenario entry; raises :class:`ValueError` when it cannot be read (use
        :func:`read_scenario_state` to get None instead)."""
        state = read_scenario_state(data)
        if state is None:
            raise ValueError("stored scenario progress that cannot be read")
        return state


# ---- reading stored progress defensively ---------------------------------------------------
# A learner's ``progress`` is learner data written by earlier versions, by hand (support
# staff) or damaged in storage.  :func:`read_progress` is its one reader; everything else
# (the block's views, handlers and report, the HR report) works on what it read:
#
# * a scenario entry that cannot be read (not a dict, or a value of the wrong type: a count
#   that is not a whole number >= 0, a flag that is not true/false, picks or queries that are
#   not lists of what a pick or a query is) is *unreadable*: shown as such, no pick is taken
#   on it and no search counted for it, it is not counted as solved (the grade keeps what it
#   counted in the stored score, :meth:`Progress.grade`) and it is stored back as it was;
# * progress that is not a dict at all is unreadable as a whole: every scenario is;
# * a missing key has its default (older versions wrote fewer), nothing is rewritten.


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_pick(value: Any) -> bool:
    return isinstance(value, Mapping) and isinstance(value.get("kind"), str) \
        and isinstance(value.get("id"), str) \
        and isinstance(value.get("correct", False), bool) \
        and isinstance(value.get("query", ""), str)


def read_scenario_state(data: Any) -> ScenarioState | None:
    """One scenario's stored progress (None stored: not started), or None when it cannot be
    read (see above)."""
    if data is None:
        return ScenarioState()
    if not isinstance(data, Mapping):
        return None
    attempts, searches = data.get("attempts", 0), data.get("searches", 0)
    solved, finished = data.get("solved", False), data.get("finished", False)
    picks, queries = data.get("picks", []), data.get("queries", [])
    if not (_is_count(attempts) and _is_count(searches) and isinstance(solved, bool)
            and isinstance(finished, bool) and isinstance(picks, list)
            and all(_is_pick(p) for p in picks) and isinstance(queries, list)
            and all(isinstance(q, str) for q in queries)):
        return None
    return ScenarioState(attempts=attempts, searches=searches, solved=solved,
                         finished=finished, picks=[dict(p) for p in picks[:20]],
                         queries=list(queries[-MAX_QUERIES_KEPT:]))


@dataclass(frozen=True)
class StoredProgress:
    """What can be used of a learner's stored ``progress`` (see :func:`read_progress`)."""

    stored: Any                                   # as stored
    readable: bool                                # False: not a dict, nothing can be used
    entries: Mapping[str, ScenarioState | None]   # per stored scenario id; None: unreadable

    @property
    def unreadable(self) -> list[str]:
        return [sid for sid, state in self.entries.items() if state is None]


def read_progress(data: Any) -> StoredProgress:
    """Read a stored ``progress`` defensively, never raising (``None``, ``{}`` and ``[]``
    are a learner who has not started)."""
    if not data:
        return StoredProgress(data, True, {})
    if not isinstance(data, Mapping):
        return StoredProgress(data, False, {})
    return StoredProgress(data, True, {str(sid): read_scenario_state(entry)
                                       for sid, entry in data.items()})


#: Why a scenario takes no pick: its stored progress cannot be read (HTTP 400, and shown).
SCENARIO_UNREADABLE = N_("Your earlier answers to this scenario cannot be read, so it cannot "
                         "be answered now. Please tell the course team; nothing has been "
                         "changed.")


@dataclass(frozen=True)
class PickOutcome:
    correct: bool
    finished: bool
    attempts: int
    attempts_left: int | None          # None = unlimited
    hint: LocalizedText = ""           # after a wrong pick that leaves attempts
    explanation: LocalizedText = ""    # once the scenario is finished
    answer_units: tuple[str, ...] = ()     # revealed once finished
    answer_services: tuple[str, ...] = ()
    #: the same pick sent again after it finished the scenario (a double click, a retried
    #: request): answered as before, nothing counted again
    replayed: bool = False


class Progress:
    """A learner's progress through an exercise (serialisable to user_state).

    ``states`` has the scenarios whose stored progress can be read; the others are
    ``unreadable`` (see :func:`read_progress`) and are stored back as they were."""

    def __init__(self, exercise: Exercise, data: Any = None,
                 max_attempts: int | None = None) -> None:
        self.exercise = exercise
        self.max_attempts = exercise.max_attempts if max_attempts is None else max_attempts
        self.stored = data if isinstance(data, StoredProgress) else read_progress(data)
        entries = self.stored.entries
        self.states: dict[str, ScenarioState] = {}
        self.unreadable: set[str] = set()
        for scenario in exercise.scenarios:
            state = entries.get(scenario.id, ScenarioState()) if self.stored.readable else None
            if state is None:
                self.unreadable.add(scenario.id)
            else:
                self.states[scenario.id] = state
        self._solved_when_read = self.score()[0]

    def to_dict(self) -> Any:
        """The progress to store: the readable scenarios' states; unreadable entries as they
        were stored (progress unreadable as a whole: as stored)."""
        if not self.stored.readable:
            return self.stored.stored
        stored = self.stored.stored
        return {s.id: stored[s.id] if s.id in self.unreadable else self.states[s.id].to_dict()
                for s in self.exercise.scenarios}

    def _state(self, scenario_id: str) -> tuple[Scenario, ScenarioState]:
        scenario = self.exercise.scenario(scenario_id)
        if scenario is None:
            raise UserFacingError(N_("Unknown scenario \"{id}\"."), id=str(scenario_id)[:100])
        if scenario.id in self.unreadable:
            raise UserFacingError(SCENARIO_UNREADABLE)
        return scenario, self.states[scenario.id]

    def record_search(self, scenario_id: str, query: str) -> bool:
        """Count a search towards a scenario; False when nothing was recorded (finished, or
        its stored progress cannot be read)."""
        scenario = self.exercise.scenario(scenario_id)
        if scenario is None:
            raise UserFacingError(N_("Unknown scenario \"{id}\"."), id=str(scenario_id)[:100])
        state = self.states.get(scenario.id)
        if state is None or state.finished:
            return False
        state.searches += 1
        # Kept (and shown to staff): identifiers typed into the search are placeholders.
        state.queries.append(redact(" ".join(query.split()))[:MAX_QUERY_CHARS])
        del state.queries[:-MAX_QUERIES_KEPT]
        return True

    def pick(self, atlas: Atlas, scenario_id: str, kind: str, picked: str) -> PickOutcome:
        scenario, state = self._state(scenario_id)
        if kind not in (KIND_UNIT, KIND_SERVICE):
            raise UserFacingError(N_("A pick must be a unit or a service."))
        exists = atlas.unit(picked) if kind == KIND_UNIT else atlas.service(picked)
        if exists is None:
            raise UserFacingError(N_("\"{id}\" is not in the atlas."), id=str(picked)[:100])
        if state.finished:
            last = state.picks[-1] if state.picks else {}
            if last.get("kind") == kind and last.get("id") == picked:
                return self._outcome(scenario, state, bool(last.get("correct")), replayed=True)
            raise UserFacingError(N_("This scenario is already finished."))
        correct = scenario.is_correct(atlas, kind, picked)
        state.attempts += 1
        state.picks.append({"kind": kind, "id": picked, "correct": correct,
                            "query": state.queries[-1] if state.queries else ""})
        del state.picks[:-20]
        left = None if not self.max_attempts else max(self.max_attempts - state.attempts, 0)
        if correct:
            state.solved = True
            state.finished = True
        elif left == 0:
            state.finished = True
        return self._outcome(scenario, state, correct)

    def _outcome(self, scenario, state, correct: bool, replayed: bool = False) -> PickOutcome:
        left = None if not self.max_attempts else max(self.max_attempts - state.attempts, 0)
        return PickOutcome(
            correct=correct, finished=state.finished, attempts=state.attempts,
            attempts_left=left,
            hint=scenario.hint if not correct and not state.finished else "",
            explanation=scenario.explanation if state.finished else "",
            answer_units=scenario.answer_units if state.finished else (),
            answer_services=scenario.answer_services if state.finished else (),
            replayed=replayed)

    def score(self) -> tuple[int, int]:
        """(solved scenarios, scenarios); a scenario that cannot be read is not counted as
        solved."""
        return (sum(1 for s in self.states.values() if s.solved),
                len(self.exercise.scenarios))

    def grade(self, stored: Any = None) -> float:
        """The raw score to publish: the solved scenarios, and while some scenario cannot be
        read, what it counted in ``stored`` (the raw score stored before): ``stored`` less
        the readable scenarios solved when the progress was read, at most one per unreadable
        scenario.  So a damaged entry never lowers the grade, nor is it counted twice."""
        earned = self.score()[0]
        if self.unreadable and isinstance(stored, int | float) \
                and not isinstance(stored, bool) and math.isfinite(stored):
            earned += min(max(int(stored) - self._solved_when_read, 0), len(self.unreadable))
        return float(earned)

    def all_finished(self) -> bool:
        """Every scenario finished (one that cannot be read is not)."""
        return not self.unreadable and all(s.finished for s in self.states.values())

    def attempted(self) -> bool:
        return any(s.attempts for s in self.states.values())
