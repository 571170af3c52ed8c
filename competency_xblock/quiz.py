"""Data-security quiz block (OLX tag ``data_security_quiz``).

Thin XBlock layer: fields, views and handlers; the domain logic lives in pure packages.
"""
from __future__ import annotations

from xblock.fields import Scope, String

from competency_xblock.core.base import CompetencyBlockBase
from competency_xblock.core.olx import AuthoredOlxMixin
from competency_xblock.core.studio import StudioMixin
from competency_xblock.text import N_

UI_TEXT = {
    "heading": N_("Data-security quiz"),
}


class DataSecurityQuizXBlock(AuthoredOlxMixin, StudioMixin, CompetencyBlockBase):
    """Data-security quiz."""

    display_name = String(
        display_name="Display name",
        help="The name learners see in the course navigation and as the block heading.",
        scope=Scope.settings,
        default="Data-security quiz",
    )
    editable_fields = ("display_name",)
    css_files = ("public/css/common.css",)
    js_files = ("public/js/common.js",)

    def student_view(self, context=None):
        text = self.ui_text(UI_TEXT)
        return self.fragment("quiz.html", {"text": text, "title": self.title()})

    @staticmethod
    def workbench_scenarios():
        return [("Data-security quiz", "<data_security_quiz/>")]
