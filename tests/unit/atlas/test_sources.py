"""Named atlases from files and URLs: cached, re-fetched on change, last good kept."""
from __future__ import annotations

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from competency_xblock.atlas.sources import (
    AtlasRegistry,
    AtlasSource,
    SourceConfig,
    load_inline,
    parse_settings,
    registry_for,
)
from competency_xblock.text import UserFacingError


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def write(path, data, bump=0):
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    if bump:
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + bump))


def test_file_source_loads_caches_and_rereads_on_change(tmp_path, small_data):
    path = tmp_path / "atlas.json"
    write(path, small_data)
    clock = Clock()
    source = AtlasSource(SourceConfig("k", path=str(path)), clock=clock)
    first = source.get()
    assert first.atlas is not None and first.error is None
    assert source.get().atlas is first.atlas           # cached, no re-read
    small_data["services"][0]["title"] = "Boligstøtte (ny)"
    write(path, small_data, bump=10_000_000)
    clock.now += 5
    second = source.get()
    assert second.atlas is not first.atlas
    assert second.atlas.service("boligstoette").title == "Boligstøtte (ny)"


def test_broken_file_keeps_the_last_good_atlas(tmp_path, small_data):
    path = tmp_path / "atlas.json"
    write(path, small_data)
    clock = Clock()
    source = AtlasSource(SourceConfig("k", path=str(path)), clock=clock)
    good = source.get().atlas
    write(path, '{"id": "x", "units": [', bump=10_000_000)
    clock.now += 5
    state = source.get()
    assert state.atlas is good and state.stale
    assert "not valid JSON" in state.error.render()
    # invalid content (unknown unit) is also refused as a whole
    small_data["services"][0]["unit"] = "ghost"
    write(path, small_data, bump=20_000_000)
    clock.now += 5
    state = source.get()
    assert state.atlas is good
    assert "ghost" in state.error.render()
    # fixed again (same content as the good version): the error disappears
    small_data["services"][0]["unit"] = "ydelser"
    write(path, small_data, bump=30_000_000)
    clock.now += 5
    state = source.get()
    assert state.error is None and state.atlas is good


def test_missing_file_without_any_good_version(tmp_path):
    state = AtlasSource(SourceConfig("k", path=str(tmp_path / "none.json"))).get()
    assert state.atlas is None
    assert "cannot be read" in state.error.render()


class AtlasHandler(BaseHTTPRequestHandler):
    body = b""
    etag = '"v1"'
    status = 200
    requests: list = []

    def do_GET(self):  # noqa: N802 - http.server API
        type(self).requests.append(dict(self.headers))
        if self.status != 200:
            self.send_response(self.status)
            self.end_headers()
            return
        if self.headers.get("If-None-Match") == self.etag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("ETag", self.etag)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def server():
    handler = type("Handler", (AtlasHandler,), {"requests": []})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield handler, f"http://127.0.0.1:{httpd.server_address[1]}/atlas.json"
    httpd.shutdown()
    httpd.server_close()


def test_url_source_with_etag_and_broken_update(server, small_data):
    handler, url = server
    handler.body = json.dumps(small_data).encode()
    clock = Clock()
    source = AtlasSource(SourceConfig("k", url=url, refresh_seconds=60), clock=clock)
    good = source.get().atlas
    assert good is not None and len(handler.requests) == 1
    source.get()
    assert len(handler.requests) == 1                    # within refresh_seconds: cached
    clock.now += 61
    assert source.get().atlas is good                    # 304 Not Modified
    assert handler.requests[-1].get("If-None-Match") == '"v1"'
    # a broken update: the last good atlas stays, the error is exposed
    handler.body, handler.etag = b"<html>oops</html>", '"v2"'
    clock.now += 61
    state = source.get()
    assert state.atlas is good and "not valid JSON" in state.error.render()
    # the server fails
    handler.status = 500
    clock.now += 61
    state = source.get()
    assert state.atlas is good and "HTTP 500" in state.error.render()
    # a good update replaces it
    handler.status = 200
    small_data["services"][0]["title"] = "Boligstøtte v3"
    handler.body, handler.etag = json.dumps(small_data).encode(), '"v3"'
    clock.now += 61
    state = source.get()
    assert state.error is None
    assert state.atlas.service("boligstoette").title == "Boligstøtte v3"


def test_url_source_size_limit_and_unreachable(server, small_data):
    handler, url = server
    handler.body = json.dumps(small_data).encode()
    state = AtlasSource(SourceConfig("k", url=url, max_bytes=100)).get()
    assert state.atlas is None and "larger than 100 bytes" in state.error.render()
    state = AtlasSource(SourceConfig("k", url="http://127.0.0.1:9/x", timeout=1)).get()
    assert state.atlas is None and "could not be fetched" in state.error.render()


def test_settings_and_registry(tmp_path, small_data):
    path = tmp_path / "a.json"
    write(path, small_data)
    registry = AtlasRegistry({"atlases": {"lilleby": str(path),
                                          "remote": "https://example.invalid/a.json"}})
    assert registry.names() == ["eksempel-kommune", "lilleby", "remote"]
    assert registry.get("lilleby").atlas.id == "lilleby"
    assert "No atlas named" in registry.get("nope").error.render()
    demo = registry.get("eksempel-kommune")
    assert demo.atlas is not None and demo.atlas.id == "eksempel-kommune"
    assert registry_for({"atlases": {}}) is registry_for({"atlases": {}})


@pytest.mark.parametrize("settings", [
    {"atlases": []}, {"atlases": {"x": 3}}, {"atlases": {"x": {"url": "ftp://a"}}},
    {"atlases": {"x": {"url": "http://a", "path": "/b"}}}, {"atlases": {"x": {"builtin": "no"}}},
])
def test_bad_settings_are_explained(settings):
    with pytest.raises(UserFacingError):
        parse_settings(settings)


def test_inline_atlas_is_strict(small_data):
    assert load_inline(small_data).id == "lilleby"
    small_data["services"][0]["unit"] = "ghost"
    with pytest.raises(UserFacingError, match="ghost"):
        load_inline(small_data)
