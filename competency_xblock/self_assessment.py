"""Digital competency self-assessment block (OLX tag ``competency_self_assessment``).

Thin XBlock layer: fields, views and handlers; the domain logic lives in pure packages.
"""
from __future__ import annotations

from xblock.fields import Scope, String

from competency_xblock.core.base import CompetencyBlockBase
from competency_xblock.core.olx import AuthoredOlxMixin
from competency_xblock.core.studio import StudioMixin
from competency_xblock.text import N_

UI_TEXT = {
    "heading": N_("Digital competency self-assessment"),
}


class CompetencySelfAssessmentXBlock(AuthoredOlxMixin, StudioMixin, CompetencyBlockBase):
    """Digital competency self-assessment."""

    display_name = String(
        display_name="Display name",
        help="The name learners see in the course navigation and as the block heading.",
        scope=Scope.settings,
        default="Digital competency self-assessment",
    )
    editable_fields = ("display_name",)
    css_files = ("public/css/common.css",)
    js_files = ("public/js/common.js",)

    def student_view(self, context=None):
        text = self.ui_text(UI_TEXT)
        return self.fragment("self_assessment.html", {"text": text, "title": self.title()})

    @staticmethod
    def workbench_scenarios():
        return [("Digital competency self-assessment", "<competency_self_assessment/>")]
