"""When graded work closes: the LMS deadline, as Open edX problems honour it.

In the LMS and Studio every block gets edx-platform's ``InheritanceMixin``
(xmodule/modulestore/inheritance.py): the inherited settings ``due``, ``graceperiod`` and
``self_paced``, the property ``close_date`` (``due`` plus ``graceperiod``) and the methods
``is_past_due()`` and ``has_deadline_passed()`` (False in a self-paced course or without a
close date, else "now is after the close date").  A learner's personal due date extension
reaches the block as its ``due``.  A runtime without the mixin (the bare xblock-sdk
workbench) has no deadline, so there the blocks never close; this is what
xblock-drag-and-drop-v2 does (``if hasattr(self, "has_deadline_passed")``).

The rules are pure functions (:func:`close_date`, :func:`deadline_passed`), so they are
tested without XBlock; :func:`block_deadline` reads a block and never raises: a value the
runtime gives in an odd form (a naive datetime, ISO text, a graceperiod of None) is read as
well as it can be, and one that cannot be read counts as not set.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from competency_xblock.core.formatting import format_datetime
from competency_xblock.text import UserFacingError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Deadline:
    """Whether the block's deadline has passed, and when it closes (UTC; None: unknown or
    no deadline)."""

    passed: bool = False
    close_date: datetime | None = None


#: No deadline: the block stays open.
OPEN = Deadline()


def as_utc(value) -> datetime | None:
    """``value`` as an aware UTC datetime: a datetime (naive ones are UTC, as Open edX stores
    them), a date (its midnight) or ISO text; None for anything else."""
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            return None
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return None


def as_timedelta(value) -> timedelta | None:
    """A grace period: a timedelta, or seconds as a number; None for anything else."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and value == value:
        try:
            return timedelta(seconds=value)
        except OverflowError:
            return None
    return None


def close_date(due, graceperiod=None) -> datetime | None:
    """The LMS ``close_date``: ``due`` plus ``graceperiod`` (none: ``due`` itself); None
    without a readable ``due``."""
    closes = as_utc(due)
    if closes is None:
        return None
    grace = as_timedelta(graceperiod)
    if grace:
        try:
            closes = closes + grace
        except OverflowError:
            closes = datetime.max.replace(tzinfo=UTC) if grace > timedelta(0) \
                else datetime.min.replace(tzinfo=UTC)
    return closes


def deadline_passed(due, graceperiod=None, self_paced=False, now=None) -> bool:
    """The LMS ``has_deadline_passed``: False in a self-paced course or without a close
    date; else whether ``now`` (default: the current time) is after the close date."""
    if _is_true(self_paced):
        return False
    closes = close_date(due, graceperiod)
    if closes is None:
        return False
    current = as_utc(now) if now is not None else datetime.now(UTC)
    return current is not None and current > closes


def _is_true(value) -> bool:
    """``self_paced`` as the Boolean field means it ("true" as text counts too)."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return isinstance(value, bool | int) and bool(value)


def _read(block, name: str):
    try:
        return getattr(block, name, None)
    except Exception:  # noqa: BLE001 - a stored value the field cannot read counts as unset
        log.warning("Deadline: cannot read %s of %s", name, _usage(block))
        return None


def _usage(block) -> str:
    return str(getattr(getattr(block, "scope_ids", None), "usage_id", type(block).__name__))


def block_deadline(block, now=None) -> Deadline:
    """The deadline the runtime gives ``block``; never raises.

    With the LMS mixin (a callable ``has_deadline_passed``), its answer decides, as the LMS's
    own problems do; should it fail on an odd value, the same rule is applied here to the
    block's ``due``, ``graceperiod`` and ``self_paced``.  Without the mixin the block is
    open.  The close date shown to the learner is the runtime's ``close_date`` when it can
    be read, else ``due`` plus ``graceperiod``.
    """
    has_deadline_passed = _read(block, "has_deadline_passed")
    if not callable(has_deadline_passed):
        return OPEN
    try:
        passed = bool(has_deadline_passed())
    except Exception:  # noqa: BLE001 - e.g. a naive due compared with an aware "now"
        log.warning("Deadline: has_deadline_passed() failed on %s; applying the rule here",
                    _usage(block), exc_info=True)
        passed = deadline_passed(_read(block, "due"), _read(block, "graceperiod"),
                                 _read(block, "self_paced"), now)
    # Only the fields needed are read, ``due`` first: without a due date nothing else is
    # (a field read is a database query in the workbench; in the LMS the inherited settings
    # come with the block)
    closes = as_utc(_read(block, "close_date"))
    if closes is None:
        due = _read(block, "due")
        if due is not None:
            closes = close_date(due, _read(block, "graceperiod"))
    return Deadline(passed=passed, close_date=closes)


def closed_message(deadline: Deadline, dated: str, undated: str,
                   language: str | None) -> UserFacingError:
    """Why the block takes no more answers: ``dated`` (an ``N_`` message with ``{date}``)
    with the close date as ``language`` writes it, or ``undated`` when the date is not known.
    Raised by a handler it is HTTP 400 in the learner's language; ``render(gettext)`` gives
    the text for a view."""
    if deadline.close_date is None:
        return UserFacingError(undated)
    return UserFacingError(dated, date=format_datetime(deadline.close_date, language))
