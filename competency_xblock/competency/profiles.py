"""Role profiles: for each role, the expected level per competence.

A profile maps competence id -> level id; a competence left out is not assessed for that
role.  HR keeps profiles in a spreadsheet, so they import and export as CSV:

* wide (what we write): one row per competence, one column per role, cells are levels by
  id, label in any language ("Øvet", "Intermediate") or rank ("2"); an empty cell leaves the
  competence out for that role;
* long (also read): columns ``role``, ``competence``, ``level``.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from competency_xblock.competency import tabular
from competency_xblock.competency.errors import ProblemsError
from competency_xblock.competency.framework import Framework, text_variants
from competency_xblock.text import N_, LocalizedText, UserFacingError, pick_language

Profiles = dict[str, dict[str, str]]  # role id -> competence id -> level id

#: Informational columns of the wide CSV that are not roles.
INFO_COLUMNS = ("competence", "area", "title", "competence_title", "area_title")


@dataclass(frozen=True)
class Role:
    id: str
    title: LocalizedText
    description: LocalizedText = ""

    def to_dict(self) -> dict:
        out = {"id": self.id, "title": self.title}
        if self.description:
            out["description"] = self.description
        return out


Unit = Role  # same shape: an id, a title and an optional description


def named_from_dicts(items: Iterable[Mapping]) -> tuple[Role, ...]:
    return tuple(Role(i["id"], i["title"], i.get("description", "")) for i in items)


DUPLICATE_MESSAGES = {
    "role": N_("Duplicate role id \"{id}\"."),
    "unit": N_("Duplicate unit id \"{id}\"."),
    "resource": N_("Duplicate resource id \"{id}\"."),
}


def duplicate_problems(items: list[Mapping], pointer: str, what: str) -> list[UserFacingError]:
    """One problem per repeated id in a list of objects with ``id`` (``what``: role, unit,
    resource)."""
    seen: set[str] = set()
    found = []
    for i, item in enumerate(items):
        item_id = item.get("id") if isinstance(item, Mapping) else None
        if item_id is None:
            continue
        if item_id in seen:
            found.append(UserFacingError(DUPLICATE_MESSAGES[what], path=f"{pointer}/{i}/id",
                                         id=item_id))
        seen.add(item_id)
    return found


def profile_problems(profiles: Mapping[str, Mapping[str, str]], framework: Framework,
                     role_ids: Iterable[str], prefix: str = "/profiles") -> list[UserFacingError]:
    """Every problem of the profiles against the framework and the role list."""
    role_ids = list(role_ids)
    found: list[UserFacingError] = []
    for role_id, expected in profiles.items():
        where = f"{prefix}/{role_id}"
        if role_id not in role_ids:
            found.append(UserFacingError(
                N_("The profile is for an unknown role \"{role}\"; add the role first."),
                path=where, role=role_id))
        for comp_id, level_id in expected.items():
            if framework.competence(comp_id) is None:
                found.append(UserFacingError(
                    N_("Unknown competence \"{competence}\": it is not in the framework."),
                    path=f"{where}/{comp_id}", competence=comp_id))
            if framework.level(level_id) is None:
                found.append(UserFacingError(
                    N_("Level \"{level}\" is not on the level scale ({allowed})."),
                    path=f"{where}/{comp_id}", level=level_id,
                    allowed=", ".join(framework.level_ids)))
    for role_id in role_ids:
        if not profiles.get(role_id):
            found.append(UserFacingError(
                N_("Role \"{role}\" expects no competence; give it at least one expected "
                   "level."), path=f"{prefix}/{role_id}", role=role_id))
    return found


@dataclass(frozen=True)
class ProfilesImport:
    profiles: Profiles
    #: Roles named in the spreadsheet but not in the known role list (titled by the header).
    new_roles: tuple[Role, ...]


def import_csv(text: str, framework: Framework, roles: Iterable[Role] = ()) -> ProfilesImport:
    """Read profiles from a wide or long spreadsheet; raises :class:`ProblemsError` (all problems).

    Role columns may be headed by the role id or its title in any language.
    """
    table = tabular.read(text)
    header, rows = table.header, table.rows
    roles = list(roles)
    if {"role", "competence", "level"} <= set(header):
        return _import_long(rows, framework, roles)
    if "competence" not in header:
        raise ProblemsError([UserFacingError(
            N_("The header needs a \"competence\" column (wide) or \"role\", \"competence\" "
               "and \"level\" columns (long)."), path="row 1")])
    found: list[UserFacingError] = []
    role_columns = [h for h in header if h and h not in INFO_COLUMNS]
    if not role_columns:
        found.append(UserFacingError(N_("The header names no role column."), path="row 1"))
    column_roles = {h: _role_for(table.titles[h], roles) for h in role_columns}
    profiles: Profiles = {column_roles[h].id: {} for h in role_columns}
    seen: dict[str, int] = {}
    for row in rows:
        comp_id = row.get("competence")
        if framework.competence(comp_id) is None:
            found.append(UserFacingError(
                N_("Unknown competence \"{competence}\": it is not in the framework."),
                path=row.where("competence"), competence=comp_id))
            continue
        if comp_id in seen:
            found.append(UserFacingError(
                N_("Competence \"{competence}\" appears twice (first in row {first})."),
                path=row.where("competence"), competence=comp_id, first=seen[comp_id]))
            continue
        seen[comp_id] = row.line
        for column in role_columns:
            value = row.get(column)
            if not value:
                continue
            level_id = framework.resolve_level(value)
            if level_id is None:
                found.append(_bad_level(value, framework, row.where(column)))
            else:
                profiles[column_roles[column].id][comp_id] = level_id
    if found:
        raise ProblemsError(found)
    known = {r.id for r in roles}
    new = {r.id: r for r in column_roles.values() if r.id not in known}
    return ProfilesImport(profiles, tuple(new.values()))


def _import_long(rows, framework: Framework, roles: list[Role]) -> ProfilesImport:
    found: list[UserFacingError] = []
    profiles: Profiles = {}
    new: dict[str, Role] = {}
    known = {r.id for r in roles}
    for row in rows:
        role = _role_for(row.get("role"), roles)
        comp_id = row.get("competence")
        if not row.get("role"):
            found.append(UserFacingError(N_("The role is missing."), path=row.where("role")))
            continue
        if framework.competence(comp_id) is None:
            found.append(UserFacingError(
                N_("Unknown competence \"{competence}\": it is not in the framework."),
                path=row.where("competence"), competence=comp_id))
            continue
        value = row.get("level")
        if not value:
            continue
        level_id = framework.resolve_level(value)
        if level_id is None:
            found.append(_bad_level(value, framework, row.where("level")))
            continue
        expected = profiles.setdefault(role.id, {})
        if comp_id in expected:
            found.append(UserFacingError(
                N_("Role \"{role}\" has competence \"{competence}\" twice."),
                path=row.where("competence"), role=role.id, competence=comp_id))
            continue
        expected[comp_id] = level_id
        if role.id not in known:
            new.setdefault(role.id, role)
    if found:
        raise ProblemsError(found)
    return ProfilesImport(profiles, tuple(new.values()))


def _bad_level(value: str, framework: Framework, where: str) -> UserFacingError:
    return UserFacingError(
        N_("\"{value}\" is not a level on the scale; use one of: {allowed}."),
        path=where, value=value,
        allowed=", ".join(f"{lv.id} ({i})" for i, lv in enumerate(framework.levels, 1)))


def _role_for(header: str, roles: list[Role]) -> Role:
    """The known role a column header means (id or title in any language), else a new one."""
    folded = header.strip().casefold()
    for role in roles:
        if role.id.casefold() == folded or any(
                v.strip().casefold() == folded for v in text_variants(role.title)):
            return role
    return Role(id=_slug(header), title=header.strip())


def _slug(text: str) -> str:
    out = "".join(c if c.isascii() and (c.isalnum() or c in "_.-") else "-"
                  for c in text.strip().lower().replace("æ", "ae").replace("ø", "oe")
                  .replace("å", "aa"))
    out = "-".join(p for p in out.split("-") if p)[:64]
    return out or "role"


def export_csv(profiles: Mapping[str, Mapping[str, str]], framework: Framework,
               roles: Iterable[Role], language: str = "da", delimiter: str = ";",
               bom: bool = True) -> str:
    """Wide spreadsheet: a row per competence, a column per role, level labels in cells."""
    roles = list(roles)
    header = ["competence", "area", "title"] + [r.id for r in roles]
    rows = []
    for area in framework.areas:
        for comp in area.competences:
            rows.append([comp.id, pick_language(area.title, language),
                         pick_language(comp.title, language)] + [
                framework.label(profiles[r.id][comp.id], language)
                if comp.id in profiles.get(r.id, {}) else "" for r in roles])
    return tabular.write(header, rows, delimiter=delimiter, bom=bom)
