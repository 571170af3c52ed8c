"""The shared core through the real workbench: rendering, handler conventions, OLX, i18n."""
from __future__ import annotations

import pytest

ENTRY_POINTS = ("competency_self_assessment", "data_security_quiz", "atlas_lookup")


@pytest.mark.parametrize("tag", ENTRY_POINTS)
def test_index_lists_only_our_scenarios(workbench, tag):
    html = workbench.client.get("/").content.decode()
    assert f"/scenario/{tag}.0/" in html
    assert "helloworld_demo" not in html and "thumbs" not in html


@pytest.mark.parametrize("tag", ENTRY_POINTS)
def test_each_block_renders_from_the_package_with_its_assets(workbench, tag):
    page = workbench.render(f"{tag}.0")
    assert 'class="cx-block' in page.html
    assert "aria-live" in page.html
    css = workbench.client.get(f"/resource/{tag}/public/css/common.css")
    assert css.status_code == 200 and b".cx-block" in css.content
    # Templates are not URL-servable (only public/ is).
    assert workbench.client.get(f"/resource/{tag}/templates/quiz.html").status_code == 404


@pytest.mark.parametrize("tag", ENTRY_POINTS)
def test_studio_save_requires_staff_and_never_saves_invalid_payloads(workbench, tag):
    sid = workbench.scenario(f'<{tag} display_name="Før 🙂"/>')
    usage = workbench.render(sid).usage_id
    before = workbench.snapshot()
    learner = workbench.call(usage, "submit_studio_edits", {"values": {"display_name": "X"}})
    assert learner.status == 403
    assert "staff" in learner.data["error"]
    bad = workbench.call(usage, "submit_studio_edits", raw=b"{not json", student="staff")
    assert bad.status == 400 and "JSON" in bad.data["error"]
    wrong = workbench.call(usage, "submit_studio_edits", {"values": {"no_such_field": 1}},
                           student="staff")
    assert wrong.status == 400 and "no_such_field" in wrong.data["error"]
    missing = workbench.call(usage, "submit_studio_edits", {"defaults": []}, student="staff")
    assert missing.status == 400 and "values" in missing.data["error"]
    assert workbench.snapshot() == before
    ok = workbench.call(usage, "submit_studio_edits", {"values": {"display_name": "Æblegrød ✅"}},
                        student="staff")
    assert ok.status == 200, ok.body
    assert "Æblegrød ✅" in workbench.render(sid).html


@pytest.mark.parametrize("tag", ENTRY_POINTS)
def test_handlers_refuse_get_and_oversized_bodies(workbench, tag):
    usage = workbench.render(f"{tag}.0").usage_id
    assert workbench.call(usage, "submit_studio_edits", method="get", student="staff").status == 405
    huge = b'{"values": {"display_name": "' + b"x" * (5 * 1024 * 1024) + b'"}}'
    result = workbench.call(usage, "submit_studio_edits", raw=huge, student="staff")
    assert result.status == 400 and "too large" in result.data["error"]


def test_csrf_is_enforced_on_handlers(workbench):
    usage = workbench.render("data_security_quiz.0").usage_id
    response = workbench.client.post(workbench.handler_url(usage, "submit_studio_edits", "staff"),
                                     data="{}", content_type="application/json")
    assert response.status_code == 403


def test_danish_learner_gets_danish_errors(workbench):
    usage = workbench.render("data_security_quiz.0", lang="da").usage_id
    result = workbench.call(usage, "submit_studio_edits", raw=b"[", student="staff", lang="da")
    assert result.status == 400
    assert result.data["error"] == "Forespørgslen kunne ikke læses (den er ikke gyldig JSON)."


def test_danish_page_has_danish_heading_and_lang(workbench):
    sid = workbench.scenario("<data_security_quiz/>")
    page = workbench.render(sid, lang="da")
    assert 'lang="da"' in page.html
    assert "Quiz om datasikkerhed" in page.html


def _learner_fields(block):
    from xblock.fields import UserScope

    return {name: field for name, field in block.fields.items()
            if getattr(getattr(field, "scope", None), "user", None) == UserScope.ONE}


def _sample_value(field):
    from xblock.fields import Boolean, Dict, Float, Integer, List

    for kind, value in ((Boolean, True), (Integer, 7), (Float, 0.5), (Dict, {"leak": "x"}),
                        (List, ["leak"])):
        if isinstance(field, kind):
            return value
    return "leak"


@pytest.mark.parametrize("tag", ENTRY_POINTS)
def test_olx_round_trip_keeps_authored_text_and_drops_learner_state(_django, tag):
    from tests.helpers.workbench import export_olx, parse_olx

    block = parse_olx(f'<{tag} display_name="Sikkerhed på kontoret – æøå ÆØÅ 🔐 &amp; &lt;b&gt;"/>')
    assert block.display_name == "Sikkerhed på kontoret – æøå ÆØÅ 🔐 & <b>"
    for name, field in _learner_fields(block).items():
        setattr(block, name, _sample_value(field))
    exported = export_olx(block)
    again = parse_olx(exported)
    assert again.display_name == block.display_name
    for name in _learner_fields(block):
        assert f"{name}=" not in exported and f":{name}>" not in exported, name


def test_olx_import_cannot_preset_learner_state(_django):
    from xblock.core import XBlock
    from xblock.fields import Integer, Scope

    from competency_xblock.core.base import CompetencyBlockBase
    from competency_xblock.core.olx import AuthoredOlxMixin
    from tests.helpers.workbench import export_olx, parse_olx

    class Probe(AuthoredOlxMixin, CompetencyBlockBase):
        attempts = Integer(default=0, scope=Scope.user_state)
        limit = Integer(default=1, scope=Scope.settings)

    @XBlock.register_temp_plugin(Probe, "cx_probe")
    def run():
        block = parse_olx('<cx_probe limit="3" attempts="99"/>')
        assert block.limit == 3 and block.attempts == 0
        block.attempts = 5
        return export_olx(block)

    exported = run()
    assert 'limit="3"' in exported and "attempts" not in exported
