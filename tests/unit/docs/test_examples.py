"""Every data example in the documentation goes through the real parser or importer.

The OLX examples need the workbench runtime and are checked in
``tests/runtime/test_docs_olx.py``; everything else is checked here, without Django.
"""
from __future__ import annotations

import json

import pytest
import yaml

from tests.unit.docs.rst_examples import (
    DATA_LANGUAGES,
    REQUIRED_KINDS,
    Example,
    all_examples,
    by_name,
    named,
    parse,
)

EXAMPLES = all_examples()


def ids(examples: list[Example]) -> list[str]:
    return [e.where() for e in examples]


def test_the_reader_finds_code_blocks_with_their_options():
    text = ("Intro\n\n.. code-block:: csv\n   :name: framework-csv-x\n   :caption: A\n\n"
            "   a;b\n     indented\n\n   c;d\n\nAfter.\n\n  .. code-block:: xml\n\n"
            "     <x/>\n")
    first, second = parse(text, "p.rst")
    assert (first.language, first.name, first.line) == ("csv", "framework-csv-x", 3)
    assert first.text == "a;b\n  indented\n\nc;d\n"
    assert (second.language, second.name, second.text) == ("xml", "", "<x/>\n")


def test_every_data_example_is_named_for_a_known_check():
    unchecked = [e.where() for e in EXAMPLES
                 if (e.language in DATA_LANGUAGES or e.name) and e.kind is None]
    assert not unchecked, f"examples no test checks (give them a :name: from KINDS): {unchecked}"
    names = [e.name for e in EXAMPLES if e.name]
    assert len(names) == len(set(names)), "example names must be unique"


def test_every_kind_of_example_is_present():
    present = {e.kind for e in EXAMPLES}
    missing = sorted(set(REQUIRED_KINDS) - present)
    assert not missing, f"no example of {missing}"


# ---- self-assessment -------------------------------------------------------------------------
@pytest.mark.parametrize("example", named("setup-json"), ids=ids(named("setup-json")))
def test_setup_documents_are_valid(example):
    from competency_xblock.competency.content import BlockContent, problems

    data = json.loads(example.text)
    assert [p.render() for p in problems(data)] == []
    BlockContent.from_dict(data)


@pytest.mark.parametrize("example", named("framework-json"), ids=ids(named("framework-json")))
def test_framework_documents_are_valid(example):
    from competency_xblock.competency.framework import load_json

    framework = load_json(example.text)
    assert framework.levels and list(framework.competences())


@pytest.mark.parametrize("example", named("framework-csv"), ids=ids(named("framework-csv")))
def test_framework_spreadsheets_import(example):
    from competency_xblock.competency import framework_csv

    framework = framework_csv.import_csv(example.text)
    # The same framework as the JSON example, when both describe it.
    if framework.id == "kommune-it":
        from competency_xblock.competency.framework import load_json

        json_twin = load_json(by_name("framework-json-kommune").text)
        assert framework.level_ids == json_twin.level_ids
        assert set(json_twin.competence_ids) <= set(framework.competence_ids)
    # A competence row without an area belongs to the area above it.
    assert all(c.area_id for c in framework.competences())


@pytest.mark.parametrize("example", named("profiles-csv"), ids=ids(named("profiles-csv")))
def test_profile_spreadsheets_import_against_digcomp(example):
    from competency_xblock.competency import profiles
    from competency_xblock.competency.framework import load_builtin
    from competency_xblock.competency.profiles import named_from_dicts

    olx_roles = [{"id": "skranke", "title": {"en": "Front desk", "da": "Skrankemedarbejder"}},
                 {"id": "sagsbehandler", "title": {"en": "Caseworker", "da": "Sagsbehandler"}}]
    result = profiles.import_csv(example.text, load_builtin(), named_from_dicts(olx_roles))
    assert result.profiles and all(result.profiles.values())
    # Headings that name a known role by title map to it; others become new roles.
    assert "skranke" in result.profiles


# ---- quiz ------------------------------------------------------------------------------------
@pytest.mark.parametrize("example", named("bank-json"), ids=ids(named("bank-json")))
def test_bank_documents_are_valid(example):
    from competency_xblock.quiz_engine.bank import validate_bank

    assert [p.render() for p in validate_bank(json.loads(example.text))] == []


def _imported_cleanly(result, example: Example) -> None:
    problems = [p.render() for p in result.problems]
    assert result.questions, f"{example.where()}: nothing imported ({problems})"
    assert problems == [], f"{example.where()}: {problems}"


@pytest.mark.parametrize("example", named("gift-"), ids=ids(named("gift-")))
def test_gift_examples_import_without_problems(example):
    from competency_xblock.quiz_engine.importers import detect_format, parse_gift

    assert detect_format(example.text) == "gift"
    result = parse_gift(example.text)
    _imported_cleanly(result, example)
    assert {q.type for q in result.questions} == {"single", "multiple", "truefalse"}
    assert all(q.topic for q in result.questions), "$CATEGORY sets every question's topic"


@pytest.mark.parametrize("example", named("moodle-xml"), ids=ids(named("moodle-xml")))
def test_moodle_examples_import_without_problems(example):
    from competency_xblock.quiz_engine.importers import detect_format, parse_moodle_xml

    assert detect_format(example.text) == "moodle"
    result = parse_moodle_xml(example.text)
    _imported_cleanly(result, example)
    assert all(q.explanation for q in result.questions)


@pytest.mark.parametrize("example", named("capa-xml"), ids=ids(named("capa-xml")))
def test_capa_examples_import_without_problems(example):
    from competency_xblock.quiz_engine.importers import detect_format, parse_capa

    assert detect_format(example.text) == "capa"
    result = parse_capa(example.text)
    _imported_cleanly(result, example)
    question = result.questions[0]
    assert question.scenario and question.explanation
    assert any(c.feedback for c in question.choices)


def test_imported_examples_form_a_valid_bank():
    """What the docs say Studio does: the imports merge into one valid bank."""
    from competency_xblock.quiz_engine.bank import bank_to_dict, validate_bank
    from competency_xblock.quiz_engine.importers import import_data, merge_into_bank
    from competency_xblock.quiz_engine.model import Bank

    bank = Bank(())
    for kind in ("gift-", "moodle-xml", "capa-xml"):
        for example in named(kind):
            bank, _notes = merge_into_bank(bank, import_data(example.text))
    assert [p.render() for p in validate_bank(bank_to_dict(bank))] == []


# ---- atlas -----------------------------------------------------------------------------------
def _clean(report, example: str):
    rejected = [r.render() for r in report.rejected]
    warnings = [w.render() for w in report.warnings]
    assert report.atlas is not None and not rejected, f"{example}: {rejected}"
    assert warnings == [], f"{example}: {warnings}"
    return report.atlas


@pytest.mark.parametrize("example", named("atlas-json"), ids=ids(named("atlas-json")))
def test_atlas_documents_import(example):
    from competency_xblock.atlas.importers import import_json

    _clean(import_json(example.text.encode("utf-8")), example.where())


@pytest.mark.parametrize("example", named("exercise-json"), ids=ids(named("exercise-json")))
def test_exercises_are_valid_and_match_the_atlas_example(example):
    from competency_xblock.atlas.exercise import Exercise
    from competency_xblock.atlas.importers import import_json

    exercise = Exercise.from_dict(json.loads(example.text))
    atlas = _clean(import_json(by_name("atlas-json-small").text.encode("utf-8")), "atlas")
    assert [p.render() for p in exercise.problems_with(atlas)] == []


def test_atlas_spreadsheets_import_together():
    from competency_xblock.atlas.importers import import_csv

    services = by_name("atlas-services-csv").text.encode("utf-8")
    units = by_name("atlas-units-csv").text.encode("utf-8")
    atlas = _clean(import_csv(services, units, atlas_id="min-kommune", title="Min Kommune",
                              kle_version="2025-05-01"), "atlas CSV")
    # What the page promises: ids derived from KLE, Danish words for audience and kind.
    assert atlas.service("kle-23.05.10") is not None
    assert atlas.service("erhvervsaffald").audience == ("business",)
    assert atlas.unit("folkeregister").parent == "borgerservice"


def test_kle_example_imports_with_its_mapping():
    from competency_xblock.atlas.importers import import_kle_xml

    report = import_kle_xml(by_name("kle-xml-example").text.encode("utf-8"),
                            by_name("kle-mapping-csv").text.encode("utf-8"))
    atlas = _clean(report, "KLE")
    service = atlas.service("kle-23.05.10")
    assert service.unit == "folkeregister", "the most specific mapping row wins"
    assert atlas.kle_version == "2025-05-01"
    assert "Adresseændring" in service.keywords


# ---- settings --------------------------------------------------------------------------------
def _known_settings() -> dict:
    from competency_xblock.core.base import DEFAULT_SETTINGS
    from competency_xblock.xapi.config import DEFAULTS

    return {**DEFAULT_SETTINGS, **DEFAULTS}


def _run_settings(code: str) -> dict:
    namespace: dict = {"XBLOCK_SETTINGS": {}}
    exec(compile(code, "<docs example>", "exec"), namespace)  # noqa: S102 - our own docs
    return namespace["XBLOCK_SETTINGS"]["competency_xblock"]


@pytest.mark.parametrize("example", named("settings-"), ids=ids(named("settings-")))
def test_settings_examples_use_only_real_keys_and_work(example):
    from competency_xblock.atlas.sources import parse_settings
    from competency_xblock.xapi.config import from_settings

    code = example.text
    if example.language == "yaml":
        plugin = yaml.safe_load(code)
        assert {"name", "version", "patches"} <= set(plugin)
        code = plugin["patches"]["openedx-common-settings"]
    bucket = _run_settings(code)
    unknown = set(bucket) - set(_known_settings())
    assert not unknown, f"{example.where()}: not a setting: {sorted(unknown)}"
    assert from_settings(bucket).problems() == []
    parse_settings({"atlases": bucket.get("atlases", {}),
                    "refresh_seconds": bucket.get("atlas_refresh_seconds", 300)})
