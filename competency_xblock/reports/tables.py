"""The report tables, and writing them as CSV and XLSX.

CSV follows the reader's spreadsheet: English gets commas and decimal points, Danish gets
semicolons and decimal commas (what Danish Excel opens without an import dialog); both are
UTF-8 with a byte-order mark.  XLSX (openpyxl, optional) stores real numbers with number
formats, one sheet per table, plus the heat map as coloured cells.
"""
from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from competency_xblock.reports.atlas import AtlasReport
from competency_xblock.reports.gaps import GapMatrix
from competency_xblock.reports.heatmap import HIDDEN, HeatmapSpec, text_colour
from competency_xblock.reports.items import ItemAnalysis
from competency_xblock.reports.labels import (
    FLAG_TEXT,
    GAP_COLUMNS,
    GROUPING,
    ITEM_COLUMNS,
    NO_ROLE,
    OPTION_COLUMNS,
    OTHER_OPTION,
    SCENARIO_COLUMNS,
    SHEETS,
    TERM_COLUMNS,
    Labels,
)

TEXT, INT, DEC, SHARE, SIGNED = "text", "int", "dec", "share", "signed"


@dataclass
class Table:
    key: str
    title: str
    headings: list[str]
    formats: list[str]
    rows: list[list[Any]] = field(default_factory=list)


def _table(key: str, columns: dict[str, str], formats: dict[str, str], labels: Labels
           ) -> Table:
    return Table(key, labels(SHEETS[key]), [labels(columns[c]) for c in columns],
                 [formats.get(c, TEXT) for c in columns])


def gap_table(matrix: GapMatrix, labels: Labels) -> Table:
    table = _table("gaps", GAP_COLUMNS, {
        "respondents": INT, "share_dont_know": SHARE, "mean_self": DEC, "mean_expected": DEC,
        "mean_gap": SIGNED, "share_below": SHARE, "change": SIGNED, "reassessed": INT},
        labels)
    for c in matrix.cells:
        table.rows.append([
            labels(GROUPING[c.grouping]),
            labels(GROUPING["all"]) if c.grouping in ("unit", "all") else labels.row(c.role,
                                                                                  NO_ROLE),
            labels(GROUPING["all"]) if c.grouping in ("role", "all") else labels.row(c.unit),
            c.area, c.competence_id, c.competence, c.respondents, c.share_dont_know,
            c.mean_self, c.expected_label, c.mean_expected, c.mean_gap, c.share_below,
            c.change, c.reassessed, labels.yes_no(c.suppressed or c.levels_hidden)])
    return table


def item_tables(analysis: ItemAnalysis, labels: Labels) -> tuple[Table, Table]:
    items = _table("items", ITEM_COLUMNS, {
        "responses": INT, "facility": SHARE, "point_biserial": DEC, "upper_lower": DEC,
        "top_distractor_share": SHARE}, labels)
    options = _table("options", OPTION_COLUMNS, {
        "picks": INT, "share": SHARE, "upper": SHARE, "lower": SHARE}, labels)
    for item in analysis.items:
        top = item.top_distractor
        items.rows.append([
            item.block_title, item.question_id, item.prompt, item.responses, item.facility,
            item.point_biserial, item.upper_lower,
            ", ".join(labels(FLAG_TEXT[f]) for f in item.flags),
            (top.option or labels(OTHER_OPTION)) if top else "", top.share if top else None,
            labels.yes_no(item.suppressed)])
        for option in item.options:
            options.rows.append([
                item.block_title, item.question_id, option.option or labels(OTHER_OPTION),
                labels.yes_no(option.is_key), option.picks, option.share, option.upper,
                option.lower, labels.yes_no(option.suppressed)])
    return items, options


def atlas_tables(report: AtlasReport, labels: Labels,
                 pick_labels: dict[str, str] | None = None) -> tuple[Table, Table]:
    pick_labels = pick_labels or {}
    terms = _table("terms", TERM_COLUMNS, {"learners": INT, "searches": INT, "no_hits": INT,
                                           "wrong_picks": INT}, labels)
    for t in report.terms:
        target = f"{pick_labels[t.target]} ({t.target})" if t.target in pick_labels \
            else t.target
        terms.rows.append([t.term, t.learners, t.searches, t.no_hits, t.wrong_picks, target,
                           t.scenario])
    scenarios = _table("scenarios", SCENARIO_COLUMNS, {
        "learners": INT, "solved_share": SHARE, "mean_attempts": DEC, "mean_searches": DEC,
        "wrong_share": SHARE, "final_wrong_share": SHARE, "top_wrong_learners": INT}, labels)
    for s in report.scenarios:
        top = f"{pick_labels[s.top_wrong]} ({s.top_wrong})" if s.top_wrong in pick_labels \
            else s.top_wrong
        scenarios.rows.append([s.scenario, s.prompt, s.learners, s.solved_share,
                               s.mean_attempts, s.mean_searches, s.wrong_share,
                               s.final_wrong_share, top, s.top_wrong_learners,
                               labels.yes_no(s.suppressed)])
    return terms, scenarios


# ---- CSV -----------------------------------------------------------------------------------
def _csv_value(value: Any, fmt: str, labels: Labels) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return labels.yes_no(value)
    if fmt == INT and isinstance(value, int | float):
        return str(int(value))
    if fmt in (DEC, SIGNED, SHARE) and isinstance(value, int | float):
        text = f"{value:.3f}" if fmt == SHARE else f"{value:.2f}"
        return text.replace(".", ",") if labels.language == "da" else text
    return str(value)


def write_csv(table: Table, path: str, labels: Labels) -> None:
    delimiter = ";" if labels.language == "da" else ","
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(table.headings)
        for row in table.rows:
            writer.writerow([_csv_value(v, f, labels)
                             for v, f in zip(row, table.formats, strict=True)])


# ---- XLSX ----------------------------------------------------------------------------------
NUMBER_FORMATS = {INT: "0", DEC: "0.00", SIGNED: "+0.00;\u22120.00;0.00", SHARE: "0%"}


def write_xlsx(tables: Sequence[Table], path: str, labels: Labels,
               heatmap: HeatmapSpec | None = None,
               about: Iterable[tuple[str, str]] = ()) -> None:
    """One workbook: a sheet per table, the heat map as coloured cells, an "About" sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    if heatmap is not None:
        sheet = book.create_sheet(_sheet_name(labels(SHEETS["heatmap"])))
        sheet.append([heatmap.title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([heatmap.subtitle])
        sheet.append([""] + heatmap.col_labels)
        for cell in sheet[3]:
            cell.font = bold
            cell.alignment = Alignment(text_rotation=45, vertical="bottom")
        for i, label in enumerate(heatmap.row_labels):
            sheet.append([label] + [c.value if c.state == "value" else
                                    ("\u2013" if c.state == HIDDEN else "")
                                    for c in heatmap.cells[i]])
            row = sheet.max_row
            sheet.cell(row, 1).font = bold
            for j, c in enumerate(heatmap.cells[i], start=2):
                target = sheet.cell(row, j)
                target.alignment = Alignment(horizontal="center")
                if c.state == "value":
                    target.number_format = (NUMBER_FORMATS[SIGNED] if heatmap.metric == "gap"
                                            else NUMBER_FORMATS[SHARE])
                    target.fill = PatternFill("solid", fgColor=c.fill.lstrip("#"))
                    target.font = Font(color=text_colour(c.fill).lstrip("#"))
                elif c.state == HIDDEN:
                    target.fill = PatternFill("lightUp", fgColor="737373", bgColor="D9D9D9")
        sheet.append([])
        sheet.append([heatmap.legend_hidden])
        sheet.column_dimensions["A"].width = min(45, 4 + max(
            (len(r) for r in heatmap.row_labels), default=10))
        for j in range(len(heatmap.col_ids)):
            sheet.column_dimensions[get_column_letter(j + 2)].width = 9
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.title))
        sheet.append(table.headings)
        for cell in sheet[1]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.rows:
            sheet.append([labels.yes_no(v) if isinstance(v, bool) else v for v in row])
        for j, fmt in enumerate(table.formats, start=1):
            letter = get_column_letter(j)
            if fmt in NUMBER_FORMATS:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=j, max_col=j):
                    cell.number_format = NUMBER_FORMATS[fmt]
            width = max([len(str(table.headings[j - 1]))] +
                        [len(str(r[j - 1])) for r in table.rows[:200] if r[j - 1] is not None])
            sheet.column_dimensions[letter].width = max(8, min(50, width + 2))
        sheet.freeze_panes = "A2"
        if table.rows:
            sheet.auto_filter.ref = sheet.dimensions
    sheet = book.create_sheet(_sheet_name(labels(SHEETS["about"])))
    for key, value in about:
        sheet.append([key, value])
        sheet.cell(sheet.max_row, 1).font = bold
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 90
    book.save(path)


def _sheet_name(title: str) -> str:
    for char in '[]:*?/\\':
        title = title.replace(char, " ")
    return title[:31]
