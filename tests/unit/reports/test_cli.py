"""``competency-xblock report ...`` from the shell."""
from __future__ import annotations

import os

from click.testing import CliRunner

from competency_xblock.cli import main

from .conftest import GRADES, RESPONSES_DA, RESPONSES_EN
from .test_xapi import lrs  # noqa: F401 - fixture


def invoke(*args, env=None):
    return CliRunner().invoke(main, ["report", *args], env=env)


def test_all_writes_every_file(tmp_path):
    out = tmp_path / "hr"
    result = invoke("all", str(RESPONSES_EN), str(GRADES), "-o", str(out))
    assert result.exit_code == 0, result.output
    written = sorted(os.listdir(out))
    assert written == sorted(["competence-gaps.csv", "competence-heatmap.svg",
                              "competence-heatmap.png", "quiz-questions.csv",
                              "quiz-options.csv", "atlas-search-words.csv",
                              "atlas-practice-cases.csv", "hr-report.xlsx", "hr-summary.html"])
    assert str(out / "hr-summary.html") in result.stdout
    assert "later attempts were left out" in result.stderr
    assert "\u2588" not in result.stderr and "%" not in result.stderr  # no bar: not a TTY


def test_gaps_only_in_danish(tmp_path):
    result = invoke("gaps", str(RESPONSES_DA), "-o", str(tmp_path), "--lang", "da",
                    "--rows", "unit", "--metric", "share", "--format", "csv,svg")
    assert result.exit_code == 0, result.output
    assert sorted(os.listdir(tmp_path)) == ["competence-gaps.csv", "competence-heatmap.svg"]
    svg = (tmp_path / "competence-heatmap.svg").read_text(encoding="utf-8")
    assert "Andel under det forventede pr. enhed" in svg


def test_k_cannot_be_lowered(tmp_path):
    result = invoke("gaps", str(RESPONSES_EN), "-o", str(tmp_path), "--k", "3")
    assert result.exit_code == 2 and "cannot be lower than 5" in result.output
    result = invoke("gaps", str(RESPONSES_EN), "-o", str(tmp_path), "--k", "7",
                    "--format", "csv")
    assert result.exit_code == 0


def test_unknown_format(tmp_path):
    result = invoke("quiz", str(RESPONSES_EN), "-o", str(tmp_path), "--format", "pdf")
    assert result.exit_code == 2 and "Unknown format" in result.output


def test_bad_csv_names_file_line_and_column(tmp_path):
    lines = RESPONSES_EN.read_text(encoding="utf-8").splitlines(keepends=True)
    cut = tmp_path / "student_state.csv"
    row = lines[6]
    cut.write_text("".join(lines[:6]) + row[:row.index(",Sagsbehandler") + 14],
                   encoding="utf-8")
    for lang, expected in (("en", 'student_state.csv, line 7, column "Unit" (I): The row has '
                                  '8 of 48 values: the file is cut off here.'),
                           ("da", 'student_state.csv, linje 7, kolonne "Unit" (I): Rækken '
                                  'har 8 af 48 værdier: filen er afkortet her.')):
        result = invoke("all", str(cut), "-o", str(tmp_path / "out"), "--lang", lang)
        assert result.exit_code == 1
        assert expected in result.output, result.output


def test_usernames_need_the_flag(tmp_path):
    result = invoke("gaps", str(RESPONSES_EN), "-o", str(tmp_path), "--format", "csv",
                    "--include-usernames")
    assert result.exit_code == 0
    assert "learners-below-expectation.csv" in result.stdout
    assert "user names" in result.stderr


def test_lrs_from_the_environment(tmp_path, lrs):  # noqa: F811 - fixture
    env = {"COMPETENCY_REPORT_LRS_URL": lrs, "COMPETENCY_REPORT_LRS_USERNAME": "hr",
           "COMPETENCY_REPORT_LRS_PASSWORD": "hemmelig"}
    result = invoke("atlas", "-o", str(tmp_path), "--format", "csv", env=env)
    assert result.exit_code == 0, result.output
    text = (tmp_path / "atlas-search-words.csv").read_text(encoding="utf-8-sig")
    assert "boligsikring,5,5,5" in text


def test_nothing_to_read(tmp_path):
    result = invoke("all", "-o", str(tmp_path))
    assert result.exit_code == 1 and "at least one report file or an LRS" in result.output
