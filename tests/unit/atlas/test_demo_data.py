"""The shipped demo atlas "Eksempel Kommune" and its scenarios."""
from __future__ import annotations

import json

from competency_xblock.atlas.exercise import Exercise
from competency_xblock.atlas.kle import atlas_drift

from .conftest import PACKAGE_DATA


def test_demo_atlas_content(demo_atlas):
    kle = [s for s in demo_atlas.services if s.id.startswith("kle-")]
    bos = [s for s in demo_atlas.services if s.id.startswith("os2bos-")]
    assert len(kle) == 1868 and len(bos) == 42
    assert {s.unit for s in bos} == {"familieafdelingen", "handicapafdelingen"}
    assert demo_atlas.unit("familieafdelingen").label() == "Familieafdelingen"
    assert demo_atlas.kle_version == "2025-05-01"
    assert "KL" in demo_atlas.attribution and "OS2bos" in demo_atlas.attribution
    assert sum(1 for s in kle if s.keywords) > 250
    for unit in demo_atlas.units.values():
        contact = demo_atlas.contact_for(unit.id)
        assert contact.phone.startswith("+45 99 99")
        assert contact.email.endswith(".invalid")


def test_demo_atlas_reports_os2bos_drift(demo_atlas):
    drifted = {f.service_id for f in atlas_drift(demo_atlas)}
    assert any(s.startswith("os2bos-") for s in drifted)
    assert not any(s.startswith("kle-") for s in drifted)


def test_demo_scenarios_refer_to_the_atlas(demo_atlas):
    data = json.loads((PACKAGE_DATA / "eksempel-kommune-scenarios.json").read_text("utf-8"))
    exercise = Exercise.from_dict(data)
    assert len(exercise.scenarios) >= 6
    assert exercise.problems_with(demo_atlas) == []
    for scenario in exercise.scenarios:
        assert scenario.prompt["da"] and scenario.prompt["en"]


def test_licence_and_sources_next_to_the_data():
    assert (PACKAGE_DATA / "LICENSE-MPL-2.0.txt").exists()
    text = (PACKAGE_DATA / "SOURCES.md").read_text("utf-8")
    assert "Mozilla Public License" in text and "KL" in text
