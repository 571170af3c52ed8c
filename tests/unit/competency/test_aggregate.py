"""Staff view figures with k-anonymity (groups of fewer than k learners suppressed)."""
from __future__ import annotations

import pytest

from competency_xblock.competency import aggregate as ag
from competency_xblock.competency.assessment import Assessment

from .conftest import NOW


def people(content, role, unit, n, ratings):
    return [Assessment.create(content, role, unit, ratings, now=NOW) for _ in range(n)]


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
    summary = ag.summarize(kommune_content.framework,
                           people(kommune_content, "skranke", "nord", 4, SKRANKE))
    assert summary.suppressed and summary.total is None and summary.competences == []
    assert all(c.count is None for c in summary.by_role + summary.by_unit)


def test_counts_distribution_and_mean_gap(kommune_content):
    group = (people(kommune_content, "skranke", "nord", 6, SKRANKE)
             + people(kommune_content, "skranke", "syd", 5, dict(SKRANKE, gdpr="superbruger"))
             + people(kommune_content, "kontor", "syd", 2, KONTOR))
    summary = ag.summarize(kommune_content.framework, group, roles=["skranke", "kontor"],
                           units=["nord", "syd"])
    assert (summary.respondents, summary.total, summary.k) == (13, 13, 5)
    assert [(c.key, c.count) for c in summary.by_role] == [(("skranke",), None),
                                                            (("kontor",), None)]
    assert [(c.key, c.count) for c in summary.by_unit] == [(("nord",), 6), (("syd",), 7)]
    cells = {c.key: c.count for c in summary.by_role_unit}
    assert cells == {("skranke", "nord"): 6, ("skranke", "syd"): None, ("kontor", "syd"): None}
    stats = {s.competence: s for s in summary.competences}
    assert stats["post.laese"].distribution == {"begynder": 11, "selvhjulpen": 0,
                                                "superbruger": 0, "dont_know": 0}
    assert stats["post.laese"].mean_gap == 2.0 and stats["post.laese"].with_gap == 11
    assert stats["phishing"].distribution["dont_know"] == 11
    assert stats["phishing"].mean_gap is None  # nobody rated it: no mean over < k
    assert stats["gdpr"].respondents == 13
    assert stats["gdpr"].mean_gap == round((6 * 1 + 5 * 0 + 2 * 1) / 13, 2)


def test_filtered_view_is_suppressed_when_the_rest_is_small(kommune_content):
    group = (people(kommune_content, "skranke", "nord", 6, SKRANKE)
             + people(kommune_content, "kontor", "syd", 3, KONTOR))
    framework = kommune_content.framework
    # 6 front-desk learners, but only 3 others: subtracting would reveal the 3.
    assert ag.summarize(framework, group, role="skranke").suppressed
    assert ag.summarize(framework, group, role="kontor").suppressed
    group += people(kommune_content, "kontor", "syd", 3, KONTOR)
    summary = ag.summarize(framework, group, role="skranke")
    assert summary.respondents == 6 and summary.role == "skranke"
    assert {s.competence for s in summary.competences} == {"post.laese", "post.sende",
                                                           "phishing", "gdpr"}


def test_competence_asked_of_too_few_is_suppressed(kommune_content):
    framework = kommune_content.framework
    group = (people(kommune_content, "kontor", "syd", 6, KONTOR)
             + people(kommune_content, "skranke", "nord", 3, SKRANKE))
    stats = {s.competence: s for s in ag.summarize(framework, group).competences}
    assert stats["post.laese"].suppressed and stats["post.laese"].distribution is None
    assert stats["gdpr"].respondents == 9


def test_k_raised_by_the_operator(kommune_content):
    group = people(kommune_content, "skranke", "nord", 7, SKRANKE)
    assert not ag.summarize(kommune_content.framework, group, k=3).suppressed
    assert ag.summarize(kommune_content.framework, group, k=8).suppressed
