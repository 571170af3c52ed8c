"""The block follows the LMS language: the platform's i18n service when there is one (the LMS
loads our text.mo through it, or an operator's override), else our catalogue for the active
Django language (the workbench, tests)."""
from __future__ import annotations

from xblock.runtime import NullI18nService

from competency_xblock.core.i18n import BlockTranslator, active_language, normalise_language


class PlatformI18n:
    """What the LMS's XBlockI18nService offers a block (it cannot run outside the LMS)."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def gettext(self, message: str) -> str:
        self.asked.append(message)
        return f"[lms] {message}"

    def ngettext(self, singular: str, plural: str, number: int) -> str:
        return f"[lms {number}] {singular if number == 1 else plural}"


def test_the_platforms_service_is_used_when_there_is_one():
    service = PlatformI18n()
    translator = BlockTranslator(service, language="da")
    assert translator.gettext("Only course staff may do this.") == \
        "[lms] Only course staff may do this."
    assert translator.ngettext("{count} result.", "{count} results.", 2) == \
        "[lms 2] {count} results."
    assert translator("x") == "[lms] x" and service.asked == ["Only course staff may do this.", "x"]


def test_without_a_platform_service_our_catalogue_answers_in_the_language():
    for service in (None, NullI18nService()):
        danish = BlockTranslator(service, language="da-DK")
        assert danish.language == "da"
        assert danish.gettext("Only course staff may do this.") == \
            "Kun kursets personale må gøre dette."
        assert danish.ngettext("{count} result.", "{count} results.", 1) == "{count} resultat."
        english = BlockTranslator(service, language="en-us")
        assert english.gettext("Only course staff may do this.") == \
            "Only course staff may do this."


def test_the_language_is_the_active_django_language(_django):
    from django.utils import translation

    with translation.override("da"):
        assert active_language() == "da"
        assert BlockTranslator(None).gettext("Only course staff may do this.") == \
            "Kun kursets personale må gøre dette."
    with translation.override("en"):
        assert active_language() == "en"
    assert normalise_language("fr-CA") == "en" and normalise_language("") == "en"


def test_every_default_block_name_is_translated():
    """The heading a learner sees before the author names the block (title())."""
    from competency_xblock.atlas_lookup import AtlasLookupXBlock
    from competency_xblock.core.i18n import catalogue
    from competency_xblock.quiz import DataSecurityQuizXBlock
    from competency_xblock.self_assessment import CompetencySelfAssessmentXBlock

    danish = catalogue("da")
    for cls in (AtlasLookupXBlock, DataSecurityQuizXBlock, CompetencySelfAssessmentXBlock):
        default = cls.fields["display_name"].default
        assert danish.gettext(default) != default, default
