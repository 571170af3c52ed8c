"""When graded work closes (core/deadline.py): the LMS rule, without XBlock."""
from __future__ import annotations

import gettext
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from competency_xblock.core.deadline import (
    OPEN,
    Deadline,
    as_utc,
    block_deadline,
    close_date,
    closed_message,
    deadline_passed,
)

DUE = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
LOCALE = Path(__file__).resolve().parents[2] / "competency_xblock" / "translations"


def at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 6, 30, hour, minute, second, tzinfo=UTC)


# --- the rule ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("due", "grace", "now", "passed"), [
    (DUE, None, at(11, 59), False),                      # before the due date
    (DUE, None, at(12), False),                          # at it: not yet after it
    (DUE, None, at(12, 0, 1), True),                     # due date passed
    (DUE, timedelta(hours=2), at(13), False),            # passed, but within the grace period
    (DUE, timedelta(hours=2), at(14), False),
    (DUE, timedelta(hours=2), at(14, 0, 1), True),       # after the grace period
    (DUE, timedelta(0), at(12, 0, 1), True),             # a zero grace period
    (None, None, at(23), False),                         # no due date: never closes
    (None, timedelta(days=1), at(23), False),            # a grace period alone: no deadline
])
def test_deadline_passed(due, grace, now, passed):
    assert deadline_passed(due, grace, False, now) is passed


@pytest.mark.parametrize("self_paced", [True, "true", "True", 1])
def test_self_paced_courses_never_close(self_paced):
    assert deadline_passed(DUE, None, self_paced, at(23)) is False


@pytest.mark.parametrize("self_paced", [False, None, "false", 0, "", object()])
def test_other_self_paced_values_are_instructor_paced(self_paced):
    assert deadline_passed(DUE, None, self_paced, at(23)) is True


def test_close_date_is_due_plus_grace():
    assert close_date(DUE) == DUE
    assert close_date(DUE, None) == DUE
    assert close_date(DUE, timedelta(days=1, hours=2)) == datetime(2026, 7, 1, 14, tzinfo=UTC)
    assert close_date(DUE, 3600) == at(13)                # seconds, as a number
    assert close_date(None, timedelta(days=1)) is None


@pytest.mark.parametrize("odd_grace", ["2 days", [], {}, True, float("nan"), object()])
def test_a_grace_period_that_cannot_be_read_counts_as_none(odd_grace):
    assert close_date(DUE, odd_grace) == DUE


def test_a_grace_period_past_the_calendar_never_closes():
    assert close_date(DUE, timedelta(days=999_999_999)) == datetime.max.replace(tzinfo=UTC)
    assert deadline_passed(DUE, timedelta(days=999_999_999), False, at(23)) is False


@pytest.mark.parametrize(("value", "expected"), [
    (datetime(2026, 6, 30, 12), DUE),                                    # naive: UTC
    (datetime(2026, 6, 30, 14, tzinfo=timezone(timedelta(hours=2))), DUE),
    ("2026-06-30T12:00:00Z", DUE),
    ("2026-06-30T14:00:00+02:00", DUE),
    ("2026-06-30T12:00:00", DUE),
    (date(2026, 6, 30), datetime(2026, 6, 30, tzinfo=UTC)),
    ("2026-06-30", datetime(2026, 6, 30, tzinfo=UTC)),
    ("next friday", None), ("", None), (None, None), (1234, None), (object(), None),
])
def test_dates_in_every_form_a_runtime_may_give(value, expected):
    assert as_utc(value) == expected


def test_naive_due_and_now_are_utc():
    naive_due = datetime(2026, 6, 30, 12)
    assert deadline_passed(naive_due, None, False, datetime(2026, 6, 30, 12, 0, 1)) is True
    assert deadline_passed(naive_due, None, False, at(11)) is False
    assert deadline_passed(DUE, None, False, datetime(2026, 6, 30, 11)) is False


def test_without_now_the_current_time_counts():
    assert deadline_passed(datetime(2000, 1, 1, tzinfo=UTC)) is True
    assert deadline_passed(datetime(2999, 1, 1, tzinfo=UTC)) is False


# --- reading a block ---------------------------------------------------------------------------

class LmsLike:
    """A block with the LMS's InheritanceMixin: fields and methods as in edx-platform."""

    def __init__(self, due=None, graceperiod=None, self_paced=False, now=at(13)):
        self.due, self.graceperiod, self.self_paced, self._now = due, graceperiod, self_paced, now

    @property
    def close_date(self):
        if self.graceperiod is not None and self.due:
            return self.due + self.graceperiod
        return self.due

    def is_past_due(self):
        return self.close_date is not None and self._now > self.close_date

    def has_deadline_passed(self):
        if self.self_paced or self.close_date is None:
            return False
        return self.is_past_due()


def test_the_lms_mixin_decides():
    assert block_deadline(LmsLike(due=DUE)) == Deadline(passed=True, close_date=DUE)
    assert block_deadline(LmsLike(due=DUE, graceperiod=timedelta(hours=2))) == \
        Deadline(passed=False, close_date=at(14))
    assert block_deadline(LmsLike(due=DUE, self_paced=True)) == \
        Deadline(passed=False, close_date=DUE)
    assert block_deadline(LmsLike()) == Deadline(passed=False, close_date=None)


def test_the_lms_answer_wins_over_our_rule():
    """A learner's personal extension, or anything else the LMS knows, reaches us through its
    answer: it is not recomputed here."""

    class Extended(LmsLike):
        def has_deadline_passed(self):
            return False

    assert block_deadline(Extended(due=DUE), now=at(23)).passed is False

    class ClosedWithoutDate(LmsLike):
        def has_deadline_passed(self):
            return True

    assert block_deadline(ClosedWithoutDate()) == Deadline(passed=True, close_date=None)


def test_a_runtime_without_the_mixin_never_closes():
    class Bare:
        pass

    assert block_deadline(Bare()) is OPEN

    class PatchedBySdk:
        """The xblock-sdk workbench sets these plain attributes on every block it renders
        (for the LTI consumer XBlock): a naive "now" as due, no method."""

        due = datetime(2000, 1, 1)
        graceperiod = timedelta(0)

    assert block_deadline(PatchedBySdk(), now=at(23)) is OPEN

    class NotCallable:
        has_deadline_passed = True
        due = datetime(2000, 1, 1)

    assert block_deadline(NotCallable()) is OPEN


def test_a_failing_lms_method_falls_back_to_the_rule():
    # A naive due in an LMS that compares with an aware "now": TypeError in the LMS's method.
    class NaiveDue(LmsLike):
        def is_past_due(self):
            return self.close_date is not None and at(13) > self.close_date

    naive = NaiveDue(due=datetime(2026, 6, 30, 12))
    with pytest.raises(TypeError):
        naive.has_deadline_passed()
    assert block_deadline(naive, now=at(13)) == Deadline(passed=True, close_date=DUE)
    assert block_deadline(naive, now=at(11)) == Deadline(passed=False, close_date=DUE)
    assert block_deadline(NaiveDue(due=datetime(2026, 6, 30, 12), self_paced=True),
                          now=at(13)).passed is False


def test_attributes_that_cannot_be_read_count_as_unset():
    class Broken:
        @property
        def due(self):
            raise TypeError("value due has bad value")

        @property
        def graceperiod(self):
            raise ValueError("bad")

        @property
        def close_date(self):
            raise TypeError("cannot add")

        def has_deadline_passed(self):
            raise RuntimeError("no course")

    assert block_deadline(Broken(), now=at(23)) == Deadline(passed=False, close_date=None)

    class OddCloseDate(LmsLike):
        close_date = "not a date"

    assert block_deadline(OddCloseDate(due=DUE)) == Deadline(passed=True, close_date=DUE)

    class GraceNone(LmsLike):
        @property
        def close_date(self):
            return self.due + self.graceperiod      # TypeError with a None grace period

    assert block_deadline(GraceNone(due=DUE)) == Deadline(passed=True, close_date=DUE)


# --- the learner's message ---------------------------------------------------------------------

DATED = "This quiz closed on {date}. You can no longer start or submit an attempt."
UNDATED = "This quiz has closed. You can no longer start or submit an attempt."


def test_closed_message_in_both_languages():
    danish = gettext.translation("text", localedir=str(LOCALE), languages=["da"]).gettext
    closed = Deadline(passed=True, close_date=datetime(2026, 12, 3, 22, 59, tzinfo=UTC))
    assert closed_message(closed, DATED, UNDATED, "en").render() == \
        "This quiz closed on 3 December 2026, 22:59 UTC. You can no longer start or submit " \
        "an attempt."
    assert closed_message(closed, DATED, UNDATED, "da").render(danish) == \
        "Quizzen lukkede den 3. december 2026 kl. 22.59 UTC. Du kan ikke længere starte " \
        "eller aflevere et forsøg."
    undated = Deadline(passed=True)
    assert closed_message(undated, DATED, UNDATED, "da").render(danish) == \
        "Quizzen er lukket. Du kan ikke længere starte eller aflevere et forsøg."
