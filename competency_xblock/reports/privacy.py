"""k-anonymity for HR tables: no figure about fewer than k people, not even by subtraction.

Rules (applied by :func:`suppress_table` and :func:`suppress_line`):

1. *Primary*: a cell about 0 < n < k people is hidden.
2. *Complementary*: in every line of cells that add up to a total (a row or column of the
   role x unit table, the row of role totals, ...), a hidden cell must never be the only one
   (total minus the visible cells would give it back exactly -- and a cell recovered that way,
   even a large one, opens the next line to subtraction), and the hidden cells together must
   be about 0 or at least k people.  Otherwise the smallest visible cell that is itself about
   k or more people is hidden too (the largest, if none is), until every line holds.
3. A hidden total must have at least one hidden cell under it, or it could be added up.

This is the usual heuristic of statistical offices, not a full audit: it stops subtraction
along any one row, column or margin, and the chains between them that a single hidden cell
per line would open.

Each cell may carry several counts (people in the cell, people with a rating, ...); a line
must hold for each of them.  k defaults to 5; it can be raised, never lowered.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from competency_xblock.text import N_, UserFacingError

MIN_K = 5
DEFAULT_K = MIN_K


def check_k(k: int | None) -> int:
    """The threshold to use: ``k`` if given and at least :data:`MIN_K`; refused if lower."""
    if k is None:
        return DEFAULT_K
    if int(k) < MIN_K:
        raise UserFacingError(N_("The privacy threshold cannot be lower than {minimum} "
                                 "people (asked for {k})."), minimum=MIN_K, k=k)
    return int(k)


def is_small(count: int | None, k: int) -> bool:
    return count is not None and 0 < count < k


@dataclass(frozen=True)
class Line:
    """Cells that add up to ``total`` (``total`` may be None: a line without a shown total
    still leaks if only one of its cells is hidden and the total is known elsewhere)."""

    cells: Sequence[Hashable]
    total: Hashable | None = None


def _pick(candidates: list[tuple[int, str, Hashable]], k: int) -> Hashable:
    big_enough = [c for c in candidates if c[0] >= k]
    if big_enough:
        return min(big_enough)[2]
    return max(candidates)[2]


def suppress_table(counts: Mapping[Hashable, Sequence[int]], lines: Iterable[Line], k: int,
                   hidden: Iterable[Hashable] = ()) -> set:
    """The keys of ``counts`` to hide (rules 1-3).  ``counts[key]`` is a tuple of counts,
    the first being the one used to choose complementary cells; ``hidden`` are keys already
    hidden for other reasons."""
    lines = list(lines)
    result = set(hidden) | {key for key, values in counts.items()
                            if any(is_small(v, k) for v in values)}
    width = max((len(v) for v in counts.values()), default=0)
    changed = True
    while changed:
        changed = False
        for line in lines:
            cells = [key for key in line.cells if key in counts]
            hid = [key for key in cells if key in result]
            visible = [(counts[key][0], repr(key), key) for key in cells
                       if key not in result and counts[key][0] > 0]
            total_hidden = line.total is not None and line.total in result
            if total_hidden and line.total in counts and not hid and visible:
                result.add(_pick(visible, k))
                changed = True
                continue
            if not hid or not visible:
                continue
            sums = [sum(counts[key][i] for key in hid if i < len(counts[key]))
                    for i in range(width)]
            alone = len(hid) == 1 and sums[0] > 0
            if alone or any(is_small(s, k) for s in sums):
                result.add(_pick(visible, k))
                changed = True
    return result


def suppress_line(counts: Mapping[Hashable, int], k: int, hidden: Iterable[Hashable] = ()
                  ) -> set:
    """One line whose total is known (choices of one question): rules 1 and 2."""
    table = {key: (n,) for key, n in counts.items()}
    return suppress_table(table, [Line(list(counts))], k, hidden)


def stored_count(value: object) -> int:
    """A count read back from stored JSON (a tally in a shared field): a positive integer as
    it is, anything else - a bool, a negative, a float, text - as 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
