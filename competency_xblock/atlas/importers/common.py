"""What the three importers share: input reading with size limits, progress reporting, and
turning a candidate atlas document into either a clean atlas or a precise list of rejects.

Why "reject the record, keep the rest": a KLE file has thousands of emner and a CSV from a
spreadsheet always has a few bad rows.  The operator gets every rejected record with its
line and field, and decides (the CLI refuses to write unless told to accept rejects).
Nothing is stored by the importers themselves.
"""
from __future__ import annotations

import codecs
import io
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Union

from competency_xblock.text import N_, UserFacingError

from ..model import Atlas, AtlasValidationError, validate_atlas_data

#: progress(done, total): bytes read so far and the total size (0 when unknown).
ProgressCallback = Callable[[int, int], None]
Source = Union[str, os.PathLike, bytes, BinaryIO]

DEFAULT_MAX_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class Rejection:
    """One record that was not imported: where it is, which record, which field, why."""

    where: str          # "line 12", "element Emne at line 340", "/services/3"
    record: str         # the record's id or number, "" when unknown
    field: str          # the offending field, "" for the whole record
    error: UserFacingError

    def render(self, gettext=lambda s: s) -> str:
        label = f"{self.where}"
        if self.record:
            label += f", record \"{self.record}\""
        if self.field:
            label += f", field \"{self.field}\""
        # The error's own path is only repeated when it says more than "where" does (it is
        # an index into the candidate document, meaningless to the person with the file).
        return f"{label}: {_message(self.error, gettext)}"


def _message(error: UserFacingError, gettext=lambda s: s) -> str:
    text = gettext(error.message)
    try:
        return text.format(**error.params)
    except (KeyError, IndexError, ValueError):
        return text


@dataclass
class ImportReport:
    """The outcome of an import.  ``atlas`` is None only when nothing usable was found."""

    atlas: Atlas | None
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[UserFacingError] = field(default_factory=list)
    kle_version: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    #: the KLE catalogue read with the data (a KLE XML import), to check numbers against
    catalogue: Any = None

    @property
    def ok(self) -> bool:
        return self.atlas is not None and not self.rejected

    def problems(self) -> list[UserFacingError]:
        """Each rejection as an error whose path names where, which record, which field."""
        return [UserFacingError(r.error.message, path=_where(r), **r.error.params)
                for r in self.rejected]

    def raise_for_rejects(self) -> Atlas:
        """The atlas, or AtlasValidationError listing every rejected record."""
        if self.atlas is None or self.rejected:
            problems = self.problems()
            if not problems:
                problems = [UserFacingError(N_("Nothing could be imported."))]
            raise AtlasValidationError(problems)
        return self.atlas


def _where(rejection: Rejection) -> str:
    parts = [rejection.where]
    if rejection.record:
        parts.append(f"record \"{rejection.record}\"")
    if rejection.field:
        parts.append(f"field \"{rejection.field}\"")
    return ", ".join(parts)


class CountingReader(io.RawIOBase):
    """Wraps a binary stream: counts bytes for progress and stops at ``max_bytes``."""

    def __init__(self, raw: BinaryIO, total: int, progress: ProgressCallback | None,
                 max_bytes: int) -> None:
        self.raw = raw
        self.total = total
        self.done = 0
        self.progress = progress
        self.max_bytes = max_bytes
        self._last_report = -1

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self.raw.read(size if size and size > 0 else 1 << 16)
        self.done += len(chunk)
        if self.done > self.max_bytes:
            raise UserFacingError(N_("The file is larger than the limit of {limit} bytes."),
                                  limit=self.max_bytes)
        if self.progress is not None:
            step = max(self.total // 100, 1 << 16)
            if not chunk or self.done - self._last_report >= step:
                self._last_report = self.done
                self.progress(self.done, self.total)
        return chunk

    def readinto(self, buffer) -> int:  # pragma: no cover - io plumbing
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def open_source(source: Source) -> tuple[BinaryIO, int, str]:
    """(binary stream, size or 0, display name) for a path, bytes or an open binary file."""
    if isinstance(source, (bytes, bytearray)):
        return io.BytesIO(bytes(source)), len(source), "<data>"
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            return path.open("rb"), path.stat().st_size, str(path)
        except OSError as exc:
            raise UserFacingError(N_("Cannot read the file: {reason}."), path=str(path),
                                  reason=exc.strerror or str(exc)) from exc
    size = 0
    try:
        size = os.fstat(source.fileno()).st_size  # type: ignore[union-attr]
    except (AttributeError, OSError, io.UnsupportedOperation):
        pass
    return source, size, getattr(source, "name", "<stream>")


def read_all(source: Source, max_bytes: int = DEFAULT_MAX_BYTES,
             progress: ProgressCallback | None = None) -> tuple[bytes, str]:
    stream, size, name = open_source(source)
    if size > max_bytes:
        raise UserFacingError(N_("The file is larger than the limit of {limit} bytes."),
                              path=name, limit=max_bytes)
    reader = CountingReader(stream, size, progress, max_bytes)
    try:
        chunks = []
        while True:
            chunk = reader.read(1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        if not isinstance(source, (bytes, bytearray)) and isinstance(source, (str, os.PathLike)):
            stream.close()
    return b"".join(chunks), name


def decode_text(data: bytes, name: str) -> tuple[str, list[UserFacingError]]:
    """UTF-8 (with or without BOM); UTF-16/32 with a BOM (Excel's "Unicode text");
    Windows-1252 as a fallback with a warning (Excel)."""
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec), []
            except UnicodeDecodeError as exc:
                raise UserFacingError(N_("The file is not valid {encoding} text."),
                                      path=name, encoding=codec.upper()) from exc
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise UserFacingError(N_("The file is not UTF-8 text (first bad byte on line "
                                     "{line})."), path=name, line=line) from exc
        return text, [UserFacingError(N_("The file is not UTF-8 (first non-UTF-8 byte on line "
                                         "{line}); it was read as Windows-1252."),
                                      path=name, line=line)]


def finalise(data: dict[str, Any], locate: Mapping[tuple[str, int], str],
             rejected: list[Rejection], warnings: list[UserFacingError],
             counts: dict[str, int] | None = None, kle_version: str = "",
             candidates: int | None = None) -> ImportReport:
    """Validate ``data``; drop every record that has a problem (and the services that then
    point at a dropped unit), list them as rejects, and build the atlas from the rest.

    ``locate`` maps ("units"|"services", index) to where the record came from ("line 12").
    Problems of the document as a whole (its id, its KLE version) reject the import.  When
    services were given and none survives, there is no atlas either (never an empty one);
    ``candidates`` counts the service records of the input, including those the importer
    already rejected.
    """
    counts = dict(counts or {})
    locate = dict(locate)
    if candidates is None:
        candidates = len(data["services"]) if isinstance(data.get("services"), list) else 0
    had_services = candidates > 0
    # every round drops at least one record, so this ends; dropping a unit can orphan
    # services and sub-units, which the next round finds
    for _ in range(len(data.get("units") or ()) + len(data.get("services") or ()) + 2):
        problems = validate_atlas_data(data, limit=None)
        if not problems:
            break
        bad: dict[tuple[str, int], list[UserFacingError]] = {}
        global_problems = []
        for problem in problems:
            key = _record_key(problem.path or "")
            records = data.get(key[0]) if key else None
            if key is None or not isinstance(records, list) or key[1] >= len(records):
                global_problems.append(problem)
            else:
                bad.setdefault(key, []).append(problem)
        if global_problems:
            for problem in global_problems:
                rejected.append(Rejection(problem.path or "/", "", "", problem))
            counts["rejected"] = len(rejected)
            return ImportReport(None, rejected, warnings, kle_version, counts)
        for (kind, index), record_problems in sorted(bad.items()):
            record = data[kind][index]
            rid = record.get("id", "") if isinstance(record, Mapping) else ""
            for problem in record_problems:
                field_name = _field_of(problem.path or "")
                rejected.append(Rejection(locate.get((kind, index), f"/{kind}/{index}"),
                                          str(rid)[:100], field_name, problem))
        for kind in ("units", "services"):
            drop = {i for (k, i) in bad if k == kind}
            if not drop:
                continue
            old = data[kind]
            data[kind] = [r for i, r in enumerate(old) if i not in drop]
            kept = [i for i in range(len(old)) if i not in drop]
            moved = {(kind, j): locate.get((kind, i), f"/{kind}/{i}")
                     for j, i in enumerate(kept)}
            for i in range(len(old)):
                locate.pop((kind, i), None)
            locate.update(moved)
    else:  # pragma: no cover - unreachable: each round drops a record
        return ImportReport(None, rejected, warnings, kle_version, counts)
    if had_services and not data["services"]:
        rejected.append(Rejection("/services", "", "", UserFacingError(
            N_("Nothing could be imported: every service was rejected."))))
        counts["rejected"] = len(rejected)
        return ImportReport(None, rejected, warnings, kle_version, counts)
    atlas = Atlas.from_dict(data, check_schema=False)
    counts.update(units=len(atlas.units), services=len(atlas.services), rejected=len(rejected))
    return ImportReport(atlas, rejected, warnings, kle_version or atlas.kle_version, counts)


def _record_key(path: str) -> tuple[str, int] | None:
    parts = path.split(" ")[0].split("/")
    if len(parts) >= 3 and parts[1] in ("units", "services") and parts[2].isdigit():
        return parts[1], int(parts[2])
    return None


def _field_of(path: str) -> str:
    parts = path.split(" ")[0].split("/")
    return "/".join(parts[3:]) if len(parts) > 3 else ""
