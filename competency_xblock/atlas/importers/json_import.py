"""Import an atlas from its JSON form (the format of ``schemas/atlas.schema.json``)."""
from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from competency_xblock.text import N_, UserFacingError

from .common import (
    DEFAULT_MAX_BYTES,
    ImportReport,
    ProgressCallback,
    Rejection,
    Source,
    decode_text,
    finalise,
    read_all,
)


def parse_json(data: bytes | str, name: str = "<data>") -> Any:
    """json.loads with an error that says where (line and column) the file is broken."""
    text = data if isinstance(data, str) else decode_text(data, name)[0]
    duplicates: list[tuple[str, Any]] = []

    def pairs_hook(pairs):
        out = {}
        for key, value in pairs:
            if key in out and not duplicates:
                duplicates.append((key, dict(pairs).get("id")))
            out[key] = value
        return out

    try:
        data = json.loads(text, object_pairs_hook=pairs_hook)
    except json.JSONDecodeError as exc:
        raise UserFacingError(N_("The file is not valid JSON: {reason}."),
                              path=f"{name}, line {exc.lineno}, column {exc.colno}",
                              reason=exc.msg) from exc
    except RecursionError as exc:
        raise UserFacingError(N_("The JSON is nested too deeply."), path=name) from exc
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise UserFacingError(N_("The file is not valid JSON: {reason}."), path=name,
                              reason=str(exc)[:200]) from exc
    if duplicates:   # json.loads would silently keep the last one: say so instead
        key, record = duplicates[0]
        if isinstance(record, str):
            raise UserFacingError(N_("The key \"{key}\" appears twice in the object with id "
                                     "\"{id}\"."), path=name, key=str(key)[:60],
                                  id=record[:100])
        raise UserFacingError(N_("The key \"{key}\" appears twice in one object."), path=name,
                              key=str(key)[:60])
    if "\\u" in text:  # "\ud800" escapes decode to lone surrogates, which are not text
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise UserFacingError(N_("The JSON contains an escaped character that is not text "
                                     "(a lone UTF-16 surrogate)."), path=name) from exc
    return data


def import_json(source: Source, *, max_bytes: int = DEFAULT_MAX_BYTES,
                progress: ProgressCallback | None = None) -> ImportReport:
    """Read an atlas JSON file; records with problems are rejected, the rest kept."""
    raw, name = read_all(source, max_bytes, progress)
    try:
        data = parse_json(raw, name)
    except UserFacingError as exc:
        return ImportReport(None, [Rejection(exc.path or name, "", "", exc)])
    report = import_data(data, name)
    if report.rejected:       # only then is it worth scanning the text for line numbers
        lines = record_lines(decode_text(raw, name)[0])
        report.rejected = [_with_line(r, lines) for r in report.rejected]
    return report


_WHERE_RE = re.compile(r"^(?P<name>.*), /(?P<kind>units|services)/(?P<index>\d+)$")


def _with_line(rejection: Rejection, lines: dict[tuple[str, int], int]) -> Rejection:
    match = _WHERE_RE.match(rejection.where)
    line = lines.get((match["kind"], int(match["index"]))) if match else None
    if line is None:
        return rejection
    return replace(rejection, where=f"{match['name']}, line {line}, "
                                    f"/{match['kind']}/{match['index']}")


def record_lines(text: str) -> dict[tuple[str, int], int]:
    """The line on which each record of the top-level "units" and "services" arrays starts,
    keyed like the validator's paths (("services", 3) → 42).  A plain scanner over the JSON
    text (strings and nesting only); returns {} for anything it does not follow."""
    out: dict[tuple[str, int], int] = {}
    stack: list[str] = []       # "{" / "[" for the open containers
    kind: str | None = None     # the top-level array we are in
    index = -1
    expect = False              # the next value in that array starts a record
    last_string = ""
    line = 1
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "\n":
            line += 1
        elif char == '"':
            end = i + 1
            while end < n and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            last_string = text[i + 1:end]
            i = end
        elif char in "{[":
            if len(stack) == 2 and kind and expect:
                index += 1
                out[(kind, index)] = line
                expect = False
            if char == "[" and stack == ["{"] and last_string in ("units", "services"):
                kind, index, expect = last_string, -1, True
            stack.append(char)
        elif char in "}]":
            if not stack:
                return {}
            stack.pop()
            if len(stack) == 1 and char == "]":
                kind = None
        elif char == "," and len(stack) == 2 and kind:
            expect = True
        i += 1
    return out


def import_data(data: Any, name: str = "<data>") -> ImportReport:
    if not isinstance(data, dict):
        error = UserFacingError(N_("An atlas must be a JSON object with \"units\" and "
                                   "\"services\"."), path=name)
        return ImportReport(None, [Rejection(name, "", "", error)])
    data = dict(data)
    locate = {}
    for kind in ("units", "services"):
        if isinstance(data.get(kind), list):
            data[kind] = list(data[kind])
            for i in range(len(data[kind])):
                locate[(kind, i)] = f"/{kind}/{i}" if name.startswith("<") \
                    else f"{name}, /{kind}/{i}"
    return finalise(data, locate, [], [], kle_version=str(data.get("kle_version") or ""))
