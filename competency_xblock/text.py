"""User-facing text helpers shared by the pure domain modules.

The domain packages (competency/, quiz_engine/, atlas/) must not import XBlock or Django, yet
the messages they produce reach learners and authors in Danish or English.  They therefore
mark English source strings with :func:`N_` (so ``make translations`` extracts them) and raise
:class:`UserFacingError`; the XBlock layer translates ``message`` with the learner's catalogue
and then fills in ``params``.
"""
from __future__ import annotations

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
            text = f"{text} ({self.path})"
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
