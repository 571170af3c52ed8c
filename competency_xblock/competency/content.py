"""The one document an author sets up for a self-assessment block.

``schemas/competency-block.schema.json`` describes it; Studio validation, OLX import/export
and the CLI all go through :func:`problems` / :meth:`BlockContent.from_dict`, which report
*every* problem (schema, duplicate ids, unknown competences or levels in profiles and
resources, a fixed role that does not exist), each located by a JSON pointer.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from competency_xblock.competency import framework as fw
from competency_xblock.competency.errors import ProblemsError, raise_if, schema_problems
from competency_xblock.competency.framework import Area, Competence, Framework
from competency_xblock.competency.profiles import (
    Profiles,
    Role,
    Unit,
    duplicate_problems,
    named_from_dicts,
    profile_problems,
)
from competency_xblock.core import schemas
from competency_xblock.text import N_, LocalizedText, UserFacingError

SCHEMA = "competency-block"
RESOURCE_KINDS = ("course", "guide", "video", "peer", "other")
REASSESSMENT_MODES = ("never", "anytime", "after_days")
EXAMPLE_FILE = "example-profiles.json"
#: Biggest content document accepted (characters of JSON), e.g. from an OLX import.
MAX_CONTENT_CHARS = 1_000_000


@dataclass(frozen=True)
class Resource:
    competence: str
    kind: str
    title: LocalizedText
    levels: tuple[str, ...] = ()
    url: str = ""
    description: LocalizedText = ""
    id: str = ""

    def to_dict(self) -> dict:
        out: dict[str, Any] = {}
        if self.id:
            out["id"] = self.id
        out.update(competence=self.competence, kind=self.kind, title=self.title)
        if self.levels:
            out["levels"] = list(self.levels)
        if self.url:
            out["url"] = self.url
        if self.description:
            out["description"] = self.description
        return out


@dataclass(frozen=True)
class Reassessment:
    """When a learner may assess again: never, any time, or ``days`` after the last time."""

    mode: str = "anytime"
    days: int = 0

    def to_dict(self) -> dict:
        return {"mode": self.mode, "days": self.days} if self.mode == "after_days" else {
            "mode": self.mode}


@dataclass(frozen=True)
class BlockContent:
    framework: Framework
    roles: tuple[Role, ...]
    profiles: Profiles
    units: tuple[Unit, ...] = ()
    resources: tuple[Resource, ...] = ()
    reassessment: Reassessment = Reassessment()
    peer_suggestion: LocalizedText = ""
    fixed_role: str | None = None
    fixed_unit: str | None = None
    example: bool = False
    notice: LocalizedText = ""
    #: Name of the shipped framework when referenced (exported as ``{"ref": ...}``).
    framework_ref: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    # ---- lookups ------------------------------------------------------------------------
    def role(self, role_id: str | None) -> Role | None:
        return next((r for r in self.roles if r.id == role_id), None)

    def unit(self, unit_id: str | None) -> Unit | None:
        return next((u for u in self.units if u.id == unit_id), None)

    def expected(self, role_id: str) -> dict[str, str]:
        """Competence id -> expected level id for a role, in framework order."""
        profile = self.profiles.get(role_id, {})
        return {c: profile[c] for c in self.framework.competence_ids if c in profile}

    def areas_for(self, role_id: str) -> list[tuple[Area, list[Competence]]]:
        """The competences that matter for a role, grouped by area (empty areas left out)."""
        profile = self.profiles.get(role_id, {})
        grouped = []
        for area in self.framework.areas:
            comps = [c for c in area.competences if c.id in profile]
            if comps:
                grouped.append((area, comps))
        return grouped

    def resources_for(self, competence_id: str) -> list[Resource]:
        return [r for r in self.resources if r.competence == competence_id]

    # ---- (de)serialisation --------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Any) -> BlockContent:
        """Parse and check; raises :class:`ProblemsError` listing every problem."""
        raise_if(problems(data))
        ref = data["framework"].get("ref")
        framework = fw.load_builtin(ref) if ref else Framework.from_dict(data["framework"])
        policy = data.get("reassessment", {"mode": "anytime"})
        return cls(
            framework=framework,
            framework_ref=ref,
            roles=named_from_dicts(data["roles"]),
            units=named_from_dicts(data.get("units", [])),
            profiles={r: dict(p) for r, p in data["profiles"].items()},
            resources=tuple(
                Resource(competence=r["competence"], kind=r["kind"], title=r["title"],
                         levels=tuple(r.get("levels", ())), url=r.get("url", ""),
                         description=r.get("description", ""), id=r.get("id", ""))
                for r in data.get("resources", [])
            ),
            reassessment=Reassessment(policy["mode"], int(policy.get("days", 0))),
            peer_suggestion=data.get("peer_suggestion", ""),
            fixed_role=data.get("fixed_role"),
            fixed_unit=data.get("fixed_unit"),
            example=bool(data.get("example", False)),
            notice=data.get("notice", ""),
        )

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"schema_version": 1}
        if self.example:
            out["example"] = True
        if self.notice:
            out["notice"] = self.notice
        out["framework"] = ({"ref": self.framework_ref} if self.framework_ref
                            else self.framework.to_dict())
        out["roles"] = [r.to_dict() for r in self.roles]
        if self.units:
            out["units"] = [u.to_dict() for u in self.units]
        out["profiles"] = {r: dict(p) for r, p in self.profiles.items()}
        if self.resources:
            out["resources"] = [r.to_dict() for r in self.resources]
        if self.peer_suggestion:
            out["peer_suggestion"] = self.peer_suggestion
        out["reassessment"] = self.reassessment.to_dict()
        if self.fixed_role:
            out["fixed_role"] = self.fixed_role
        if self.fixed_unit:
            out["fixed_unit"] = self.fixed_unit
        return out

    def with_framework(self, framework: Framework) -> BlockContent:
        """The same content on an author's own framework (checked again by the caller)."""
        data = self.to_dict()
        data["framework"] = framework.to_dict()
        return BlockContent.from_dict(data)


def problems(data: Any) -> list[UserFacingError]:
    """Every problem of a block content document, in document order."""
    found = schema_problems(SCHEMA, data)
    if not isinstance(data, Mapping) or not isinstance(data.get("framework"), Mapping):
        return found
    framework = _framework_or_problems(data["framework"], found)
    if found:
        # Cross-checks need a well-formed document; report the shape problems first.
        return found
    role_ids = [r["id"] for r in data["roles"]]
    unit_ids = [u["id"] for u in data.get("units", [])]
    found += duplicate_problems(data["roles"], "/roles", "role")
    found += duplicate_problems(data.get("units", []), "/units", "unit")
    found += duplicate_problems(data.get("resources", []), "/resources", "resource")
    if framework is not None:
        found += profile_problems(data["profiles"], framework, role_ids)
        found += _resource_problems(data.get("resources", []), framework)
    fixed_role, fixed_unit = data.get("fixed_role"), data.get("fixed_unit")
    if fixed_role and fixed_role not in role_ids:
        found.append(UserFacingError(N_("The fixed role \"{role}\" is not in the role list."),
                                     path="/fixed_role", role=fixed_role))
    if fixed_unit and fixed_unit not in unit_ids:
        found.append(UserFacingError(N_("The fixed unit \"{unit}\" is not in the unit list."),
                                     path="/fixed_unit", unit=fixed_unit))
    policy = data.get("reassessment", {})
    if policy.get("mode") == "after_days" and not policy.get("days"):
        found.append(UserFacingError(
            N_("Say after how many days a learner may reassess (\"days\")."),
            path="/reassessment/days"))
    return found


def _framework_or_problems(spec: Mapping, found: list[UserFacingError]) -> Framework | None:
    if "ref" in spec:
        if isinstance(spec["ref"], str) and spec["ref"] in fw.BUILTIN_FRAMEWORKS:
            return fw.load_builtin(spec["ref"])
        return None  # the schema already said the ref is unknown
    inner = fw.problems(spec, prefix="/framework")
    found += inner
    return None if inner else Framework.from_dict(spec)


def _resource_problems(items: list[Mapping], framework: Framework) -> list[UserFacingError]:
    found = []
    for i, res in enumerate(items):
        where = f"/resources/{i}"
        if framework.competence(res["competence"]) is None:
            found.append(UserFacingError(
                N_("Unknown competence \"{competence}\": it is not in the framework."),
                path=f"{where}/competence", competence=res["competence"]))
        for j, level_id in enumerate(res.get("levels", [])):
            if framework.level(level_id) is None:
                found.append(UserFacingError(
                    N_("Level \"{level}\" is not on the level scale ({allowed})."),
                    path=f"{where}/levels/{j}", level=level_id,
                    allowed=", ".join(framework.level_ids)))
    return found


def parse_json(text: str) -> BlockContent:
    """Content from JSON text (Studio field, OLX, CLI); raises :class:`ProblemsError` or
    :class:`UserFacingError`."""
    if len(text) > MAX_CONTENT_CHARS:
        raise UserFacingError(N_("The content is too big (at most {limit} characters)."),
                              limit=MAX_CONTENT_CHARS)
    # No NaN, lone surrogates or absurd nesting: a clear error instead of a crash.
    return BlockContent.from_dict(schemas.loads(text))


def dump_json(content: BlockContent) -> str:
    """Stable JSON text (non-ASCII kept as is: æøå and emoji survive OLX untouched)."""
    return json.dumps(content.to_dict(), ensure_ascii=False, indent=1, sort_keys=False)


@lru_cache(maxsize=1)
def _example_text() -> str:
    path = resources.files("competency_xblock") / "data" / "competency" / EXAMPLE_FILE
    return path.read_text(encoding="utf-8")


def example_dict() -> dict:
    """A fresh copy of the shipped example content (safe to modify)."""
    return json.loads(_example_text())


def default_content() -> BlockContent:
    """The shipped example roles, units, profiles and resources on DigComp 3.0."""
    return BlockContent.from_dict(example_dict())


__all__ = ["BlockContent", "ProblemsError", "Reassessment", "Resource", "default_content",
           "dump_json", "example_dict", "parse_json", "problems"]
