"""The block content document: shipped examples, validation of everything, round trips."""
from __future__ import annotations

import copy
import json

import pytest

from competency_xblock.competency import content as ct
from competency_xblock.competency.content import BlockContent, default_content, example_dict
from competency_xblock.competency.errors import ProblemsError
from competency_xblock.core import schemas
from competency_xblock.text import UserFacingError

from .conftest import read_data


def test_shipped_example_is_valid_and_marked_as_example():
    content = default_content()
    assert content.example is True
    assert "EKSEMPEL" in content.notice["da"] and "EXAMPLE" in content.notice["en"]
    assert content.framework_ref == "digcomp3"
    assert [r.id for r in content.roles] == ["borgerservice", "sagsbehandler", "administrativ",
                                             "leder"]
    assert len(content.units) >= 3
    assert {r.kind for r in content.resources} >= {"course", "guide", "peer"}
    assert any("Sidemandsoplæring" in r.title["da"] for r in content.resources)


def test_borgerservice_expects_more_than_caseworkers_and_administrative_staff(example):
    def total(role):
        return sum(example.framework.rank(lv) for lv in example.expected(role).values())

    assert total("borgerservice") > total("sagsbehandler")
    assert total("borgerservice") > total("administrativ")


def test_a_competence_may_be_left_out_for_a_role(example):
    assert "3.4" not in example.expected("borgerservice")
    assert "3.4" in example.expected("leder")


def test_areas_for_groups_the_role_competences_in_framework_order(example):
    grouped = example.areas_for("sagsbehandler")
    assert [a.id for a, _ in grouped] == ["1", "2", "3", "4", "5"]
    area3 = dict((a.id, [c.id for c in comps]) for a, comps in grouped)["3"]
    assert area3 == ["3.1", "3.2", "3.3"]


def test_every_problem_of_an_invalid_document_is_reported():
    found = ct.problems(json.loads(read_data("invalid-block.json")))
    assert [p.path for p in found] == [
        "/roles/1/id", "/units/1/id", "/profiles/borgerservice/9.9",
        "/profiles/borgerservice/4.2", "/profiles/ghost", "/profiles/leder",
        "/resources/0/competence", "/resources/1/levels/0", "/fixed_role", "/fixed_unit",
        "/reassessment/days",
    ]
    with pytest.raises(ProblemsError) as caught:
        BlockContent.from_dict(json.loads(read_data("invalid-block.json")))
    assert caught.value.render() == "The content has 11 problem(s)."
    assert len(caught.value.render_all()) == 11


def test_schema_problems_come_first_and_all_together():
    data = example_dict()
    data["roles"][0]["title"] = ""
    data["resources"][0]["url"] = "javascript:alert(1)"
    data["resources"][1]["kind"] = "podcast"
    data["reassessment"] = {"mode": "sometimes"}
    data["surprise"] = 1
    paths = [p.path for p in ct.problems(data)]
    assert paths == ["/", "/reassessment/mode", "/resources/0/url", "/resources/1/kind",
                     "/roles/0/title"]


def test_inline_framework_problems_are_located_under_framework(kommune_dict):
    data = example_dict()
    bad = copy.deepcopy(kommune_dict)
    bad["levels"].append({"id": "begynder", "label": "x"})
    data["framework"] = bad
    assert [p.render() for p in ct.problems(data)] == [
        'Duplicate level id "begynder". (/framework/levels/3/id)']
    bad["levels"] = []
    assert [p.path for p in ct.problems(data)] == ["/framework/levels"]


def test_unknown_framework_reference():
    data = example_dict()
    data["framework"] = {"ref": "digcomp2"}
    assert [p.path for p in ct.problems(data)] == ["/framework/ref"]


def test_not_even_an_object():
    assert [p.path for p in ct.problems([])] == ["/"]
    assert ct.problems({"framework": 1, "roles": [], "profiles": {}})


def test_round_trip_with_inline_framework_danish_and_emoji(kommune_content):
    text = ct.dump_json(kommune_content)
    assert "Skranke 🙂" in text and "Sidemandsoplæring hos DPO'en 👥" in text
    again = ct.parse_json(text)
    assert again == kommune_content
    assert again.to_dict() == kommune_content.to_dict()


def test_round_trip_of_the_example_keeps_the_reference():
    content = default_content()
    data = content.to_dict()
    assert data["framework"] == {"ref": "digcomp3"}
    assert BlockContent.from_dict(data).to_dict() == data == {
        k: v for k, v in example_dict().items()}


def test_with_framework_swaps_in_an_own_framework(example, kommune):
    with pytest.raises(ProblemsError) as caught:
        example.with_framework(kommune)  # the profiles name DigComp competences
    assert any("Unknown competence" in p.render() for p in caught.value.problems)


def test_parse_json_errors():
    with pytest.raises(UserFacingError, match="not valid JSON"):
        ct.parse_json("{")
    with pytest.raises(UserFacingError, match="too big"):
        ct.parse_json(" " * (ct.MAX_CONTENT_CHARS + 1))


def test_lookups(kommune_content):
    assert kommune_content.role("kontor").title["da"] == "Kontor"
    assert kommune_content.role("nope") is None
    assert kommune_content.unit("syd").title == "Syd"
    assert kommune_content.expected("kontor") == {"post.sende": "selvhjulpen",
                                                  "gdpr": "selvhjulpen"}
    assert [r.id for r in kommune_content.resources_for("gdpr")] == ["r1", "r2", "r3"]


def test_block_schema_shares_definitions_with_framework_schema():
    block = schemas.load_schema("competency-block")["$defs"]
    framework = schemas.load_schema("competency-framework")["$defs"]
    for name in ("id", "language_code", "short_text", "long_text"):
        assert block[name] == framework[name], name


def _nodes(node, where="#"):
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _nodes(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _nodes(value, f"{where}/{i}")


@pytest.mark.parametrize("name", ["competency-framework", "competency-block",
                                  "competency-submit", "competency-select",
                                  "competency-staff-filter", "competency-import",
                                  "competency-export"])
def test_schemas_are_documented_and_bounded(name):
    schema = schemas.load_schema(name)
    assert schema["$schema"].endswith("2020-12/schema")
    assert schema["title"] and schema["description"]
    for where, node in _nodes(schema):
        kind = node.get("type")
        if kind == "string" and "enum" not in node:
            assert "maxLength" in node, where
        if kind == "array":
            assert "maxItems" in node, where
        if kind == "object" and isinstance(node.get("additionalProperties"), dict):
            assert "maxProperties" in node, where
