"""atlas_lookup, keyboard only, in English and Danish: a graded referral (a wrong pick with its
hint, then the right one), the lookup with a typo and a search without hits, the staff view
with candidate søgeord.  axe in every state; feedback takes the focus and is announced."""
from __future__ import annotations

import re

import pytest

from competency_xblock.atlas_lookup import SEARCH_COUNT, UI_TEXT
from competency_xblock.core.formatting import format_number
from tests.browser.helpers import (
    LANGS,
    assert_accessible,
    call_handler,
    scenario_url,
    snap,
    tab_to,
    tr,
    usage_ids,
    wait_announced,
    wait_focus,
)

pytestmark = pytest.mark.browser


def search_by_keyboard(page, block, words: str) -> None:
    tab_to(page, block.locator("[data-cx-query]"))
    page.keyboard.press("Control+A")
    page.keyboard.type(words)
    page.keyboard.press("Enter")


def count_pattern(lang: str) -> re.Pattern:
    """"12 results." / "12 resultater." (either plural form, numbers written the lang's way)."""
    forms = [tr(lang, SEARCH_COUNT, 1), tr(lang, SEARCH_COUNT)]
    return re.compile("|".join(re.escape(f).replace(r"\{count\}", r"[\d.,]+") for f in forms))


@pytest.mark.parametrize("lang", LANGS)
def test_graded_referral_by_keyboard(live_server, page, lang):
    page.goto(scenario_url(live_server, "atlas_lookup.0", lang, f"kb-atlas-{lang}"))
    block = page.locator(".cx-atlas").first
    block.locator("[data-cx-prompt]").wait_for(timeout=15000)
    assert tr(lang, UI_TEXT["scenario"]).format(n=1, total=8) in \
        block.locator("[data-cx-scenario-count]").inner_text()
    assert_accessible(page, "exercise: first scenario")

    search_by_keyboard(page, block, "flytning")
    count = block.locator("[data-cx-count]")
    page.wait_for_function("el => /\\d/.test(el.textContent)", arg=count.element_handle())
    assert count_pattern(lang).fullmatch(count.inner_text().strip()), count.inner_text()
    right = block.locator(".cx-atlas__hit", has_text="Flytteanmeldelse").first
    wrong = block.locator(".cx-atlas__hit").filter(has_not_text="Flytteanmeldelse").first
    assert block.locator(".cx-atlas__hit mark").count() >= 1
    assert_accessible(page, "exercise: results")

    # A wrong pick: feedback with the hint takes the focus and is announced.
    tab_to(page, wrong.locator("button").first)
    page.keyboard.press("Enter")
    feedback = block.locator("[data-cx-feedback]")
    wait_focus(page, feedback)
    wait_announced(page, block.locator("[data-cx-live]"), tr(lang, UI_TEXT["incorrect"]))
    assert tr(lang, UI_TEXT["attempts_left"]).format(count=1) in feedback.inner_text()
    assert tr(lang, UI_TEXT["hint"]) in feedback.inner_text()
    assert_accessible(page, "exercise: wrong pick")

    # The right pick.
    tab_to(page, right.get_by_role("button", name=tr(lang, UI_TEXT["pick_service"])))
    page.keyboard.press("Enter")
    page.wait_for_function("([el, t]) => el.textContent.includes(t)",
                           arg=[feedback.element_handle(), tr(lang, UI_TEXT["answer"])])
    wait_focus(page, feedback)
    assert tr(lang, UI_TEXT["correct"]) in feedback.inner_text()
    assert "Folkeregister" in feedback.inner_text()
    assert block.locator("[data-cx-score]").inner_text() == \
        tr(lang, UI_TEXT["score"]).format(earned=1, possible=8)
    assert_accessible(page, "exercise: solved")
    snap(page, f"atlas-referral-solved-{lang}")

    # On to the next scenario: focus goes to its prompt.
    tab_to(page, block.locator("[data-cx-next]"), backwards=True)
    page.keyboard.press("Enter")
    wait_focus(page, block.locator("[data-cx-scenario]"))
    assert tr(lang, UI_TEXT["scenario"]).format(n=2, total=8) in \
        block.locator("[data-cx-scenario-count]").inner_text()
    assert page.errors == []


@pytest.mark.parametrize("lang", LANGS)
def test_lookup_by_keyboard_with_a_typo_and_no_hits(live_server, page, lang):
    page.goto(scenario_url(live_server, "atlas_lookup.1", lang, f"kb-lookup-{lang}"))
    block = page.locator(".cx-atlas").first
    block.wait_for(timeout=15000)
    assert_accessible(page, "lookup: initial")

    search_by_keyboard(page, block, "zzqxv blargh")
    count = block.locator("[data-cx-count]")
    page.wait_for_function("el => el.textContent.length > 20", arg=count.element_handle())
    assert block.locator(".cx-atlas__hit").count() == 0
    assert count.get_attribute("aria-live") == "polite"
    assert_accessible(page, "lookup: nothing found")

    search_by_keyboard(page, block, "kørekrot")
    block.locator(".cx-atlas__hit").first.wait_for(timeout=10000)
    assert "Kørekort" in block.locator(".cx-atlas__hit h3").first.inner_text()
    corrections = block.locator("[data-cx-corrections]")
    assert corrections.is_visible() and "kørekort" in corrections.inner_text().lower()
    assert count_pattern(lang).fullmatch(count.inner_text().strip()), count.inner_text()
    assert_accessible(page, "lookup: results")
    assert page.errors == []
    snap(page, f"atlas-lookup-{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_staff_view_by_keyboard(live_server, page, lang):
    page.goto(scenario_url(live_server, "atlas_lookup.2", lang, f"seed-atlas-{lang}"))
    page.locator(".cx-atlas").first.wait_for(timeout=15000)
    call_handler(page, usage_ids(page, "atlas_lookup")[0], "search",
                 {"query": f"qqxyz {lang}"}, f"seed-atlas-{lang}")

    page.goto(scenario_url(live_server, "atlas_lookup.2", lang, "staff"))
    block = page.locator(".cx-atlas").first
    status = block.locator("[data-cx-staff-status]")
    status.wait_for(timeout=15000)
    source = tr(lang, UI_TEXT["staff_source"]).format(
        name="Mini-atlas", services=format_number(2, lang), kle="2025-05-01")
    assert source in status.inner_text()
    assert_accessible(page, "staff: status")

    tab_to(page, block.locator("[data-cx-gaps]"))
    page.keyboard.press("Enter")
    block.locator("[data-cx-gap-list] td", has_text=f"qqxyz {lang}").wait_for(timeout=10000)
    wait_announced(page, block.locator("[data-cx-live]"), tr(lang, UI_TEXT["staff_gaps_heading"]))
    assert_accessible(page, "staff: candidate søgeord")
    assert page.errors == []
    snap(page, f"atlas-staff-{lang}")
