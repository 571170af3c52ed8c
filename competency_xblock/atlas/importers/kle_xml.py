"""Import KL's official KLE emneplan XML, combined with a CSV mapping KLE numbers to units.

Why streaming: the full emneplan is 7 MB with deep guidance text; we read it with lxml's
``iterparse`` and clear every Emne once handled, so memory stays flat and the CLI can show
progress.  Why strict XML safety: the file may come from anywhere; we refuse DOCTYPE
declarations outright (no entity expansion, no DTD loading, no network).

Mapping CSV columns: ``kle`` (a hovedgruppe "27", gruppe "27.24" or emne "27.24.03"; the most
specific match wins) and ``unit`` (a unit id); optionally ``unit_name``, ``unit_kind``,
``unit_parent`` to define a unit not present in the base atlas.
"""
from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from competency_xblock.text import N_, UserFacingError

from ..kle import KleCatalogue, normalise_number, number_problem, parents
from .common import (
    DEFAULT_MAX_BYTES,
    CountingReader,
    ImportReport,
    ProgressCallback,
    Rejection,
    Source,
    decode_text,
    finalise,
    open_source,
    read_all,
)
from .csv_import import KIND_WORDS, CsvRows, unused_columns

MAPPING_COLUMNS = {
    "kle": "kle", "kle_number": "kle", "kle-nummer": "kle", "nummer": "kle", "number": "kle",
    "kle-nr": "kle", "emnenr": "kle", "kle-emne": "kle",
    "unit": "unit", "enhed": "unit", "unit_id": "unit", "enheds-id": "unit",
    "afdeling": "unit", "ansvarlig enhed": "unit",
    "unit_name": "unit_name", "enhedsnavn": "unit_name", "navn": "unit_name",
    "afdelingsnavn": "unit_name",
    "unit_kind": "unit_kind", "enhedstype": "unit_kind", "type": "unit_kind",
    "unit_parent": "unit_parent", "overordnet": "unit_parent",
    "overordnet enhed": "unit_parent",
}
MARKER_RE = re.compile(r"\s*\[=(Emne|Gruppe|Hovedgruppe)\]\s*$")
PROLOG_BYTES = 64 * 1024
DATE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T Z+-].*)?$")
MAX_DESCRIPTION = 600
MAX_KEYWORD = 200


ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")


@dataclass
class UnitMapping:
    """KLE prefix → unit id, with the CSV line of each entry (for precise reports)."""

    targets: dict[str, str] = field(default_factory=dict)
    lines: dict[str, str] = field(default_factory=dict)
    units: list[dict[str, Any]] = field(default_factory=list)
    unit_lines: dict[str, str] = field(default_factory=dict)   # unit defined here → line
    bad: dict[str, str] = field(default_factory=dict)          # rejected entry → its line

    def match(self, number: str) -> str | None:
        """The most specific mapping entry (good or rejected) covering ``number``."""
        for candidate in (number, *reversed(parents(number))):
            if candidate in self.targets or candidate in self.bad:
                return candidate
        return None

    def unit_for(self, number: str) -> str | None:
        entry = self.match(number)
        return self.targets.get(entry) if entry else None


def unit_slug(name: str) -> str:
    """An id for a unit given by its name: "Børn og Familie" → "boern-og-familie"."""
    text = name.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:100]


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _unit_names(unit: Mapping[str, Any]) -> list[str]:
    name = unit.get("name")
    if isinstance(name, str):
        return [name]
    if isinstance(name, Mapping):
        return [v for v in name.values() if isinstance(v, str)]
    return []


def read_mapping(source: Source, *, base_units: list | tuple = (),
                 max_bytes: int = DEFAULT_MAX_BYTES
                 ) -> tuple[UnitMapping, list[Rejection], list[UserFacingError]]:
    """Read the KLE-to-unit mapping.  The unit cell may hold a unit id (of the base atlas,
    or defined by the row's ``unit_name``) or a unit's name ("Børn og Familie"): a name of
    a base unit maps to that unit, any other name defines a unit with an id derived from
    it.  With a base atlas, an id that is defined nowhere rejects the row (once, not once
    per emne); without one, the cell defines the unit (its id and name)."""
    raw, name = read_all(source, max_bytes)
    text, warnings = decode_text(raw, name)
    rows = CsvRows(text, MAPPING_COLUMNS, name, ("kle", "unit"))
    warnings += unused_columns(rows)
    mapping = UnitMapping()
    rejected: list[Rejection] = []
    known_ids = {u["id"] for u in base_units
                 if isinstance(u, Mapping) and isinstance(u.get("id"), str)}
    by_name = {_name_key(n): u["id"] for u in base_units
               if isinstance(u, Mapping) and isinstance(u.get("id"), str)
               for n in _unit_names(u)}
    for line, row, _extra in rows:
        location = f"{name}, line {line}"
        number = normalise_number(row.get("kle", ""))
        if number is None:
            rejected.append(Rejection(location, row.get("kle", "")[:40], "kle",
                                      number_problem(row.get("kle", ""))))
            continue
        raw_unit = " ".join(row.get("unit", "").split())
        unit_name = " ".join(row.get("unit_name", "").split())
        if not raw_unit:
            rejected.append(Rejection(location, number, "unit",
                                      UserFacingError(N_("The unit is missing."))))
            mapping.bad.setdefault(number, location)
            continue
        if raw_unit in known_ids or raw_unit in mapping.unit_lines:
            unit = raw_unit
        elif _name_key(raw_unit) in by_name:
            unit = by_name[_name_key(raw_unit)]
        elif ID_RE.match(raw_unit) and len(raw_unit) <= 100 and (unit_name or known_ids):
            unit = raw_unit
            if not unit_name:       # with a base atlas, an unknown id is a typo: say so
                rejected.append(Rejection(location, number, "unit", UserFacingError(
                    N_("Unit \"{unit}\" is not defined: give its name in a unit_name "
                       "column or define it in the base atlas."), unit=raw_unit)))
                mapping.bad.setdefault(number, location)
                continue
        else:       # a unit's name ("Børn og Familie"), or an id with no base atlas to check
            unit = raw_unit if ID_RE.match(raw_unit) and len(raw_unit) <= 100 \
                else unit_slug(raw_unit)
            unit_name = unit_name or raw_unit
            if not unit:
                rejected.append(Rejection(location, number, "unit", UserFacingError(
                    N_("\"{value}\" is neither a unit id nor a unit name."),
                    value=raw_unit[:60])))
                mapping.bad.setdefault(number, location)
                continue
        if number in mapping.targets and mapping.targets[number] != unit:
            rejected.append(Rejection(location, number, "unit", UserFacingError(
                N_("KLE {number} is already mapped to unit \"{other}\" on {where}."),
                number=number, other=mapping.targets[number], where=mapping.lines[number])))
            continue
        mapping.targets.setdefault(number, unit)
        mapping.lines.setdefault(number, location)
        if unit not in known_ids and unit not in mapping.unit_lines:
            mapping.unit_lines[unit] = location
            record: dict[str, Any] = {"id": unit, "name": unit_name[:300],
                                      "kind": KIND_WORDS.get(row.get("unit_kind", "").lower(),
                                                             "department")}
            if row.get("unit_parent"):
                record["parent"] = row["unit_parent"]
            mapping.units.append(record)
    return mapping, rejected, warnings


def _local(tag: Any) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


_BLOCKS = frozenset({"p", "div", "br", "ul", "ol", "li", "h1", "h2", "h3", "h4", "tr", "td"})
_LIST_END_RE = re.compile(r";(\s+[A-ZÆØÅ]|$)")
_MARKUP_RE = re.compile(r"<\s*/?\s*(?:p|li|ul|ol|br|div)\b", re.IGNORECASE)


def _guidance_text(element) -> str:
    """Plain text of an ``EmneVejledning``: block elements apart, list items ended with ";"
    unless they end a sentence ("sager om: bekæmpelse af muldvarpe; betaling for ...").
    Guidance that arrives as escaped or CDATA HTML is read as HTML, not as literal tags."""
    if element is None:
        return ""
    source = element
    flat = "".join(element.itertext())
    if not any(isinstance(el.tag, str) and _local(el.tag) in _BLOCKS for el in element.iter()) \
            and _MARKUP_RE.search(flat):
        from lxml import html as lxml_html

        try:
            source = lxml_html.fragment_fromstring(flat, create_parent="div")
        except (etree.ParserError, ValueError):
            return _text(element)
    pieces: list[str] = []

    def walk(el) -> None:
        tag = _local(el.tag) if isinstance(el.tag, str) else ""
        if el.text and isinstance(el.tag, str):
            pieces.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                pieces.append(child.tail)
        if tag == "li":
            text = " ".join("".join(pieces).split())
            if text and text[-1] not in ".:;!?":
                pieces.append(";")
        if tag in _BLOCKS:
            pieces.append(" ")

    walk(source)
    # a list's last item ends the sentence: "...; betaling for bekæmpelsen. Se også ..."
    return _LIST_END_RE.sub(r".\1", " ".join("".join(pieces).split()))


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def clean_keyword(raw: str) -> str | None:
    """KL stikord → søgeord: drop expired ones ("[udgået]"), strip "[=Emne]" markers."""
    text = " ".join((raw or "").split())
    if not text or "[udgået]" in text.lower() or "[udgaaet]" in text.lower():
        return None
    text = MARKER_RE.sub("", text).strip()
    return text[:MAX_KEYWORD] or None


def _check_prolog(stream, name: str) -> bytes:
    head = stream.read(PROLOG_BYTES)
    upper = head.upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        line = head[: upper.find(b"<!")].count(b"\n") + 1
        raise UserFacingError(N_("The XML file declares a DOCTYPE or entities, which are "
                                 "refused for safety."), path=f"{name}, line {line}")
    return head


class _Prefixed(io.RawIOBase):
    """A stream that first returns ``head`` (already read for the safety check)."""

    def __init__(self, head: bytes, rest) -> None:
        self.head = head
        self.rest = rest

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self.head:
            if size is None or size < 0:
                size = len(self.head)
            chunk, self.head = self.head[:size], self.head[size:]
            return chunk
        return self.rest.read(size)

    def readinto(self, buffer) -> int:  # pragma: no cover - io plumbing
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@dataclass
class KleEmne:
    number: str
    title: str
    keywords: list[str]
    guidance: str
    gruppe: str
    gruppe_title: str
    hovedgruppe: str
    hovedgruppe_title: str
    line: int
    expired: bool = False
    where: str = ""      # "<file>, element Emne at line <n>"


def iter_kle_xml(source: Source, *, max_bytes: int = DEFAULT_MAX_BYTES,
                 progress: ProgressCallback | None = None,
                 catalogue: KleCatalogue | None = None,
                 rejected: list[Rejection] | None = None):
    """Yield :class:`KleEmne` one by one; fills ``catalogue`` (numbers and version) on the
    way.  Malformed emner go to ``rejected``; XML syntax errors raise with line/column."""
    stream, size, name = open_source(source)
    catalogue = catalogue if catalogue is not None else KleCatalogue("")
    rejected = rejected if rejected is not None else []
    try:
        head = _check_prolog(stream, name)
        counted = CountingReader(_Prefixed(head, stream), size, progress, max_bytes)
        context = etree.iterparse(
            counted, events=("start", "end"), resolve_entities=False, no_network=True,
            load_dtd=False, dtd_validation=False, huge_tree=False, remove_comments=True,
            remove_pis=True)
        hoved: dict[str, Any] = {"nr": "", "title": "", "expired": False}
        gruppe: dict[str, Any] = {"nr": "", "title": "", "expired": False}
        root_seen = False
        try:
            for event, element in context:
                tag = _local(element.tag)
                if event == "start":
                    if not root_seen:
                        root_seen = True
                        # The byte check of the prolog cannot see a DTD in UTF-16 or after
                        # 64 KiB of comments; the parser (no DTD loading, no entities) can.
                        if element.getroottree().docinfo.doctype:
                            raise UserFacingError(
                                N_("The XML file declares a DOCTYPE or entities, which are "
                                   "refused for safety."),
                                path=f"{name}, line {element.sourceline}")
                        if tag != "KLE-Emneplan":
                            raise UserFacingError(
                                N_("This is not a KLE emneplan (root element <{tag}>)."),
                                path=f"{name}, line {element.sourceline}", tag=tag[:60])
                    if tag == "Hovedgruppe":
                        hoved.update(nr="", title="", expired=False)
                    elif tag == "Gruppe":
                        gruppe.update(nr="", title="", expired=False)
                    continue
                if tag == "UdgivelsesDato":
                    # xs:date: "2025-05-01", maybe with a time zone ("2025-05-01+02:00")
                    match = DATE_RE.match((element.text or "").strip())
                    catalogue.version = match.group(1) if match else ""
                elif tag == "HovedgruppeAdministrativInfo":
                    if _expired(element) and hoved["nr"]:
                        hoved["expired"] = True
                        catalogue.expired.add(hoved["nr"])
                elif tag == "GruppeAdministrativInfo":
                    if _expired(element) and gruppe["nr"]:
                        gruppe["expired"] = True
                        catalogue.expired.add(gruppe["nr"])
                elif tag == "HovedgruppeNr":
                    hoved["nr"] = (element.text or "").strip()
                elif tag == "HovedgruppeTitel":
                    hoved["title"] = _text(element)
                    if hoved["nr"]:
                        catalogue.add(hoved["nr"], hoved["title"])
                elif tag == "GruppeNr":
                    gruppe["nr"] = (element.text or "").strip()
                elif tag == "GruppeTitel":
                    gruppe["title"] = _text(element)
                    if gruppe["nr"]:
                        catalogue.add(gruppe["nr"], gruppe["title"])
                elif tag == "Emne":
                    emne = _read_emne(element, hoved, gruppe, name, rejected)
                    if emne is not None:
                        catalogue.add(emne.number, emne.title)
                        if emne.expired:
                            catalogue.expired.add(emne.number)
                        yield emne
                    _release(element)
                elif tag in ("Gruppe", "Hovedgruppe"):
                    _release(element)
        except etree.XMLSyntaxError as exc:
            line, column = (exc.position if exc.position else (exc.lineno or 0, 0))
            raise UserFacingError(N_("The XML is malformed: {reason}."),
                                  path=f"{name}, line {line}, column {column}",
                                  reason=(exc.msg or str(exc)).split(", line")[0]) from exc
    finally:
        if isinstance(source, str) or hasattr(source, "__fspath__"):
            stream.close()


def _expired(admin_info) -> bool:
    """Whether an ``...AdministrativInfo`` element marks its number expired: KL's files put
    ``UdgaaetDato`` in ``Historisk`` (as KLE readers written against them look for it);
    a direct child is read too."""
    return any(isinstance(el.tag, str) and _local(el.tag) == "UdgaaetDato"
               for el in admin_info.iter())


def _release(element) -> None:
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _read_emne(element, hoved, gruppe, name, rejected) -> KleEmne | None:
    line = element.sourceline or 0
    where = f"{name}, element Emne at line {line}"
    number_el = title_el = None
    keywords: list[str] = []
    guidance = ""
    expired = False
    for child in element:
        tag = _local(child.tag)
        if tag == "EmneNr":
            number_el = child
        elif tag == "EmneTitel":
            title_el = child
        elif tag in ("EmneStikord", "EmneOgHandlingsfacetStikord"):
            for sub in child:
                if _local(sub.tag) == "Tekst":
                    keyword = clean_keyword(sub.text or "")
                    if keyword and keyword not in keywords:
                        keywords.append(keyword)
        elif tag == "EmneVejledning":
            guidance = _shorten(_guidance_text(child), MAX_DESCRIPTION)
        elif tag == "EmneAdministrativInfo":
            expired = _expired(child)
    raw_number = (number_el.text or "").strip() if number_el is not None else ""
    number = normalise_number(raw_number)
    if not raw_number:
        rejected.append(Rejection(where, "", "EmneNr",
                                  UserFacingError(N_("The emne has no EmneNr."))))
        return None
    if number is None or number.count(".") != 2:
        rejected.append(Rejection(where, raw_number[:40], "EmneNr", UserFacingError(
            N_("\"{value}\" is not a KLE emne number (expected e.g. 27.24.03)."),
            value=raw_number[:40])))
        return None
    title = _text(title_el)
    if not title:
        rejected.append(Rejection(where, number, "EmneTitel",
                                  UserFacingError(N_("The emne has no title."))))
        return None
    # drop the keyword that only repeats the title
    keywords = [k for k in keywords if k.casefold() != title.casefold()]
    # an emne of an expired gruppe or hovedgruppe has gone with it
    expired = expired or bool(gruppe.get("expired")) or bool(hoved.get("expired"))
    return KleEmne(number, title[:300], keywords[:100], guidance, gruppe["nr"],
                   gruppe["title"], hoved["nr"], hoved["title"], line, expired, where)


def describe_emne(emne: KleEmne) -> str:
    """A short Danish description placing the emne in its gruppe and hovedgruppe."""
    parts = []
    if emne.gruppe:
        parts.append(f"KLE-gruppe {emne.gruppe} {emne.gruppe_title}".strip())
    if emne.hovedgruppe:
        parts.append(f"hovedgruppe {emne.hovedgruppe} {emne.hovedgruppe_title}".strip())
    text = ", ".join(parts) + "." if parts else ""
    if emne.guidance:
        text = f"{text} {emne.guidance}".strip()
    return text[:5000]


def import_kle_xml(xml_source: Source, mapping_source: Source, *,
                   base: Mapping[str, Any] | None = None, default_unit: str | None = None,
                   atlas_id: str = "kle-atlas", title: str = "KLE",
                   include_guidance: bool = True, include_expired: bool = False,
                   max_bytes: int = DEFAULT_MAX_BYTES,
                   progress: ProgressCallback | None = None) -> ImportReport:
    """One service per KLE emne, assigned to a unit through the mapping CSV.

    Rejected: emner without a mapping (unless ``default_unit``), malformed emner, mapping
    rows that are malformed.  Warnings: mapping entries whose KLE numbers do not exist in
    the file's KLE version (version drift).
    """
    rejected: list[Rejection] = []
    warnings: list[UserFacingError] = []
    base_units = list(base.get("units") or []) if isinstance(base, Mapping) \
        and isinstance(base.get("units"), list) else []
    try:
        mapping, bad, warn = read_mapping(mapping_source, base_units=base_units)
    except UserFacingError as exc:
        return ImportReport(None, [Rejection(exc.path or "", "", "", exc)])
    rejected += bad
    warnings += warn
    if not mapping.targets and not mapping.bad and not bad and not default_unit:
        error = UserFacingError(N_("The mapping file has no rows: map KLE numbers to units, "
                                   "or give a default unit."))
        return ImportReport(None, [Rejection("mapping", "", "", error)], warnings)
    data: dict[str, Any] = {"id": atlas_id, "title": title, "units": [], "services": []}
    locate: dict[tuple[str, int], str] = {}
    if base:
        data.update({k: v for k, v in base.items() if k not in ("units", "services")})
        for unit in base_units:
            locate[("units", len(data["units"]))] = f"base atlas, unit {len(data['units'])}"
            data["units"].append(unit)
    known_units = {u.get("id") for u in data["units"] if isinstance(u, Mapping)}
    for unit in mapping.units:
        if unit["id"] not in known_units:
            known_units.add(unit["id"])
            locate[("units", len(data["units"]))] = mapping.unit_lines.get(unit["id"],
                                                                           "mapping")
            data["units"].append(unit)
    if default_unit and default_unit not in known_units:
        error = UserFacingError(N_("The default unit \"{unit}\" is defined neither in the "
                                   "base atlas nor in the mapping."), unit=default_unit[:100])
        return ImportReport(None, rejected + [Rejection("--default-unit", default_unit[:100],
                                                        "", error)], warnings)
    catalogue = KleCatalogue("")
    counts = {"emner": 0, "expired": 0, "unmapped": 0}
    used_prefixes: set[str] = set()
    try:
        for emne in iter_kle_xml(xml_source, max_bytes=max_bytes, progress=progress,
                                 catalogue=catalogue, rejected=rejected):
            counts["emner"] += 1
            if emne.expired and not include_expired:
                counts["expired"] += 1
                continue
            entry = mapping.match(emne.number)
            where = emne.where or f"element Emne at line {emne.line}"
            if entry is not None and entry in mapping.bad:
                rejected.append(Rejection(where, emne.number, "unit", UserFacingError(
                    N_("The mapping of KLE {number} ({where}) was rejected."),
                    number=entry, where=mapping.bad[entry])))
                continue
            unit = (mapping.targets.get(entry) if entry else None) or default_unit
            if entry is not None:
                used_prefixes.add(entry)
            if unit is None:
                counts["unmapped"] += 1
                rejected.append(Rejection(where, emne.number, "unit", UserFacingError(
                    N_("No unit is mapped to KLE {number} or its gruppe/hovedgruppe."),
                    number=emne.number)))
                continue
            service: dict[str, Any] = {"id": f"kle-{emne.number}", "title": emne.title,
                                       "kle": [emne.number], "unit": unit,
                                       "audience": ["citizen"]}
            description = describe_emne(emne) if include_guidance else ""
            if description:
                service["description"] = description
            if emne.keywords:
                service["keywords"] = emne.keywords
            locate[("services", len(data["services"]))] = where
            data["services"].append(service)
    except UserFacingError as exc:
        return ImportReport(None, rejected + [Rejection(exc.path or "", "", "", exc)],
                            warnings, catalogue.version)
    if catalogue.version:
        data["kle_version"] = catalogue.version
    else:
        warnings.append(UserFacingError(N_("The KLE file has no UdgivelsesDato; the KLE "
                                           "version is unknown.")))
    for number, line in sorted(mapping.lines.items()):
        if number not in catalogue:
            warnings.append(UserFacingError(
                N_("KLE {number} in the mapping does not exist in KLE {version}."),
                path=line, number=number, version=catalogue.version or "?"))
        elif catalogue.is_expired(number):
            warnings.append(UserFacingError(
                N_("KLE {number} in the mapping is expired (udgået) in KLE {version}."),
                path=line, number=number, version=catalogue.version or "?"))
    report = finalise(data, locate, rejected, warnings, counts, catalogue.version,
                      candidates=counts["emner"] - counts["expired"])
    report.catalogue = catalogue
    return report
