"""``emit``: exactly one transport, never an exception for the learner's request."""
from __future__ import annotations

import json
import logging

import pytest

from competency_xblock import xapi
from competency_xblock.xapi.outbox import Outbox
from tests.unit.xapi import samples


def test_off_by_default_emits_nothing(tmp_path):
    outbox = tmp_path / "o.sqlite3"
    published = []
    assert xapi.emit({}, samples.quiz_answered(), publish=lambda *a: published.append(a)) is None
    assert xapi.emit({"xapi_transport": "off", "xapi_outbox_path": str(outbox)},
                     samples.quiz_answered()) is None
    assert published == [] and not outbox.exists()


def test_openedx_publishes_the_event_as_plain_data():
    published = []
    settings = {"xapi_transport": "openedx"}
    built = xapi.emit(settings, samples.quiz_answered(),
                      publish=lambda name, data: published.append((name, data)))
    ((name, data),) = published
    assert name == "competency_xblock.xapi.quiz_answered"
    assert data["statement_id"] == built.statement_id
    assert data["usage_key"] == samples.USAGE_QUIZ and data["question_id"] == "q7"
    json.dumps(data)  # plain JSON for the tracking log and Celery


def test_direct_stores_the_built_bytes(tmp_path):
    settings = samples.settings(xapi_outbox_path=str(tmp_path / "o.sqlite3"))
    built = xapi.emit(settings, samples.atlas_searched())
    (row,) = Outbox(tmp_path / "o.sqlite3").pending(5)
    assert (row.statement_id, row.body) == (built.statement_id, built.body)


def test_direct_emits_each_event_once(tmp_path):
    settings = samples.settings(xapi_outbox_path=str(tmp_path / "o.sqlite3"))
    event = samples.atlas_answered()
    xapi.emit(settings, event)
    xapi.emit(settings, event)
    assert Outbox(tmp_path / "o.sqlite3").pending_count() == 1


class Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def caplog():
    """Our own capture (the suite runs with ``-p no:logging``)."""
    handler = Records()
    logger = logging.getLogger("competency_xblock.xapi")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def test_bad_settings_are_logged_once_and_nothing_raises(caplog):
    settings = {"xapi_transport": "direct", "xapi_outbox_path": "/nonexistent/x.sqlite3"}
    assert xapi.emit(settings, samples.quiz_completed()) is None
    assert xapi.emit(settings, samples.quiz_completed()) is None
    assert len([r for r in caplog.records if "cannot work" in r.getMessage()]) <= 1


def test_storage_failure_is_logged_with_the_statement(tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    settings = samples.settings(xapi_outbox_path=str(blocker / "o.sqlite3"))
    assert xapi.emit(settings, samples.quiz_completed()) is None
    assert any("6" in r.getMessage() and '"raw"' in r.getMessage() for r in caplog.records)


def test_publish_failure_never_reaches_the_learner():
    def broken(name, data):
        raise RuntimeError("tracker down")

    assert xapi.emit({"xapi_transport": "openedx"}, samples.self_rated(), publish=broken) is None


@pytest.mark.parametrize("key,value", [("xapi_transport", "kafka"), ("xapi_actor", "cpr")])
def test_invalid_choices_are_problems(key, value):
    assert xapi.from_settings(samples.settings(**{key: value})).problems()


def test_background_thread_sender_is_started_and_stopped(tmp_path):
    settings = samples.settings(xapi_outbox_path=str(tmp_path / "o.sqlite3"),
                                xapi_sender="thread")
    try:
        assert xapi.emit(settings, samples.quiz_completed()) is not None
        assert any(t.name == "competency-xapi-sender" for t in __import__("threading").enumerate())
    finally:
        xapi.shutdown()
