"""The domain events the three blocks hand to :func:`competency_xblock.xapi.emit`.

Plain frozen dataclasses: the XBlock layer fills them from what the pure packages computed,
and :mod:`.statements` turns each into exactly one xAPI statement.  They carry what the
statement needs and nothing else; which of the learner's identifiers are actually sent is the
operator's choice (see :class:`Learner`).

``occurred_at`` is taken once, when the event object is created (UTC, milliseconds), and
travels with the event: a statement rebuilt from the same event is byte-identical.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from competency_xblock.text import LocalizedText


def now() -> datetime:
    """The current time in UTC, truncated to milliseconds (what a statement can carry)."""
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def utc_ms(moment: datetime) -> datetime:
    """``moment`` in UTC with millisecond precision; naive datetimes are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("occurred_at needs a timezone (use events.now())")
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


@dataclass(frozen=True, kw_only=True)
class Learner:
    """Who acted.  Only ``anonymous_id`` is sent unless the operator opts in.

    The block may fill the other fields; the statement builder drops each one the operator
    has not enabled in ``XBLOCK_SETTINGS`` (``xapi_actor``, ``xapi_actor_name``), so they
    never reach the outbox or the LRS, and they are never published to the tracking log.
    """

    anonymous_id: str
    username: str | None = None
    email: str | None = None
    full_name: str | None = None


@dataclass(frozen=True, kw_only=True)
class ScaleLevel:
    """One point of a competence's level scale (likert component)."""

    id: str
    label: LocalizedText


@dataclass(frozen=True, kw_only=True)
class ChoiceOption:
    """One answer option of a question (choice component)."""

    id: str
    text: LocalizedText


@dataclass(frozen=True, kw_only=True)
class Event:
    """What every event has.

    ``usage_key``: the block's usage id (``str(self.scope_ids.usage_id)``).
    ``language``: the learner's UI language ("da"/"en"); labels for plain-str content.
    ``course_key``: optional; derived from a ``block-v1:`` usage key when omitted.
    ``block_title``: the block's display name (the parent activity's name).
    """

    kind: ClassVar[str] = ""
    usage_key: str
    learner: Learner
    occurred_at: datetime = field(default_factory=now)
    language: str = "en"
    course_key: str | None = None
    block_title: LocalizedText = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "occurred_at", utc_ms(self.occurred_at))
        if not self.usage_key or not self.learner.anonymous_id:
            raise ValueError("usage_key and learner.anonymous_id are required")


@dataclass(frozen=True, kw_only=True)
class SelfRated(Event):
    """The learner rated themself on one competence (one event per competence rated).

    ``assessment_id`` identifies the submission of the whole self-assessment (a uuid or the
    submission counter): re-submitting makes new statements, a retried request does not.
    ``self_level`` is a level id from ``levels`` or None for "don't know".
    ``gap`` = expected rank - self rank (positive = below expectation), None when unknown.
    """

    kind: ClassVar[str] = "self_rated"
    assessment_id: str
    competence_id: str
    competence_title: LocalizedText
    levels: tuple[ScaleLevel, ...]
    self_level: str | None
    expected_level: str | None = None
    self_rank: int | None = None
    expected_rank: int | None = None
    gap: int | None = None
    framework_id: str = ""
    competence_iri: str | None = None  # the framework's own IRI for the competence, if any
    role_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class QuizAnswered(Event):
    """One question of a submitted quiz attempt.

    ``credit`` is the question's score in [0, 1] (partial credit for multiple response).
    """

    kind: ClassVar[str] = "quiz_answered"
    attempt_id: str
    attempt: int
    question_id: str
    question_text: LocalizedText
    choices: tuple[ChoiceOption, ...]
    response_ids: tuple[str, ...]
    correct_ids: tuple[str, ...]
    success: bool
    credit: float


@dataclass(frozen=True, kw_only=True)
class QuizCompleted(Event):
    """The outcome of a submitted quiz attempt.

    ``success`` True/False gives passed/failed; None (no pass mark) gives completed.
    ``mastery`` is the pass mark as a fraction (0..1), ``scaled`` defaults to raw/max.
    """

    kind: ClassVar[str] = "quiz_completed"
    attempt_id: str
    attempt: int
    raw: float
    max: float
    min: float = 0
    scaled: float | None = None
    success: bool | None = None
    mastery: float | None = None
    duration_seconds: float | None = None
    question_count: int | None = None


@dataclass(frozen=True, kw_only=True)
class AtlasSearched(Event):
    """The learner searched the service atlas.  The query is personal data (free text).

    ``search_id`` identifies the search when the block has one; otherwise the statement id is
    derived from the time, the task and the query.
    """

    kind: ClassVar[str] = "atlas_searched"
    query: str
    hit_count: int
    scenario_id: str | None = None
    search_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class AtlasAnswered(Event):
    """The learner referred a practice case ("scenario") to a unit/service."""

    kind: ClassVar[str] = "atlas_answered"
    scenario_id: str
    attempt: int
    picked_id: str
    correct: bool
    correct_ids: tuple[str, ...] = ()
    scenario_title: LocalizedText = ""
    choices: tuple[ChoiceOption, ...] = ()
    searches_used: int | None = None
    duration_seconds: float | None = None


EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls for cls in (SelfRated, QuizAnswered, QuizCompleted, AtlasSearched,
                              AtlasAnswered)
}
NESTED = {"learner": Learner, "levels": ScaleLevel, "choices": ChoiceOption}


# ---- plain-data form (tracking log / event-routing-backends) ---------------------------
def to_payload(event: Event) -> dict[str, Any]:
    """JSON-ready dict of ``event`` plus ``kind``; the learner is reduced to the anonymous id."""
    data: dict[str, Any] = {"kind": event.kind}
    for f in dataclasses.fields(event):
        value = getattr(event, f.name)
        if f.name == "learner":
            value = {"anonymous_id": value.anonymous_id}
        elif f.name == "occurred_at":
            value = value.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        elif isinstance(value, tuple):
            value = [dataclasses.asdict(v) if dataclasses.is_dataclass(v) else v for v in value]
        elif isinstance(value, Mapping):
            value = dict(value)
        data[f.name] = value
    return data


def from_payload(data: Mapping[str, Any]) -> Event:
    """Inverse of :func:`to_payload` (raises ``ValueError`` for an unknown kind or field)."""
    try:
        cls = EVENT_TYPES[data["kind"]]
    except KeyError as exc:
        raise ValueError(f"unknown event kind: {data.get('kind')!r}") from exc
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key == "kind":
            continue
        if key not in names:
            raise ValueError(f"unknown field {key!r} for {cls.kind}")
        if key == "occurred_at":
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        elif key in NESTED:
            nested = NESTED[key]
            value = nested(**value) if key == "learner" else tuple(nested(**v) for v in value)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[key] = value
    return cls(**kwargs)
