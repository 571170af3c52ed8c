"""Cross-site scripting in Chromium: hostile author text in every author field and hostile
learner text in every learner text field, in the learner, staff and Studio views.

The author side is :mod:`tests.security.xss_content` (every payload of
``tests/data/security/xss-payloads.txt`` in every kind of author field of each block), served
by its own workbench (``tests.security.xss_server``).  The learner side is the atlas search
query, the one free text a learner sends (the other learner payloads are ids, checked against
the block's content by the schemas); every payload is typed into the search box by a learner
and then shown back to course staff in the list of candidate søgeord.

In every state: no payload script ran (no dialog opened, the ``window.__cx_pwned`` canary is
unset), no ``data-cx-injected`` attribute reached the DOM, no element in a block carries an
event-handler attribute or a ``javascript:``/``vbscript:``/``data:`` URL, no active element
(script, iframe, object, embed, base, meta, link, style, svg, math ...) is inside a block, and
the payloads are visible as text (so the test saw them, not an error page).
"""
from __future__ import annotations

import os
import re

import pytest

from tests.browser.conftest import _open_tab, _Server, save_screenshot, shared_browser
from tests.browser.helpers import call_handler, scenario_url, usage_ids
from tests.security.xss_content import SEARCH_SCENARIOS, URL_PAYLOADS, payloads

pytestmark = pytest.mark.browser
PAYLOADS = payloads()
#: The figure for the closing note: payloads per field.
assert len(PAYLOADS) >= 50

CHECK = r"""(selector) => {
    const bad = [];
    if (window.__cx_pwned || window.parent.__cx_pwned) { bad.push('window.__cx_pwned is set'); }
    document.querySelectorAll('[data-cx-injected]').forEach(e =>
        bad.push('data-cx-injected on <' + e.tagName.toLowerCase() + '>'));
    const ACTIVE = new Set(['SCRIPT', 'IFRAME', 'FRAME', 'OBJECT', 'EMBED', 'BASE', 'META',
        'LINK', 'STYLE', 'SVG', 'MATH', 'XSS', 'MARQUEE', 'AUDIO', 'VIDEO', 'SOURCE', 'NOSCRIPT',
        'TITLE', 'BODY', 'DETAILS', 'APPLET']);
    const URLS = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'background',
        'poster', 'srcset', 'srcdoc', 'codebase', 'dynsrc', 'lowsrc'];
    let elements = 0;
    document.querySelectorAll(selector).forEach(block => block.querySelectorAll('*').forEach(el => {
        elements += 1;
        const tag = el.tagName.toUpperCase();
        if (ACTIVE.has(tag)) { bad.push('<' + tag.toLowerCase() + '> inside a block'); }
        for (const attr of el.attributes) {
            const name = attr.name.toLowerCase();
            const value = attr.value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
            if (name.startsWith('on')) { bad.push(name + ' on <' + tag.toLowerCase() + '>'); }
            if (URLS.includes(name) && /^(javascript|vbscript|data|livescript):/.test(value)) {
                bad.push(name + '=' + attr.value.slice(0, 60) + ' on <' + tag.toLowerCase() + '>');
            }
            if (name === 'style' && /expression\(|javascript:|url\(/.test(value)) {
                bad.push('style=' + attr.value.slice(0, 60));
            }
            if (name === 'autofocus' || name === 'formaction' || name === 'srcdoc') {
                bad.push(name + ' on <' + tag.toLowerCase() + '>');
            }
        }
    }));
    return {bad, elements};
}"""

SHOWN = r"""(selector) => Array.from(document.querySelectorAll(selector)).map(block =>
    [block.textContent].concat(
        Array.from(block.querySelectorAll('input, textarea, select')).map(e => e.value),
        Array.from(block.querySelectorAll('[title], [aria-label], [href]')).map(e =>
            [e.getAttribute('title'), e.getAttribute('aria-label'), e.getAttribute('href')]
            .join(' '))
    ).join('\n')).join('\n')"""


@pytest.fixture(scope="module")
def xss_server(request):
    reuse = os.environ.get("CX_XSS_SERVER")
    if reuse:  # `python -m tests.security.xss_server 127.0.0.1:8771` in another shell
        return reuse.rstrip("/")
    server = _Server("tests.security.xss_server")
    request.addfinalizer(server.stop)
    return server.wait_until_ready(180)


@pytest.fixture
def page(request):
    context = shared_browser(request.config).new_context(locale="en-US")
    tab = _open_tab(context)
    tab.dialogs = []
    tab.on("dialog", lambda d: (tab.dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
    yield tab
    if getattr(request.node, "cx_failed", False):
        save_screenshot(request, tab, prefix="xss-")
    context.close()


def check(tab, state: str, selector: str = ".cx-block, .cx-studio", at_least: int = 50,
          texts=PAYLOADS, min_elements: int = 20) -> int:
    """The common assertions; returns how many distinct payloads the state shows as text."""
    tab.wait_for_timeout(150)  # let an injected onload/onerror/autofocus handler run
    found = tab.evaluate(CHECK, selector)
    assert found["elements"] > min_elements, f"{state}: the block did not render"
    assert not found["bad"], f"{state}: {sorted(set(found['bad']))[:15]}"
    assert tab.dialogs == [], f"{state}: a payload opened a dialog: {tab.dialogs[:5]}"
    shown = tab.evaluate(SHOWN, selector)
    seen = sum(1 for text in texts if text in shown)
    assert seen >= min(at_least, len(texts)), f"{state}: only {seen} payloads shown as text"
    return seen


def errors_besides_missing_images(tab) -> list[str]:
    """Author HTML may hold <img src=x> (allowed by the allow-list): its 404 is no error."""
    return [e for e in tab.errors if not re.search(r"HTTP 404 .*/x$|404 \(Not Found\)", e)]


# --- the self-assessment ------------------------------------------------------------------


@pytest.mark.parametrize("scenario", ["cxxss-sa-0", "cxxss-sa-1"])
def test_self_assessment_learner_staff_and_studio(xss_server, page, scenario):
    learner = f"{scenario}-learner"
    page.goto(scenario_url(xss_server, scenario, "en", learner))
    block = page.locator(".cx-self_assessment").first
    block.wait_for(timeout=30000)
    check(page, "learner: role choice")

    block.locator("select[name=role]").select_option("r0")
    block.locator("select[name=unit]").select_option("u0")
    block.locator("[data-cx-select] button[type=submit]").click()
    block.locator("fieldset.cx-sa-competence").first.wait_for(timeout=15000)
    check(page, "learner: rating form")

    usage = usage_ids(page, "competency_self_assessment")[0]
    competences = block.locator("fieldset.cx-sa-competence").evaluate_all(
        "els => els.map(e => e.getAttribute('data-competence'))")
    assert len(competences) == len(PAYLOADS)
    block.locator("fieldset.cx-sa-competence input[type=radio]").first.check()
    block.locator("[data-cx-draft]").click()
    block.locator(".cx-sa-draft-note").wait_for(state="visible", timeout=15000)
    check(page, "learner: draft saved")
    for n in range(6):  # five more learners, so the staff view shows figures
        call_handler(page, usage, "submit", {"role": f"r{n % 3}", "unit": f"u{n % 2}",
                                             "ratings": dict.fromkeys(competences, "l0")},
                     learner if n == 0 else f"{scenario}-other-{n}")
    page.reload()
    block = page.locator(".cx-self_assessment").first
    block.locator("[data-cx-result-heading]").wait_for(timeout=30000)
    assert block.locator(".cx-sa-plan-item").count() > 0
    check(page, "learner: result and plan")
    page.emulate_media(media="print")
    check(page, "learner: printable plan")
    page.emulate_media(media="screen")

    page.goto(scenario_url(xss_server, scenario, "da", "staff"))
    staff = page.locator(".cx-sa-staff").first
    staff.wait_for(timeout=30000)
    assert staff.locator("table").count() >= 3
    check(page, "staff: figures")
    staff.locator("select[name=role]").select_option("r0")
    with page.expect_response(re.compile(r"/staff_summary/")):
        staff.locator("button[type=submit]").click()
    check(page, "staff: filtered by a role", at_least=20)

    page.goto(scenario_url(xss_server, scenario, "en", "staff", view="studio_view"))
    page.locator(".cx-studio").first.wait_for(timeout=30000)
    check(page, "Studio editor", at_least=1, texts=[PAYLOADS[int(scenario[-1]) * 36]])
    assert errors_besides_missing_images(page) == []


# --- the quiz -----------------------------------------------------------------------------


def test_quiz_learner_and_studio(xss_server, page):
    page.goto(scenario_url(xss_server, "cxxss-quiz", "en", "xss-quiz-learner"))
    block = page.locator(".cx-quiz").first
    block.locator("fieldset.cx-quiz__question").first.wait_for(timeout=30000)
    assert block.locator("fieldset.cx-quiz__question").count() == len(PAYLOADS)
    # Plain-text questions show the payloads as text; HTML ones are cleaned by the allow-list.
    check(page, "learner: attempt open", at_least=35)
    for fieldset in block.locator("fieldset.cx-quiz__question").all():
        fieldset.locator("input").first.check()
    block.locator("[data-cx-submit]").click()
    block.locator("[data-cx-result]").wait_for(state="visible", timeout=30000)
    assert block.locator(".cx-quiz__explanation, .cx-quiz__feedback").count() > 0 or \
        block.locator(".cx-quiz__reviewed").count() == len(PAYLOADS)
    check(page, "learner: result with feedback and explanations", at_least=35)
    harmless = block.locator("a[href='https://example.org/ok']")
    assert harmless.count() > 0, "the allow-list dropped a harmless author link"

    page.goto(scenario_url(xss_server, "cxxss-quiz", "en", "staff", view="studio_view"))
    panel = page.locator("[data-cx-quiz-studio]").first
    panel.wait_for(timeout=30000)
    check(page, "Studio editor", at_least=1, texts=[PAYLOADS[2]])
    # Studio's import check lists every question it could not import, by its hostile name.
    gift = "\n\n".join(f"::{p.replace(':', ' ')}:: {p.replace('{', '(')} {{}}"
                       for p in PAYLOADS[:60])
    panel.locator("textarea[name=content]").fill(gift)
    panel.locator("input[name=dry_run]").check()
    with page.expect_response(re.compile(r"/import_questions/")):
        panel.locator("[data-cx-import-form] button[type=submit]").click()
    result = panel.locator("[data-cx-import-result]")
    result.locator("li").first.wait_for(timeout=15000)
    check(page, "Studio: import problems", at_least=1,
          texts=[p.replace(":", " ") for p in PAYLOADS[:60]])
    assert errors_besides_missing_images(page) == [] or all(
        "400" in e for e in errors_besides_missing_images(page))


# --- the atlas ----------------------------------------------------------------------------


def search(page, block, words: str) -> None:
    with page.expect_response(re.compile(r"/search/")):
        block.locator("[data-cx-query]").fill(words)
        block.locator("[data-cx-query]").press("Enter")
    page.wait_for_function("el => el.textContent.trim().length > 0",
                           arg=block.locator("[data-cx-count]").element_handle())


def test_atlas_lookup_learner_and_studio(xss_server, page):
    page.goto(scenario_url(xss_server, "cxxss-atlas-lookup", "en", "xss-atlas-learner"))
    block = page.locator(".cx-atlas").first
    block.wait_for(timeout=30000)
    search(page, block, "xssfind")
    assert block.locator(".cx-atlas__hit").count() >= 20
    check(page, "learner: results with units and contact details", at_least=20)
    web = block.locator(".cx-atlas__contact a[href^='http']").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))")
    assert web and set(web) <= set(URL_PAYLOADS) | {"https://example.org/"}, web[:5]

    page.goto(scenario_url(xss_server, "cxxss-atlas-lookup", "en", "staff",
                           view="studio_view"))
    page.locator(".cx-studio").first.wait_for(timeout=30000)
    check(page, "Studio editor", at_least=1, texts=[PAYLOADS[4]])
    assert errors_besides_missing_images(page) == []


def test_atlas_exercise_learner_and_staff(xss_server, page):
    page.goto(scenario_url(xss_server, "cxxss-atlas-exercise", "en", "xss-exercise"))
    block = page.locator(".cx-atlas").first
    block.locator("[data-cx-prompt]").wait_for(timeout=30000)
    check(page, "learner: scenario prompt", at_least=1)
    for step in range(3):
        search(page, block, "xssfind")
        hits = block.locator(".cx-atlas__hit")
        for index in (step + 1, 0):  # a wrong pick (hint), then another
            with page.expect_response(re.compile(r"/pick/")):
                hits.nth(index).locator("button").first.click()
            block.locator("[data-cx-feedback]").wait_for(state="visible")
            check(page, f"learner: feedback on scenario {step + 1}", at_least=1)
        block.locator("[data-cx-next]").click()
    page.goto(scenario_url(xss_server, "cxxss-atlas-exercise", "en", "staff"))
    block = page.locator(".cx-atlas").first
    block.locator("[data-cx-staff-status]").wait_for(timeout=30000)
    with page.expect_response(re.compile(r"/staff_gaps/")):
        block.locator("[data-cx-gaps]").click()
    check(page, "staff: status and candidate søgeord", at_least=1)
    assert errors_besides_missing_images(page) == []


def test_learner_search_text_in_the_learner_and_staff_views(xss_server, page):
    """Every payload typed by learners into the search box (the learner view shows it back, with
    its count and corrections); then course staff open the list of searches without hits,
    which shows every one of them (half the corpus per block: the list shows 50 terms)."""
    from competency_xblock.atlas.gaps import normalise_term

    half = (len(PAYLOADS) + 1) // 2
    listed = 0
    for number, scenario in enumerate(SEARCH_SCENARIOS):
        mine = PAYLOADS[number * half:(number + 1) * half]
        for index, payload in enumerate(mine):
            if index % 15 == 0:  # the staff list keeps the last 20 searches per learner
                learner = f"xss-searcher-{number}-{index // 15}"
                page.goto(scenario_url(xss_server, scenario, "da", learner))
                block = page.locator(".cx-atlas").first
                block.wait_for(timeout=30000)
            search(page, block, f"qqzx {payload}")
            check(page, f"learner: search for {payload!r}", selector=".cx-atlas",
                  at_least=1, texts=[payload], min_elements=5)
        page.goto(scenario_url(xss_server, scenario, "da", "staff"))
        block = page.locator(".cx-atlas").first
        block.locator("[data-cx-staff-status]").wait_for(timeout=30000)
        with page.expect_response(re.compile(r"/staff_gaps/")):
            block.locator("[data-cx-gaps]").click()
        block.locator("[data-cx-gap-list] td").first.wait_for(timeout=15000)
        terms = [normalise_term(f"qqzx {p}") for p in mine]
        listed += check(page, f"staff: learners' searches ({scenario})", selector=".cx-atlas",
                        at_least=len(mine), texts=terms)
    assert listed == len(PAYLOADS)
    assert errors_besides_missing_images(page) == []


def test_the_checks_catch_payloads_that_are_not_escaped(page):
    """The same checks on a page that puts the corpus in unescaped: they must fail."""
    page.set_content('<section class="cx-block">' + "".join(f"<p>{p}</p>" for p in PAYLOADS)
                     + "</section>")
    page.wait_for_timeout(300)
    found = page.evaluate(CHECK, ".cx-block")
    kinds = " ".join(found["bad"])
    for sign in ("window.__cx_pwned is set", "data-cx-injected", "onerror", "<script>",
                 "<iframe>", "href=javascript:"):
        assert sign in kinds, sign
    assert page.dialogs, "no payload alert() was seen"
    with pytest.raises(AssertionError):
        check(page, "unescaped corpus")
