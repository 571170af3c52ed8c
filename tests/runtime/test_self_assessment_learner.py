"""Learner paths of the self-assessment block through the real workbench handlers."""
from __future__ import annotations

import re

import pytest

from tests.runtime.self_assessment_helpers import EXAMPLE, olx, ratings_for, setup_with, submit


@pytest.fixture
def usage(workbench):
    sid = workbench.scenario(olx())
    return workbench.render(sid, student="anna").usage_id


def test_first_visit_asks_for_role_and_unit_from_the_authors_lists(workbench):
    sid = workbench.scenario(olx())
    html = workbench.render(sid, student="new").html
    assert "Your role and organisational unit" in html
    for role in ("Citizen service (Borgerservice)", "Caseworker", "Administrative staff",
                 "Manager"):
        assert f">{role}</option>" in html
    assert ">Finance and HR</option>" in html
    assert "data-cx-ratings" not in html  # no competences before a role is chosen
    assert "Example content" in html


def test_choosing_a_role_shows_its_competences_grouped_with_level_descriptors(workbench, usage):
    result = workbench.call(usage, "select", {"role": "sagsbehandler", "unit": "jobcenter"},
                            student="anna")
    assert result.status == 200, result.body
    form = result.data["form_html"]
    assert form.count('<fieldset class="cx-sa-competence"') == len(
        EXAMPLE["profiles"]["sagsbehandler"]) == 19
    assert form.count("<h3") == 5  # the five DigComp areas
    assert "<legend>Evaluating information</legend>" in form
    # Level descriptors, not bare numbers: label plus the competence's own statement.
    assert "Make a basic assessment of the reliability and credibility" in form
    assert form.count('value="dont_know"') == 19
    assert "Computational thinking and programming" not in form  # left out for caseworkers


def test_role_and_unit_are_remembered_across_blocks_of_this_kind(workbench, usage):
    workbench.call(usage, "select", {"role": "leder", "unit": "oekonomi-hr"}, student="anna")
    other = workbench.scenario(olx(display_name="Another self-assessment"))
    html = workbench.render(other, student="anna").html
    assert '<option value="leder" selected>' in html
    assert '<option value="oekonomi-hr" selected>' in html
    assert "data-cx-ratings" in html
    # Another learner is not affected.
    assert '<option value="leder" selected>' not in workbench.render(other, student="bo").html


def test_author_can_fix_role_and_unit_for_the_block(workbench):
    sid = workbench.scenario(olx(setup_with(fixed_role="borgerservice",
                                            fixed_unit="borgerservice")))
    html = workbench.render(sid, student="carl").html
    assert "<select" not in html.split("data-cx-staff-area")[0]
    assert 'data-role="borgerservice"' in html
    usage = workbench.render(sid, student="carl").usage_id
    wrong = workbench.call(usage, "submit", {"role": "leder", "unit": "jobcenter",
                                             "ratings": ratings_for("leder")}, student="carl")
    assert wrong.status == 400
    assert submit(workbench, usage, "carl").status == 200


def test_fixed_role_still_lets_the_learner_choose_the_unit(workbench):
    sid = workbench.scenario(olx(setup_with(fixed_role="borgerservice")))
    rendered = workbench.render(sid, student="cleo")
    html = rendered.html.split("data-cx-staff-area")[0]
    assert 'name="role"' not in html and 'name="unit"' in html
    assert "Citizen service (Borgerservice)</strong>" in html
    # The unit list sends only the unit: the role is the author's.
    chosen = workbench.call(rendered.usage_id, "select", {"unit": "jobcenter"}, student="cleo")
    assert chosen.status == 200, chosen.body
    assert '<option value="jobcenter" selected>' in chosen.data["form_html"]
    other = workbench.scenario(olx(display_name="Another one"))  # remembered (preferences)
    assert '<option value="jobcenter" selected>' in workbench.render(other, student="cleo").html
    assert submit(workbench, rendered.usage_id, "cleo", unit="jobcenter").status == 200
    assert workbench.state(rendered.usage_id, "cleo")["history"][-1]["unit"] == "jobcenter"


def test_select_without_a_role_asks_for_one(workbench, usage):
    # A learner with no role remembered (preferences are shared by every block of this kind).
    workbench.call(usage, "select", {"role": "pilot"}, student="no-role-yet")  # their rows
    before = workbench.snapshot()
    result = workbench.call(usage, "select", {"unit": "jobcenter"}, student="no-role-yet")
    assert result.status == 400
    assert result.data["messages"] == ["Choose your role."]
    assert workbench.snapshot() == before


def test_draft_is_saved_and_restored(workbench):
    sid = workbench.scenario(olx())
    usage = workbench.render(sid, student="dina").usage_id
    draft = {"role": "borgerservice", "unit": "jobcenter",
             "ratings": {"1.1": "advanced", "4.2": "dont_know"}}
    result = workbench.call(usage, "save_draft", draft, student="dina")
    assert result.status == 200 and "draft" in result.data["message"].lower()
    state = workbench.state(usage, "dina")
    assert state["draft"]["ratings"] == {"1.1": "advanced", "4.2": "dont_know"}
    assert "assessment" not in state and "history" not in state
    html = workbench.render(sid, student="dina").html
    assert len(re.findall(r'value="advanced" checked', html)) == 1
    assert len(re.findall(r'value="dont_know" checked', html)) == 1
    assert "cx-sa-draft-note" in html


def _set_user_state(usage, student, **fields):
    import json

    from workbench.models import XBlockState

    row = XBlockState.objects.get(scope="usage", scope_id=usage, user_id=student)
    row.state = json.dumps({**json.loads(row.state), **fields})
    row.save()


def test_a_submit_supersedes_the_draft_saved_before_it(workbench):
    sid = workbench.scenario(olx())
    usage = workbench.render(sid, student="dora").usage_id
    workbench.call(usage, "save_draft", {"role": "borgerservice", "unit": "jobcenter",
                                         "ratings": {"1.1": "advanced"}}, student="dora")
    assert submit(workbench, usage, "dora", level="basic").status == 200
    html = workbench.render(sid, student="dora").html
    assert "cx-sa-draft-note" not in html
    # The form (kept for a reassessment) holds the submitted ratings, not the old draft's.
    assert 'value="advanced" checked' not in html and 'value="basic" checked' in html


def test_a_draft_saved_after_a_submit_is_shown_and_the_next_submit_supersedes_it(workbench):
    sid = workbench.scenario(olx())
    usage = workbench.render(sid, student="dino").usage_id
    assert submit(workbench, usage, "dino", level="basic").status == 200
    workbench.call(usage, "save_draft", {"role": "borgerservice", "unit": "jobcenter",
                                         "ratings": {"1.1": "highly_advanced"}}, student="dino")
    state = workbench.state(usage, "dino")
    assert state["draft"]["follows"] == {"count": 1,
                                         "submitted_at": state["history"][-1]["submitted_at"]}
    html = workbench.render(sid, student="dino").html
    assert "cx-sa-draft-note" in html and 'value="highly_advanced" checked' in html
    # the form holding the draft is shown (not hidden until "Assess again")
    assert re.search(r'data-cx-form-area(?! hidden)>', html)
    # Submitted again in the same second as the draft: still superseded.
    assert submit(workbench, usage, "dino", level="intermediate").status == 200
    html = workbench.render(sid, student="dino").html
    assert "cx-sa-draft-note" not in html and 'value="highly_advanced" checked' not in html
    assert "data-cx-form-area hidden>" in html


@pytest.mark.parametrize("saved_at, shown", [
    ("2030-01-01T10:00:00Z", True),     # saved after the submission: still the learner's draft
    ("2020-01-01T10:00:00Z", False),    # saved before it: superseded
])
def test_a_draft_saved_by_an_earlier_version_is_shown_only_if_newer(workbench, saved_at, shown):
    sid = workbench.scenario(olx())
    usage = workbench.render(sid, student="dana").usage_id
    assert submit(workbench, usage, "dana", level="basic").status == 200
    _set_user_state(usage, "dana", draft={"role": "borgerservice", "unit": "jobcenter",
                                          "ratings": {"1.1": "highly_advanced"},
                                          "saved_at": saved_at})
    html = workbench.render(sid, student="dana").html
    assert ("cx-sa-draft-note" in html) is shown
    assert ('value="highly_advanced" checked' in html) is shown


def test_submit_shows_levels_gaps_strengths_and_a_printable_plan(workbench, usage):
    result = submit(workbench, usage, "anna", level="intermediate",
                    **{"4.2": "basic", "2.3": "basic", "1.3": "advanced", "5.4": "dont_know"})
    assert result.status == 200, result.body
    html = result.data["result_html"]
    assert "Your result" in html and 'tabindex="-1"' in html
    rows = re.findall(r'<tr class="cx-sa-row cx-sa-(\w+)">\s*<th scope="row">([^<]+)</th>'
                      r'\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>\s*<td class="cx-sa-gap">([^<]*)',
                      html)
    assert len(rows) == 20
    statuses = [r[0] for r in rows]
    # Gaps first, biggest first; then "don't know"; then strengths.
    gaps = [int(r[4]) for r in rows if r[0] == "gap"]
    assert gaps == sorted(gaps, reverse=True) and gaps[0] == 2
    assert statuses.index("unknown") > statuses.index("gap")
    assert rows[0][1] in ("Engaging in citizenship through digital technologies",
                          "Protecting personal data and privacy")
    assert rows[0][2] == "Basic" and rows[0][3] == "Advanced"
    assert "Your strengths" in html and "Managing information" in html
    assert "Your upskilling plan" in html
    assert 'href="https://www.datatilsynet.dk"' in html
    assert "Peer training: shadow an experienced colleague at the desk" in html
    assert "Peer training (sidemandsoplæring): agree on 30 minutes" in html
    assert "To clarify with your manager" in html
    assert "data-cx-print" in html
    assert "Thank you" in result.data["message"]


def test_submit_stores_state_and_completes_without_a_grade_by_default(workbench, usage):
    workbench.call(usage, "save_draft", {"role": "borgerservice", "unit": "jobcenter",
                                         "ratings": {"1.1": "basic"}}, student="anna")
    assert submit(workbench, usage, "anna").status == 200
    state = workbench.state(usage, "anna")
    assert state["history"][-1]["role"] == "borgerservice"
    assert state["history"][-1]["expected"]["1.1"] == "advanced"
    assert len(state["history"]) == 1
    # The submit did not rewrite the draft; it superseded it (no longer shown, see below).
    assert state["draft"]["ratings"] == {"1.1": "basic"}
    assert workbench.events.of_type("completion", usage)[-1] == {"completion": 1.0}
    assert workbench.events.of_type("grade", usage) == []
    event = workbench.events.of_type("competency_xblock.self_assessment.submitted", usage)[-1]
    assert event["gaps"] > 0 and event["assessment_number"] == 1
    html = workbench.render(workbench_scenario_of(workbench, usage), student="anna").html
    assert re.search(r'<h3 id="[^"]+" tabindex="-1" data-cx-result-heading>Your result</h3>',
                     html), "the result is markup in the page, not escaped text"
    assert "&lt;section" not in html
    assert "Your result" in html and "data-cx-form-area hidden" in html.replace(
        'class="cx-sa-form-area" ', "")


def workbench_scenario_of(workbench, usage):
    return usage.split(".")[0]


def test_participation_grade_when_the_author_enables_it(workbench):
    sid = workbench.scenario(olx(graded="true", weight="3"))
    usage = workbench.render(sid, student="eva").usage_id
    assert submit(workbench, usage, "eva", level="advanced").status == 200
    assert workbench.events.of_type("grade", usage) == [
        {"value": 1.0, "max_value": 1.0, "only_if_higher": False}]


def test_reassessment_keeps_history_and_shows_change(workbench, usage):
    assert submit(workbench, usage, "anna", level="basic").status == 200
    again = submit(workbench, usage, "anna", level="intermediate", **{"1.1": "basic"})
    assert again.status == 200
    html = again.data["result_html"]
    assert "Change since" in html and "+1" in html
    assert re.search(r"higher, 0 lower, 1 unchanged", html)
    state = workbench.state(usage, "anna")
    assert len(state["history"]) == 2
    assert state["history"][0]["ratings"]["2.1"] == "basic"
    assert state["history"][-1]["ratings"]["2.1"] == "intermediate"
    assert "data-cx-reassess" in html


def test_policy_never_allows_one_assessment_only(workbench):
    sid = workbench.scenario(olx(setup_with(reassessment={"mode": "never"})))
    usage = workbench.render(sid, student="finn").usage_id
    first = submit(workbench, usage, "finn")
    assert first.status == 200 and "data-cx-reassess" not in first.data["result_html"]
    assert "can be taken once" in first.data["result_html"]
    before = workbench.snapshot()
    second = submit(workbench, usage, "finn", level="advanced")
    assert second.status == 400 and "once" in second.data["error"]
    assert workbench.snapshot() == before


def test_policy_after_days_says_when(workbench):
    sid = workbench.scenario(olx(setup_with(reassessment={"mode": "after_days", "days": 30})))
    usage = workbench.render(sid, student="gry").usage_id
    assert submit(workbench, usage, "gry").status == 200
    second = submit(workbench, usage, "gry", level="advanced")
    assert second.status == 400
    # The date as the learner's language writes it (core.formatting), not ISO.
    assert re.search(r"again from \d{1,2} [A-Z][a-z]+ \d{4}\.", second.data["error"])


def test_digcomp_is_attributed_and_the_danish_text_marked_as_a_translation(workbench):
    sid = workbench.scenario(olx())
    english = workbench.render(sid, student="ole", lang="en").html
    footer = english.split("data-cx-attribution", 1)[1].split("</footer>", 1)[0]
    assert "quoted from DigComp 3.0 (© European Union, CC BY 4.0)" in footer
    assert 'href="https://joint-research-centre.ec.europa.eu/' in footer
    assert "JRC144121. Licence: CC BY 4.0." in footer
    assert "not an official translation" not in footer  # English is the original
    danish = workbench.render(sid, student="ole", lang="da").html
    footer = danish.split("data-cx-attribution", 1)[1].split("</footer>", 1)[0]
    assert "hentet fra DigComp 3.0 (© Den Europæiske Union, CC BY 4.0)" in footer
    assert "Licens: CC BY 4.0." in footer
    assert "ikke en officiel oversættelse" in footer


def test_own_framework_attribution_never_links_a_script_url(workbench):
    from competency_xblock.competency.framework import load_builtin

    framework = load_builtin().to_dict()
    framework["attribution"] = {"source": "Vores ramme", "url": "javascript:alert(1)",
                                "licence": "CC0", "translations": {"da": "Vores egen"}}
    sid = workbench.scenario(olx(setup_with(framework=framework)))
    html = workbench.render(sid, student="ole", lang="da").html
    footer = html.split("data-cx-attribution", 1)[1].split("</footer>", 1)[0]
    assert "Kilde: Vores ramme. Licens: CC0." in footer and "href" not in footer
    del framework["attribution"]
    plain = workbench.scenario(olx(setup_with(framework=framework)))
    assert "data-cx-attribution" not in workbench.render(plain, student="ole").html


def test_danish_learner_sees_danish(workbench):
    sid = workbench.scenario(olx())
    usage = workbench.render(sid, student="hans", lang="da").usage_id
    form = workbench.call(usage, "select", {"role": "borgerservice", "unit": "borgerservice"},
                          student="hans", lang="da").data["form_html"]
    assert "Grundlæggende" in form and "Beskyttelse af personoplysninger og privatliv" in form
    assert "Ved ikke" in form and "Gem kladde" in form
    result = submit(workbench, usage, "hans", lang="da")
    html = result.data["result_html"]
    assert "Din udviklingsplan" in html
    assert "Sidemandsoplæring" in html
    assert "under det forventede" in html


# ---- bad input: HTTP 400 with a clear message, nothing stored changes ----------------------

BAD = [
    ({"role": "direktør", "unit": "jobcenter", "ratings": {}}, "wrong format"),
    ({"role": "chef", "unit": "jobcenter", "ratings": ratings_for("leder")}, 'Unknown role "chef"'),
    ({"role": "leder", "unit": "mars", "ratings": ratings_for("leder")}, 'Unknown unit "mars"'),
    ({"role": "leder", "unit": "jobcenter", "ratings": ratings_for("leder", **{"9.9": "basic"})},
     'Unknown competence "9.9"'),
    ({"role": "leder", "unit": "jobcenter", "ratings": ratings_for("leder", **{"1.1": "expert"})},
     '"expert" is not a level on the scale'),
    ({"role": "borgerservice", "unit": "jobcenter",
      "ratings": ratings_for("borgerservice", **{"3.4": "basic"})},
     'Competence "Computational thinking and programming" is not assessed for this role'),
    ({"role": "leder", "unit": "jobcenter", "ratings": {"1.1": "basic"}},
     'Rate "Evaluating information" or choose "don\'t know"'),
    ({"role": "leder", "unit": "jobcenter", "ratings": ["basic"]}, "wrong type"),
    ({"role": "leder", "ratings": {}, "extra": 1}, "Unexpected field"),
]


@pytest.mark.parametrize("payload,message", BAD)
def test_bad_submissions_are_refused_and_change_nothing(workbench, usage, payload, message):
    assert submit(workbench, usage, "anna").status == 200
    workbench.call(usage, "save_draft", {"role": "leder", "unit": "jobcenter",
                                         "ratings": {"1.1": "basic"}}, student="anna")
    before = workbench.snapshot()
    for handler in ("submit", "save_draft"):
        if handler == "save_draft" and "Rate" in message:
            continue  # drafts may be partial
        result = workbench.call(usage, handler, payload, student="anna")
        assert result.status == 400, (handler, result.body)
        text = result.data["error"] + " " + " ".join(result.data.get("messages", []))
        assert message in text, text
    assert workbench.snapshot() == before


def test_missing_ratings_are_all_listed(workbench, usage):
    result = workbench.call(usage, "submit", {"role": "leder", "unit": "jobcenter",
                                              "ratings": {"1.1": "basic"}}, student="anna")
    assert result.status == 400
    assert result.data["error"] == "Your answers were not saved: 20 problems."  # ngettext
    assert len(result.data["messages"]) == 20
    assert result.data["messages"][0] == 'Rate "Evaluating information" or choose "don\'t know".'


def test_oversized_and_malformed_payloads(workbench, usage):
    before = workbench.snapshot()
    huge = {"role": "leder", "unit": "jobcenter",
            "ratings": {f"c{i}": "x" * 60 for i in range(2000)}}
    result = workbench.call(usage, "submit", huge, student="anna")
    assert result.status == 400 and "too large" in result.data["error"]
    assert workbench.call(usage, "submit", raw=b"{oops", student="anna").status == 400
    assert workbench.call(usage, "submit", method="get", student="anna").status == 405
    many = {"role": "leder", "unit": "jobcenter",
            "ratings": {f"c{i}": "basic" for i in range(301)}}
    result = workbench.call(usage, "submit", many, student="anna")
    assert result.status == 400 and "too long" in result.data["error"]
    assert workbench.snapshot() == before


def test_select_refuses_unknown_ids(workbench, usage):
    before = workbench.snapshot()
    result = workbench.call(usage, "select", {"role": "pilot"}, student="anna")
    assert result.status == 400 and 'Unknown role "pilot"' in " ".join(result.data["messages"])
    assert workbench.snapshot() == before


# --- the same submission twice (a retried request, a double click, two tabs) ---------------------

def published(workbench, usage) -> dict:
    kinds = ("grade", "completion", "competency_xblock.self_assessment.submitted",
             "competency_xblock.xapi.self_rated")
    return {kind: len(workbench.events.of_type(kind, usage)) for kind in kinds}


POLICIES = [{"mode": "after_days", "days": 90}, {"mode": "anytime"}, {"mode": "never"}]


@pytest.mark.parametrize("policy", POLICIES, ids=[p["mode"] for p in POLICIES])
def test_the_same_submission_at_once_is_stored_and_counted_once(workbench, xapi_openedx, policy):
    from concurrent.futures import ThreadPoolExecutor

    sid = workbench.scenario(olx(setup_with(reassessment=policy), graded="true"))
    usage = workbench.render(sid, student="ida").usage_id
    workbench.events.clear()
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: submit(workbench, usage, "ida"), range(2)))
    assert [r.status for r in results] == [200, 200], [r.body[:200] for r in results]
    assert sorted(r.data["replayed"] for r in results) == [False, True]
    assert results[0].data["result_html"] == results[1].data["result_html"]
    assert results[0].data["message"] == results[1].data["message"]
    assert len(workbench.state(usage, "ida")["history"]) == 1
    counts = published(workbench, usage)
    assert counts["grade"] == counts["completion"] == 1
    assert counts["competency_xblock.self_assessment.submitted"] == 1
    rated = len(EXAMPLE["profiles"]["borgerservice"])
    assert counts["competency_xblock.xapi.self_rated"] == rated  # one statement per competence
    # The staff figures count the learner once.
    groups = _responses(usage)["groups"]
    assert {role: {unit: entry["n"] for unit, entry in units.items()}
            for role, units in groups.items()} == {"borgerservice": {"borgerservice": 1}}


def _responses(usage) -> dict:
    from workbench.runtime import WorkbenchRuntime

    return WorkbenchRuntime("staff").get_block(usage).responses


def test_a_replay_while_reassessment_waits_gets_the_same_answer(workbench):
    """Sent again a moment later (in Danish) under "after 90 days": not "you can assess
    yourself again from ...", but the same answer, translated, with nothing stored or sent."""
    sid = workbench.scenario(olx(setup_with(reassessment={"mode": "after_days", "days": 90})))
    usage = workbench.render(sid, student="jon").usage_id
    first = submit(workbench, usage, "jon")
    before = workbench.snapshot()
    workbench.events.clear()
    again = submit(workbench, usage, "jon", lang="da")
    assert again.status == 200 and again.data["replayed"] is True
    assert again.data["message"] == "Tak. Dit resultat og din udviklingsplan står herunder."
    assert "Dit resultat" in again.data["result_html"]
    assert first.data["replayed"] is False
    assert workbench.snapshot() == before
    assert workbench.events.events == []


def test_other_ratings_within_the_window_are_a_new_submission(workbench):
    sid = workbench.scenario(olx(setup_with(reassessment={"mode": "anytime"})))
    usage = workbench.render(sid, student="kim").usage_id
    assert submit(workbench, usage, "kim").status == 200
    other = submit(workbench, usage, "kim", level="advanced")
    assert other.status == 200 and other.data["replayed"] is False
    other_unit = submit(workbench, usage, "kim", unit="jobcenter", level="advanced")
    assert other_unit.status == 200 and other_unit.data["replayed"] is False
    assert len(workbench.state(usage, "kim")["history"]) == 3


@pytest.mark.parametrize("mode,status,entries", [("anytime", 200, 2), ("after_days", 400, 1)])
def test_the_same_ratings_after_the_window_are_a_new_assessment(workbench, mode, status, entries):
    """After :data:`REPLAY_WINDOW` identical ratings are a reassessment like any other: kept
    with "anytime", refused with a date while the reassessment period runs."""
    from competency_xblock.competency.assessment import REPLAY_WINDOW, _iso, parse_time

    policy = {"mode": mode, "days": 90} if mode == "after_days" else {"mode": mode}
    sid = workbench.scenario(olx(setup_with(reassessment=policy)))
    usage = workbench.render(sid, student="liv").usage_id
    assert submit(workbench, usage, "liv").status == 200
    _move_back(usage, "liv", REPLAY_WINDOW, _iso, parse_time)
    later = submit(workbench, usage, "liv")
    assert later.status == status, later.body
    if status == 200:
        assert later.data["replayed"] is False
    else:
        assert "again from" in later.data["error"]
    assert len(workbench.state(usage, "liv")["history"]) == entries


def _move_back(usage, student, window, iso, parse_time) -> None:
    """Make the learner's latest submission a second older than ``window``."""
    from datetime import timedelta

    from workbench.runtime import WorkbenchRuntime

    block = WorkbenchRuntime(student).get_block(usage)
    history = [dict(entry) for entry in block.history]
    moment = parse_time(history[-1]["submitted_at"]) - window - timedelta(seconds=1)
    history[-1]["submitted_at"] = iso(moment)
    block.history = history
    block.save()
