"""Ratings payloads, gaps and strengths, change since last time, reassessment policy."""
from __future__ import annotations

from datetime import timedelta

import pytest

from competency_xblock.competency import assessment as asm
from competency_xblock.competency.assessment import Assessment, check_ratings, evaluate
from competency_xblock.competency.content import Reassessment
from competency_xblock.competency.errors import ProblemsError

from .conftest import NOW

FULL = {"post.laese": "begynder", "post.sende": "selvhjulpen", "phishing": "dont_know",
        "gdpr": "selvhjulpen"}


def paths(exc: ProblemsError) -> list[str]:
    return [p.path for p in exc.problems]


def test_complete_ratings_are_returned_in_framework_order(kommune_content):
    shuffled = dict(reversed(list(FULL.items())))
    assert list(check_ratings(kommune_content, "skranke", "nord", shuffled, True)) == list(FULL)


def test_submit_needs_every_competence_rated(kommune_content):
    with pytest.raises(ProblemsError) as caught:
        check_ratings(kommune_content, "skranke", "nord", {"gdpr": "begynder"}, True)
    assert paths(caught.value) == ["/ratings/post.laese", "/ratings/post.sende",
                                   "/ratings/phishing"]
    assert caught.value.problems[0].render() == (
        'Rate "post.laese" or choose "don\'t know". (/ratings/post.laese)')


def test_draft_may_be_partial_but_ids_are_still_checked(kommune_content):
    assert check_ratings(kommune_content, "skranke", None, {"gdpr": "begynder"}, False) == {
        "gdpr": "begynder"}
    with pytest.raises(ProblemsError) as caught:
        check_ratings(kommune_content, "skranke", None,
                      {"gdpr": "mester", "nope": "begynder", "phishing": "dont_know"}, False)
    assert paths(caught.value) == ["/ratings/gdpr", "/ratings/nope"]


def test_competence_outside_the_role_is_refused(kommune_content):
    with pytest.raises(ProblemsError) as caught:
        check_ratings(kommune_content, "kontor", "syd",
                      {"post.sende": "begynder", "gdpr": "begynder", "phishing": "begynder"},
                      True)
    assert caught.value.problems[0].render() == (
        'Competence "phishing" is not assessed for this role. (/ratings/phishing)')


def test_unknown_role_and_unit(kommune_content):
    with pytest.raises(ProblemsError) as caught:
        check_ratings(kommune_content, "chef", "vest", FULL, True)
    assert paths(caught.value) == ["/role", "/unit"]
    with pytest.raises(ProblemsError) as caught:
        check_ratings(kommune_content, None, None, {}, False)
    assert paths(caught.value) == ["/role"]


def test_unit_is_required_on_submit_when_the_author_lists_units(kommune_content):
    with pytest.raises(ProblemsError) as caught:
        check_ratings(kommune_content, "skranke", None, FULL, True)
    assert paths(caught.value) == ["/unit"]


def test_no_units_means_no_unit(example):
    from dataclasses import replace
    content = replace(example, units=())
    ratings = {c: "basic" for c in content.expected("leder")}
    assert check_ratings(content, "leder", None, ratings, True)
    with pytest.raises(ProblemsError):
        check_ratings(content, "leder", "jobcenter", ratings, True)


def test_fixed_role_and_unit(kommune_content):
    from dataclasses import replace
    content = replace(kommune_content, fixed_role="skranke", fixed_unit="nord")
    assert check_ratings(content, "skranke", "nord", FULL, True)
    with pytest.raises(ProblemsError) as caught:
        check_ratings(content, "kontor", "syd", {}, False)
    assert paths(caught.value) == ["/role", "/unit"]


def make(content, ratings, role="skranke", unit="nord", days_ago=0):
    return Assessment.create(content, role, unit, ratings, now=NOW - timedelta(days=days_ago))


def test_evaluate_sorts_gaps_by_size_and_names_strengths(kommune_content):
    result = evaluate(kommune_content.framework, make(kommune_content, FULL))
    assert [(r.competence, r.gap, r.status) for r in result.rows] == [
        ("post.laese", 2, "gap"), ("post.sende", 0, "met"), ("phishing", None, "unknown"),
        ("gdpr", 1, "gap")]
    assert [r.competence for r in result.gaps] == ["post.laese", "gdpr"]
    assert [r.competence for r in result.strengths] == ["post.sende"]
    assert [r.competence for r in result.unknown] == ["phishing"]
    assert result.gap_total == 3


def test_strengths_above_expectation_come_first(kommune_content):
    ratings = {"post.sende": "selvhjulpen", "gdpr": "superbruger"}
    result = evaluate(kommune_content.framework, make(kommune_content, ratings, role="kontor"))
    assert [(r.competence, r.status) for r in result.strengths] == [("gdpr", "above"),
                                                                    ("post.sende", "met")]
    assert result.gaps == []


def test_assessment_snapshots_expected_levels(kommune_content):
    from dataclasses import replace
    first = make(kommune_content, FULL)
    changed = replace(kommune_content, profiles={"skranke": {"gdpr": "begynder"},
                                                 "kontor": {"gdpr": "begynder"}})
    assert first.expected["gdpr"] == "superbruger"
    assert evaluate(changed.framework, first).rows[-1].gap == 1


def test_removed_competences_and_levels_are_skipped(kommune_content):
    record = Assessment.from_dict(dict(make(kommune_content, FULL).to_dict(),
                                       expected={"gdpr": "superbruger", "gone": "begynder",
                                                 "phishing": "mester"}))
    assert [r.competence for r in evaluate(kommune_content.framework, record).rows] == ["gdpr"]


def test_state_round_trip(kommune_content):
    record = make(kommune_content, FULL)
    assert record.submitted_at == "2026-03-02T09:30:00Z"
    assert Assessment.from_dict(record.to_dict()) == record
    assert record.submitted == NOW


def test_diff_shows_change_since_previous(kommune_content):
    before = make(kommune_content, FULL, days_ago=40)
    after = make(kommune_content, dict(FULL, **{"post.laese": "superbruger", "phishing":
                                                "begynder", "gdpr": "begynder"}))
    changes = {c.competence: (c.before, c.after, c.delta)
               for c in asm.diff(kommune_content.framework, before, after)}
    assert changes == {"post.laese": ("begynder", "superbruger", 2),
                       "post.sende": ("selvhjulpen", "selvhjulpen", 0),
                       "phishing": (None, "begynder", None),
                       "gdpr": ("selvhjulpen", "begynder", -1)}


@pytest.mark.parametrize("policy,last_days_ago,allowed", [
    (Reassessment("never"), None, True),
    (Reassessment("never"), 400, False),
    (Reassessment("anytime"), 0, True),
    (Reassessment("after_days", 30), 29, False),
    (Reassessment("after_days", 30), 30, True),
])
def test_reassessment_policy(policy, last_days_ago, allowed):
    last = None if last_days_ago is None else asm._iso(NOW - timedelta(days=last_days_ago))
    decision = asm.can_reassess(policy, last, now=NOW)
    assert decision.allowed is allowed
    if policy.mode == "after_days":
        assert decision.not_before.endswith("Z")


def test_history_is_capped(kommune_content):
    history: list[dict] = []
    for i in range(asm.MAX_HISTORY + 3):
        history = asm.append_history(history, make(kommune_content, FULL, days_ago=100 - i))
    assert len(history) == asm.MAX_HISTORY
    assert history[-1]["submitted_at"] > history[0]["submitted_at"]


def test_parse_time_tolerates_rubbish():
    assert asm.parse_time("yesterday") is None
    assert asm.parse_time("") is None
    assert asm.parse_time("2026-01-01T00:00:00").tzinfo is not None


# --- the same submission sent again ---------------------------------------------------------------

def test_the_replay_window_is_the_documented_one():
    from pathlib import Path

    docs = Path(__file__).resolve().parents[3] / "docs" / "self-assessment.rst"
    minutes = int(asm.REPLAY_WINDOW.total_seconds() // 60)
    assert f"within {minutes} minutes of it" in " ".join(docs.read_text().split())


def test_a_replay_is_the_same_role_unit_and_ratings_within_the_window(kommune_content):
    latest = make(kommune_content, FULL).to_dict()
    same = dict(reversed(list(FULL.items())))  # (another key order is the same ratings)
    assert asm.is_replay(latest, "skranke", "nord", same, now=NOW)
    assert asm.is_replay(latest, "skranke", "nord", FULL, now=NOW + asm.REPLAY_WINDOW)
    # Servers' clocks differ a little: "submitted" a moment in the future still counts.
    assert asm.is_replay(latest, "skranke", "nord", FULL, now=NOW - timedelta(seconds=30))


@pytest.mark.parametrize("role,unit,changes,later", [
    ("kontor", "nord", {}, timedelta(0)),                                  # another role
    ("skranke", "syd", {}, timedelta(0)),                                  # another unit
    ("skranke", None, {}, timedelta(0)),                                   # no unit
    ("skranke", "nord", {"gdpr": "superbruger"}, timedelta(0)),            # one rating differs
    ("skranke", "nord", {"extra": "begynder"}, timedelta(0)),              # one more rating
    ("skranke", "nord", {}, asm.REPLAY_WINDOW + timedelta(seconds=1)),    # after the window
    ("skranke", "nord", {}, -asm.REPLAY_WINDOW - timedelta(seconds=1)),   # far "in the future"
])
def test_anything_else_is_a_new_submission(kommune_content, role, unit, changes, later):
    latest = make(kommune_content, FULL).to_dict()
    assert not asm.is_replay(latest, role, unit, dict(FULL, **changes), now=NOW + later)


@pytest.mark.parametrize("latest", [None, {}, [], "x", {"role": "skranke", "unit": "nord"},
                                    {"role": "skranke", "unit": "nord", "ratings": FULL},
                                    {"role": "skranke", "unit": "nord", "ratings": FULL,
                                     "submitted_at": 5},
                                    {"role": "skranke", "unit": "nord", "ratings": FULL,
                                     "submitted_at": "yesterday"}])
def test_no_replay_of_odd_or_missing_state(latest):
    assert not asm.is_replay(latest, "skranke", "nord", FULL, now=NOW)
