"""Rows for the LMS Problem Responses report: one per learner and competence, readable by
HR without our help (role, unit, self level, expected level, gap, date).

``generate_report_data`` runs on an unbound block, so this module works from the raw user
state dict of each learner, never from the block's own user fields.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from competency_xblock.competency.assessment import Assessment, evaluate, read_assessment
from competency_xblock.competency.content import BlockContent
from competency_xblock.text import N_, UNREADABLE_COLUMN, pick_language

#: Column key -> English heading (translated by the block); order is the report's order.
COLUMNS = OrderedDict([
    ("role", N_("Role")),
    ("unit", N_("Unit")),
    ("area", N_("Competence area")),
    ("competence_id", N_("Competence id")),
    ("competence", N_("Competence")),
    ("self_level", N_("Self-rated level")),
    ("expected_level", N_("Expected level")),
    ("gap", N_("Gap (levels)")),
    ("status", N_("Status")),
    ("submitted", N_("Date")),
    ("assessment_number", N_("Assessment number")),
])
STATUS_TEXT = {
    "gap": N_("below expected"),
    "met": N_("as expected"),
    "above": N_("above expected"),
    "unknown": N_("don't know"),
}
#: Field names in the block's user state: every submitted assessment (the last is the
#: current one), and the copy of the current one that earlier versions kept beside it.
STATE_HISTORY = "history"
STATE_CURRENT = "assessment"


#: The row of a learner whose current assessment cannot be read (``UNREADABLE_COLUMN``).
ASSESSMENT_UNREADABLE = N_("This learner's stored self-assessment cannot be read: no levels "
                           "are shown. Staff can reset the learner's state.")


@dataclass(frozen=True)
class StoredAssessments:
    """What can be used of a learner's stored assessments (see :func:`read_assessments`)."""

    current: Assessment | None = None   # the current assessment, when it can be read
    raw: Mapping = field(default_factory=dict)   # its stored dict ({} when none or unreadable)
    previous: Assessment | None = None  # the one before it, when it can be read
    number: int = 0                     # assessments submitted (a legacy copy alone: 1)
    unreadable: bool = False            # a current assessment is stored but cannot be read
    history_readable: bool = True       # the history is a list (a new one can be appended)


def read_assessments(state: Any) -> StoredAssessments:
    """Read a learner's stored assessments defensively, never raising.

    The current assessment is the last entry of the history, or, in state written without
    one, the separate copy earlier versions kept.  One that is stored but cannot be read
    (``assessment.read_assessment``; a history that is not a list) makes ``unreadable``:
    the learner did submit, but nothing of it can be shown or counted."""
    if not isinstance(state, Mapping):
        return StoredAssessments()
    history = state.get(STATE_HISTORY)
    if history is not None and not isinstance(history, list):
        return StoredAssessments(number=1, unreadable=True, history_readable=False)
    history = history or []
    if history:
        raw, number = history[-1], len(history)
        previous = read_assessment(history[-2]) if len(history) > 1 else None
    else:
        raw, number, previous = state.get(STATE_CURRENT), 1, None
        if not raw:   # None or {} (the field's default): nothing submitted
            return StoredAssessments()
    current = read_assessment(raw)
    if current is None:
        return StoredAssessments(previous=previous, number=number, unreadable=True)
    return StoredAssessments(current, raw, previous, number)


def current_assessment(state: Any) -> Mapping:
    """The stored dict of the learner's current assessment in a user state (see
    :func:`read_assessments`); {} if none, or if it cannot be read."""
    return read_assessments(state).raw


def rows_for_state(content: BlockContent, state: Any, language: str | None = None,
                   gettext: Callable[[str], str] = lambda s: s,
                   headings: bool = True) -> Iterator[OrderedDict]:
    """One row per competence of the learner's current assessment (none if not submitted;
    one marked row if it cannot be read, see :func:`read_assessments`)."""
    stored = read_assessments(state)
    if stored.unreadable:
        values = dict.fromkeys(COLUMNS, "")
        values["assessment_number"] = stored.number
        row = OrderedDict((gettext(COLUMNS[key]) if headings else key, values[key])
                          for key in COLUMNS)
        row[gettext(UNREADABLE_COLUMN) if headings else "unreadable"] = \
            gettext(ASSESSMENT_UNREADABLE)
        yield row
        return
    assessment = stored.current
    if assessment is None:
        return
    framework = content.framework
    number = stored.number
    role = content.role(assessment.role)
    unit = content.unit(assessment.unit)
    for row in evaluate(framework, assessment).rows:
        comp = framework.competence(row.competence)
        area = framework.area(row.area)
        values = {
            "role": pick_language(role.title, language) if role else assessment.role,
            "unit": pick_language(unit.title, language) if unit else (assessment.unit or ""),
            "area": pick_language(area.title, language) if area else row.area,
            "competence_id": row.competence,
            "competence": pick_language(comp.title, language),
            "self_level": (framework.label(row.self_level, language) if row.self_level
                           else gettext(STATUS_TEXT["unknown"])),
            "expected_level": framework.label(row.expected_level, language),
            "gap": "" if row.gap is None else row.gap,
            "status": gettext(STATUS_TEXT[row.status]),
            "submitted": assessment.submitted_at[:10],
            "assessment_number": number,
        }
        yield OrderedDict((gettext(COLUMNS[key]) if headings else key, values[key])
                          for key in COLUMNS)
