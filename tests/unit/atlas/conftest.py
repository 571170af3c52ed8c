"""Fixtures for the atlas unit tests (pure: no XBlock, no network except 127.0.0.1)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from competency_xblock.atlas.model import Atlas

DATA = Path(__file__).resolve().parents[2] / "data" / "atlas"
PACKAGE_DATA = Path(__file__).resolve().parents[3] / "competency_xblock" / "data" / "atlas"


@pytest.fixture()
def small_data() -> dict:
    return json.loads((DATA / "small-atlas.json").read_text(encoding="utf-8"))


@pytest.fixture()
def small_atlas(small_data) -> Atlas:
    return Atlas.from_dict(small_data)


@pytest.fixture(scope="session")
def demo_data() -> dict:
    return json.loads((PACKAGE_DATA / "eksempel-kommune.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def demo_atlas(demo_data) -> Atlas:
    return Atlas.from_dict(demo_data)


@pytest.fixture()
def data_dir() -> Path:
    return DATA
