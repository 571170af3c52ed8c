"""Three independent checks for a statement (every statement the tests produce runs all three).

1. :func:`schema_errors`: the vendored TinCanSchema JSON Schema for xAPI 1.0.1/1.0.3
   (``schemas/xapi-tincan-1.0.1.json`` with its regex formats; Apache-2.0, Rustici Software).
2. :func:`ralph_errors`: Ralph's pydantic ``BaseXapiStatement`` (test-only dependency
   ``ralph-malph``; returns None when it is not installed).
3. :func:`strict_errors`: our own rules the two miss: timezone present (UTC, milliseconds),
   component list fits the interaction type, responses drawn from the components,
   min <= raw <= max, no LRS-assigned fields, no nulls.
"""
from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from importlib import resources
from typing import Any

SCHEMA_FILE = "xapi-tincan-1.0.1.json"
FORMATS_FILE = "xapi-tincan-formats.json"
SCHEMA_URI = "urn:competency-xblock:xapi-tincan-1.0.1"

INTERACTION_COMPONENTS = {
    "true-false": set(), "fill-in": set(), "long-fill-in": set(), "numeric": set(),
    "other": set(), "choice": {"choices"}, "sequencing": {"choices"}, "likert": {"scale"},
    "matching": {"source", "target"}, "performance": {"steps"},
}
ALL_COMPONENTS = {"choices", "scale", "source", "target", "steps"}
OUR_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
DURATION = re.compile(r"^PT(\d+(\.\d{1,2})?)S$")
IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$")
LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*$")


def _read(name: str) -> Any:
    path = resources.files("competency_xblock") / "schemas" / name
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _schema_validator():
    from jsonschema import Draft4Validator, FormatChecker
    from referencing import Registry
    from referencing.jsonschema import DRAFT4

    joined = _read(SCHEMA_FILE)
    # The file is all definitions joined under "properties" with "#name" ids (the layout
    # TinCanSchema's README documents); point the root at the statement definition.
    root = {k: val for k, val in joined.items() if k not in ("type", "additionalProperties")}
    root["$ref"] = "#statement"
    checker = FormatChecker(formats=())
    for name, pattern in _read(FORMATS_FILE).items():
        checker.checks(name)(_format_check(re.compile(pattern)))
    # Crawl the definitions once (otherwise every validation re-crawls all of them).
    registry = Registry().with_resource(SCHEMA_URI, DRAFT4.create_resource(root)).crawl()
    return Draft4Validator({"$ref": SCHEMA_URI + "#statement"}, registry=registry,
                           format_checker=checker)


def _format_check(rx: re.Pattern):
    # Some of these expressions (IRIs, mailto) are large; statements repeat the same IRIs,
    # so remember each answer.
    @lru_cache(maxsize=4096)
    def matches(value: str) -> bool:
        return rx.search(value) is not None

    return lambda value: not isinstance(value, str) or matches(value)


def schema_errors(statement: dict) -> list[str]:
    """Violations of the vendored xAPI JSON Schema (empty list = valid)."""
    return [f"{'/'.join(map(str, e.absolute_path)) or '/'}: {e.message}"
            for e in _schema_validator().iter_errors(statement)]


def ralph_errors(statement: dict) -> list[str] | None:
    """Violations of Ralph's ``BaseXapiStatement``; None when ralph-malph is not installed."""
    try:
        from pydantic import ValidationError
        from ralph.models.xapi.base.statements import BaseXapiStatement
    except ImportError:
        return None
    try:
        BaseXapiStatement.model_validate(statement)
    except ValidationError as exc:
        return [f"{'/'.join(map(str, err['loc']))}: {err['msg']}" for err in exc.errors()]
    return []


def _nulls(value: Any, path: str, found: list[str]) -> None:
    if value is None:
        found.append(f"{path}: null is not allowed outside extensions")
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != "extensions":
                _nulls(item, f"{path}/{key}", found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _nulls(item, f"{path}/{index}", found)


def _interaction_errors(definition: dict, result: dict | None, where: str) -> list[str]:
    found: list[str] = []
    kind = definition.get("interactionType")
    present = ALL_COMPONENTS & definition.keys()
    if kind is None:
        if present or "correctResponsesPattern" in definition:
            found.append(f"{where}: interaction components without interactionType")
        return found
    if kind not in INTERACTION_COMPONENTS:
        return [f"{where}/interactionType: unknown type {kind!r}"]
    wrong = present - INTERACTION_COMPONENTS[kind]
    if wrong:
        found.append(f"{where}: {kind} must not have {', '.join(sorted(wrong))}")
    ids: set[str] = set()
    for name in present & INTERACTION_COMPONENTS[kind]:
        component_ids = [c.get("id") for c in definition[name]]
        if len(set(component_ids)) != len(component_ids):
            found.append(f"{where}/{name}: duplicate component ids")
        ids.update(i for i in component_ids if isinstance(i, str))
    patterns = definition.get("correctResponsesPattern")
    if kind == "likert" and patterns is not None:
        found.append(f"{where}: a likert self-rating has no correct response")
    response = (result or {}).get("response")
    if kind in ("choice", "likert") and ids:
        for pattern in [*(patterns or []), *([response] if response is not None else [])]:
            parts = pattern.split("[,]") if pattern else []
            if kind == "likert" and len(parts) > 1:
                found.append(f"{where}: a likert response is a single scale id")
            unknown = [p for p in parts if p not in ids]
            if unknown:
                found.append(f"{where}: response {pattern!r} uses ids not in the components")
    return found


def strict_errors(statement: dict, now: datetime | None = None) -> list[str]:
    """Our own rules (what neither the schema nor Ralph's model catches)."""
    found: list[str] = []
    _nulls(statement, "", found)
    for field in ("stored", "authority", "version"):
        if field in statement:
            found.append(f"/{field}: assigned by the LRS; a client leaves it out")
    try:
        uuid.UUID(str(statement.get("id")))
    except ValueError:
        found.append("/id: not a UUID")
    stamp = statement.get("timestamp")
    if not isinstance(stamp, str) or not RFC3339.match(stamp):
        found.append("/timestamp: missing, or no timezone (RFC 3339 with Z or an offset)")
    else:
        if stamp.endswith("-00:00"):
            found.append("/timestamp: -00:00 is not a valid offset")
        if not OUR_TIMESTAMP.match(stamp):
            found.append("/timestamp: ours are UTC with milliseconds (…T10:15:30.123Z)")
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        if moment > (now or datetime.now(UTC)) + timedelta(minutes=5):
            found.append("/timestamp: in the future")
    actor = statement.get("actor") or {}
    ifis = [k for k in ("mbox", "mbox_sha1sum", "openid", "account") if k in actor]
    if len(ifis) != 1:
        found.append(f"/actor: exactly one identifier needed, found {ifis}")
    obj = statement.get("object") or {}
    result = statement.get("result")
    if obj.get("objectType", "Activity") == "Activity":
        found += _interaction_errors(obj.get("definition") or {}, result, "/object/definition")
    score = (result or {}).get("score")
    if score:
        raw, low, high = score.get("raw"), score.get("min"), score.get("max")
        if raw is not None and low is not None and raw < low:
            found.append("/result/score: raw below min")
        if raw is not None and high is not None and raw > high:
            found.append("/result/score: raw above max")
        if low is not None and high is not None and low > high:
            found.append("/result/score: min above max")
        scaled = score.get("scaled")
        if scaled is not None and not -1 <= scaled <= 1:
            found.append("/result/score: scaled outside [-1, 1]")
    if result and "duration" in result and not DURATION.match(str(result["duration"])):
        found.append("/result/duration: ours are PT<seconds>S at 0.01 s precision")
    ctx = statement.get("context") or {}
    for key, value in (ctx.get("contextActivities") or {}).items():
        if key not in ("parent", "grouping", "category", "other"):
            found.append(f"/context/contextActivities/{key}: unknown key")
        elif not isinstance(value, list):
            found.append(f"/context/contextActivities/{key}: always send an array")
    if "language" in ctx and not LANGUAGE_TAG.match(str(ctx["language"])):
        found.append("/context/language: not an RFC 5646 tag")
    for where, holder in (("/result", result or {}), ("/context", ctx)):
        for key in (holder.get("extensions") or {}):
            if not IRI.match(key):
                found.append(f"{where}/extensions: key {key!r} is not an IRI")
    return found


def all_errors(statement: dict, require_ralph: bool = True) -> dict[str, list[str]]:
    """The three checks by name; only non-empty lists are returned."""
    ralph = ralph_errors(statement)
    if ralph is None and require_ralph:
        ralph = ["ralph-malph is not installed (needed for the model check)"]
    checks = {"schema": schema_errors(statement), "ralph": ralph or [],
              "strict": strict_errors(statement)}
    return {name: errs for name, errs in checks.items() if errs}
