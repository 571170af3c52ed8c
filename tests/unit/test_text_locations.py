"""Locations in error messages are read in the reader's language, names and pointers kept."""
from __future__ import annotations

import gettext
from pathlib import Path

import pytest

from competency_xblock.text import LOCATION_WORDS, UserFacingError, localize_location

LOCALE = Path(__file__).resolve().parents[2] / "competency_xblock" / "translations"


@pytest.fixture(scope="module")
def danish():
    return gettext.translation("text", localedir=str(LOCALE), languages=["da"]).gettext


@pytest.mark.parametrize(("path", "expected"), [
    ("profiles.csv, line 3, column 4", "profiles.csv, linje 3, kolonne 4"),
    ("row 2, column leder", "række 2, kolonne leder"),
    ('/units/3/parent (unit "line")', '/units/3/parent (enhed "line")'),
    ("line.csv, line 1", "line.csv, linje 1"),
    ("outline 3", "outline 3"),
    ("row 3, column competence", "række 3, kolonne competence"),
    ("column line, row 1", "kolonne line, række 1"),
    ("/scenarios/0/answer/units/1", "/scenarios/0/answer/units/1"),
])
def test_location_words_are_translated_but_names_and_pointers_kept(danish, path, expected):
    assert localize_location(path, danish) == expected


def test_every_location_word_has_a_danish_translation(danish):
    untranslated = [w for w in LOCATION_WORDS if danish(w) == w and w != "element"]
    assert untranslated == []


def test_error_render_translates_message_and_location(danish):
    error = UserFacingError("The file is not valid JSON: {reason}.", path="a.json, line 2",
                            reason="x")
    assert error.render() == "The file is not valid JSON: x. (a.json, line 2)"
    assert "(a.json, linje 2)" in error.render(danish)
