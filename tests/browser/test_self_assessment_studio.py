"""Self-assessment in Chromium beyond the main path: a role fixed by the author with the unit
still chosen by the learner, and the Studio panel where HR downloads the role profiles as a
spreadsheet and imports one again (check first, then save)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from competency_xblock.self_assessment import STUDIO_IO_TEXT, UI_TEXT
from tests.browser.helpers import assert_accessible, scenario_url, snap, tr, wait_announced

pytestmark = pytest.mark.browser


def test_fixed_role_learner_chooses_the_unit_and_submits(live_server, page):
    page.goto(scenario_url(live_server, "competency_self_assessment.2", "da", "fixed-role-unit"))
    block = page.locator(".cx-self_assessment").first
    block.wait_for(timeout=15000)
    assert block.locator("select[name=role]").count() == 0
    fieldsets = block.locator("fieldset.cx-sa-competence")
    assert fieldsets.count() == 19  # the caseworker profile, shown at once
    # The learner picks the unit and rates without pressing "Show my competences" again.
    block.locator("select[name=unit]").select_option("jobcenter")
    for i in range(fieldsets.count()):
        fieldsets.nth(i).locator(".cx-sa-level label").nth(1).click()
    block.locator("[data-cx-submit]").click()
    block.locator("[data-cx-result-heading]").wait_for(state="visible", timeout=10000)
    assert "Jobcenter" in block.locator(".cx-sa-meta").inner_text()
    wait_announced(page, block.locator("[data-cx-live]"), tr("da", UI_TEXT["submitted"]))
    assert page.errors == [], page.errors


def test_studio_downloads_and_imports_the_role_profile_sheet(live_server, page, tmp_path):
    page.goto(scenario_url(live_server, "cxtest-studio-competency_self_assessment-da", "da",
                           "staff", view="studio_view"))
    panel = page.locator("[data-cx-sa-studio]").first
    panel.wait_for(timeout=15000)
    assert_accessible(page, "studio panel: initial")
    status = panel.locator("[data-cx-sa-io-status]")

    # Download the profiles as HR would, for Excel.
    with page.expect_download() as info:
        panel.locator('[data-cx-sa-export="profiles"]').click()
    download = info.value
    assert download.suggested_filename == "competency-profiles.csv"
    sheet = Path(download.path()).read_bytes()
    assert sheet.startswith(b"\xef\xbb\xbfcompetence;area;title;borgerservice;sagsbehandler")
    assert "Øvet".encode() in sheet  # Danish labels, UTF-8
    wait_announced(page, status, "competency-profiles.csv")

    # A broken sheet, saved by Danish Excel as plain "CSV" (Windows-1252): every problem is
    # listed in the alert, which takes the focus; nothing is saved.
    broken = tmp_path / "profiler.csv"
    broken.write_bytes("Kompetence;Leder\n1.1;Mester\n9.9;Øvet\n".encode("cp1252"))
    panel.locator("input[type=file]").set_input_files(str(broken))
    panel.locator("[data-cx-sa-check]").click()
    errors = panel.locator("[data-cx-sa-io-errors]")
    errors.wait_for(state="visible", timeout=10000)
    items = errors.locator("li").all_inner_texts()
    assert any('"Mester" er ikke et niveau' in item and "række 2, kolonne leder" in item
               for item in items), items
    assert any('"9.9"' in item for item in items), items
    assert page.evaluate("document.activeElement.hasAttribute('data-cx-sa-io-errors')")
    assert_accessible(page, "studio panel: problems")

    # The downloaded sheet, edited (Leder now expects Øvet in 1.1, written in Danish
    # with æøå), checks clean and is then saved; the Setup field shows the result.
    edited = tmp_path / "profiler-rettet.csv"
    text = sheet.decode("utf-8-sig").splitlines()
    header = text[0].split(";")
    row = text[1].split(";")
    row[header.index("leder")] = "Øvet"
    edited.write_text("\n".join([text[0], ";".join(row)] + text[2:]) + "\n",
                      encoding="utf-8-sig")
    panel.locator("input[type=file]").set_input_files(str(edited))
    panel.locator("[data-cx-sa-check]").click()
    wait_announced(page, status, tr("da", STUDIO_IO_TEXT["import_checked"]))
    assert errors.is_hidden()
    panel.locator("[data-cx-sa-save]").click()
    wait_announced(page, status, tr("da", STUDIO_IO_TEXT["import_saved"]))
    setup = json.loads(page.locator("[data-cx-field=setup] [data-cx-control]").input_value())
    assert setup["profiles"]["leder"]["1.1"] == "intermediate"
    # The server keeps the import: Cancel in the field editor must not bring back the old text.
    page.locator("[data-cx-studio-cancel]").click()
    after_cancel = page.locator("[data-cx-field=setup] [data-cx-control]").input_value()
    assert json.loads(after_cancel)["profiles"]["leder"]["1.1"] == "intermediate"
    assert_accessible(page, "studio panel: saved")
    snap(page, "studio-self-assessment-import-da")
    assert all("400" in e for e in page.errors), page.errors
