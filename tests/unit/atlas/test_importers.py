"""Importers: JSON, CSV, KLE XML + mapping CSV; rejects with line/element precision."""
from __future__ import annotations

import json

import pytest

from competency_xblock.atlas.importers import (
    import_csv,
    import_data,
    import_json,
    import_kle_xml,
    iter_kle_xml,
)
from competency_xblock.atlas.kle import KleCatalogue, atlas_drift, shipped_catalogue
from competency_xblock.text import UserFacingError

UNITS_CSV = """id;navn;type;overordnet;telefon;e-mail;åbningstider
borgerservice;Borgerservice;afdeling;;+45 99 99 00 00;bs@x.invalid;Man-fre 10-14
pas;Pas og kørekort;team;borgerservice;;;
natur;Natur og Miljø;center;;;;
"""

SERVICES_CSV = """id;titel;beskrivelse;kle;søgeord;målgruppe;enhed;henvisning
koerekort;Kørekort;Fornyelse af kørekort;23.09.04;Førerbevis|Fornyelse;borger;pas;Tidsbestilling
;Rottebekæmpelse;;09.13.01;Rotter;borger|virksomhed;natur;
pas;Pas;;23.09.2;;borger;pas;
bad-unit;Noget;;;;borger;ukendt;
bad-aud;Andet;;;;rumvæsner;natur;
"""


def test_json_import_of_the_fixture(data_dir):
    report = import_json(data_dir / "small-atlas.json")
    assert report.ok
    assert report.atlas.id == "lilleby"
    assert report.kle_version == "2025-05-01"


def test_json_syntax_error_names_line_and_column():
    report = import_json(b'{"id": "x",\n "title": "X",\n "units": [,]}')
    assert not report.ok and report.atlas is None
    text = report.rejected[0].render()
    assert "not valid JSON" in text and "line 3" in text and "column" in text


def test_json_rejects_bad_records_and_keeps_the_rest(small_data):
    small_data["services"][0]["unit"] = "nope"
    small_data["units"][5]["parent"] = "ghost"     # the "natur" unit: drops it ...
    report = import_data(small_data)
    rejected = {(r.record, r.field) for r in report.rejected}
    assert ("boligstoette", "unit") in rejected
    assert ("natur", "parent") in rejected
    # ... and then the services pointing at it are rejected too, naming the unit
    assert ("rotter", "unit") in rejected and ("skadedyr", "unit") in rejected
    assert report.atlas is not None and report.atlas.service("koerekort") is not None
    assert report.atlas.service("rotter") is None
    with pytest.raises(UserFacingError):
        report.raise_for_rejects()


def test_json_oversized_input_is_refused():
    with pytest.raises(UserFacingError, match="larger than"):
        import_json(b"{" + b" " * 2000 + b"}", max_bytes=1000)


def test_csv_import_with_danish_headings_and_semicolons():
    report = import_csv(SERVICES_CSV.encode(), UNITS_CSV.encode(), atlas_id="csv",
                        title="CSV", kle_version="2025-05-01")
    atlas = report.atlas
    assert atlas is not None
    assert atlas.unit("natur").kind == "centre"
    koerekort = atlas.service("koerekort")
    assert koerekort.keywords == ("Førerbevis", "Fornyelse")
    assert koerekort.referral_notes == "Tidsbestilling"
    assert atlas.service("kle-09.13.01").audience == ("citizen", "business")  # derived id
    where = {r.record or r.where: (r.where, r.field) for r in report.rejected}
    assert where["pas"] == ("<data>, line 4", "kle")
    assert where["bad-unit"][0] == "<data>, line 5" and where["bad-unit"][1] == "unit"
    assert where["bad-aud"] == ("<data>, line 6", "audience")
    assert report.counts["services"] == 2


def test_csv_in_windows_1252_is_read_with_a_warning():
    text = "id,title,unit\nx,Ældrepleje,u\n"
    units = "id,name\nu,Ældre\n"
    report = import_csv(text.encode("cp1252"), units.encode("cp1252"))
    assert report.ok
    assert report.atlas.service("x").title == "Ældrepleje"
    assert any("Windows-1252" in w.render() for w in report.warnings)


def test_csv_missing_required_column():
    report = import_csv(b"id,title\nx,y\n", b"id,name\nu,U\n")
    assert report.atlas is None
    assert "no column \"unit\"" in report.rejected[-1].render()


MAPPING = """kle;unit;unit_name
00;sekretariat;Sekretariatet
09.13;natur;Natur og Miljø
09.13.01;rotteteam;Rottebekæmpelsen
27.27;boern;Børn og Familie
"""


def test_kle_xml_import_with_mapping(data_dir):
    progress = []
    report = import_kle_xml(data_dir / "kle-emneplan-2025-05-01-subset.xml", MAPPING.encode(),
                            progress=lambda done, total: progress.append((done, total)))
    atlas = report.atlas
    assert atlas is not None
    assert report.kle_version == "2025-05-01" and atlas.kle_version == "2025-05-01"
    # most specific mapping wins
    assert atlas.service("kle-09.13.01").unit == "rotteteam"
    assert atlas.service("kle-09.13.00").unit == "natur"
    assert atlas.service("kle-00.01.10").unit == "sekretariat"
    # stikord become søgeord: "[=Emne]" copies of the title and "[udgået]" ones dropped
    rotter = atlas.service("kle-09.13.01")
    assert "Bekæmpelse af rotter" in rotter.keywords
    assert not any("[" in k for s in atlas.services for k in s.keywords)
    assert "Skadedyrsbekæmpelse" in rotter.description
    # emner of 09.11 have no mapping: rejected, naming the element's line
    unmapped = [r for r in report.rejected if r.record == "09.11.00"]
    assert unmapped and unmapped[0].where.endswith(
        "kle-emneplan-2025-05-01-subset.xml, element Emne at line 222")
    assert unmapped[0].field == "unit"
    # mapping entry for a number that is not in this KLE file: reported as drift
    assert any("27.27" in w.render() and "does not exist in KLE 2025-05-01" in w.render()
               for w in report.warnings)
    assert progress and progress[-1][0] == progress[-1][1]


def test_kle_xml_default_unit_takes_unmapped_emner(data_dir):
    report = import_kle_xml(data_dir / "kle-emneplan-2025-05-01-subset.xml",
                            b"kle,unit,unit_name\n00,sek,Sekretariatet\n", default_unit="sek")
    assert report.ok
    assert len(report.atlas) == report.counts["emner"] == 10


def test_kle_xml_catalogue_and_streaming(data_dir):
    catalogue = KleCatalogue("")
    emner = list(iter_kle_xml(data_dir / "kle-emneplan-2025-05-01-subset.xml",
                              catalogue=catalogue))
    assert catalogue.version == "2025-05-01"
    assert {"00", "00.01", "09.11", "09.13", "09.13.01"} <= set(catalogue.titles)
    assert catalogue.title("09.13") == "Skadedyrsbekæmpelse"
    assert [e.number for e in emner][:2] == ["00.01.00", "00.01.10"]


def test_kle_xml_with_doctype_is_refused():
    xml = b"""<?xml version="1.0"?>
<!DOCTYPE KLE-Emneplan [<!ENTITY boom "boom">]>
<KLE-Emneplan><UdgivelsesDato>&boom;</UdgivelsesDato></KLE-Emneplan>"""
    report = import_kle_xml(xml, b"kle,unit\n00,x\n")
    assert report.atlas is None
    text = report.rejected[-1].render()
    assert "DOCTYPE" in text and "line 2" in text


def test_kle_xml_malformed_reports_line_and_column():
    xml = b"<KLE-Emneplan>\n<UdgivelsesDato>2025-05-01</UdgivelsesDato>\n<Hovedgruppe>\n</KLE>"
    report = import_kle_xml(xml, b"kle,unit\n00,x\n")
    assert report.atlas is None
    text = report.rejected[-1].render()
    assert "malformed" in text and "line 4" in text


def test_kle_xml_wrong_root_and_bad_emne():
    report = import_kle_xml(b"<Other/>", b"kle,unit\n00,x\n")
    assert "not a KLE emneplan" in report.rejected[-1].render()
    xml = (b"<KLE-Emneplan><UdgivelsesDato>2025-05-01</UdgivelsesDato><Hovedgruppe>"
           b"<HovedgruppeNr>00</HovedgruppeNr><Gruppe><GruppeNr>00.01</GruppeNr>"
           b"<Emne><EmneNr>00.1.00</EmneNr><EmneTitel>X</EmneTitel></Emne>"
           b"<Emne><EmneNr>00.01.02</EmneNr></Emne>"
           b"</Gruppe></Hovedgruppe></KLE-Emneplan>")
    report = import_kle_xml(xml, b"kle,unit,unit_name\n00,x,X\n")
    fields = sorted(r.field for r in report.rejected)
    assert fields == ["EmneNr", "EmneTitel"]


def test_mapping_csv_errors_are_precise():
    mapping = b"kle;unit\n27.24.1;x\n09.13;\n09.13;a\n09.13;b\n"
    report = import_kle_xml(b"<KLE-Emneplan/>", mapping)
    rendered = [r.render() for r in report.rejected]
    assert any("line 2" in r and "27.24.1" in r for r in rendered)
    assert any("line 3" in r and "unit is missing" in r for r in rendered)
    assert any("line 5" in r and "already mapped" in r for r in rendered)


def test_noisy_kl_mapping_numbers_are_normalised(data_dir):
    from competency_xblock.atlas.kle import normalise_number

    text = (data_dir / "os2compliance-kle-mapping.csv").read_text(encoding="utf-8-sig")
    numbers = set()
    for line in text.splitlines()[1:]:
        cells = line.split(";")
        for cell in cells[2:5]:
            number = normalise_number(cell)
            if number:
                numbers.add(number)
    assert {"15", "15.00", "15.00.05"} <= numbers
    assert all(number.count(".") <= 2 for number in numbers)


def test_os2bos_version_drift_is_reported(data_dir):
    """The 2019 OS2bos numbers (27.27.xx, 27.24.xx ...) do not exist in KLE 2025-05-01."""
    import csv

    rows = list(csv.DictReader((data_dir / "derived_activity_section_kle.csv").open(
        encoding="utf-8")))
    data = {"id": "os2bos", "title": "OS2bos", "kle_version": "2025-05-01",
            "units": [{"id": "familie", "name": "Familieafdelingen"}], "services": []}
    for row in rows:
        sid = f"os2bos-{row['activity_id']}"
        existing = next((s for s in data["services"] if s["id"] == sid), None)
        if existing is None:
            data["services"].append({"id": sid, "title": row["activity_name"].strip(),
                                     "unit": "familie", "kle": [row["kle_number"]]})
        elif row["kle_number"] not in existing["kle"]:
            existing["kle"].append(row["kle_number"])
    report = import_data(data)
    assert report.ok
    findings = atlas_drift(report.atlas, shipped_catalogue())
    numbers = {f.number for f in findings}
    assert {"27.27.09", "27.24.03", "27.06.08"} <= numbers
    assert "27.57.12" not in numbers          # still exists
    finding = next(f for f in findings if f.number == "27.24.03")
    assert finding.nearest == "27"            # gruppe 27.24 is gone too
    assert "does not exist in KLE 2025-05-01" in finding.as_error("2025-05-01").render()


def test_shipped_catalogue():
    catalogue = shipped_catalogue()
    assert catalogue.version == "2025-05-01"
    assert len(catalogue.emner()) == 1868
    assert catalogue.title("23.09.04") == "Kørekort"


def test_import_json_from_open_file(tmp_path, small_data):
    path = tmp_path / "atlas.json"
    path.write_text(json.dumps(small_data), encoding="utf-8")
    with path.open("rb") as handle:
        assert import_json(handle).ok


@pytest.mark.parametrize("guidance", [
    # as in KL's files: HTML elements inside VejledningTekst
    "<p>Emnet dækker bl.a. sager om:</p><p><ul><li>bekæmpelse af muldvarpe</li>"
    "<li>betaling for bekæmpelsen</li></ul></p><p>Se også 09.13.</p>",
    # the same, escaped or as CDATA (as other exports write it)
    "&lt;p&gt;Emnet dækker bl.a. sager om:&lt;/p&gt;&lt;ul&gt;&lt;li&gt;bekæmpelse af "
    "muldvarpe&lt;/li&gt;&lt;li&gt;betaling for bekæmpelsen&lt;/li&gt;&lt;/ul&gt;"
    "&lt;p&gt;Se også 09.13.&lt;/p&gt;",
    "<![CDATA[<p>Emnet dækker bl.a. sager om:</p><ul><li>bekæmpelse af muldvarpe</li>"
    "<li>betaling for bekæmpelsen</li></ul><p>Se også 09.13.</p>]]>",
])
def test_kle_guidance_becomes_readable_text(guidance):
    xml = ("<KLE-Emneplan><UdgivelsesDato>2025-05-01</UdgivelsesDato><Hovedgruppe>"
           "<HovedgruppeNr>09</HovedgruppeNr><HovedgruppeTitel>Miljø</HovedgruppeTitel><Gruppe>"
           "<GruppeNr>09.13</GruppeNr><GruppeTitel>Skadedyr</GruppeTitel><Emne>"
           "<EmneNr>09.13.02</EmneNr><EmneTitel>Muldvarpe</EmneTitel><EmneVejledning>"
           f"<VejledningTekst>{guidance}</VejledningTekst></EmneVejledning></Emne></Gruppe>"
           "</Hovedgruppe></KLE-Emneplan>")
    report = import_kle_xml(xml.encode(), b"kle;unit\n09;natur\n")
    description = report.atlas.service("kle-09.13.02").description
    assert description.endswith("Emnet dækker bl.a. sager om: bekæmpelse af muldvarpe; betaling "
                                "for bekæmpelsen. Se også 09.13.")
    assert "<" not in description and "&lt;" not in description
