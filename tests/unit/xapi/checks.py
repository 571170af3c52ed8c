"""Every statement a test builds is checked three ways (issue 6, item 4).

:func:`recording_builders` wraps each statement builder of :mod:`competency_xblock.xapi.
statements` for the duration of one test, so whatever path built the statement (``emit`` with
either transport, the event-routing-backends transformer, a block's handler in the workbench,
a sample in a unit test) it is recorded; :func:`check_all` then runs the vendored xAPI JSON
Schema, Ralph's ``BaseXapiStatement`` and our strict rules on each one.  The conftest files of
``tests/unit/xapi`` and ``tests/lrs`` do both around every test.
"""
from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Iterator

from competency_xblock.xapi import statements as st
from competency_xblock.xapi import validation

PLACEHOLDER_ID = "00000000-0000-4000-8000-000000000000"


def shape(statement: dict) -> dict:
    """The statement with its per-learner/per-moment values replaced by fixed valid ones.

    The JSON Schema check (about 10 ms) runs once per shape; Ralph's model and our strict
    rules (which check ids, timestamps, actors and registrations too) run on every statement.
    """
    result = json.loads(json.dumps(statement))
    result["id"] = PLACEHOLDER_ID
    result["timestamp"] = "2026-01-01T00:00:00.000Z"
    if "account" in result.get("actor", {}):
        result["actor"]["account"]["name"] = "learner"
    if "registration" in result.get("context", {}):
        result["context"]["registration"] = PLACEHOLDER_ID
    return result


@functools.lru_cache(maxsize=4096)
def _schema_errors_of_shape(shaped: bytes) -> tuple[str, ...]:
    return tuple(validation.schema_errors(json.loads(shaped)))


def three_way_errors(statement: dict) -> dict[str, list[str]]:
    """The three checks by name; only non-empty lists are returned (Ralph is required)."""
    ralph = validation.ralph_errors(statement)
    errors = {
        "schema": list(_schema_errors_of_shape(st.canonical(shape(statement)))),
        "ralph": ["ralph-malph is not installed"] if ralph is None else ralph,
        "strict": validation.strict_errors(statement),
    }
    return {name: found for name, found in errors.items() if found}


@contextlib.contextmanager
def recording_builders() -> Iterator[list[dict]]:
    """Record (a deep copy of) every statement built while the block is active."""
    built: list[dict] = []
    originals = dict(st.BUILDERS)

    def wrap(builder):
        @functools.wraps(builder)
        def recorded(event, config, agent):
            statement = builder(event, config, agent)
            built.append(json.loads(json.dumps(statement)))
            return statement
        return recorded

    st.BUILDERS.update({kind: wrap(builder) for kind, builder in originals.items()})
    try:
        yield built
    finally:
        st.BUILDERS.clear()
        st.BUILDERS.update(originals)


def check_all(statements: list[dict]) -> None:
    """Assert that every statement passes all three checks (first failures shown)."""
    failures = []
    for statement in statements:
        errors = three_way_errors(statement)
        if errors:
            failures.append((statement.get("id"), errors))
    assert not failures, (f"{len(failures)} of {len(statements)} statements built in this "
                          f"test fail a check: {failures[:3]}")
