"""Ratings, gaps, strengths and change since the previous assessment.

An :class:`Assessment` snapshots the role's expected levels at submit time, so history and
HR reports keep their meaning when an author later changes a profile.  Gap = expected rank
minus self-rated rank: positive is a gap, zero is met, negative is above the expectation.
"don't know" is neither; it is listed so the learner can clarify it with their manager.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from competency_xblock.competency.content import BlockContent, Reassessment
from competency_xblock.competency.errors import ProblemsError
from competency_xblock.competency.framework import DONT_KNOW, Framework
from competency_xblock.text import N_, UserFacingError

GAP, MET, ABOVE, UNKNOWN = "gap", "met", "above", "unknown"
#: Most assessments kept per learner and block (oldest dropped first).
MAX_HISTORY = 50
#: How long after a submission the same role, unit and ratings sent again count as that
#: submission (a retried request, a double click, the form submitted in a second tab) rather
#: than as a new assessment: see :func:`is_replay`.
REPLAY_WINDOW = timedelta(minutes=10)


def check_ratings(content: BlockContent, role_id: str | None, unit_id: str | None,
                  ratings: Mapping[str, str], complete: bool) -> dict[str, str]:
    """Check a ratings payload; return it in framework order or raise :class:`ProblemsError`.

    ``complete`` (submit) needs every competence of the role rated or "don't know"; a draft
    may be partial.  Ids are checked either way, so a draft never stores rubbish.
    """
    found: list[UserFacingError] = []
    role = content.role(role_id)
    if not role_id:
        found.append(UserFacingError(N_("Choose your role."), path="/role"))
    elif role is None:
        found.append(UserFacingError(N_("Unknown role \"{role}\"; choose one from the list."),
                                     path="/role", role=role_id))
    if content.fixed_role and role_id != content.fixed_role:
        found.append(UserFacingError(N_("This block is for the role \"{role}\" only."),
                                     path="/role", role=content.fixed_role))
    if content.units:
        if unit_id is None:
            if complete:
                found.append(UserFacingError(N_("Choose your organisational unit."),
                                             path="/unit"))
        elif content.unit(unit_id) is None:
            found.append(UserFacingError(N_("Unknown unit \"{unit}\"; choose one from the list."),
                                         path="/unit", unit=unit_id))
    elif unit_id:
        found.append(UserFacingError(N_("This block has no organisational units to choose."),
                                     path="/unit"))
    if content.fixed_unit and unit_id not in (None, content.fixed_unit):
        found.append(UserFacingError(N_("This block is for the unit \"{unit}\" only."),
                                     path="/unit", unit=content.fixed_unit))
    if role is None:
        raise ProblemsError(found)
    expected = content.expected(role.id)
    framework = content.framework
    for comp_id, value in ratings.items():
        where = f"/ratings/{comp_id}"
        if framework.competence(comp_id) is None:
            found.append(UserFacingError(
                N_("Unknown competence \"{competence}\": it is not in the framework."),
                path=where, competence=comp_id))
        elif comp_id not in expected:
            found.append(UserFacingError(
                N_("Competence \"{competence}\" is not assessed for this role."),
                path=where, competence=comp_id))
        if value != DONT_KNOW and framework.level(value) is None:
            found.append(UserFacingError(
                N_("\"{value}\" is not a level on the scale; use one of: {allowed}."),
                path=where, value=value,
                allowed=", ".join(framework.level_ids + [DONT_KNOW])))
    if complete:
        for comp_id in expected:
            if comp_id not in ratings:
                found.append(UserFacingError(
                    N_("Rate \"{competence}\" or choose \"don't know\"."),
                    path=f"/ratings/{comp_id}", competence=comp_id))
    if found:
        raise ProblemsError(found)
    return {c: ratings[c] for c in framework.competence_ids if c in ratings}


@dataclass(frozen=True)
class Assessment:
    role: str
    unit: str | None
    ratings: Mapping[str, str]
    expected: Mapping[str, str]
    submitted_at: str  # ISO 8601, UTC
    framework_id: str = ""

    @classmethod
    def create(cls, content: BlockContent, role: str, unit: str | None,
               ratings: Mapping[str, str], now: datetime | None = None) -> Assessment:
        """A submitted assessment (ratings already checked by :func:`check_ratings`)."""
        now = now or datetime.now(UTC)
        return cls(role=role, unit=unit, ratings=dict(ratings),
                   expected=content.expected(role), submitted_at=_iso(now),
                   framework_id=content.framework.id)

    def to_dict(self) -> dict:
        return {"role": self.role, "unit": self.unit, "ratings": dict(self.ratings),
                "expected": dict(self.expected), "submitted_at": self.submitted_at,
                "framework_id": self.framework_id}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Assessment:
        """A stored assessment; raises :class:`ValueError` when it cannot be read (use
        :func:`read_assessment` to get None instead)."""
        assessment = read_assessment(data)
        if assessment is None:
            raise ValueError("a stored assessment that cannot be read")
        return assessment

    @property
    def submitted(self) -> datetime | None:
        return parse_time(self.submitted_at)


def _text_map(value: Any) -> bool:
    return isinstance(value, Mapping) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items())


def read_assessment(data: Any) -> Assessment | None:
    """A stored assessment (a history entry, or the copy earlier versions kept), or None
    when it cannot be read: not a dict, or a value of the wrong type (ratings or expected
    levels not a dict of texts, a role, unit, date or framework id not a text).  A missing
    key has its default, as earlier versions wrote fewer; this is the one reader of the
    structure (the block, its report and the HR report)."""
    if not isinstance(data, Mapping):
        return None
    role, unit = data.get("role", ""), data.get("unit")
    ratings, expected = data.get("ratings", {}), data.get("expected", {})
    submitted_at, framework_id = data.get("submitted_at", ""), data.get("framework_id", "")
    if not (isinstance(role, str) and (unit is None or isinstance(unit, str))
            and _text_map(ratings) and _text_map(expected) and isinstance(submitted_at, str)
            and isinstance(framework_id, str)):
        return None
    return Assessment(role=role, unit=unit, ratings=dict(ratings), expected=dict(expected),
                      submitted_at=submitted_at, framework_id=framework_id)


def read_draft(data: Any) -> dict:
    """A stored draft as the block uses it, or {} when it cannot be read (a draft is only
    ever a convenience: the form then starts from the current assessment)."""
    if not isinstance(data, Mapping):
        return {}
    role, unit, ratings = data.get("role"), data.get("unit"), data.get("ratings", {})
    if not ((role is None or isinstance(role, str)) and (unit is None or isinstance(unit, str))
            and _text_map(ratings)):
        return {}
    return dict(data)


@dataclass(frozen=True)
class Row:
    competence: str
    area: str
    self_level: str | None  # None = don't know
    expected_level: str
    self_rank: int | None
    expected_rank: int
    gap: int | None
    status: str


@dataclass(frozen=True)
class Evaluation:
    rows: list[Row]
    gaps: list[Row] = field(default_factory=list)       # biggest gap first
    strengths: list[Row] = field(default_factory=list)  # met or above, biggest surplus first
    unknown: list[Row] = field(default_factory=list)    # "don't know"

    @property
    def gap_total(self) -> int:
        return sum(r.gap for r in self.gaps)


def evaluate(framework: Framework, assessment: Assessment) -> Evaluation:
    """Compare self-rated with expected levels; competences or levels an author has since
    removed from the framework are skipped."""
    rows = []
    for comp_id, expected_level in assessment.expected.items():
        comp = framework.competence(comp_id)
        if comp is None or framework.level(expected_level) is None:
            continue
        rated = assessment.ratings.get(comp_id, DONT_KNOW)
        expected_rank = framework.rank(expected_level)
        if rated == DONT_KNOW or framework.level(rated) is None:
            rows.append(Row(comp_id, comp.area_id, None, expected_level, None, expected_rank,
                            None, UNKNOWN))
            continue
        self_rank = framework.rank(rated)
        gap = expected_rank - self_rank
        status = GAP if gap > 0 else MET if gap == 0 else ABOVE
        rows.append(Row(comp_id, comp.area_id, rated, expected_level, self_rank, expected_rank,
                        gap, status))
    rows.sort(key=lambda r: framework.order(r.competence))
    gaps = sorted((r for r in rows if r.status == GAP), key=lambda r: -r.gap)
    strengths = sorted((r for r in rows if r.status in (MET, ABOVE)), key=lambda r: r.gap)
    unknown = [r for r in rows if r.status == UNKNOWN]
    return Evaluation(rows=rows, gaps=gaps, strengths=strengths, unknown=unknown)


@dataclass(frozen=True)
class Change:
    competence: str
    before: str | None  # None = not rated or "don't know" then
    after: str | None
    delta: int | None   # rank after - rank before; None if either is unknown


def diff(framework: Framework, previous: Assessment, current: Assessment) -> list[Change]:
    """Per competence of the current assessment: the self-rating then and now."""
    changes = []
    for comp_id in current.expected:
        if framework.competence(comp_id) is None:
            continue
        before = _level_or_none(framework, previous.ratings.get(comp_id))
        after = _level_or_none(framework, current.ratings.get(comp_id))
        delta = (framework.rank(after) - framework.rank(before)
                 if before is not None and after is not None else None)
        changes.append(Change(comp_id, before, after, delta))
    return changes


def _level_or_none(framework: Framework, value: str | None) -> str | None:
    return value if value and framework.level(value) is not None else None


@dataclass(frozen=True)
class ReassessDecision:
    allowed: bool
    not_before: str | None = None  # ISO time from when it is allowed (after_days only)


def can_reassess(policy: Reassessment, last_submitted_at: str | None,
                 now: datetime | None = None) -> ReassessDecision:
    """May the learner submit again? The first submission is always allowed."""
    if not last_submitted_at:
        return ReassessDecision(True)
    if policy.mode == "never":
        return ReassessDecision(False)
    if policy.mode == "anytime":
        return ReassessDecision(True)
    last = parse_time(last_submitted_at) or datetime.min.replace(tzinfo=UTC)
    not_before = last + timedelta(days=policy.days)
    now = now or datetime.now(UTC)
    return ReassessDecision(now >= not_before, _iso(not_before))


def is_replay(latest: Mapping[str, Any] | None, role: str | None, unit: str | None,
              ratings: Mapping[str, str], now: datetime | None = None,
              window: timedelta = REPLAY_WINDOW) -> bool:
    """Whether a submit of ``ratings`` for ``role`` and ``unit`` repeats ``latest``, the
    learner's current assessment: the same role, unit and ratings, submitted at most
    ``window`` ago (either way: servers' clocks differ a little).

    Decided from what is stored, without an id from the client: a second tab, the mobile app
    and a page loaded before an upgrade send the same ratings but no shared id.  Bounded, so an
    identical assessment days later is a new one (the reassessment policy decides on it); within
    the window an identical one would add nothing but a copy to the history and the figures.
    """
    if not isinstance(latest, Mapping) or not latest:
        return False
    if latest.get("role") != role or latest.get("unit") != unit:
        return False
    if latest.get("ratings") != ratings:
        return False
    submitted_at = latest.get("submitted_at")
    submitted = parse_time(submitted_at) if isinstance(submitted_at, str) else None
    if submitted is None:
        return False
    now = now or datetime.now(UTC)
    return abs(now - submitted) <= window


def append_history(history: list[dict], assessment: Assessment) -> list[dict]:
    """History with ``assessment`` added, capped at :data:`MAX_HISTORY` (oldest dropped)."""
    return (list(history) + [assessment.to_dict()])[-MAX_HISTORY:]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace(
        "+00:00", "Z")


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
