"""Helpers for the browser flows: axe, keyboard-only navigation, live regions, screenshots,
layout checks and direct handler calls (to seed data the flow under test does not cover).

Keyboard helpers only ever press keys: ``tab_to`` presses Tab until the wanted control has the
focus, so a control that cannot be reached in the tab order fails the test.
"""
from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LANGS = ("en", "da")
MONTHS = {
    "en": "January|February|March|April|May|June|July|August|September|October|November|"
          "December",
    "da": "januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december",
}
#: A date as core.formatting writes it: "3 December 2026" / "3. december 2026".
DATE = {"en": re.compile(rf"\b\d{{1,2}} ({MONTHS['en']}) \d{{4}}\b"),
        "da": re.compile(rf"\b\d{{1,2}}\. ({MONTHS['da']}) \d{{4}}\b")}
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")

#: The workbench's bare block page (/view/...) sets ``student_id`` but its runtime reads
#: ``studentId``; this keeps both pages working (a getter, and a setter for block.html).
STUDENT_ID_SHIM = """(() => { let value;
  Object.defineProperty(window, 'studentId', {configurable: true,
    get() { return value !== undefined ? value : window.student_id; },
    set(v) { value = v; }});
})();"""


@cache
def _axe_source() -> str:
    import axe_playwright_python

    return Path(axe_playwright_python.__file__).with_name("axe.min.js").read_text()


def axe_violations(tab, selector: str = ".cx-block", contrast_in: str | None = None
                   ) -> list[dict]:
    """axe-core (bundled by axe-playwright-python) with the WCAG 2.0/2.1 A and AA rule tags,
    over every element matching ``selector`` (all blocks on the page).

    ``contrast_in``: check colour contrast only there (the part of the page this state
    changed) and every other rule on the whole ``selector``.  Contrast is axe's one slow rule
    (seconds on the 95-radio rating form); a state that only adds a message to a form already
    checked in full needs it only for the new message.
    """
    if not tab.evaluate("() => typeof window.axe !== 'undefined'"):
        tab.add_script_tag(content=_axe_source())
    return tab.evaluate(
        """async ([selector, tags, contrastIn]) => {
            const report = r => r.violations.map(v => ({id: v.id, impact: v.impact,
                help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
            const context = s => ({include: [[s]]});
            if (!contrastIn) {
                return report(await axe.run(context(selector), {
                    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']}));
            }
            const rest = await axe.run(context(selector), {
                runOnly: {type: 'tag', values: tags}, rules: {'color-contrast': {enabled: false}},
                resultTypes: ['violations']});
            const contrast = document.querySelector(contrastIn) ? await axe.run(
                context(contrastIn), {runOnly: {type: 'rule', values: ['color-contrast']},
                resultTypes: ['violations']}) : {violations: []};
            return report(rest).concat(report(contrast));
        }""", [selector, WCAG_TAGS, contrast_in])


def assert_accessible(tab, state: str, selector: str = ".cx-block",
                      contrast_in: str | None = None) -> None:
    found = axe_violations(tab, selector, contrast_in)
    assert not found, f"axe: WCAG 2.0/2.1 A/AA violations in state {state!r}: {found}"


def snap(tab, name: str, locator=None) -> Path:
    """A named screenshot of a final state in test-artifacts/: the blocks' region of the page
    (``.preview``, without the workbench's banner and debug panel) or ``locator``."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    tab.cx_snapped = True
    region = locator or tab.locator(".preview").first
    # The workbench's fixed banner would cover the top of a long block in the picture.
    tab.add_style_tag(content="header.banner { display: none !important; }")
    if region.count():
        region.screenshot(path=str(path), animations="disabled")
    else:
        tab.screenshot(path=str(path), full_page=True)
    return path


# ---- keyboard --------------------------------------------------------------------------------
def has_focus(locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def focused_description(tab) -> str:
    return tab.evaluate("""() => { const e = document.activeElement;
        return e ? `${e.tagName} id=${e.id} name=${e.name || ''} ${
            (e.textContent || e.value || '').trim().slice(0, 40)}` : 'none'; }""")


def tab_to(tab, locator, limit: int = 80, backwards: bool = False) -> int:
    """Press Tab (or Shift+Tab) until ``locator`` has the focus; returns the presses needed."""
    key = "Shift+Tab" if backwards else "Tab"
    target = locator.element_handle(timeout=5000)
    for presses in range(limit + 1):
        if target.evaluate("el => el === document.activeElement"):
            return presses
        tab.keyboard.press(key)
    raise AssertionError(f"{locator} was not reached with {limit} x {key}; focus is on "
                         f"{focused_description(tab)}")


def wait_focus(tab, locator, timeout: int = 10000) -> None:
    """Wait until ``locator`` has the focus (focus moves after a handler answers; the
    locator is resolved again while waiting, as the block may replace the element)."""
    from playwright.sync_api import expect

    expect(locator).to_be_focused(timeout=timeout)


def choose_option(tab, select, value: str, limit: int = 40) -> None:
    """Pick ``value`` in a focused <select> with the arrow keys (as a keyboard user does)."""
    assert has_focus(select)
    options = select.evaluate("el => Array.from(el.options).map(o => o.value)")
    assert value in options, (value, options)
    key = "ArrowDown" if options.index(value) > options.index(select.input_value()) else "ArrowUp"
    for _ in range(limit):
        if select.input_value() == value:
            return
        tab.keyboard.press(key)
    raise AssertionError(f"could not choose {value!r} with {key}")


def answer_radio_group(tab, index: int) -> None:
    """Focus is on the first radio of a group: check the ``index``-th with the keyboard."""
    if index == 0:
        tab.keyboard.press("Space")
    for _ in range(index):
        tab.keyboard.press("ArrowDown")


# ---- live regions and layout ----------------------------------------------------------------
def wait_announced(tab, region, contains: str | None = None, timeout: int = 10000) -> str:
    """Wait until the live region ``region`` says something (containing ``contains``)."""
    from playwright.sync_api import expect

    if contains:
        expect(region).to_contain_text(contains, timeout=timeout)
    else:
        expect(region).not_to_be_empty(timeout=timeout)
    return region.text_content()


def horizontal_overflow(tab) -> int:
    """How many CSS px the page scrolls sideways (0 when everything reflows)."""
    return tab.evaluate("() => document.scrollingElement.scrollWidth"
                        " - document.scrollingElement.clientWidth")


def sticking_out(tab, selector: str = ".cx-block") -> list[str]:
    """Elements of our blocks that reach past the viewport, outside scrollable table regions."""
    return tab.evaluate("""(selector) => Array.from(document.querySelectorAll(selector + ' *'))
        .filter(el => !el.closest('.cx-sa-table-wrap, .cx-atlas__table-wrap'))
        .filter(el => el.getClientRects().length)
        .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .map(el => el.tagName + '.' + el.className).slice(0, 10)""", selector)


def duplicate_ids(tab) -> list[str]:
    return tab.evaluate("""() => { const seen = {}, dup = [];
        document.querySelectorAll('[id]').forEach(e => {
            if (seen[e.id]) { dup.push(e.id); } seen[e.id] = true; });
        return dup; }""")


def broken_id_references(tab, selector: str = ".cx-block") -> list[str]:
    """for/aria-labelledby/aria-describedby that name an id which is not on the page."""
    return tab.evaluate("""(selector) => { const bad = [];
        document.querySelectorAll(selector).forEach(block => block.querySelectorAll(
            '[for], [aria-labelledby], [aria-describedby], [aria-controls]').forEach(el => {
            for (const attr of ['for', 'aria-labelledby', 'aria-describedby', 'aria-controls']) {
                for (const id of (el.getAttribute(attr) || '').split(/\\s+/).filter(Boolean)) {
                    if (!document.getElementById(id)) { bad.push(attr + '=' + id); } } } }));
        return bad; }""", selector)


# ---- pages and handlers ---------------------------------------------------------------------
def scenario_url(base: str, scenario: str, lang: str, student: str, view: str = "",
                 bare: bool = False) -> str:
    """/scenario/<id>/[view/] (workbench page) or /view/<id>/ (bare block, like a webview)."""
    prefix = "view" if bare else "scenario"
    view_part = f"{view}/" if view else ""
    return f"{base}/{prefix}/{scenario}/{view_part}?lang={lang}&student={student}"


def usage_ids(tab, block_type: str) -> list[str]:
    return tab.evaluate("""(type) => Array.from(document.querySelectorAll(
        `[data-block-type="${type}"]`)).map(e => e.getAttribute('data-usage'))""", block_type)


def call_handler(tab, usage_id: str, handler: str, payload: dict, student: str) -> dict:
    """POST JSON to a handler from the page, like the block's JavaScript (CSRF included)."""
    result = tab.evaluate(
        """async ([usage, handler, payload, student]) => {
            const token = (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || '';
            const response = await fetch(`/handler/${usage}/${handler}/?student=${student}`, {
                method: 'POST', credentials: 'same-origin',
                headers: {'Content-Type': 'application/json', 'X-CSRFToken': token},
                body: JSON.stringify(payload)});
            return {status: response.status, data: await response.json()};
        }""", [usage_id, handler, payload, student])
    assert result["status"] == 200, json.dumps(result, ensure_ascii=False)[:500]
    return result["data"]


def tr(lang: str, message, count: int = 2) -> str:
    """``message`` (an N_ string, or an NP_ pair, for ``count``) as the block shows it."""
    from competency_xblock.core.i18n import catalogue

    translations = catalogue(lang)
    if isinstance(message, tuple):
        return translations.ngettext(message[0], message[1], count)
    return translations.gettext(message)
