"""Fixtures for the pure competency domain (no XBlock, no Django)."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from competency_xblock.competency.content import BlockContent, example_dict
from competency_xblock.competency.framework import Framework, load_builtin

DATA = Path(__file__).resolve().parents[2] / "data" / "competency"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def read_data(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


@pytest.fixture
def digcomp() -> Framework:
    return load_builtin("digcomp3")


@pytest.fixture
def kommune_dict() -> dict:
    return json.loads(read_data("kommune-framework.json"))


@pytest.fixture
def kommune(kommune_dict) -> Framework:
    return Framework.from_dict(kommune_dict)


@pytest.fixture
def example() -> BlockContent:
    return BlockContent.from_dict(example_dict())


@pytest.fixture
def kommune_content(kommune_dict) -> BlockContent:
    """Small content on the made-up framework: two roles, two units, some resources."""
    return BlockContent.from_dict({
        "framework": kommune_dict,
        "roles": [{"id": "skranke", "title": {"en": "Front desk", "da": "Skranke 🙂"}},
                  {"id": "kontor", "title": {"en": "Office", "da": "Kontor"}}],
        "units": [{"id": "nord", "title": {"da": "Nord"}}, {"id": "syd", "title": "Syd"}],
        "profiles": {
            "skranke": {"post.laese": "superbruger", "post.sende": "selvhjulpen",
                        "phishing": "selvhjulpen", "gdpr": "superbruger"},
            "kontor": {"post.sende": "selvhjulpen", "gdpr": "selvhjulpen"},
        },
        "resources": [
            {"id": "r1", "competence": "gdpr", "kind": "course", "levels": ["selvhjulpen"],
             "title": {"en": "GDPR course", "da": "GDPR-kursus"}, "url": "https://example.org/gdpr"},
            {"id": "r2", "competence": "gdpr", "kind": "guide", "levels": ["superbruger"],
             "title": {"en": "Advanced GDPR guide", "da": "Avanceret GDPR-guide"}},
            {"id": "r3", "competence": "gdpr", "kind": "peer",
             "title": {"en": "Sit with the DPO", "da": "Sidemandsoplæring hos DPO'en 👥"}},
            {"id": "r4", "competence": "post.laese", "kind": "video",
             "title": "Video: Digital Post", "url": "/static/digital-post.mp4"},
            {"id": "r5", "competence": "phishing", "kind": "guide", "levels": ["begynder"],
             "title": "Too basic for any gap"},
        ],
        "peer_suggestion": {"en": "Ask a colleague about {competence} ({level}).",
                            "da": "Spørg en kollega om {competence} ({level})."},
        "reassessment": {"mode": "after_days", "days": 30},
    })
