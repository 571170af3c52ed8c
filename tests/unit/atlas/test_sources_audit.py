"""Operator settings and start-up failures of named atlases (real HTTP on 127.0.0.1)."""
from __future__ import annotations

import json

import pytest

from competency_xblock.atlas.sources import (
    RETRY_SECONDS,
    AtlasSource,
    SourceConfig,
    parse_settings,
)
from competency_xblock.text import UserFacingError

from .test_sources import Clock, server  # noqa: F401 - the fixture


@pytest.mark.parametrize("settings, key", [
    ({"atlases": {"x": {"path": "/a", "refresh_seconds": "soon"}}}, "refresh_seconds"),
    ({"refresh_seconds": None}, "refresh_seconds"),
    ({"refresh_seconds": -1}, "refresh_seconds"),
    ({"atlases": {"x": {"url": "http://127.0.0.1/a", "timeout": "x"}}}, "timeout"),
    ({"atlases": {"x": {"url": "http://127.0.0.1/a", "timeout": 0}}}, "timeout"),
    ({"atlases": {"x": {"path": "/a", "max_bytes": "1e3"}}}, "max_bytes"),
    ({"atlases": {"x": {"path": "/a", "max_bytes": 1.5}}}, "max_bytes"),
    ({"atlases": {"x": {"path": "/a", "refresh_seconds": True}}}, "refresh_seconds"),
])
def test_bad_numbers_in_settings_are_named(settings, key):
    with pytest.raises(UserFacingError) as info:
        parse_settings(settings)
    assert f'"{key}"' in info.value.render()


def test_good_numbers_are_kept():
    configs = parse_settings({"refresh_seconds": 60,
                              "atlases": {"x": {"path": "/a", "timeout": 2.5,
                                                "max_bytes": 1000}}})
    assert configs["x"].refresh_seconds == 60 and configs["x"].timeout == 2.5
    assert configs["x"].max_bytes == 1000


def test_a_source_that_failed_at_start_is_retried_soon(server, small_data):  # noqa: F811
    handler, url = server
    handler.body = json.dumps(small_data).encode()
    handler.status = 503
    clock = Clock()
    source = AtlasSource(SourceConfig("k", url=url, refresh_seconds=3600), clock=clock)
    state = source.get()
    assert state.atlas is None and "HTTP 503" in state.error.render()
    handler.status = 200
    clock.now += RETRY_SECONDS - 1
    assert source.get().atlas is None and len(handler.requests) == 1   # not hammered
    clock.now += 2
    state = source.get()
    assert state.atlas is not None and state.error is None
    assert len(handler.requests) == 2
    # once loaded, the operator's interval applies again
    clock.now += RETRY_SECONDS + 1
    source.get()
    assert len(handler.requests) == 2
