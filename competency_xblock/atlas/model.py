"""The service atlas: units with contact channels, services with KLE numbers and søgeord.

Why a validator that returns *all* problems: an operator fixing an atlas file (or a CSV
exported from a spreadsheet) wants the full list in one go, each naming the record and the
field, not one error per upload.  Loading either yields a complete :class:`Atlas` or raises
:class:`AtlasValidationError`; nothing half-loaded is ever used.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from competency_xblock.text import N_, LocalizedText, UserFacingError, pick_language

SCHEMA_NAME = "atlas"
KLE_RE = re.compile(r"^\d{2}(\.\d{2}){0,2}$")
UNIT_KINDS = ("department", "centre", "team")
AUDIENCES = ("citizen", "business")
CONTACT_FIELDS = ("phone", "email", "secure_mail", "address", "opening_hours", "web")
MAX_PROBLEMS = 200


class AtlasValidationError(UserFacingError):
    """An atlas (or an import) has problems; ``problems`` lists every one of them."""

    def __init__(self, problems: list[UserFacingError], source: str | None = None) -> None:
        self.problems = list(problems)
        first = self.problems[0].render() if self.problems else ""
        super().__init__(N_("The atlas has {count} problem(s). First: {first}"),
                         path=source, count=len(self.problems), first=first)


@dataclass(frozen=True, slots=True)
class ContactChannels:
    phone: str = ""
    email: str = ""
    secure_mail: str = ""
    address: str = ""
    opening_hours: str = ""
    web: str = ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ContactChannels:
        data = data or {}
        return cls(**{name: str(data.get(name) or "").strip() for name in CONTACT_FIELDS})

    def to_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in CONTACT_FIELDS if getattr(self, name)}

    def __bool__(self) -> bool:
        return any(getattr(self, name) for name in CONTACT_FIELDS)


@dataclass(frozen=True, slots=True)
class Unit:
    id: str
    name: LocalizedText
    kind: str = "department"
    parent: str | None = None
    description: LocalizedText = ""
    contact: ContactChannels = field(default_factory=ContactChannels)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Unit:
        return cls(id=data["id"], name=data["name"], kind=data.get("kind") or "department",
                   parent=data.get("parent") or None, description=data.get("description") or "",
                   contact=ContactChannels.from_dict(data.get("contact")))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "name": self.name, "kind": self.kind}
        if self.parent:
            out["parent"] = self.parent
        if self.description:
            out["description"] = self.description
        if self.contact:
            out["contact"] = self.contact.to_dict()
        return out

    def label(self, language: str | None = None) -> str:
        return pick_language(self.name, language)


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    title: LocalizedText
    unit: str
    description: LocalizedText = ""
    kle: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    audience: tuple[str, ...] = ("citizen",)
    referral_notes: LocalizedText = ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Service:
        audience = data.get("audience")
        return cls(id=data["id"], title=data["title"], unit=data["unit"],
                   description=data.get("description") or "",
                   kle=tuple(data.get("kle") or ()), keywords=tuple(data.get("keywords") or ()),
                   audience=tuple(audience) if audience is not None else ("citizen",),
                   referral_notes=data.get("referral_notes") or "")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "title": self.title, "unit": self.unit}
        if self.description:
            out["description"] = self.description
        if self.kle:
            out["kle"] = list(self.kle)
        if self.keywords:
            out["keywords"] = list(self.keywords)
        out["audience"] = list(self.audience)
        if self.referral_notes:
            out["referral_notes"] = self.referral_notes
        return out

    def label(self, language: str | None = None) -> str:
        return pick_language(self.title, language)


@dataclass(frozen=True, eq=False)
class Atlas:
    """A validated atlas.  ``digest`` identifies its content (the search-index cache key)."""

    id: str
    title: LocalizedText
    units: Mapping[str, Unit]
    services: tuple[Service, ...]
    kle_version: str = ""
    version: str = ""
    language: str = "da"
    description: LocalizedText = ""
    attribution: str = ""
    synonyms: tuple[tuple[str, ...], ...] = ()
    digest: str = ""

    # -- construction -----------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Any, *, source: str | None = None, check_schema: bool = True) -> Atlas:
        """Validate ``data`` completely and build the atlas, or raise AtlasValidationError."""
        problems = validate_atlas_data(data, check_schema=check_schema)
        if problems:
            raise AtlasValidationError(problems, source)
        return cls._build(data)

    @classmethod
    def _build(cls, data: Mapping[str, Any]) -> Atlas:
        units = {u["id"]: Unit.from_dict(u) for u in data["units"]}
        services = tuple(Service.from_dict(s) for s in data["services"])
        return cls(id=data["id"], title=data["title"], units=units, services=services,
                   kle_version=data.get("kle_version", ""), version=data.get("version", ""),
                   language=data.get("language", "da"),
                   description=data.get("description", ""),
                   attribution=data.get("attribution", ""),
                   synonyms=tuple(tuple(g) for g in data.get("synonyms", ())),
                   digest=content_digest(data))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "title": self.title}
        for name in ("version", "kle_version", "language", "description", "attribution"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.synonyms:
            out["synonyms"] = [list(g) for g in self.synonyms]
        out["units"] = [u.to_dict() for u in self.units.values()]
        out["services"] = [s.to_dict() for s in self.services]
        return out

    # -- lookups ----------------------------------------------------------------------
    def service(self, service_id: str) -> Service | None:
        return self._service_map().get(service_id)

    def unit(self, unit_id: str) -> Unit | None:
        return self.units.get(unit_id)

    def _service_map(self) -> dict[str, Service]:
        cached = self.__dict__.get("_services_by_id")
        if cached is None:
            cached = {s.id: s for s in self.services}
            object.__setattr__(self, "_services_by_id", cached)
        return cached

    def unit_chain(self, unit_id: str) -> list[Unit]:
        """The unit and its parents, innermost first (cycle-safe)."""
        chain: list[Unit] = []
        seen: set[str] = set()
        current = self.units.get(unit_id)
        while current is not None and current.id not in seen:
            chain.append(current)
            seen.add(current.id)
            current = self.units.get(current.parent) if current.parent else None
        return chain

    def contact_for(self, unit_id: str) -> ContactChannels:
        """The unit's own channels, filled in from its parents where missing (a team often
        shares the department's phone and address)."""
        merged: dict[str, str] = {}
        for unit in self.unit_chain(unit_id):
            for name, value in unit.contact.to_dict().items():
                merged.setdefault(name, value)
        return ContactChannels.from_dict(merged)

    def services_of_unit(self, unit_id: str) -> list[Service]:
        return [s for s in self.services if s.unit == unit_id]

    def __len__(self) -> int:
        return len(self.services)


def content_digest(data: Mapping[str, Any]) -> str:
    """A stable hash of the atlas content (key order does not matter)."""
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:20]


# ----------------------------------------------------------------------- validation

def _record_path(kind: str, index: int, record: Any, field_name: str | None = None) -> str:
    rid = record.get("id") if isinstance(record, Mapping) else None
    where = f"/{kind}/{index}"
    if field_name:
        where += f"/{field_name}"
    if isinstance(rid, str) and rid:
        where += f" ({kind[:-1]} \"{rid[:100]}\")"
    return where


def _schema_problems(data: Any, limit: int = MAX_PROBLEMS) -> list[UserFacingError]:
    from jsonschema.exceptions import best_match

    from competency_xblock.core import schemas

    found = []
    for error in schemas.validator(SCHEMA_NAME).iter_errors(data):
        if error.validator in ("oneOf", "anyOf") and error.context:
            # "not valid under any of the given schemas" helps nobody: say which rule
            # the closest alternative (a plain string, usually) broke
            relevant = [e for e in error.context if e.validator != "type"] or error.context
            error = best_match(relevant)
        found.append(error)
        if len(found) >= limit:
            break
    found.sort(key=lambda e: [str(p) for p in e.absolute_path])
    problems = [_describe(e, schemas.describe) for e in found]
    # Name the record (its id), not just its index, so a person can find it in a file.
    for problem in problems:
        parts = (problem.path or "").split("/")
        if len(parts) >= 3 and parts[1] in ("units", "services") and parts[2].isdigit() \
                and isinstance(data, Mapping) and isinstance(data.get(parts[1]), list):
            records = data[parts[1]]
            index = int(parts[2])
            if index < len(records) and isinstance(records[index], Mapping):
                rid = records[index].get("id")
                if isinstance(rid, str) and rid:
                    problem.path = f"{problem.path} ({parts[1][:-1]} \"{rid[:100]}\")"
    return problems


_ID_FIELDS = ("id", "unit", "parent")


def _describe(error, describe) -> UserFacingError:
    """A schema violation in words; a pattern says which value and what is expected."""
    problem = describe(error)
    if error.validator != "pattern" or not isinstance(error.instance, str):
        return problem
    field_name = str(error.absolute_path[-1]) if error.absolute_path else ""
    value = error.instance[:60]
    if field_name in _ID_FIELDS:
        message = N_("\"{value}\" is not a valid id: use letters a-z, digits and \"-\", "
                     "\"_\", \".\" or \":\" (no spaces, no æ, ø, å).")
    elif field_name == "kle_version":
        message = N_("\"{value}\" is not a date (expected YYYY-MM-DD, the KLE "
                     "UdgivelsesDato).")
    elif field_name == "web":
        message = N_("\"{value}\" is not a web address (expected http:// or https://).")
    else:
        return problem
    return UserFacingError(message, path=problem.path, value=value)


def validate_atlas_data(data: Any, *, check_schema: bool = True,
                        limit: int | None = MAX_PROBLEMS) -> list[UserFacingError]:
    """Every problem of an atlas document: schema violations, duplicate ids, unknown unit
    references, malformed KLE numbers, cycles in the unit tree.  Empty list = valid.

    ``limit`` caps the list (a person reads the first 200); the importers pass None because
    they must know every bad record to drop it."""
    if not isinstance(data, Mapping):
        return [UserFacingError(N_("An atlas must be a JSON object with \"units\" and "
                                   "\"services\"."), path="/")]
    problems: list[UserFacingError] = []
    if check_schema:
        schema_limit = limit if limit is not None else 10 ** 9
        problems.extend(p for p in _schema_problems(data, schema_limit)
                        if "/kle/" not in (p.path or ""))
    problems.extend(semantic_problems(data))
    problems.sort(key=lambda p: _sort_key(p.path or ""))
    return problems if limit is None else problems[:limit]


def _sort_key(path: str) -> tuple:
    parts = path.split(" ")[0].split("/")
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts)


def semantic_problems(data: Mapping[str, Any]) -> list[UserFacingError]:
    """The checks a JSON Schema cannot express (cross-record references and uniqueness)."""
    problems: list[UserFacingError] = []
    units = data.get("units") if isinstance(data.get("units"), list) else []
    services = data.get("services") if isinstance(data.get("services"), list) else []

    unit_ids: dict[str, int] = {}
    for i, unit in enumerate(units):
        if not isinstance(unit, Mapping) or not isinstance(unit.get("id"), str):
            continue
        if unit["id"] in unit_ids:
            problems.append(UserFacingError(
                N_("Duplicate unit id \"{id}\" (first used by unit number {first})."),
                path=_record_path("units", i, unit, "id"), id=unit["id"],
                first=unit_ids[unit["id"]] + 1))
        else:
            unit_ids[unit["id"]] = i
    for i, unit in enumerate(units):
        if isinstance(unit, Mapping) and isinstance(unit.get("parent"), str) \
                and unit["parent"] not in unit_ids:
            problems.append(UserFacingError(
                N_("Unit \"{id}\" names an unknown parent unit \"{ref}\"."),
                path=_record_path("units", i, unit, "parent"), id=unit.get("id"),
                ref=unit["parent"]))
    problems.extend(_cycle_problems(units))

    service_ids: dict[str, int] = {}
    for i, service in enumerate(services):
        if not isinstance(service, Mapping):
            continue
        sid = service.get("id")
        if isinstance(sid, str):
            if sid in service_ids:
                problems.append(UserFacingError(
                    N_("Duplicate service id \"{id}\" (first used by service number {first})."),
                    path=_record_path("services", i, service, "id"), id=sid,
                    first=service_ids[sid] + 1))
            else:
                service_ids[sid] = i
        ref = service.get("unit")
        if isinstance(ref, str) and ref not in unit_ids:
            problems.append(UserFacingError(
                N_("Service \"{id}\" refers to an unknown unit \"{ref}\"."),
                path=_record_path("services", i, service, "unit"), id=sid, ref=ref))
        kle = service.get("kle")
        if isinstance(kle, list):
            for j, number in enumerate(kle):
                if not isinstance(number, str) or not KLE_RE.match(number):
                    problems.append(UserFacingError(
                        N_("\"{value}\" is not a KLE number (expected e.g. 27, 27.24 or "
                           "27.24.03)."),
                        path=_record_path("services", i, service, f"kle/{j}"),
                        value=str(number)[:40]))
    return problems


def _cycle_problems(units: list) -> list[UserFacingError]:
    parents = {u["id"]: u.get("parent") for u in units
               if isinstance(u, Mapping) and isinstance(u.get("id"), str)}
    index_of = {}
    for i, u in enumerate(units):
        if isinstance(u, Mapping) and isinstance(u.get("id"), str):
            index_of.setdefault(u["id"], i)
    problems = []
    reported: set[str] = set()
    for start in parents:
        seen = [start]
        current = parents.get(start)
        while isinstance(current, str) and current in parents:
            if current in seen:
                cycle = seen[seen.index(current):]
                if not reported.intersection(cycle):
                    reported.update(cycle)
                    problems.append(UserFacingError(
                        N_("Units form a cycle of parents: {cycle}."),
                        path=f"/units/{index_of[current]}/parent (unit \"{current}\")",
                        cycle=" → ".join([*cycle, current])))
                break
            seen.append(current)
            current = parents.get(current)
    return problems


def iter_kle_numbers(atlas: Atlas) -> Iterator[tuple[Service, str]]:
    for service in atlas.services:
        for number in service.kle:
            yield service, number


def ensure_unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        seen.setdefault(value, None)
    return list(seen)
