"""The competency gap matrix: roles and units x competences, from running sums per cell.

One :class:`Rating` per learner and competence (their current assessment) is folded into the
sums of its leaf cell (role, unit, competence) and then forgotten; totals per role, per unit
and overall are sums of leaf cells.  Figures per cell:

* respondents: learners who answered (a level or "don't know");
* share "don't know";
* mean self level and expected level (level ranks, 1 = lowest level of the scale), only
  where everyone in the cell has the same expected level (see ``_cell``);
* mean gap = mean of (expected rank - self rank), positive = below expectation;
* share below expectation: learners with gap > 0 among those who gave a level;
* change since the previous round: mean of (gap now - gap at the learner's previous
  assessment) among learners who reassessed in the same role (negative = the gap closed).

Privacy (:mod:`.privacy`): respondents decide whether a cell is shown at all, learners with
a level whether its level figures are, reassessed learners whether its change is.  A
(role, unit) group hidden for one competence is hidden for all, because the same people
stand behind every competence of a role and differing patterns could be subtracted.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from competency_xblock.reports.i18n import sort_key
from competency_xblock.reports.levels import LevelScale, Token
from competency_xblock.reports.privacy import Line, check_k, suppress_table

ALL = "\x00all"  # the key of "all roles" / "all units" (never a real title)
GROUPINGS = ("role", "unit", "role_unit", "all")


@dataclass(slots=True)
class Rating:
    """One learner's answer on one competence (current assessment)."""

    learner: int
    role: str
    unit: str
    competence_id: str
    competence: str = ""
    area: str = ""
    self_level: Token | None = None       # None = "don't know"
    expected_level: Token | None = None
    gap: int | None = None
    self_label: str = ""
    expected_label: str = ""
    #: change evidence: ("gap", previous gap) or ("pair", expected token, self token)
    previous: tuple | None = None


@dataclass(slots=True)
class CellSums:
    respondents: int = 0
    dont_know: int = 0
    rated: int = 0           # gave a level and the gap is known
    gap_sum: int = 0
    below: int = 0
    self_levels: Counter = field(default_factory=Counter)
    expected_levels: Counter = field(default_factory=Counter)
    expected_labels: Counter = field(default_factory=Counter)
    #: previous-round evidence -> [learners, sum of their current gaps]
    changes: dict = field(default_factory=dict)

    def add(self, r: Rating) -> None:
        self.respondents += 1
        if r.expected_level is not None:
            self.expected_levels[r.expected_level] += 1
            self.expected_labels[r.expected_label] += 1
        if r.self_level is None or r.gap is None:
            self.dont_know += 1
            return
        self.rated += 1
        self.gap_sum += r.gap
        if r.gap > 0:
            self.below += 1
        self.self_levels[r.self_level] += 1
        if r.previous is not None:
            entry = self.changes.setdefault(r.previous, [0, 0])
            entry[0] += 1
            entry[1] += r.gap

    def merge(self, other: CellSums) -> None:
        self.respondents += other.respondents
        self.dont_know += other.dont_know
        self.rated += other.rated
        self.gap_sum += other.gap_sum
        self.below += other.below
        self.self_levels.update(other.self_levels)
        self.expected_levels.update(other.expected_levels)
        self.expected_labels.update(other.expected_labels)
        for key, (n, total) in other.changes.items():
            entry = self.changes.setdefault(key, [0, 0])
            entry[0] += n
            entry[1] += total

    def change(self, scale: LevelScale) -> tuple[int, int]:
        """(learners with a known previous gap, sum of gap now - gap then)."""
        n = total = 0
        for key, (count, current_sum) in self.changes.items():
            if key[0] == "gap":
                previous = key[1]
            else:
                high, low = scale.rank(key[1]), scale.rank(key[2])
                if high is None or low is None:
                    continue
                previous = high - low
            n += count
            total += current_sum - count * previous
        return n, total


@dataclass
class GapCell:
    """One cell as reported; ``None`` = not shown (suppressed or not computable)."""

    grouping: str
    role: str
    unit: str
    competence_id: str
    competence: str
    area: str
    respondents: int | None
    share_dont_know: float | None
    mean_self: float | None
    expected_label: str
    mean_expected: float | None
    mean_gap: float | None
    share_below: float | None
    change: float | None
    reassessed: int | None
    suppressed: bool             # the whole cell is hidden
    levels_hidden: bool          # level figures hidden (too few learners gave a level)
    #: for tests and the operator's log only, never written to an output
    reason: str = ""


@dataclass
class GapMatrix:
    k: int
    competences: list[tuple[str, str, str]]  # (id, title, area) in display order
    cells: list[GapCell]
    learners: int
    duplicates: int
    inferred_scale: bool
    scale_conflicts: int
    scale_name: str = ""

    def rows(self, grouping: str) -> list[str]:
        """Row labels of ``grouping`` in display order (Danish alphabetical)."""
        seen: dict[str, None] = {}
        for cell in self.cells:
            if cell.grouping == grouping:
                seen.setdefault(row_label(cell), None)
        return sorted(seen, key=sort_key)

    def cell(self, grouping: str, row: str, competence_id: str) -> GapCell | None:
        index = self.__dict__.get("_index")
        if index is None:
            index = self.__dict__["_index"] = {
                (c.grouping, row_label(c), c.competence_id): c for c in self.cells}
        return index.get((grouping, row, competence_id))

    def hidden_count(self) -> int:
        return sum(1 for c in self.cells if c.suppressed)


def row_label(cell: GapCell) -> str:
    if cell.grouping == "role":
        return cell.role
    if cell.grouping == "unit":
        return cell.unit
    if cell.grouping == "role_unit":
        return f"{cell.role} / {cell.unit}"
    return ""


def _natural(text: str) -> list:
    import re

    return [int(p) if p.isdigit() else p.casefold() for p in re.split(r"(\d+)", text)]


class GapAccumulator:
    """Running sums per (role, unit, competence); constant memory per row."""

    def __init__(self, scale: LevelScale | None = None) -> None:
        self.scale = scale or LevelScale()
        self.leaves: dict[tuple[str, str, str], CellSums] = {}
        self.competences: dict[str, tuple[str, str]] = {}
        #: learner -> bit mask of the competences already counted for them (memory grows
        #: with the learners, not with the rows: one small int per learner)
        self._seen: dict[int, int] = {}
        self._bits: dict[str, int] = {}
        self.duplicates = 0
        self.rows = 0

    def add(self, r: Rating) -> None:
        bit = self._bits.get(r.competence_id)
        if bit is None:
            bit = self._bits[r.competence_id] = 1 << len(self._bits)
        mask = self._seen.get(r.learner, 0)
        if mask & bit:
            self.duplicates += 1
            return
        self._seen[r.learner] = mask | bit
        self.rows += 1
        if r.competence_id not in self.competences or not self.competences[r.competence_id][0]:
            self.competences[r.competence_id] = (r.competence, r.area)
        cell = self.leaves.get((r.role, r.unit, r.competence_id))
        if cell is None:
            cell = self.leaves[(r.role, r.unit, r.competence_id)] = CellSums()
        cell.add(r)

    # ---- result ----------------------------------------------------------------------------
    def result(self, k: int | None = None, order: Iterable[str] = ()) -> GapMatrix:
        k = check_k(k)
        scale = self.scale
        scale.solve()
        tables = self._tables()
        hidden_all, hidden_levels, hidden_change = _suppress(tables, k, scale)
        known_order = {cid: i for i, cid in enumerate(order)}
        comp_ids = sorted(self.competences,
                          key=lambda c: (known_order.get(c, len(known_order)), _natural(c)))
        cells = []
        for comp in comp_ids:
            title, area = self.competences[comp]
            for (role, unit), sums in tables[comp].items():
                grouping = ("all" if role == ALL and unit == ALL else "role" if unit == ALL
                            else "unit" if role == ALL else "role_unit")
                key = (comp, role, unit)
                cells.append(_cell(grouping, role, unit, comp, title, area, sums, scale,
                                   key in hidden_all, key in hidden_levels,
                                   key in hidden_change, hidden_all.get(key, "")))
        cells.sort(key=lambda c: (GROUPINGS.index(c.grouping), sort_key(c.role),
                                  sort_key(c.unit), comp_ids.index(c.competence_id)))
        return GapMatrix(k=k, competences=[(c, *self.competences[c]) for c in comp_ids],
                         cells=cells, learners=len(self._seen),
                         duplicates=self.duplicates, inferred_scale=scale.inferred,
                         scale_conflicts=scale.conflicts,
                         scale_name=scale.framework.id if scale.framework else "")

    def _tables(self) -> dict[str, dict[tuple[str, str], CellSums]]:
        """Per competence: leaf cells plus role, unit and overall totals."""
        tables: dict[str, dict[tuple[str, str], CellSums]] = {}
        for (role, unit, comp), sums in self.leaves.items():
            table = tables.setdefault(comp, {})
            for key in ((role, unit), (role, ALL), (ALL, unit), (ALL, ALL)):
                total = table.get(key)
                if total is None:
                    total = table[key] = CellSums()
                total.merge(sums)
        return tables


def _lines(table: dict[tuple[str, str], CellSums]) -> list[Line]:
    roles = sorted({r for r, u in table if r != ALL})
    units = sorted({u for r, u in table if u != ALL})
    lines = [Line([(r, u) for u in units], (r, ALL)) for r in roles]
    lines += [Line([(r, u) for r in roles], (ALL, u)) for u in units]
    lines.append(Line([(r, ALL) for r in roles], (ALL, ALL)))
    lines.append(Line([(ALL, u) for u in units], (ALL, ALL)))
    return lines


def _suppress(tables: dict[str, dict[tuple[str, str], CellSums]], k: int, scale: LevelScale
              ) -> tuple[dict[Hashable, str], set, set]:
    # Pass 1: whole cells, by respondents; a group hidden for one competence is hidden for all
    # (rows of one role carry the same people in every competence).
    lines = {comp: _lines(table) for comp, table in tables.items()}
    groups: set[tuple[str, str]] = set()
    hidden: dict[str, set] = {}
    primary: set[Hashable] = set()
    while True:
        for comp, table in tables.items():
            counts = {key: (s.respondents,) for key, s in table.items()}
            primary |= {(comp, *key) for key, (n,) in counts.items() if 0 < n < k}
            hidden[comp] = suppress_table(counts, lines[comp], k,
                                          {g for g in groups if g in table})
        union = set().union(*hidden.values()) if hidden else set()
        if union <= groups:
            break
        groups |= union
    hidden_all = {(comp, *key): ("small" if (comp, *key) in primary else "complementary")
                  for comp, keys in hidden.items() for key in keys}
    # Pass 2: level figures, by learners who gave a level (per competence).
    hidden_levels: set = set()
    hidden_change: set = set()
    for comp, table in tables.items():
        counts = {key: (s.rated,) for key, s in table.items()}
        keep_hidden = suppress_table(counts, lines[comp], k, hidden[comp])
        hidden_levels |= {(comp, *key) for key in keep_hidden}
        # Pass 3: change, by reassessed learners.
        changes = {key: (s.change(scale)[0],) for key, s in table.items()}
        change_hidden = suppress_table(changes, lines[comp], k, keep_hidden)
        hidden_change |= {(comp, *key) for key in change_hidden}
    return hidden_all, hidden_levels, hidden_change


def _mean_rank(levels: Counter, scale: LevelScale) -> float | None:
    n = total = 0
    for token, count in levels.items():
        rank = scale.rank(token)
        if rank is None:
            continue
        n += count
        total += rank * count
    return total / n if n else None


def _cell(grouping: str, role: str, unit: str, comp: str, title: str, area: str,
          s: CellSums, scale: LevelScale, hidden: bool, levels_hidden: bool,
          change_hidden: bool, reason: str) -> GapCell:
    role_text = "" if role == ALL else role
    unit_text = "" if unit == ALL else unit
    if hidden:
        return GapCell(grouping, role_text, unit_text, comp, title, area, None, None, None, "",
                       None, None, None, None, None, True, True, reason)
    show_levels = not levels_hidden and s.rated > 0
    n_change, change_sum = s.change(scale)
    labels = [text for text in s.expected_labels if text]
    # Where roles with different expectations mix (a unit, "all"), the mean expected level --
    # or mean self level together with mean gap -- would tell how many of each role are in
    # the group, and so the size of role x unit cells that are hidden.  Only the gap shows.
    uniform = len(s.expected_levels) == 1
    return GapCell(
        grouping, role_text, unit_text, comp, title, area,
        respondents=s.respondents,
        share_dont_know=s.dont_know / s.respondents if s.respondents else None,
        mean_self=_mean_rank(s.self_levels, scale) if show_levels and uniform else None,
        expected_label=labels[0] if len(labels) == 1 and uniform else "",
        mean_expected=_mean_rank(s.expected_levels, scale) if uniform else None,
        mean_gap=s.gap_sum / s.rated if show_levels else None,
        share_below=s.below / s.rated if show_levels else None,
        change=(change_sum / n_change) if (n_change and not change_hidden) else None,
        reassessed=n_change if not change_hidden else None,
        suppressed=False, levels_hidden=levels_hidden,
        reason="levels" if levels_hidden else "")
