"""The shipped DigComp 3.0 file is exactly what the build script makes from ../shared."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "build_competency_data.py"


def load_script():
    spec = importlib.util.spec_from_file_location("build_competency_data", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_framework_is_up_to_date(capsys):
    module = load_script()
    if not (module.DEFAULT_SOURCE / "digcomp3_competences.csv").exists():
        pytest.skip("../shared/data/digcomp is not beside this checkout")
    assert module.main(["--check"]) == 0


def test_every_chosen_statement_has_danish_text():
    module = load_script()
    assert len(module.STATEMENTS) == 21 * 4
    assert all(text.strip() and text.endswith(".") for text in module.STATEMENTS.values())
    assert set(module.COMPETENCES_DA) == {f"{a}.{c}" for a, n in
                                          ((1, 3), (2, 6), (3, 4), (4, 4), (5, 4))
                                          for c in range(1, n + 1)}
