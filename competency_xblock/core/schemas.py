"""JSON Schemas under ``schemas/`` are the one source of truth for authored content and
handler payloads.  This module loads them from the installed package (never the source tree)
and turns jsonschema's errors into messages a person can act on.

Pure: imports neither XBlock nor Django, so domain code, the CLI and the importers use it too.
"""
from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from competency_xblock.text import N_, UserFacingError

SCHEMA_SUFFIX = ".schema.json"
#: Deepest nesting accepted in JSON from people or browsers (our documents need about 8 levels;
#: far deeper data would exhaust the recursion of validators and error messages).
MAX_JSON_DEPTH = 100


@cache
def load_schema(name: str) -> dict:
    """Load ``schemas/<name>.schema.json`` from the installed package."""
    path = resources.files("competency_xblock") / "schemas" / f"{name}{SCHEMA_SUFFIX}"
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def validator(name: str) -> Draft202012Validator:
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(inline_local_refs(schema))


def inline_local_refs(schema: dict) -> dict:
    """The schema with each ``{"$ref": "#/..."}`` replaced by a copy of what it points to.

    Why: jsonschema resolves a reference on every use, which was half the time of validating
    a handler payload.  Same meaning; a reference that is part of a cycle, or that has
    sibling keywords, is left as it is.
    """
    def resolve(pointer: str):
        target = schema
        for part in pointer[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                return None
            target = target[part]
        return target

    def walk(node, active: frozenset):
        if isinstance(node, list):
            return [walk(item, active) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/") and len(node) == 1 \
                and ref not in active:
            target = resolve(ref)
            if isinstance(target, dict | bool):
                return walk(target, active | {ref})
        return {key: walk(value, active) for key, value in node.items()}

    return walk(schema, frozenset())


def _pointer(error: ValidationError) -> str:
    parts = [str(p) for p in error.absolute_path]
    return "/" + "/".join(parts) if parts else "/"


def describe(error: ValidationError) -> UserFacingError:
    """One readable message for one schema violation, with where it happened."""
    where = _pointer(error)
    validator_name = error.validator
    if validator_name == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return UserFacingError(N_("The field \"{field}\" is missing."), path=where, field=missing)
    if validator_name == "additionalProperties":
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extra = sorted(str(k) for k in error.instance if k not in known) \
            if isinstance(error.instance, dict) else []
        return UserFacingError(N_("Unexpected field: {fields}."), path=where,
                               fields=", ".join(f'"{k[:40]}"' for k in extra[:5]) or "?")
    if validator_name in ("maxLength", "maxItems", "maxProperties"):
        return UserFacingError(N_("The value is too long (at most {limit})."), path=where,
                               limit=error.validator_value)
    if validator_name in ("minLength", "minItems"):
        return UserFacingError(N_("The value is too short or empty (at least {limit})."),
                               path=where, limit=error.validator_value)
    if validator_name == "type":
        expected = error.validator_value
        if isinstance(expected, list):   # ["string", "null"]: name the useful one
            expected = next((t for t in expected if t != "null"), "null")
        return UserFacingError(_TYPE_MESSAGES.get(expected, _TYPE_MESSAGES["other"]), path=where)
    if validator_name == "enum":
        return UserFacingError(N_("The value is not one of the allowed values: {allowed}."),
                               path=where, allowed=", ".join(map(str, error.validator_value)))
    if validator_name in _RANGE_MESSAGES:
        return UserFacingError(_RANGE_MESSAGES[validator_name], path=where,
                               limit=error.validator_value)
    if validator_name == "const":
        return UserFacingError(N_("The value is not valid (expected {value})."), path=where,
                               value=json.dumps(error.validator_value)[:60])
    if validator_name == "pattern":
        return UserFacingError(N_("The value has the wrong format."), path=where)
    # (jsonschema's own text is English and names Python types: not shown)
    return UserFacingError(N_("The value is not valid."), path=where)


#: The JSON type a value should have had, in words a person knows (and a translator can
#: translate whole).
_TYPE_MESSAGES = {
    "string": N_("The value has the wrong type (expected text)."),
    "object": N_("The value has the wrong type (expected an object {{...}})."),
    "array": N_("The value has the wrong type (expected a list [...])."),
    "integer": N_("The value has the wrong type (expected a whole number)."),
    "number": N_("The value has the wrong type (expected a number)."),
    "boolean": N_("The value has the wrong type (expected true or false)."),
    "null": N_("The value has the wrong type (expected null)."),
    "other": N_("The value has the wrong type."),
}
_RANGE_MESSAGES = {
    "minimum": N_("The number is out of range (at least {limit})."),
    "maximum": N_("The number is out of range (at most {limit})."),
    "exclusiveMinimum": N_("The number is out of range (more than {limit})."),
    "exclusiveMaximum": N_("The number is out of range (less than {limit})."),
}


def errors(name: str, data: Any, limit: int = 20) -> list[UserFacingError]:
    """All violations of schema ``name`` by ``data`` (at most ``limit``), in document order."""
    found = sorted(validator(name).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    return [describe(e) for e in found[:limit]]


def validate(name: str, data: Any) -> None:
    """Raise the first violation as a :class:`UserFacingError`."""
    problems = errors(name, data, limit=1)
    if problems:
        raise problems[0]


def _reject_constant(name: str):
    raise UserFacingError(N_("The JSON contains {name}, which is not a number JSON allows."),
                          name=name)


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):  # "1e999" overflows to infinity
        raise UserFacingError(N_("The JSON contains {name}, which is not a number JSON allows."),
                              name=text[:40])
    return value


def _depth_problem(data: Any) -> bool:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return False


def loads(text: str) -> Any:
    """Parse JSON text that a person or a browser sent (an import, a request body).

    Unlike ``json.loads`` it refuses what Python accepts but JSON and our storage do not:
    ``NaN``/``Infinity`` (also ``1e999``), lone UTF-16 surrogates (``"\\ud800"``) and nesting
    deeper than :data:`MAX_JSON_DEPTH`; every problem is a :class:`UserFacingError`, never a
    crash.
    """
    try:
        data = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise UserFacingError(N_("The file is not valid JSON: {detail}."),
                              path=f"line {exc.lineno}", detail=exc.msg) from None
    except RecursionError:
        raise UserFacingError(N_("The JSON is nested more than {limit} levels deep."),
                              limit=MAX_JSON_DEPTH) from None
    except UserFacingError:
        raise
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise UserFacingError(N_("The file is not valid JSON: {detail}."),
                              detail=str(exc)[:200]) from None
    if "\\u" in text:
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise UserFacingError(N_("The JSON contains an escaped character that is not text "
                                     "(a lone UTF-16 surrogate).")) from None
    if (text.count("[") + text.count("{")) > MAX_JSON_DEPTH and _depth_problem(data):
        raise UserFacingError(N_("The JSON is nested more than {limit} levels deep."),
                              limit=MAX_JSON_DEPTH)
    return data
