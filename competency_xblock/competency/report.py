"""Rows for the LMS Problem Responses report: one per learner and competence, readable by
HR without our help (role, unit, self level, expected level, gap, date).

``generate_report_data`` runs on an unbound block, so this module works from the raw user
state dict of each learner, never from the block's own user fields.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping

from competency_xblock.competency.assessment import Assessment, evaluate
from competency_xblock.competency.content import BlockContent
from competency_xblock.text import N_, pick_language

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


def current_assessment(state: Mapping) -> dict:
    """The learner's current assessment in a user state: the last entry of the history, or,
    in state written without one, the separate copy earlier versions kept; {} if none."""
    history = state.get(STATE_HISTORY)
    if isinstance(history, list) and history and isinstance(history[-1], dict):
        return history[-1]
    current = state.get(STATE_CURRENT)
    return current if isinstance(current, dict) else {}


def rows_for_state(content: BlockContent, state: Mapping, language: str | None = None,
                   gettext: Callable[[str], str] = lambda s: s,
                   headings: bool = True) -> Iterator[OrderedDict]:
    """One row per competence of the learner's current assessment (none if not submitted)."""
    raw = current_assessment(state)
    if not raw:
        return
    assessment = Assessment.from_dict(raw)
    framework = content.framework
    number = len(state.get(STATE_HISTORY) or []) or 1
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
