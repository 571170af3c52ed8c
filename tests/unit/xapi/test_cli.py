"""``competency-xblock xapi`` commands that need no LRS (flush is tested against Ralph)."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from competency_xblock.cli import main
from competency_xblock.xapi.outbox import Outbox


@pytest.fixture
def outbox(tmp_path):
    box = Outbox(tmp_path / "o.sqlite3")
    for i in range(3):
        box.enqueue(f"id-{i}", json.dumps({"id": f"id-{i}"}).encode())
    box.mark_dead(box.pending(1)[0], 409, "HTTP 409: Differing statements already exist")
    return box


def run(*args):
    return CliRunner().invoke(main, ["xapi", *args], catch_exceptions=False)


def test_status(outbox):
    result = run("--outbox", outbox.path, "status")
    assert "Pending:         2" in result.output and "Dead letters:    1" in result.output
    data = json.loads(run("--outbox", outbox.path, "status", "--json").output)
    assert (data["pending"], data["dead"]) == (2, 1)


def test_settings_file(outbox, tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"competency_xblock": {"xapi_outbox_path": outbox.path}}))
    data = json.loads(run("--settings", str(path), "status", "--json").output)
    assert data["pending"] == 2


def test_dead_letters_are_listed_and_requeued(outbox):
    result = run("--outbox", outbox.path, "dead-letters", "--body")
    assert "id-0" in result.output and "409" in result.output and '{"id": "id-0"}' in result.output
    letters = json.loads(run("--outbox", outbox.path, "dead-letters", "--json").output)
    assert letters[0]["statement"] == {"id": "id-0"}
    assert "Re-queued 1" in run("--outbox", outbox.path, "requeue", "id-0").output
    assert "No dead letters" in run("--outbox", outbox.path, "dead-letters").output


def test_flush_needs_an_lrs(outbox):
    result = CliRunner().invoke(main, ["xapi", "--outbox", outbox.path, "flush"])
    assert result.exit_code == 2 and "xapi_lrs_endpoint" in result.output
