"""Candidate søgeord from no-hit searches and wrong picks: aggregated from learners' logs,
and the bounded tally the block stores (same figures, size independent of learners)."""
from __future__ import annotations

import json
import random

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


# ---- the stored tally: bounded, updated per learner, legacy shape converted ------------------

TERMS = ["Huslejehjælp", "huslejehjælp ", "  HUSLEJEHJÆLP?!", "rotter i kælderen", "gnaver",
         "skadedyr have", "Bekæmpelse af rotter", "nyt pas", "kørekort fornyelse", "boligsikring",
         "ældrebolig venteliste", "carport", "mårhund", "hjemmehjælp", "anbringelse", "—",
         "23.05", "x" * 150]
TARGETS = ["rotter", "skadedyr", "pas", "koerekort", "boligstoette", "aeldrebolig",
           "hjemmehjaelp", "byggetilladelse", "natur", "borgerservice", "y" * 101]


def random_entry(rng: random.Random) -> dict:
    if rng.random() < 0.03:   # odd entries a hand-edited or older log may hold
        return rng.choice([{"kind": "junk"}, {"query": "gnaver", "expected": 5},
                           {"query": "gnaver", "kind": gaps.KIND_WRONG_PICK,
                            "expected": ["pas", 7, "", None]}])
    kind = rng.choice([gaps.KIND_NO_HITS, gaps.KIND_WRONG_PICK])
    expected = rng.sample(TARGETS, rng.randint(0, 3))
    return gaps.record(kind, rng.choice(TERMS), "s1", expected, rng.choice(TARGETS))


def staff_figures(found: list[gaps.Candidate]) -> list[tuple]:
    return [(c.to_dict(), dict(sorted(c.targets.items()))) for c in found]


def window(log: list) -> list:
    return log[-gaps.CONTRIBUTION_ENTRIES:]


def test_tally_gives_the_same_staff_list_as_aggregating_the_learners_logs(small_atlas):
    """Random learners logging in random order (logs rolling over the 50-entry bound, some
    erased): at every checkpoint the tally's staff list equals :func:`gaps.candidates` over
    each learner's current window, which is what the per-learner copy held."""
    for seed in range(6):
        rng = random.Random(seed)
        learners = [f"l{i}" for i in range(rng.randint(20, 120))]
        logs: dict[str, list] = {name: [] for name in learners}
        stored: object = {}
        weights = [8 if i < 5 else 1 for i in range(len(learners))]   # a few busy learners
        steps = rng.choices(learners, weights, k=rng.randint(500, 4000))
        for step, learner in enumerate(steps):
            old = logs[learner]
            new = [] if rng.random() < 0.005 else gaps.append(old, random_entry(rng))
            changed = gaps.update_tally(stored, learner, old, new)
            if changed is not None:
                stored = changed
            logs[learner] = new
            if step % 250 == 0 or step == len(steps) - 1:
                raw = [(name, window(log)) for name, log in logs.items()]
                for atlas in (None, small_atlas):
                    assert staff_figures(gaps.tally_candidates(stored, atlas, limit=10_000)) \
                        == staff_figures(gaps.candidates(raw, atlas, limit=10_000)), (seed, step)
                counted = sum(1 for _, entries in raw if gaps.contribution(entries))
                assert gaps.tally_learners(stored) == counted
        assert any(len(log) == gaps.MAX_RECORDS for log in logs.values())  # rolled over
        assert stored == gaps.tally_of(logs.values())        # as if counted afresh
        assert gaps.tally_candidates(stored, small_atlas) == gaps.candidates(
            [(name, window(log)) for name, log in logs.items()], small_atlas)  # limit 50


def test_a_learner_counts_once_per_term_and_leaves_with_their_window():
    log: list = []
    stored: object = {}
    for _ in range(3):
        new = gaps.append(log, gaps.record(gaps.KIND_NO_HITS, "gnaver", expected=["rotter"]))
        stored = gaps.update_tally(stored, "me", log, new)
        log = new
    entry = stored["terms"]["gnaver"]
    assert entry == {"learners": 1, "count": 3, "no_hits": 3, "wrong_picks": 0,
                     "targets": {"rotter": 3}}
    for i in range(gaps.CONTRIBUTION_ENTRIES):
        new = gaps.append(log, gaps.record(gaps.KIND_NO_HITS, f"andet ord {i % 4}"))
        stored = gaps.update_tally(stored, "me", log, new) or stored
        log = new
    assert "gnaver" not in stored["terms"]   # out of the window: subtracted, not kept as 0
    assert stored["learners"] == 1
    # The same window again (the entry that left equals the one added) changes nothing.
    same = gaps.append(log, dict(log[-gaps.CONTRIBUTION_ENTRIES]))
    assert gaps.update_tally(stored, "me", log, same) is None


def test_erasure_subtracts_exactly_the_learners_counts():
    others = {f"o{i}": [gaps.record(gaps.KIND_NO_HITS, "gnaver", expected=["rotter"])]
              for i in range(4)}
    mine = [gaps.record(gaps.KIND_WRONG_PICK, "gnaver", "s", ["skadedyr"], "pas"),
            gaps.record(gaps.KIND_NO_HITS, "mit eget ord")]
    stored: object = {}
    for name, log in [*others.items(), ("me", mine)]:
        stored = gaps.update_tally(stored, name, [], log)
    erased = gaps.update_tally(stored, "me", mine, [])
    assert erased == gaps.tally_of(others.values())
    assert erased["learners"] == 4 and "mit eget ord" not in erased["terms"]
    assert erased["terms"]["gnaver"]["targets"] == {"rotter": 4}
    assert gaps.update_tally(erased, "someone", [], None) is None   # nothing to remove


def test_counts_never_go_below_zero_and_the_stored_value_is_not_changed_in_place():
    log = [gaps.record(gaps.KIND_NO_HITS, "gnaver", expected=["rotter"])]
    stored = gaps.update_tally({}, "a", [], log)
    frozen = json.dumps(stored, sort_keys=True)
    # A learner whose earlier update was lost subtracts more than the tally holds.
    lost = [gaps.record(gaps.KIND_NO_HITS, "gnaver", expected=["rotter"])] * 3
    after = gaps.update_tally(stored, "b", lost, [])
    assert json.dumps(stored, sort_keys=True) == frozen
    assert after == gaps.empty_tally()
    assert gaps.update_tally(gaps.empty_tally(), "c", lost, []) == gaps.empty_tally()


def test_legacy_per_learner_copy_is_read_as_it_is_and_converted_on_the_first_write(
        small_atlas):
    rng = random.Random(7)
    logs = {}
    for i in range(60):
        log: list = []
        for _ in range(rng.randint(1, 70)):
            log = gaps.append(log, random_entry(rng))
        logs[f"{i:016x}"] = log
    # The earlier release's gap_mirror: hashed key -> the newest 20 entries of each log.
    legacy: dict = {key: window(log) for key, log in logs.items()}
    legacy["0" * 15 + "j"] = "not a log"
    expected = gaps.candidates([(k, v) for k, v in legacy.items() if isinstance(v, list)],
                               small_atlas)
    assert gaps.tally_candidates(legacy, small_atlas) == expected        # read as it is
    assert gaps.tally_learners(legacy) == 60
    # The first write: the writer's own legacy entry is replaced by their new log.
    key = next(iter(logs))
    new = gaps.append(logs[key], gaps.record(gaps.KIND_NO_HITS, "helt nyt ord"))
    converted = gaps.update_tally(legacy, key, logs[key], new)
    assert gaps.is_tally(converted) and converted["format"] == gaps.TALLY_FORMAT
    assert converted == gaps.tally_of([*(v for k, v in logs.items() if k != key), new])
    assert not any(k in json.dumps(converted) for k in logs)            # no learner keys
    assert converted["terms"]["helt nyt ord"]["learners"] == 1
    # Later writes are updates of the tally, and agree with aggregating the logs.
    logs[key] = new
    other = list(logs)[5]
    newer = gaps.append(logs[other], gaps.record(gaps.KIND_WRONG_PICK, "gnaver", "s",
                                                 ["rotter"], "pas"))
    updated = gaps.update_tally(converted, other, logs[other], newer)
    logs[other] = newer
    assert staff_figures(gaps.tally_candidates(updated, small_atlas)) == staff_figures(
        gaps.candidates([(k, window(v)) for k, v in logs.items()], small_atlas))
    # Converted on an erasure as well, without the erased learner.
    erased = gaps.update_tally(legacy, key, legacy[key], [])
    assert erased == gaps.tally_of(v for k, v in logs.items() if k not in (key, other)) \
        or erased == gaps.tally_of([*(v for k, v in legacy.items() if k != key)])
    assert erased["learners"] == 59
    # Nothing stored yet is not "legacy": nothing to write when nothing is added.
    assert gaps.update_tally({}, "x", [], []) is None


def _shape(value):
    """The stored value with every count replaced by 0 (what the size depends on)."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    return 0 if isinstance(value, int) else value


def _crowd(n: int) -> dict:
    stored: object = {}
    for i in range(n):
        log: list = []
        for j in range(4):
            entry = gaps.record([gaps.KIND_NO_HITS, gaps.KIND_WRONG_PICK][(i + j) % 2],
                                TERMS[(i + 3 * j) % 12], "s1", [TARGETS[(i + j) % 5]])
            new = gaps.append(log, entry)
            stored = gaps.update_tally(stored, f"learner-{i}", log, new) or stored
            log = new
    return stored


def test_tally_size_does_not_grow_with_the_number_of_learners():
    small, large = _crowd(200), _crowd(2000)
    assert _shape(small) == _shape(large)           # the same terms and targets
    small_size, large_size = len(json.dumps(small)), len(json.dumps(large))
    digits = json.dumps(large).count(":") + 1       # at most one more digit per count
    assert 0 <= large_size - small_size <= digits, (small_size, large_size)
    assert large["learners"] == 2000 and small["learners"] == 200
    # The per-learner copy it replaces held 20 entries of each learner.
    assert large_size < 5000


def test_terms_and_targets_are_bounded_the_fewest_learners_dropped_first():
    stored = gaps.empty_tally()
    popular = [gaps.record(gaps.KIND_NO_HITS, "populært ord", expected=["pas"])]
    for name in ("p1", "p2"):
        stored = gaps.update_tally(stored, name, [], popular)
    for i in range(gaps.MAX_TERMS + 300):
        stored = gaps.update_tally(stored, f"l{i}", [],
                                   [gaps.record(gaps.KIND_NO_HITS, f"ord nummer {i}")])
        assert len(stored["terms"]) <= gaps.MAX_TERMS
    terms = stored["terms"]
    assert "populært ord" in terms                          # two learners: kept
    assert "ord nummer 0" not in terms                      # one learner, oldest: dropped
    assert f"ord nummer {gaps.MAX_TERMS + 299}" in terms    # the newest stays
    assert stored["learners"] == gaps.MAX_TERMS + 302       # every learner still counted
    # Targets: the most voted stay; the suggestion is the same as without the bound.
    logs = [(f"m{i}", [gaps.record(gaps.KIND_WRONG_PICK, "mange mål", "s", [f"t{i % 30:02d}"])])
            for i in range(32)]                             # t00 and t01 get two votes
    many: object = {}
    for name, log in logs:
        many = gaps.update_tally(many, name, [], log)
    targets = many["terms"]["mange mål"]["targets"]
    assert len(targets) == gaps.MAX_TARGETS_PER_TERM
    assert targets["t00"] == targets["t01"] == 2
    assert gaps.tally_candidates(many)[0].suggested_target() == "t00" \
        == gaps.candidates(logs)[0].suggested_target()
    # All votes equal: the target the unbounded list would suggest (sorting first) is kept.
    tied = [(f"e{i}", [gaps.record(gaps.KIND_NO_HITS, "lige mange", "s", [f"u{29 - i:02d}"])])
            for i in range(30)]
    even: object = {}
    for name, log in tied:
        even = gaps.update_tally(even, name, [], log)
    assert gaps.tally_candidates(even)[0].suggested_target() == "u00" \
        == gaps.candidates(tied)[0].suggested_target()


def test_worst_case_tally_stays_within_the_documented_size():
    """MAX_TERMS terms of MAX_TERM_CHARS characters, each with MAX_TARGETS_PER_TERM targets
    of MAX_TARGET_CHARS characters, and six-digit counts."""
    big = 999_999
    target = {f"{i:02d}" + "t" * (gaps.MAX_TARGET_CHARS - 2): big
              for i in range(gaps.MAX_TARGETS_PER_TERM)}
    tally = {"format": gaps.TALLY_FORMAT, "learners": big, "terms": {
        f"{i:04d}" + "o" * (gaps.MAX_TERM_CHARS - 4): {
            "learners": big, "count": big, "no_hits": big, "wrong_picks": big,
            "targets": dict(target)} for i in range(gaps.MAX_TERMS + 50)}}
    loaded = gaps.update_tally(tally, "x", [], [gaps.record(gaps.KIND_NO_HITS, "ny")])
    assert len(loaded["terms"]) == gaps.MAX_TERMS
    assert len(json.dumps(loaded)) < 2_500_000


def test_bad_stored_values_are_read_without_crashing():
    for stored in (None, [], "x", 5, {"format": gaps.TALLY_FORMAT, "terms": "x"},
                   {"format": gaps.TALLY_FORMAT, "learners": -3, "terms": {
                       "ord": {"count": "7", "learners": 1, "targets": {"": 1, "pas": -2}},
                       "godt ord": {"count": 2, "learners": 1, "no_hits": 2, "targets": []},
                       "nul": {"count": 0, "learners": 0}}}):
        found = gaps.tally_candidates(stored)
        assert all(c.count > 0 and c.learners > 0 for c in found)
        assert gaps.tally_learners(stored) >= 0
        updated = gaps.update_tally(stored, "k", [], [gaps.record(gaps.KIND_NO_HITS, "ny")])
        assert gaps.is_tally(updated) and updated["terms"]["ny"]["count"] == 1


def test_a_full_tally_still_takes_new_terms():
    """Once every kept term has two learners, a term searched by one learner must still get
    in (it replaces the weakest other term), or the staff list freezes in a big course."""
    stored = gaps.empty_tally()
    for i in range(gaps.MAX_TERMS):
        log = [gaps.record(gaps.KIND_NO_HITS, f"gammelt ord {i}")]
        for learner in (f"a{i}", f"b{i}"):
            stored = gaps.update_tally(stored, learner, [], log)
    assert len(stored["terms"]) == gaps.MAX_TERMS
    fresh = [gaps.record(gaps.KIND_NO_HITS, "nyt begreb")]
    stored = gaps.update_tally(stored, "ny-1", [], fresh)
    assert "nyt begreb" in stored["terms"] and len(stored["terms"]) == gaps.MAX_TERMS
    for n in range(2, 6):
        stored = gaps.update_tally(stored, f"ny-{n}", [], fresh)
    assert stored["terms"]["nyt begreb"]["learners"] == 5
    top = gaps.tally_candidates(stored)[0]
    assert top.term == "nyt begreb" and top.learners == 5
