"""Settings whose names Open edX inherits down the course tree, kept to the block's own value.

In the LMS and Studio every block class is mixed with edx-platform's ``InheritanceMixin``
(xmodule/modulestore/inheritance.py), and the field data (``InheritingFieldData.default``)
gives a block's *unset* field the value the nearest ancestor set for the same name, for every
name of that mixin - by name alone, whatever the block's own field means.  Three of our
settings share such a name:

- the self-assessment's ``graded`` (participation credit) would become true in every graded
  subsection, although the author never chose it;
- the quiz's ``max_attempts`` would take the course-wide CAPA *Maximum Attempts* of
  *Advanced Settings* (where "unset" means unlimited, and a number is meant for problems);
- the atlas exercise's ``max_attempts`` (picks per scenario, 0-10) would take the same number,
  even one outside its range.

Fields made with :class:`OwnBoolean` / :class:`OwnInteger` read the block's own value when it
is set on the block (OLX attribute, Studio) and otherwise their own documented default, never
an inherited one.  The inherited value is not stored on the block (``field.is_set_on(block)``
is False for it), so OLX export and Studio work as before.  A test checks that every field of
our blocks named in :data:`INHERITED_BY_OPEN_EDX` is one of these.
"""
from __future__ import annotations

from xblock.fields import Boolean, Integer

#: The field names of edx-platform's ``InheritanceMixin``, the current ones and those of
#: earlier releases (a course may still hold values set under them).
INHERITED_BY_OPEN_EDX = frozenset({
    "annotation_storage_url", "annotation_token_secret", "course_edit_method",
    "days_early_for_beta", "due", "edxnotes", "edxnotes_visibility", "giturl", "graceperiod",
    "graded", "group_access", "hide_from_toc", "in_entrance_exam", "matlab_api_key",
    "max_attempts", "relative_weeks_due", "rerandomize", "self_paced", "show_correctness",
    "show_reset_button", "showanswer", "start", "static_asset_path", "text_customization",
    "use_latex_compiler", "user_partitions", "video_auto_advance", "video_bumper",
    "video_speed_optimizations", "visible_to_staff_only", "xqa_key",
})


class NotInheritedMixin:
    """Mix into an XBlock field class, before it: a value not set on the block is the field's
    own default, not the default the runtime's field data offers (in Open edX: an
    ancestor's value for an inheritable name)."""

    def _get_default_value_to_cache(self, xblock):
        # XBlock's Field asks ``xblock._field_data.default(xblock, name)`` here first; that
        # is where InheritingFieldData returns the ancestor's value.
        return self.default


class OwnBoolean(NotInheritedMixin, Boolean):
    """A Boolean setting that is never inherited from a parent in Open edX."""


class OwnInteger(NotInheritedMixin, Integer):
    """An Integer setting that is never inherited from a parent in Open edX."""
