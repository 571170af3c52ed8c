"""Fuzz every handler of the self-assessment block (learner, staff and Studio handlers)."""
from __future__ import annotations

import json

import pytest

from competency_xblock.competency.content import example_dict
from competency_xblock.self_assessment import CompetencySelfAssessmentXBlock
from tests.security.conftest import DATA, record_figures
from tests.security.fuzzing import fresh_target, handler_names

BLOCK = CompetencySelfAssessmentXBlock
FIGURES: list[dict] = []
SETUP = example_dict()
ROLES = [r["id"] for r in SETUP["roles"]]
UNITS = [u["id"] for u in SETUP["units"]]
LEVELS = ["basic", "intermediate", "advanced", "highly_advanced", "dont_know"]


def _file(name: str) -> str:
    return (DATA / "competency" / name).read_text(encoding="utf-8")


def vocabulary() -> list[str]:
    words = ROLES + UNITS + LEVELS + ["setup", "framework", "profiles", "json", "csv", "en", "da"]
    for profile in SETUP["profiles"].values():
        words += list(profile)
    return sorted(set(words))


def seeds() -> dict[str, list]:
    ratings = {role: {c: LEVELS[i % 5] for i, c in enumerate(SETUP["profiles"][role])}
               for role in SETUP["profiles"]}
    submits = [{"role": r, "unit": UNITS[i % len(UNITS)], "ratings": ratings[r]}
               for i, r in enumerate(ratings)]
    return {
        "select": [{"role": r, "unit": u} for r in ROLES for u in UNITS[:2]] + [{"role": "leder"}],
        "save_draft": submits + [{"ratings": {}}],
        "submit": submits,
        "staff_summary": [{}, {"role": "", "unit": None}]
        + [{"role": r, "unit": UNITS[0]} for r in ROLES],
        "export_data": [{"kind": k, "format": f, "language": lang}
                        for k in ("setup", "framework", "profiles") for f in ("json", "csv")
                        for lang in ("en", "da")],
        "import_data": [
            {"kind": "framework", "format": "csv", "text": _file("kommune-framework.csv"),
             "save": False},
            {"kind": "framework", "format": "json", "text": _file("kommune-framework.json")},
            {"kind": "profiles", "format": "csv", "text": _file("profiles-long.csv")},
            {"kind": "profiles", "format": "csv", "text": _file("profiles-excel-da.csv"),
             "save": False},
            {"kind": "setup", "format": "json", "text": json.dumps(SETUP)},
            {"kind": "setup", "format": "json", "text": _file("invalid-block.json")},
        ],
        "submit_studio_edits": [
            {"values": {"display_name": "Fuzz", "graded": True, "weight": 2,
                        "min_group_size": 6}, "defaults": []},
            {"values": {"setup": SETUP}, "defaults": ["graded"]},
            {"values": {}, "defaults": ["display_name", "setup", "weight"]},
        ],
    }


@pytest.fixture(scope="module")
def figures():
    yield FIGURES
    record_figures("fuzz-self-assessment", FIGURES)


@pytest.fixture
def target(bench, request):
    """A fresh block per handler, so one handler's successful requests do not shape the next."""
    return fresh_target(bench, "<competency_self_assessment/>",
                        f"fuzz self-assessment {request.node.name}")


@pytest.mark.parametrize("handler", handler_names(BLOCK))
def test_fuzz_handler(target, figures, handler):
    figures.append(target.fuzz(BLOCK, handler, vocabulary(), seeds().get(handler)))
