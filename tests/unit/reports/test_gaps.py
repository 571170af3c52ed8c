"""The gap matrix from the fixture reports, every figure checked against the hand sums
of the design in tests/data/reports/make_fixtures.py.

Levels: Basic 1, Intermediate 2, Advanced 3, Highly advanced 4.  Expected: Sagsbehandler
Advanced (3) on both competences, Skrankemedarbejder Intermediate (2).  gap = expected - self.
"""
from __future__ import annotations

import pytest

from competency_xblock.competency.framework import Framework, load_builtin
from competency_xblock.reports.gaps import GapAccumulator, Rating
from competency_xblock.reports.levels import LevelScale, label, level_id
from competency_xblock.reports.lms import ProblemResponsesReader, Sink, learner_hasher

from .conftest import RESPONSES_DA, RESPONSES_EN

S, K = "Sagsbehandler", "Skrankemedarbejder"
BN, JO, AE = "Borgerservice Nord", "Jobcenter Øst", "Ældreplejen"


def matrix(path, k=None, framework="auto"):
    scale = LevelScale(None, [load_builtin()]) if framework == "auto" else LevelScale()
    acc = GapAccumulator(scale)
    ProblemResponsesReader(str(path), learner_hasher(b"k" * 16)).read(
        Sink(rating=acc.add, scale=scale))
    return acc.result(k)


@pytest.fixture(scope="module")
def english():
    return matrix(RESPONSES_EN)


def figures(cell):
    return (cell.respondents, cell.mean_self, cell.mean_gap, cell.share_below)


def test_role_rows_by_hand(english):
    # S, 1.1: self ranks 1,2,2,3,3,4 | 1,2 | 2,2,2,3,3,3,4 -> 15+3+19 = 37 over 15 learners;
    # gaps 2,1,1,0,0,-1 | 2,1 | 1,1,1,0,0,0,-1 -> 3+3+2 = 8; below 3+2+3 = 8.
    assert figures(english.cell("role", S, "1.1")) == pytest.approx((15, 37 / 15, 8 / 15,
                                                                     8 / 15))
    # K, 1.1: ranks 1,1,2,2,3 | 1,1,1,2,2,2 | 1,1,1,1,2,2,3,3 -> 9+9+14 = 32 over 19;
    # gaps 1,1,0,0,-1 | 1,1,1,0,0,0 | 1,1,1,1,0,0,-1,-1 -> 1+3+2 = 6; below 2+3+4 = 9.
    assert figures(english.cell("role", K, "1.1")) == pytest.approx((19, 32 / 19, 6 / 19,
                                                                     9 / 19))
    cell = english.cell("role", K, "1.1")
    assert (cell.expected_label, cell.mean_expected, cell.share_dont_know) == (
        "Intermediate", 2, 0)
    # K, 4.2: 4 "don't know" in Æ; 15 with a level, one gap of 1 each for the two Basic.
    cell = english.cell("role", K, "4.2")
    assert (cell.respondents, cell.share_dont_know, cell.mean_gap, cell.share_below) == \
        pytest.approx((19, 4 / 19, 2 / 15, 2 / 15))


def test_unit_and_overall_rows_by_hand(english):
    # Æ, 1.1: S,Æ (7, gap sum 2, below 3) + K,Æ (8, gap sum 2, below 4)
    cell = english.cell("unit", AE, "1.1")
    assert (cell.respondents, cell.mean_gap, cell.share_below) == pytest.approx(
        (15, 4 / 15, 7 / 15))
    cell = english.cell("all", "", "1.1")
    assert (cell.respondents, cell.mean_gap, cell.share_below) == pytest.approx(
        (34, 14 / 34, 17 / 34))
    assert english.learners == 34


def test_mixed_expectations_show_no_levels(english):
    """Jobcenter Øst, 1.1: 8 respondents, mean gap 0.75.  Its mean self level (1.5) would
    give mean expected = 1.5 + 0.75 = 2.25 = (3 s + 2 k) / 8, so s = 2 Sagsbehandlere: the
    hidden cell's size.  Units and "all" therefore show the gap only."""
    for grouping, row in (("unit", JO), ("unit", AE), ("all", "")):
        cell = english.cell(grouping, row, "1.1")
        assert (cell.mean_self, cell.mean_expected, cell.expected_label) == (None, None, "")
        assert cell.mean_gap is not None
    assert english.cell("unit", JO, "1.1").mean_gap == 0.75


def test_visible_role_unit_cells(english):
    assert figures(english.cell("role_unit", f"{S} / {AE}", "1.1")) == pytest.approx(
        (7, 19 / 7, 2 / 7, 3 / 7))
    assert figures(english.cell("role_unit", f"{K} / {AE}", "1.1")) == pytest.approx(
        (8, 14 / 8, 2 / 8, 4 / 8))


def test_suppression_pattern(english):
    hidden = {(c.role, c.unit) for c in english.cells
              if c.grouping == "role_unit" and c.suppressed}
    assert hidden == {(S, BN), (S, JO), (K, BN), (K, JO)}
    reasons = {(c.role, c.unit): c.reason for c in english.cells
               if c.suppressed and c.competence_id == "1.1"}
    assert reasons[(S, JO)] == "small" and reasons[(S, BN)] == "complementary"
    for c in english.cells:
        if c.suppressed:
            assert (c.respondents, c.mean_gap, c.mean_self, c.share_below, c.change) == (
                None,) * 5
    assert english.hidden_count() == 8  # 4 cells x 2 competences


def test_level_figures_hidden_where_fewer_than_k_gave_a_level(english):
    # K/Æ on 4.2: 8 respondents, 4 "don't know" -> 4 levels < 5: hidden, and S/Æ with it
    # (the only other cell of that column), though both cells' respondents stay visible.
    for row in (f"{K} / {AE}", f"{S} / {AE}"):
        cell = english.cell("role_unit", row, "4.2")
        assert cell.levels_hidden and not cell.suppressed
        assert cell.mean_gap is None and cell.share_below is None and cell.mean_self is None
    assert english.cell("role_unit", f"{K} / {AE}", "4.2").share_dont_know == 0.5
    assert english.cell("role_unit", f"{S} / {AE}", "4.2").respondents == 7


def test_change_since_previous_round(english):
    # K/Æ reassessed: before all Basic (gap 1), now gaps 1,1,1,1,0,0,-1,-1:
    # changes 0,0,0,0,-1,-1,-2,-2 -> -6/8.
    for grouping, row in (("role_unit", f"{K} / {AE}"), ("role", K), ("unit", AE),
                          ("all", "")):
        cell = english.cell(grouping, row, "1.1")
        assert (cell.change, cell.reassessed) == (-0.75, 8), grouping
    # 4.2: only 4 reassessed learners gave a level both times: hidden everywhere.
    for grouping, row in (("role", K), ("unit", AE), ("all", "")):
        cell = english.cell(grouping, row, "4.2")
        assert cell.change is None and cell.reassessed is None
    assert english.cell("role", S, "1.1").reassessed == 0


def test_danish_report_gives_the_same_figures(english):
    danish = matrix(RESPONSES_DA)
    def key(c):
        return (c.grouping, c.role, c.unit, c.competence_id)
    assert [key(c) for c in danish.cells] == [key(c) for c in english.cells]
    for a, b in zip(danish.cells, english.cells, strict=True):
        assert (a.respondents, a.mean_gap, a.mean_self, a.share_below, a.change,
                a.suppressed, a.levels_hidden) == (b.respondents, b.mean_gap, b.mean_self,
                                                   b.share_below, b.change, b.suppressed,
                                                   b.levels_hidden)
    assert danish.cell("role", S, "1.1").expected_label == "Avanceret"
    assert danish.cell("role", S, "1.1").competence == "Browsing, søgning og filtrering af data"
    assert danish.scale_name == load_builtin().id and not danish.inferred_scale


def test_scale_inferred_without_the_framework():
    inferred = matrix(RESPONSES_EN, framework="none")
    assert inferred.inferred_scale
    # Every level occurs, so the inferred numbering equals DigComp's.
    assert figures(inferred.cell("role", S, "1.1")) == pytest.approx((15, 37 / 15, 8 / 15,
                                                                      8 / 15))


def test_k_can_be_raised(english):
    strict = matrix(RESPONSES_EN, k=8)
    assert strict.k == 8
    assert strict.cell("role_unit", f"{S} / {AE}", "1.1").suppressed  # 7 < 8
    assert strict.cell("role", S, "1.1").respondents == 15


def rating(learner, role, unit, comp, self_rank, expected_rank, **kw):
    gap = None if self_rank is None else expected_rank - self_rank
    return Rating(learner, role, unit, comp, f"Title {comp}", "Area",
                  None if self_rank is None else level_id(f"l{self_rank}"),
                  level_id(f"l{expected_rank}"), gap, **kw)


def scale(levels=4):
    return LevelScale(Framework.from_dict({
        "schema_version": 1, "id": "t", "title": "t",
        "levels": [{"id": f"l{i}", "label": f"L{i}"} for i in range(1, levels + 1)],
        "areas": [{"id": "a", "title": "A", "competences": [{"id": "c", "title": "C"}]}]}))


def test_duplicate_learner_and_competence_counts_once():
    acc = GapAccumulator(scale())
    for _ in range(2):
        for n in range(5):
            acc.add(rating(n, "R", "U", "c", 1, 3))
    result = acc.result()
    assert result.duplicates == 5 and result.cell("all", "", "c").respondents == 5


def test_inferred_scale_from_custom_labels():
    s = LevelScale()
    # Begynder < Selvhjulpen < Superbruger, learnt only from gaps
    s.relate(label("Superbruger"), label("Begynder"), 2)
    s.relate(label("Selvhjulpen"), label("Begynder"), 1)
    s.relate(label("Superbruger"), label("Selvhjulpen"), 1)
    assert [s.rank(label(t)) for t in ("Begynder", "Selvhjulpen", "Superbruger")] == [1, 2, 3]
    assert s.inferred and s.conflicts == 0
    s.relate(label("Superbruger"), label("Begynder"), 1)  # one inconsistent row
    s.solve()
    assert s.conflicts == 1 and s.rank(label("Superbruger")) == 3


def test_framework_candidate_not_adopted_for_foreign_labels():
    s = LevelScale(None, [load_builtin()])
    s.relate(label("Superbruger"), label("Begynder"), 2)
    s.solve()
    assert s.framework is None and s.inferred
    s = LevelScale(None, [load_builtin()])
    s.relate(label("Øvet"), label("Grundlæggende"), 1)
    s.solve()
    assert s.framework is not None and s.rank(label("Øvet")) == 2 and not s.inferred
