"""The main learner path of the self-assessment in Chromium: choose role, rate, save a draft,
submit, read the result and plan (keyboard focus, live region, axe, 320px, print)."""
from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


def rate_all(page, level_index: int) -> int:
    fieldsets = page.locator(".cx-self_assessment fieldset.cx-sa-competence")
    count = fieldsets.count()
    for i in range(count):
        fieldsets.nth(i).locator(".cx-sa-level label").nth(level_index).click()
    return count


@pytest.mark.parametrize("lang", ["en", "da"])
def test_learner_rates_submits_and_gets_a_plan(live_server, page, lang):
    student = f"browser-{lang}"
    page.goto(f"{live_server}/scenario/competency_self_assessment.0/?lang={lang}"
              f"&student={student}")
    block = page.locator(".cx-self_assessment").first
    block.wait_for(state="visible", timeout=15000)

    # Submitting the choice without a role is explained, not sent.
    block.locator("[data-cx-select] button[type=submit]").click()
    assert block.locator("[data-cx-errors]").is_visible()

    block.locator("select[name=role]").select_option("sagsbehandler")
    block.locator("select[name=unit]").select_option("jobcenter")
    block.locator("[data-cx-select] button[type=submit]").click()
    block.locator("form[data-cx-ratings]").wait_for(state="visible")
    assert page.evaluate("document.activeElement.classList.contains('cx-sa-intro')")
    assert block.locator("fieldset.cx-sa-competence legend").count() == 19

    # Submitting with nothing rated marks every fieldset and moves focus to the first.
    block.locator("[data-cx-submit]").click()
    assert block.locator("fieldset[aria-invalid=true]").count() == 19
    assert page.evaluate("document.activeElement.type") == "radio"

    # Rate with the keyboard-reachable labels; the last level option is "don't know".
    count = rate_all(page, 0)
    block.locator(".cx-sa-competence").first.locator(".cx-sa-level label").nth(2).click()
    block.locator("[data-cx-draft]").click()
    block.locator(".cx-sa-draft-note").wait_for(state="visible")
    page.wait_for_function(
        "el => el.textContent === document.querySelector('.cx-sa-draft-note').textContent",
        arg=block.locator("[data-cx-live]").element_handle())

    block.locator("[data-cx-submit]").click()
    heading = block.locator("[data-cx-result-heading]")
    heading.wait_for(state="visible")
    assert page.evaluate("document.activeElement.hasAttribute('data-cx-result-heading')")
    assert block.locator("[data-cx-form-area]").is_hidden()
    rows = block.locator("tr.cx-sa-row")
    assert rows.count() == count == 19
    assert rows.first.get_attribute("class").endswith("cx-sa-gap")
    assert block.locator(".cx-sa-plan-item").count() > 0
    assert block.locator(".cx-sa-peer").count() > 0
    page.wait_for_load_state("networkidle")
    assert page.errors == []
    assert axe_violations(page) == []

    # Printable: only the result and plan remain; links show their address.
    page.emulate_media(media="print")
    assert block.locator(".cx-sa-plan").is_visible()
    assert block.locator("[data-cx-print]").is_hidden()
    page.emulate_media(media="screen")

    # Reassess: the form comes back, filled with the last answers.
    block.locator("[data-cx-reassess]").click()
    assert block.locator("form[data-cx-ratings]").is_visible()
    assert block.locator("input[type=radio]:checked").count() == 19


def test_works_at_320px(live_server, browser):
    context = browser.new_context(viewport={"width": 320, "height": 800})
    tab = context.new_page()
    try:
        tab.goto(f"{live_server}/scenario/competency_self_assessment.1/?student=narrow")
        block = tab.locator(".cx-self_assessment").first
        block.wait_for(state="visible", timeout=15000)
        rate_all(tab, 1)
        block.locator("[data-cx-submit]").click()
        block.locator("[data-cx-result-heading]").wait_for(state="visible")
        # Nothing of the block sticks out (wide tables scroll inside their own region; the
        # workbench's own page header is not ours).
        wider = tab.evaluate("""() => Array.from(document.querySelectorAll('.cx-block *'))
            .filter(el => !el.closest('.cx-sa-table-wrap'))
            .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
            .map(el => el.tagName + '.' + el.className)""")
        assert wider == []
    finally:
        context.close()
