"""Limits: every documented bound (docs/limits.rst) holds, with a clear error, and the page lists
every handler with its real request limit."""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from tests.runtime.self_assessment_helpers import olx, setup_with
from tests.security.conftest import stored
from tests.security.fuzzing import STAFF, handler_names
from tests.security.test_access_control import BLOCKS

LIMITS_PAGE = Path(__file__).resolve().parents[2] / "docs" / "limits.rst"


def documented_request_limits() -> dict[tuple[str, str], int]:
    """``{(block tag, handler): bytes}`` from the first table of docs/limits.rst."""
    text = LIMITS_PAGE.read_text(encoding="utf-8")
    table = text.split("Other bounds on every request")[0]
    found = {}
    for block, handlers, size in re.findall(
            r"\* - (\w+)\n\s+- (.+?)\n\s+- (\d+)\n", table):
        for handler in re.findall(r"``(\w+)``", handlers):
            found[(block, handler)] = int(size)
    return found


def test_the_limits_page_lists_every_handler_with_its_real_limit():
    documented = documented_request_limits()
    actual = {(tag, name): getattr(cls, name).max_bytes
              for tag, (cls, _) in BLOCKS.items() for name in handler_names(cls)}
    assert documented == actual


@pytest.fixture(scope="module")
def usages(bench):
    found = {}
    for tag, (_, markup) in BLOCKS.items():
        scenario = bench.scenario(markup, f"limits {tag}")
        found[tag] = bench.render(scenario, student=STAFF).usage_id
    return found


@pytest.mark.parametrize("tag,name", sorted(documented_request_limits()))
def test_request_size_limit_per_handler(bench, usages, tag, name):
    limit = documented_request_limits()[(tag, name)]
    usage = usages[tag]
    before = stored(bench)
    body = b'{"x": "' + b"a" * limit + b'"}'
    started = time.monotonic()
    result = bench.call(usage, name, raw=body, student=STAFF)
    assert time.monotonic() - started < 2
    assert result.status == 400
    assert result.data["error"] == f"The request is too large (more than {limit} bytes)."
    danish = bench.call(usage, name, raw=body, student=STAFF, lang="da")
    assert danish.data["error"] == f"Forespørgslen er for stor (mere end {limit} bytes)."
    assert stored(bench) == before


def test_json_nesting_limit(bench, usages):
    from competency_xblock.core.schemas import MAX_JSON_DEPTH

    usage = usages["competency_self_assessment"]
    for depth, ok in ((MAX_JSON_DEPTH - 5, True), (MAX_JSON_DEPTH + 1, False)):
        value = json.loads("[" * depth + "]" * depth)
        result = bench.call(usage, "submit_studio_edits", {"values": {"setup": {"x": value}}},
                            student=STAFF)
        assert result.status == 400
        readable = "could not be read" in result.data["error"]
        assert readable is not ok, result.data


def test_atlas_query_length_limits(bench, usages):
    usage = usages["atlas_lookup"]
    long = bench.call(usage, "search", {"query": "bolig " * 60}, student="limit-l")
    assert long.status == 200 and long.data["status"] == "query_too_long"
    assert "300" in json.dumps(long.data, ensure_ascii=False)
    refused = bench.call(usage, "search", {"query": "x" * 1001}, student="limit-l")
    assert refused.status == 400
    assert refused.data["error"] == "The value is too long (at most 1000). (/query)"


def minimal_question(n: int) -> dict:
    return {"id": f"q{n}", "type": "single", "prompt": f"Q{n}",
            "choices": [{"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B"}]}


def test_quiz_bank_size_limit_and_a_full_bank_stays_fast(bench):
    bank = {"id": "big", "questions": [minimal_question(n) for n in range(2001)]}
    scenario = bench.scenario('<data_security_quiz questions_per_attempt="5"/>', "bank limit")
    usage = bench.render(scenario, student=STAFF).usage_id
    refused = bench.call(usage, "submit_studio_edits", {"values": {"bank": bank}}, student=STAFF)
    assert refused.status == 400 and "at most 2000" in refused.data["error"]
    bank["questions"].pop()
    saved = bench.call(usage, "submit_studio_edits", {"values": {"bank": bank}}, student=STAFF)
    assert saved.status == 200, saved.data
    bench.render(scenario, student="limit-q")
    # Validated once per process, not on every learner request (that took seconds per request
    # with 2,000 questions); what remains is XBlock copying the field on each first read.
    started = time.monotonic()
    for _ in range(5):
        assert bench.call(usage, "load", {}, student="limit-q").status == 200
    assert time.monotonic() - started < 10


def test_quiz_import_limits(bench):
    from competency_xblock.quiz_engine.importers import import_data
    from competency_xblock.text import UserFacingError

    with pytest.raises(UserFacingError, match="more than 2000 questions"):
        import_data("".join(f"::q{n}:: x {{=a ~b}}\n\n" for n in range(2001)), "gift")
    scenario = bench.scenario("<data_security_quiz/>", "import limit")
    usage = bench.render(scenario, student=STAFF).usage_id
    big = bench.call(usage, "import_questions", {"content": "x" * 4_000_001}, student=STAFF)
    # Django's own DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MiB) applies first; see the next test.
    assert big.status == 400 and "too large" in big.data["error"]


def test_the_platforms_lower_body_limit_is_a_clear_400(bench):
    """Django refuses bodies over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MiB by default, also in the
    LMS) before our 4 MiB limit applies: that must be the same clear message, not an HTTP 500."""
    from django.test import override_settings

    scenario = bench.scenario("<data_security_quiz/>", "platform limit")
    usage = bench.render(scenario, student=STAFF).usage_id
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1_000_000):
        result = bench.call(usage, "import_questions", {"content": "x" * 1_500_000},
                            student=STAFF)
    assert result.status == 400
    assert result.data["error"] == "The request is too large (more than 1000000 bytes)."


def test_self_assessment_content_limits(bench):
    scenario = bench.scenario(olx(), "sa limits")
    usage = bench.render(scenario, student=STAFF).usage_id
    roles = [{"id": f"r{n}", "title": f"Role {n}"} for n in range(51)]
    too_many = bench.call(usage, "submit_studio_edits",
                          {"values": {"setup": setup_with(roles=roles)}}, student=STAFF)
    assert too_many.status == 400 and "at most 50" in too_many.data["error"]
    ratings = {f"c{n}": "basic" for n in range(301)}
    bench.render(scenario, student="limit-s")
    result = bench.call(usage, "save_draft", {"ratings": ratings}, student="limit-s")
    assert result.status == 400 and "at most 300" in result.data["error"]
    text = "role,competence,level\n" + "x,1.1,basic\n" * 5001
    rows = bench.call(usage, "import_data", {"kind": "profiles", "format": "csv", "text": text},
                      student=STAFF)
    assert rows.data["error"] == "The file has too many rows (at most 5000)."


def test_atlas_size_limits(bench):
    scenario = bench.scenario("<atlas_lookup/>", "atlas limits")
    usage = bench.render(scenario, student=STAFF).usage_id
    atlas = {"id": "big", "title": "Big", "services": [],
             "units": [{"id": f"u{n}", "name": f"Unit {n}"} for n in range(2001)]}
    result = bench.call(usage, "submit_studio_edits", {"values": {"inline_atlas": atlas}},
                        student=STAFF)
    assert result.status == 400 and "2000" in result.data["error"]


def test_named_atlas_file_size_limit(tmp_path):
    from competency_xblock.atlas.sources import registry_for

    path = tmp_path / "huge-atlas.json"
    path.write_bytes(b'{"id": "x", "title": "X", "units": [], "services": [], "pad": "'
                     + b"x" * 2048 + b'"}')
    registry = registry_for({"atlases": {"huge": {"path": str(path), "max_bytes": 1024}}})
    state = registry.get("huge")
    assert state.atlas is None and state.error is not None
    assert "1024" in state.error.render()


# --- the content bounds of the page are the code's -------------------------------------------


def _schema(name: str, pointer: str):
    from competency_xblock.core import schemas

    node = schemas.load_schema(name)
    for part in pointer.strip("/").split("/"):
        node = node[int(part) if isinstance(node, list) else part]
    return node


def _content_bounds() -> list[tuple[str, str, int]]:
    """``(row of the page, number as the page writes it, the value in the code)``."""

    from competency_xblock.atlas import gaps, search, sources
    from competency_xblock.atlas.importers import common as atlas_import
    from competency_xblock.atlas.importers import csv_import
    from competency_xblock.competency import assessment, content, tabular
    from competency_xblock.core import olx
    from competency_xblock.quiz_engine.importers import common as quiz_import

    mib = 1024 * 1024
    return [
        ("OLX of one block", "8,388,608 characters", olx.MAX_OLX_CHARS),
        ("Atlas search query", "300 characters", search.MAX_QUERY_CHARS),
        ("Atlas search query", "24 words", search.MAX_QUERY_WORDS),
        ("Atlas search query", "over 1,000 characters",
         _schema("atlas-search", "properties/query/maxLength")),
        ("Quiz bank", "2,000 questions", _schema("quiz-bank", "properties/questions/maxItems")),
        ("Quiz bank", "20 choices per question",
         _schema("quiz-bank", "$defs/question/properties/choices/maxItems")),
        ("Quiz bank", "8,000 characters per text",
         _schema("quiz-bank", "$defs/localized/oneOf/0/maxLength")),
        ("Quiz import", "5 MiB per file", quiz_import.MAX_IMPORT_BYTES // mib),
        ("Quiz import", "(4 MiB through Studio)",
         __import__("competency_xblock.quiz", fromlist=["x"]).DataSecurityQuizXBlock
         .import_questions.max_bytes // mib),
        ("Quiz import", "2,000 questions, 20 choices", quiz_import.MAX_IMPORT_QUESTIONS),
        ("Quiz import", "2,000 questions, 20 choices", quiz_import.MAX_CHOICES),
        ("Self-assessment setup", "1,000,000 characters", content.MAX_CONTENT_CHARS),
        ("Self-assessment setup", "50 roles",
         _schema("competency-block", "properties/roles/maxItems")),
        ("Self-assessment setup", "200 units",
         _schema("competency-block", "properties/units/maxItems")),
        ("Self-assessment setup", "500 resources",
         _schema("competency-block", "properties/resources/maxItems")),
        ("Self-assessment setup", "300 ratings per request",
         _schema("competency-submit", "properties/ratings/maxProperties")),
        ("Self-assessment CSV import", "2,000,000 characters", tabular.MAX_CSV_CHARS),
        ("Self-assessment CSV import", "5,000 rows", tabular.MAX_ROWS),
        ("Self-assessment CSV import", "131,072 characters per cell", tabular.MAX_CELL_CHARS),
        ("Self-assessment history", "50 assessments", assessment.MAX_HISTORY),
        ("Atlas (inline or named)", "2,000 units",
         _schema("atlas", "properties/units/maxItems")),
        ("Atlas (inline or named)", "100,000 services",
         _schema("atlas", "properties/services/maxItems")),
        ("Atlas (inline or named)", "2,000 synonym groups",
         _schema("atlas", "properties/synonyms/maxItems")),
        ("Named atlas file", "50 MiB", sources.DEFAULT_MAX_BYTES // mib),
        ("Atlas import (CLI", "100 MiB", atlas_import.DEFAULT_MAX_BYTES // mib),
        ("Atlas import (CLI", "200,000 CSV rows", csv_import.MAX_ROWS),
        ("Atlas staff list", "1,000 terms", gaps.MAX_TERMS),
        ("Atlas staff list", "20 targets per term", gaps.MAX_TARGETS_PER_TERM),
        ("Atlas staff list", "100 characters per term", gaps.MAX_TERM_CHARS),
        ("Atlas staff list", "20 entries per learner", gaps.CONTRIBUTION_ENTRIES),
    ]


@pytest.mark.parametrize("row,written,value", _content_bounds(),
                         ids=[f"{r}: {w}" for r, w, _ in _content_bounds()])
def test_the_limits_page_states_the_codes_content_bounds(row, written, value):
    text = LIMITS_PAGE.read_text(encoding="utf-8").split("Content and files")[1]
    entry = next((chunk for chunk in text.split("   * - ")[1:] if chunk.startswith(row)), None)
    assert entry is not None, f"no row {row!r} in docs/limits.rst"
    flat = " ".join(entry.split())
    assert written in flat, f"{row!r}: {written!r} not in {flat[:200]!r}"
    number = int(re.search(r"[\d,]+", written.split(", ")[0]).group(0).replace(",", ""))
    if written == "2,000 questions, 20 choices" and value == 20:
        number = 20
    assert number == value, f"{row!r}: the page says {written!r}, the code has {value}"


def test_atlas_query_word_limit(bench, usages):
    from competency_xblock.atlas.search import MAX_QUERY_WORDS

    usage = usages["atlas_lookup"]
    filler = [f"qzx{n}" for n in range(MAX_QUERY_WORDS)]
    first = bench.call(usage, "search", {"query": " ".join(["flytning", *filler])},
                       student="limit-w")
    assert first.status == 200 and first.data["total"] > 0, first.data
    # The 25th word is past the bound: it is not searched for (no error, no extra work).
    last = bench.call(usage, "search", {"query": " ".join([*filler, "flytning"])},
                      student="limit-w")
    assert last.status == 200 and last.data["total"] == 0, last.data


def test_self_assessment_setup_and_csv_size_limits(bench):
    from competency_xblock.competency.content import MAX_CONTENT_CHARS
    from competency_xblock.competency.tabular import MAX_CSV_CHARS

    scenario = bench.scenario(olx(), "sa size limits")
    usage = bench.render(scenario, student=STAFF).usage_id
    before = stored(bench)
    from competency_xblock.competency.content import parse_json
    from competency_xblock.text import UserFacingError

    setup = json.dumps(setup_with()) + " " * MAX_CONTENT_CHARS  # valid JSON, but too big
    with pytest.raises(UserFacingError) as caught:  # Studio field, OLX and CLI text
        parse_json(setup)
    assert caught.value.render() == \
        f"The content is too big (at most {MAX_CONTENT_CHARS} characters)."
    text = "type,id\n" + "x" * MAX_CSV_CHARS
    csv_big = bench.call(usage, "import_data", {"kind": "framework", "format": "csv",
                                                "text": text}, student=STAFF)
    # Through Studio the request schema refuses it first, with the same number.
    assert csv_big.status == 400, csv_big.data
    assert csv_big.data["error"] == f"The value is too long (at most {MAX_CSV_CHARS}). (/text)"
    assert stored(bench) == before
