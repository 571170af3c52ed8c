"""Fuzz every handler of the service atlas lookup (search, pick, staff list, Studio edits)."""
from __future__ import annotations

import json

import pytest

from competency_xblock.atlas_lookup import AtlasLookupXBlock
from tests.security.conftest import record_figures
from tests.security.fuzzing import LEARNER, fresh_target, handler_names

BLOCK = AtlasLookupXBlock
FIGURES: list[dict] = []
SCENARIOS = ["flytning", "boligstoette", "rotter", "koerekort", "underretning", "udeservering",
             "carport", "aflastning"]
UNITS = ["borgerservice", "borgerservice-folkeregister", "jobcenter", "borgerservice-ydelser"]
SERVICES = ["kle-23.05.10", "kle-00.01.00", "kle-02.00.00", "kle-27.24.03"]
QUERIES = ["flytning", "boligstøtte", "rotter i haven", "kørekort fornyelse", "pas", "CPR",
           "underretning om barn", "carport byggetilladelse", "aflastning", "xyzzy-ukendt",
           "\"flytte anmeldelse\"", "bolig*", "ÆØÅ æøå", "a" * 299, "b" * 301]


def seeds() -> dict[str, list]:
    searches = [{"query": q} for q in QUERIES]
    searches += [{"query": q, "scenario": s, "limit": 5}
                 for q, s in zip(QUERIES, SCENARIOS, strict=False)]
    picks = [{"scenario": s, "kind": "unit", "id": u} for s in SCENARIOS[:4] for u in UNITS]
    picks += [{"scenario": s, "kind": "service", "id": v} for s in SCENARIOS[:4]
              for v in SERVICES]
    return {
        "search": searches,
        "pick": picks,
        "staff_gaps": [{}],
        "submit_studio_edits": [
            {"values": {"display_name": "Fuzz atlas", "max_attempts": 3, "results_per_page": 5,
                        "mode": "exercise"}, "defaults": []},
            {"values": {"mode": "lookup", "atlas_name": "eksempel-kommune"}, "defaults": []},
            {"values": {}, "defaults": ["inline_atlas", "exercise", "weight"]},
        ],
    }


def vocabulary() -> list[str]:
    return sorted(set(SCENARIOS + UNITS + SERVICES + QUERIES + ["unit", "service", "lookup",
                                                               "exercise"]))


@pytest.fixture(scope="module")
def figures():
    yield FIGURES
    record_figures("fuzz-atlas", FIGURES)


@pytest.fixture
def target(bench, request):
    """A fresh exercise-mode block per handler (search and pick both do real work there)."""
    return fresh_target(bench, '<atlas_lookup mode="exercise" max_attempts="3"/>',
                        f"fuzz atlas {request.node.name}")


@pytest.mark.parametrize("handler", handler_names(BLOCK))
def test_fuzz_handler(target, figures, handler):
    figures.append(target.fuzz(BLOCK, handler, vocabulary(), seeds().get(handler)))


def test_seeds_reach_the_handlers(target):
    result = target.bench.call(target.usage_id, "search", {"query": "flytning",
                                                           "scenario": "flytning"},
                               student=LEARNER)
    assert result.status == 200, result.data
    assert json.loads(result.body)
