"""atlas_lookup in Chromium: search, highlighted results, a referral pick, 320px, staff list."""
from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


def test_learner_searches_and_refers(live_server, page):
    page.goto(f"{live_server}/scenario/atlas_lookup.0/?lang=da&student=browser_learner")
    block = page.locator(".cx-atlas").first
    block.wait_for(state="visible", timeout=15000)
    assert "flyttet" in block.locator("[data-cx-prompt]").inner_text()
    block.get_by_label("Søg i ydelsesatlasset").fill("flytning")
    block.get_by_role("button", name="Søg", exact=True).click()
    hit = block.locator(".cx-atlas__hit", has_text="Flytteanmeldelse").first
    hit.wait_for(state="visible", timeout=10000)
    assert block.locator("[data-cx-count]").inner_text().strip()
    assert block.locator(".cx-atlas__hit mark").count() >= 1
    hit.get_by_role("button", name="Vælg denne ydelse").click()
    feedback = block.locator("[data-cx-feedback]")
    feedback.wait_for(state="visible")
    page.wait_for_function(
        "el => el.textContent.includes('Rigtigt')", arg=feedback.element_handle())
    assert "Folkeregister" in feedback.inner_text()
    page.wait_for_load_state("networkidle")
    assert page.errors == []
    assert axe_violations(page) == []


def test_narrow_screen_and_typo(live_server, page):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server}/scenario/atlas_lookup.1/?lang=en&student=browser_narrow")
    block = page.locator(".cx-atlas").first
    block.wait_for(state="visible", timeout=15000)
    block.get_by_label("Search the service atlas").fill("kørekrot")
    block.get_by_role("button", name="Search", exact=True).click()
    block.locator(".cx-atlas__hit").first.wait_for(state="visible", timeout=10000)
    assert "Kørekort" in block.locator(".cx-atlas__hit h3").first.inner_text()
    overflow = page.evaluate(
        "() => document.querySelector('.cx-atlas').scrollWidth"
        " - document.querySelector('.cx-atlas').clientWidth")
    assert overflow <= 1
    assert page.errors == []


SEARCH_LABEL = {"en": ("Search the service atlas", "Search"),
                "da": ("Søg i ydelsesatlasset", "Søg")}


def search_as(page, live_server, student, lang, query, expect):
    """Search ``query`` in the demo's lookup block; wait until the count line has ``expect``."""
    page.goto(f"{live_server}/scenario/atlas_lookup.1/?lang={lang}&student={student}")
    block = page.locator(".cx-atlas").first
    block.wait_for(state="visible", timeout=15000)
    label, button = SEARCH_LABEL[lang]
    block.get_by_label(label).fill(query)
    block.get_by_role("button", name=button, exact=True).click()
    count = block.locator("[data-cx-count]")
    page.wait_for_function(f"el => el.textContent.includes({expect!r})",
                           arg=count.element_handle())
    return count.inner_text()


def staff_candidates(page, live_server, term):
    """The staff list of candidate søgeord, once ``term`` is in it."""
    page.goto(f"{live_server}/scenario/atlas_lookup.1/?lang=en&student=staff")
    block = page.locator(".cx-atlas").first
    block.wait_for(state="visible", timeout=15000)
    block.get_by_role("button", name="Show candidate søgeord").click()
    block.locator("table td", has_text=term).wait_for(timeout=10000)
    return block


def test_staff_sees_candidate_soegeord(live_server, page):
    search_as(page, live_server, "browser_gaps", "en", "zzqxv blargh", "Nothing matched")
    staff_candidates(page, live_server, "zzqxv blargh")
    assert page.errors == []
    assert axe_violations(page) == []


def test_a_cpr_number_typed_into_the_search_is_not_kept(live_server, page):
    message = search_as(page, live_server, "browser_cpr", "da", "qqxvz 010190-1234",
                        "ikke personen")
    assert "CPR-numre" in message
    block = staff_candidates(page, live_server, "qqxvz [cpr]")
    assert "010190" not in block.inner_text()
    assert page.errors == []
