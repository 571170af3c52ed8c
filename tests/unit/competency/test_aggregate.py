"""Staff view figures with k-anonymity (groups of fewer than k learners suppressed)."""
from __future__ import annotations

import json
import random

import pytest

from competency_xblock.competency import aggregate as ag
from competency_xblock.competency.assessment import Assessment

from .conftest import NOW


def people(content, role, unit, n, ratings):
    return [Assessment.create(content, role, unit, ratings, now=NOW) for _ in range(n)]


def summarize(content, assessments, **options):
    """The staff figures of ``assessments`` counted into a tally, as the block does it."""
    tally = ag.tally_of(a.to_dict() for a in assessments)
    return ag.summarize(content.framework, tally,
                        expected={r.id: content.expected(r.id) for r in content.roles},
                        **options)


SKRANKE = {"post.laese": "begynder", "post.sende": "selvhjulpen", "phishing": "dont_know",
           "gdpr": "selvhjulpen"}
KONTOR = {"post.sende": "superbruger", "gdpr": "begynder"}


@pytest.mark.parametrize("value,k", [(None, 5), (3, 5), (0, 5), (5, 5), (8, 8), ("10", 10),
                                     ("abc", 5)])
def test_k_can_only_be_raised(value, k):
    assert ag.effective_k(value) == k


def test_suppressed_cells_with_complementary_suppression():
    assert ag.suppressed_cells({"a": 10, "b": 7, "c": 0}, 5) == set()
    assert ag.suppressed_cells({"a": 10, "b": 7, "c": 2}, 5) == {"c", "b"}
    assert ag.suppressed_cells({"a": 10, "b": 2, "c": 3}, 5) == {"b", "c"}
    assert ag.suppressed_cells({"a": 10, "b": 4}, 5) == {"a", "b"}


def test_too_few_learners_overall_shows_nothing(kommune_content):
    summary = summarize(kommune_content, people(kommune_content, "skranke", "nord", 4, SKRANKE))
    assert summary.suppressed and summary.total is None and summary.competences == []
    assert all(c.count is None for c in summary.by_role + summary.by_unit)


def test_counts_distribution_and_mean_gap(kommune_content):
    group = (people(kommune_content, "skranke", "nord", 6, SKRANKE)
             + people(kommune_content, "skranke", "syd", 5, dict(SKRANKE, gdpr="superbruger"))
             + people(kommune_content, "kontor", "syd", 2, KONTOR))
    summary = summarize(kommune_content, group, roles=["skranke", "kontor"],
                        units=["nord", "syd"])
    assert (summary.respondents, summary.total, summary.k) == (13, 13, 5)
    assert [(c.key, c.count) for c in summary.by_role] == [(("skranke",), None),
                                                            (("kontor",), None)]
    # Unit totals are hidden too: "post.laese" is asked of front desk only, so 5 asked of it
    # in syd would tell syd's 7 minus 5 = 2 office learners.
    assert [(c.key, c.count) for c in summary.by_unit] == [(("nord",), None), (("syd",), None)]
    cells = {c.key: c.count for c in summary.by_role_unit}
    # ... and so is the only cell of nord, which is its unit total.
    assert cells == {("skranke", "nord"): None, ("skranke", "syd"): None,
                     ("kontor", "syd"): None}
    assert summarize(kommune_content, group, unit="syd").suppressed
    stats = {s.competence: s for s in summary.competences}
    # Asked of the 11 front-desk learners only: 13 - 11 would give the 2 office learners.
    assert stats["post.laese"].suppressed and stats["phishing"].suppressed
    assert stats["gdpr"].respondents == 13
    assert stats["gdpr"].mean_gap == round((6 * 1 + 5 * 0 + 2 * 1) / 13, 2)


def test_filtered_view_is_suppressed_when_the_rest_is_small(kommune_content):
    group = (people(kommune_content, "skranke", "nord", 6, SKRANKE)
             + people(kommune_content, "kontor", "syd", 3, KONTOR))
    # 6 front-desk learners, but only 3 others: subtracting would reveal the 3.
    assert summarize(kommune_content, group, role="skranke").suppressed
    assert summarize(kommune_content, group, role="kontor").suppressed
    group += people(kommune_content, "kontor", "syd", 3, KONTOR)
    summary = summarize(kommune_content, group, role="skranke")
    assert summary.respondents == 6 and summary.role == "skranke"
    assert {s.competence for s in summary.competences} == {"post.laese", "post.sende",
                                                           "phishing", "gdpr"}


def test_competence_asked_of_too_few_is_suppressed(kommune_content):
    group = (people(kommune_content, "kontor", "syd", 6, KONTOR)
             + people(kommune_content, "skranke", "nord", 3, SKRANKE))
    stats = {s.competence: s for s in summarize(kommune_content, group).competences}
    assert stats["post.laese"].suppressed and stats["post.laese"].distribution is None
    assert stats["gdpr"].respondents == 9


def test_k_raised_by_the_operator(kommune_content):
    group = people(kommune_content, "skranke", "nord", 7, SKRANKE)
    assert not summarize(kommune_content, group, k=3).suppressed
    assert summarize(kommune_content, group, k=8).suppressed


# ---- the stored tally: bounded, updated per learner, legacy shape converted ------------------


def record(content, role, unit, ratings):
    return Assessment.create(content, role, unit, ratings, now=NOW).to_dict()


def submit_all(content, learners: dict[str, dict], stored=None):
    """Each learner's first submit through :func:`update_tally`, as the block applies it."""
    for key, rec in learners.items():
        stored = ag.update_tally(stored if stored is not None else {}, key, None, rec)
    return stored


def numbers(value) -> int:
    if isinstance(value, dict):
        return sum(numbers(v) for v in value.values())
    return 1 if isinstance(value, int) else 0


def test_tally_size_does_not_grow_with_the_number_of_learners(kommune_content):
    def crowd(n):
        return {f"learner-{i:04d}": record(kommune_content, *[
            ("skranke", "nord", SKRANKE), ("skranke", "syd", dict(SKRANKE, gdpr="superbruger")),
            ("kontor", "syd", KONTOR)][i % 3]) for i in range(n)}

    small, large = crowd(12), crowd(200)
    small_size = len(json.dumps(submit_all(kommune_content, small)))
    tally = submit_all(kommune_content, large)
    large_size = len(json.dumps(tally))
    # The same groups: only the digits of the counts differ (at most two more per count).
    assert 0 <= large_size - small_size <= 2 * numbers(tally), (small_size, large_size)
    assert large_size < 1000
    # The old per-learner copy grew with every learner (what this replaces).
    assert len(json.dumps(large)) > 15 * len(json.dumps(small)) / 2
    assert not any(key in json.dumps(tally) for key in large)  # no learner ids stored
    summary = ag.summarize(kommune_content.framework, tally,
                           expected={r.id: kommune_content.expected(r.id)
                                     for r in kommune_content.roles})
    assert summary.total == 200


def test_reassessment_moves_the_learner_to_their_new_group_and_levels(kommune_content):
    others = {f"o{i}": record(kommune_content, "skranke", "nord", SKRANKE) for i in range(5)}
    first = record(kommune_content, "skranke", "nord", SKRANKE)
    stored = submit_all(kommune_content, dict(others, me=first))
    assert stored["groups"]["skranke"]["nord"]["n"] == 6
    again = record(kommune_content, "skranke", "nord", dict(SKRANKE, gdpr="superbruger"))
    moved = ag.update_tally(stored, "me", first, again)
    entry = moved["groups"]["skranke"]["nord"]
    assert entry["n"] == 6
    assert entry["levels"]["gdpr"] == {"selvhjulpen": 5, "superbruger": 1}
    # A new role and unit: out of the old group, into the new one.
    elsewhere = record(kommune_content, "kontor", "syd", KONTOR)
    moved = ag.update_tally(moved, "me", again, elsewhere)
    assert moved["groups"]["skranke"]["nord"]["n"] == 5
    assert moved["groups"]["kontor"]["syd"] == {"n": 1, "levels": {
        "post.sende": {"superbruger": 1}, "gdpr": {"begynder": 1}}}
    assert moved == ag.tally_of(list(others.values()) + [elsewhere])
    # The same assessment again changes nothing (no write).
    assert ag.update_tally(moved, "me", elsewhere, dict(elsewhere)) is None


def test_erasure_removes_exactly_the_learners_counts(kommune_content):
    others = {f"o{i}": record(kommune_content, "skranke", "syd", SKRANKE) for i in range(5)}
    mine = record(kommune_content, "kontor", "nord", KONTOR)
    stored = submit_all(kommune_content, dict(others, me=mine))
    cleared = ag.update_tally(stored, "me", mine, None)
    assert cleared == ag.tally_of(others.values())
    assert "kontor" not in cleared["groups"]  # empty groups are dropped, not kept as zeros
    # Nothing to remove (never submitted): no write.
    assert ag.update_tally(cleared, "someone", None, None) is None


def test_updates_never_change_the_stored_value_in_place(kommune_content):
    stored = submit_all(kommune_content, {f"o{i}": record(kommune_content, "skranke", "nord",
                                                          SKRANKE) for i in range(6)})
    before = json.loads(json.dumps(stored))
    ag.update_tally(stored, "o1", record(kommune_content, "skranke", "nord", SKRANKE),
                    record(kommune_content, "kontor", "syd", KONTOR))
    ag.update_tally(stored, "o2", record(kommune_content, "skranke", "nord", SKRANKE), None)
    assert stored == before


def test_random_submits_reassessments_and_erasures_match_a_recount(kommune_content):
    rng = random.Random(20261204)
    levels = kommune_content.framework.level_ids + ["dont_know"]
    current: dict[str, dict] = {}
    stored: dict = {}
    for _ in range(600):
        key = f"l{rng.randrange(40)}"
        if key in current and rng.random() < 0.2:
            new = None
        else:
            role = rng.choice(["skranke", "kontor"])
            ratings = {c: rng.choice(levels) for c in kommune_content.expected(role)}
            new = record(kommune_content, role, rng.choice(["nord", "syd"]), ratings)
        stored = ag.update_tally(stored, key, current.get(key), new) or stored
        if new is None:
            current.pop(key, None)
        else:
            current[key] = new
    assert stored == ag.tally_of(current.values())
    assert sum(g.respondents for g in ag.groups_of(stored)) == len(current)


def test_counts_never_go_below_zero(kommune_content):
    lost = record(kommune_content, "skranke", "nord", SKRANKE)  # never counted
    others = {f"o{i}": record(kommune_content, "kontor", "syd", KONTOR) for i in range(5)}
    stored = submit_all(kommune_content, others)
    after = ag.update_tally(stored, "lost", lost, None)
    assert after == stored


def test_legacy_per_learner_copy_is_read_and_converted_without_losing_anyone(kommune_content):
    legacy = {f"anon{i}": record(kommune_content, "skranke", "nord", SKRANKE) for i in range(6)}
    legacy.update({f"anon-k{i}": record(kommune_content, "kontor", "syd", KONTOR)
                   for i in range(5)})
    legacy["junk"] = "not an assessment"
    expected = {r.id: kommune_content.expected(r.id) for r in kommune_content.roles}
    framework = kommune_content.framework
    tally = ag.tally_of(v for v in legacy.values() if isinstance(v, dict))
    # Read: the staff view of the old shape equals that of the converted tally.
    assert ag.summarize(framework, legacy, expected=expected) == ag.summarize(
        framework, tally, expected=expected)
    assert ag.summarize(framework, legacy, expected=expected).total == 11
    # First write (a learner in the copy reassesses): converted, their old entry replaced.
    new = record(kommune_content, "kontor", "nord", KONTOR)
    converted = ag.update_tally(legacy, "anon0", legacy["anon0"], new)
    assert ag.is_tally(converted)
    assert converted == ag.tally_of([v for k, v in legacy.items()
                                     if k not in ("anon0", "junk")] + [new])
    assert sum(g.respondents for g in ag.groups_of(converted)) == 11
    # A learner who is not in the copy (their entry was lost) is not subtracted from others.
    outsider = ag.update_tally(legacy, "outsider", record(kommune_content, "skranke", "nord",
                                                          SKRANKE), None)
    assert outsider == tally
    # Erasure of a learner in the copy: their entry goes in the conversion.
    erased = ag.update_tally(legacy, "anon-k1", legacy["anon-k1"], None)
    assert erased["groups"]["kontor"]["syd"]["n"] == 4
    # Nothing stored yet is not "legacy": no conversion write.
    assert ag.update_tally({}, "x", None, None) is None


def test_mean_gap_uses_the_expected_levels_at_view_time(kommune_content):
    tally = ag.tally_of(a.to_dict() for a in people(kommune_content, "skranke", "nord", 6,
                                                    SKRANKE))
    framework = kommune_content.framework
    now = {"skranke": dict(kommune_content.expected("skranke"), **{"post.laese": "begynder"})}
    stats = {s.competence: s for s in ag.summarize(framework, tally, expected=now).competences}
    assert stats["post.laese"].mean_gap == 0.0 and stats["post.laese"].with_gap == 0
    # A competence no longer expected of the role: distribution shown, no gap.
    stats = {s.competence: s for s in ag.summarize(framework, tally, expected={}).competences}
    assert stats["post.laese"].distribution["begynder"] == 6
    assert stats["post.laese"].mean_gap is None and stats["post.laese"].with_gap is None


def test_malformed_stored_values_count_nothing(kommune_content):
    framework = kommune_content.framework
    for stored in (None, [], "x", {"format": 2, "groups": []},
                   {"format": 2, "groups": {"skranke": {"nord": {"n": -3, "levels": "x"}}}},
                   {"format": 2, "groups": {"skranke": {"nord": {"n": True}}}}):
        assert ag.summarize(framework, stored).total is None
        assert list(ag.groups_of(stored)) == []
