"""Statements of every kind reach a real Ralph LRS, byte-identical, once; refusals are kept."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid

from competency_xblock import xapi
from competency_xblock.xapi.config import from_settings
from competency_xblock.xapi.outbox import Outbox
from competency_xblock.xapi.sender import LrsClient, Sender
from competency_xblock.xapi.statements import build
from tests.lrs.conftest import direct_settings
from tests.lrs.helpers import assert_exactly_once, stored_bodies, wait_for
from tests.unit.xapi import samples


def unique_learner(**kw):
    return samples.learner(uuid.uuid4().hex, **kw)


def drain(settings) -> object:
    config = from_settings(settings)
    sender = Sender.from_config(Outbox(config.outbox_path), config)
    try:
        return sender.drain(deadline=time.monotonic() + 60)
    finally:
        sender.client.close()


def test_every_kind_lands_byte_identical_and_valid(ralph, tmp_path):
    settings = direct_settings(ralph, tmp_path / "o.sqlite3")
    who = unique_learner()
    events = [*samples.all_kinds(who),
              samples.self_rated(who, competence_id="2.1", self_level=None, gap=None),
              samples.quiz_completed(who, attempt_id="att-3", attempt=3, success=True, raw=9),
              samples.quiz_answered(who, question_id="q8", response_ids=("c",), success=False,
                                    credit=0)]
    built = [xapi.emit(settings, e) for e in events]
    report = drain(settings)
    assert (report.sent, report.dead) == (len(events), 0)
    assert_exactly_once(ralph, built)


def test_evaluated_verb_for_aspects_lands_too(ralph, tmp_path):
    settings = direct_settings(ralph, tmp_path / "o.sqlite3", xapi_answer_verb="evaluated")
    built = [xapi.emit(settings, e) for e in samples.all_kinds(unique_learner())]
    drain(settings)
    assert_exactly_once(ralph, built)


def test_resending_the_same_bytes_changes_nothing(ralph, tmp_path):
    settings = direct_settings(ralph, tmp_path / "o.sqlite3")
    built = [xapi.emit(settings, e) for e in samples.all_kinds(unique_learner())]
    drain(settings)
    client = LrsClient.from_config(from_settings(settings))
    assert client.post([b.body for b in built]).status == 204
    assert_exactly_once(ralph, built)


def test_conflicting_statement_becomes_a_listed_dead_letter(ralph, tmp_path):
    settings = direct_settings(ralph, tmp_path / "o.sqlite3")
    who = unique_learner()
    good = [xapi.emit(settings, e) for e in samples.all_kinds(who)]
    drain(settings)
    # The same event id arriving with different content (e.g. a rebuilt score): 409.
    config = from_settings(settings)
    changed = build(samples.quiz_completed(who, raw=7), config)
    assert changed.statement_id == good[2].statement_id and changed.body != good[2].body
    box = Outbox(config.outbox_path)
    box.enqueue(changed.statement_id, changed.body)
    fresh = [xapi.emit(settings, e) for e in samples.all_kinds(unique_learner())]
    report = drain(settings)
    assert (report.sent, report.dead) == (5, 1)
    (dead,) = box.dead_letters()
    assert dead.status == 409 and dead.statement_id == changed.statement_id
    assert_exactly_once(ralph, good + fresh)
    env = {**os.environ, "COMPETENCY_XAPI_OUTBOX": config.outbox_path}
    listed = subprocess.run([sys.executable, "-m", "competency_xblock.cli", "xapi",
                             "dead-letters"], env=env, capture_output=True, text=True, check=True)
    assert changed.statement_id in listed.stdout and "409" in listed.stdout


def test_statement_ralph_rejects_is_isolated_by_bisection(ralph, tmp_path):
    settings = direct_settings(ralph, tmp_path / "o.sqlite3")
    built = [xapi.emit(settings, e) for e in samples.many(9, prefix=uuid.uuid4().hex)]
    box = Outbox(settings["xapi_outbox_path"])
    bad_id = str(uuid.uuid4())
    bad = {"id": bad_id, "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
           "object": {"id": "https://lms.example.org/x"}}  # no actor: Ralph answers 422
    box.enqueue(bad_id, json.dumps(bad).encode())
    report = drain(settings)
    assert (report.sent, report.dead) == (9, 1)
    assert box.dead_letters()[0].status in (400, 422)
    assert_exactly_once(ralph, built)
    assert bad_id not in stored_bodies(ralph)


def test_cli_flush_shows_progress_and_delivers(ralph, tmp_path):
    settings = direct_settings(ralph, tmp_path / "o.sqlite3")
    built = [xapi.emit(settings, e) for e in samples.many(120, prefix=uuid.uuid4().hex)]
    env = {**os.environ, "COMPETENCY_XAPI_OUTBOX": settings["xapi_outbox_path"],
           "COMPETENCY_XAPI_LRS_ENDPOINT": ralph.endpoint,
           "COMPETENCY_XAPI_LRS_USERNAME": ralph.username,
           "COMPETENCY_XAPI_LRS_PASSWORD": ralph.password}
    result = subprocess.run([sys.executable, "-m", "competency_xblock.cli", "xapi", "flush",
                             "--batch-size", "25"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Sending xAPI statements" in result.stdout and "Sent 120" in result.stdout
    status = subprocess.run([sys.executable, "-m", "competency_xblock.cli", "xapi", "status",
                             "--json"], env=env, capture_output=True, text=True, check=True)
    assert json.loads(status.stdout)["pending"] == 0
    assert_exactly_once(ralph, built)


def test_background_thread_delivers_without_anyone_waiting(ralph, tmp_path):
    settings = direct_settings(ralph, tmp_path / "o.sqlite3", xapi_sender="thread")
    box = Outbox(settings["xapi_outbox_path"])
    try:
        built = [xapi.emit(settings, e) for e in samples.many(60, prefix=uuid.uuid4().hex)]
        assert wait_for(lambda: box.pending_count() == 0, timeout=30)
    finally:
        xapi.shutdown()
    assert_exactly_once(ralph, built)
