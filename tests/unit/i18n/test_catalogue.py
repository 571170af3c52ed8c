"""Every user-visible string goes through gettext and has a Danish translation.

Strings are found the way an extractor would: literal arguments of ``N_``, ``NP_`` (plural
pairs), ``gettext``, ``ngettext`` (any receiver), the ``display_name``/``help`` of fields and
the ``display_name`` of their choices (``values``), which our Studio editor shows translated.
Templates must hold no literal UI text (all text comes from ``ui_text``); the JavaScript
catalogue is the ``text`` table each block passes to its init function (see test_js_text.py).
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
MARKERS = {"N_", "NP_", "gettext", "ngettext", "ugettext", "_"}
PLURAL_MARKERS = {"NP_", "ngettext"}
FIELD_TEXT_KEYWORDS = {"display_name", "help"}


def _literal(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def extract(path: Path) -> list[tuple[str, int]]:
    """``(msgid, line)``; a plural pair is looked up by its singular, as gettext does."""
    return [(text[0] if plural else text, line) for text, line, plural in extract_all(path)]


def extract_plurals(path: Path) -> list[tuple[str, str, int]]:
    """``(singular, plural, line)`` of every ``NP_``/``ngettext`` call with literal texts."""
    return [(text[0], text[1], line) for text, line, plural in extract_all(path) if plural]


def extract_all(path: Path) -> list[tuple]:
    """``(text, line, False)`` for single strings and ``((singular, plural), line, True)``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            # {"display_name": "Overall", "value": "overall"}: a choice shown in Studio.
            keys = [_literal(k) for k in node.keys if k is not None]
            if "display_name" in keys and "value" in keys:
                text = _literal(node.values[keys.index("display_name")])
                if text:
                    found.append((text, node.lineno, False))
            continue
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name in PLURAL_MARKERS:
            pair = [_literal(arg) for arg in node.args[:2]]
            if len(pair) == 2 and all(pair):
                found.append((tuple(pair), node.lineno, True))
        elif name in MARKERS:
            text = _literal(node.args[0]) if node.args else None
            if text:
                found.append((text, node.lineno, False))
        for keyword in node.keywords:
            if keyword.arg in FIELD_TEXT_KEYWORDS and _field_call(node):
                text = _literal(keyword.value)
                if text:
                    found.append((text, node.lineno, False))
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


def test_plural_strings_have_both_danish_forms():
    catalogue = danish()
    found, wrong = 0, []
    for path in python_sources():
        for singular, plural, line in extract_plurals(path):
            found += 1
            message = catalogue.get(singular)
            where = f"{path.relative_to(ROOT)}:{line}: {singular!r}"
            if message is None or not isinstance(message.id, tuple):
                wrong.append(f"{where}: no plural entry (msgid_plural) in the catalogue")
            elif message.id[1] != plural:
                wrong.append(f"{where}: the catalogue's plural is {message.id[1]!r}")
            elif len(message.string) != 2 or not all(message.string):
                wrong.append(f"{where}: needs msgstr[0] and msgstr[1]")
    assert found >= 8, "the extractor no longer sees NP_ pairs"
    assert not wrong, "\n".join(wrong)


def test_danish_plural_rule():
    assert danish().plural_forms == "nplurals=2; plural=(n != 1);"
    from competency_xblock.core.i18n import catalogue

    danish_mo = catalogue("da")
    for n, form in ((0, 1), (1, 0), (2, 1), (21, 1)):
        assert danish_mo.ngettext("{count} result.", "{count} results.", n) == \
            ("{count} resultat.", "{count} resultater.")[form]


def test_no_fuzzy_danish_entries():
    fuzzy = [m.id for m in danish() if m.id and m.fuzzy]
    assert not fuzzy


def test_no_untranslated_entries_in_the_danish_catalogue():
    empty = [m.id for m in danish() if m.id and (
        not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    assert not empty, f"Empty msgstr in text.po: {empty[:10]}"


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"{(\w*)}", text))


def test_translations_keep_every_placeholder():
    """A Danish text that drops or renames {count} would show the raw braces or crash."""
    wrong = []
    for message in danish():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = _placeholders(ids[-1])
        for text in strings:
            if text and _placeholders(text) != wanted:
                wrong.append(f"{ids[0]!r} -> {text!r}")
    assert not wrong, "\n".join(wrong)


USER_FACING_SINKS = {"UserFacingError", "ValidationMessage", "JsonHandlerError",
                     "ContentInvalidError"}
#: Keys of handler answers whose value a person reads ({"error": ...}, {"message": ...}).
USER_FACING_KEYS = {"error", "message", "warning", "hint", "explanation"}


def _all_sinks(trees) -> set[str]:
    """The sinks plus every class of the package derived from one (ForbiddenError ...)."""
    sinks = set(USER_FACING_SINKS)
    grown = True
    while grown:
        grown = False
        for tree in trees:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in sinks:
                    bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "")
                             for b in node.bases}
                    if bases & sinks:
                        sinks.add(node.name)
                        grown = True
    return sinks


def test_no_literal_text_reaches_people_without_gettext():
    """Errors and validation messages take N_-marked or translated text, never a bare literal.

    Also: the UI_TEXT/STUDIO_TEXT tables passed to templates and JavaScript hold only N_/NP_
    calls, so a plain string cannot slip into the JS catalogue untranslated.
    """
    bare = []
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in python_sources()}
    sinks = _all_sinks(trees.values())
    assert {"ForbiddenError", "BusyError", "ProblemsError"} <= sinks
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if _literal(key) in USER_FACING_KEYS and (
                            isinstance(value, ast.JoinedStr) or _literal(value)):
                        bare.append(f"{path.relative_to(ROOT)}:{value.lineno}: "
                                    f"{_literal(key)!r} holds a literal")
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if name not in sinks:
                    continue
                args = node.args[1:] if name in ("ValidationMessage", "JsonHandlerError") \
                    else node.args[:1]
                for arg in args:
                    if isinstance(arg, ast.JoinedStr) or _literal(arg):
                        bare.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}")
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
                if not any(n.endswith("_TEXT") for n in names):
                    continue
                for value in node.value.values:
                    call = value.func.id if isinstance(value, ast.Call) and isinstance(
                        value.func, ast.Name) else None
                    if call not in ("N_", "NP_"):
                        bare.append(f"{path.relative_to(ROOT)}:{value.lineno}: "
                                    f"{names[0]} entry is not N_/NP_")
    assert not bare, "Text that bypasses gettext:\n" + "\n".join(bare)


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
