"""Every user-visible string goes through gettext and has a Danish translation.

Strings are found the way an extractor would: literal arguments of ``N_``, ``gettext``,
``ngettext`` (any receiver) and the ``display_name``/``help`` of fields, which Studio shows
translated.  Templates must hold no literal UI text (all text comes from ``ui_text``).
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "competency_xblock"
TEMPLATES = ROOT / "static" / "templates"
MARKERS = {"N_", "gettext", "ngettext", "ugettext", "_"}
FIELD_TEXT_KEYWORDS = {"display_name", "help"}


def _literal(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def extract(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name in MARKERS:
            for arg in node.args[:2] if name in ("ngettext",) else node.args[:1]:
                text = _literal(arg)
                if text:
                    found.append((text, node.lineno))
        for keyword in node.keywords:
            if keyword.arg in FIELD_TEXT_KEYWORDS and _field_call(node):
                text = _literal(keyword.value)
                if text:
                    found.append((text, node.lineno))
    return found


def _field_call(node: ast.Call) -> bool:
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    return name in {"String", "Integer", "Float", "Boolean", "Dict", "List", "DateTime",
                    "Reference", "JSONField", "RelativeTime", "Date", "Timedelta"}


def python_sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "translations" not in p.parts)


def danish():
    with (PACKAGE / "translations" / "da" / "LC_MESSAGES" / "text.po").open("rb") as handle:
        return read_po(handle, locale="da")


def test_every_marked_string_has_a_danish_translation():
    catalogue = danish()
    missing = []
    for path in python_sources():
        for text, line in extract(path):
            message = catalogue.get(text)
            if message is None or not message.string or (
                    isinstance(message.string, tuple) and not all(message.string)):
                missing.append(f"{path.relative_to(ROOT)}:{line}: {text!r}")
    assert not missing, "Untranslated Danish strings (add them to translations/parts/*.po):\n" + \
        "\n".join(missing)


def test_no_fuzzy_danish_entries():
    fuzzy = [m.id for m in danish() if m.id and m.fuzzy]
    assert not fuzzy


def _visible_template_text(source: str) -> str:
    source = re.sub(r"{#.*?#}", " ", source, flags=re.S)
    source = re.sub(r"{%.*?%}", " ", source, flags=re.S)
    source = re.sub(r"{{.*?}}", " ", source, flags=re.S)
    source = re.sub(r"<(script|style)\b.*?</\1>", " ", source, flags=re.S | re.I)
    source = re.sub(r"<!--.*?-->", " ", source, flags=re.S)
    # Attribute values people read: alt, title, aria-label, placeholder.
    readable = re.findall(r'\b(?:alt|title|aria-label|placeholder)="([^"]*)"', source)
    text = re.sub(r"<[^>]+>", " ", source)
    return " ".join([text, *readable])


@pytest.mark.parametrize("template", sorted(TEMPLATES.glob("*.html")), ids=lambda p: p.name)
def test_templates_hold_no_literal_ui_text(template):
    leftover = _visible_template_text(template.read_text(encoding="utf-8"))
    words = re.findall(r"[^\W\d_]{2,}", leftover)
    assert not words, f"{template.name} shows text that bypasses gettext: {words[:10]}"


def test_extractor_finds_marked_strings():
    sample = PACKAGE / "core" / "handlers.py"
    texts = [t for t, _ in extract(sample)]
    assert "Only course staff may do this." in texts
