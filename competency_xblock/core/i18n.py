"""Translations for the blocks: one gettext catalogue (domain ``text``) shipped in the package.

In the Open edX LMS the runtime's ``i18n`` service already loads
``competency_xblock/translations/<lang>/LC_MESSAGES/text.mo`` (or an operator's override under
``conf/plugins-locale``), so we use that service as is.  Runtimes whose service is the
``NullI18nService`` (the xblock-sdk workbench, test runtimes) get our own catalogue for the
active Django language, so the demo and the tests show the same Danish text as the LMS.
"""
from __future__ import annotations

import gettext as gettext_module
from functools import cache
from importlib import resources

from xblock.runtime import NullI18nService

DOMAIN = "text"
SUPPORTED_LANGUAGES = ("en", "da")


def normalise_language(code: str | None) -> str:
    """'da-DK' -> 'da'; unknown or empty -> 'en'."""
    if not code:
        return "en"
    base = code.lower().replace("_", "-").split("-")[0]
    return base if base in SUPPORTED_LANGUAGES else "en"


def active_language() -> str:
    """The language of the current request when Django is configured, else English."""
    try:
        from django.conf import settings
        from django.utils import translation

        if not settings.configured:
            return "en"
        return normalise_language(translation.get_language())
    except Exception:  # noqa: BLE001 - no Django, or not set up: plain English
        return "en"


@cache
def catalogue(language: str) -> gettext_module.NullTranslations:
    """Our compiled catalogue for ``language`` (NullTranslations for English)."""
    localedir = resources.files("competency_xblock") / "translations"
    return gettext_module.translation(
        DOMAIN, localedir=str(localedir), languages=[language], fallback=True
    )


class BlockTranslator:
    """gettext/ngettext for one block in one request, whichever runtime hosts it."""

    def __init__(self, service=None, language: str | None = None) -> None:
        self.language = normalise_language(language) if language else active_language()
        platform_service = service is not None and not isinstance(service, NullI18nService)
        if platform_service:
            self._gettext = service.gettext
            self._ngettext = service.ngettext
        else:
            translations = catalogue(self.language)
            self._gettext = translations.gettext
            self._ngettext = translations.ngettext

    def gettext(self, message: str) -> str:
        return self._gettext(message)

    def ngettext(self, singular: str, plural: str, number: int) -> str:
        return self._ngettext(singular, plural, number)

    # Django's template engine and xblock.utils call these spellings.
    ugettext = gettext
    ungettext = ngettext

    def __call__(self, message: str) -> str:
        return self._gettext(message)
