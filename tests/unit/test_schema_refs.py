"""Inlining local ``$ref``s (a speed-up of every handler's payload check) changes no verdict:
the inlined and the original schema report the same violations, at the same places, for the
shipped documents and for many random corruptions of them."""
from __future__ import annotations

import copy
import json
import random
from importlib import resources

import pytest
from jsonschema import Draft202012Validator

from competency_xblock.core import schemas

DATA = resources.files("competency_xblock") / "data"
DOCUMENTS = [
    ("atlas", "atlas/eksempel-kommune.json"),
    ("atlas-exercise", "atlas/eksempel-kommune-scenarios.json"),
    ("competency-framework", "competency/digcomp3.json"),
    ("quiz-bank", "quiz/default-bank.json"),
]
PAYLOADS = [
    ("competency-submit", {"role": "borgerservice", "unit": None,
                           "ratings": {"1.1": "basic", "2.1": "dont_know"}}),
    ("competency-select", {"role": "borgerservice", "unit": "jobcenter"}),
    ("quiz-submit", {"attempt": 1, "answers": {"q1": ["a"], "q2": []}}),
    ("atlas-search", {"query": "flytning", "page": 1}),
]
ODD_VALUES = [None, True, 0, -1, 1.5, "", "x" * 300, "bad id!", [], {}, ["a"], {"k": "v"}]


def verdict(validator, instance):
    """Where, which keyword and what a person is told (schemas.describe)."""
    return sorted((tuple(map(str, e.absolute_path)), e.validator,
                   schemas.describe(e).render(lambda text: text))
                  for e in validator.iter_errors(instance))


def corrupt(document, rng: random.Random):
    """The document with one random place removed, retyped or replaced."""
    doc = copy.deepcopy(document)
    node, path = doc, []
    while isinstance(node, dict | list) and node and rng.random() < 0.8:
        key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
        if not isinstance(node[key], dict | list) or not node[key]:
            break
        path.append(key)
        node = node[key]
    if isinstance(node, dict) and node:
        key = rng.choice(list(node))
        if rng.random() < 0.3:
            del node[key]
        else:
            node[key] = rng.choice(ODD_VALUES)
        if rng.random() < 0.2:
            node["unexpected_field"] = 1
    elif isinstance(node, list) and node:
        node[rng.randrange(len(node))] = rng.choice(ODD_VALUES)
    return doc


def cases():
    for name, path in DOCUMENTS:
        yield name, json.loads((DATA / path).read_text(encoding="utf-8"))
    yield from PAYLOADS


@pytest.mark.parametrize(("name", "document"), list(cases()), ids=lambda v: str(v)[:30])
def test_inlined_schema_reports_what_the_original_reports(name, document):
    original = Draft202012Validator(schemas.load_schema(name))
    inlined = schemas.validator(name)
    assert verdict(inlined, document) == verdict(original, document)
    rng = random.Random(name)
    differing = 0
    size = len(json.dumps(document))
    for _ in range(12 if size > 200_000 else 40 if size > 10_000 else 150):
        bad = corrupt(document, rng)
        found = verdict(original, bad)
        assert verdict(inlined, bad) == found
        differing += bool(found)
    assert differing > 3   # the corruptions do break the schema


def test_references_are_inlined_and_a_cycle_is_left_as_it_is():
    assert "$ref" not in json.dumps(schemas.inline_local_refs(
        schemas.load_schema("competency-submit"))["properties"])
    schema = {"$defs": {"node": {"type": "object",
                                 "properties": {"next": {"$ref": "#/$defs/node"}}}},
              "type": "object", "properties": {"next": {"$ref": "#/$defs/node"}}}
    inlined = schemas.inline_local_refs(schema)
    assert inlined["properties"]["next"]["properties"]["next"] == {"$ref": "#/$defs/node"}
    deep = {"next": {"next": {"next": 5}}}
    assert verdict(Draft202012Validator(inlined), deep) == \
        verdict(Draft202012Validator(schema), deep) != []
