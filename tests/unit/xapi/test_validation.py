"""Each of the three checks catches what it is there for."""
from __future__ import annotations

import copy

import pytest

from competency_xblock.xapi import statements as st
from competency_xblock.xapi import validation
from competency_xblock.xapi.config import from_settings
from tests.unit.xapi import samples

CONFIG = from_settings(samples.settings())


def statement(factory=samples.quiz_answered):
    return copy.deepcopy(st.build(factory(), CONFIG).statement)


def test_schema_is_vendored_with_its_licence():
    from importlib import resources

    folder = resources.files("competency_xblock") / "schemas"
    assert (folder / validation.SCHEMA_FILE).is_file()
    assert "Apache License" in (folder / "LICENSE-xapi-tincan-Apache-2.0.txt").read_text()
    assert "Rustici" in (folder / "LICENSE-xapi-tincan-NOTICE.txt").read_text()


def test_schema_catches_what_it_should():
    s = statement()
    s["result"]["score"]["scaled"] = 1.5
    s["verb"]["id"] = "answered"
    s["unknown"] = 1
    text = " ".join(validation.schema_errors(s))
    assert "1.5" in text and "iri" in text and "unknown" in text


def test_schema_catches_likert_with_choices():
    s = statement(samples.self_rated)
    s["object"]["definition"]["choices"] = [{"id": "x", "description": {"en": "x"}}]
    assert validation.schema_errors(s)


def test_ralph_model_catches_raw_above_max():
    s = statement(samples.quiz_completed)
    s["result"]["score"]["raw"] = 11
    assert validation.ralph_errors(s)
    assert validation.schema_errors(s) == []  # the schema misses this one


def test_strict_rules_catch_what_the_others_miss():
    s = statement()
    s["timestamp"] = "2026-12-03T10:15:30.123"
    assert validation.ralph_errors(s) == []
    assert any("timezone" in e for e in validation.strict_errors(s))

    s = statement(samples.self_rated)
    s["object"]["definition"]["choices"] = [{"id": "x"}]
    assert any("likert must not have choices" in e for e in validation.strict_errors(s))

    s = statement(samples.quiz_completed)
    s["result"]["score"].update({"raw": 0, "min": 1})
    assert any("raw below min" in e for e in validation.strict_errors(s))


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda s: s.update(timestamp="2026-12-03T10:15:30.123-00:00"), "-00:00"),
    (lambda s: s.update(timestamp="2026-12-03T10:15:30Z"), "milliseconds"),
    (lambda s: s.update(timestamp="2099-12-03T10:15:30.123Z"), "future"),
    (lambda s: s.update(version="1.0.3"), "assigned by the LRS"),
    (lambda s: s["actor"].update(mbox="mailto:x@y.dk"), "exactly one identifier"),
    (lambda s: s["result"].update(response="a[,]z"), "not in the components"),
    (lambda s: s["result"].update(duration="PT4M"), "PT<seconds>S"),
    (lambda s: s["context"]["contextActivities"].update(parent={"id": "x"}), "array"),
    (lambda s: s["context"].update(extensions={"attempt": 1}), "not an IRI"),
    (lambda s: s["result"].update(success=None), "null"),
])
def test_strict_rules(mutate, message):
    s = statement()
    mutate(s)
    assert any(message in e for e in validation.strict_errors(s)), validation.strict_errors(s)


def test_likert_response_must_be_a_scale_id():
    s = statement(samples.self_rated)
    s["result"]["response"] = "expert"
    assert validation.strict_errors(s)
