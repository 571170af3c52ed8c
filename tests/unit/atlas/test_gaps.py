"""Candidate søgeord from no-hit searches and wrong picks, aggregated per learner."""
from __future__ import annotations

from competency_xblock.atlas import gaps


def test_log_is_bounded_and_normalised():
    log = []
    for i in range(gaps.MAX_RECORDS + 10):
        log = gaps.append(log, gaps.record(gaps.KIND_NO_HITS, f"  Ord {i}?! "))
    assert len(log) == gaps.MAX_RECORDS
    assert log[-1]["query"] == f"ord {gaps.MAX_RECORDS + 9}"
    assert gaps.append([], gaps.record(gaps.KIND_NO_HITS, "   ")) == []


def test_candidates_count_learners_and_suggest_targets(small_atlas):
    logs = [
        ("anna", [gaps.record(gaps.KIND_NO_HITS, "Huslejehjælp"),
                  gaps.record(gaps.KIND_NO_HITS, "huslejehjælp"),
                  gaps.record(gaps.KIND_WRONG_PICK, "rotter", "rotter", ["rotter"], "pas")]),
        ("bo", [gaps.record(gaps.KIND_NO_HITS, "huslejehjælp "),
                gaps.record(gaps.KIND_WRONG_PICK, "skadedyr have", "rotter", ["rotter"],
                            "skadedyr")]),
        ("cy", [{"kind": "junk"}, "not a dict", gaps.record(gaps.KIND_NO_HITS, "?!")]),
    ]
    found = gaps.candidates(logs, small_atlas)
    terms = [c.term for c in found]
    assert terms[0] == "huslejehjælp"
    first = found[0]
    assert (first.count, first.learners, first.no_hits) == (3, 2, 3)
    assert "skadedyr have" in terms
    skadedyr = next(c for c in found if c.term == "skadedyr have")
    assert skadedyr.suggested_target() == "rotter" and skadedyr.wrong_picks == 1
    # "rotter" is already a søgeord/title word of Rottebekæmpelse? Its søgeord is
    # "Bekæmpelse af rotter", not "rotter": it stays a candidate
    assert "rotter" in terms
    assert found[0].to_dict()["term"] == "huslejehjælp"


def test_terms_already_added_are_left_out(small_atlas):
    logs = [("a", [gaps.record(gaps.KIND_WRONG_PICK, "Bekæmpelse af rotter", "s",
                               ["rotter"], "pas")])]
    assert gaps.candidates(logs, small_atlas) == []
    assert len(gaps.candidates(logs)) == 1    # without an atlas we cannot tell
