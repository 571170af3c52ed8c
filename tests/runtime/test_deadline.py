"""The LMS's deadline fields in the demo runtime (demo/deadlines.py), through the workbench.

The demo runtime mixes the LMS's deadline fields into every block, so ``due``,
``graceperiod`` and ``self_paced`` in OLX reach a block here as in the LMS.  The clock is
moved by replacing ``demo.deadlines.now``.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.runtime.test_quiz import quiz_olx, small_bank

PAST = "2020-01-01T00:00:00Z"


@pytest.fixture
def clock(monkeypatch):
    """``clock(datetime)`` sets the demo runtime's "now" (UTC)."""
    from demo import deadlines

    def set_now(moment: datetime) -> None:
        monkeypatch.setattr(deadlines, "now", lambda: moment)

    return set_now


def small_quiz(**attrs) -> str:
    attrs = {"questions_per_attempt": 0, "shuffle_questions": "false",
             "shuffle_choices": "false", "max_attempts": 3, "show_answer": "always", **attrs}
    return quiz_olx(small_bank(), **attrs)


# --- the demo runtime has the LMS's fields ------------------------------------------------------

def test_due_graceperiod_and_self_paced_reach_the_block_and_round_trip(_django):
    from tests.helpers.workbench import export_olx, parse_olx

    block = parse_olx(small_quiz(due="2026-06-30T21:59:00Z", graceperiod="2 days 3 hours",
                                 self_paced="true"))
    assert block.due == datetime(2026, 6, 30, 21, 59, tzinfo=UTC)
    assert block.graceperiod == timedelta(days=2, hours=3)
    assert block.self_paced is True
    assert block.close_date == datetime(2026, 7, 3, 0, 59, tzinfo=UTC)
    exported = export_olx(block)
    assert "due=" in exported and "graceperiod=" in exported and "self_paced=" in exported
    again = parse_olx(exported)
    assert (again.due, again.graceperiod, again.self_paced) == \
        (block.due, block.graceperiod, block.self_paced)
    # Not set: the LMS's defaults, and nothing written.
    plain = parse_olx(small_quiz())
    assert (plain.due, plain.graceperiod, plain.self_paced) == (None, None, False)
    assert plain.has_deadline_passed() is False
    assert "due=" not in export_olx(plain)
    # A date without a time is refused on import, naming the attribute (docs/authors.rst).
    from competency_xblock.core.olx import OlxSettingsError

    with pytest.raises(OlxSettingsError, match="due"):
        parse_olx(small_quiz(due="2026-06-30"))


def test_the_sdk_patch_does_not_overwrite_the_authors_due_date(workbench):
    """The sdk sets ``due = utcnow()`` on every block it renders or calls (for the LTI
    consumer); with the fields mixed in that would be saved over the author's date."""
    sid = workbench.scenario(small_quiz(due=PAST, graceperiod="1 hour"))
    usage = workbench.render(sid, student="sdk").usage_id
    assert workbench.call(usage, "load", {}, student="sdk").status == 200
    workbench.render(sid, student="sdk")
    settings = workbench.snapshot()[("usage", usage, None)]
    assert '"due": "2020-01-01T00:00:00Z"' in settings
    assert '"graceperiod": "3600 seconds"' in settings, settings


def test_the_demo_mixin_has_the_lms_semantics(_django, clock):
    from tests.helpers.workbench import parse_olx

    block = parse_olx(small_quiz(due="2026-06-30T12:00:00Z", graceperiod="1 hour"))
    clock(datetime(2026, 6, 30, 12, 30, tzinfo=UTC))   # after due, within the grace period
    assert block.has_deadline_passed() is False and block.is_past_due() is False
    clock(datetime(2026, 6, 30, 13, 0, 1, tzinfo=UTC))
    assert block.has_deadline_passed() is True and block.is_past_due() is True
    paced = parse_olx(small_quiz(due="2026-06-30T12:00:00Z", self_paced="true"))
    assert paced.is_past_due() is True and paced.has_deadline_passed() is False
