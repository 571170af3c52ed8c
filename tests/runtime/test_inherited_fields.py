"""Settings whose names Open edX inherits from ancestors (core/fields.py).

In the LMS the field data is edx-platform's ``InheritingFieldData``: for a name of
``InheritanceMixin`` that the block does not set, ``default(block, name)`` returns the value
the nearest ancestor set.  :class:`InheritingFieldData` below does the same over the
workbench's field data, with a "course" that sets every inheritable name.
"""
from __future__ import annotations

import warnings

import pytest
from xblock.core import XBlockMixin
from xblock.exceptions import FieldDataDeprecationWarning
from xblock.field_data import FieldData
from xblock.fields import Boolean, Integer, Scope
from xblock.runtime import Mixologist

from competency_xblock.atlas_lookup import AtlasLookupXBlock
from competency_xblock.core.fields import INHERITED_BY_OPEN_EDX, NotInheritedMixin
from competency_xblock.quiz import DataSecurityQuizXBlock
from competency_xblock.self_assessment import CompetencySelfAssessmentXBlock
from tests.helpers.workbench import export_olx, parse_olx

BLOCKS = (CompetencySelfAssessmentXBlock, DataSecurityQuizXBlock, AtlasLookupXBlock)

#: InheritanceMixin's field names in openedx-platform master (xmodule/modulestore/inheritance.py).
OPENEDX_INHERITABLE = {
    "graded", "start", "due", "relative_weeks_due", "visible_to_staff_only",
    "course_edit_method", "giturl", "xqa_key", "graceperiod", "group_access", "showanswer",
    "show_correctness", "rerandomize", "days_early_for_beta", "static_asset_path",
    "use_latex_compiler", "max_attempts", "matlab_api_key", "user_partitions",
    "video_speed_optimizations", "video_auto_advance", "video_bumper", "show_reset_button",
    "edxnotes", "edxnotes_visibility", "in_entrance_exam", "self_paced", "hide_from_toc",
}

#: What a course (or subsection) sets, as JSON: graded subsection, course-wide "Maximum
#: Attempts" for CAPA problems - more than the atlas exercise's 0-10 allow.
ANCESTOR = {"graded": True, "max_attempts": 25, "showanswer": "always", "rerandomize": "always"}


class InheritingFieldData(FieldData):
    """The workbench's field data, with ``default`` as edx-platform's InheritingFieldData."""

    def __init__(self, inner, ancestor):
        super().__init__()
        self.inner, self.ancestor = inner, ancestor

    def get(self, block, name):
        return self.inner.get(block, name)

    def set(self, block, name, value):
        self.inner.set(block, name, value)

    def delete(self, block, name):
        self.inner.delete(block, name)

    def has(self, block, name):
        return self.inner.has(block, name)

    def set_many(self, block, update_dict):
        self.inner.set_many(block, update_dict)

    def default(self, block, name):
        if name in OPENEDX_INHERITABLE and name in self.ancestor:
            return self.ancestor[name]
        return self.inner.default(block, name)


def in_course(olx: str, ancestor=None):
    """The block of ``olx`` as the LMS has it in a course whose ancestors set ``ancestor``."""
    block = parse_olx(olx)
    with warnings.catch_warnings():  # (XBlock deprecates replacing a block's field data)
        warnings.simplefilter("ignore", FieldDataDeprecationWarning)
        block._field_data = InheritingFieldData(block._field_data,  # noqa: SLF001
                                                ANCESTOR if ancestor is None else ancestor)
    block._field_data_cache.clear()  # noqa: SLF001
    return block


def test_the_list_of_inherited_names_covers_open_edx():
    assert OPENEDX_INHERITABLE <= INHERITED_BY_OPEN_EDX


def test_every_setting_named_like_an_inherited_one_is_not_inherited():
    """Each of our fields against every inheritable name (a field added later is checked
    too); today three collide."""
    colliding = set()
    for cls in BLOCKS:
        for name, field in cls.fields.items():
            if name in INHERITED_BY_OPEN_EDX:
                colliding.add((cls.__name__, name))
                assert isinstance(field, NotInheritedMixin), f"{cls.__name__}.{name}"
    assert colliding == {("CompetencySelfAssessmentXBlock", "graded"),
                         ("DataSecurityQuizXBlock", "max_attempts"),
                         ("AtlasLookupXBlock", "max_attempts")}


def test_our_fields_win_over_the_mixed_in_inheritance_mixin():
    """The LMS mixes InheritanceMixin into every block class; the block's own field is the one
    the mixed class has under the shared name."""

    class InheritanceMixinStandIn(XBlockMixin):
        graded = Boolean(default=False, scope=Scope.settings)
        max_attempts = Integer(scope=Scope.settings)

    for cls in BLOCKS:
        mixed = Mixologist([InheritanceMixinStandIn]).mix(cls)
        for name in ("graded", "max_attempts"):
            if name in cls.fields:
                assert mixed.fields[name] is cls.fields[name]


def test_self_assessment_in_a_graded_subsection_stays_ungraded(_django):
    block = in_course("<competency_self_assessment/>")
    assert not block.fields["graded"].is_set_on(block)
    assert block.graded is False and block.max_score() is None
    assert block.student_view_data()["graded"] is False
    assert block.fields["graded"].read_json(block) is False


def test_quiz_keeps_its_own_attempts_not_the_course_wide_maximum(_django):
    block = in_course("<data_security_quiz/>", {"max_attempts": 1})
    assert block.quiz_settings().max_attempts == 3
    assert block.grading_settings().max_attempts == 3
    fresh = in_course("<data_security_quiz/>", {"max_attempts": 1})
    fresh.read_fields("max_attempts")  # the one-read path the submit handler takes
    assert fresh.max_attempts == 3


def test_atlas_keeps_its_own_picks_per_scenario(_django):
    from tests.runtime.test_atlas_lookup import olx

    block = in_course(olx(mode="exercise"))
    assert block.attempts_allowed() == 2
    assert not [m for m in block.validate().messages if "max_attempts" in m.text.lower()
                or "attempts" in m.text.lower()]


def test_a_value_set_on_the_block_wins_over_the_ancestor(_django):
    sa = in_course('<competency_self_assessment graded="true"/>', {"graded": False})
    assert sa.graded is True and sa.max_score() == 1.0
    quiz = in_course('<data_security_quiz max_attempts="5"/>')
    assert quiz.quiz_settings().max_attempts == 5
    unlimited = in_course('<data_security_quiz max_attempts="0"/>', {"max_attempts": 1})
    assert unlimited.quiz_settings().max_attempts == 0
    from tests.runtime.test_atlas_lookup import olx

    atlas = in_course(olx(mode="exercise").replace("<atlas_lookup ",
                                                   '<atlas_lookup max_attempts="4" ', 1))
    assert atlas.attempts_allowed() == 4


def test_studio_set_and_reset_go_back_to_our_default(_django):
    block = in_course("<data_security_quiz/>", {"max_attempts": 1})
    assert block._studio_field("max_attempts")["value"] == "3"  # noqa: SLF001 - the form
    block.max_attempts = 6
    block.save()
    assert block.quiz_settings().max_attempts == 6
    block.fields["max_attempts"].delete_from(block)  # Studio's "reset to default"
    assert block.max_attempts == 3
    sa = in_course('<competency_self_assessment graded="true"/>')
    sa.fields["graded"].delete_from(sa)
    assert sa.graded is False and sa.max_score() is None


@pytest.mark.parametrize("olx,name", [("<competency_self_assessment/>", "graded"),
                                      ("<data_security_quiz/>", "max_attempts")])
def test_an_inherited_value_is_not_exported(_django, olx, name):
    """A course export holds what the author set on the block, never an ancestor's value."""
    block = in_course(olx)
    getattr(block, name)  # read (and cached) before the export
    exported = export_olx(block)
    assert f"{name}=" not in exported
    again = parse_olx(exported)
    assert not again.fields[name].is_set_on(again)


def test_set_values_round_trip_through_olx(_django):
    sa = in_course('<competency_self_assessment graded="true"/>', {"graded": False})
    assert 'graded="true"' in export_olx(sa)
    quiz = in_course('<data_security_quiz max_attempts="0"/>', {"max_attempts": 1})
    exported = export_olx(quiz)
    assert 'max_attempts="0"' in exported
    assert in_course(exported, {"max_attempts": 1}).quiz_settings().max_attempts == 0
