"""Named atlases from XBLOCK_SETTINGS through the real workbench, served by a real HTTP
server on 127.0.0.1: fetched with requests, validated, cached (conditional requests with
ETag or Last-Modified), replaced when it changes; a broken source never breaks the page:
staff see the error, learners a friendly message or the last good atlas.
"""
from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

ATLAS = {
    "id": "kommune", "title": "Kommune", "kle_version": "2025-05-01",
    "units": [{"id": "bs", "name": "Borgerservice",
               "contact": {"phone": "+45 99 99 00 00", "secure_mail": "Digital Post"}}],
    "services": [
        {"id": "koerekort", "title": "Kørekort", "kle": ["23.09.04"], "unit": "bs",
         "keywords": ["Fornyelse af kørekort"]},
        {"id": "pas", "title": "Pas", "kle": ["23.09.02"], "unit": "bs"},
    ],
}


class Handler(BaseHTTPRequestHandler):
    """Serves ``body``; answers 304 to a matching If-None-Match / If-Modified-Since."""

    body = b""
    etag: str | None = '"v1"'
    last_modified: str | None = None
    seen: list = []

    def do_GET(self):  # noqa: N802 - http.server API
        cls = type(self)
        cls.seen.append(dict(self.headers))
        not_modified = (cls.etag and self.headers.get("If-None-Match") == cls.etag) or (
            not cls.etag and cls.last_modified
            and self.headers.get("If-Modified-Since") == cls.last_modified)
        if not_modified:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if cls.etag:
            self.send_header("ETag", cls.etag)
        if cls.last_modified:
            self.send_header("Last-Modified", cls.last_modified)
        self.send_header("Content-Length", str(len(cls.body)))
        self.end_headers()
        self.wfile.write(cls.body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def server():
    handler = type("AtlasServer", (Handler,), {"seen": [], "body": json.dumps(ATLAS).encode()})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield handler, f"http://127.0.0.1:{httpd.server_address[1]}/ydelsesatlas.json"
    httpd.shutdown()
    httpd.server_close()


@contextmanager
def atlases(**sources):
    from django.test import override_settings

    settings = {"competency_xblock": {"workbench_staff_ids": ["staff"], "atlases": sources}}
    with override_settings(XBLOCK_SETTINGS=settings):
        yield


def staff_status(html: str) -> str:
    """The staff part of the page (the init arguments carry it only for staff)."""
    return html if '"staff_status"' in html else ""


def test_url_atlas_is_cached_revalidated_and_replaced(workbench, server):
    from competency_xblock.atlas.sources import registry_for

    handler, url = server
    source = {"url": url, "refresh_seconds": 0}       # revalidate on every request
    with atlases(kommune=source):
        sid = workbench.scenario('<atlas_lookup atlas_name="kommune"/>')
        page = workbench.render(sid, student="s1", lang="da")
        assert "not available" not in page.html
        res = workbench.call(page.usage_id, "search", {"query": "korekort"}, student="s1")
        assert res.status == 200 and res.data["hits"][0]["id"] == "koerekort"
        assert res.data["hits"][0]["unit"]["contact"]["secure_mail"] == "Digital Post"
        assert len(handler.seen) >= 1 and "If-None-Match" not in handler.seen[0]
        state = registry_for({"atlases": {"kommune": source},
                              "refresh_seconds": 300}).get("kommune")
        first = state.atlas
        # further requests revalidate with the ETag (304) and keep the same atlas object,
        # so the search index (keyed by the atlas content) is built once and reused
        workbench.call(page.usage_id, "search", {"query": "pas"}, student="s1")
        assert handler.seen[-1].get("If-None-Match") == '"v1"'
        from competency_xblock.atlas.index import get_index

        assert registry_for({"atlases": {"kommune": source},
                             "refresh_seconds": 300}).get("kommune").atlas is first
        assert get_index(first) is get_index(first)

        # the operator publishes a broken file: learners keep the last good atlas ...
        handler.body, handler.etag = b'{"id": "kommune", "units": [', '"v2"'
        res = workbench.call(page.usage_id, "search", {"query": "pas"}, student="s1")
        assert res.status == 200 and res.data["hits"][0]["id"] == "pas"
        learner = workbench.render(sid, student="s1", lang="en")
        assert "not valid JSON" not in learner.html and not staff_status(learner.html)
        # ... staff see that the update failed and why
        staff = workbench.render(sid, student="staff", lang="en")
        assert "not valid JSON" in staff.html and "last good version" in staff.html

        # valid JSON that breaks a rule (unknown unit): refused as a whole, named precisely
        broken = json.loads(json.dumps(ATLAS))
        broken["services"][1]["unit"] = "ghost"
        handler.body, handler.etag = json.dumps(broken).encode(), '"v3"'
        staff = workbench.render(sid, student="staff", lang="en")
        assert "ghost" in staff.html and "services/1" in staff.html
        res = workbench.call(page.usage_id, "search", {"query": "pas"}, student="s1")
        assert res.data["hits"][0]["unit"]["id"] == "bs"

        # a good new version replaces it
        fixed = json.loads(json.dumps(ATLAS))
        fixed["services"][1]["title"] = "Pas og ID-kort"
        handler.body, handler.etag = json.dumps(fixed).encode(), '"v4"'
        res = workbench.call(page.usage_id, "search", {"query": "pas"}, student="s1")
        assert res.data["hits"][0]["title"] == "Pas og ID-kort"
        staff = workbench.render(sid, student="staff", lang="en")
        assert "last good version" not in staff.html.split('"staff_status"', 1)[1]
        assert "Atlas: Kommune (2 services" in staff.html     # its title, not only its key


def test_last_modified_is_used_when_there_is_no_etag(workbench, server):
    handler, url = server
    handler.etag, handler.last_modified = None, "Wed, 01 Oct 2025 08:00:00 GMT"
    with atlases(lm={"url": url, "refresh_seconds": 0}):
        sid = workbench.scenario('<atlas_lookup atlas_name="lm"/>')
        page = workbench.render(sid, student="s1")
        workbench.call(page.usage_id, "search", {"query": "pas"}, student="s1")
        assert handler.seen[-1].get("If-Modified-Since") == handler.last_modified
        res = workbench.call(page.usage_id, "search", {"query": "kørekort"}, student="s1")
        assert res.data["hits"][0]["id"] == "koerekort"


def test_unreachable_source_without_a_good_version(workbench):
    import socket

    with socket.socket() as probe:          # a port on 127.0.0.1 with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with atlases(down={"url": f"http://127.0.0.1:{port}/atlas.json", "timeout": 2}):
        sid = workbench.scenario('<atlas_lookup atlas_name="down"/>')
        learner = workbench.render(sid, student="s1", lang="da")
        assert "Ydelsesatlasset er ikke tilgængeligt lige nu" in learner.html
        assert "could not be fetched" not in learner.html
        workbench.render(sid, student="staff", lang="en")
        before = workbench.snapshot()
        res = workbench.call(learner.usage_id, "search", {"query": "pas"}, student="s1",
                             lang="en")
        assert res.status == 400 and "not available right now" in res.data["error"]
        staff = workbench.render(sid, student="staff", lang="en")
        assert "could not be fetched" in staff.html
        assert workbench.snapshot() == before


def test_bad_operator_settings_do_not_break_the_page(workbench, tmp_path):
    path = tmp_path / "atlas.json"
    path.write_text(json.dumps(ATLAS), encoding="utf-8")
    with atlases(typo={"path": str(path), "refresh_seconds": "soon"}):
        sid = workbench.scenario('<atlas_lookup atlas_name="typo"/>')
        learner = workbench.render(sid, student="s1", lang="en")
        assert "not available right now" in learner.html
        staff = workbench.render(sid, student="staff", lang="en")
        assert "refresh_seconds" in staff.html


def test_staff_are_told_when_kle_numbers_could_not_be_checked(workbench, server):
    handler, url = server
    old = json.loads(json.dumps(ATLAS))
    old["kle_version"] = "2019-07-01"
    handler.body = json.dumps(old).encode()
    with atlases(gammel={"url": url}):
        sid = workbench.scenario('<atlas_lookup atlas_name="gammel"/>')
        staff = workbench.render(sid, student="staff", lang="en")
        assert "were not checked" in staff.html and "KLE 2019-07-01" in staff.html
        learner = workbench.render(sid, student="s1", lang="en")
        assert not staff_status(learner.html)
