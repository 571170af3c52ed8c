"""Stored self-assessments that cannot be read: ``assessment.read_assessment``,
``report.read_assessments`` and the report rows built on them."""
from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from competency_xblock.competency import report
from competency_xblock.competency.assessment import (
    Assessment,
    append_history,
    read_assessment,
    read_draft,
)
from competency_xblock.competency.content import BlockContent, example_dict

CONTENT = BlockContent.from_dict(example_dict())
ROLE = "borgerservice"
ENTRY = Assessment.create(CONTENT, ROLE, "borgerservice",
                          dict.fromkeys(CONTENT.expected(ROLE), "basic")).to_dict()
BAD = [None, 3, "x", [], {"ratings": "y"}, {"ratings": ["1.1"]}, {"ratings": {"1.1": None}},
       {"expected": {"1.1": 3}}, {"role": 5}, {"unit": 7}, {"submitted_at": 5},
       {"framework_id": None}]


def test_a_readable_assessment_round_trips_and_missing_keys_have_defaults():
    assert read_assessment(ENTRY).to_dict() == ENTRY
    assert read_assessment({}) == Assessment("", None, {}, {}, "")


@pytest.mark.parametrize("data", BAD, ids=repr)
def test_a_value_of_the_wrong_type_cannot_be_read(data):
    assert read_assessment(data) is None
    with pytest.raises(ValueError):
        Assessment.from_dict(data)


@pytest.mark.parametrize("draft", ["x", 5, {"ratings": "y"}, {"role": 5}, {"unit": []}])
def test_a_draft_that_cannot_be_read_is_no_draft(draft):
    assert read_draft(draft) == {}
    assert read_draft({"role": ROLE, "ratings": {"1.1": "basic"}})["role"] == ROLE


def test_the_current_and_previous_assessment_are_read():
    older = dict(ENTRY, submitted_at="2026-01-01T00:00:00Z")
    stored = report.read_assessments({"history": [older, ENTRY]})
    assert stored.current.to_dict() == ENTRY and stored.previous.to_dict() == older
    assert (stored.number, stored.unreadable, stored.history_readable) == (2, False, True)
    legacy = report.read_assessments({"assessment": ENTRY})          # earlier versions
    assert legacy.current.to_dict() == ENTRY and legacy.number == 1
    for nothing in (None, {}, "x", {"history": []}, {"assessment": {}}, {"history": None}):
        assert report.read_assessments(nothing) == report.StoredAssessments()


@pytest.mark.parametrize("bad", BAD[1:], ids=repr)
def test_a_current_assessment_that_cannot_be_read_is_marked_unreadable(bad):
    stored = report.read_assessments({"history": [ENTRY, bad]})
    assert stored.unreadable and stored.current is None and stored.raw == {}
    assert stored.previous.to_dict() == ENTRY and stored.number == 2
    # The copy earlier versions kept: an empty one is none, anything else unreadable.
    assert report.read_assessments({"assessment": bad}).unreadable == bool(bad)
    # The previous one cannot be read: the current one still can.
    stored = report.read_assessments({"history": [bad, ENTRY]})
    assert stored.current.to_dict() == ENTRY and stored.previous is None


@pytest.mark.parametrize("history", ["x", {"a": 1}, 3])
def test_a_history_that_is_not_a_list_is_unreadable(history):
    stored = report.read_assessments({"history": history, "assessment": ENTRY})
    assert stored.unreadable and not stored.history_readable and stored.current is None


def test_report_rows_mark_an_assessment_that_cannot_be_read():
    state = {"history": [ENTRY, {"role": "x", "ratings": "y"}]}
    before = copy.deepcopy(state)
    (row,) = report.rows_for_state(CONTENT, state, "en")
    assert row["Unreadable stored state"].startswith(
        "This learner's stored self-assessment cannot be read")
    assert row["Assessment number"] == 2
    assert [row[h] for h in ("Role", "Competence id", "Self-rated level", "Gap (levels)")] \
        == ["", "", "", ""]
    assert state == before
    (row,) = report.rows_for_state(CONTENT, {"assessment": {"ratings": "y"}}, "en",
                                   headings=False)
    assert row["unreadable"] and row["assessment_number"] == 1
    rows = list(report.rows_for_state(CONTENT, {"history": append_history(
        [], read_assessment(ENTRY))}, "en"))
    assert rows and all("Unreadable stored state" not in r for r in rows)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 3) | st.sampled_from(
        ["", "x", ROLE, "basic", "dont_know", "1.1", "2026-01-01T00:00:00Z"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(
        ["history", "assessment", "role", "unit", "ratings", "expected", "submitted_at",
         "framework_id", "1.1", "1.2"]), inner, max_size=5),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(state=JSON)
def test_no_stored_state_makes_the_report_raise(state):
    before = json.dumps(state, sort_keys=True)
    list(report.rows_for_state(CONTENT, state, "da"))
    assert json.dumps(state, sort_keys=True) == before
