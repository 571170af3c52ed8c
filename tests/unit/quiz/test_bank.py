"""Bank loading, validation (all problems, with paths) and the shipped default bank."""
from __future__ import annotations

import json
import re

import pytest

from competency_xblock.quiz_engine.bank import (
    bank_from_dict,
    bank_to_dict,
    load_bank,
    parse_bank_json,
    validate_bank,
)
from competency_xblock.quiz_engine.model import MULTIPLE, SINGLE, TRUEFALSE
from competency_xblock.text import UserFacingError

from .conftest import clone

REQUIRED_TOPICS = {
    "sensitive-data", "cpr", "legal-basis", "need-to-know", "secure-mail", "phishing",
    "passwords-mfa", "clean-desk", "print-usb", "cloud-sharing", "remote-work",
    "phone-identity", "data-breach", "retention",
}


def paths(problems):
    return [p.path for p in problems]


def test_small_bank_is_valid(small_data):
    assert validate_bank(small_data) == []
    bank = load_bank(small_data)
    assert [q.id for q in bank.questions] == ["s1", "m1", "m2", "tf1", "s2", "s3"]
    assert bank.question("m2").scoring == "all_or_nothing"
    assert bank.rule_for(bank.question("m1")) == "per_choice"
    assert bank.question("s1").correct_ids == {"a"}
    assert bank.question("nope") is None


def test_round_trip_through_dict(small_data):
    bank = load_bank(small_data)
    again = bank_from_dict(bank_to_dict(bank))
    assert again.questions == bank.questions
    assert again.topics == bank.topics
    assert validate_bank(bank_to_dict(bank)) == []


def test_every_problem_is_reported_at_once(small_data):
    data = clone(small_data)
    data["questions"][0]["choices"][0]["correct"] = False  # s1: no correct answer
    data["questions"][4]["choices"][0]["correct"] = True  # s2: two correct in single choice
    data["questions"][5]["id"] = "s2"  # duplicate question id
    data["questions"][1]["choices"][1]["id"] = "a"  # duplicate choice id in m1
    problems = validate_bank(data)
    messages = [p.render() for p in problems]
    assert len(problems) == 4, messages
    assert "/questions/0/choices" in paths(problems)
    assert "/questions/4/choices" in paths(problems)
    assert "/questions" in paths(problems)
    assert "/questions/1/choices" in paths(problems)
    assert any("no correct answer" in m for m in messages)
    assert any("2 correct answers" in m for m in messages)
    assert any("\"s2\" is used 2 times" in m for m in messages)


def test_truefalse_needs_true_and_false(small_data):
    data = clone(small_data)
    data["questions"][3]["choices"][0]["id"] = "yes"
    problems = validate_bank(data)
    assert paths(problems) == ["/questions/3/choices"]


def test_scoring_only_for_multiple(small_data):
    data = clone(small_data)
    data["questions"][0]["scoring"] = "per_choice"
    assert paths(validate_bank(data)) == ["/questions/0/scoring"]


def test_unknown_topic_and_duplicate_topic(small_data):
    data = clone(small_data)
    data["questions"][0]["topic"] = "elsewhere"
    data["topics"].append({"id": "t1"})
    assert sorted(paths(validate_bank(data))) == ["/questions/0/topic", "/topics"]
    data = clone(small_data)
    del data["questions"][0]["topic"]  # no topic at all is allowed
    assert validate_bank(data) == []


def test_missing_language_is_reported(small_data):
    data = clone(small_data)
    data["languages"] = ["da", "en"]
    assert validate_bank(data) == []  # plain strings serve every language
    data["questions"][0]["explanation"] = {"en": "Because"}
    data["questions"][0]["prompt"] = {"en": "P1", "da": " "}
    problems = validate_bank(data)
    assert paths(problems) == ["/questions/0/prompt", "/questions/0/explanation"]
    assert all("missing in da" in p.render() for p in problems)


@pytest.mark.parametrize("mutate, where", [
    (lambda d: d["questions"][0].update(type="essay"), "/questions/0/type"),
    (lambda d: d["questions"][0].update(prompt="x" * 8001), "/questions/0/prompt"),
    (lambda d: d["questions"][0]["choices"].__delitem__(slice(1, None)), "/questions/0/choices"),
    (lambda d: d["questions"][0].update(id="bad id!"), "/questions/0/id"),
    (lambda d: d["questions"][0].update(colour="red"), "/questions/0"),
    (lambda d: d.update(questions=[]), "/questions"),
])
def test_schema_problems_have_paths(small_data, mutate, where):
    data = clone(small_data)
    mutate(data)
    problems = validate_bank(data)
    assert problems and problems[0].path == where


def test_load_bank_raises_with_all_problems(small_data):
    data = clone(small_data)
    data["questions"][0]["choices"][0]["correct"] = False
    data["questions"][4]["choices"][0]["correct"] = True
    with pytest.raises(UserFacingError) as caught:
        load_bank(data)
    assert len(caught.value.problems) == 2
    assert "2 problems" in str(caught.value)


def test_json_syntax_error_names_the_line():
    with pytest.raises(UserFacingError) as caught:
        parse_bank_json('{\n  "questions": [\n  }\n')
    assert caught.value.path.startswith("line 3")


def test_parse_bank_json_ok(small_data):
    assert len(parse_bank_json(json.dumps(small_data)).questions) == 6


# --- the shipped default bank -------------------------------------------------------------

def test_default_bank_is_valid(default_data):
    assert validate_bank(default_data) == []


def test_default_bank_size_and_types(bank_default):
    assert len(bank_default.questions) >= 44
    types = {q.type for q in bank_default.questions}
    assert types == {SINGLE, MULTIPLE, TRUEFALSE}


def test_default_bank_covers_every_topic(bank_default):
    counts = {}
    for q in bank_default.questions:
        counts[q.topic] = counts.get(q.topic, 0) + 1
    assert REQUIRED_TOPICS <= set(counts)
    assert all(counts[t] >= 3 for t in REQUIRED_TOPICS), counts
    assert {t.id for t in bank_default.topics} == REQUIRED_TOPICS


def _texts(q):
    yield "prompt", q.prompt
    if q.scenario:
        yield "scenario", q.scenario
    yield "explanation", q.explanation
    for c in q.choices:
        yield f"choice {c.id}", c.text
        if c.feedback:
            yield f"feedback {c.id}", c.feedback


def test_default_bank_has_both_languages_everywhere(bank_default):
    missing = []
    for q in bank_default.questions:
        for name, text in _texts(q):
            if not isinstance(text, dict) or not all(text.get(k, "").strip() for k in ("da", "en")):
                missing.append(f"{q.id} {name}")
            elif text["da"] == text["en"] and len(text["en"]) > 12:
                missing.append(f"{q.id} {name} (not translated)")
    for t in bank_default.topics:
        assert t.title["da"] and t.title["en"]
    assert not missing, missing


CITATION_DA = re.compile(r"[Aa]rtikel \d+|§ ?\d+|ISO 27001|præambelbetragtning|lov om Digital Post")
CITATION_EN = re.compile(r"Article \d+|[Ss]ection \d+|ISO 27001|Recital|Digital Post Act")


def test_every_default_question_explains_the_rule(bank_default):
    for q in bank_default.questions:
        assert q.explanation, q.id
        assert CITATION_DA.search(q.explanation["da"]), q.id
        assert CITATION_EN.search(q.explanation["en"]), q.id


def test_default_bank_mentions_the_key_rules(bank_default):
    text = json.dumps([q.explanation for q in bank_default.questions], ensure_ascii=False)
    for needle in ("artikel 9", "72 timer", "§ 11", "Article 33", "Digital Post", "MFA"):
        assert needle in text, needle


def test_default_bank_uses_feedback_and_scenarios(bank_default):
    with_feedback = [q for q in bank_default.questions if any(c.feedback for c in q.choices)]
    with_scenario = [q for q in bank_default.questions if q.scenario]
    assert len(with_feedback) >= 30
    assert len(with_scenario) >= 10


def test_default_bank_has_no_real_looking_cpr_numbers(default_data):
    text = json.dumps(default_data, ensure_ascii=False)
    assert not re.search(r"\b\d{6}-\d{4}\b", text)
