"""The import commands (registered by the package CLI as ``import kle`` / ``import atlas``)."""
from __future__ import annotations

import json

from click.testing import CliRunner

from competency_xblock.atlas.cli import atlas_command, kle_command

MAPPING = "kle;unit;unit_name\n00;sek;Sekretariatet\n09;natur;Natur og Miljø\n"


def test_kle_import_writes_the_atlas(tmp_path, data_dir):
    mapping = tmp_path / "mapping.csv"
    mapping.write_text(MAPPING, encoding="utf-8")
    out = tmp_path / "out" / "atlas.json"
    result = CliRunner().invoke(kle_command, [
        str(data_dir / "kle-emneplan-2025-05-01-subset.xml"), str(mapping), "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["kle_version"] == "2025-05-01" and len(data["services"]) == 10
    assert "KLE version: 2025-05-01" in result.output


def test_kle_import_with_rejects_writes_nothing(tmp_path, data_dir):
    mapping = tmp_path / "mapping.csv"
    mapping.write_text("kle;unit;unit_name\n00;sek;Sekretariatet\n", encoding="utf-8")
    out = tmp_path / "atlas.json"
    args = [str(data_dir / "kle-emneplan-2025-05-01-subset.xml"), str(mapping), "-o", str(out)]
    result = CliRunner().invoke(kle_command, args)
    assert result.exit_code == 1
    assert "kle-emneplan-2025-05-01-subset.xml, element Emne at line" in result.output
    assert "09.13.01" in result.output
    assert not out.exists()
    result = CliRunner().invoke(kle_command, [*args, "--accept-rejects"])
    assert result.exit_code == 0 and out.exists()


def test_atlas_command_reports_drift_and_bad_files(tmp_path, data_dir, small_data):
    out = tmp_path / "atlas.json"
    result = CliRunner().invoke(atlas_command, [str(data_dir / "small-atlas.json"),
                                                "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "KLE 27.24.03 does not exist in KLE 2025-05-01" in result.output
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    result = CliRunner().invoke(atlas_command, [str(bad), "-o", str(tmp_path / "x.json")])
    assert result.exit_code == 2 and "not valid JSON" in result.output
