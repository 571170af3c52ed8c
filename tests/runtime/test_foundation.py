"""The shared core through the real workbench: rendering, handler conventions, OLX, i18n."""
from __future__ import annotations

import re

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


def _heading(html: str) -> str:
    match = re.search(r"<h2[^>]*>(.*?)</h2>", html, re.S)
    assert match, "no heading"
    return match.group(1).strip()


@pytest.mark.parametrize("tag", ENTRY_POINTS)
def test_a_display_name_of_spaces_is_no_name(workbench, tag):
    """A name of spaces only gave an empty heading (cf. openedx-platform PR 4749): Studio
    resets it to the default name, trims others, and OLX spaces fall back to the default."""
    sid = workbench.scenario(f'<{tag} display_name="Før"/>')
    usage = workbench.render(sid).usage_id
    default = _heading(workbench.render(workbench.scenario(f"<{tag}/>")).html)
    assert default and _heading(workbench.render(sid).html) == "Før"
    ok = workbench.call(usage, "submit_studio_edits", {"values": {"display_name": " \t "}},
                        student="staff")
    assert ok.status == 200, ok.body
    assert _heading(workbench.render(sid).html) == default
    workbench.call(usage, "submit_studio_edits", {"values": {"display_name": "  Kontor  "}},
                   student="staff")
    assert _heading(workbench.render(sid).html) == "Kontor"
    spaces = workbench.render(workbench.scenario(f'<{tag} display_name="   "/>')).html
    assert _heading(spaces) == default


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


# ---- entry points, grading contract, demo settings -------------------------------------------
CLASSES = {
    "competency_self_assessment":
        "competency_xblock.self_assessment.CompetencySelfAssessmentXBlock",
    "data_security_quiz": "competency_xblock.quiz.DataSecurityQuizXBlock",
    "atlas_lookup": "competency_xblock.atlas_lookup.AtlasLookupXBlock",
}


@pytest.mark.parametrize("tag", ENTRY_POINTS)
def test_entry_point_loads_our_class_with_the_lms_grading_contract(_django, tag):
    from xblock.completable import CompletableXBlockMixin, XBlockCompletionMode
    from xblock.core import XBlock
    from xblock.fields import Float, Scope
    from xblock.scorable import ScorableXBlockMixin

    from tests.helpers.workbench import parse_olx

    cls = XBlock.load_class(tag)
    assert f"{cls.__module__}.{cls.__name__}" == CLASSES[tag]
    assert issubclass(cls, ScorableXBlockMixin) and cls.has_score is True
    assert issubclass(cls, CompletableXBlockMixin) and cls.has_custom_completion is True
    assert cls.completion_mode == XBlockCompletionMode.COMPLETABLE
    assert cls.icon_class == "problem"
    weight = cls.fields["weight"]
    assert isinstance(weight, Float) and weight.scope == Scope.settings and weight.default == 1.0
    # max_score() works on a block without any learner, as the LMS's grades collector calls
    # it; None = ungraded (the plain self-assessment and the atlas lookup box).
    ungraded, graded = MAX_SCORES[tag]
    assert parse_olx(f"<{tag}/>").max_score() == ungraded
    olx, points = graded
    assert parse_olx(olx).max_score() == points


MAX_SCORES = {
    "competency_self_assessment": (None, ('<competency_self_assessment graded="true"/>', 1)),
    "data_security_quiz": (10, ('<data_security_quiz questions_per_attempt="4"/>', 4)),
    "atlas_lookup": (None, ('<atlas_lookup mode="exercise"/>', 8)),
}


def test_demo_settings_handle_the_workbench_breakages(_django):
    """../shared/notes/xblock-runtime.md section 2, handled in demo/settings.py."""
    import importlib.metadata
    import logging
    import os

    from django.conf import settings

    # Tables of the workbench and of djpyfs exist (run-syncdb), in a var/ folder.
    from django.db import connection

    tables = set(connection.introspection.table_names())
    assert {"workbench_xblockstate", "djpyfs_fsexpirations"} <= tables
    var = os.environ["WORKBENCH_VAR"]
    assert os.path.isdir(var)
    assert settings.LOGGING["handlers"]["logfile"]["filename"].startswith(os.path.abspath(var))
    assert settings.DJFS["directory_root"].startswith(os.path.abspath(var))
    # XBlock[django] is installed (the sdk's own requirements drop the extra).
    for dist in ("openedx-django-pyfs", "lazy"):
        assert importlib.metadata.version(dist)
    # The runtime logger reaches the console, so grade and completion events are visible.
    runtime = settings.LOGGING["loggers"]["workbench.runtime"]
    assert "console" in runtime["handlers"] and runtime["level"] == "INFO"
    assert logging.getLogger("workbench.runtime").isEnabledFor(logging.INFO)
    # Every sample block of the sdk that brings scenarios is hidden, whatever sdk version is
    # installed (its containers, vertical_demo etc., bring none and wrap our scenarios).
    from xblock.core import XBlock

    sdk = [ep.name for ep in importlib.metadata.entry_points(group="xblock.v1")
           if ep.dist is not None and ep.dist.name.lower().replace("_", "-") == "xblock-sdk"]
    samples = {name for name in sdk
               if (getattr(XBlock.load_class(name), "workbench_scenarios", None) or list)()}
    assert len(samples) >= 5, f"too few xblock-sdk sample blocks with scenarios: {sdk}"
    shown = sorted(samples - set(settings.EXCLUDED_XBLOCKS))
    assert not shown, f"sdk sample blocks not hidden by demo/settings.py: {shown}"


def test_index_links_only_to_scenarios_of_our_blocks(workbench):
    import re

    html = workbench.client.get("/").content.decode()
    scenarios = [s for s in re.findall(r'href="/scenario/([^/"]+)/"', html)
                 if not s.startswith("test-scenario-")]  # added by other tests in this process
    assert scenarios, html[:500]
    assert {s.split(".")[0] for s in scenarios} == set(ENTRY_POINTS), scenarios


@pytest.mark.slow
def test_python_m_demo_serves_our_blocks_and_prints_grade_and_completion(tmp_path):
    """What ``make demo`` runs (``python -m demo ADDR:PORT``): tables created in a fresh
    ``var/``, only our scenarios, and a quiz submitted through the handler URLs with CSRF puts
    the grade and completion events on the console."""
    import http.cookiejar
    import json
    import os
    import re
    import socket
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    var = tmp_path / "var"
    env = {**os.environ, "WORKBENCH_VAR": str(var), "CX_DEMO_XAPI": "0",
           "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = open(tmp_path / "demo.log", "w+")
    demo = subprocess.Popen([sys.executable, "-m", "demo", f"127.0.0.1:{port}"], cwd=root,
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                index = opener.open(f"{base}/", timeout=60).read().decode()
                break
            except OSError:
                assert demo.poll() is None, (tmp_path / "demo.log").read_text()
                assert time.monotonic() < deadline, "the demo did not start"
                time.sleep(0.5)
        assert (var / "workbench.db").is_file()
        scenarios = set(re.findall(r'href="/scenario/([^/"]+)/"', index))
        assert {s.split(".")[0] for s in scenarios} == set(ENTRY_POINTS), scenarios
        page = opener.open(f"{base}/scenario/data_security_quiz.0/?student=demo-test",
                           timeout=60).read().decode()
        usage = re.search(r"data-usage='([^']+)'", page).group(1)
        token = next(c.value for c in jar if c.name == "csrftoken")

        def post(handler, payload):
            request = urllib.request.Request(
                f"{base}/handler/{usage}/{handler}/?student=demo-test",
                data=json.dumps(payload).encode(), method="POST",
                headers={"Content-Type": "application/json", "X-CSRFToken": token,
                         "Referer": f"{base}/"})
            return json.loads(opener.open(request, timeout=60).read())

        attempt = post("load", {})["attempt"]
        answers = {q["id"]: [q["choices"][0]["key"]] for q in attempt["questions"]}
        result = post("submit", {"attempt": attempt["attempt"], "answers": answers})["result"]
        deadline = time.monotonic() + 10
        while "XBlock event completion" not in (tmp_path / "demo.log").read_text() and \
                time.monotonic() < deadline:
            time.sleep(0.2)
        console = (tmp_path / "demo.log").read_text()
        assert f"XBlock event grade for data_security_quiz (usage_id={usage})" in console, console
        assert f"'value': {result['earned']}, 'max_value': {result['possible']}" in console
        assert "XBlock event completion for data_security_quiz" in console
        assert "{'completion': 1.0}" in console
    finally:
        demo.terminate()
        demo.wait(timeout=30)
        log.close()
