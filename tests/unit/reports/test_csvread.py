"""Reading report CSVs as HR has them: noise accepted, damage located by line and column."""
from __future__ import annotations

import json

import pytest

from competency_xblock.reports.csvread import CsvFile, _encoding
from competency_xblock.reports.errors import ReportInputError, column_letter
from competency_xblock.reports.i18n import gettext_for

from .conftest import RESPONSES_DA, RESPONSES_EN


def rows(path):
    source = CsvFile(path)
    return source, list(source.rows())


def test_lms_file_as_written():
    source, found = rows(RESPONSES_EN)
    assert source.delimiter == "," and source.encoding == "utf-8"
    assert source.header.names[:3] == ["username", "title", "location"]
    assert source.header.names[-2:] == ["block_key", "state"]
    assert found[0][0] == 2 and found[0][1][0] == "mette.hansen"


def test_danish_excel_resave_bom_semicolons_blank_rows_extra_column():
    source, found = rows(RESPONSES_DA)
    english = list(CsvFile(RESPONSES_EN).rows())
    assert source.delimiter == ";" and source.encoding == "utf-8-sig"
    assert source.header.names[0] == "username"  # the BOM is not part of the heading
    assert "Bemærkning (HR)" in source.header.names
    assert len(found) == len(english)  # the blank rows are skipped
    assert found[-1][0] > english[-1][0]  # line numbers still count the blank lines


def test_windows_1252_without_any_utf8_is_read_as_such(write):
    path = write("cp.csv", "username,title,location,block_key\nsøren,Æble,x,y\n",
                 encoding="cp1252")
    source, found = rows(path)
    assert source.encoding == "cp1252" and found[0][1][:2] == ["søren", "Æble"]


def test_encoding_sniffing():
    assert _encoding("æøå".encode()) == "utf-8"
    assert _encoding(b"\xef\xbb\xbfa") == "utf-8-sig"
    assert _encoding("æøå".encode("cp1252") + b"\n" * 10) == "cp1252"
    assert _encoding("Ø".encode() + b"\xe6" + b"x" * 10) == "utf-8"  # UTF-8 with a stray byte


def test_whitespace_around_headings_and_crlf(write):
    path = write("h.csv", " username , Title ,location\r\nbo,t,l\r\n")
    source, found = rows(path)
    assert source.header.names == ["username", "Title", "location"]
    assert source.header.index("TITLE") == 1 and found == [(2, ["bo", "t", "l"])]


def error(path) -> ReportInputError:
    with pytest.raises(ReportInputError) as info:
        source = CsvFile(path)
        list(source.rows())
    return info.value


def test_file_cut_inside_a_quoted_value_names_line_and_column(write):
    text = 'username,title,state\nbo,t,"{""a"": 1}"\nulla,t,"{""a"": \n2'
    err = error(write("cut.csv", text))
    assert (err.line, err.column, err.index) == (4, "state", 2)
    assert err.params["start"] == 3
    assert str(err).endswith('cut.csv, line 4, column "state" (C): The file ends inside a '
                             'quoted value that starts on line 3: the file is cut off or a '
                             'quote is missing.')


def test_file_cut_in_the_middle_of_a_row(write):
    err = error(write("cut.csv", "username,title,location,block_key\nbo,t,l,k\nulla,t"))
    assert (err.line, err.column) == (3, "location")
    assert "cut off" in str(err)


def test_short_row_in_the_middle(write):
    err = error(write("short.csv", "a,b,c\n1,2,3\n1,2\n1,2,3\n"))
    assert (err.line, err.column, err.params["found"]) == (3, "c", 2)
    assert "missing" in str(err)


def test_too_many_values(write):
    err = error(write("long.csv", "a,b\n1,2,,\n1,2,3\n"))  # empty extras are tolerated
    assert (err.line, err.column) == (3, "#3")


def test_stray_byte_in_utf8_file_is_located(write):
    good = "username,unit\n" + "bo,Ældreplejen\n" * 3
    bad = good.encode().replace("Æ".encode(), b"\xc6", 1)
    bad = bad.replace(b"bo,\xc6", "bo,Æ".encode(), 1)  # first row fine again
    data = bad.replace("bo,Ældreplejen\n".encode(), b"bo,\xc6ldreplejen\n", 1)
    err = error(write("bad.csv", data))
    assert (err.line, err.column) == (2, "unit")
    assert "0xC6" in str(err)


def test_nul_byte_and_workbooks(write):
    err = error(write("nul.csv", b"a,b\n1,\x002\n"))
    assert err.line == 2 and "NUL" in str(err)
    err = error(write("report.csv", b"PK\x03\x04\x14\x00rest-of-an-xlsx"))
    assert "workbook" in str(err) and "CSV UTF-8" in str(err)


def test_empty_and_header_less_files(write):
    assert "empty" in str(error(write("e.csv", "\ufeff \r\n")))
    assert "no header" in str(error(write("h.csv", ",,\n,,\n")))


def test_danish_message():
    err = ReportInputError("The row has {found} of {expected} values: the file is cut off here.",
                           "x.csv", line=7, column="Enhed", index=8, found=8, expected=48)
    assert err.render(gettext_for("da")) == (
        'x.csv, linje 7, kolonne "Enhed" (I): Rækken har 8 af 48 værdier: filen er afkortet her.')


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]


def test_progress_reports_bytes(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("a,b\n" + "1,2\n" * 5000)
    seen = []
    list(CsvFile(str(path), seen.append).rows())
    assert seen[-1] == path.stat().st_size and seen == sorted(seen) and len(seen) >= 3


# ---- the fast path for the LMS's big last column ------------------------------------------
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from competency_xblock.reports.csvread import Lazy, value  # noqa: E402

FIELD = st.text(alphabet=st.sampled_from(list('ab æø,;"{}\n\r ') + ["\u2013"]), max_size=12)
STATE = st.one_of(FIELD, st.builds(lambda t: "{" + t + "}", FIELD),
                  st.dictionaries(FIELD, FIELD, max_size=3).map(json.dumps))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(FIELD, FIELD, STATE), min_size=1, max_size=8),
       delimiter=st.sampled_from([",", ";"]), terminator=st.sampled_from(["\r\n", "\n"]))
def test_fast_path_reads_what_the_csv_module_reads(tmp_path, rows, delimiter, terminator):
    import csv as csv_module
    import io

    if terminator == "\n":  # the csv module would not quote a lone "\r" then (ambiguous)
        rows = [tuple(v.replace("\r", "") for v in row) for row in rows]
    buffer = io.StringIO()
    writer = csv_module.writer(buffer, delimiter=delimiter, lineterminator=terminator)
    writer.writerow(["username", "title", "state"])
    writer.writerows([["u" + a, b, c] for a, b, c in rows])
    path = tmp_path / "fast.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    expected = []
    reader = csv_module.reader(io.StringIO(buffer.getvalue(), newline=""), delimiter=delimiter)
    next(reader)
    for row in reader:
        expected.append((reader.line_num, row))
    source = CsvFile(str(path), lazy_last="state")
    got = [(line, [value(v) for v in row]) for line, row in source.rows()]
    if any("\r" in v for row in rows for v in row):
        # a lone CR inside a quoted value: the csv module counts it as a line, we do not
        got, expected = [r for _, r in got], [r for _, r in expected]
    assert got == expected


def test_fast_path_hands_the_state_over_escaped(write):
    path = write("s.csv", 'username,title,state\nbo,"a, b","{""x"": 1}"\n')
    ((line, row),) = CsvFile(path, lazy_last="state").rows()
    assert isinstance(row[2], Lazy) and value(row[2]) == '{"x": 1}' and row[1] == "a, b"
