"""Ratings not yet saved are not lost silently: leaving the page asks first; after a draft
(or a submit) it does not."""
from __future__ import annotations

import pytest

from tests.browser.helpers import scenario_url

pytestmark = pytest.mark.browser


def _leaving_is_held_back(page) -> bool:
    """What the browser asks the page when a person reloads, navigates or closes the tab: a
    cancelled ``beforeunload`` makes it show its own "leave this page?" question."""
    return page.evaluate("""() => {
        const event = new Event("beforeunload", {cancelable: true});
        window.dispatchEvent(event);
        return event.defaultPrevented;
    }""")


def _rate_one(page, student: str):
    page.goto(scenario_url(page.cx_base, "competency_self_assessment.0", "en", student))
    block = page.locator(".cx-self_assessment").first
    block.wait_for(timeout=15000)
    block.locator("select[name=role]").select_option("sagsbehandler")
    block.locator("select[name=unit]").select_option("jobcenter")
    block.locator("[data-cx-select] button[type=submit]").click()
    first = block.locator("fieldset.cx-sa-competence").first
    first.wait_for(timeout=10000)
    assert not _leaving_is_held_back(page)   # nothing rated yet
    first.locator("input[type=radio]").nth(1).check()
    return block


def test_leaving_with_unsaved_ratings_asks_first(live_server, page_factory):
    page = page_factory()
    page.cx_base = live_server
    _rate_one(page, "unsaved-leaver")
    assert _leaving_is_held_back(page)


def test_leaving_after_a_draft_does_not_ask(live_server, page_factory):
    page = page_factory()
    page.cx_base = live_server
    block = _rate_one(page, "draft-leaver")
    assert _leaving_is_held_back(page)
    block.locator("[data-cx-draft]").click()
    block.locator(".cx-sa-draft-note").wait_for(timeout=10000)
    assert not _leaving_is_held_back(page)
