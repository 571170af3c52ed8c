"""Imports with files the importers were not written against: a full-size emneplan in KL's
format, mapping CSVs as municipalities write them (BOM, ";", Danish headings, unit names
instead of ids, Windows-1252), release dates with a time zone, expired grupper, large
numbers of bad records.  Every rejected record names its file, line (or element) and field.
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from competency_xblock.atlas.importers import import_csv, import_data, import_kle_xml
from competency_xblock.atlas.importers.kle_xml import unit_slug
from competency_xblock.atlas.kle import KleCatalogue, atlas_drift, shipped_catalogue
from competency_xblock.atlas.model import AUDIENCES, CONTACT_FIELDS, UNIT_KINDS
from competency_xblock.cli import main

from .kle_factory import emneplan

SUBSET = "kle-emneplan-2025-05-01-subset.xml"


@pytest.fixture(scope="module")
def full_xml(tmp_path_factory):
    path = tmp_path_factory.mktemp("kle") / "kle-emneplan-fuld.xml"
    path.write_bytes(emneplan(expired_grupper=("09.13",), expired_emner=("23.05.10",)))
    return path


HOVEDGRUPPE_MAPPING = "\ufeffKLE-nr.;Ansvarlig enhed\n" + "\n".join(
    f"{number};{name}" for number, name in (
        ("00", "Sekretariatet"), ("01", "Teknik og Miljø"), ("02", "Byggeri"),
        ("03", "Ældre og Sundhed"), ("04", "Kultur og Fritid"), ("05", "Veje og Trafik"),
        ("06", "Teknik og Miljø"), ("07", "Forsyning"), ("08", "Forsyning"),
        ("09", "Teknik og Miljø"), ("13", "Forsyning"), ("14", "Beredskab"),
        ("15", "Jobcenter"), ("16", "Borgerservice"), ("17", "Børn og Unge"),
        ("18", "Integration"), ("19", "Kultur og Fritid"), ("20", "Sundhed"),
        ("21", "Kultur og Fritid"), ("22", "Kultur og Fritid"), ("23", "Borgerservice"),
        ("24", "Sundhed"), ("25", "Ydelser"), ("54", "Børn og Unge"), ("27", "Børn og Familie"),
        ("28", "Børn og Familie"), ("29", "Ydelser"), ("30", "Ydelser"), ("88", "Økonomi"),
        ("32", "Ydelser"), ("34", "Børn og Familie"), ("81", "HR og Personale"),
        ("82", "Sekretariatet"), ("83", "Sekretariatet"), ("84", "Sekretariatet"),
        ("85", "Digitalisering"), ("87", "HR og Personale"))) + "\n"


def test_full_emneplan_through_the_cli_with_progress_and_danish_mapping(full_xml, tmp_path):
    mapping = tmp_path / "kle-til-enheder.csv"
    mapping.write_bytes(HOVEDGRUPPE_MAPPING.encode("utf-8"))
    out = tmp_path / "atlas.json"
    result = CliRunner().invoke(main, ["import", "kle", str(full_xml), str(mapping),
                                       "-o", str(out), "--title", "Fuld KLE"])
    assert result.exit_code == 0, result.output
    # progress on a large file (CliRunner is not a terminal: one line per tenth)
    progress = [line for line in result.output.splitlines() if line.startswith("Reading KLE")]
    assert progress[0].startswith("Reading KLE: 10%") and progress[-1].startswith(
        "Reading KLE: 100%"), progress
    assert "KLE version: 2025-05-01" in result.output
    # a mapping row for a number the emneplan does not have: reported with its line
    assert "KLE 16 in the mapping does not exist in KLE 2025-05-01" in result.output
    assert "kle-til-enheder.csv, line 15" in result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["kle_version"] == "2025-05-01"
    services = {s["id"]: s for s in data["services"]}
    expired = {n for n in shipped_catalogue().emner() if n.startswith("09.13.")} | {"23.05.10"}
    assert len(services) == 1868 - len(expired)
    assert not expired & {s["kle"][0] for s in data["services"]}
    units = {u["id"]: u for u in data["units"]}
    # unit names (with æ, ø, å) became units with readable ids; names are kept verbatim
    assert units["boern-og-familie"]["name"] == "Børn og Familie"
    assert units["aeldre-og-sundhed"]["name"] == "Ældre og Sundhed"
    assert units["oekonomi"]["name"] == "Økonomi"
    assert services["kle-34.00.00"]["unit"] == "boern-og-familie"
    assert services["kle-23.09.04"]["title"] == "Kørekort"


def test_mapping_rows_are_checked_against_the_base_atlas(data_dir, small_data):
    mapping = ("kle;enhed\n"
               "09.13;Natur og Miljø\n"       # a base unit's *name*: its id is used
               "09.11;borgerservise\n"        # a typo of a base id: rejected once, here
               "00;borgerservice\n").encode()
    report = import_kle_xml(data_dir / SUBSET, mapping, base=small_data)
    assert report.atlas is not None
    assert report.atlas.service("kle-09.13.01").unit == "natur"
    assert report.atlas.service("kle-00.01.00").unit == "borgerservice"
    rendered = [r.render() for r in report.rejected]
    typo = [r for r in rendered if "borgerservise" in r]
    assert len(typo) == 1 and "<data>, line 3" in typo[0] and 'field "unit"' in typo[0]
    # the emner under the rejected row say so, naming the row, and are not silently
    # assigned to a broader mapping
    under = [r for r in report.rejected if r.record == "09.11.00"]
    assert under and "line 3" in under[0].render() and SUBSET in under[0].where
    assert report.atlas.service("kle-09.11.00") is None


def test_default_unit_must_exist(data_dir):
    report = import_kle_xml(data_dir / SUBSET, b"kle;unit;unit_name\n00;sek;S\n",
                            default_unit="nowhere")
    assert report.atlas is None
    assert "nowhere" in report.rejected[-1].render()


def test_release_date_with_time_zone_is_the_version(data_dir):
    xml = (data_dir / SUBSET).read_text(encoding="utf-8").replace(
        "<UdgivelsesDato>2025-05-01</UdgivelsesDato>",
        "<UdgivelsesDato>2025-05-01+02:00</UdgivelsesDato>")
    report = import_kle_xml(xml.encode(), b"kle;unit\n00;sek\n09;natur\n")
    assert report.ok, [r.render() for r in report.rejected]
    assert report.kle_version == report.atlas.kle_version == "2025-05-01"


@pytest.mark.parametrize("in_historisk", [True, False])
def test_expired_numbers_are_reported_as_drift(in_historisk):
    xml = emneplan(version="2026-01-01", only=("23",), expired_grupper=("23.05",),
                   expired_emner=("23.09.04",), expiry_in_historisk=in_historisk)
    catalogue = KleCatalogue("")
    report = import_kle_xml(xml, b"kle;unit\n23;borgerservice\n23.05;folkeregister\n")
    assert report.kle_version == "2026-01-01"
    assert report.atlas.service("kle-23.09.04") is None           # expired emne left out
    assert report.atlas.service("kle-23.05.10") is None           # its gruppe expired
    assert report.atlas.service("kle-23.09.02") is not None
    warning = next(w.render() for w in report.warnings if "23.05" in w.render())
    assert "expired (udgået) in KLE 2026-01-01" in warning and "line 3" in warning
    # an atlas using the expired numbers: drift findings say "expired", not "missing"
    from competency_xblock.atlas.importers import iter_kle_xml

    list(iter_kle_xml(xml, catalogue=catalogue))
    data = {"id": "a", "title": "A", "kle_version": "2026-01-01",
            "units": [{"id": "u", "name": "U"}],
            "services": [{"id": "flyt", "title": "Flytning", "unit": "u", "kle": ["23.05.10"]},
                         {"id": "pas", "title": "Pas", "unit": "u", "kle": ["23.09.02"]}]}
    findings = atlas_drift(import_data(data).atlas, catalogue)
    assert [(f.service_id, f.number, f.expired) for f in findings] == [
        ("flyt", "23.05.10", True)]
    assert "expired (udgået)" in findings[0].as_error("2026-01-01").render()


def test_thousand_bad_records_are_all_named_and_the_good_ones_kept(tmp_path):
    data = {"id": "a", "title": "A", "units": [{"id": "u", "name": "U"}],
            "services": [{"id": f"s{i}", "title": "T", "unit": "ghost"} for i in range(1000)]
            + [{"id": "ok", "title": "OK", "unit": "u"}]}
    path = tmp_path / "kommune.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    from competency_xblock.atlas.importers import import_json

    report = import_json(path)
    assert report.atlas is not None and [s.id for s in report.atlas.services] == ["ok"]
    assert len(report.rejected) == 1000
    last = report.rejected[-1].render()
    assert "kommune.json" in last and "/services/999" in last and 's999' in last
    assert 'field "unit"' in last and "ghost" in last


def test_everything_rejected_gives_no_atlas():
    report = import_csv(b"id;titel;enhed\na;A;x\nb;B;y\n", b"id;navn\nu;U\n")
    assert report.atlas is None
    assert any("Nothing could be imported" in r.render() for r in report.rejected)
    report = import_kle_xml(b"<KLE-Emneplan><UdgivelsesDato>2025-05-01</UdgivelsesDato>"
                            b"<Hovedgruppe><HovedgruppeNr>00</HovedgruppeNr><Gruppe>"
                            b"<GruppeNr>00.01</GruppeNr><Emne><EmneNr>00.01.00</EmneNr>"
                            b"<EmneTitel>X</EmneTitel></Emne></Gruppe></Hovedgruppe>"
                            b"</KLE-Emneplan>", b"kle;unit\n09;natur\n")
    assert report.atlas is None


def test_unit_cycle_rejects_the_units_not_the_import(small_data):
    small_data["units"][0]["parent"] = "pas-koerekort"     # borgerservice ↔ pas-koerekort
    report = import_data(small_data, "kommune.json")
    assert report.atlas is not None
    cycle = [r for r in report.rejected if "cycle" in r.render()]
    assert cycle and cycle[0].field == "parent" and "kommune.json" in cycle[0].where
    assert report.atlas.unit("natur") is not None


def test_services_csv_as_exported_from_a_spreadsheet():
    services = ("\ufeffID;Titel;KLE-nr.;Søgeord;Målgruppe;Ansvarlig enhed;Ekstra\n"
                "flyt;Flytning;23.05.10 Flytning og adresseændring;flytte|ny adresse;"
                "Borgere;Borgerservice;x\n"
                "affald;Affald;07.18.02, 07.18.05;skrald;Virksomheder|borgere;natur;\n"
                "bad;Noget;27.2;;borger;natur;\n").encode("utf-8")
    units = ("Enheds-id;Enhedsnavn;Tlf;Sikker mail;Åbningstid;Webside\n"
             "Borgerservice;Borgerservice;+45 99 99 00 00;Digital Post;Man-fre 10-14;"
             "https://eksempel.invalid/borgerservice\n"
             "natur;Natur og Miljø;;;;\n").encode()
    report = import_csv(services, units, kle_version="2025-05-01")
    atlas = report.atlas
    assert atlas.service("flyt").kle == ("23.05.10",)
    assert atlas.service("affald").kle == ("07.18.02", "07.18.05")
    assert atlas.service("affald").audience == ("business", "citizen")
    contact = atlas.contact_for("Borgerservice")
    assert contact.secure_mail == "Digital Post" and contact.opening_hours == "Man-fre 10-14"
    assert contact.web.endswith("/borgerservice")
    bad = next(r for r in report.rejected if r.record == "bad")
    assert bad.where == "<data>, line 4" and bad.field == "kle" and "27.2" in bad.render()
    assert any("Ekstra" in w.render() and "not used" in w.render() for w in report.warnings)


def test_atlas_command_checks_numbers_against_a_given_emneplan(tmp_path):
    xml = tmp_path / "kle-2026.xml"
    xml.write_bytes(emneplan(version="2026-01-01", only=("23",), expired_emner=("23.09.04",)))
    atlas = {"id": "a", "title": "A", "kle_version": "2026-01-01",
             "units": [{"id": "u", "name": "U"}],
             "services": [{"id": "k", "title": "Kørekort", "unit": "u", "kle": ["23.09.04"]},
                          {"id": "x", "title": "X", "unit": "u", "kle": ["23.99.01"]},
                          {"id": "p", "title": "Pas", "unit": "u", "kle": ["23.09.02"]}]}
    source = tmp_path / "a.json"
    source.write_text(json.dumps(atlas), encoding="utf-8")
    out = tmp_path / "out.json"
    result = CliRunner().invoke(main, ["import", "atlas", str(source), "-o", str(out)])
    assert result.exit_code == 0
    assert "not checked" in result.output and "--kle-xml" in result.output
    result = CliRunner().invoke(main, ["import", "atlas", str(source), "-o", str(out),
                                       "--kle-xml", str(xml)])
    assert result.exit_code == 0, result.output
    assert "KLE 23.09.04 is expired (udgået) in KLE 2026-01-01" in result.output
    assert "KLE 23.99.01 does not exist in KLE 2026-01-01" in result.output
    assert "23.09.02" not in result.output


def test_unit_slug():
    assert unit_slug("Børn, Unge & Familie") == "boern-unge-familie"
    assert unit_slug("Åbent Værksted") == "aabent-vaerksted"
    assert unit_slug("Café Müller") == "cafe-muller"


def test_model_constants_follow_the_schema():
    from competency_xblock.core import schemas

    schema = schemas.load_schema("atlas")
    defs = schema["$defs"]
    assert tuple(defs["contact"]["properties"]) == CONTACT_FIELDS
    assert tuple(defs["unit"]["properties"]["kind"]["enum"]) == UNIT_KINDS
    assert tuple(defs["service"]["properties"]["audience"]["items"]["enum"]) == AUDIENCES


def test_json_rejects_name_the_line_of_the_record(tmp_path, small_data):
    small_data["services"].append(dict(small_data["services"][0]))   # duplicate id
    small_data["services"][3]["unit"] = "ghost"                      # unknown unit
    path = tmp_path / "kommune.json"
    text = json.dumps(small_data, indent=2, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    from competency_xblock.atlas.importers import import_json

    report = import_json(path)
    lines = text.splitlines()
    by_field = {r.field: r for r in report.rejected}
    for field, needle in (("unit", '"ghost"'), ("id", None)):
        rejection = by_field[field]
        line = int(rejection.where.split(", line ")[1].split(",")[0])
        assert lines[line - 1].strip() == "{"                   # the record's first line
        assert "kommune.json" in rejection.where
        record = "\n".join(lines[line - 1:line + 3])
        assert f'"id": "{rejection.record}"' in record
        if needle:
            assert needle in "\n".join(lines[line - 1:line + 30])
    assert "Duplicate service id" in by_field["id"].render()


def test_spreadsheet_units_by_name_bare_domains_and_clear_id_errors():
    services = "id;titel;enhed\na;A;Borgerservice\nb;B;Børn og Unge\n".encode()
    units = ("id;navn;hjemmeside\nbs;Borgerservice;www.eksempel.invalid/borgerservice\n"
             "børn;Børn og Unge;\n").encode()
    report = import_csv(services, units)
    # the services name their unit; the id is found from the units sheet
    assert report.atlas.service("a").unit == "bs"
    assert report.atlas.contact_for("bs").web == "https://www.eksempel.invalid/borgerservice"
    bad_id = next(r for r in report.rejected if r.record == "børn")
    assert bad_id.where == "<data>, line 3" and bad_id.field == "id"
    assert '"børn" is not a valid id' in bad_id.render() and "æ, ø, å" in bad_id.render()


def test_mapping_files_as_excel_writes_them(data_dir):
    # Excel's "Unicode text": UTF-16 with a BOM, tab-separated
    mapping = "KLE\tEnhed\n00\tSekretariatet\n09\tTeknik og Miljø\n".encode("utf-16")
    report = import_kle_xml(data_dir / SUBSET, mapping)
    assert report.ok and report.atlas.unit("teknik-og-miljoe").label() == "Teknik og Miljø"
    # Windows line ends, blank lines, trailing separators
    report = import_kle_xml(data_dir / SUBSET, b"kle;unit;;\r\n00;sek;;\r\n\r\n09;natur;;\r\n")
    assert report.ok
    # a dropped leading zero is explained, on its line
    report = import_kle_xml(data_dir / SUBSET, b"kle;unit\n00;sek\n9.13;natur\n09;natur\n")
    lost = next(r for r in report.rejected if r.field == "kle")
    assert lost.where == "<data>, line 3" and "dropped a zero" in lost.render()
    # a mapping without rows is one clear error, not one per emne
    report = import_kle_xml(data_dir / SUBSET, b"kle;unit\n")
    assert report.atlas is None and len(report.rejected) == 1
    assert "no rows" in report.rejected[0].render()


def test_a_key_given_twice_is_refused_not_silently_dropped():
    from competency_xblock.atlas.importers import import_json

    text = ('{"id": "a", "title": "A", "units": [{"id": "u", "name": "U"}], "services": ['
            '{"id": "pas", "title": "Pas", "unit": "u", "unit": "ghost"}]}')
    report = import_json(text.encode())
    assert report.atlas is None
    message = report.rejected[0].render()
    assert '"unit" appears twice' in message and '"pas"' in message


def test_many_rejections_with_one_problem_are_counted_not_listed(full_xml, tmp_path):
    mapping = tmp_path / "one.csv"
    mapping.write_text("kle;unit\n23;Borgerservice\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "kle", str(full_xml), str(mapping),
                                       "-o", str(tmp_path / "a.json")])
    rejected = [line for line in result.output.splitlines() if line.startswith("rejected:")]
    assert 10 < len(rejected) <= 12, len(rejected)   # 10 shown, then one count per problem
    summary = rejected[-1]
    assert "more with the same problem" in summary and "(records 0" in summary
    assert "nothing was written" in result.output
