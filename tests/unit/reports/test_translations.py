"""The Danish part for the reports: complete, and every placeholder kept."""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from competency_xblock.reports.labels import GAP_COLUMNS, Labels
from tests.unit.i18n.test_catalogue import danish, extract

ROOT = Path(__file__).resolve().parents[3]
PART = ROOT / "competency_xblock" / "translations" / "parts" / "reports.po"


def catalogue():
    with PART.open("rb") as handle:
        return read_po(handle, locale="da")


def test_placeholders_survive_translation():
    for message in catalogue():
        if message.id:
            assert sorted(re.findall(r"\{(\w+)\}", message.id)) == sorted(
                re.findall(r"\{(\w+)\}", message.string)), message.id


def test_every_string_of_the_package_is_in_the_catalogue():
    found = {text for path in (ROOT / "competency_xblock" / "reports").glob("*.py")
             for text, _line in extract(path)}
    own = {m.id for m in catalogue() if m.id}
    merged = danish()
    # Some headings ("Role", "Learners", ...) are shared with the other areas' parts.
    assert [t for t in sorted(found) if not (merged.get(t) and merged.get(t).string)] == []
    assert own <= found  # nothing left over


def test_labels_in_danish():
    da = Labels("da")
    assert da(GAP_COLUMNS["share_below"]) == "Andel under det forventede"
    assert da.number(-0.75, 2, signed=True) == "\u22120,75"
    assert da.percent(0.5) == "50 %" and Labels("en").percent(0.5) == "50%"
