"""The upskilling plan: resources per competence and level, peer training, clarifications."""
from __future__ import annotations

from dataclasses import replace

from competency_xblock.competency.assessment import Assessment, evaluate
from competency_xblock.competency.plan import build_plan, plan_to_json

from .conftest import NOW

RATINGS = {"post.laese": "begynder", "post.sende": "selvhjulpen", "phishing": "dont_know",
           "gdpr": "begynder"}


def plan_for(content, ratings=RATINGS, role="skranke"):
    record = Assessment.create(content, role, "nord", ratings, now=NOW)
    return build_plan(content, evaluate(content.framework, record))


def test_one_item_per_gap_biggest_first_with_target_levels(kommune_content):
    plan = plan_for(kommune_content)
    assert [(i.row.competence, i.target_levels) for i in plan.items] == [
        ("post.laese", ("selvhjulpen", "superbruger")),
        ("gdpr", ("selvhjulpen", "superbruger")),
    ]


def test_resources_match_competence_and_levels_to_climb(kommune_content):
    gdpr = plan_for(kommune_content).items[1]
    assert [r.id for r in gdpr.resources] == ["r1", "r2"]  # course before guide
    assert [r.id for r in gdpr.peer] == ["r3"]
    # Only one level to climb: the guide for super users does not match.
    smaller = plan_for(kommune_content, dict(RATINGS, gdpr="selvhjulpen")).items[1]
    assert [r.id for r in smaller.resources] == ["r2"]
    # A resource without levels matches any gap for its competence.
    assert [r.id for r in plan_for(kommune_content).items[0].resources] == ["r4"]


def test_plan_json_in_danish_uses_authored_peer_resource_or_suggestion(kommune_content):
    data = plan_to_json(kommune_content, plan_for(kommune_content), "da")
    laese, gdpr = data["items"]
    assert laese["title"] == "Læse Digital Post"
    assert (laese["self_level"], laese["expected_level"], laese["gap"]) == (
        "Begynder", "Superbruger", 2)
    assert laese["resources"] == [{"kind": "video", "title": "Video: Digital Post",
                                   "url": "/static/digital-post.mp4", "description": "",
                                   "levels": []}]
    assert laese["peer"][0]["title"] == "Spørg en kollega om Læse Digital Post (Superbruger)."
    assert gdpr["peer"][0]["title"] == "Sidemandsoplæring hos DPO'en 👥"
    assert gdpr["resources"][0]["levels"] == ["Selvhjulpen"]
    assert data["clarify"] == [{
        "competence": "phishing", "title": "Genkende phishing 🎣", "expected_level": "Selvhjulpen",
        "text": 'You answered "don\'t know". Talk to your manager about what '
                '"Genkende phishing 🎣" means in your job.'}]


def test_default_peer_suggestion_is_translatable(kommune_content):
    content = replace(kommune_content, peer_suggestion="")
    data = plan_to_json(content, plan_for(content), "en",
                        gettext=lambda s: "OVERSAT: {competence} / {level}")
    assert data["items"][0]["peer"][0]["title"] == "OVERSAT: Reading Digital Post / Super user"


def test_broken_placeholders_in_authored_text_do_not_crash(kommune_content):
    content = replace(kommune_content, peer_suggestion={"da": "Spørg {kollega} om {0}"})
    data = plan_to_json(content, plan_for(content), "da")
    assert data["items"][0]["peer"][0]["title"] == "Spørg {kollega} om {0}"


def test_no_gaps_no_items(kommune_content):
    ratings = {"post.sende": "superbruger", "gdpr": "selvhjulpen"}
    plan = plan_for(kommune_content, ratings, role="kontor")
    assert plan.items == [] and plan.clarify == []


def test_example_content_plan_for_borgerservice(example):
    ratings = {c: "basic" for c in example.expected("borgerservice")}
    record = Assessment.create(example, "borgerservice", "borgerservice", ratings, now=NOW)
    plan = build_plan(example, evaluate(example.framework, record))
    data = plan_to_json(example, plan, "da")
    titles = {i["competence"]: i for i in data["items"]}
    assert titles["2.3"]["peer"][0]["title"].startswith("Sidemandsoplæring: følg en erfaren")
    assert titles["4.2"]["resources"][0]["url"] == "https://www.datatilsynet.dk"
    assert titles["1.1"]["peer"][0]["title"].startswith("Sidemandsoplæring: aftal 30 minutter")
