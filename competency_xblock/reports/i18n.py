"""Languages of the reports: reading headings in English or Danish, writing either.

The LMS writes our Problem Responses columns with headings translated into the language it
ran the report in, so every heading is matched in both languages.  Danish comes from the one
compiled ``text`` catalogue shipped with the package (read with the standard library: this
package must not import XBlock).
"""
from __future__ import annotations

import gettext as gettext_module
import re
from collections.abc import Callable
from functools import cache
from importlib import resources

LANGUAGES = ("en", "da")
Gettext = Callable[[str], str]


@cache
def translations(language: str) -> gettext_module.NullTranslations:
    """The package catalogue for ``language`` (NullTranslations for English)."""
    localedir = resources.files("competency_xblock") / "translations"
    return gettext_module.translation("text", localedir=str(localedir), languages=[language],
                                      fallback=True)


def gettext_for(language: str) -> Gettext:
    if language not in LANGUAGES:
        language = "en"
    return translations(language).gettext


def variants(english: str) -> set[str]:
    """The English text and its Danish translation, case-folded, for matching."""
    return {english.casefold(), gettext_for("da")(english).casefold()}


def template_pattern(english: str) -> list[re.Pattern[str]]:
    """Regexes matching ``english`` (with ``{n}``) and its Danish form; ``n`` is captured."""
    patterns = []
    for text in {english, gettext_for("da")(english)}:
        parts = [re.escape(p) for p in text.split("{n}")]
        patterns.append(re.compile("^" + r"(\d+)".join(parts) + "$", re.IGNORECASE))
    return patterns


def format_number(value: float | None, language: str, digits: int = 1,
                  signed: bool = False, percent: bool = False) -> str:
    """A number as HR reads it: Danish decimal comma, a real minus sign, optional percent."""
    if value is None:
        return ""
    if percent:
        value *= 100
        digits = 0
    text = f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"
    if text.lstrip("+-").strip("0.,") == "":
        text = text.lstrip("+-")  # no "+0.0" or "-0.0"
    text = text.replace("-", "\u2212")
    if language == "da":
        text = text.replace(".", ",")
    return text + (" %" if percent and language == "da" else "%" if percent else "")


_DANISH_ORDER = str.maketrans({"æ": "{", "ø": "|", "å": "}"})


def sort_key(text: str) -> str:
    """Alphabetical order as a Dane expects it: ... x, y, z, æ, ø, å."""
    return text.casefold().translate(_DANISH_ORDER)
