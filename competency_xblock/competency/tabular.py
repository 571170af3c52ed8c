"""CSV reading and writing for spreadsheets kept by authors and HR.

Danish Excel writes and expects ``;`` and a UTF-8 byte-order mark; other tools use ``,``.
Reading sniffs the delimiter from the header line; writing defaults to what Danish Excel
opens correctly.  Cells that a spreadsheet would run as a formula are quoted with a leading
apostrophe on export and unquoted on import, so round trips stay exact.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from competency_xblock.text import N_, UserFacingError

BOM = "\ufeff"
#: Biggest CSV accepted (characters); an HR sheet of 50 roles x 300 competences fits easily.
MAX_CSV_CHARS = 2_000_000
MAX_ROWS = 5_000
#: Longest cell (Python's csv default, checked here because the csv limit is process-wide).
MAX_CELL_CHARS = 131_072
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Row:
    line: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "") or ""

    def where(self, column: str | None = None) -> str:
        return f"row {self.line}" + (f", column {column}" if column else "")


def _sniff(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _unquote(cell: str) -> str:
    if len(cell) > 1 and cell[0] == "'" and cell[1] in _FORMULA_START:
        return cell[1:]
    return cell


def _quote(cell: str) -> str:
    return "'" + cell if cell and cell[0] in _FORMULA_START else cell


@dataclass(frozen=True)
class Table:
    header: list[str]  # lower-cased and stripped: the keys of every row's cells
    titles: dict[str, str]  # lower-cased header -> the header as typed (e.g. a role title)
    rows: list[Row]


def read(text: str) -> Table:
    """The header and the non-empty rows with their line numbers."""
    if len(text) > MAX_CSV_CHARS:
        raise UserFacingError(N_("The file is too big (at most {limit} characters)."),
                              limit=MAX_CSV_CHARS)
    text = text.lstrip(BOM)
    if not text.strip():
        raise UserFacingError(N_("The file is empty."))
    first = text.splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff(first))
    try:
        typed = [h.strip() for h in next(reader)]
        header = [h.lower() for h in typed]
        rows = []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if any(len(c) > MAX_CELL_CHARS for c in cells):
                raise UserFacingError(N_("A cell is too long (at most {limit} characters)."),
                                      path=f"row {reader.line_num}", limit=MAX_CELL_CHARS)
            if len(rows) >= MAX_ROWS:
                raise UserFacingError(N_("The file has too many rows (at most {limit})."),
                                      limit=MAX_ROWS)
            rows.append(Row(reader.line_num, {
                header[i]: _unquote(c.strip()) for i, c in enumerate(cells) if i < len(header)
            }))
    except csv.Error as exc:
        raise UserFacingError(N_("The file is not valid CSV: {detail}."),
                              path=f"row {reader.line_num}", detail=str(exc)) from exc
    return Table(header, dict(zip(header, typed, strict=True)), rows)


def write(header: list[str], rows: list[list[str]], delimiter: str = ";",
          bom: bool = True) -> str:
    """CSV text; defaults open correctly in Danish Excel (``;`` and a byte-order mark)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_quote(c) for c in row])
    return (BOM if bom else "") + out.getvalue()
