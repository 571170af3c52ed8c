"""The atlas model and its validation (every problem, naming record and field)."""
from __future__ import annotations

import copy

import pytest

from competency_xblock.atlas.model import Atlas, AtlasValidationError, validate_atlas_data


def test_small_atlas_loads(small_atlas):
    assert len(small_atlas) == 13
    assert small_atlas.kle_version == "2025-05-01"
    assert small_atlas.service("koerekort").unit == "pas-koerekort"
    assert [u.id for u in small_atlas.unit_chain("pas-koerekort")] == \
        ["pas-koerekort", "borgerservice"]


def test_contact_channels_inherit_from_parent_unit(small_atlas):
    contact = small_atlas.contact_for("pas-koerekort")
    assert contact.phone == "+45 99 99 00 10"          # own
    assert contact.address == "Torvet 1, 9999 Lilleby"  # from Borgerservice
    assert contact.secure_mail.startswith("Digital Post")


def test_digest_is_stable_and_content_based(small_data):
    a = Atlas.from_dict(small_data)
    b = Atlas.from_dict(copy.deepcopy(small_data))
    assert a.digest == b.digest
    small_data["services"][0]["title"] = "Boligstøtte og boligsikring"
    assert Atlas.from_dict(small_data).digest != a.digest


def test_round_trip(small_atlas):
    again = Atlas.from_dict(small_atlas.to_dict())
    assert [s.id for s in again.services] == [s.id for s in small_atlas.services]
    assert again.contact_for("borgerservice") == small_atlas.contact_for("borgerservice")


def test_all_problems_are_reported_with_record_and_field(small_data):
    data = copy.deepcopy(small_data)
    data["units"].append(dict(data["units"][0]))                 # duplicate unit id
    data["services"][1]["unit"] = "no-such-unit"                 # unknown unit
    data["services"][2]["kle"] = ["27.2"]                        # malformed KLE
    data["services"][3]["id"] = data["services"][0]["id"]        # duplicate service id
    data["units"][1]["parent"] = "nowhere"                       # unknown parent
    problems = validate_atlas_data(data)
    rendered = [p.render() for p in problems]
    assert len(problems) == 5, rendered
    assert any("Duplicate unit id \"borgerservice\"" in r and "/units/6/id" in r
               for r in rendered)
    assert any("unknown unit \"no-such-unit\"" in r and "/services/1/unit" in r
               and "boligindretning" in r for r in rendered)
    assert any("\"27.2\" is not a KLE number" in r and "/services/2/kle/0" in r
               for r in rendered)
    assert any("Duplicate service id \"boligstoette\"" in r for r in rendered)
    assert any("unknown parent unit \"nowhere\"" in r for r in rendered)


def test_from_dict_raises_with_every_problem(small_data):
    small_data["services"][0]["unit"] = "x"
    small_data["services"][1]["unit"] = "y"
    with pytest.raises(AtlasValidationError) as info:
        Atlas.from_dict(small_data)
    assert len(info.value.problems) == 2
    assert "2 problem(s)" in str(info.value)


def test_schema_violations_name_the_record(small_data):
    small_data["services"][4]["audience"] = ["aliens"]
    small_data["units"][0]["contact"]["web"] = "javascript:alert(1)"
    small_data["services"][5]["title"] = "x" * 301
    rendered = [p.render() for p in validate_atlas_data(small_data)]
    assert any("/services/4/audience/0" in r and "service \"pas\"" in r for r in rendered)
    assert any("/units/0/contact/web" in r for r in rendered)
    assert any("too long" in r and "/services/5/title" in r for r in rendered)


def test_unit_cycles_are_reported(small_data):
    small_data["units"][0]["parent"] = "pas-koerekort"
    rendered = [p.render() for p in validate_atlas_data(small_data)]
    assert any("cycle" in r for r in rendered)


@pytest.mark.parametrize("bad", [None, [], "atlas", 42])
def test_non_objects_are_rejected(bad):
    problems = validate_atlas_data(bad)
    assert problems and "JSON object" in problems[0].render()
