"""Domain events: time handling and the plain-data form used by the Open edX transport."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from competency_xblock.xapi import events as ev
from tests.unit.xapi import samples


def test_now_is_utc_milliseconds():
    moment = ev.now()
    assert moment.tzinfo is UTC and moment.microsecond % 1000 == 0


def test_occurred_at_defaults_to_creation_time():
    before = ev.now()
    event = ev.AtlasSearched(usage_key="u", learner=samples.learner(), query="q", hit_count=0)
    assert before <= event.occurred_at <= ev.now()


def test_occurred_at_is_truncated_to_milliseconds():
    event = samples.quiz_completed(when=datetime(2026, 1, 1, 0, 0, 0, 999999, tzinfo=UTC))
    assert event.occurred_at.microsecond == 999000


def test_anonymous_id_is_required():
    with pytest.raises(ValueError):
        samples.quiz_completed(samples.learner(""))


@pytest.mark.parametrize("factory", samples.FACTORIES, ids=lambda f: f.__name__)
def test_payload_round_trip(factory):
    event = factory()
    payload = ev.to_payload(event)
    assert payload["kind"] == event.kind
    assert payload["occurred_at"] == "2026-12-03T10:15:30.123Z"
    assert ev.from_payload(payload) == event


def test_payload_never_carries_identity():
    who = samples.learner(username="anne", email="anne@kommune.dk", full_name="Anne Hansen")
    payload = ev.to_payload(samples.quiz_answered(who))
    assert payload["learner"] == {"anonymous_id": who.anonymous_id}
    assert "anne" not in repr(payload)


def test_payload_errors():
    with pytest.raises(ValueError):
        ev.from_payload({"kind": "nope"})
    payload = ev.to_payload(samples.atlas_searched())
    payload["surprise"] = 1
    with pytest.raises(ValueError):
        ev.from_payload(payload)
