"""Import an atlas from its JSON form (the format of ``schemas/atlas.schema.json``)."""
from __future__ import annotations

import json
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
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserFacingError(N_("The file is not valid JSON: {reason}."),
                              path=f"{name}, line {exc.lineno}, column {exc.colno}",
                              reason=exc.msg) from exc
    except RecursionError as exc:
        raise UserFacingError(N_("The JSON is nested too deeply."), path=name) from exc
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise UserFacingError(N_("The file is not valid JSON: {reason}."), path=name,
                              reason=str(exc)[:200]) from exc
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
    return import_data(data, name)


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
                locate[(kind, i)] = f"/{kind}/{i}"
    return finalise(data, locate, [], [], kle_version=str(data.get("kle_version") or ""))
