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

#: Most roles a block has (``roles`` in competency-block.schema.json).
MAX_ROLES = 50
#: Informational columns of the wide CSV that are not roles.
INFO_COLUMNS = ("competence", "area", "title", "competence_title", "area_title", "description")
#: Other headings HR sheets use for our columns (Danish, or with spaces), lower-cased.
COLUMN_ALIASES = {
    "kompetence": "competence", "competence id": "competence", "competence_id": "competence",
    "kompetence-id": "competence", "kompetence id": "competence",
    "område": "area", "omraade": "area", "kompetenceområde": "area",
    "titel": "title", "kompetencens navn": "title", "competence title": "competence_title",
    "beskrivelse": "description",
    "rolle": "role", "niveau": "level", "forventet niveau": "level", "expected level": "level",
    "expected_level": "level",
}


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
    table = _canonical(tabular.read(text))
    header, rows = table.header, table.rows
    roles = list(roles)
    if {"role", "competence", "level"} <= set(header):
        if found := _duplicate_columns(header, {}):
            raise ProblemsError(found)
        return _import_long(rows, framework, roles)
    if "competence" not in header:
        raise ProblemsError([UserFacingError(
            N_("The header needs a \"competence\" column (wide) or \"role\", \"competence\" "
               "and \"level\" columns (long)."), path="row 1")])
    role_columns = [h for h in header if h and h not in INFO_COLUMNS]
    if len(role_columns) > MAX_ROLES:
        raise ProblemsError([UserFacingError(
            N_("The sheet has {count} role columns; a block has at most {limit} roles."),
            path="row 1", count=len(role_columns), limit=MAX_ROLES)])
    found: list[UserFacingError] = []
    if not role_columns:
        found.append(UserFacingError(N_("The header names no role column."), path="row 1"))
    index = _role_index(roles)
    column_roles = {h: _role_for(table.titles[h], roles, index) for h in role_columns}
    found += _duplicate_columns(header, column_roles)
    profiles: Profiles = {column_roles[h].id: {} for h in role_columns}
    seen: dict[str, int] = {}
    for row in rows:
        comp_id = framework.resolve_competence(row.get("competence"))
        if comp_id is None:
            found.append(UserFacingError(
                N_("Unknown competence \"{competence}\": it is not in the framework."),
                path=row.where("competence"), competence=row.get("competence")))
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
    index = _role_index(roles)
    for row in rows:
        role = _role_for(row.get("role"), roles, index)
        comp_id = framework.resolve_competence(row.get("competence"))
        if not row.get("role"):
            found.append(UserFacingError(N_("The role is missing."), path=row.where("role")))
            continue
        if comp_id is None:
            found.append(UserFacingError(
                N_("Unknown competence \"{competence}\": it is not in the framework."),
                path=row.where("competence"), competence=row.get("competence")))
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


def _canonical(table: tabular.Table) -> tabular.Table:
    """The table with other known headings (``Kompetence``, ``Niveau`` ...) renamed to ours."""
    rename = {h: COLUMN_ALIASES.get(h, h) for h in table.header}
    if all(h == new for h, new in rename.items()):
        return table
    header = [rename[h] for h in table.header]
    titles = {rename[h]: typed for h, typed in table.titles.items()}
    rows = [tabular.Row(row.line, {rename.get(k, k): v for k, v in row.cells.items()})
            for row in table.rows]
    return tabular.Table(header, titles, rows)


def _duplicate_columns(header: list[str], column_roles: Mapping[str, Role]
                       ) -> list[UserFacingError]:
    """Two columns with the same heading, or two headings for the same role: one of them
    would silently win, so both are reported."""
    found = []
    first: dict[str, int] = {}
    for number, column in enumerate(header, start=1):
        if not column:
            continue
        key = "role:" + column_roles[column].id if column in column_roles else column
        if key in first:
            found.append(UserFacingError(
                N_("Columns {first} and {second} mean the same (\"{column}\"); keep one."),
                path="row 1", first=first[key], second=number,
                column=key.removeprefix("role:")))
        else:
            first[key] = number
    return found


def _bad_level(value: str, framework: Framework, where: str) -> UserFacingError:
    return UserFacingError(
        N_("\"{value}\" is not a level on the scale; use one of: {allowed}."),
        path=where, value=value,
        allowed=", ".join(f"{lv.id} ({i})" for i, lv in enumerate(framework.levels, 1)))


def _role_index(roles: list[Role]) -> dict[str, Role]:
    """Folded id and titles (any language) -> role; the first role wins a shared title."""
    index: dict[str, Role] = {}
    for role in roles:
        for name in [role.id] + text_variants(role.title):
            index.setdefault(name.strip().casefold(), role)
    return index


def _role_for(header: str, roles: list[Role], index: dict[str, Role] | None = None) -> Role:
    """The known role a column header means (id or title in any language), else a new one."""
    index = _role_index(roles) if index is None else index
    known = index.get(header.strip().casefold())
    if known is not None:
        return known
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
