"""Atlas: candidate søgeord and practice cases, from the fixture reports (hand counts from
make_fixtures.ATLAS_DESIGN) and from records."""
from __future__ import annotations

import pytest

from competency_xblock.reports.atlas import AtlasAccumulator, ScenarioOutcome, SearchGap, report
from competency_xblock.reports.lms import ProblemResponsesReader, Sink, learner_hasher

from .conftest import RESPONSES_DA, RESPONSES_EN


def read(path):
    acc = AtlasAccumulator()
    sink = Sink(outcome=acc.add_outcome, gap=acc.add_gap)
    ProblemResponsesReader(str(path), learner_hasher()).read(sink)
    return acc.result(), sink.pick_labels


@pytest.mark.parametrize("path", [RESPONSES_EN, RESPONSES_DA], ids=["en", "da"])
def test_fixture_by_hand(path):
    result, labels = read(path)
    # "boligsikring", "Boligsikring " and "BOLIGSIKRING" are one term, typed by 5 learners
    # with no hits; "ældrecheck" (2 learners), a query with a name (1) and "husleje tilskud"
    # (1) stay hidden.
    assert [(t.term, t.learners, t.searches, t.no_hits, t.target, t.scenario)
            for t in result.terms] == [("boligsikring", 5, 5, 5, "svc-boligstotte", "task-1")]
    assert result.hidden_terms == 3 and result.no_hit_searches == 8
    cases = {s.scenario: s for s in result.scenarios}
    one = cases["task-1"]
    # 6 learners; 5 solved; picks 2,2,1,2,2,1 -> mean 10/6; wrong at least once: 5; last pick
    # wrong: 1 (sofie.r); Boligydelse picked wrong by 5 learners.
    assert (one.learners, one.solved_share, one.mean_attempts, one.wrong_share,
            one.final_wrong_share, one.top_wrong, one.top_wrong_learners) == pytest.approx(
        (6, 5 / 6, 10 / 6, 5 / 6, 1 / 6, "svc-boligydelse", 5))
    two = cases["task-2"]
    # Folkeregistret picked wrong by one learner only: not named
    assert (two.wrong_share, two.top_wrong, two.top_wrong_learners) == pytest.approx(
        (1 / 6, "", None))
    assert labels["svc-boligstotte"] == "Boligstøtte"


def outcome(learner, case="c", **kw):
    return ScenarioOutcome(learner=learner, block="b", scenario=case, **kw)


def test_small_case_is_hidden():
    result = report([outcome(i) for i in range(4)])
    assert result.scenarios[0].suppressed and result.scenarios[0].learners is None


def test_mean_referrals_needs_k_learners_who_referred():
    outcomes = [outcome(i, attempts=1 if i < 3 else 0) for i in range(8)]
    assert report(outcomes).scenarios[0].mean_attempts is None


def test_terms_count_learners_not_searches():
    gaps = [SearchGap(1, "no_hits", "Nem ID") for _ in range(20)]
    gaps += [SearchGap(n, "no_hits", " nem id ") for n in range(2, 5)]
    result = report(gaps=gaps)
    assert result.terms == [] and result.hidden_terms == 1  # 4 learners, 23 searches
    gaps.append(SearchGap(9, "wrong_pick", "NEM ID!", "task-9", ("svc-mitid",)))
    (term,) = report(gaps=gaps).terms
    assert (term.term, term.learners, term.searches, term.no_hits, term.wrong_picks,
            term.target, term.scenario) == ("nem id", 5, 24, 23, 1, "svc-mitid", "task-9")
