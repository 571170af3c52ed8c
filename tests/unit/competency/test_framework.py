"""The framework model, the shipped DigComp 3.0 default and framework validation."""
from __future__ import annotations

import copy
import csv
import json

import pytest

from competency_xblock.competency import framework as fw
from competency_xblock.competency.errors import ProblemsError
from competency_xblock.competency.framework import Framework, load_json

from .conftest import DATA


def test_digcomp_has_5_areas_21_competences_and_4_levels(digcomp):
    assert [a.id for a in digcomp.areas] == ["1", "2", "3", "4", "5"]
    assert len(list(digcomp.competences())) == 21
    assert digcomp.level_ids == ["basic", "intermediate", "advanced", "highly_advanced"]


def test_digcomp_every_text_in_english_and_danish(digcomp):
    def both(text):
        assert isinstance(text, dict) and text.get("en") and text.get("da"), text

    both(digcomp.title)
    for level in digcomp.levels:
        both(level.label)
        both(level.description)
    for area in digcomp.areas:
        both(area.title)
        both(area.description)
        for comp in area.competences:
            both(comp.title)
            both(comp.description)
            assert set(comp.levels) == set(digcomp.level_ids), comp.id
            for text in comp.levels.values():
                both(text)


def test_digcomp_english_text_is_verbatim_from_the_data_supplement(digcomp):
    with (DATA / "digcomp3_competences.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 21
    for row in rows:
        comp = digcomp.competence(row["Competence number"])
        assert comp.title["en"] == row["Competence name"].strip()
        assert comp.description["en"] == row["Competence descriptor"].strip()
        area = digcomp.area(row["Competence area number"])
        assert area.title["en"] == row["Competence area name"].strip()
        assert area.description["en"] == row["Competence area descriptor"].strip()
    with (DATA / "digcomp3_proficiency_levels.csv").open(encoding="utf-8-sig") as handle:
        descriptions = {r["Proficiency level name"].strip():
                        r["Four level proficiency level description"].strip()
                        for r in csv.DictReader(handle)}
    for level in digcomp.levels:
        assert level.description["en"] == descriptions[level.label["en"]]


def test_digcomp_attribution_says_licence_and_unofficial_danish(digcomp):
    assert digcomp.attribution["licence"] == "CC BY 4.0"
    assert "not an official JRC translation" in digcomp.attribution["translations"]["da"]
    assert "JRC" in digcomp.attribution["source"]


def test_digcomp_danish_uses_danish_letters(digcomp):
    text = json.dumps([c.description["da"] for c in digcomp.competences()], ensure_ascii=False)
    assert all(letter in text for letter in "æøå")
    assert digcomp.competence("4.2").title["da"] == "Beskyttelse af personoplysninger og privatliv"


def test_descriptor_falls_back_to_the_scale(kommune):
    comp = kommune.competence("post.laese")
    assert comp.descriptor(kommune.level("begynder"))["da"] == "Åbner et brev med hjælp."
    assert comp.descriptor(kommune.level("selvhjulpen"))["da"] == "Klarer sig selv."


def test_rank_and_order(kommune):
    assert [kommune.rank(lv) for lv in kommune.level_ids] == [1, 2, 3]
    assert kommune.order("phishing") == 2
    assert kommune.order("nope") == 4
    with pytest.raises(fw.UserFacingError):
        kommune.rank("mester")


@pytest.mark.parametrize("value,expected", [
    ("selvhjulpen", "selvhjulpen"), ("SELVHJULPEN", "selvhjulpen"), ("Self-reliant", "selvhjulpen"),
    (" Superbruger ", "superbruger"), ("1", "begynder"), ("3", "superbruger"), ("4", None),
    ("0", None), ("", None), ("mester", None),
])
def test_resolve_level_accepts_id_label_or_rank(kommune, value, expected):
    assert kommune.resolve_level(value) == expected


def test_round_trip_keeps_danish_and_emoji(kommune, kommune_dict):
    again = load_json(json.dumps(kommune.to_dict(), ensure_ascii=False))
    assert again == kommune
    assert again.title["da"] == "Kommunens it-grundlag 🖥️"
    assert again.to_dict() == Framework.from_dict(kommune_dict).to_dict()


def test_digcomp_round_trip(digcomp):
    assert Framework.from_dict(digcomp.to_dict()) == digcomp


def test_plain_string_texts_are_allowed():
    framework = Framework.from_dict({
        "id": "x", "title": "Plain",
        "levels": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}],
        "areas": [{"id": "1", "title": "One", "competences": [{"id": "c", "title": "C"}]}]})
    assert framework.label("b", "da") == "B"


def test_all_semantic_problems_are_reported_at_once(kommune_dict):
    data = copy.deepcopy(kommune_dict)
    data["levels"].append({"id": "begynder", "label": "Igen"})
    data["levels"].append({"id": "dont_know", "label": "Ved ikke"})
    data["areas"].append({"id": "post", "title": "Dublet", "competences": [
        {"id": "phishing", "title": "Dublet", "levels": {"mester": "?"}}]})
    found = fw.problems(data)
    rendered = [p.render() for p in found]
    assert rendered == [
        'Duplicate level id "begynder". (/levels/3/id)',
        '"dont_know" is reserved for "don\'t know" and cannot be a level id. (/levels/4/id)',
        'Duplicate area id "post". (/areas/2/id)',
        'Duplicate competence id "phishing". (/areas/2/competences/0/id)',
        'Level "mester" is not on the framework\'s level scale. '
        '(/areas/2/competences/0/levels/mester)',
    ]
    with pytest.raises(ProblemsError) as caught:
        Framework.from_dict(data)
    assert len(caught.value.problems) == 5


def test_schema_problems_are_all_reported_with_paths(kommune_dict):
    data = copy.deepcopy(kommune_dict)
    data["levels"] = data["levels"][:1]
    data["areas"][0]["competences"][0]["id"] = "has space"
    data["areas"][1]["title"] = {"da": "x" * 301}
    del data["title"]
    paths = {p.path for p in fw.problems(data)}
    assert {"/", "/levels", "/areas/0/competences/0/id", "/areas/1/title"} <= paths


def test_load_json_explains_bad_json():
    with pytest.raises(fw.UserFacingError) as caught:
        load_json('{"id": ')
    assert "not valid JSON" in caught.value.render()
    assert caught.value.path == "line 1"


def test_unknown_builtin():
    with pytest.raises(fw.UserFacingError) as caught:
        fw.load_builtin("digcomp9")
    assert "digcomp3" in caught.value.render()
