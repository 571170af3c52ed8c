"""scripts/ralph_lrs.py helpers that need no running LRS."""
from __future__ import annotations

import json

import pytest

from scripts import ralph_lrs


def test_settings_for_a_directory_without_ralph_are_empty(tmp_path):
    assert ralph_lrs.xapi_settings_for(tmp_path, "http://127.0.0.1:8000", tmp_path / "o") == {}


def test_settings_point_the_direct_transport_at_the_local_ralph(tmp_path):
    user, password = ralph_lrs.credentials(tmp_path)
    assert ralph_lrs.credentials(tmp_path) == (user, password)  # made once, then kept
    assert (tmp_path / ralph_lrs.CREDENTIALS_FILE).stat().st_mode & 0o077 == 0
    (tmp_path / ralph_lrs.PORT_FILE).write_text("8123")
    settings = ralph_lrs.xapi_settings_for(tmp_path, "http://127.0.0.1:8000", tmp_path / "o")
    assert settings["xapi_transport"] == "direct"
    assert settings["xapi_lrs_endpoint"] == "http://127.0.0.1:8123/xAPI/"
    assert (settings["xapi_lrs_username"], settings["xapi_lrs_password"]) == (user, password)


def test_only_loopback(tmp_path):
    with pytest.raises(ValueError):
        ralph_lrs.RalphServer(tmp_path, host="0.0.0.0")  # noqa: S104


def test_brief_line():
    line = ralph_lrs.brief({"timestamp": "2026-12-03T10:15:30.123Z",
                            "verb": {"id": "http://adlnet.gov/expapi/verbs/passed"},
                            "object": {"id": "https://lms/xblock/q"},
                            "result": {"success": True, "duration": "PT3S"}})
    assert line.startswith("2026-12-03T10:15:30.123Z  passed")
    assert json.dumps({"success": True}) in line
