"""Import units and services from CSV (as exported from a spreadsheet).

Why generous parsing: municipal staff export from Excel, which writes ";" as separator,
a BOM, Windows-1252 when asked nicely, and Danish column headings.  We accept those, and
report every row we cannot use with its line number and column.

Services CSV columns (English or Danish headings, any order):
  id, title/titel, description/beskrivelse, kle, keywords/søgeord, audience/målgruppe,
  unit/enhed, referral_notes/henvisning
Units CSV columns:
  id, name/navn, kind/type, parent/overordnet, phone/telefon, email/e-mail,
  secure_mail/sikker post, address/adresse, opening_hours/åbningstider, web/hjemmeside
Lists (kle, keywords, audience) are separated by "|" (or ";" when the file uses ",").
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from typing import Any

from competency_xblock.text import N_, UserFacingError

from ..kle import normalise_number, number_problem
from ..model import CONTACT_FIELDS
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

SERVICE_COLUMNS = {
    "id": "id", "title": "title", "titel": "title", "ydelse": "title",
    "description": "description", "beskrivelse": "description",
    "kle": "kle", "kle_number": "kle", "kle-nummer": "kle", "kle nummer": "kle",
    "keywords": "keywords", "søgeord": "keywords", "soegeord": "keywords", "stikord": "keywords",
    "audience": "audience", "målgruppe": "audience", "maalgruppe": "audience",
    "unit": "unit", "enhed": "unit", "unit_id": "unit",
    "referral_notes": "referral_notes", "henvisning": "referral_notes",
    "henvisningsnoter": "referral_notes",
    "kle-nr": "kle", "kle-numre": "kle", "kle-numbers": "kle", "emnenr": "kle",
    "ansvarlig enhed": "unit", "ansvarlig": "unit", "afdeling": "unit",
    "enheds-id": "unit", "responsible unit": "unit", "opgave": "title",
    "målgrupper": "audience", "henvisningsnote": "referral_notes",
}
UNIT_COLUMNS = {
    "id": "id", "name": "name", "navn": "name", "kind": "kind", "type": "kind",
    "parent": "parent", "overordnet": "parent", "description": "description",
    "beskrivelse": "description",
    "phone": "phone", "telefon": "phone", "email": "email", "e-mail": "email",
    "secure_mail": "secure_mail", "sikker post": "secure_mail", "sikker_post": "secure_mail",
    "address": "address", "adresse": "address", "opening_hours": "opening_hours",
    "åbningstider": "opening_hours", "aabningstider": "opening_hours",
    "web": "web", "hjemmeside": "web", "url": "web",
    "enheds-id": "id", "enhedsnavn": "name", "enhedstype": "kind", "overordnet enhed": "parent",
    "tlf": "phone", "telefonnummer": "phone", "mail": "email", "sikker mail": "secure_mail",
    "digital post": "secure_mail", "åbningstid": "opening_hours", "webside": "web",
}
AUDIENCE_WORDS = {"citizen": "citizen", "borger": "citizen", "borgere": "citizen",
                  "business": "business", "virksomhed": "business",
                  "virksomheder": "business", "erhverv": "business"}
KIND_WORDS = {"department": "department", "afdeling": "department", "forvaltning": "department",
              "centre": "centre", "center": "centre", "team": "team", "enhed": "team"}
MAX_ROWS = 200_000
BARE_DOMAIN_RE = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(/\S*)?$")


def heading_key(heading: str) -> str:
    """A column heading as compared: case, spaces, "-", "_", ".", ":", "*" and the Danish
    letters' ASCII spellings do not matter ("KLE-nr.", "kle nr" and "Kle_Nr" are one)."""
    text = heading.strip().lstrip("\ufeff").lower()
    text = text.replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    return re.sub(r"[\s_\-.:*()]+", "", text)


class CsvRows:
    """Rows of one CSV file as dicts keyed by canonical column names, with line numbers."""

    def __init__(self, text: str, columns: Mapping[str, str], name: str,
                 required: tuple[str, ...]) -> None:
        self.name = name
        sample = text[:8192]
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
            self.delimiter = dialect.delimiter
        except csv.Error:
            self.delimiter = ";" if sample.count(";") > sample.count(",") else ","
        self.reader = csv.reader(io.StringIO(text), delimiter=self.delimiter)
        try:
            header = next(self.reader)
        except StopIteration:
            raise UserFacingError(N_("The CSV file is empty."), path=name) from None
        self.columns: list[str | None] = []
        unknown = []
        known = {heading_key(k): v for k, v in columns.items()}
        for heading in header:
            key = heading_key(heading)
            column = known.get(key)
            if column in self.columns:      # the first of two columns meaning one thing wins
                column = None
            self.columns.append(column)
            if key and column is None:
                unknown.append(heading.strip()[:60])
        self.unknown = unknown
        missing = [c for c in required if c not in self.columns]
        if missing:
            raise UserFacingError(N_("The CSV file has no column \"{column}\" (line 1)."),
                                  path=name, column=missing[0])

    def __iter__(self):
        for count, row in enumerate(self.reader):
            if count >= MAX_ROWS:
                raise UserFacingError(N_("The CSV file has more than {limit} rows."),
                                      path=self.name, limit=MAX_ROWS)
            line = self.reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            record: dict[str, str] = {}
            extra = len(row) > len(self.columns)
            for column, cell in zip(self.columns, row, strict=False):
                if column:
                    record[column] = cell.strip()
            yield line, record, extra


def unused_columns(rows: CsvRows) -> list[UserFacingError]:
    if not rows.unknown:
        return []
    return [UserFacingError(N_("These columns are not used: {columns}."),
                            path=f"{rows.name}, line 1", columns=", ".join(rows.unknown[:20]))]


def split_kle(value: str) -> tuple[list[str], str | None]:
    """KLE numbers of one cell: "23.05.10|27.24.03", "27.24.03, 23.05.10", "15.00.05.
    Beskæftigelsesindsats" (a title after the number, as in KL's own lists).  Returns the
    numbers and the first piece that is not a KLE number (None when all are)."""
    numbers: list[str] = []
    for piece in (p.strip() for p in re.split(r"[|;,\n]+", value or "")):
        if not piece:
            continue
        number = normalise_number(piece)
        found = [number] if number is not None else []
        if number is None:
            for token in piece.split():
                token_number = normalise_number(token)
                if token_number is None:
                    return numbers, token
                found.append(token_number)
        numbers += [n for n in found if n not in numbers]
    return numbers, None


def split_list(value: str, delimiter: str) -> list[str]:
    seps = "|" if delimiter == ";" else "|;"
    parts = re.split("[" + re.escape(seps) + "]", value) if value else []
    if delimiter != "\t" and len(parts) == 1 and "\n" in value:
        parts = value.splitlines()
    return [p.strip() for p in parts if p.strip()]


def _csv_text(source: Source, max_bytes: int, progress: ProgressCallback | None):
    raw, name = read_all(source, max_bytes, progress)
    text, warnings = decode_text(raw, name)
    return text, name, warnings


def read_units_csv(source: Source, *, max_bytes: int = DEFAULT_MAX_BYTES,
                   progress: ProgressCallback | None = None):
    """(unit records, where each came from, rejections, warnings)."""
    text, name, warnings = _csv_text(source, max_bytes, progress)
    rows = CsvRows(text, UNIT_COLUMNS, name, ("id", "name"))
    warnings += unused_columns(rows)
    units: list[dict[str, Any]] = []
    where: list[str] = []
    rejected: list[Rejection] = []
    for line, row, extra in rows:
        location = f"{name}, line {line}"
        if extra:
            warnings.append(UserFacingError(N_("The row has more cells than the header; the "
                                               "extra cells were ignored."), path=location))
        kind = row.get("kind", "").lower()
        if kind and kind not in KIND_WORDS:
            rejected.append(Rejection(location, row.get("id", ""), "kind", UserFacingError(
                N_("Unknown unit kind \"{value}\" (use department, centre or team)."),
                value=kind[:40])))
            continue
        unit: dict[str, Any] = {"id": row.get("id", ""), "name": row.get("name", "")}
        unit["kind"] = KIND_WORDS.get(kind, "department")
        if row.get("parent"):
            unit["parent"] = row["parent"]
        if row.get("description"):
            unit["description"] = row["description"]
        contact = {f: row[f] for f in CONTACT_FIELDS if row.get(f)}
        if BARE_DOMAIN_RE.match(contact.get("web", "")):   # "www.kommune.dk" from a sheet
            contact["web"] = "https://" + contact["web"]
        if contact:
            unit["contact"] = contact
        units.append(unit)
        where.append(location)
    return units, where, rejected, warnings


def read_services_csv(source: Source, *, max_bytes: int = DEFAULT_MAX_BYTES,
                      progress: ProgressCallback | None = None):
    """(service records, where each came from, rejections, warnings)."""
    text, name, warnings = _csv_text(source, max_bytes, progress)
    rows = CsvRows(text, SERVICE_COLUMNS, name, ("title", "unit"))
    warnings += unused_columns(rows)
    services: list[dict[str, Any]] = []
    where: list[str] = []
    rejected: list[Rejection] = []
    for line, row, extra in rows:
        location = f"{name}, line {line}"
        if extra:
            warnings.append(UserFacingError(N_("The row has more cells than the header; the "
                                               "extra cells were ignored."), path=location))
        problem = None
        numbers, bad_piece = split_kle(row.get("kle", ""))
        if bad_piece is not None:
            problem = Rejection(location, row.get("id", ""), "kle", number_problem(bad_piece))
        audience = []
        for raw in split_list(row.get("audience", ""), rows.delimiter):
            value = AUDIENCE_WORDS.get(raw.lower())
            if value is None:
                problem = problem or Rejection(location, row.get("id", ""), "audience",
                                               UserFacingError(
                    N_("Unknown audience \"{value}\" (use citizen or business)."),
                    value=raw[:40]))
            elif value not in audience:
                audience.append(value)
        if problem:
            rejected.append(problem)
            continue
        service_id = row.get("id") or (f"kle-{numbers[0]}" if numbers else "")
        if not service_id:
            rejected.append(Rejection(location, "", "id", UserFacingError(
                N_("The row has neither an id nor a KLE number to derive one from."))))
            continue
        service: dict[str, Any] = {"id": service_id, "title": row.get("title", ""),
                                   "unit": row.get("unit", "")}
        if row.get("description"):
            service["description"] = row["description"]
        if numbers:
            service["kle"] = numbers
        keywords = split_list(row.get("keywords", ""), rows.delimiter)
        if keywords:
            service["keywords"] = list(dict.fromkeys(keywords))
        service["audience"] = audience or ["citizen"]
        if row.get("referral_notes"):
            service["referral_notes"] = row["referral_notes"]
        services.append(service)
        where.append(location)
    return services, where, rejected, warnings


def import_csv(services_source: Source, units_source: Source | None = None, *,
               base: Mapping[str, Any] | None = None, atlas_id: str = "atlas",
               title: str = "Atlas", kle_version: str = "",
               max_bytes: int = DEFAULT_MAX_BYTES,
               progress: ProgressCallback | None = None) -> ImportReport:
    """Build an atlas from a services CSV plus units (a units CSV and/or a ``base`` atlas
    document whose units and metadata are reused)."""
    rejected: list[Rejection] = []
    warnings: list[UserFacingError] = []
    data: dict[str, Any] = {"id": atlas_id, "title": title, "units": [], "services": []}
    locate: dict[tuple[str, int], str] = {}
    if base:
        data.update({k: v for k, v in base.items() if k not in ("units", "services")})
        for unit in base.get("units") or []:
            locate[("units", len(data["units"]))] = f"base atlas, unit {len(data['units'])}"
            data["units"].append(unit)
    if kle_version:
        data["kle_version"] = kle_version
    try:
        if units_source is not None:
            units, where, bad, warn = read_units_csv(units_source, max_bytes=max_bytes)
            rejected += bad
            warnings += warn
            for unit, location in zip(units, where, strict=False):
                locate[("units", len(data["units"]))] = location
                data["units"].append(unit)
        services, where, bad, warn = read_services_csv(services_source, max_bytes=max_bytes,
                                                       progress=progress)
    except UserFacingError as exc:
        return ImportReport(None, rejected + [Rejection(exc.path or "", "", "", exc)], warnings)
    rejected += bad
    warnings += warn
    # a services sheet often names the unit ("Borgerservice") rather than its id
    unit_ids = {u.get("id") for u in data["units"] if isinstance(u, Mapping)}
    by_name = {}
    for unit in data["units"]:
        if isinstance(unit, Mapping) and isinstance(unit.get("id"), str):
            names = unit.get("name")
            for name in ([names] if isinstance(names, str) else
                         list(names.values()) if isinstance(names, Mapping) else []):
                if isinstance(name, str):
                    by_name.setdefault(" ".join(name.split()).casefold(), unit["id"])
    for service, location in zip(services, where, strict=False):
        unit = service.get("unit", "")
        if unit not in unit_ids:
            service["unit"] = by_name.get(" ".join(unit.split()).casefold(), unit)
        locate[("services", len(data["services"]))] = location
        data["services"].append(service)
    return finalise(data, locate, rejected, warnings, kle_version=data.get("kle_version", ""),
                    candidates=len(services) + len(bad))
