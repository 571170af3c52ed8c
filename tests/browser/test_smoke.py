"""Each scenario opens in Chromium with its block rendered and no console errors."""
from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser

ENTRY_POINTS = ("competency_self_assessment", "data_security_quiz", "atlas_lookup")


def _scenarios() -> list[str]:
    """Every demo scenario of our blocks, as the workbench names them (``tag.N``)."""
    from xblock.core import XBlock

    return [f"{tag}.{number}" for tag in ENTRY_POINTS
            for number in range(len(XBlock.load_class(tag).workbench_scenarios()))]


@pytest.mark.parametrize("scenario", _scenarios())
@pytest.mark.parametrize("lang", ["en", "da"])
def test_scenario_renders_without_console_errors(live_server, page, scenario, lang):
    page.goto(f"{live_server}/scenario/{scenario}/?lang={lang}")
    block = page.locator(".cx-block").first
    block.wait_for(state="visible", timeout=15000)
    assert block.get_attribute("lang") == lang
    assert page.locator(".cx-block h2, .cx-block h3").first.inner_text().strip()
    page.wait_for_load_state("networkidle")
    assert page.errors == []
    assert axe_violations(page) == []
