"""Author paths: Studio save and validation, CSV/JSON import and export, OLX round trip."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.runtime.self_assessment_helpers import (
    EXAMPLE,
    OPTION_NS,
    olx,
    ratings_for,
    setup_with,
    submit,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "competency"


def kommune_setup() -> dict:
    framework = json.loads((DATA / "kommune-framework.json").read_text(encoding="utf-8"))
    return {
        "framework": framework,
        "roles": [{"id": "skranke", "title": {"en": "Front desk", "da": "Skranke 🙂"}}],
        "units": [{"id": "aeroe", "title": "Ærø ⛴️"}],
        "profiles": {"skranke": {"post.laese": "superbruger", "phishing": "selvhjulpen"}},
        "resources": [{"competence": "phishing", "kind": "guide", "levels": ["selvhjulpen"],
                       "title": {"da": "Phishing-guide 🎣", "en": "Phishing guide 🎣"},
                       "url": "https://example.org/phishing?a=1&b=æ"}],
        "peer_suggestion": {"da": "Spørg en kollega om »{competence}«"},
        "reassessment": {"mode": "after_days", "days": 14},
    }


@pytest.fixture
def block_usage(workbench):
    sid = workbench.scenario(olx())
    return sid, workbench.render(sid, student="staff").usage_id


def test_studio_saves_a_valid_own_setup(workbench, block_usage):
    sid, usage = block_usage
    result = workbench.call(usage, "submit_studio_edits",
                            {"values": {"setup": kommune_setup(), "graded": True, "weight": 2.5,
                                        "min_group_size": 8}}, student="staff")
    assert result.status == 200, result.body
    html = workbench.render(sid, student="learner", lang="da").html
    assert "Skranke 🙂" in html and "Ærø ⛴️" in html
    select = workbench.call(usage, "select", {"role": "skranke", "unit": "aeroe"},
                            student="learner", lang="da")
    assert "Genkende phishing 🎣" in select.data["form_html"]
    assert "Selvhjulpen" in select.data["form_html"]


def test_studio_explains_every_problem_and_saves_nothing(workbench, block_usage):
    _, usage = block_usage
    bad = json.loads((DATA / "invalid-block.json").read_text(encoding="utf-8"))
    before = workbench.snapshot()
    result = workbench.call(usage, "submit_studio_edits",
                            {"values": {"setup": bad, "min_group_size": 3, "weight": -1}},
                            student="staff")
    assert result.status == 400
    messages = result.data["messages"]
    assert len(messages) == 13
    joined = "\n".join(messages)
    for expected in ('Duplicate role id "borgerservice"', 'Unknown competence "9.9"',
                     'Level "expert" is not on the level scale', 'unknown role "ghost"',
                     'The fixed role "chef"', "at least 5 learners", "cannot be negative"):
        assert expected in joined
    assert workbench.snapshot() == before


def test_studio_messages_in_danish(workbench, block_usage):
    _, usage = block_usage
    bad = setup_with(profiles={**EXAMPLE["profiles"], "leder": {"1.1": "mester"}})
    result = workbench.call(usage, "submit_studio_edits", {"values": {"setup": bad}},
                            student="staff", lang="da")
    assert result.status == 400
    assert result.data["messages"] == [
        'Niveauet "mester" er ikke på niveauskalaen (basic, intermediate, advanced, '
        'highly_advanced). (/profiles/leder/1.1)']


def test_studio_schema_problems_are_listed_too(workbench, block_usage):
    _, usage = block_usage
    result = workbench.call(usage, "submit_studio_edits",
                            {"values": {"setup": {"roles": "x", "framework": {"ref": "nope"}}}},
                            student="staff")
    assert result.status == 400 and len(result.data["messages"]) >= 3


def test_profiles_csv_import_and_export_for_hr(workbench, block_usage):
    sid, usage = block_usage
    exported = workbench.call(usage, "export_data", {"kind": "profiles", "format": "csv",
                                                     "language": "da"}, student="staff")
    assert exported.status == 200
    text = exported.data["text"]
    assert text.startswith("\ufeffcompetence;area;title;borgerservice;sagsbehandler")
    assert "Avanceret" in text
    sheet = (DATA / "profiles-excel-da.csv").read_text(encoding="utf-8")
    imported = workbench.call(usage, "import_data", {"kind": "profiles", "format": "csv",
                                                     "text": sheet}, student="staff")
    assert imported.status == 200, imported.body
    setup = imported.data["setup"]
    assert [r["id"] for r in setup["roles"]][-1] == "leder"
    assert setup["profiles"]["borgerservice"] == {"1.1": "advanced", "4.2": "advanced",
                                                  "2.3": "advanced"}
    # Saved: the next learner sees the imported profile.
    form = workbench.call(usage, "select", {"role": "borgerservice", "unit": "jobcenter"},
                          student="ida").data["form_html"]
    assert form.count('<fieldset class="cx-sa-competence"') == 3
    # And the export gives the same spreadsheet back.
    again = workbench.call(usage, "export_data", {"kind": "profiles", "format": "csv",
                                                  "language": "da"}, student="staff")
    lines = again.data["text"].splitlines()
    assert lines[0].endswith(";borgerservice;sagsbehandler;administrativ;leder")


def test_studio_has_a_panel_for_spreadsheets_and_files(workbench, block_usage):
    sid, _ = block_usage
    page = workbench.render(sid, student="staff", view="studio_view", lang="da").html
    panel = page.split("data-cx-sa-studio", 1)[1].split("</section>", 1)[0]
    assert "CompetencySelfAssessmentStudio" in page
    assert 'type="file"' in panel and "Importér og gem" in panel and "Kontrollér filen" in panel
    for kind, fmt in (("profiles", "csv"), ("framework", "csv"), ("framework", "json"),
                      ("setup", "json")):
        assert f'data-cx-sa-export="{kind}" data-format="{fmt}"' in panel
    assert "Rolleprofiler (CSV-regneark)" in panel


def test_import_accepts_a_byte_order_mark_on_json(workbench, block_usage):
    _, usage = block_usage
    text = "\ufeff" + json.dumps(setup_with(reassessment={"mode": "never"}), ensure_ascii=False)
    result = workbench.call(usage, "import_data", {"kind": "setup", "format": "json",
                                                   "text": text}, student="staff")
    assert result.status == 200, result.body
    assert result.data["setup"]["reassessment"] == {"mode": "never"}


def test_bad_csv_import_is_explained_and_changes_nothing(workbench, block_usage):
    _, usage = block_usage
    before = workbench.snapshot()
    sheet = "competence;borgerservice\n1.1;ekspert\n9.9;basic\n"
    result = workbench.call(usage, "import_data", {"kind": "profiles", "format": "csv",
                                                   "text": sheet}, student="staff")
    assert result.status == 400 and "not saved" in result.data["error"]
    assert any("row 2, column borgerservice" in m for m in result.data["messages"])
    assert any('Unknown competence "9.9"' in m for m in result.data["messages"])
    # A role column with no level at all would leave the role without competences.
    partial = "competence;borgerservice;leder\n1.1;2;\n"
    result = workbench.call(usage, "import_data", {"kind": "profiles", "format": "csv",
                                                   "text": partial}, student="staff")
    assert result.status == 400
    assert any('Role "leder" expects no competence' in m for m in result.data["messages"])
    assert workbench.snapshot() == before


def test_framework_import_from_csv_and_json(workbench, block_usage):
    _, usage = block_usage
    setup = kommune_setup()
    assert workbench.call(usage, "submit_studio_edits", {"values": {"setup": setup}},
                          student="staff").status == 200
    csv_text = (DATA / "kommune-framework.csv").read_text(encoding="utf-8")
    result = workbench.call(usage, "import_data", {"kind": "framework", "format": "csv",
                                                   "text": csv_text, "save": False},
                            student="staff")
    assert result.status == 200 and result.data["saved"] is False
    assert result.data["setup"]["framework"]["id"] == "kommune-it"
    digcomp_only = workbench.call(usage, "export_data", {"kind": "framework", "format": "json"},
                                  student="staff")
    assert json.loads(digcomp_only.data["text"])["id"] == "kommune-it"
    # Switching this setup to DigComp is refused: its profiles name other competences.
    from competency_xblock.competency.framework import load_builtin
    refused = workbench.call(usage, "import_data", {
        "kind": "framework", "format": "json",
        "text": json.dumps(load_builtin().to_dict())}, student="staff")
    assert refused.status == 400
    assert any('Unknown competence "post.laese"' in m for m in refused.data["messages"])


def test_setup_export_and_import_round_trip(workbench, block_usage):
    _, usage = block_usage
    exported = workbench.call(usage, "export_data", {"kind": "setup", "format": "json"},
                              student="staff")
    document = json.loads(exported.data["text"])
    assert document == EXAMPLE
    result = workbench.call(usage, "import_data", {"kind": "setup", "format": "json",
                                                   "text": exported.data["text"]},
                            student="staff")
    assert result.status == 200
    bad = workbench.call(usage, "import_data", {"kind": "setup", "format": "json",
                                                "text": "{nope"}, student="staff")
    assert bad.status == 400 and "not valid JSON" in bad.data["error"]


def test_import_and_export_are_staff_only(workbench, block_usage):
    _, usage = block_usage
    assert workbench.call(usage, "import_data", {"kind": "setup", "format": "json",
                                                 "text": "{}"}, student="learner").status == 403
    assert workbench.call(usage, "export_data", {"kind": "setup", "format": "json"},
                          student="learner").status == 403


def test_olx_round_trip_keeps_everything_authored(_django):
    from tests.helpers.workbench import export_olx, parse_olx

    setup = kommune_setup()
    block = parse_olx(olx(setup, display_name="Selvvurdering – æøå & 🙂", graded="true",
                          weight="2.5", min_group_size="7"))
    assert block.setup == setup
    block.preferred_role = "skranke"
    block.history = [{"role": "skranke"}]
    block.draft = {"ratings": {"phishing": "begynder"}}
    exported = export_olx(block)
    assert "Skranke 🙂" in exported and "Ærø ⛴️" in exported and "æ" in exported
    for leaked in ("preferred_role", "assessment", "draft", "history"):
        assert f'{leaked}="' not in exported and f"option:{leaked}>" not in exported
    again = parse_olx(exported)
    assert again.setup == setup
    assert (again.display_name, again.graded, again.weight, again.min_group_size) == (
        "Selvvurdering – æøå & 🙂", True, 2.5, 7)
    assert export_olx(again) == exported


def test_olx_round_trip_is_exact_for_characters_xml_or_yaml_would_break(_django):
    """Text pasted from old Windows programs (DEL, C1 controls such as U+0085), U+FFFE and
    line separators: the export stays well-formed XML and reads back to the same setup."""
    from tests.helpers.workbench import export_olx, parse_olx

    setup = kommune_setup()
    setup["roles"][0]["title"] = {"en": "Front\x7f desk\x80\x85 \ufffe", "da": "Skranke\u2028🙂"}
    block = parse_olx(olx())
    block.setup = setup
    exported = export_olx(block)
    assert "Skranke\u2028🙂" in exported and "\\u0085" in exported and "\ufffe" not in exported
    again = parse_olx(exported)
    assert again.setup == setup
    assert export_olx(again) == exported


@pytest.mark.parametrize("body,message", [
    ("{oops", "not valid JSON"),
    ('["a list"]', "must hold a JSON object"),
    ('{"roles": NaN}', "NaN"),
])
def test_olx_with_broken_setup_json_is_refused_with_a_clear_message(_django, body, message):
    from competency_xblock.text import UserFacingError
    from tests.helpers.workbench import parse_olx

    text = (f"<competency_self_assessment {OPTION_NS}><option:setup>{body}</option:setup>"
            "</competency_self_assessment>")
    with pytest.raises(UserFacingError) as caught:
        parse_olx(text)
    assert "<option:setup>" in caught.value.render() and message in caught.value.render()


def test_default_block_exports_no_setup(_django):
    from tests.helpers.workbench import export_olx, parse_olx

    exported = export_olx(parse_olx(olx()))
    assert "option:setup" not in exported


def test_invalid_olx_content_is_shown_to_staff_and_blocks_learners(workbench):
    bad = json.loads((DATA / "invalid-block.json").read_text(encoding="utf-8"))
    sid = workbench.scenario(olx(bad))
    learner = workbench.render(sid, student="jo")
    assert "not set up correctly" in learner.html and "Duplicate role id" not in learner.html
    staff = workbench.render(sid, student="staff").html
    assert 'Duplicate role id &quot;borgerservice&quot;' in staff
    result = workbench.call(learner.usage_id, "submit",
                            {"role": "leder", "ratings": ratings_for("leder")}, student="jo")
    assert result.status == 400 and "not set up correctly" in result.data["error"]


def test_author_html_is_escaped(workbench):
    setup = setup_with(roles=[dict(r) for r in EXAMPLE["roles"]])
    setup["roles"][0]["title"] = {"en": "<script>alert(1)</script>", "da": "<b>x</b>"}
    sid = workbench.scenario(olx(setup))
    html = workbench.render(sid, student="kim").html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    usage = workbench.render(sid, student="kim").usage_id
    assert submit(workbench, usage, "kim").status == 200
