"""Every message the competency domain marks with N_() has a Danish translation."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "competency_xblock"
PO = PACKAGE / "translations" / "parts" / "competency.po"


def marked_strings(paths) -> set[str]:
    found = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "N_":
                found.add(node.args[0].value)
    return found


def catalogue() -> dict[str, str]:
    with PO.open("rb") as handle:
        return {m.id: m.string for m in read_po(handle, locale="da") if m.id}


def test_every_domain_message_is_translated():
    sources = sorted((PACKAGE / "competency").glob("*.py"))
    block = PACKAGE / "self_assessment.py"
    if block.exists():
        sources.append(block)
    translated = catalogue()
    missing = sorted(s for s in marked_strings(sources) if not translated.get(s))
    assert missing == []


@pytest.mark.parametrize("msgid,msgstr", sorted(catalogue().items()))
def test_placeholders_survive_translation(msgid, msgstr):
    def names(text):
        import string
        return sorted(f[1] for f in string.Formatter().parse(text) if f[1])

    assert names(msgid) == names(msgstr)
