"""Replacing a quiz's bank in Studio after learners answered (export, edit, import): their
results and grades stay as they were for every question the author did not change."""
from __future__ import annotations

import json
import re

import pytest

from tests.runtime.test_quiz import RIGHT, Learner, quiz_olx, small_bank


def _rescore(workbench, usage, student="s1"):
    from workbench.runtime import WorkbenchRuntime

    workbench.events.clear()
    WorkbenchRuntime(student).get_block(usage).rescore(only_if_higher=False)
    return workbench.events.of_type("grade", usage)


def _answered(workbench):
    sid = workbench.scenario(quiz_olx(small_bank(), questions_per_attempt=4,
                                      show_answer="always", shuffle_questions="false",
                                      shuffle_choices="false"))
    learner = Learner(workbench, sid)
    result = learner.submit(learner.load()["attempt"], RIGHT).data["result"]
    assert result["earned"] == 4
    workbench.render(sid, student="staff")
    learner.sid = sid
    return learner, result


def _export(workbench, usage, lang="en"):
    exported = workbench.call(usage, "export_questions", {"format": "gift", "language": lang},
                              student="staff")
    assert exported.status == 200
    return exported.data["text"]


def _replace(workbench, usage, text):
    imported = workbench.call(usage, "import_questions",
                              {"content": text, "format": "gift", "replace": True},
                              student="staff")
    assert imported.status == 200, imported.body
    return imported.data


@pytest.mark.parametrize("comments", [True, False], ids=["our-export", "without-choice-ids"])
def test_a_typo_fixed_through_gift_keeps_results_and_grade(workbench, comments):
    learner, before = _answered(workbench)
    text = _export(workbench, learner.usage).replace("Prompt two", "Prompt 2")
    if not comments:  # an earlier export, or a file edited elsewhere: matched by text
        text = re.sub(r"\n *// \[choice:[^\]]*\]", "", text)
    imported = _replace(workbench, learner.usage, text)
    assert imported["imported"] == 4 and imported["problems"] == []
    after = learner.load()["result"]
    assert [q["selected"] for q in after["questions"]] == \
        [q["selected"] for q in before["questions"]]
    assert after["questions"][1]["prompt"] == "Prompt 2"
    assert all(q["correct"] for q in after["questions"])
    assert _rescore(workbench, learner.usage) == [
        {"value": 4.0, "max_value": 4.0, "only_if_higher": False}]
    # The Danish text the English export left out is still there.
    danish = Learner(workbench, learner.sid, lang="da").load()["result"]
    assert danish["questions"][0]["prompt"] == "Spørgsmål et"


def test_the_import_report_names_what_changes_for_learners(workbench):
    learner, _ = _answered(workbench)
    text = _export(workbench, learner.usage)
    text = text.replace("=Alpha#FB-ALPHA", "~Alpha#FB-ALPHA").replace("~Beta#FB-BETA",
                                                                     "=Beta#FB-BETA")
    text = text.replace("~Gamma", "~Gamma ray").replace("    // [choice:c]\n", "")
    danish = workbench.call(learner.usage, "import_questions",
                            {"content": text, "format": "gift", "replace": True,
                             "dry_run": True}, student="staff", lang="da")
    assert any("De rigtige svar er ændret" in p["message"]
               for p in danish.data["problems"]), danish.data["problems"]
    imported = _replace(workbench, learner.usage, text)
    notes = {p["message"] for p in imported["problems"] if p["question"] == "q1"}
    assert all(p["kind"] == "note" for p in imported["problems"])
    position = next(p["position"] for p in imported["problems"] if p["question"] == "q1")
    assert position == "line 2"  # "::q1::Prompt one {" after its comment line
    assert any('(now: "Beta"; before: "Alpha")' in n and "rescores" in n for n in notes), notes
    assert any('"Gamma" of the question in the bank' in n for n in notes), notes
    assert any('"Gamma ray" is new' in n for n in notes), notes


def test_a_key_fixed_before_any_rescore_never_contradicts_itself(workbench):
    """"Your answer: Alpha. Correct." next to "Correct answer: Beta" must not happen: the
    verdict follows the key shown, with a note of what the score still counts."""
    learner, _ = _answered(workbench)
    fixed = small_bank()
    for choice in fixed["questions"][0]["choices"]:
        choice["correct"] = choice["id"] == "b"
    saved = workbench.call(learner.usage, "submit_studio_edits", {"values": {"bank": fixed}},
                           student="staff")
    assert saved.status == 200, saved.body
    result = learner.load()["result"]
    q1 = result["questions"][0]
    by_key = {c["key"]: c["text"] for c in q1["choices"]}
    assert [by_key[k] for k in q1["selected"]] == ["Alpha"]
    assert [by_key[k] for k in q1["correct_keys"]] == ["Beta"] and q1["correct"] is False
    assert q1["changed"] == "key" and q1["stored_credit_text"] == "100"
    assert result["earned"] == 4 and result["pending"] == 1
    assert _rescore(workbench, learner.usage)[0]["value"] == 3.0
    after = learner.load()["result"]
    assert after["pending"] == 0 and "changed" not in after["questions"][0]
    # The learner's page carries the notes in their language.
    page = Learner(workbench, learner.sid, lang="da").page.html
    for words in ("Kursusteamet har ændret, hvordan spørgsmålet bedømmes",
                  "indtil kursusteamet genbedømmer quizzen"):
        assert json.dumps(words)[1:-1] in page  # in the init arguments' JSON


def test_a_choice_removed_by_an_import_keeps_the_learners_marks(workbench):
    learner, _ = _answered(workbench)
    text = _export(workbench, learner.usage).replace("=Alpha#FB-ALPHA", "=Alpha (new)")
    text = text.replace("    // [choice:a]\n", "")
    imported = _replace(workbench, learner.usage, text)
    assert any('"Alpha" of the question in the bank' in p["message"]
               for p in imported["problems"])
    q1 = learner.load()["result"]["questions"][0]
    assert q1["selected"] == [] and q1["removed_answer"] is True
    assert q1["changed"] == "answer_removed" and q1["correct"] is True
    assert _rescore(workbench, learner.usage)[0]["value"] == 4.0


def test_replacing_keeps_the_banks_own_details(workbench):
    """Export, edit, import with "replace" kept the questions but dropped the bank's title,
    description, sources (the legal references credited), version and languages (a new-user
    trial): they stay."""
    sid = workbench.scenario(quiz_olx(None, questions_per_attempt=4))
    usage = workbench.render(sid, student="staff").usage_id
    before = workbench.call(usage, "export_questions", {"format": "json"},
                            student="staff").data["bank"]
    assert before.get("sources") and before.get("languages")
    text = _export(workbench, usage, "da")
    _replace(workbench, usage, text)
    after = workbench.call(usage, "export_questions", {"format": "json"},
                           student="staff").data["bank"]
    for key in ("title", "description", "sources", "version", "languages"):
        assert after.get(key) == before.get(key), key
    assert len(after["questions"]) == len(before["questions"])
