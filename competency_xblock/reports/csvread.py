"""Reading report CSVs as they arrive on an HR desk, one row at a time.

What the LMS writes is plain UTF-8 with commas.  What reaches HR has often been opened and
saved again: a byte-order mark, semicolons (Danish Excel), Windows-1252, blank lines, extra
columns someone added.  All of that is accepted.  What is refused, with the file, line and
column named: a file cut off in the middle of a row or of a quoted value, rows with more or
fewer values than the header, NUL bytes, text that is not UTF-8 halfway through.
"""
from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from competency_xblock.reports.errors import ReportInputError
from competency_xblock.text import N_

#: Longest field accepted (the LMS's ``state`` column holds a learner's whole JSON state).
MAX_FIELD = 16 * 1024 * 1024
#: Characters of a multi-line record re-read for locating an error.
MAX_PENDING = 1024 * 1024
SNIFF_BYTES = 64 * 1024
DELIMITERS = (",", ";", "\t")



def _allow_long_fields() -> None:
    """Raise the csv module's field limit for report files.  The limit is process-wide, so it
    is raised only when a report file is opened (the HR command line), never on import: a
    block's own spreadsheet imports in the LMS keep their smaller bound."""
    if csv.field_size_limit() < MAX_FIELD:
        csv.field_size_limit(MAX_FIELD)


class _Feed:
    """An iterator that hands the csv module the one record it was just given."""

    __slots__ = ("text",)

    def __init__(self) -> None:
        self.text: str | None = None

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        text, self.text = self.text, None
        if text is None:
            raise StopIteration
        return text


class Lazy:
    """A quoted field kept as the bytes of the file until someone needs it (the LMS's
    ``state``: kilobytes per row, the same on every row of a learner).  Use :func:`value`."""

    __slots__ = ("raw", "encoding")

    def __init__(self, raw: bytes, encoding: str) -> None:
        self.raw = raw          # between the quotes, quotes still doubled
        self.encoding = encoding

    def __str__(self) -> str:
        return self.raw.decode(self.encoding, errors="replace").replace('""', '"')

    def __bool__(self) -> bool:
        return True


def value(field: str | Lazy) -> str:
    """The text of a field as read (decodes a :class:`Lazy` one)."""
    return str(field) if isinstance(field, Lazy) else field


@dataclass(frozen=True)
class Header:
    names: list[str]          # as written (trimmed), for messages
    folded: list[str]         # case-folded, for matching
    line: int

    def index(self, *candidates: str) -> int | None:
        """Position of the first column whose folded name is one of ``candidates``."""
        wanted = {c.casefold() for c in candidates}
        for position, name in enumerate(self.folded):
            if name in wanted:
                return position
        return None


def _encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM), or Windows-1252 for a file with no UTF-8 in it at all.

    A file that is UTF-8 apart from a stray byte stays UTF-8, so the stray byte is reported
    instead of every "æ" turning into "Ã¦".
    """
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 4:
            return "utf-8"  # only a character cut at the end of the sample
        text = sample.decode("utf-8", errors="replace")
        if any(ord(char) > 127 and char != "\ufffd" for char in text):
            return "utf-8"
        return "cp1252"
    return "utf-8"


def _delimiter(first_line: str) -> str:
    counts = {d: 0 for d in DELIMITERS}
    quoted = False
    for char in first_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _field_at_end(text: str, delimiter: str) -> int:
    """0-based index of the field that is open at the end of ``text`` (one record's lines)."""
    index, quoted = 0, False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            index += 1
    return index


class CsvFile:
    """Iterate ``(line, values)`` over the data rows of a CSV file; ``header`` is read first.

    ``line`` is the physical line where the row ends (what an editor shows).  ``on_progress``
    is called now and then with the number of bytes read so far.
    """

    def __init__(self, path: str, on_progress: Callable[[int], None] | None = None,
                 lazy_last: str | None = None) -> None:
        """``lazy_last``: the (folded) name of a last column whose values are big and mostly
        not needed (the LMS's ``state``); see :class:`Lazy`."""
        _allow_long_fields()
        self.path = str(path)
        self.name = os.path.basename(self.path)
        self.size = os.path.getsize(self.path)
        self.on_progress = on_progress
        self._binary = open(self.path, "rb")  # closed by close() or at the end of rows()
        sample = self._binary.read(SNIFF_BYTES)
        self._binary.seek(0)
        if not sample.strip(b"\xef\xbb\xbf \r\n\t"):
            self.close()
            raise ReportInputError(N_("The file is empty."), self.path)
        if sample.startswith(b"PK\x03\x04") or sample.startswith(b"\xd0\xcf\x11\xe0"):
            self.close()
            raise ReportInputError(N_("This is a spreadsheet workbook, not a CSV file: open it "
                                      "and save it as \"CSV UTF-8\"."), self.path)
        if b"\x00" in sample:
            self.close()
            raise ReportInputError(N_("The line contains a NUL byte: this is not a text CSV "
                                      "file."), self.path,
                                   line=sample[:sample.index(b"\x00")].count(b"\n") + 1)
        self.encoding = _encoding(sample)
        self._binary.seek(-1, os.SEEK_END)
        #: False when the last line has no line end: the file may have been cut off there.
        self.terminated = self._binary.read(1) in (b"\n", b"\r")
        self._binary.seek(0)
        #: True while the last row of the file is being handled.
        self.at_last_row = False
        first = sample.decode(self.encoding, errors="replace").lstrip("\ufeff")
        self.delimiter = _delimiter(first.splitlines()[0] if first else "")
        self._end = 0  # physical line where the last complete record ended
        self._physical = 0
        self._bytes_mode = bool(lazy_last) and not (b"\r" in sample and b"\n" not in sample)
        if self._bytes_mode:
            # Records are split as bytes by quote parity; only what is needed is decoded.
            self._next = self._next_bytes  # type: ignore[method-assign]
            self._decode_as = "utf-8" if self.encoding == "utf-8-sig" else self.encoding
            self._marker = (self.delimiter + '"{').encode("ascii")
            self._lazy = False
            self._width = 0
        else:
            # The csv module reads the decoded text itself.  Errors are located afterwards
            # by reading the file again (see _locate_*), so the common case pays nothing
            # for exact line and column numbers.
            self._text = io.TextIOWrapper(self._binary, encoding=self.encoding, newline="")
            self._reader = csv.reader(self._text, delimiter=self.delimiter, strict=True)
        self.header = self._read_header()
        if self._bytes_mode:
            self._width = len(self.header.names)
            self._lazy = self.header.folded[-1] == lazy_last

    # ---- plumbing ----------------------------------------------------------------------
    def _next(self) -> list[str] | None:
        try:
            row = next(self._reader)
        except StopIteration:
            return None
        except UnicodeDecodeError as exc:
            raise self._locate_bad_byte() from exc
        except csv.Error as exc:
            raise self._locate_csv_error(str(exc)) from exc
        self._end = self._reader.line_num
        return row

    # The fast path for the LMS's Problem Responses report: its last column, ``state``, holds
    # each learner's whole JSON state (kilobytes, repeated on every row of the learner) and is
    # read only once per learner.  Records are found by quote parity on the bytes, the
    # columns before ``state`` are decoded and parsed by the csv module, and ``state`` stays
    # bytes (:class:`Lazy`).  Anything unusual in a record goes to the csv module whole.
    def _next_bytes(self) -> list[str] | None:
        binary = self._binary
        raw = binary.readline()
        if not raw:
            return None
        self._physical += 1
        if self._physical == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        start = self._physical
        quotes = raw.count(b'"')
        if quotes & 1:
            parts = [raw]
            while quotes & 1:
                raw = binary.readline()
                if not raw:
                    text = self._decode(b"".join(parts), start)
                    column = _field_at_end(text, self.delimiter)
                    raise ReportInputError(
                        N_("The file ends inside a quoted value that starts on line {start}: "
                           "the file is cut off or a quote is missing."), self.path,
                        line=self._physical, column=self._name(column), index=column,
                        start=start)
                self._physical += 1
                parts.append(raw)
                quotes += raw.count(b'"')
            raw = b"".join(parts)
        self._end = self._physical
        if self._lazy:
            body = raw.rstrip(b"\r\n")
            cut = body.find(self._marker)
            if cut >= 0 and body.endswith(b'"') and not body.count(b'"', 0, cut) & 1:
                head = body[:cut]
                try:
                    text = head.decode(self._decode_as)
                except UnicodeDecodeError:
                    text = self._decode(head, start)
                if '"' in text:
                    fields = self._parse(text)
                else:  # nothing quoted before the state: a plain split is the same parse
                    fields = text.split(self.delimiter)
                if len(fields) == self._width - 1:
                    fields.append(Lazy(body[cut + 2:-1], self._decode_as))  # type: ignore
                    return fields
        return self._parse(self._decode(raw, start))

    def _decode(self, raw: bytes, start: int) -> str:
        """``raw``: a record (or its start) beginning on line ``start``."""
        try:
            return raw.decode(self._decode_as)
        except UnicodeDecodeError as exc:
            before = raw[:exc.start].decode(self._decode_as, errors="replace")
            index = _field_at_end(before, self.delimiter)
            raise ReportInputError(
                N_("The text is not UTF-8 (nor one consistent encoding): byte {byte} "
                   "cannot be read. Save the file again as \"CSV UTF-8\"."),
                self.path, line=start + before.count("\n"), column=self._name(index),
                index=index, byte=f"0x{raw[exc.start]:02X}") from exc

    def _parse(self, text: str) -> list[str]:
        """One complete record through the csv module (one reader, fed one record a time)."""
        feed = self.__dict__.get("_feed")
        if feed is None:
            feed = self._feed = _Feed()
            self._feed_reader = csv.reader(feed, delimiter=self.delimiter, strict=True)
        feed.text = text
        try:
            return next(self._feed_reader, [])
        except csv.Error as exc:
            feed.text = None
            self._feed_reader = csv.reader(feed, delimiter=self.delimiter, strict=True)
            raise ReportInputError(N_("The CSV is malformed here ({detail})."), self.path,
                                   line=self._end, detail=str(exc)) from exc

    def _raw_lines(self) -> Iterator[bytes]:
        with open(self.path, "rb") as handle:
            yield from handle

    def _locate_bad_byte(self) -> ReportInputError:
        encoding = "utf-8" if self.encoding == "utf-8-sig" else self.encoding
        for number, raw in enumerate(self._raw_lines(), start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                raw.decode(encoding)
            except UnicodeDecodeError as exc:
                before = raw[:exc.start].decode(encoding, errors="replace")
                index = _field_at_end(before, self.delimiter)
                return ReportInputError(
                    N_("The text is not UTF-8 (nor one consistent encoding): byte {byte} "
                       "cannot be read. Save the file again as \"CSV UTF-8\"."),
                    self.path, line=number, column=self._name(index), index=index,
                    byte=f"0x{raw[exc.start]:02X}")
        return ReportInputError(N_("The CSV is malformed here ({detail})."), self.path,
                                line=self._end + 1, detail="encoding")

    def _locate_csv_error(self, detail: str) -> ReportInputError:
        start = self._end + 1
        pending: list[str] = []
        size = 0
        last = start
        for number, raw in enumerate(self._raw_lines(), start=1):
            if number < start:
                continue
            last = number
            if size < MAX_PENDING:
                text = raw.decode(self.encoding, errors="replace")
                pending.append(text)
                size += len(text)
            if "NUL" in detail and b"\x00" in raw:
                break
            if "end of data" not in detail and "EOF" not in detail and number >= \
                    self._reader.line_num:
                break
        column = _field_at_end("".join(pending).lstrip("\ufeff"), self.delimiter)
        if "end of data" in detail or "EOF" in detail:
            message = N_("The file ends inside a quoted value that starts on line {start}: "
                         "the file is cut off or a quote is missing.")
        elif "NUL" in detail:
            message = N_("The line contains a NUL byte: this is not a text CSV file.")
        elif "field larger" in detail:
            message = N_("A value is longer than {limit} characters.")
        else:
            message = N_("The CSV is malformed here ({detail}).")
        return ReportInputError(message, self.path, line=max(last, start),
                                column=self._name(column), index=column, start=start,
                                limit=MAX_FIELD, detail=detail)

    def _name(self, index: int) -> str:
        header = getattr(self, "header", None)
        names = header.names if header is not None else self._first_line_names()
        if index < len(names):
            return names[index]
        return f"#{index + 1}"

    def _first_line_names(self) -> list[str]:
        """The headings, read again on the error path (the header itself may be unread)."""
        for raw in self._raw_lines():
            text = raw.decode(self.encoding, errors="replace").lstrip("\ufeff")
            if text.strip():
                return [n.strip() for n in next(csv.reader([text], delimiter=self.delimiter))]
        return []

    def _read_header(self) -> Header:
        while True:
            row = self._next()
            if row is None:
                self.close()
                raise ReportInputError(N_("The file has no header row."), self.path)
            if "".join(row).strip():
                names = [str(v).strip().lstrip("\ufeff").strip() for v in row]
                return Header(names, [n.casefold() for n in names], self._end)

    # ---- API -------------------------------------------------------------------------------
    def rows(self) -> Iterator[tuple[int, list[str]]]:
        width = len(self.header.names)
        count = 0
        progress = self.on_progress
        try:
            row = self._next()
            while row is not None:
                line = self._end
                following = self._next()  # one row ahead, to know which row is the last
                self.at_last_row = following is None
                if len(row) == width:
                    if any(row):  # the common case: one cheap test
                        yield line, row
                elif "".join(row).strip():
                    self._check_width(row, width, line, following is None)
                    yield line, row
                count += 1
                if progress is not None and not count & 2047:
                    progress(self._binary.tell())
                row = following
        finally:
            if progress is not None:
                progress(self.size)
            self.close()

    def _check_width(self, row: list[str], width: int, line: int, last: bool) -> None:
        if len(row) < width:
            message = (N_("The row has {found} of {expected} values: the file is cut "
                          "off here.") if last else
                       N_("The row has {found} values but the header names "
                          "{expected} columns; this one is missing."))
            raise ReportInputError(message, self.path, line=line,
                                   column=self.header.names[len(row)],
                                   index=len(row), found=len(row), expected=width)
        if any(v.strip() for v in row[width:]):
            extra = next(i for i in range(width, len(row)) if row[i].strip())
            raise ReportInputError(
                N_("The row has more values than the header has columns "
                   "(a delimiter or quote is probably wrong)."),
                self.path, line=line, column=f"#{extra + 1}", index=extra)

    def error(self, message: str, line: int, index: int | None = None,
              **params) -> ReportInputError:
        """An error about the value at ``index`` of the row ending on ``line``."""
        column = self.header.names[index] if index is not None else None
        return ReportInputError(message, self.path, line=line, column=column, index=index,
                                **params)

    def close(self) -> None:
        try:
            self._binary.close()
        except Exception:  # noqa: BLE001 - closing twice or after a failed open is fine
            pass


def peek_header(path: str) -> Header:
    """Only the header of a CSV file (to tell which report it is)."""
    source = CsvFile(path)
    source.close()
    return source.header
