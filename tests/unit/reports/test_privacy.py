"""k-anonymity: small cells hidden, and no hidden cell recoverable by subtraction."""
from __future__ import annotations

import itertools

import pytest

from competency_xblock.reports.privacy import (
    MIN_K,
    Line,
    check_k,
    suppress_line,
    suppress_table,
)
from competency_xblock.text import UserFacingError

ALL = "*"


def test_k_defaults_to_five_and_can_only_be_raised():
    assert check_k(None) == MIN_K == 5
    assert check_k(10) == 10
    with pytest.raises(UserFacingError) as info:
        check_k(3)
    assert "cannot be lower than 5" in str(info.value)


def test_primary_suppression_only_hides_small_nonzero_cells():
    assert suppress_line({"a": 4, "b": 0, "c": 5, "d": 12, "e": 7}, 5) >= {"a"}
    hidden = suppress_line({"a": 4, "b": 0, "c": 5, "d": 12}, 5)
    assert "b" not in hidden


def test_one_hidden_cell_in_a_line_gets_a_partner():
    # total 28 is shown; hiding only "a" (3) would give it back as 28 - 5 - 12 - 8
    hidden = suppress_line({"a": 3, "c": 5, "d": 12, "e": 8}, 5)
    assert hidden == {"a", "c"}  # the smallest visible cell that is itself >= k


def test_hidden_cells_together_must_reach_k():
    # 1 + 2 hidden = 3 < 5 would still describe three people: hide one more
    assert suppress_line({"a": 1, "b": 2, "c": 6, "d": 9}, 5) == {"a", "b", "c"}


def test_partner_is_the_largest_when_none_reaches_k():
    assert suppress_line({"a": 1, "b": 2, "c": 3}, 5) == {"a", "b", "c"}


def test_a_second_count_per_cell_is_protected_too():
    # people (first) and people who gave a level (second): b has 9 people but 2 ratings
    counts = {"a": (9, 9), "b": (9, 2), "c": (12, 12)}
    assert suppress_table(counts, [Line(list(counts))], 5) == {"a", "b"}


def table(values: dict[tuple[str, str], int]) -> dict:
    """A role x unit table with its margins, counts as 1-tuples."""
    roles = sorted({r for r, _ in values})
    units = sorted({u for _, u in values})
    counts = {key: (n,) for key, n in values.items()}
    for r in roles:
        counts[(r, ALL)] = (sum(values.get((r, u), 0) for u in units),)
    for u in units:
        counts[(ALL, u)] = (sum(values.get((r, u), 0) for r in roles),)
    counts[(ALL, ALL)] = (sum(values.values()),)
    lines = [Line([(r, u) for u in units], (r, ALL)) for r in roles]
    lines += [Line([(r, u) for r in roles], (ALL, u)) for u in units]
    lines += [Line([(r, ALL) for r in roles], (ALL, ALL)),
              Line([(ALL, u) for u in units], (ALL, ALL))]
    return counts, lines


# The design of tests/data/reports: respondents per role (S, K) and unit (BN, JØ, Æ).
DESIGN = {("S", "BN"): 6, ("S", "JØ"): 2, ("S", "Æ"): 7,
          ("K", "BN"): 5, ("K", "JØ"): 6, ("K", "Æ"): 8}


def test_role_by_unit_table_worked_by_hand():
    counts, lines = table(DESIGN)
    hidden = suppress_table(counts, lines, 5)
    # (S, JØ) = 2 is small.  Row S then needs a partner: (S, BN) = 6, the smallest >= 5.
    # Column JØ needs one: (K, JØ) = 6.  Column BN now has (S, BN) alone: (K, BN) = 5.
    # Row K has (K, BN) and (K, JØ): 11, fine.  The Ældreplejen column stays visible.
    assert hidden == {("S", "BN"), ("S", "JØ"), ("K", "BN"), ("K", "JØ")}


def candidates(counts, hidden, limit=20):
    """Every non-negative table that agrees with all visible cells and margins."""
    unknown = sorted(k for k in hidden if ALL not in k)
    known = {k: v[0] for k, v in counts.items() if k not in hidden}
    for values in itertools.product(range(limit + 1), repeat=len(unknown)):
        cells = {k: v[0] for k, v in counts.items() if ALL not in k}
        cells.update(zip(unknown, values, strict=True))
        ok = True
        for (r, u), n in known.items():
            if r == ALL and u == ALL:
                total = sum(cells.values())
            elif u == ALL:
                total = sum(v for (rr, _), v in cells.items() if rr == r)
            elif r == ALL:
                total = sum(v for (_, uu), v in cells.items() if uu == u)
            else:
                total = cells[(r, u)]
            if total != n:
                ok = False
                break
        if ok:
            yield dict(zip(unknown, values, strict=True))


def test_hidden_cells_cannot_be_worked_out_from_what_is_shown():
    counts, lines = table(DESIGN)
    hidden = suppress_table(counts, lines, 5)
    tables = list(candidates(counts, hidden, limit=12))
    assert {"S": 2, "K": 6} == {"S": DESIGN[("S", "JØ")], "K": DESIGN[("K", "JØ")]}
    for key in hidden:
        possible = {t[key] for t in tables}
        assert len(possible) >= 5, (key, possible)  # a wide range, not one value


def test_sum_rule_alone_would_leak():
    """Why a lone hidden cell gets a partner even when it is large: the old rule (hidden
    cells must add up to k or more) hides (S, BN) and (K, JØ) only, and then (S, BN) =
    column BN - (K, BN) exactly, which gives (S, JØ) = row S - (S, BN) - (S, Æ)."""
    counts, _lines = table(DESIGN)
    leaky = {("S", "BN"), ("S", "JØ"), ("K", "JØ")}
    values = {t[("S", "JØ")] for t in candidates(counts, leaky, limit=12)}
    assert values == {2}


def test_hidden_total_needs_a_hidden_cell_under_it():
    counts = {("a", ALL): (30,), ("a", "x"): (10,), ("a", "y"): (20,)}
    lines = [Line([("a", "x"), ("a", "y")], ("a", ALL))]
    hidden = suppress_table(counts, lines, 5, hidden={("a", ALL)})
    assert ("a", "x") in hidden  # otherwise 10 + 20 gives the total back
