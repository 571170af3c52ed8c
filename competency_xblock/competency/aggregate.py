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
    """Keys of ``counts`` to hide: small cells, then complementary cells (rule 2)."""
    hidden = set(already) | {key for key, n in counts.items() if 0 < n < k}
    while True:
        hidden_total = sum(counts[key] for key in hidden if key in counts)
        if not 0 < hidden_total < k:
            return hidden
        visible = sorted((n, str(key), key) for key, n in counts.items()
                         if key not in hidden and n > 0)
        if not visible:
            return hidden
        hidden.add(visible[0][2])


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


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _entry(stored: object) -> dict:
    """A fresh, well-formed copy of one stored group entry."""
    stored = stored if isinstance(stored, Mapping) else {}
    levels = stored.get("levels")
    levels = levels if isinstance(levels, Mapping) else {}
    copied = {}
    for comp, histogram in levels.items():
        if isinstance(histogram, Mapping):
            counts = {str(r): _count(n) for r, n in histogram.items() if _count(n)}
            if counts:
                copied[str(comp)] = counts
    return {"n": _count(stored.get("n")), "levels": copied}


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


def _shown(counts: dict, hidden: set) -> list[Count]:
    return [Count(key if isinstance(key, tuple) else (key,),
                  None if key in hidden else n) for key, n in counts.items()]


def _cross_hidden(cells: dict[tuple, int], k: int) -> set:
    hidden: set = set()
    changed = True
    while changed:
        changed = False
        lines: dict[tuple, dict] = {}
        for (role, unit), n in cells.items():
            lines.setdefault(("r", role), {})[(role, unit)] = n
            lines.setdefault(("u", unit), {})[(role, unit)] = n
        for line in lines.values():
            more = suppressed_cells(line, k, hidden & set(line))
            if more - hidden:
                hidden |= more
                changed = True
    return hidden


def summarize(framework: Framework, tally: object, k: object = None,
              role: str | None = None, unit: str | None = None,
              roles: Iterable[str] = (), units: Iterable[str] = (),
              expected: Mapping[str, Mapping[str, str]] | None = None) -> Summary:
    """The staff figures from a stored tally; ``role``/``unit`` filter the group.

    ``roles``/``units`` (the author's lists) fix the order of the count tables; ``expected``
    (role -> competence -> expected level, as authored now) gives the gaps.
    """
    k = effective_k(k)
    expected = expected or {}
    population = list(groups_of(tally))
    total = sum(g.respondents for g in population)
    group = [g for g in population
             if (role is None or g.role == role) and (unit is None or g.unit == unit)]
    in_group = sum(g.respondents for g in group)
    filtered = role is not None or unit is not None

    role_counts = {r: 0 for r in roles}
    unit_counts = {u: 0 for u in units}
    cells: dict[tuple, int] = {}
    for g in population:
        role_counts[g.role] = role_counts.get(g.role, 0) + g.respondents
        if g.unit is not None:
            unit_counts[g.unit] = unit_counts.get(g.unit, 0) + g.respondents
            cells[(g.role, g.unit)] = cells.get((g.role, g.unit), 0) + g.respondents

    if total < k:
        return Summary(k=k, respondents=None, total=None, role=role, unit=unit,
                       by_role=_shown(role_counts, set(role_counts)),
                       by_unit=_shown(unit_counts, set(unit_counts)),
                       by_role_unit=_shown(cells, set(cells)))
    group_hidden = in_group < k or (filtered and 0 < total - in_group < k)
    summary = Summary(
        k=k, respondents=None if group_hidden else in_group, total=total,
        by_role=_shown(role_counts, suppressed_cells(role_counts, k)),
        by_unit=_shown(unit_counts, suppressed_cells(unit_counts, k)),
        by_role_unit=_shown(cells, _cross_hidden(cells, k)),
        role=role, unit=unit,
    )
    if group_hidden:
        return summary
    for comp in framework.competences():
        stats = _competence_stats(framework, comp.id, group, population, k, filtered,
                                  expected)
        if stats is not None:
            summary.competences.append(stats)
    return summary


def _asked(groups: list[Group], comp_id: str) -> int:
    return sum(sum(g.levels.get(comp_id, {}).values()) for g in groups)


def _competence_stats(framework: Framework, comp_id: str, group: list[Group],
                      population: list[Group], k: int, filtered: bool,
                      expected: Mapping[str, Mapping[str, str]]) -> CompetenceStats | None:
    asked = _asked(group, comp_id)
    if not asked:
        return None
    asked_all = _asked(population, comp_id)
    if asked < k or (filtered and 0 < asked_all - asked < k):
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
    mean_gap = round(gap_sum / rated_n, 2) if rated_n >= k else None
    with_gap = below if rated_n >= k else None
    return CompetenceStats(comp_id, asked, distribution, mean_gap, with_gap)
