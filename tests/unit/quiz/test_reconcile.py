"""Replacing the bank by an import: questions that come back keep the ids learners' answers
refer to, in every import format; what changes for learners is reported with its line."""
from __future__ import annotations

import json
import re

from click.testing import CliRunner

from competency_xblock.quiz_engine.bank import bank_from_dict, bank_to_dict, validate_bank
from competency_xblock.quiz_engine.cli import import_quiz
from competency_xblock.quiz_engine.exporters import export_gift, export_olx
from competency_xblock.quiz_engine.importers import (
    NOTE,
    merge_into_bank,
    parse_capa,
    parse_gift,
    parse_moodle_xml,
)
from competency_xblock.quiz_engine.model import Bank

from .conftest import small_bank_data
from .test_cli import run


def _bank(**changes):
    data = small_bank_data()
    data.update(changes)
    return bank_from_dict(data)


def _old_export(text: str) -> str:
    """A GIFT file as earlier exports (or a hand-written one) have it: no choice comments."""
    return re.sub(r"\n *// \[choice:[^\]]*\]", "", text)


def _ids(bank: Bank) -> dict[str, list[str]]:
    return {q.id: [c.id for c in q.choices] for q in bank.questions}


def test_gift_without_choice_comments_comes_back_with_the_bank_choice_ids():
    bank = _bank()
    text = _old_export(export_gift(bank, "en"))
    assert "[choice:" not in text
    result = parse_gift(text)
    assert _ids(Bank(tuple(result.questions)))["s1"] == ["c1", "c2", "c3"]
    replaced, notes = merge_into_bank(bank, result, replace_bank=True)
    assert _ids(replaced) == _ids(bank)
    assert notes == []
    # What did not change keeps its translations (the export was in one language).
    assert replaced.question("s1").prompt == {"en": "P1", "da": "S1"}
    assert validate_bank(bank_to_dict(replaced)) == []


def test_moodle_xml_and_capa_without_names_come_back_by_text():
    bank = _bank()
    olx = "".join(export_olx(bank, "en").values())
    olx = re.sub(r' name="[^"]*"', "", olx)
    for xml in re.findall(r"<problem.*?</problem>", olx, re.S):
        result = parse_capa(xml)
        replaced, notes = merge_into_bank(bank, result, replace_bank=True)
        (q,) = replaced.questions
        assert [c.id for c in q.choices] == [c.id for c in bank.question(q.id).choices]
        assert not [n for n in notes if n.question == q.id]
    moodle = ("<quiz><question type='multichoice'><name><text>s1</text></name>"
              "<idnumber>s1</idnumber><questiontext><text>P1</text></questiontext>"
              "<single>true</single>"
              "<answer fraction='0'><text>C</text></answer>"
              "<answer fraction='100'><text>A</text></answer>"
              "<answer fraction='0'><text>  B </text></answer></question></quiz>")
    replaced, notes = merge_into_bank(bank, parse_moodle_xml(moodle), replace_bank=True)
    assert [c.id for c in replaced.question("s1").choices] == ["c", "a", "b"]


def test_reordered_and_reformatted_choices_keep_their_ids():
    bank = _bank()
    result = parse_gift("::m1:: P2 {\n~%-50%D\n~%50%[html]<b>B</b>\n~%-50%C\n~%50%  A\n}")
    replaced, notes = merge_into_bank(bank, result, replace_bank=True)
    assert [c.id for c in replaced.question("m1").choices] == ["d", "b", "c", "a"]
    assert not [n for n in notes if n.question == "m1"]


def test_a_changed_choice_gets_an_id_the_question_never_had_and_is_reported():
    """Learners who picked "B" must not find another text behind their answer."""
    bank = _bank()
    text = "::s1:: P1 {\n=A\n~B changed\n~C\n}"
    replaced, notes = merge_into_bank(bank, parse_gift(text), replace_bank=True)
    ids = [c.id for c in replaced.question("s1").choices]
    assert ids[0] == "a" and ids[2] == "c" and ids[1] not in {"a", "b", "c"}
    mine = [n for n in notes if n.question == "s1"]
    messages = [n.render() for n in mine]
    assert all(n.position == "line 1" and n.kind == NOTE for n in mine)
    assert any('"B changed" is new' in m for m in messages), messages
    assert any('"B" of the question in the bank is not in the import' in m
               and "keep the marks" in m for m in messages), messages


def test_a_choice_named_by_its_comment_keeps_its_id_when_its_text_changed():
    bank = _bank()
    text = "::s1:: P1 {\n// [choice:a]\n=A\n// [choice:b]\n~Bee\n// [choice:c]\n~C\n}"
    replaced, notes = merge_into_bank(bank, parse_gift(text), replace_bank=True)
    assert [c.id for c in replaced.question("s1").choices] == ["a", "b", "c"]
    (note,) = [n for n in notes if n.question == "s1"]
    assert 'choice "b" changed from "B" to "Bee"' in note.render()


def test_new_ids_never_reuse_an_old_choice_id():
    """A bank imported from GIFT has c1, c2 ...; a new first choice must not become c1."""
    first = parse_gift("::q:: pick {\n=right\n~wrong\n}")
    bank, _ = merge_into_bank(Bank(()), first)
    assert _ids(bank) == {"q": ["c1", "c2"]}
    again = parse_gift("::q:: pick {\n~new\n=right\n~other\n}")
    replaced, notes = merge_into_bank(bank, again, replace_bank=True)
    ids = [c.id for c in replaced.question("q").choices]
    assert ids[1] == "c1" and not {ids[0], ids[2]} & {"c1", "c2"}
    assert len(set(ids)) == 3


def test_a_fixed_key_and_a_changed_type_are_reported_with_the_rescore():
    bank = _bank()
    text = ("::s1:: P1 {\n~A\n=B\n~C\n}\n\n"
            "// scoring: all_or_nothing\n::m1:: P2 {\n~%50%A\n~%50%B\n~%-50%C\n~%-50%D\n}\n\n"
            "::s2:: P5 {\n~%100%X\n~%100%Y\n}")
    replaced, notes = merge_into_bank(bank, parse_gift(text), replace_bank=True)
    by_question = {}
    for n in notes:
        by_question.setdefault(n.question, []).append((n.position, n.render()))
    ((pos, key),) = by_question["s1"]
    assert pos == "line 1" and '(now: "B"; before: "A")' in key and "rescores" in key
    ((pos, rule),) = by_question["m1"]
    assert pos == "line 8" and "from per_choice to all_or_nothing" in rule
    assert any("from single to multiple" in m for _, m in by_question["s2"])
    assert any('(now: "X"; "Y"; before: "Y")' in m for _, m in by_question["s2"])


def test_questions_left_out_of_a_replacement_are_reported():
    bank = _bank()
    replaced, notes = merge_into_bank(bank, parse_gift("::s1:: P1 {\n=A\n~B\n~C\n}"),
                                      replace_bank=True)
    assert [q.id for q in replaced.questions] == ["s1"]
    (gone,) = [n for n in notes if not n.question]
    assert "5 question(s)" in gone.render() and "m1, m2, tf1, s2, s3" in gone.render()


def test_adding_never_touches_a_question_in_the_bank():
    bank = _bank()
    result = parse_gift("::s1:: P1 changed {\n~A\n=B\n}")
    merged, notes = merge_into_bank(bank, result)
    assert merged.question("s1") == bank.question("s1")
    assert [c.id for c in merged.question("s1-2").choices] == ["c1", "c2"]
    (note,) = notes
    assert note.position == "line 1" and "is now \"s1-2\"" in note.render()


def test_changed_texts_that_lose_their_translations_are_reported():
    bank = _bank()
    replaced, notes = merge_into_bank(bank, parse_gift("::s1:: P1 new {\n=A\n~B\n~C\n}"),
                                      replace_bank=True)
    assert replaced.question("s1").prompt == "P1 new"
    assert any("one language" in n.render() for n in notes)


def test_imported_weights_stay_per_choice_in_an_all_or_nothing_bank():
    bank = _bank(scoring="all_or_nothing")
    merged, _ = merge_into_bank(bank, parse_gift("::w:: many {~%50%a ~%50%b ~%-100%c}"))
    assert merged.question("w").scoring == "per_choice"
    assert merged.rule_for(merged.question("w")) == "per_choice"


def test_replacing_keeps_the_titles_of_topics_that_come_back():
    bank = _bank(topics=[{"id": "t1", "title": {"en": "One", "da": "En"}}, {"id": "t2"},
                         {"id": "t3"}])
    result = parse_gift(export_gift(bank, "da"))
    replaced, notes = merge_into_bank(bank, result, replace_bank=True)
    assert replaced.topics[0].title == {"en": "One", "da": "En"}
    assert replaced.questions == bank.questions and notes == []


def test_cli_replace(tmp_path):
    target = tmp_path / "bank.json"
    details = {"title": "Lille bank", "description": "Til prøve"}
    target.write_text(json.dumps({**small_bank_data(), **details}), encoding="utf-8")
    gift = tmp_path / "edit.gift"
    gift.write_text(_old_export(export_gift(_bank(), "en")).replace("P5", "P5 fixed"),
                    encoding="utf-8")
    result = run(import_quiz, [str(gift), "--into", str(target), "--replace"])
    assert result.exit_code == 0, result.stderr
    after = bank_from_dict(json.loads(target.read_text(encoding="utf-8")))
    assert _ids(after) == _ids(_bank()) and after.question("s2").prompt == "P5 fixed"
    assert after.question("s1").prompt == {"en": "P1", "da": "S1"}
    assert "note:" not in result.stderr  # P5 was one text for every language: nothing lost
    # the bank's own details stay, as Studio keeps them (the CLI dropped them on --replace)
    saved = json.loads(target.read_text(encoding="utf-8"))
    assert {k: saved.get(k) for k in details} == details
    alone = CliRunner().invoke(import_quiz, [str(gift), "--replace"])
    assert alone.exit_code == 2 and "--replace needs --into" in alone.output
