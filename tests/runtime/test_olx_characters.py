"""Every authored value that can be stored also exports to OLX and reads back exactly.

Text pasted from old Windows programs carries DEL and C1 controls (U+0085 among them), and
U+FFFE cannot stand in XML at all: structured fields (quiz bank, inline atlas, exercise) write
them as JSON escapes (plain string fields are cleaned of what XML cannot hold by XBlock).
"""
from __future__ import annotations

import copy

import pytest

from tests.runtime.test_atlas_lookup import EXERCISE, SMALL_ATLAS
from tests.runtime.test_atlas_lookup import olx as atlas_olx
from tests.runtime.test_quiz import small_bank

PASTED = "Front\x7f desk\x80\x85 \ufffe Skranke\u2028🙂 æøå"


def _round_trip(block, field: str, value: dict) -> None:
    from tests.helpers.workbench import export_olx, parse_olx

    setattr(block, field, value)
    exported = export_olx(block)
    assert "\ufffe" not in exported and "\\u0085" in exported and "æøå" in exported
    again = parse_olx(exported)
    assert getattr(again, field) == value
    assert export_olx(again) == exported


def test_quiz_bank_with_pasted_characters_round_trips(_django):
    from tests.helpers.workbench import parse_olx

    bank = small_bank()
    bank["questions"][0]["prompt"]["da"] = PASTED
    _round_trip(parse_olx("<data_security_quiz/>"), "bank", bank)


@pytest.mark.parametrize("field", ["inline_atlas", "exercise"])
def test_atlas_documents_with_pasted_characters_round_trip(_django, field):
    from tests.helpers.workbench import parse_olx

    value = copy.deepcopy(SMALL_ATLAS if field == "inline_atlas" else EXERCISE)
    if field == "inline_atlas":
        value["services"][0]["title"] = PASTED
    else:
        value["scenarios"][1]["prompt"] = PASTED
    _round_trip(parse_olx(atlas_olx(mode="exercise")), field, value)
