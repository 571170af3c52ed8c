"""The JavaScript shows no text of its own: every word comes from the translated ``text`` table
the block passes to its init function (``self.ui_text(UI_TEXT)``, our JS catalogue).

- No string literal in ``static/public/js/*.js`` is human text (an allow-list covers the few
  technical strings with capitals, such as HTTP header names).
- Every ``text.key`` the JavaScript reads exists in the table its block sends, and every
  plural pair (``NP_``) is read through ``CompetencyXBlock.plural``.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
JS_DIR = ROOT / "static" / "public" / "js"
TECHNICAL = {"POST", "GET", "Content-Type", "X-CSRFToken", "X-Requested-With", "XMLHttpRequest",
             "INPUT", "SELECT", "DOMContentLoaded", "use strict",
             "noopener noreferrer"}
REGEX_BEFORE = set("(,=:[!&|?{};+-*%<>~^") | {""}


def js_strings(source: str) -> list[tuple[str, int]]:
    """String literals of a JS file, skipping comments and regular-expression literals."""
    out, i, n = [], 0, len(source)
    last = ""          # last significant character, to tell a regex "/" from a division
    last_word = ""
    while i < n:
        ch = source[i]
        if source.startswith("//", i):
            i = source.find("\n", i)
            i = n if i < 0 else i
            continue
        if source.startswith("/*", i):
            end = source.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        if ch in "\"'`":
            start, i, buf = i, i + 1, []
            while i < n and source[i] != ch:
                if source[i] == "\\":
                    buf.append(source[i:i + 2])
                    i += 2
                    continue
                buf.append(source[i])
                i += 1
            out.append(("".join(buf), source.count("\n", 0, start) + 1))
            i += 1
            last = ch
            continue
        if ch == "/" and (last in REGEX_BEFORE or last_word in ("return", "typeof")):
            i += 1
            in_class = False
            while i < n and (in_class or source[i] != "/"):
                if source[i] == "\\":
                    i += 2
                    continue
                if source[i] == "[":
                    in_class = True
                elif source[i] == "]":
                    in_class = False
                i += 1
            i += 1
            last = "/"
            continue
        if ch.isalnum() or ch in "_$":
            j = i
            while j < n and (source[j].isalnum() or source[j] in "_$"):
                j += 1
            last_word, last, i = source[i:j], "a", j
            continue
        if not ch.isspace():
            last, last_word = ch, ""
        i += 1
    return out


IDENT = re.compile(r"^[a-z0-9_\-\[\]{}=.:#*>+~()'\"/,^$|!@?&%]+$")


def is_human(literal: str) -> bool:
    """True for text a person would read (words), False for keys, selectors, punctuation."""
    text = literal.strip()
    if not re.search(r"[^\W\d_]{2,}", text):
        return False                      # punctuation, numbers, single letters
    if text in TECHNICAL:
        return False
    tokens = text.split()
    if not all(IDENT.match(token) for token in tokens):
        return True                       # capitals or non-ASCII letters: a sentence or a word
    # "cx-quiz__verdict is-correct", "input[type=radio]:checked": selectors and class lists.
    return len(tokens) > 1 and not all(re.search(r"[-_.\[#=:>]", t) for t in tokens)


def test_the_detector():
    assert is_human("Error") and is_human("Submit answers") and is_human("not answered")
    assert is_human("Søg") and is_human("Prøv igen")
    for technical in ("data-cx-live", "input[type=radio]:checked", "cx-atlas__feedback is-wrong",
                      "click", " › ", "; ", "<!-- ", "tel:", "Content-Type", "#", "{}",
                      "fieldset[data-competence]", "application/json"):
        assert not is_human(technical), technical
    found = [s for s, _ in js_strings('var r = /"[a-z]"/g; x = "A b"; // "C d"\n/* "E f" */')]
    assert found == ["A b"]


@pytest.mark.parametrize("script", sorted(JS_DIR.glob("*.js")), ids=lambda p: p.name)
def test_javascript_has_no_literal_ui_text(script):
    human = [f"{script.name}:{line}: {text!r}" for text, line in
             js_strings(script.read_text(encoding="utf-8")) if is_human(text)]
    assert not human, "Text in JavaScript bypasses gettext (send it in args.text):\n" + \
        "\n".join(human)


def _tables():
    from competency_xblock import atlas_lookup, quiz, self_assessment
    from competency_xblock.core import studio

    return {
        "self_assessment.js": {**self_assessment.UI_TEXT, **self_assessment.STUDIO_IO_TEXT},
        "quiz.js": {**quiz.UI_TEXT, **quiz.STUDIO_TEXT},
        "atlas.js": atlas_lookup.UI_TEXT,
        "studio.js": studio.STUDIO_TEXT,
    }


def _keys_read(source: str) -> set[str]:
    keys = set(re.findall(r"\b(?:text|t)\.(\w+)", source))
    # text[key] over literal arrays: ["phone", "email"].forEach(function (key) {...})
    for group in re.findall(r"\[((?:\s*\"\w+\"\s*,?)+)\]\s*\.forEach\(function \(key\)", source):
        keys |= set(re.findall(r"\"(\w+)\"", group))
    return keys


@pytest.mark.parametrize("script", ["self_assessment.js", "quiz.js", "atlas.js", "studio.js"])
def test_every_text_key_the_javascript_reads_is_sent(script):
    table = _tables()[script]
    source = (JS_DIR / script).read_text(encoding="utf-8")
    missing = sorted(_keys_read(source) - set(table))
    assert not missing, f"{script} reads text keys its block never sends: {missing}"
    for key, message in table.items():
        if isinstance(message, tuple):
            reads = re.findall(rf"(.{{0,12}})\b(?:text|t)\.{key}\b", source)
            assert all("plural(" in before for before in reads), \
                f"{script}: plural text {key!r} must be read through CompetencyXBlock.plural"


def test_every_script_is_checked():
    assert {p.name for p in JS_DIR.glob("*.js")} - set(_tables()) == {"common.js"}
