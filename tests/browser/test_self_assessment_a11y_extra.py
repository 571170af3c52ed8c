"""The self-assessment's "delete my data" flow (issue 9.7) in the browser, keyboard only, in
English and Danish: the confirmation opens with the focus on Cancel, Cancel goes back, Yes
deletes; the deletion is announced in the live region, the focus lands on the fresh role
choice, and nothing of the earlier result is left after a reload.  axe in every state."""
from __future__ import annotations

import re

import pytest

from competency_xblock.self_assessment import UI_TEXT
from tests.browser.helpers import (
    LANGS,
    assert_accessible,
    call_handler,
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


@pytest.mark.parametrize("lang", LANGS)
def test_learner_deletes_their_data_by_keyboard(live_server, page, lang):
    student = f"kb-clear-{lang}"
    page.goto(scenario_url(live_server, "competency_self_assessment.0", lang, student))
    block = page.locator(".cx-self_assessment").first
    block.wait_for(timeout=15000)
    usage = usage_ids(page, "competency_self_assessment")[0]
    form = call_handler(page, usage, "select", {"role": "sagsbehandler", "unit": "jobcenter"},
                        student)["form_html"]
    ratings = dict.fromkeys(re.findall(r'data-competence="([^"]+)"', form), "basic")
    call_handler(page, usage, "submit", {"role": "sagsbehandler", "unit": "jobcenter",
                                         "ratings": ratings}, student)
    page.reload()
    block = page.locator(".cx-self_assessment").first
    block.locator("[data-cx-result-heading]").wait_for(timeout=15000)
    start = block.locator("[data-cx-clear-start]")
    assert start.inner_text().strip() == tr(lang, UI_TEXT["clear_button"])
    assert start.get_attribute("aria-expanded") == "false"

    # Open the confirmation: the focus goes to Cancel (the safe choice).
    tab_to(page, start)
    page.keyboard.press("Enter")
    confirm = block.locator("[data-cx-clear-confirm]")
    wait_focus(page, confirm.locator("[data-cx-clear-no]"))
    assert start.get_attribute("aria-expanded") == "true"
    assert tr(lang, UI_TEXT["clear_explain"]) in confirm.inner_text()
    assert_accessible(page, "clear: confirmation open", contrast_in=".cx-sa-clear")

    # Cancel: closed again, focus back on the button, nothing deleted.
    page.keyboard.press("Enter")
    wait_focus(page, start)
    assert confirm.is_hidden() and start.get_attribute("aria-expanded") == "false"
    assert block.locator("[data-cx-result-heading]").is_visible()

    # Delete: announced, the focus on the fresh role choice, the result gone.
    page.keyboard.press("Enter")
    wait_focus(page, confirm.locator("[data-cx-clear-no]"))
    tab_to(page, confirm.locator("[data-cx-clear-yes]"), backwards=True)
    page.keyboard.press("Enter")
    wait_announced(page, block.locator("[data-cx-live]"), tr(lang, UI_TEXT["cleared"]))
    role = block.locator("select[name=role]")
    wait_focus(page, role)
    assert block.locator("[data-cx-result-heading]").count() == 0
    assert block.locator("[data-cx-clear]").is_hidden()
    assert role.input_value() == ""
    assert_accessible(page, "clear: deleted")
    assert page.errors == []
    snap(page, f"self_assessment-cleared-{lang}")

    page.reload()
    block = page.locator(".cx-self_assessment").first
    block.locator("select[name=role]").wait_for(timeout=15000)
    assert block.locator("[data-cx-result-heading]").count() == 0
    assert block.locator("[data-cx-clear]").is_hidden()
    assert not has_focus(block.locator("[data-cx-clear-start]"))
