"""Each block's Studio editor (core/studio.py) by keyboard, in English and Danish: a typing
error caught in the browser, validation messages from the server, a successful save that the
learner then sees.  Errors are listed in an alert that takes the focus, each field error is
tied to its field; axe in every state.  Each test edits its own scenario
(``cxtest-studio-<tag>-<lang>``), so no other test sees the changed settings."""
from __future__ import annotations

import pytest

from competency_xblock.core.studio import STUDIO_TEXT
from tests.browser.helpers import (
    LANGS,
    assert_accessible,
    broken_id_references,
    has_focus,
    scenario_url,
    snap,
    tab_to,
    tr,
    wait_announced,
    wait_focus,
)

pytestmark = pytest.mark.browser

#: tag -> (numeric field, value the server refuses, message part, good value per language)
CASES = {
    "competency_self_assessment": ("min_group_size", "3", "5", {"en": "6", "da": "6"}),
    "data_security_quiz": ("pass_threshold", "150", "100", {"en": "75.5", "da": "75,5"}),
    "atlas_lookup": ("results_per_page", "99", "50", {"en": "5", "da": "5"}),
}


def type_into(page, control, text: str) -> None:
    tab_to(page, control)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def save_by_keyboard(page, editor) -> None:
    tab_to(page, editor.locator("[data-cx-studio-save]"))
    page.keyboard.press("Enter")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("tag", sorted(CASES))
def test_studio_editor_by_keyboard(live_server, page, tag, lang):
    field, refused, message_part, good = CASES[tag]
    scenario = f"cxtest-studio-{tag}-{lang}"
    page.goto(scenario_url(live_server, scenario, lang, "staff", view="studio_view"))
    editor = page.locator(".cx-studio").first
    editor.wait_for(timeout=15000)
    assert editor.get_attribute("lang") == lang
    assert broken_id_references(page) == []
    assert_accessible(page, "studio: initial")
    control = editor.locator(f"[data-cx-field={field}] [data-cx-control]")
    errors = editor.locator("[data-cx-studio-errors]")

    # A typing error is caught before anything is sent, and tied to its field.
    type_into(page, control, "abc")
    save_by_keyboard(page, editor)
    wait_focus(page, errors)
    assert control.get_attribute("aria-invalid") == "true"
    field_error = editor.locator(f"[data-cx-field={field}] [data-cx-field-error]")
    assert field_error.is_visible()
    assert field_error.get_attribute("id") in control.get_attribute("aria-describedby")
    assert tr(lang, STUDIO_TEXT["not_saved"]) in errors.inner_text()
    assert_accessible(page, "studio: typing error")
    page.keyboard.press("Tab")             # the summary's link leads to the field
    page.keyboard.press("Enter")
    assert has_focus(control)

    # A value the block refuses: the server's messages, in the author's language.
    page.keyboard.press("Control+A")
    page.keyboard.type(refused)
    save_by_keyboard(page, editor)
    wait_focus(page, errors)
    items = errors.locator("li").all_inner_texts()
    assert items and any(message_part in item for item in items), items
    assert control.get_attribute("aria-invalid") is None
    assert_accessible(page, "studio: validation messages")

    # Good values are saved; the learner sees them.
    name = {"en": "Edited in the test", "da": "Redigeret i testen æøå"}[lang]
    type_into(page, editor.locator("[data-cx-field=display_name] [data-cx-control]"), name)
    type_into(page, control, good[lang])
    save_by_keyboard(page, editor)
    wait_announced(page, editor.locator("[data-cx-live]"), tr(lang, STUDIO_TEXT["saved"]))
    wait_focus(page, editor.locator("[data-cx-studio-save]"))
    assert errors.is_hidden()
    assert_accessible(page, "studio: saved")
    assert page.errors == [] or all("400" in e for e in page.errors), page.errors
    snap(page, f"studio-{tag}-{lang}")

    page.goto(scenario_url(live_server, scenario, lang, "learner"))
    heading = page.locator(".cx-block h2").first
    heading.wait_for(timeout=15000)
    assert heading.inner_text() == name
    if tag == "data_security_quiz":
        page.locator(".cx-quiz fieldset").first.wait_for(timeout=15000)
        assert f"{good[lang]}%" in page.locator("[data-cx-status]").inner_text()


def test_json_field_errors_and_cancel(live_server, page):
    """Broken JSON is explained per field; Cancel brings back the saved values."""
    scenario = "cxtest-studio-atlas_lookup-da"
    page.goto(scenario_url(live_server, scenario, "da", "staff", view="studio_view"))
    editor = page.locator(".cx-studio").first
    editor.wait_for(timeout=15000)
    atlas = editor.locator("[data-cx-field=inline_atlas] [data-cx-control]")
    type_into(page, atlas, '{"id": "x",')
    tab_to(page, editor.locator("[data-cx-studio-save]"))
    page.keyboard.press("Enter")
    errors = editor.locator("[data-cx-studio-errors]")
    wait_focus(page, errors)
    assert atlas.get_attribute("aria-invalid") == "true"
    assert "JSON" in errors.inner_text()
    tab_to(page, editor.locator("[data-cx-studio-cancel]"))
    page.keyboard.press("Enter")
    assert atlas.input_value() == "" and errors.is_hidden()
    wait_announced(page, editor.locator("[data-cx-live]"), tr("da", STUDIO_TEXT["cancelled"]))
    assert_accessible(page, "studio: cancelled")


@pytest.mark.parametrize("lang", LANGS)
def test_quiz_import_panel_by_keyboard(live_server, page, lang):
    """The quiz's import panel: a check-only import lists what could not be imported."""
    from competency_xblock.quiz import STUDIO_TEXT as QUIZ_STUDIO_TEXT

    page.goto(scenario_url(live_server, "data_security_quiz.1", lang, "staff",
                           view="studio_view"))
    panel = page.locator("[data-cx-quiz-studio]").first
    panel.wait_for(timeout=15000)
    type_into(page, panel.locator("textarea[name=content]"),
              "::Q1:: Is a CPR number a password? {FALSE}\n\n::Q2:: Describe an incident {}\n")
    tab_to(page, panel.locator("input[name=dry_run]"))
    page.keyboard.press("Space")
    tab_to(page, panel.locator("[data-cx-import-form] button[type=submit]"))
    page.keyboard.press("Enter")
    result = panel.locator("[data-cx-import-result]")
    wait_announced(page, result, tr(lang, QUIZ_STUDIO_TEXT["imported"], 1).format(count=1))
    assert tr(lang, QUIZ_STUDIO_TEXT["problems"]) in result.inner_text()
    assert result.locator("li").count() == 1 and "Q2" in result.inner_text()
    assert_accessible(page, "studio: import checked")
    assert page.errors == []
    snap(page, f"studio-quiz-import-{lang}", panel)
