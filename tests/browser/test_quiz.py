"""The quiz's main learner path in Chromium at 320px: answer, submit, read the result."""
from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["en", "da"])
def test_learner_answers_and_sees_result_at_320px(live_server, page, lang):
    page.set_viewport_size({"width": 320, "height": 640})
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server}/scenario/data_security_quiz.0/?lang={lang}&student=browser-{lang}")
    block = page.locator(".cx-quiz").first
    block.locator("fieldset").first.wait_for(state="visible", timeout=15000)
    fieldsets = block.locator("fieldset")
    assert fieldsets.count() == 10
    for i in range(fieldsets.count()):
        fieldset = fieldsets.nth(i)
        assert fieldset.locator("legend").inner_text().strip()
        inputs = fieldset.locator("input")
        assert inputs.count() >= 2
        for j in range(inputs.count()):
            input_id = inputs.nth(j).get_attribute("id")
            assert block.locator(f"label[for='{input_id}']").count() == 1
        inputs.first.check()
    assert axe_violations(page) == []
    overflow = block.evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 1
    block.locator("[data-cx-submit]").click()
    result = block.locator("[data-cx-result]")
    result.wait_for(state="visible", timeout=15000)
    summary = block.locator("[data-cx-summary]").inner_text()
    assert "%" in summary
    focused = page.evaluate("document.activeElement.hasAttribute('data-cx-result')")
    assert focused
    page.wait_for_function(
        "el => el.textContent.length > 0",
        arg=block.locator("[data-cx-live]").element_handle(), timeout=5000)
    assert block.locator(".cx-quiz__reviewed").count() == 10
    assert block.locator("[data-cx-retry]").is_visible()
    assert axe_violations(page) == []
    page.reload()
    block = page.locator(".cx-quiz").first
    block.locator("[data-cx-result]").wait_for(state="visible", timeout=15000)
    assert block.locator("[data-cx-summary]").inner_text() == summary
    block.locator("[data-cx-retry]").click()
    block.locator("fieldset").first.wait_for(state="visible", timeout=15000)
    assert page.evaluate("document.activeElement.tagName") == "INPUT"
    assert page.errors == []
