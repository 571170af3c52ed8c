"""Self-assessment, keyboard only, in English and Danish: role choice, errors, a draft, submit,
the result and printable plan, a reassessment; the staff view.  axe in every state; focus
moves to the result; messages reach the live region; dates in the learner's language."""
from __future__ import annotations

import re

import pytest

from competency_xblock.self_assessment import UI_TEXT
from tests.browser.helpers import (
    ARTIFACTS,
    DATE,
    ISO_DATE,
    LANGS,
    answer_radio_group,
    assert_accessible,
    call_handler,
    choose_option,
    has_focus,
    scenario_url,
    snap,
    tab_to,
    tr,
    usage_ids,
    wait_announced,
    wait_focus,
)

pytestmark = pytest.mark.browser
COMPETENCES = 19          # the example "sagsbehandler" profile


def rate_by_keyboard(page, fieldsets, first: int, last: int, level) -> None:
    """Focus is in group ``first``: rate groups first..last with arrows/space and Tab."""
    for index in range(first, last + 1):
        group = fieldsets.nth(index)
        assert group.evaluate("(el) => el.contains(document.activeElement)"), index
        answer_radio_group(page, level(index))
        if index < last:
            page.keyboard.press("Tab")


def check_likert_names(block) -> None:
    """Every rating group is named by its legend and every radio has its own name."""
    snapshot = block.locator("fieldset.cx-sa-competence").first.aria_snapshot()
    assert re.search(r'- group "[^"]+"', snapshot), snapshot
    assert len(re.findall(r'- radio "[^"]+"', snapshot)) == 5, snapshot
    names = block.locator("fieldset.cx-sa-competence input[type=radio]").evaluate_all(
        """els => els.map(e => (e.labels[0] || {}).textContent || '')""")
    assert len(names) == COMPETENCES * 5 and all(n.strip() for n in names)


@pytest.mark.parametrize("lang", LANGS)
def test_keyboard_flow_role_to_printable_plan_and_reassessment(live_server, page, lang):
    page.goto(scenario_url(live_server, "competency_self_assessment.0", lang, f"kb-sa-{lang}"))
    block = page.locator(".cx-self_assessment").first
    block.wait_for(timeout=15000)
    live = block.locator("[data-cx-live]")
    assert_accessible(page, "initial")

    # Asking for the competences without a role: explained, focus back on the role.
    role = block.locator("select[name=role]")
    tab_to(page, block.locator("[data-cx-select] button[type=submit]"))
    page.keyboard.press("Enter")
    block.locator("[data-cx-errors]").wait_for(state="visible")
    assert has_focus(role) and role.get_attribute("aria-invalid") == "true"
    assert tr(lang, UI_TEXT["choose_first"]) in block.locator("[data-cx-errors]").inner_text()
    assert_accessible(page, "error: no role chosen")

    choose_option(page, role, "sagsbehandler")
    unit = block.locator("select[name=unit]")
    tab_to(page, unit)
    choose_option(page, unit, "jobcenter")
    tab_to(page, block.locator("[data-cx-select] button[type=submit]"))
    page.keyboard.press("Enter")
    wait_focus(page, block.locator(".cx-sa-intro"))
    wait_announced(page, live, tr(lang, UI_TEXT["selected"]))
    fieldsets = block.locator("fieldset.cx-sa-competence")
    assert fieldsets.count() == COMPETENCES
    check_likert_names(block)

    # Submitting with nothing rated: every group marked, the count announced, focus on the
    # first group.
    tab_to(page, block.locator("[data-cx-submit]"))
    page.keyboard.press("Enter")
    wait_focus(page, fieldsets.first.locator("input").first)
    assert block.locator("fieldset[aria-invalid=true]").count() == COMPETENCES
    wait_announced(page, live, str(COMPETENCES))
    assert_accessible(page, "error: nothing rated")

    # Rate the first five, save a draft.
    rate_by_keyboard(page, fieldsets, 0, 4, lambda i: i % 4)
    tab_to(page, block.locator("[data-cx-draft]"))
    page.keyboard.press("Enter")
    wait_announced(page, live, tr(lang, UI_TEXT["draft_saved"]))
    assert_accessible(page, "draft saved", contrast_in=".cx-sa-draft-note")

    # Reload: the draft is still there and dated in the learner's language.
    page.reload()
    block = page.locator(".cx-self_assessment").first
    fieldsets = block.locator("fieldset.cx-sa-competence")
    fieldsets.first.wait_for(timeout=15000)
    note = block.locator(".cx-sa-draft-note").inner_text()
    assert DATE[lang].search(note) and not ISO_DATE.search(note), note
    assert block.locator("input[type=radio]:checked").count() == 5
    tab_to(page, fieldsets.nth(5).locator("input").first)
    rate_by_keyboard(page, fieldsets, 5, COMPETENCES - 1, lambda i: 4 if i == 7 else i % 4)
    tab_to(page, block.locator("[data-cx-submit]"))
    page.keyboard.press("Enter")

    # The result: focus on its heading, announced, dated, a gap table and a plan.
    heading = block.locator("[data-cx-result-heading]")
    wait_focus(page, heading)
    live = block.locator("[data-cx-live]")
    wait_announced(page, live, tr(lang, UI_TEXT["submitted"]))
    meta = block.locator(".cx-sa-meta").inner_text()
    assert DATE[lang].search(meta) and not ISO_DATE.search(meta), meta
    assert block.locator("tr.cx-sa-row").count() == COMPETENCES
    assert block.locator(".cx-sa-plan-item").count() > 0
    assert block.locator("[data-cx-form-area]").is_hidden()
    page.wait_for_load_state("networkidle")
    assert page.errors == []
    assert_accessible(page, "submitted")
    snap(page, f"self_assessment-result-{lang}")

    # The printable plan: only the result and the plan, links with their address.
    page.emulate_media(media="print")
    assert block.locator(".cx-sa-plan").is_visible()
    assert block.locator("[data-cx-print]").is_hidden()
    assert block.locator(".cx-sa-url").first.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.pdf(path=str(ARTIFACTS / f"self_assessment-plan-{lang}.pdf"))
    page.emulate_media(media="screen")

    # Reassess: the form comes back filled in; raise the first competence by one level.
    tab_to(page, block.locator("[data-cx-reassess]"), backwards=True)
    page.keyboard.press("Enter")
    wait_focus(page, block.locator(".cx-sa-intro"))
    first_checked = fieldsets.first.locator("input:checked")
    tab_to(page, first_checked)
    page.keyboard.press("ArrowDown")
    tab_to(page, block.locator("[data-cx-submit]"))
    page.keyboard.press("Enter")
    wait_focus(page, heading)
    change = block.locator(".cx-sa-change").inner_text()
    assert DATE[lang].search(change) and not ISO_DATE.search(change), change
    header = block.locator(".cx-sa-table thead th").last.inner_text()
    assert DATE[lang].search(header), header
    assert_accessible(page, "reassessed")
    assert page.errors == []
    snap(page, f"self_assessment-reassessed-{lang}")


def _seed_learners(page, usage: str, lang: str, count: int) -> None:
    form = call_handler(page, usage, "select", {"role": "sagsbehandler", "unit": "jobcenter"},
                        f"seed-{lang}-0")["form_html"]
    competences = re.findall(r'data-competence="([^"]+)"', form)
    assert len(competences) == COMPETENCES
    levels = ["basic", "intermediate", "advanced", "dont_know"]
    for n in range(count):
        ratings = {c: levels[(i + n) % 4] for i, c in enumerate(competences)}
        call_handler(page, usage, "submit", {"role": "sagsbehandler", "unit": "jobcenter",
                                             "ratings": ratings}, f"seed-{lang}-{n}")


@pytest.mark.parametrize("lang", LANGS)
def test_staff_view_by_keyboard(live_server, page, lang):
    scenario = f"cxtest-sa-staff-{lang}"
    page.goto(scenario_url(live_server, scenario, lang, "staff"))
    block = page.locator(".cx-self_assessment").first
    staff = block.locator(".cx-sa-staff")
    staff.wait_for(timeout=15000)
    assert tr(lang, UI_TEXT["staff_none"]).format(k=5) in staff.inner_text()
    assert_accessible(page, "staff: too few responses")

    _seed_learners(page, usage_ids(page, "competency_self_assessment")[0], lang, 6)
    page.reload()
    staff = page.locator(".cx-self_assessment .cx-sa-staff").first
    staff.wait_for(timeout=15000)
    assert tr(lang, UI_TEXT["staff_total"]).format(count=6) in staff.inner_text()
    assert staff.locator("table").count() >= 3
    mean_gaps = staff.locator(".cx-sa-staff-competences tbody tr td:nth-last-child(2)")
    decimals = [t for t in mean_gaps.all_inner_texts() if re.search(r"\d[.,]\d", t)]
    assert decimals and all(("," in t) == (lang == "da") for t in decimals), decimals
    assert_accessible(page, "staff: figures")

    role = staff.locator("select[name=role]")
    tab_to(page, role)
    choose_option(page, role, "sagsbehandler")
    tab_to(page, staff.locator("button[type=submit]"))
    page.keyboard.press("Enter")
    wait_announced(page, page.locator(".cx-self_assessment [data-cx-live]").first,
                   tr(lang, UI_TEXT["staff_updated"]))
    assert tr(lang, UI_TEXT["staff_group"]).format(count=6) in staff.inner_text()
    assert_accessible(page, "staff: filtered")
    assert page.errors == []
    snap(page, f"self_assessment-staff-{lang}")
