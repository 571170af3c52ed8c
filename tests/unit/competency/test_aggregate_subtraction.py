"""No hidden figure of the staff view can be worked out by subtracting shown ones."""
from __future__ import annotations

import random
from fractions import Fraction

import pytest

from competency_xblock.competency import aggregate as ag

ALL = None  # "all roles" / "all units" in the figures below


def tally(cells: dict[tuple[str, str], int], asked: dict[str, list[str]]) -> dict:
    groups: dict = {}
    for (role, unit), n in cells.items():
        if n:
            groups.setdefault(role, {})[unit] = {
                "n": n, "levels": {c: {"begynder": n} for c in asked.get(role, [])}}
    return {"format": ag.TALLY_FORMAT, "groups": groups}


def figures(framework, stored, roles, units, k=5):
    """Every count staff can see, over all filters: key -> count (None = hidden); and the
    true counts."""
    base = ag.summarize(framework, stored, k, roles=roles, units=units)
    shown = {(ALL, ALL): base.total}
    shown.update({(c.key[0], ALL): c.count for c in base.by_role})
    shown.update({(ALL, c.key[0]): c.count for c in base.by_unit})
    shown.update({c.key: c.count for c in base.by_role_unit})
    for role in [None, *roles]:
        for unit in [None, *units]:
            if role is None and unit is None:
                continue
            view = ag.summarize(framework, stored, k, role=role, unit=unit, roles=roles,
                                units=units)
            key = (role, unit)
            # The view's own count agrees with the tables (never a figure they hide).
            if key in shown:
                assert view.respondents in (None, shown[key]), key
                if shown[key] is None:
                    assert view.respondents is None or view.respondents == 0, key
            elif view.respondents:
                shown[key] = view.respondents
    return shown


def true_counts(cells, roles, units):
    table = {}
    for (r, u), n in cells.items():
        for key in ((r, u), (r, ALL), (ALL, u), (ALL, ALL)):
            table[key] = table.get(key, 0) + n
    for r in roles:
        table.setdefault((r, ALL), 0)
    for u in units:
        table.setdefault((ALL, u), 0)
    return table


def lines(roles, units):
    out = [([(r, u) for u in units], (r, ALL)) for r in roles]
    out += [([(r, u) for r in roles], (ALL, u)) for u in units]
    out.append(([(r, ALL) for r in roles], (ALL, ALL)))
    out.append(([(ALL, u) for u in units], (ALL, ALL)))
    return out


def determined(table, shown, roles, units) -> set:
    """Hidden keys whose value follows from the shown figures and the line equations
    (exact linear algebra: the key's unit vector lies in the row space)."""
    hidden = [key for key in table if shown.get(key, table[key]) is None]
    index = {key: i for i, key in enumerate(hidden)}
    rows = []
    for cells, total in lines(roles, units):
        row = [Fraction(0)] * len(hidden)
        for key in cells + [total]:
            if key in index:
                row[index[key]] += -1 if key == total else 1
        if any(row):
            rows.append(row)
    # Reduced row echelon form.
    pivots, r = [], 0
    for col in range(len(hidden)):
        pivot = next((i for i in range(r, len(rows)) if rows[i][col]), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        rows[r] = [x / rows[r][col] for x in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][col]:
                rows[i] = [a - rows[i][col] * b for a, b in zip(rows[i], rows[r], strict=True)]
        pivots.append(col)
        r += 1
    return {hidden[col] for i, col in enumerate(pivots)
            if sum(1 for x in rows[i] if x) == 1}


def check(framework, cells, asked, roles, units, k=5):
    stored = tally(cells, asked)
    shown = figures(framework, stored, roles, units, k)
    table = true_counts(cells, roles, units)
    if table[(ALL, ALL)] < k:
        return
    for key, value in shown.items():
        assert value is None or value == table[key], key
        assert value is None or not 0 < value < k, key
    for line_cells, total in lines(roles, units):
        if shown.get(total) is None:
            continue
        hid = [c for c in line_cells if shown.get(c, table.get(c, 0)) is None
               and table.get(c, 0) > 0]
        assert len(hid) != 1, (total, hid, cells)
        assert not 0 < sum(table[c] for c in hid) < k, (total, hid, cells)
    leaked = {key for key in determined(table, shown, roles, units) if table[key]}
    assert not leaked, (leaked, cells)


def test_the_trial_case_hides_what_subtraction_would_give(kommune):
    # erik alone in Borgerservice x Borgerservice, five caseworkers in the job centre.
    roles, units = ["borgerservice", "sagsbehandler"], ["borgerservice", "jobcenter"]
    cells = {("borgerservice", "borgerservice"): 1, ("sagsbehandler", "jobcenter"): 5}
    summary = ag.summarize(kommune, tally(cells, {}), 5, roles=roles, units=units)
    assert summary.total == 6
    assert {c.key: c.count for c in summary.by_role_unit} == {
        ("borgerservice", "borgerservice"): None, ("sagsbehandler", "jobcenter"): None}
    assert [c.count for c in summary.by_role] == [None, None]
    assert [c.count for c in summary.by_unit] == [None, None]
    assert ag.summarize(kommune, tally(cells, {}), 5, role="sagsbehandler").suppressed
    check(kommune, cells, {}, roles, units)


def test_a_competence_asked_of_one_role_does_not_give_away_the_others(kommune):
    # Unit syd: 5 front desk + 2 office; "phishing" is asked of front desk only.
    roles, units = ["skranke", "kontor"], ["nord", "syd"]
    cells = {("skranke", "nord"): 6, ("skranke", "syd"): 5, ("kontor", "syd"): 2}
    stored = tally(cells, {"skranke": ["phishing", "gdpr"], "kontor": ["gdpr"]})
    view = ag.summarize(kommune, stored, 5, unit="syd", roles=roles, units=units)
    assert view.suppressed
    check(kommune, cells, {"skranke": ["phishing"]}, roles, units)


@pytest.mark.parametrize("seed", range(300))
def test_random_small_tables(kommune, seed):
    rng = random.Random(seed)
    roles = [f"r{i}" for i in range(rng.randint(1, 4))]
    units = [f"u{i}" for i in range(rng.randint(1, 4))]
    sizes = [0, 0, 1, 2, 3, 4, 5, 6, 8, 12]
    cells = {(r, u): rng.choice(sizes) for r in roles for u in units}
    comps = [c.id for c in kommune.competences()]
    asked = {r: rng.sample(comps, rng.randint(0, len(comps))) for r in roles}
    check(kommune, cells, asked, roles, units)
