"""Competency framework: an ordered level scale and areas of competences, all text localized.

The level scale is ordered lowest first; a level's rank (1-based position) is what gaps are
computed on, so authors never have to type numbers.  A competence may carry its own
descriptor per level ("what this looks like at Intermediate"); otherwise the scale's general
descriptor is shown.
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from competency_xblock.competency.errors import raise_if, schema_problems
from competency_xblock.core import schemas
from competency_xblock.text import N_, LocalizedText, UserFacingError, pick_language

SCHEMA = "competency-framework"
#: The rating a learner gives when they cannot judge a competence; never a level id.
DONT_KNOW = "dont_know"
#: Shipped frameworks by reference name -> file under ``competency_xblock/data/competency/``.
BUILTIN_FRAMEWORKS = {"digcomp3": "digcomp3.json"}
DEFAULT_FRAMEWORK = "digcomp3"


def text_variants(text: LocalizedText | None) -> list[str]:
    """Every language variant of a text (for matching labels typed in any language)."""
    if not text:
        return []
    if isinstance(text, str):
        return [text]
    return [v for v in text.values() if v]


@dataclass(frozen=True)
class Level:
    id: str
    label: LocalizedText
    description: LocalizedText = ""


@dataclass(frozen=True)
class Competence:
    id: str
    title: LocalizedText
    area_id: str
    description: LocalizedText = ""
    levels: Mapping[str, LocalizedText] = field(default_factory=dict)

    def descriptor(self, level: Level) -> LocalizedText:
        """What this competence looks like at ``level`` (falls back to the scale's text)."""
        return self.levels.get(level.id) or level.description


@dataclass(frozen=True)
class Area:
    id: str
    title: LocalizedText
    description: LocalizedText = ""
    competences: tuple[Competence, ...] = ()


@dataclass(frozen=True)
class Framework:
    id: str
    title: LocalizedText
    levels: tuple[Level, ...]
    areas: tuple[Area, ...]
    description: LocalizedText = ""
    version: str = ""
    attribution: Mapping[str, Any] = field(default_factory=dict)

    # ---- lookups ------------------------------------------------------------------------
    def competences(self) -> Iterator[Competence]:
        for area in self.areas:
            yield from area.competences

    @property
    def competence_ids(self) -> list[str]:
        return [c.id for c in self.competences()]

    @property
    def level_ids(self) -> list[str]:
        return [lvl.id for lvl in self.levels]

    def competence(self, competence_id: str) -> Competence | None:
        return self._competence_index().get(competence_id)

    def area(self, area_id: str) -> Area | None:
        return next((a for a in self.areas if a.id == area_id), None)

    def level(self, level_id: str) -> Level | None:
        return next((lvl for lvl in self.levels if lvl.id == level_id), None)

    def rank(self, level_id: str) -> int:
        """1-based position of ``level_id`` on the scale (lowest level = 1)."""
        for position, level in enumerate(self.levels, start=1):
            if level.id == level_id:
                return position
        raise UserFacingError(N_("Unknown level \"{level}\"."), level=level_id)

    def order(self, competence_id: str) -> int:
        """Position of a competence in the framework (for stable sorting)."""
        positions = self.__dict__.get("_positions")
        if positions is None:
            positions = {}
            for n, comp in enumerate(self.competences()):
                positions.setdefault(comp.id, n)
            object.__setattr__(self, "_positions", positions)
        return positions.get(competence_id, len(positions))

    def resolve_level(self, value: str) -> str | None:
        """The level id meant by ``value``: an id, a label in any language or a 1-based rank.

        Spreadsheets maintained by HR say "Øvet", "intermediate" or "2"; all mean the same.
        """
        value = (value or "").strip()
        if not value:
            return None
        if self.level(value):
            return value
        folded = value.casefold()
        for level in self.levels:
            if level.id.casefold() == folded:
                return level.id
            if any(v.strip().casefold() == folded for v in text_variants(level.label)):
                return level.id
        if value.isdigit() and 1 <= int(value) <= len(self.levels):
            return self.levels[int(value) - 1].id
        return None

    def resolve_competence(self, value: str) -> str | None:
        """The competence id meant by ``value``: its id or its title in any language (case and
        surrounding spaces ignored), as HR spreadsheets name competences either way."""
        value = (value or "").strip()
        if not value:
            return None
        if self.competence(value):
            return value
        folded = value.casefold()
        for comp in self.competences():
            if comp.id.casefold() == folded or any(
                    v.strip().casefold() == folded for v in text_variants(comp.title)):
                return comp.id
        return None

    def _competence_index(self) -> dict[str, Competence]:
        cached = self.__dict__.get("_index")
        if cached is None:
            cached = {c.id: c for c in self.competences()}
            object.__setattr__(self, "_index", cached)
        return cached

    def label(self, level_id: str, language: str | None) -> str:
        level = self.level(level_id)
        return pick_language(level.label, language) if level else level_id

    # ---- (de)serialisation --------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Any) -> Framework:
        """Parse and check a framework document; raises :class:`ProblemsError` with all problems."""
        raise_if(problems(data))
        levels = tuple(Level(lv["id"], lv["label"], lv.get("description", ""))
                       for lv in data["levels"])
        areas = tuple(
            Area(
                id=a["id"], title=a["title"], description=a.get("description", ""),
                competences=tuple(
                    Competence(id=c["id"], title=c["title"], area_id=a["id"],
                               description=c.get("description", ""),
                               levels=dict(c.get("levels", {})))
                    for c in a["competences"]
                ),
            )
            for a in data["areas"]
        )
        return cls(id=data["id"], title=data["title"], levels=levels, areas=areas,
                   description=data.get("description", ""), version=data.get("version", ""),
                   attribution=dict(data.get("attribution", {})))

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"schema_version": 1, "id": self.id, "title": self.title}
        if self.version:
            out["version"] = self.version
        if self.description:
            out["description"] = self.description
        if self.attribution:
            out["attribution"] = dict(self.attribution)
        out["levels"] = [_compact({"id": lv.id, "label": lv.label,
                                   "description": lv.description}) for lv in self.levels]
        out["areas"] = [
            _compact({
                "id": a.id, "title": a.title, "description": a.description,
                "competences": [
                    _compact({"id": c.id, "title": c.title, "description": c.description,
                              "levels": dict(c.levels)})
                    for c in a.competences
                ],
            })
            for a in self.areas
        ]
        return out


def _compact(d: dict) -> dict:
    """Drop empty optional values so exports stay small and round trips stay equal."""
    return {k: v for k, v in d.items() if v not in ("", None, {}) or k in ("competences",)}


def problems(data: Any, prefix: str = "") -> list[UserFacingError]:
    """Every problem of a framework document: schema first, then cross-references."""
    found = schema_problems(SCHEMA, data, prefix)
    if found:
        return found
    level_ids: set[str] = set()
    for i, level in enumerate(data["levels"]):
        where = f"{prefix}/levels/{i}/id"
        if level["id"] == DONT_KNOW:
            found.append(UserFacingError(
                N_("\"{id}\" is reserved for \"don't know\" and cannot be a level id."),
                path=where, id=DONT_KNOW))
        elif level["id"] in level_ids:
            found.append(UserFacingError(N_("Duplicate level id \"{id}\"."), path=where,
                                         id=level["id"]))
        level_ids.add(level["id"])
    area_ids: set[str] = set()
    competence_ids: set[str] = set()
    for i, area in enumerate(data["areas"]):
        if area["id"] in area_ids:
            found.append(UserFacingError(N_("Duplicate area id \"{id}\"."),
                                         path=f"{prefix}/areas/{i}/id", id=area["id"]))
        area_ids.add(area["id"])
        for j, comp in enumerate(area["competences"]):
            where = f"{prefix}/areas/{i}/competences/{j}"
            if comp["id"] in competence_ids:
                found.append(UserFacingError(N_("Duplicate competence id \"{id}\"."),
                                             path=f"{where}/id", id=comp["id"]))
            competence_ids.add(comp["id"])
            for level_id in comp.get("levels", {}):
                if level_id not in level_ids:
                    found.append(UserFacingError(
                        N_("Level \"{level}\" is not on the framework's level scale."),
                        path=f"{where}/levels/{level_id}", level=level_id))
    return found


def load_json(text: str) -> Framework:
    """Parse a framework from JSON text (an import in Studio or the CLI)."""
    # No NaN, lone surrogates or absurd nesting: a clear error instead of a crash.
    return Framework.from_dict(schemas.loads(text))


def builtin_names() -> list[str]:
    return sorted(BUILTIN_FRAMEWORKS)


@cache
def load_builtin(name: str = DEFAULT_FRAMEWORK) -> Framework:
    """A framework shipped in ``competency_xblock/data/competency/`` (read once, cached)."""
    if name not in BUILTIN_FRAMEWORKS:
        raise UserFacingError(N_("Unknown framework \"{name}\"; available: {available}."),
                              name=name, available=", ".join(builtin_names()))
    path = resources.files("competency_xblock") / "data" / "competency" / BUILTIN_FRAMEWORKS[name]
    return Framework.from_dict(json.loads(path.read_text(encoding="utf-8")))
