"""User-facing text helpers shared by the pure domain modules.

The domain packages (competency/, quiz_engine/, atlas/) must not import XBlock or Django, yet
the messages they produce reach learners and authors in Danish or English.  They therefore
mark English source strings with :func:`N_` (so ``make translations`` extracts them) and raise
:class:`UserFacingError`; the XBlock layer translates ``message`` with the learner's catalogue
and then fills in ``params``.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Union

LocalizedText = Union[str, Mapping[str, str]]
DEFAULT_LANGUAGE = "en"


def N_(message: str) -> str:  # noqa: N802 - gettext convention
    """Mark a string for extraction without translating it now (gettext_noop)."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 - gettext convention
    """Mark a singular/plural pair for extraction; translate later with ``ngettext``."""
    return (singular, plural)


#: Heading of the Problem Responses column that marks a row whose stored learner state cannot
#: be read (the three blocks' ``generate_report_data``; the atlas, whose keys are not
#: translated, uses ``"unreadable"``).  The HR report skips such rows.
UNREADABLE_COLUMN = N_("Unreadable stored state")

#: Words that locate a problem in an input ("line 12, column 3", "row 4", 'unit "x"').  They
#: are translated with the message, so a Danish reader gets "linje 12, kolonne 3"; file names,
#: JSON pointers and quoted values in the location stay as they are.
LOCATION_WORDS = {word: N_(word) for word in (
    "line", "column", "row", "record", "element", "service", "unit", "scenario", "question",
    "choice", "competence", "role", "level", "area", "file")}
_LOCATION_RE = re.compile(r'"[^"]*"|(?<![\w/.-])(' + "|".join(LOCATION_WORDS)
                          + r')(?![\w/.-])(\s+[^\s,;()"]+)?')


def localize_location(path: str, gettext=lambda s: s) -> str:
    """Translate the locating words of ``path``; quoted parts, pointers, file names and the
    name after "column" (a heading of the reader's own file) stay as they are."""
    def swap(match: re.Match) -> str:
        word, rest = match.group(1), match.group(2) or ""
        if not word:
            return match.group(0)
        if word != "column":
            rest = _LOCATION_RE.sub(swap, rest)
        return gettext(LOCATION_WORDS[word]) + rest
    return _LOCATION_RE.sub(swap, path)


class UserFacingError(ValueError):
    """An error whose message is meant for a person (learner, author, operator).

    ``message`` is an untranslated English template using ``{name}`` placeholders; ``params``
    fill them in after translation.  ``path`` optionally locates the problem in the input
    (a JSON pointer, "line 12", a record id).
    """

    def __init__(self, message: str, path: str | None = None, **params: Any) -> None:
        self.message = message
        self.params = params
        self.path = path
        super().__init__(self.render())

    def render(self, gettext=lambda s: s) -> str:
        text = gettext(self.message)
        try:
            text = text.format(**self.params)
        except (KeyError, IndexError, ValueError):
            pass
        if self.path:
            text = f"{text} ({localize_location(str(self.path), gettext)})"
        return text


def pick_language(text: LocalizedText | None, language: str | None,
                  fallback: str = DEFAULT_LANGUAGE) -> str:
    """Return the variant of ``text`` for ``language`` ("da", "da-dk", "en-us" ...).

    Authored content may be a plain string (one language) or a mapping of language code to
    string.  Falls back to ``fallback``, then to any non-empty variant.
    """
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    candidates = []
    if language:
        lang = language.lower().replace("_", "-")
        candidates += [lang, lang.split("-")[0]]
    candidates.append(fallback)
    for code in candidates:
        value = text.get(code)
        if value:
            return value
    for value in text.values():
        if value:
            return value
    return ""
