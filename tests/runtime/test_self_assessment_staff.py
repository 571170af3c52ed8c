"""Staff paths: the k-anonymous staff view and the HR report rows."""
from __future__ import annotations

import re

import pytest

from tests.runtime.self_assessment_helpers import olx, submit


@pytest.fixture
def block(workbench):
    sid = workbench.scenario(olx())
    return sid, workbench.render(sid, student="staff").usage_id


def staff_html(workbench, sid) -> str:
    html = workbench.render(sid, student="staff").html
    return html.split("data-cx-staff-area", 1)[1]


def test_learners_do_not_get_the_staff_view(workbench, block):
    sid, usage = block
    assert "data-cx-staff-area" not in workbench.render(sid, student="l1").html
    result = workbench.call(usage, "staff_summary", {}, student="l1")
    assert result.status == 403


def test_fewer_than_k_learners_show_no_figures(workbench, block):
    sid, usage = block
    for i in range(4):
        assert submit(workbench, usage, f"l{i}").status == 200
    html = staff_html(workbench, sid)
    assert "Not enough responses yet to show figures (at least 5 are needed)." in html
    assert "Mean gap (levels)</th>" not in html


def test_figures_per_role_unit_and_competence_with_small_groups_hidden(workbench, block):
    sid, usage = block
    for i in range(6):
        assert submit(workbench, usage, f"bs{i}", level="intermediate").status == 200
    assert submit(workbench, usage, "boss", role="leder", unit="oekonomi-hr").status == 200
    html = staff_html(workbench, sid)
    assert "Learners with a submitted self-assessment: 7" in html
    by_role = re.search(r"Learners per role</caption>.*?</table>", html, re.S).group(0)
    # One manager: hidden, and so is Borgerservice (7 - 6 would reveal the manager).
    assert by_role.count("fewer than 5") == 2
    assert re.search(r"Caseworker</th><td>0</td>", by_role)
    competences = re.search(r"mean gap per competence</caption>.*?</table>", html, re.S).group(0)
    # Asked of all 7: shown; the manager-only competence (3.4): hidden.
    row = re.search(r"Evaluating information</th>(.*?)</tr>", competences).group(1)
    assert re.findall(r"<td>([^<]*)</td>", row)[:3] == ["7", "1", "6"]
    assert re.search(r"Computational thinking and programming</th><td>fewer than 5</td>",
                     competences)


def test_filtered_staff_view(workbench, block):
    sid, usage = block
    for i in range(6):
        submit(workbench, usage, f"bs{i}", level="intermediate")
    for i in range(5):
        submit(workbench, usage, f"le{i}", role="leder", unit="oekonomi-hr", level="advanced")
    result = workbench.call(usage, "staff_summary", {"role": "leder"}, student="staff")
    assert result.status == 200
    assert "Learners in this selection: 5" in result.data["html"]
    assert "Mean gap (levels)</th>" in result.data["html"]
    one = workbench.call(usage, "staff_summary", {"role": "leder", "unit": "jobcenter"},
                         student="staff")
    assert "too small to show" in one.data["html"]
    bad = workbench.call(usage, "staff_summary", {"role": "pilot"}, student="staff")
    assert bad.status == 400 and 'Unknown role "pilot"' in bad.data["error"]


def test_operator_setting_cannot_lower_k(workbench):
    sid = workbench.scenario(olx(min_group_size="3"))
    usage = workbench.render(sid, student="staff").usage_id
    for i in range(4):
        submit(workbench, usage, f"k{i}")
    assert "at least 5 are needed" in staff_html(workbench, sid)


def test_report_rows_for_hr(workbench, block, _django):
    from tests.helpers.workbench import parse_olx

    sid, usage = block
    submit(workbench, usage, "rita", level="intermediate", **{"4.2": "dont_know"})
    submit(workbench, usage, "sam", role="leder", unit="jobcenter", level="advanced")

    class UserState:
        def __init__(self, username, state):
            self.username, self.state = username, state

    states = [UserState(name, workbench.state(usage, name)) for name in ("rita", "sam", "tom")]
    reporter = parse_olx(olx())
    rows = list(reporter.generate_report_data(iter(states)))
    assert len(rows) == 20 + 21
    username, row = rows[0]
    assert username == "rita"
    assert list(row) == ["Role", "Unit", "Competence area", "Competence id", "Competence",
                         "Self-rated level", "Expected level", "Gap (levels)", "Status", "Date",
                         "Assessment number"]
    assert row["Role"] == "Citizen service (Borgerservice)" and row["Unit"] == "Citizen Service"
    assert (row["Self-rated level"], row["Expected level"], row["Gap (levels)"]) == (
        "Intermediate", "Advanced", 1)
    dont_know = [r for _, r in rows if r["Competence id"] == "4.2" and _ == "rita"][0]
    assert dont_know["Self-rated level"] == "don't know" and dont_know["Gap (levels)"] == ""
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["Date"])
    assert {name for name, _ in rows} == {"rita", "sam"}
    assert len(list(reporter.generate_report_data(iter(states), limit_responses=5))) == 5


def test_max_score_is_participation_only(_django):
    from tests.helpers.workbench import parse_olx

    assert parse_olx(olx()).max_score() is None
    graded = parse_olx(olx(graded="true"))
    assert graded.max_score() == 1.0
    assert graded.calculate_score().raw_earned == 0.0
    graded.assessment = {"role": "leder"}
    assert graded.calculate_score().raw_earned == 1.0 and graded.has_submitted_answer()
