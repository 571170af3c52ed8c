"""Referral exercises: a front-desk scenario, the learner searches and picks where to refer.

Why per-scenario state lives in one small dict: the block keeps it in ``Scope.user_state``
(one learner, one writer), so grading never races with other learners.  Everything here is
pure; the block only loads, calls and saves.
"""
from __future__ import annotations

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
        data = data or {}
        return cls(attempts=int(data.get("attempts", 0)), searches=int(data.get("searches", 0)),
                   solved=bool(data.get("solved")), finished=bool(data.get("finished")),
                   picks=list(data.get("picks") or [])[:20],
                   queries=list(data.get("queries") or [])[-MAX_QUERIES_KEPT:])


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
    """A learner's progress through an exercise (serialisable to user_state)."""

    def __init__(self, exercise: Exercise, data: Mapping[str, Any] | None = None,
                 max_attempts: int | None = None) -> None:
        self.exercise = exercise
        self.max_attempts = exercise.max_attempts if max_attempts is None else max_attempts
        data = data or {}
        self.states = {s.id: ScenarioState.from_dict(data.get(s.id)) for s in exercise.scenarios}

    def to_dict(self) -> dict[str, Any]:
        return {sid: state.to_dict() for sid, state in self.states.items()}

    def _state(self, scenario_id: str) -> tuple[Scenario, ScenarioState]:
        scenario = self.exercise.scenario(scenario_id)
        if scenario is None:
            raise UserFacingError(N_("Unknown scenario \"{id}\"."), id=str(scenario_id)[:100])
        return scenario, self.states[scenario.id]

    def record_search(self, scenario_id: str, query: str) -> None:
        _scenario, state = self._state(scenario_id)
        if state.finished:
            return
        state.searches += 1
        # Kept (and shown to staff): identifiers typed into the search are placeholders.
        state.queries.append(redact(" ".join(query.split()))[:MAX_QUERY_CHARS])
        del state.queries[:-MAX_QUERIES_KEPT]

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
        """(solved scenarios, scenarios)."""
        return sum(1 for s in self.states.values() if s.solved), len(self.states)

    def all_finished(self) -> bool:
        return all(s.finished for s in self.states.values())

    def attempted(self) -> bool:
        return any(s.attempts for s in self.states.values())
