"""Hostile atlas sources: KLE XML, CSV and JSON imports and the atlas block's OLX.

Same rules as ``test_hostile_files.py``: refused (or harmlessly read) within 2 s of CPU, with a
readable message, no file opened, no connection made, no canary in the outcome.
"""
from __future__ import annotations

import json

import pytest

from competency_xblock.text import UserFacingError
from tests.security.conftest import Stopwatch
from tests.security.test_hostile_files import (
    CANARIES,
    NEEDS_NO_DTD,
    OPTION_NS,
    XML_CORPUS,
    check_refusal,
    deep,
    fill,
    parse,
)

MAPPING = b"kle,unit\n23,borgerservice\n"
KLE_ATTRS = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'


def kle_import(xml: bytes | str, max_bytes: int | None = None):
    from competency_xblock.atlas.importers import import_kle_xml

    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    extra = {"max_bytes": max_bytes} if max_bytes else {}
    return import_kle_xml(data, MAPPING, default_unit="borgerservice", **extra)


def refused_report(report) -> str:
    """The importers report problems as data: the report must hold no atlas and say why."""
    assert report.atlas is None, "the hostile file produced an atlas"
    messages = " ".join(r.render() for r in report.rejected)
    assert messages.strip() and "Traceback" not in messages
    for canary in CANARIES:
        assert canary not in messages
    return messages


@pytest.mark.parametrize("path", XML_CORPUS, ids=lambda p: p.name)
def test_kle_xml_importer_refuses_attacks(path, file_trap, listener):
    text = fill(path, "KLE-Emneplan", KLE_ATTRS, file_trap, listener)
    report = check_refusal(lambda: kle_import(text), file_trap, listener, may_succeed=True)
    if path.name in NEEDS_NO_DTD:
        services = report.atlas.services if report.atlas is not None else ()
        assert not services
    else:
        assert "DOCTYPE" in refused_report(report)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
@pytest.mark.parametrize("name", ["billion-laughs.xml", "xxe-file.xml", "external-dtd.xml",
                                  "parameter-entity.xml"])
def test_kle_xml_attacks_in_other_encodings(name, encoding, file_trap, listener):
    """The byte-level DOCTYPE check cannot see UTF-16; the parser settings must hold anyway."""
    from tests.security.conftest import SECURITY_DATA

    text = fill(SECURITY_DATA / "xml" / name, "KLE-Emneplan", KLE_ATTRS, file_trap, listener)
    text = text.replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding}"?>')
    report = check_refusal(lambda: kle_import(text.encode(encoding)), file_trap, listener,
                           may_succeed=True)
    refused_report(report)


def test_kle_xml_doctype_after_the_checked_prolog(file_trap, listener):
    """64 KiB of comments, then a DTD: past the byte check, still no expansion or access."""
    from tests.security.conftest import SECURITY_DATA

    for name in ("billion-laughs.xml", "xxe-file.xml", "parameter-entity.xml"):
        text = fill(SECURITY_DATA / "xml" / name, "KLE-Emneplan", KLE_ATTRS, file_trap, listener)
        text = text.replace('<?xml version="1.0"?>',
                            '<?xml version="1.0"?>' + "<!--" + "x" * 70_000 + "-->")
        report = check_refusal(lambda t=text: kle_import(t), file_trap, listener,
                               may_succeed=True)
        refused_report(report)


def test_kle_xml_deep_nesting_and_size_limit(file_trap, listener):
    report = check_refusal(lambda: kle_import(deep("KLE-Emneplan", KLE_ATTRS)), file_trap,
                           listener, may_succeed=True)
    assert "depth" in refused_report(report)
    big = "<KLE-Emneplan>" + "<!-- padding -->" * 200_000 + "</KLE-Emneplan>"
    report = check_refusal(lambda: kle_import(big, max_bytes=1024 * 1024), file_trap, listener,
                           may_succeed=True)
    assert "large" in refused_report(report).lower() or "big" in refused_report(report).lower()


ATLAS_CSV_ATTACKS = {
    "nul": "id,name,unit\nx\x00,y\x00,borgerservice\n",
    "huge-field": "id,name,unit\nx," + "y" * 2_000_000 + ",borgerservice\n",
    "open-quote": 'id,name,unit\n"x,y,borgerservice\n' + "z," * 100_000,
    "many-columns": ",".join(f"c{i}" for i in range(100_000)) + "\n1,2\n",
    "formula": "id,name,unit\nx,=HYPERLINK(\"http://evil.example\"),borgerservice\n",
    "binary": "\xff\xfe\x00\x01" * 1000,
}


@pytest.mark.parametrize("name", list(ATLAS_CSV_ATTACKS))
def test_atlas_csv_importer_survives_hostile_csv(name, file_trap, listener):
    from competency_xblock.atlas.importers import import_csv

    data = ATLAS_CSV_ATTACKS[name].encode("utf-8", "surrogatepass")
    check_refusal(lambda: import_csv(data, base={"id": "b", "title": "B", "units": [
        {"id": "borgerservice", "name": "Borgerservice"}], "services": []}),
        file_trap, listener, may_succeed=True)


ATLAS_JSON_ATTACKS = {
    "deep-arrays": "[" * 100_000,
    "deep-objects": '{"a":' * 50_000 + "1" + "}" * 50_000,
    "nan": '{"id": "x", "title": NaN, "units": [], "services": []}',
    "huge-int": '{"id": ' + "9" * 5000 + "}",
    "lone-surrogate": '{"id": "x", "title": "\\ud800", "units": [], "services": []}',
}


@pytest.mark.parametrize("name", list(ATLAS_JSON_ATTACKS))
def test_atlas_json_importer_refuses_hostile_json(name, file_trap, listener):
    from competency_xblock.atlas.importers import import_json

    report = check_refusal(lambda: import_json(ATLAS_JSON_ATTACKS[name].encode("utf-8")),
                           file_trap, listener, may_succeed=True)
    if not isinstance(report, UserFacingError):
        refused_report(report)


# --- the atlas block's OLX ------------------------------------------------------------------


@pytest.mark.parametrize("path", XML_CORPUS, ids=lambda p: p.name)
def test_atlas_olx_attacks_are_refused(workbench, path, file_trap, listener):
    text = fill(path, "atlas_lookup", f'display_name="olx" {OPTION_NS}', file_trap, listener)
    outcome = check_refusal(lambda: parse(text), file_trap, listener,
                            may_succeed=path.name in NEEDS_NO_DTD)
    if path.name == "internal-entity.xml":
        assert isinstance(outcome, UserFacingError) and "DOCTYPE" in outcome.render()


def test_atlas_olx_deep_and_oversized(workbench, file_trap, listener):
    from competency_xblock.core.olx import MAX_OLX_CHARS

    check_refusal(lambda: parse(deep("atlas_lookup", 'display_name="x"')), file_trap, listener)
    padding = "y" * (MAX_OLX_CHARS // 2 + 10)
    huge = (f'<atlas_lookup {OPTION_NS}><option:inline_atlas>{{"a": "{padding}"}}'
            f'</option:inline_atlas><option:exercise>{{"b": "{padding}"}}</option:exercise>'
            "</atlas_lookup>")
    with Stopwatch() as watch, pytest.raises(UserFacingError, match="too large"):
        parse(huge)
    watch.check()


def test_inline_atlas_through_studio_is_validated_not_crashing(bench):
    """Hostile inline atlases sent by staff: refused with messages, nothing stored."""
    from tests.security.conftest import stored

    scenario = bench.scenario("<atlas_lookup/>", "hostile inline atlas")
    usage = bench.render(scenario, student="staff").usage_id
    before = stored(bench)
    for atlas in ({"units": "x"}, {"id": "x", "title": "X", "units": [{"id": "u"}] * 3000,
                                   "services": []},
                  {"id": "x", "title": "X", "units": [], "services": [{"id": "s", "kle": ["99"]
                                                                         * 5000}]},
                  json.loads('{"a": ' * 90 + "1" + "}" * 90)):
        result = bench.call(usage, "submit_studio_edits", {"values": {"inline_atlas": atlas}},
                            student="staff")
        assert result.status == 400, (result.status, result.body[:300])
        assert result.data["error"]
    assert stored(bench) == before
