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
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

from competency_xblock.competency.assessment import Assessment
from competency_xblock.competency.framework import DONT_KNOW, Framework

MIN_K = 5


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


def summarize(framework: Framework, assessments: Iterable[Assessment], k: object = None,
              role: str | None = None, unit: str | None = None,
              roles: Iterable[str] = (), units: Iterable[str] = ()) -> Summary:
    """Aggregate the latest assessment of each learner; ``role``/``unit`` filter the group.

    ``roles``/``units`` (the author's lists) fix the order of the count tables.
    """
    k = effective_k(k)
    population = list(assessments)
    total = len(population)
    group = [a for a in population
             if (role is None or a.role == role) and (unit is None or a.unit == unit)]
    filtered = role is not None or unit is not None

    role_counts = {r: 0 for r in roles}
    unit_counts = {u: 0 for u in units}
    cells: dict[tuple, int] = {}
    for a in population:
        role_counts[a.role] = role_counts.get(a.role, 0) + 1
        if a.unit is not None:
            unit_counts[a.unit] = unit_counts.get(a.unit, 0) + 1
            cells[(a.role, a.unit)] = cells.get((a.role, a.unit), 0) + 1

    if total < k:
        return Summary(k=k, respondents=None, total=None, role=role, unit=unit,
                       by_role=_shown(role_counts, set(role_counts)),
                       by_unit=_shown(unit_counts, set(unit_counts)),
                       by_role_unit=_shown(cells, set(cells)))
    group_hidden = len(group) < k or (filtered and 0 < total - len(group) < k)
    summary = Summary(
        k=k, respondents=None if group_hidden else len(group), total=total,
        by_role=_shown(role_counts, suppressed_cells(role_counts, k)),
        by_unit=_shown(unit_counts, suppressed_cells(unit_counts, k)),
        by_role_unit=_shown(cells, _cross_hidden(cells, k)),
        role=role, unit=unit,
    )
    if group_hidden:
        return summary
    for comp in framework.competences():
        stats = _competence_stats(framework, comp.id, group, population, k, filtered)
        if stats is not None:
            summary.competences.append(stats)
    return summary


def _competence_stats(framework: Framework, comp_id: str, group: list[Assessment],
                      population: list[Assessment], k: int,
                      filtered: bool) -> CompetenceStats | None:
    asked = [a for a in group if comp_id in a.expected]
    if not asked:
        return None
    asked_all = sum(1 for a in population if comp_id in a.expected)
    if len(asked) < k or (filtered and 0 < asked_all - len(asked) < k):
        return CompetenceStats(comp_id, None, None, None, None)
    distribution = {lv: 0 for lv in framework.level_ids + [DONT_KNOW]}
    gaps = []
    for a in asked:
        rated = a.ratings.get(comp_id, DONT_KNOW)
        if framework.level(rated) is None:
            rated = DONT_KNOW
        distribution[rated] += 1
        expected = a.expected[comp_id]
        if rated != DONT_KNOW and framework.level(expected) is not None:
            gaps.append(framework.rank(expected) - framework.rank(rated))
    mean_gap = round(sum(gaps) / len(gaps), 2) if len(gaps) >= k else None
    with_gap = sum(1 for g in gaps if g > 0) if len(gaps) >= k else None
    return CompetenceStats(comp_id, len(asked), distribution, mean_gap, with_gap)
