"""Reflow (WCAG 1.4.10) and zoom (1.4.4): every block's busiest states at 320 CSS px wide and at
200% zoom (a 1280 x 800 window shows 640 x 400 CSS px at device scale 2) with no sideways
scrolling of the page; wide data tables scroll inside their own labelled region instead.

The pages are the workbench's bare block view (/view/<scenario>/), which holds only the block,
the way the mobile apps' web view shows it; the workbench's own header is not ours.
"""
from __future__ import annotations

import re

import pytest

from tests.browser.helpers import (
    assert_accessible,
    call_handler,
    horizontal_overflow,
    scenario_url,
    snap,
    sticking_out,
    usage_ids,
)

pytestmark = pytest.mark.browser
SIZES = {
    "320px": {"viewport": {"width": 320, "height": 640}},
    "zoom200": {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2},
}


def assert_reflows(page, state: str) -> None:
    assert horizontal_overflow(page) <= 0, f"{state}: the page scrolls sideways"
    assert sticking_out(page) == [], f"{state}: parts of the block reach past the screen"


@pytest.fixture(params=sorted(SIZES))
def sized(request, page_factory):
    return request.param, page_factory(**SIZES[request.param])


def test_self_assessment_reflows(live_server, sized):
    size, page = sized
    lang, student = "da", f"narrow-sa-{size}"
    page.goto(scenario_url(live_server, "competency_self_assessment.0", lang, student,
                           bare=True))
    block = page.locator(".cx-self_assessment").first
    block.wait_for(timeout=15000)
    usage = usage_ids(page, "competency_self_assessment")[0]
    form = call_handler(page, usage, "select", {"role": "borgerservice", "unit": "borgerservice"},
                        student)["form_html"]
    ratings = {c: "basic" for c in re.findall(r'data-competence="([^"]+)"', form)}
    page.reload()
    block.locator("fieldset.cx-sa-competence").first.wait_for(timeout=15000)
    assert_reflows(page, "rating form")
    call_handler(page, usage, "submit", {"role": "borgerservice", "unit": "borgerservice",
                                         "ratings": ratings}, student)
    page.reload()
    block.locator("[data-cx-result-heading]").wait_for(timeout=15000)
    assert_reflows(page, "result and plan")
    assert_accessible(page, f"result at {size}")
    snap(page, f"mobile-self_assessment-result-{size}", block)

    page.goto(scenario_url(live_server, "competency_self_assessment.0", lang, "staff", bare=True))
    page.locator(".cx-sa-staff").first.wait_for(timeout=15000)
    assert_reflows(page, "staff view")


def test_quiz_reflows(live_server, sized):
    size, page = sized
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(scenario_url(live_server, "data_security_quiz.0", "da", f"narrow-quiz-{size}",
                           bare=True))
    block = page.locator(".cx-quiz").first
    block.locator("fieldset").first.wait_for(timeout=15000)
    assert_reflows(page, "attempt")
    block.locator("[data-cx-submit]").click()
    block.locator("[data-cx-result]").wait_for(state="visible", timeout=15000)
    assert_reflows(page, "result")
    assert_accessible(page, f"quiz result at {size}")
    snap(page, f"mobile-quiz-result-{size}", block)


def test_atlas_reflows(live_server, sized):
    size, page = sized
    page.goto(scenario_url(live_server, "atlas_lookup.0", "da", f"narrow-atlas-{size}",
                           bare=True))
    block = page.locator(".cx-atlas").first
    block.locator("[data-cx-prompt]").wait_for(timeout=15000)
    block.locator("[data-cx-query]").fill("sygedagpenge")
    block.locator("[data-cx-query]").press("Enter")
    block.locator(".cx-atlas__hit").first.wait_for(timeout=10000)
    block.locator(".cx-atlas__hit button").first.click()
    block.locator("[data-cx-feedback]").wait_for(state="visible")
    assert_reflows(page, "results and feedback")
    assert_accessible(page, f"atlas at {size}")
    snap(page, f"mobile-atlas-{size}", block)

    page.goto(scenario_url(live_server, "atlas_lookup.0", "da", "staff", bare=True))
    block = page.locator(".cx-atlas").first
    block.locator("[data-cx-gaps]").click()
    block.locator("[data-cx-gap-list] h4").wait_for(timeout=10000)
    assert_reflows(page, "staff view")


@pytest.mark.parametrize("tag", ["competency_self_assessment", "data_security_quiz",
                                 "atlas_lookup"])
def test_studio_editor_at_200_percent_zoom(live_server, page_factory, tag):
    page = page_factory(**SIZES["zoom200"])
    page.goto(scenario_url(live_server, f"{tag}.0", "da", "staff", view="studio_view",
                           bare=True))
    page.locator(".cx-studio").first.wait_for(timeout=15000)
    assert_reflows(page, f"{tag} Studio editor")
