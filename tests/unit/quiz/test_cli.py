"""The import/export commands (registered by the lead under ``competency-xblock``)."""
from __future__ import annotations

import json

from click.testing import CliRunner

from competency_xblock.quiz_engine.bank import parse_bank_json, validate_bank
from competency_xblock.quiz_engine.cli import export_quiz, import_quiz

from .conftest import DATA


def run(command, args):
    return CliRunner().invoke(command, args, catch_exceptions=False)


def test_import_gift_to_stdout_reports_skipped_questions():
    result = run(import_quiz, [str(DATA / "gift" / "questions.gift.txt")])
    assert result.exit_code == 0
    bank = json.loads(result.stdout)
    assert validate_bank(bank) == [] and len(bank["questions"]) == 5
    assert "skipped: Q8:" in result.stderr and "(line 2)" in result.stderr
    assert "5 imported, 4 skipped" in result.stderr


def test_import_into_a_bank_file_and_strict(tmp_path):
    target = tmp_path / "bank.json"
    first = run(import_quiz, [str(DATA / "capa"), "--output", str(target), "--topic", "edx"])
    assert first.exit_code == 0, first.stderr
    again = run(import_quiz, [str(DATA / "moodle" / "questions.xml"), "--into", str(target),
                              "--strict"])
    assert again.exit_code == 3
    bank = parse_bank_json(target.read_text(encoding="utf-8"))
    assert len(bank.questions) == 7 + 4
    assert {"edx", "Phishing"} <= {t.id for t in bank.topics}  # a category name that is an id


def test_import_into_default_and_dry_run(tmp_path):
    out = tmp_path / "out.json"
    result = run(import_quiz, [str(DATA / "gift" / "questions.gift.txt"), "--into", "default",
                               "--output", str(out), "--dry-run"])
    assert result.exit_code == 0 and not out.exists()
    assert "53 in the bank" in result.stderr


def test_malformed_input_fails_with_position(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<quiz>\n<question type='essay'>\n</quiz>\n", encoding="utf-8")
    result = CliRunner().invoke(import_quiz, [str(bad)])
    assert result.exit_code == 1
    assert "line 3" in result.output


def test_export_gift_and_olx(tmp_path):
    gift = run(export_quiz, ["default", "--language", "en"])
    assert gift.exit_code == 0
    assert "// [id:phishing]\n$CATEGORY: $course$/top/Phishing and social engineering\n" \
        in gift.stdout
    out = tmp_path / "course"
    olx = run(export_quiz, ["default", "--format", "olx", "--output", str(out)])
    assert olx.exit_code == 0
    assert len(list((out / "problem").glob("*.xml"))) == 48
    missing = CliRunner().invoke(export_quiz, ["default", "--format", "olx"])
    assert missing.exit_code == 1
