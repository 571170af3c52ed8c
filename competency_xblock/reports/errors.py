"""Errors about input files that tell the operator where to look: file, line and column."""
from __future__ import annotations

from typing import Any

from competency_xblock.text import N_, UserFacingError


def column_letter(index: int) -> str:
    """Spreadsheet column name of a 0-based index (0 -> A, 27 -> AB)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class ReportInputError(UserFacingError):
    """A problem in an input file, located by file name, line and (when known) column.

    ``column`` is the heading as it stands in the file; ``index`` its 0-based position, shown as
    the spreadsheet letter so the person can find it in Excel.
    """

    def __init__(self, message: str, file: str, line: int | None = None,
                 column: str | None = None, index: int | None = None, **params: Any) -> None:
        self.file = str(file) if file else ""
        self.line = line
        self.column = column
        self.index = index
        super().__init__(message, **params)

    def location(self, gettext=lambda s: s) -> str:
        params = {"file": self.file, "line": self.line, "column": self.column or "",
                  "letter": column_letter(self.index) if self.index is not None else ""}
        if self.line is not None and self.column and self.index is not None:
            template = N_("{file}, line {line}, column \"{column}\" ({letter})")
        elif self.line is not None and self.column and self.column.isdigit():
            template = N_("{file}, line {line}, character {column}")
        elif self.line is not None and self.column:
            template = N_("{file}, line {line}, column \"{column}\"")
        elif self.line is not None:
            template = N_("{file}, line {line}")
        else:
            template = "{file}"
        return gettext(template).format(**params)

    def render(self, gettext=lambda s: s) -> str:
        text = gettext(self.message)
        try:
            text = text.format(**self.params)
        except (KeyError, IndexError, ValueError):
            pass
        return f"{self.location(gettext)}: {text}"
