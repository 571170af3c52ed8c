"""Rows for the LMS Problem Responses report (one per learner and competence)."""
from __future__ import annotations

from competency_xblock.competency import report
from competency_xblock.competency.assessment import Assessment, append_history

from .conftest import NOW

RATINGS = {"post.laese": "begynder", "post.sende": "selvhjulpen", "phishing": "dont_know",
           "gdpr": "superbruger"}


def state_for(content):
    record = Assessment.create(content, "skranke", "nord", RATINGS, now=NOW)
    history = append_history(append_history([], record), record)
    return {report.STATE_HISTORY: history, "draft": {"ratings": {}}}


def test_one_row_per_competence_with_hr_columns(kommune_content):
    rows = list(report.rows_for_state(kommune_content, state_for(kommune_content), "da"))
    assert len(rows) == 4
    assert list(rows[0]) == ["Role", "Unit", "Competence area", "Competence id", "Competence",
                             "Self-rated level", "Expected level", "Gap (levels)", "Status",
                             "Date", "Assessment number"]
    assert list(rows[0].values()) == ["Skranke 🙂", "Nord", "Digital Post 📬", "post.laese",
                                      "Læse Digital Post", "Begynder", "Superbruger", 2,
                                      "below expected", "2026-03-02", 2]
    assert rows[2]["Self-rated level"] == "don't know" and rows[2]["Gap (levels)"] == ""
    assert rows[3]["Status"] == "as expected" and rows[3]["Gap (levels)"] == 0


def test_headings_and_status_are_translated(kommune_content):
    rows = list(report.rows_for_state(kommune_content, state_for(kommune_content), "en",
                                      gettext=lambda s: s.upper()))
    assert "ROLE" in rows[0] and rows[1]["STATUS"] == "AS EXPECTED"
    keys = list(report.rows_for_state(kommune_content, state_for(kommune_content), "en",
                                      headings=False))[0]
    assert list(keys) == list(report.COLUMNS)


def test_no_submission_no_rows(kommune_content):
    assert list(report.rows_for_state(kommune_content, {"draft": {"ratings": {}}})) == []
    assert list(report.rows_for_state(kommune_content, {})) == []


def test_role_removed_by_the_author_still_reports_its_id(kommune_content):
    state = state_for(kommune_content)
    state[report.STATE_HISTORY][-1]["role"] = "gammel-rolle"
    rows = list(report.rows_for_state(kommune_content, state, "da"))
    assert rows[0]["Role"] == "gammel-rolle"


def test_the_current_assessment_is_the_last_of_the_history_or_an_earlier_versions_copy(
        kommune_content):
    state = state_for(kommune_content)
    older = dict(state[report.STATE_HISTORY][0], role="gammel-rolle")
    state[report.STATE_HISTORY] = [older, state[report.STATE_HISTORY][-1]]
    assert report.current_assessment(state)["role"] == "skranke"
    legacy = {report.STATE_CURRENT: older}   # state written without a history
    assert report.current_assessment(legacy)["role"] == "gammel-rolle"
    assert list(report.rows_for_state(kommune_content, legacy))[0]["Role"] == "gammel-rolle"
    assert report.current_assessment({report.STATE_HISTORY: ["junk"]}) == {}
    assert report.current_assessment({}) == {}
