"""A whole framework as one spreadsheet, so authors can maintain their own in Excel.

One row per item, told apart by the ``type`` column::

    type;id;area;version;title_en;title_da;description_en;...;level:basic:en;level:basic:da;...
    framework;my-fw;;2.0;Our framework;Vores ramme;...
    level;basic;;;Basic;Grundlæggende;...
    area;1;;;Information;Information;...
    competence;1.1;1;;Searching;Søgning;...;Uses a search engine;Bruger en søgemaskine

Languages come from the ``_xx`` suffixes; ``level:<level id>:<lang>`` columns hold a
competence's descriptor at that level.  A competence row without ``area`` belongs to the
area row above it.
"""
from __future__ import annotations

import re

from competency_xblock.competency import tabular
from competency_xblock.competency.errors import ProblemsError, raise_if
from competency_xblock.competency.framework import Framework, problems
from competency_xblock.text import N_, LocalizedText, UserFacingError

TYPES = ("framework", "level", "area", "competence")
_LANG_COLUMN = re.compile(r"^(title|description)_([a-z]{2,3}(?:-[a-z0-9]+)?)$")
_LEVEL_COLUMN = re.compile(r"^level:([^:]+):([a-z]{2,3}(?:-[a-z0-9]+)?)$")


def _text(row: tabular.Row, kind: str, languages: list[str]) -> LocalizedText:
    values = {lang: row.get(f"{kind}_{lang}") for lang in languages}
    return {lang: v for lang, v in values.items() if v}


def import_csv(text: str) -> Framework:
    """Parse a framework spreadsheet; raises :class:`ProblemsError` listing every problem."""
    table = tabular.read(text)
    header, rows = table.header, table.rows
    found: list[UserFacingError] = []
    if "type" not in header or "id" not in header:
        raise ProblemsError([UserFacingError(N_("The header must have the columns \"type\" and "
                                           "\"id\"."), path="row 1")])
    languages = sorted({m.group(2) for h in header if (m := _LANG_COLUMN.match(h))},
                       key=_language_order)
    level_columns = [(h, m.group(1), m.group(2)) for h in header
                     if (m := _LEVEL_COLUMN.match(h))]
    data: dict = {"schema_version": 1, "id": "", "title": {}, "levels": [], "areas": []}
    rows_at: dict[str, tabular.Row] = {}  # JSON pointer -> spreadsheet row, for messages
    area = None
    for row in rows:
        kind = row.get("type").lower()
        if kind not in TYPES:
            found.append(UserFacingError(N_("Unknown row type \"{type}\"; use one of: {allowed}."),
                                         path=row.where("type"), type=row.get("type"),
                                         allowed=", ".join(TYPES)))
            continue
        item = {"id": row.get("id"), "title": _text(row, "title", languages)}
        description = _text(row, "description", languages)
        if description:
            item["description"] = description
        if kind == "framework":
            data.update(item)
            if row.get("version"):
                data["version"] = row.get("version")
        elif kind == "level":
            item["label"] = item.pop("title")
            rows_at[f"/levels/{len(data['levels'])}"] = row
            data["levels"].append(item)
        elif kind == "area":
            area = dict(item, competences=[])
            rows_at[f"/areas/{len(data['areas'])}"] = row
            data["areas"].append(area)
        else:
            area_id = row.get("area")
            target = area if not area_id else next(
                (a for a in data["areas"] if a["id"] == area_id), None)
            if target is None:
                found.append(UserFacingError(
                    N_("The competence's area \"{area}\" has no area row above it."),
                    path=row.where("area"), area=area_id))
                continue
            levels = {}
            for column, level_id, lang in level_columns:
                if row.get(column):
                    levels.setdefault(level_id, {})[lang] = row.get(column)
            if levels:
                item["levels"] = levels
            index = data["areas"].index(target)
            rows_at[f"/areas/{index}/competences/{len(target['competences'])}"] = row
            target["competences"].append(item)
    if not data["id"]:
        data["id"] = "imported-framework"
    if not data["title"]:
        data["title"] = {"en": data["id"]}
    raise_if(found)
    raise_if([_locate(p, rows_at) for p in problems(data)])
    return Framework.from_dict(data)


def _locate(problem: UserFacingError, rows_at: dict[str, tabular.Row]) -> UserFacingError:
    """Say which spreadsheet row a problem found in the assembled document comes from."""
    path = problem.path or ""
    best = max((p for p in rows_at if path == p or path.startswith(p + "/")), key=len,
               default=None)
    if best is None:
        return problem
    return UserFacingError(problem.message, path=f"{rows_at[best].where()}: {path}",
                           **problem.params)


def export_csv(framework: Framework, delimiter: str = ";", bom: bool = True) -> str:
    """The framework as one spreadsheet (round-trips through :func:`import_csv`)."""
    languages = _languages(framework)
    header = ["type", "id", "area", "version"]
    header += [f"title_{lang}" for lang in languages]
    header += [f"description_{lang}" for lang in languages]
    header += [f"level:{lv.id}:{lang}" for lv in framework.levels for lang in languages]

    def texts(title, description) -> list[str]:
        return [_variant(title, lang) for lang in languages] + [
            _variant(description, lang) for lang in languages]

    blank_levels = [""] * (len(framework.levels) * len(languages))
    rows = [["framework", framework.id, "", framework.version]
            + texts(framework.title, framework.description) + blank_levels]
    rows += [["level", lv.id, "", ""] + texts(lv.label, lv.description) + blank_levels
             for lv in framework.levels]
    for area in framework.areas:
        rows.append(["area", area.id, "", ""] + texts(area.title, area.description) + blank_levels)
        for comp in area.competences:
            rows.append(["competence", comp.id, area.id, ""] + texts(comp.title, comp.description)
                        + [_variant(comp.levels.get(lv.id), lang)
                           for lv in framework.levels for lang in languages])
    return tabular.write(header, rows, delimiter=delimiter, bom=bom)


def _variant(text: LocalizedText | None, lang: str) -> str:
    if not text:
        return ""
    if isinstance(text, str):
        return text if lang == "en" else ""
    return text.get(lang, "")


def _languages(framework: Framework) -> list[str]:
    found: set[str] = set()

    def add(text):
        if isinstance(text, dict):
            found.update(text)
        elif text:
            found.add("en")

    add(framework.title)
    add(framework.description)
    for lv in framework.levels:
        add(lv.label)
        add(lv.description)
    for area in framework.areas:
        add(area.title)
        add(area.description)
        for comp in area.competences:
            add(comp.title)
            add(comp.description)
            for text in comp.levels.values():
                add(text)
    return sorted(found, key=_language_order) or ["en"]


def _language_order(lang: str) -> tuple[int, str]:
    return ({"en": 0, "da": 1}.get(lang, 2), lang)
