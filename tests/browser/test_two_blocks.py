"""Two blocks of the same kind on one page (as in a unit with two quizzes): every id unique,
every label and ARIA reference pointing into its own block, axe clean for both, and working
one block leaves the other untouched."""
from __future__ import annotations

import pytest

from tests.browser.helpers import (
    assert_accessible,
    broken_id_references,
    duplicate_ids,
    scenario_url,
    snap,
    wait_focus,
)

pytestmark = pytest.mark.browser


def check_page(page, state: str) -> None:
    assert duplicate_ids(page) == [], state
    assert broken_id_references(page) == [], state
    assert_accessible(page, f"two blocks: {state}")


def references_stay_inside(block) -> bool:
    """Every for/aria-* id a block's elements name is an element of that same block."""
    return block.evaluate("""root => Array.from(root.querySelectorAll(
        '[for], [aria-labelledby], [aria-describedby]')).every(el =>
        ['for', 'aria-labelledby', 'aria-describedby'].every(attr =>
            (el.getAttribute(attr) || '').split(/\\s+/).filter(Boolean)
                .every(id => root.contains(document.getElementById(id)))))""")


def test_two_quizzes(live_server, page):
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(scenario_url(live_server, "cxtest-two-quiz", "en", "two-quiz"))
    blocks = page.locator(".cx-quiz")
    for index in (0, 1):
        blocks.nth(index).locator("fieldset").first.wait_for(timeout=15000)
    assert blocks.count() == 2
    check_page(page, "both attempts open")
    second = blocks.nth(1)
    for fieldset in second.locator("fieldset").all():
        fieldset.locator("input").first.check()
    second.locator("[data-cx-submit]").click()
    wait_focus(page, second.locator("[data-cx-result]"))
    assert blocks.nth(0).locator("[data-cx-result]").is_hidden()
    assert blocks.nth(0).locator("[data-cx-live]").inner_text() == ""
    check_page(page, "second submitted")
    assert all(references_stay_inside(b) for b in blocks.all())
    assert page.errors == []
    snap(page, "two-quizzes-en")


def test_two_self_assessments(live_server, page):
    page.goto(scenario_url(live_server, "cxtest-two-sa", "da", "two-sa"))
    blocks = page.locator(".cx-self_assessment")
    blocks.nth(1).wait_for(timeout=15000)
    check_page(page, "both initial")
    second = blocks.nth(1)
    second.locator("select[name=role]").select_option("leder")
    second.locator("[data-cx-select] button[type=submit]").click()
    second.locator("fieldset.cx-sa-competence").first.wait_for()
    assert blocks.nth(0).locator("fieldset.cx-sa-competence").count() == 0
    second.locator("[data-cx-submit]").click()              # nothing rated: errors
    second.locator("[data-cx-errors]").wait_for(state="visible")
    assert blocks.nth(0).locator("[data-cx-errors]").is_hidden()
    check_page(page, "second form with errors")
    assert all(references_stay_inside(b) for b in blocks.all())
    assert page.errors == []
    snap(page, "two-self-assessments-da")


def test_two_atlas_lookups(live_server, page):
    page.goto(scenario_url(live_server, "cxtest-two-atlas", "da", "two-atlas"))
    blocks = page.locator(".cx-atlas")
    blocks.nth(0).locator("[data-cx-prompt]").wait_for(timeout=15000)
    check_page(page, "both initial")
    second = blocks.nth(1)
    second.locator("[data-cx-query]").fill("pas")
    second.locator("[data-cx-query]").press("Enter")
    second.locator(".cx-atlas__hit").first.wait_for(timeout=10000)
    first = blocks.nth(0)
    first.locator("[data-cx-query]").fill("flytning")
    first.locator("[data-cx-query]").press("Enter")
    first.locator(".cx-atlas__hit").first.wait_for(timeout=10000)
    check_page(page, "results in both")
    assert all(references_stay_inside(b) for b in blocks.all())
    assert page.errors == []
    snap(page, "two-atlas-lookups-da")
