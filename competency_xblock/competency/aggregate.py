"""Staff view: respondents per role and unit, level distribution and mean gap per competence,
with small groups suppressed (k-anonymity; k defaults to 5 and can only be raised).

Suppression rules, so that no figure about fewer than k learners can be read or derived:

1. a count or a statistic over 0 < n < k learners is not shown;
2. complementary suppression: within a partition (roles, units, each row and column of the
   role x unit table) whose total is shown, if the hidden cells add up to 0 < n < k, the next
   smallest cell is hidden as well, so the total minus the visible cells reveals nothing;
3. a filtered view (one role and/or unit) is suppressed when the learners left outside the
   filter number 0 < n < k, or it could be subtracted from the unfiltered view.

Known limit: a group of k or more who all gave the same rating reveals that rating for each
of them; the figures are self-ratings, and k can be raised where that matters.

What is stored (the *tally*, one JSON value per block): per (role, unit) group the number of
learners counted and, per competence they were asked, a histogram of their self-rated levels
("don't know" included).  Its size depends on roles x units x competences x levels, never
on the number of learners, and it holds nothing that identifies a learner.  A learner's
contribution (:func:`contribution`) is derived from their own current assessment, so a
reassessment or an erasure subtracts the previous one and adds the new one
(:func:`update_tally`).  Mean gap and "below expected" are computed when staff look, from
the histograms and the role's expected levels at that moment.  Earlier releases stored a copy
of every learner's latest assessment keyed by anonymous id (the *legacy* shape): it is read as
it is and converted on the first write.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from competency_xblock.competency.framework import DONT_KNOW, Framework
from competency_xblock.reports.privacy import Line, stored_count, suppress_line

MIN_K = 5
#: ``format`` of the stored tally; a stored value without it is the legacy per-learner copy.
TALLY_FORMAT = 2
#: Unit key of learners without a unit (a block with no units).
NO_UNIT = ""


def effective_k(k: object = None) -> int:
    """k for suppression: the configured value, but never below :data:`MIN_K`."""
    try:
        value = int(k)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return MIN_K
    return max(MIN_K, value)


def suppressed_cells(counts: Mapping[Hashable, int], k: int,
                     already: Iterable[Hashable] = ()) -> set:
    """Keys of ``counts`` (one line whose total is shown) to hide: small cells, then
    complementary cells (rule 2)."""
    return suppress_line(counts, k, already)


# ---- the stored tally -------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """The learners counted for one role and unit."""

    role: str
    unit: str | None
    respondents: int
    levels: Mapping[str, Mapping[str, int]]  # competence -> rating (level id/"dont_know") -> n


Contribution = tuple  # (role, unit or None, {competence: rating})


def contribution(record: Mapping | None) -> Contribution | None:
    """What one learner's assessment (its stored dict) adds to the tally, or None.

    Each competence expected of the learner's role when they submitted counts once, with
    their rating or "don't know"; the expected levels themselves are not kept.
    """
    if not isinstance(record, Mapping):
        return None
    role, unit = record.get("role"), record.get("unit")
    if not isinstance(role, str) or not role:
        return None
    unit = unit if isinstance(unit, str) and unit else None
    expected = record.get("expected")
    ratings = record.get("ratings")
    expected = expected if isinstance(expected, Mapping) else {}
    ratings = ratings if isinstance(ratings, Mapping) else {}
    asked = {}
    for comp in expected:
        rating = ratings.get(comp, DONT_KNOW)
        asked[str(comp)] = rating if isinstance(rating, str) and rating else DONT_KNOW
    return role, unit, asked


def is_tally(stored: object) -> bool:
    return isinstance(stored, Mapping) and stored.get("format") == TALLY_FORMAT


def empty_tally() -> dict:
    return {"format": TALLY_FORMAT, "groups": {}}


def tally_of(records: Iterable[Mapping]) -> dict:
    """A tally counting each of ``records`` (stored assessment dicts) once."""
    tally = empty_tally()
    for record in records:
        _apply(tally["groups"], contribution(record), 1)
    return tally


def load_tally(stored: object, drop: str | None = None) -> dict:
    """The stored value as a tally: a tally as it is, the legacy per-learner copy (anonymous
    id -> latest assessment) converted, without the entry of learner ``drop``; anything else
    (nothing stored yet) as an empty tally.  The result shares entries with ``stored``."""
    if is_tally(stored):
        groups = stored.get("groups")
        return {**stored, "groups": dict(groups) if isinstance(groups, Mapping) else {}}
    if not isinstance(stored, Mapping):
        return empty_tally()
    return tally_of(record for key, record in stored.items() if key != drop)


def update_tally(stored: object, learner: str, old: Mapping | None,
                 new: Mapping | None) -> dict | None:
    """The tally after learner ``learner`` replaced assessment ``old`` by ``new`` (either may
    be None: first submit, erasure); None when nothing changes.

    ``stored`` is not modified: the changed group entry is copied, the others are shared.  In
    the legacy shape the learner's own entry is what counted them, so it is dropped instead of
    subtracting ``old``.  A count never goes below zero: if a learner's earlier update was
    lost (the shared write failing after their own state was saved), subtracting it later
    can at worst take one count from others of that group, never make a count negative.
    """
    legacy = not is_tally(stored) and isinstance(stored, Mapping) and bool(stored)
    remove = None if legacy else contribution(old)
    add = contribution(new)
    if not legacy and remove == add:
        return None
    tally = load_tally(stored, drop=learner)
    _apply(tally["groups"], remove, -1)
    _apply(tally["groups"], add, 1)
    return tally


def _apply(groups: dict, part: Contribution | None, sign: int) -> None:
    """Add (``sign`` 1) or subtract (-1) one contribution, copying the entries it changes."""
    if part is None:
        return
    role, unit, asked = part
    by_unit = groups.get(role)
    by_unit = dict(by_unit) if isinstance(by_unit, Mapping) else {}
    key = unit or NO_UNIT
    entry = _entry(by_unit.get(key))
    entry["n"] = max(0, entry["n"] + sign)
    levels = entry["levels"]
    for comp, rating in asked.items():
        histogram = levels.setdefault(comp, {})
        count = max(0, histogram.get(rating, 0) + sign)
        if count:
            histogram[rating] = count
        else:
            histogram.pop(rating, None)
        if not histogram:
            del levels[comp]
    if entry["n"]:
        by_unit[key] = entry
    else:
        by_unit.pop(key, None)
    if by_unit:
        groups[role] = by_unit
    else:
        groups.pop(role, None)


def _entry(stored: object) -> dict:
    """A fresh, well-formed copy of one stored group entry."""
    stored = stored if isinstance(stored, Mapping) else {}
    levels = stored.get("levels")
    levels = levels if isinstance(levels, Mapping) else {}
    copied = {}
    for comp, histogram in levels.items():
        if isinstance(histogram, Mapping):
            counts = {str(r): stored_count(n) for r, n in histogram.items() if stored_count(n)}
            if counts:
                copied[str(comp)] = counts
    return {"n": stored_count(stored.get("n")), "levels": copied}


def groups_of(stored: object) -> Iterator[Group]:
    """The groups of a stored tally (or of a legacy per-learner copy, converted)."""
    tally = load_tally(stored)
    for role, by_unit in tally["groups"].items():
        if not isinstance(by_unit, Mapping):
            continue
        for unit, raw in by_unit.items():
            entry = _entry(raw)
            if entry["n"]:
                yield Group(str(role), str(unit) or None, entry["n"], entry["levels"])


# ---- the staff figures ----------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    key: tuple  # (role,), (unit,) or (role, unit)
    count: int | None  # None = suppressed


@dataclass(frozen=True)
class CompetenceStats:
    competence: str
    respondents: int | None
    distribution: dict[str, int] | None  # level id or "dont_know" -> learners
    mean_gap: float | None
    with_gap: int | None  # learners whose self level is below the expected one

    @property
    def suppressed(self) -> bool:
        return self.respondents is None


@dataclass(frozen=True)
class Summary:
    k: int
    respondents: int | None  # in the (filtered) group; None = suppressed
    total: int | None        # all learners with a submitted assessment; None = suppressed
    by_role: list[Count] = field(default_factory=list)
    by_unit: list[Count] = field(default_factory=list)
    by_role_unit: list[Count] = field(default_factory=list)
    competences: list[CompetenceStats] = field(default_factory=list)
    role: str | None = None
    unit: str | None = None

    @property
    def suppressed(self) -> bool:
        return self.respondents is None


#: Key of "all roles" / "all units" in the table of figures (never a real id).
ALL = "\x00all"


def _table_lines(table: Mapping[tuple, object]) -> list[Line]:
    """The lines of the role x unit table that add up to a shown figure: each row to its role
    total, each column to its unit total, role totals and unit totals to the overall total."""
    roles = sorted({r for r, u in table if r != ALL})
    units = sorted({u for r, u in table if u != ALL})
    lines = [Line([(r, u) for u in units], (r, ALL)) for r in roles]
    lines += [Line([(r, u) for r in roles], (ALL, u)) for u in units]
    lines.append(Line([(r, ALL) for r in roles], (ALL, ALL)))
    if units:
        lines.append(Line([(ALL, u) for u in units], (ALL, ALL)))
    return lines


def _table(cells: Mapping[tuple, int], roles: Iterable[str], units: Iterable[str]
           ) -> dict[tuple, int]:
    """(role, unit) counts with their margins (role, ALL), (ALL, unit) and (ALL, ALL)."""
    table: dict[tuple, int] = {(ALL, ALL): 0}
    for r in roles:
        table.setdefault((r, ALL), 0)
    for u in units:
        table.setdefault((ALL, u), 0)
    for (r, u), n in cells.items():
        for key in ((r, u), (r, ALL), (ALL, u), (ALL, ALL)):
            table[key] = table.get(key, 0) + n
    return table


def _protect(table: Mapping[tuple, int], k: int, hidden: Iterable[tuple] = ()) -> set:
    """Keys of ``table`` to hide so that no figure about 0 < n < k learners can be read or
    worked out by subtraction along a row, column or margin (rules 1 and 2 above).

    In a line whose total is shown, a hidden cell is never the only one (the total minus the
    visible cells would give it back, and a cell recovered that way opens its other line to
    subtraction) and the hidden cells never add up to 0 < n < k: otherwise the smallest
    visible cell of k or more learners (the largest, if none is) is hidden too.  A hidden
    total has a hidden cell under it, or it could be added up.  A line with one non-empty cell
    is that cell: the two are hidden together.  Repeated until every line holds.
    """
    lines = _table_lines(table)
    # The one non-empty role (or unit) total under a shown overall total is that total.
    known = set()
    if table.get((ALL, ALL), 0) >= k:
        for line in lines:
            cells = [key for key in line.cells if table.get(key, 0) > 0]
            if line.total == (ALL, ALL) and len(cells) == 1:
                known.add(cells[0])
    result = {key for key in hidden if key in table}
    result |= {key for key, n in table.items() if 0 < n < k}
    result -= known
    changed = True
    while changed:
        changed = False
        for line in lines:
            cells = [key for key in line.cells if table.get(key, 0) > 0]
            hid = [key for key in cells if key in result]
            visible = [(table[key], repr(key), key) for key in cells
                       if key not in result and key not in known]
            if len(cells) == 1 and line.total not in known | {(ALL, ALL)} and (
                    (cells[0] in result) != (line.total in result)):
                result |= {cells[0], line.total}
                changed = True
            elif line.total in result:
                if not hid and visible:
                    result.add(_pick(visible, k))
                    changed = True
            elif hid and visible and (len(hid) == 1 or
                                      0 < sum(table[key] for key in hid) < k):
                result.add(_pick(visible, k))
                changed = True
    return result


def _pick(candidates: list[tuple[int, str, tuple]], k: int) -> tuple:
    big_enough = [c for c in candidates if c[0] >= k]
    return min(big_enough)[2] if big_enough else max(candidates)[2]


def _key(role: str | None, unit: str | None) -> tuple:
    return (ALL if role is None else role, ALL if unit is None else unit)


def summarize(framework: Framework, tally: object, k: object = None,
              role: str | None = None, unit: str | None = None,
              roles: Iterable[str] = (), units: Iterable[str] = (),
              expected: Mapping[str, Mapping[str, str]] | None = None) -> Summary:
    """The staff figures from a stored tally; ``role``/``unit`` filter the group.

    ``roles``/``units`` (the author's lists) fix the order of the count tables; ``expected``
    (role -> competence -> expected level, as authored now) gives the gaps.

    Every figure any view can show -- a role x unit cell, a role or unit total, the overall
    total, and the same per competence -- is one key of a table with margins; what is hidden
    is decided on that whole table (for all learners, whatever the filter), so a figure hidden
    in one table or view is hidden in all of them and none can be subtracted back.  Learners
    without a unit count in a column of their own (:data:`NO_UNIT`) that is never listed but
    could be worked out, so it takes part like any other.
    """
    k = effective_k(k)
    expected = expected or {}
    roles, units = list(roles), list(units)
    population = list(groups_of(tally))
    total = sum(g.respondents for g in population)
    group = [g for g in population
             if (role is None or g.role == role) and (unit is None or g.unit == unit)]
    in_group = sum(g.respondents for g in group)
    filtered = role is not None or unit is not None
    with_units = bool(units) or any(g.unit is not None for g in population)

    cells: dict[tuple, int] = {}
    for g in population:
        key = (g.role, (g.unit or NO_UNIT) if with_units else NO_UNIT)
        cells[key] = cells.get(key, 0) + g.respondents
    table = _table(cells, roles, units if with_units else [NO_UNIT])

    def listed(hidden: set) -> tuple[list[Count], list[Count], list[Count]]:
        by_role = [Count((r,), None if (r, ALL) in hidden else n)
                   for (r, u), n in table.items() if u == ALL and r != ALL]
        by_unit = [Count((u,), None if (ALL, u) in hidden else n)
                   for (r, u), n in table.items()
                   if r == ALL and u not in (ALL, NO_UNIT)]
        by_cell = [Count(key, None if key in hidden else cells[key])
                   for key in cells if key[1] != NO_UNIT]
        return by_role, by_unit, by_cell

    if total < k:
        by_role, by_unit, by_cell = listed(set(table))
        return Summary(k=k, respondents=None, total=None, role=role, unit=unit,
                       by_role=by_role, by_unit=by_unit, by_role_unit=by_cell)
    comp_ids = [comp.id for comp in framework.competences()]
    asked_tables = {c: _comp_table(population, with_units, _asked_count(c)) for c in comp_ids}
    # A group hidden in one table is hidden in all: the same learners stand behind the count
    # of a role and unit and behind each competence asked of them, so a figure left in one
    # table could be subtracted from another.
    # (The overall total is not shared: below k it hides the whole view, and a competence
    # asked of fewer than k learners in all hides only that competence.)
    hidden: set = set()
    while True:
        hidden_in = {c: _protect(t, k, hidden) for c, t in asked_tables.items()}
        more = _protect(table, k, hidden).union(*hidden_in.values()) - {(ALL, ALL)}
        if more <= hidden:
            break
        hidden |= more
    counts_hidden = _protect(table, k, hidden)
    by_role, by_unit, by_cell = listed(counts_hidden)
    here = _key(role, unit if with_units else None)
    group_hidden = (in_group < k or here in counts_hidden
                    or (filtered and 0 < total - in_group < k))
    summary = Summary(
        k=k, respondents=None if group_hidden else in_group, total=total,
        by_role=by_role, by_unit=by_unit, by_role_unit=by_cell, role=role, unit=unit,
    )
    if group_hidden:
        return summary
    for comp_id in comp_ids:
        # Mean gap and "below expected": over the learners who gave a level, per table key.
        rated_hidden = _protect(
            _comp_table(population, with_units, _rated_count(framework, comp_id, expected)),
            k, hidden | hidden_in[comp_id])
        stats = _competence_stats(framework, comp_id, group, population, k, filtered,
                                  expected, here in hidden_in[comp_id] | hidden,
                                  here in rated_hidden)
        if stats is not None:
            summary.competences.append(stats)
    return summary


def _asked_count(comp_id: str):
    return lambda g: sum(g.levels.get(comp_id, {}).values())


def _rated_count(framework: Framework, comp_id: str,
                 expected: Mapping[str, Mapping[str, str]]):
    """Learners of a group whose level and expected level for ``comp_id`` give a gap."""
    def count(g: Group) -> int:
        if framework.level((expected.get(g.role) or {}).get(comp_id)) is None:
            return 0
        return sum(n for rated, n in g.levels.get(comp_id, {}).items()
                   if rated != DONT_KNOW and framework.level(rated) is not None)
    return count


def _comp_table(population: list[Group], with_units: bool, count) -> dict[tuple, int]:
    """``count(group)`` per role and unit (learners asked a competence, ...), with margins."""
    cells: dict[tuple, int] = {}
    for g in population:
        n = count(g)
        if n:
            key = (g.role, (g.unit or NO_UNIT) if with_units else NO_UNIT)
            cells[key] = cells.get(key, 0) + n
    return _table(cells, (), ())


def _asked(groups: list[Group], comp_id: str) -> int:
    return sum(sum(g.levels.get(comp_id, {}).values()) for g in groups)


def _competence_stats(framework: Framework, comp_id: str, group: list[Group],
                      population: list[Group], k: int, filtered: bool,
                      expected: Mapping[str, Mapping[str, str]], hidden: bool = False,
                      rated_hidden: bool = False) -> CompetenceStats | None:
    asked = _asked(group, comp_id)
    if not asked:
        return None
    asked_all = _asked(population, comp_id)
    # Nor when those not asked it (other roles in the group) are 0 < n < k: the group's count
    # minus this one would give them.
    not_asked = sum(g.respondents for g in group) - asked
    if hidden or asked < k or 0 < not_asked < k or (filtered and 0 < asked_all - asked < k):
        return CompetenceStats(comp_id, None, None, None, None)
    distribution = {lv: 0 for lv in framework.level_ids + [DONT_KNOW]}
    rated_n = gap_sum = below = 0
    for g in group:
        target = (expected.get(g.role) or {}).get(comp_id)
        target_rank = framework.rank(target) if framework.level(target) is not None else None
        for rated, n in g.levels.get(comp_id, {}).items():
            if framework.level(rated) is None:
                rated = DONT_KNOW
            distribution[rated] += n
            if rated != DONT_KNOW and target_rank is not None:
                gap = target_rank - framework.rank(rated)
                rated_n += n
                gap_sum += gap * n
                below += n if gap > 0 else 0
    shown = rated_n >= k and not rated_hidden
    mean_gap = round(gap_sum / rated_n, 2) if shown else None
    with_gap = below if shown else None
    return CompetenceStats(comp_id, asked, distribution, mean_gap, with_gap)
