"""Staff paths: the k-anonymous staff view and the HR report rows."""
from __future__ import annotations

import json
import re

import pytest
from xblock.scorable import Score

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
    assert by_role.count("hidden") == 2
    assert re.search(r"Caseworker</th><td>0</td>", by_role)
    competences = re.search(r"mean gap per competence</caption>.*?</table>", html, re.S).group(0)
    # Asked of all 7: shown; the manager-only competence (3.4): hidden.
    row = re.search(r"Evaluating information</th>(.*?)</tr>", competences).group(1)
    assert re.findall(r"<td>([^<]*)</td>", row)[:3] == ["7", "1", "6"]
    assert re.search(r"Computational thinking and programming</th><td>hidden</td>",
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
    graded.history = [{"role": "leder"}]
    assert graded.calculate_score().raw_earned == 1.0 and graded.has_submitted_answer()
    assert graded.get_score().raw_earned == 1.0      # participation: 1 once submitted
    graded.set_score(Score(0.5, 1.0))                 # ... unless staff set another score
    assert graded.get_score().raw_earned == 0.5 and graded.history[-1]["score"] == 0.5


# ---- what is stored for the staff view: a bounded tally ---------------------------------------


def stored_summary(usage) -> tuple[dict, int]:
    """The block's shared ``responses`` as stored, and the size of the stored row."""
    from workbench.models import XBlockState

    row = XBlockState.objects.get(scope="usage", scope_id=usage, user_id=None)
    return json.loads(row.state).get("responses", {}), len(row.state)


def write_summary(usage, responses: dict) -> None:
    from workbench.models import XBlockState

    row = XBlockState.objects.get(scope="usage", scope_id=usage, user_id=None)
    row.state = json.dumps(dict(json.loads(row.state), responses=responses))
    row.save()


def tables(workbench, sid) -> list[str]:
    return re.findall(r"<table.*?</table>", staff_html(workbench, sid), re.S)


def counts(workbench, sid) -> str:
    html = staff_html(workbench, sid)
    return re.search(r"Learners per role and unit</caption>.*?</table>", html, re.S).group(0)


def test_stored_staff_figures_do_not_grow_with_the_number_of_learners(workbench, block):
    sid, usage = block
    levels = ("basic", "intermediate", "advanced", "highly_advanced")
    for i in range(200):
        role, unit = (("borgerservice", "borgerservice") if i % 2
                      else ("sagsbehandler", "jobcenter"))
        assert submit(workbench, usage, f"many{i}", role=role, unit=unit,
                      level=levels[i % 4]).status == 200
        if i == 19:
            _, size_at_20 = stored_summary(usage)
    tally, size_at_200 = stored_summary(usage)
    # The same groups and levels: only the digits of the counts grow (20 -> 200: one each).
    assert 0 <= size_at_200 - size_at_20 <= 2 * (2 + 20 * 2 + 19 * 2), (size_at_20, size_at_200)
    assert size_at_200 < 6000  # 2 groups x 20 competences x 4 levels
    assert "many1" not in json.dumps(tally)  # no learner id is stored
    assert "Learners with a submitted self-assessment: 200" in staff_html(workbench, sid)


def test_reassessment_and_erasure_move_the_staff_counts(workbench, block):
    sid, usage = block
    for i in range(6):
        assert submit(workbench, usage, f"bs{i}", level="intermediate").status == 200
    for i in range(5):
        assert submit(workbench, usage, f"jc{i}", role="sagsbehandler", unit="jobcenter"
                      ).status == 200
    assert re.search(r"Citizen service \(Borgerservice\)</th><td>6</td>", counts(workbench, sid))
    # bs0 reassesses as a caseworker in the job centre: out of one cell, into the other.
    assert submit(workbench, usage, "bs0", role="sagsbehandler", unit="jobcenter",
                  level="advanced").status == 200
    table = counts(workbench, sid)
    assert re.search(r"Citizen service \(Borgerservice\)</th><td>5</td><td>0</td>", table)
    assert re.search(r"Caseworker</th><td>0</td><td>6</td>", table), table
    tally, _ = stored_summary(usage)
    assert tally["groups"]["borgerservice"]["borgerservice"]["n"] == 5
    assert tally["groups"]["sagsbehandler"]["jobcenter"]["n"] == 6
    assert {"basic": 5, "advanced": 1} in tally["groups"]["sagsbehandler"]["jobcenter"][
        "levels"].values()
    # A rejected reassessment changes nothing stored.
    bad = workbench.call(usage, "submit", {"role": "sagsbehandler", "unit": "jobcenter",
                                           "ratings": {"1.1": "nonsense"}}, student="jc1")
    assert bad.status == 400 and stored_summary(usage)[0] == tally
    # jc1 deletes their data: one fewer; the Citizen Service group is untouched.
    assert workbench.call(usage, "clear_my_data", {"confirm": True}, student="jc1").status == 200
    tally, _ = stored_summary(usage)
    assert tally["groups"]["sagsbehandler"]["jobcenter"]["n"] == 5
    assert tally["groups"]["borgerservice"]["borgerservice"]["n"] == 5
    assert "Learners with a submitted self-assessment: 10" in staff_html(workbench, sid)


def test_a_stored_per_learner_copy_is_read_and_converted_without_losing_anyone(workbench,
                                                                              block):
    """Earlier releases kept each learner's latest assessment keyed by anonymous id."""
    sid, usage = block
    learners = [f"old{i}" for i in range(7)]
    for i, learner in enumerate(learners):
        assert submit(workbench, usage, learner, level="intermediate" if i else "basic"
                      ).status == 200
    before = tables(workbench, sid)
    assert len(before) >= 3 and ">7<" in before[0], before[:1]
    legacy = {learner: workbench.state(usage, learner)["history"][-1] for learner in learners}
    write_summary(usage, legacy)
    assert tables(workbench, sid) == before  # read as it is: the same figures
    # The first write converts it; old0's own entry is replaced by their new assessment.
    assert submit(workbench, usage, "old0", level="advanced").status == 200
    tally, _ = stored_summary(usage)
    assert tally["format"] == 2 and not any(learner in json.dumps(tally) for learner in learners)
    group = tally["groups"]["borgerservice"]["borgerservice"]
    assert group["n"] == 7
    assert all(h == {"intermediate": 6, "advanced": 1} for h in group["levels"].values())
    assert "Learners with a submitted self-assessment: 7" in staff_html(workbench, sid)
    # Converted on an erasure as well, with the erased learner's entry gone.
    write_summary(usage, legacy)
    assert workbench.call(usage, "clear_my_data", {"confirm": True}, student="old3"
                          ).status == 200
    tally, _ = stored_summary(usage)
    assert tally["groups"]["borgerservice"]["borgerservice"]["n"] == 6


def test_a_score_staff_set_holds_for_that_assessment_only_and_erasure_publishes_zero(workbench):
    """Staff override the participation score to 0; the learner's reassessment is scored
    afresh (1), and deleting their data publishes 0 so the gradebook does not keep the 1."""
    from workbench.runtime import WorkbenchRuntime

    def load_block(usage_id, student):
        return WorkbenchRuntime(student).get_block(usage_id)

    sid = workbench.scenario(olx(graded="true"))
    usage = workbench.render(sid, student="olga").usage_id
    assert submit(workbench, usage, "olga").status == 200
    block = load_block(usage, "olga")
    block.set_score(Score(0.0, 1.0))
    block.save()
    assert load_block(usage, "olga").get_score().raw_earned == 0.0
    assert submit(workbench, usage, "olga", level="advanced").status == 200
    assert load_block(usage, "olga").get_score().raw_earned == 1.0
    assert workbench.events.of_type("grade", usage)[-1]["value"] == 1.0
    assert workbench.call(usage, "clear_my_data", {"confirm": True}, student="olga").status == 200
    assert workbench.events.of_type("grade", usage)[-1]["value"] == 0.0


def test_trial_case_a_group_of_one_cannot_be_subtracted(workbench, block):
    """erik alone in Borgerservice; five caseworkers in the job centre; k = 5."""
    sid, usage = block
    assert submit(workbench, usage, "erik").status == 200
    for i in range(1, 6):
        assert submit(workbench, usage, f"k{i}", role="sagsbehandler",
                      unit="jobcenter").status == 200
    result = workbench.call(usage, "staff_summary", {}, student="staff")
    assert result.status == 200
    html = result.data["html"]
    assert "Learners with a submitted self-assessment: 6" in html
    counts = html.split("mean gap per competence</caption>")[0]
    cells = re.findall(r"<td>([^<]*)</td>", counts)
    # No 5 next to the total of 6 (per role, unit, role x unit, or learners asked a
    # competence): 6 - 5 would give erik's group of one.
    cells += re.findall(r"</th><td>([^<]*)</td>", html.split("mean gap per competence")[1])
    assert cells and "5" not in cells and "1" not in cells
    one = workbench.call(usage, "staff_summary", {"role": "sagsbehandler"}, student="staff")
    assert "too small to show" in one.data["html"]
