"""Moodle XML and CAPA OLX import (safe XML parsing), OLX export round trip, merging."""
from __future__ import annotations

import re

import pytest

from competency_xblock.quiz_engine.bank import bank_to_dict, validate_bank
from competency_xblock.quiz_engine.exporters.olx import export_olx
from competency_xblock.quiz_engine.importers import (
    SKIPPED,
    detect_format,
    import_data,
    import_path,
    merge_into_bank,
    parse_capa,
    parse_capa_dir,
    parse_moodle_xml,
)
from competency_xblock.quiz_engine.importers.common import plain_text
from competency_xblock.quiz_engine.model import Bank
from competency_xblock.text import UserFacingError, pick_language

from .conftest import DATA

MOODLE = DATA / "moodle"
CAPA = DATA / "capa"


# --- Moodle XML -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def moodle():
    return parse_moodle_xml((MOODLE / "questions.xml").read_bytes())


def test_moodle_supported_types(moodle):
    by_id = {q.id: q for q in moodle.questions}
    assert sorted(by_id) == ["72-timer", "art-9", "mistaenkelig-mail", "uneven-weights"]
    mail = by_id["mistaenkelig-mail"]
    assert mail.type == "single" and mail.topic == "Phishing" and mail.text_format == "html"
    assert mail.correct_ids == {"c1"} and mail.choices[1].feedback.startswith("Nej")
    assert mail.explanation == "<p>IT beder aldrig om din adgangskode.</p>"
    art9 = by_id["art-9"]
    assert art9.type == "multiple" and art9.correct_ids == {"c1", "c2"}
    assert "&amp;" in art9.prompt  # plain text escaped because feedback is HTML
    tf = by_id["72-timer"]
    assert tf.type == "truefalse" and tf.correct_ids == {"true"}
    assert tf.choice("false").feedback == "Forkert – 72 timer."
    assert moodle.topics == [("Phishing", "Phishing")]  # a category name that is an id


def test_moodle_unsupported_reported_with_element(moodle):
    skipped = {p.question: p.position for p in moodle.skipped}
    assert skipped == {
        "Beskriv en hændelse": 'line 56, <question type="essay">',
        "Timer": 'line 60, <question type="numerical">',
        "Myndighed": 'line 65, <question type="shortanswer">',
        "No correct": 'line 70, <question type="multichoice">',
    }
    notes = {p.question for p in moodle.problems if p.kind != SKIPPED}
    assert notes == {"Mistænkelig mail", "Uneven weights"}


def test_moodle_import_is_a_valid_bank(moodle):
    bank, _ = merge_into_bank(Bank(()), moodle)
    assert validate_bank(bank_to_dict(bank)) == []


def test_malformed_moodle_xml_names_line_and_column():
    with pytest.raises(UserFacingError) as caught:
        import_path(MOODLE / "malformed.xml")
    assert caught.value.path == "line 6, column 14"
    assert "not well-formed" in caught.value.render()


def test_doctype_and_entities_are_refused():
    with pytest.raises(UserFacingError) as caught:
        parse_moodle_xml((MOODLE / "xxe.xml").read_bytes())
    assert caught.value.path == "line 2" and "DOCTYPE" in caught.value.render()
    laughs = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
              '<!ENTITY lol2 "&lol;&lol;&lol;">]>\n<quiz>&lol2;</quiz>')
    with pytest.raises(UserFacingError, match="DOCTYPE"):
        parse_moodle_xml(laughs)
    with pytest.raises(UserFacingError):  # an undeclared entity is not expanded either
        parse_moodle_xml("<quiz><question type='essay'><name><text>&xxe;</text></name>"
                         "</question></quiz>")


@pytest.mark.parametrize("xml, words", [
    ("<questions/>", "must start with <quiz>"),
    ("<quiz><item/></quiz>", "Unexpected element <item>"),
    ("<quiz>\n<question><name><text>x</text></name></question></quiz>", "no type attribute"),
    ("<quiz><question type='multichoice'><questiontext><text>q</text></questiontext>"
     "<answer fraction='lots'><text>a</text></answer></question></quiz>", "not a number"),
    ("", "not well-formed"),
])
def test_moodle_structural_errors(xml, words):
    with pytest.raises(UserFacingError) as caught:
        parse_moodle_xml(xml)
    assert words in caught.value.render()
    assert caught.value.path.startswith("line")


def test_moodle_question_level_problems():
    xml = """<quiz>
<question type="multichoice"><name><text>empty</text></name>
  <questiontext><text></text></questiontext></question>
<question type="truefalse"><name><text>tf</text></name>
  <questiontext><text>q</text></questiontext>
  <answer fraction="100"><text>yes</text></answer><answer fraction="0"><text>no</text></answer>
</question>
<question type="multichoice"><name><text>one</text></name>
  <questiontext><text>q</text></questiontext><single>true</single>
  <answer fraction="100"><text>a</text></answer></question>
<question type="multichoice"><name><text>two right</text></name>
  <questiontext><text>q</text></questiontext><single>true</single>
  <answer fraction="100"><text>a</text></answer><answer fraction="100"><text>b</text></answer>
</question>
<question type="multichoice"><name><text>partial</text></name>
  <questiontext><text>q</text></questiontext><single>true</single><hint><text>h</text></hint>
  <answer fraction="100"><text>a</text></answer><answer fraction="50"><text>b</text></answer>
</question>
</quiz>"""
    result = parse_moodle_xml(xml)
    assert {p.question for p in result.skipped} == {"empty", "tf", "one", "two right"}
    assert [q.id for q in result.questions] == ["partial"]
    notes = [p.render() for p in result.problems if p.kind != SKIPPED]
    assert any("Hints" in n for n in notes) and any("Partial credit" in n for n in notes)


# --- CAPA -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo():
    return parse_capa_dir(CAPA)


def test_capa_demo_course(demo):
    by_id = {q.id: q for q in demo.questions}
    assert len(by_id) == 7
    checkbox = by_id["0135258373e648f2b57a80ae06bade61"]
    assert checkbox.type == "multiple" and checkbox.scoring == "all_or_nothing"
    assert len(checkbox.correct_ids) == 3
    assert checkbox.prompt.startswith("Which of the following fun facts")
    assert "There are 3 correct answers." in checkbox.prompt
    assert checkbox.choices[0].feedback.startswith("Bats actually")
    assert checkbox.explanation.startswith("<p>In case you're wondering")
    pendleton = by_id["b20c43dfbd874a729762ab44a1dfc282"]
    assert pendleton.type == "single" and "SS Pendleton was a 1950" in pendleton.scenario
    assert pendleton.choice("c2").correct and pendleton.choice("c2").text == "1952"
    assert pendleton.choice("c2").feedback.startswith("Correct!")
    assert by_id["0895f1b6c0b329e50b90"].explanation.startswith("<p>Answer: B. Epiglottis")
    bank, _ = merge_into_bank(Bank(()), demo)
    assert validate_bank(bank_to_dict(bank)) == []


def test_capa_reports_what_it_cannot_import(demo):
    skipped = {p.position.split(",")[0]: p for p in demo.skipped}
    assert set(skipped) == {"330956aa9c304a0a8e944d3caac15494.xml",
                            "85f3f7f9b72548af880975112f27817c.xml",
                            "c89f56c74a3a424dbffb665d4643b42f.xml"}
    assert skipped["c89f56c74a3a424dbffb665d4643b42f.xml"].params["qtype"] == "optionresponse"
    assert "<optionresponse>" in skipped["c89f56c74a3a424dbffb665d4643b42f.xml"].position
    # a problem with 8 dropdowns: each input reported with its own line
    eight = [p for p in demo.skipped if p.position.startswith("85f3f7f9b72548af880975112f27817c")]
    assert len(eight) == 8 and {p.params["qtype"] for p in eight} == {"optionresponse"}
    assert len({p.position for p in eight}) == 8
    notes = [p.render() for p in demo.problems if p.kind != SKIPPED]
    assert any("unticked" in n for n in notes)
    assert any("Hints on demand" in n for n in notes)
    assert any("/static/" in n for n in notes)
    # 10 problem files with 17 inputs: 7 imported + 10 reported; nothing silently dropped.
    assert len(demo.questions) + len(demo.skipped) == 17


@pytest.mark.parametrize("xml, words", [
    ("<problem><multiplechoiceresponse>", "not well-formed"),
    ("<vertical/>", "must start with <problem>"),
])
def test_capa_malformed(xml, words):
    with pytest.raises(UserFacingError) as caught:
        parse_capa(xml, source="problem/x.xml")
    assert words in caught.value.render()
    assert caught.value.path.startswith("problem/x.xml, line")


def test_capa_question_level_problems():
    cases = {
        "<problem/>": "no response",
        "<problem><multiplechoiceresponse><label>q</label></multiplechoiceresponse></problem>":
            "choicegroup",
        "<problem><multiplechoiceresponse><choicegroup><choice correct='true'>a</choice>"
        "<choice>b</choice></choicegroup></multiplechoiceresponse></problem>": "no question text",
        "<problem><choiceresponse><label>q</label><checkboxgroup><choice>a</choice>"
        "<choice>b</choice></checkboxgroup></choiceresponse></problem>": "No choice",
        "<problem><multiplechoiceresponse><label>q</label><choicegroup>"
        "<choice correct='true'>a</choice><choice correct='true'>b</choice></choicegroup>"
        "</multiplechoiceresponse></problem>": "Several choices",
        "<problem><multiplechoiceresponse><label>q</label><choicegroup>"
        "<choice correct='true'>a</choice></choicegroup></multiplechoiceresponse></problem>":
            "at least two",
    }
    for xml, words in cases.items():
        result = parse_capa(xml)
        assert not result.questions and words in result.skipped[0].render(), xml


def test_capa_truefalse_and_partial_credit():
    tf = parse_capa("<problem><multiplechoiceresponse><label>Sky is blue</label><choicegroup>"
                    "<choice correct='false'>False</choice><choice correct='true'>True</choice>"
                    "</choicegroup></multiplechoiceresponse></problem>").questions[0]
    assert tf.type == "truefalse" and [c.id for c in tf.choices] == ["true", "false"]
    assert tf.correct_ids == {"true"}
    result = parse_capa("<problem><choiceresponse partial_credit='halves'><label>q</label>"
                        "<checkboxgroup><choice correct='true'>a</choice><choice>b</choice>"
                        "</checkboxgroup></choiceresponse></problem>")
    assert result.questions[0].scoring == "per_choice"
    assert any("halves" in p.render() for p in result.problems)


def test_detect_format():
    assert detect_format((MOODLE / "questions.xml").read_bytes()) == "moodle"
    assert detect_format((CAPA / "870b16e640d541af94a308caac834d2e.xml").read_bytes()) == "capa"
    assert detect_format("::Q:: x {T}") == "gift"
    assert import_data((CAPA / "870b16e640d541af94a308caac834d2e.xml").read_bytes()).questions


# --- OLX export round trip ------------------------------------------------------------------

def visible(text: str) -> str:
    """Plain authored text as it reads (the default bank is plain text)."""
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("lang", ["da", "en"])
def test_default_bank_to_olx_and_back(bank_default, lang):
    files = export_olx(bank_default, lang)
    assert len(files) == len(bank_default.questions)
    assert all(name.startswith("problem/") for name in files)
    back = {}
    for name, xml in files.items():
        result = parse_capa(xml, source=name)
        assert result.skipped == []
        (q,) = result.questions
        back[q.id] = q
    for original in bank_default.questions:
        q = back[original.id]
        assert q.type == original.type
        assert q.correct_ids == original.correct_ids
        assert plain_text(q.prompt) == visible(pick_language(original.prompt, lang))
        if original.scenario:
            assert plain_text(q.scenario) == visible(pick_language(original.scenario, lang))
        assert plain_text(q.explanation) == visible(pick_language(original.explanation, lang))
        for oc in original.choices:
            bc = q.choice(oc.id)
            assert plain_text(bc.text) == visible(pick_language(oc.text, lang))
            if oc.feedback:
                assert plain_text(bc.feedback) == visible(pick_language(oc.feedback, lang))
        if original.type == "multiple":
            assert q.scoring == bank_default.rule_for(original)


def test_olx_export_of_html_question_round_trips(demo):
    bank = Bank(tuple(demo.questions))
    for name, xml in export_olx(bank).items():
        (q,) = parse_capa(xml, source=name).questions
        original = bank.question(q.id)
        assert q.correct_ids == original.correct_ids
        assert plain_text(q.prompt) == plain_text(original.prompt)
        assert plain_text(q.explanation or "") == plain_text(original.explanation or "")


def test_olx_escapes_plain_text():
    from competency_xblock.quiz_engine.model import Choice, Question
    q = Question("x", "single", "Is <b>this</b> & that?",
                 (Choice("a", "<script>alert(1)</script>", True), Choice("b", "no")))
    xml = export_olx(Bank((q,)))["problem/x.xml"]
    assert "<script>" not in xml and "&lt;script&gt;" in xml
    assert "Is &lt;b&gt;this&lt;/b&gt; &amp; that?" in xml


# --- merging --------------------------------------------------------------------------------

def test_merge_renames_clashing_ids_and_declares_topics(small_bank):
    result = parse_moodle_xml("""<quiz>
<question type="truefalse"><name><text>s1</text></name>
  <questiontext><text>q</text></questiontext>
  <answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>
</question></quiz>""")
    merged, notes = merge_into_bank(small_bank, result, topic="imported-moodle")
    assert [q.id for q in merged.questions][-1] == "s1-2"
    assert "already in the bank" in notes[0].render()
    assert merged.questions[-1].topic == "imported-moodle"
    assert "imported-moodle" in {t.id for t in merged.topics}
    assert validate_bank(bank_to_dict(merged)) == []
    merged2, _ = merge_into_bank(small_bank, result)
    assert merged2.questions[-1].topic == ""
    assert validate_bank(bank_to_dict(merged2)) == []


# --- more real-world shapes -------------------------------------------------------------------

def test_moodle_files_tags_fixed_order_and_all_or_nothing():
    xml = """<quiz>
<question type="multichoice"><name><text>Img</text></name>
  <questiontext format="html">
  <text><![CDATA[<p>Look <img src="@@PLUGINFILE@@/shot.png"></p>]]></text>
  <file name="shot.png" path="/" encoding="base64">iVBORw0KGgo=</file></questiontext>
  <single>true</single><shuffleanswers>0</shuffleanswers>
  <answer fraction="100"><text>a</text></answer><answer fraction="0"><text>b</text></answer>
  <tags><tag><text>phishing</text></tag><tag><text>mail</text></tag><tag><text>mail</text></tag></tags>
</question>
<question type="multichoiceset"><name><text>Set</text></name>
  <questiontext format="html"><text>pick</text></questiontext>
  <answer fraction="100"><text>a</text></answer><answer fraction="100"><text>b</text></answer>
  <answer fraction="0"><text>c</text></answer>
</question>
</quiz>"""
    result = parse_moodle_xml(xml)
    img, aon = result.questions
    assert img.tags == ("phishing", "mail")
    assert aon.type == "multiple" and aon.scoring == "all_or_nothing"
    assert aon.correct_ids == {"c1", "c2"}
    notes = {p.render() for p in result.problems if p.kind != SKIPPED}
    assert any("files from Moodle (shot.png)" in n and 'line 2, <question type="multichoice">' in n
               for n in notes)
    assert any("fixed order" in n for n in notes)
    bank, _ = merge_into_bank(Bank(()), result)
    assert validate_bank(bank_to_dict(bank)) == []


def test_moodle_question_the_bank_cannot_hold_is_skipped_with_its_element():
    xml = ("<quiz>\n<question type='multichoice'><name><text>L</text></name><questiontext><text>"
           + "x" * 9000 + "</text></questiontext><answer fraction='100'><text>a</text></answer>"
           "<answer fraction='0'><text>b</text></answer></question>\n"
           "<question type='multichoice'><name><text>E</text></name><questiontext><text>q"
           "</text></questiontext><answer fraction='100'><text></text></answer>"
           "<answer fraction='0'><text>b</text></answer></question>\n"
           "<question type='truefalse'><name><text>ok</text></name><questiontext><text>q</text>"
           "</questiontext><answer fraction='100'><text>true</text></answer>"
           "<answer fraction='0'><text>false</text></answer></question>\n</quiz>")
    result = parse_moodle_xml(xml)
    assert [q.id for q in result.questions] == ["ok"]
    skipped = {p.question: p.render() for p in result.skipped}
    assert "too long (9000 characters" in skipped["L"] and "line 2, <question" in skipped["L"]
    assert "no text" in skipped["E"] and "line 3, <question" in skipped["E"]


TARGETED = """<problem>
<multiplechoiceresponse targeted-feedback="">
  <label>Which one?</label>
  <choicegroup type="MultipleChoice">
    <choice correct="false" explanation-id="f1">a</choice>
    <choice correct="true" explanation-id="f2">b</choice>
  </choicegroup>
  <targetedfeedbackset>
    <targetedfeedback explanation-id="f1"><div class="detailed-targeted-feedback">
      <p>Incorrect</p><p>a is wrong</p></div></targetedfeedback>
    <targetedfeedback explanation-id="f2"><div class="detailed-targeted-feedback-correct">
      <p>Correct</p><p>b is right</p></div></targetedfeedback>
  </targetedfeedbackset>
  <solution><div class="detailed-solution"><p>Explanation</p><p>because</p></div></solution>
</multiplechoiceresponse>
</problem>"""


def test_capa_targeted_feedback_becomes_choice_feedback_not_scenario():
    (q,) = parse_capa(TARGETED).questions
    assert q.scenario is None  # the feedback ("Correct") must never be shown before answering
    assert "a is wrong" in q.choice("c1").feedback and "b is right" in q.choice("c2").feedback
    assert q.explanation == "<p>because</p>"


def test_capa_response_nested_in_a_div_keeps_its_choices_out_of_the_scenario():
    xml = ("<problem><div class='q'><p>Intro</p><multiplechoiceresponse>loose <p>More</p>"
           "<label>Q?</label><choicegroup><choice correct='true'>SECRET-A</choice>"
           "<choice correct='false'>b</choice></choicegroup><solution><p>WHY</p></solution>"
           "</multiplechoiceresponse><p>After</p></div>"
           "<demandhint><hint>HINT</hint></demandhint></problem>")
    (q,) = parse_capa(xml).questions
    for secret in ("SECRET-A", "WHY", "HINT", "correct"):
        assert secret not in q.scenario
    assert re.findall(r"<p>(\w+)</p>", q.scenario) == ["Intro", "loose", "More", "After"]
    assert q.explanation == "<p>WHY</p>"


def test_capa_notes_script_fixed_choice_and_hintgroup():
    xml = ("<problem><script type='loncapa/python'>x = 1</script><multiplechoiceresponse>"
           "<label>Q $x?</label><choicegroup><choice correct='true'>One</choice>"
           "<choice correct='false' fixed='true'>None of the above</choice></choicegroup>"
           "<hintgroup hintfn='f'/></multiplechoiceresponse></problem>")
    result = parse_capa(xml)
    (q,) = result.questions
    assert q.scenario is None
    notes = " ".join(p.render() for p in result.problems)
    assert "script" in notes and "fixed in place" in notes and "Hints are not used" in notes


def test_capa_choice_names_that_are_not_ids_are_replaced():
    xml = ("<problem><multiplechoiceresponse><label>q</label><choicegroup>"
           "<choice correct='true' name='a b'>x</choice><choice name='$y'>y</choice>"
           f"<choice name='{'n' * 90}'>z</choice></choicegroup></multiplechoiceresponse></problem>")
    (q,) = parse_capa(xml).questions
    assert [c.id for c in q.choices] == ["c1", "c2", "c3"]
    bank, _ = merge_into_bank(Bank(()), parse_capa(xml))
    assert validate_bank(bank_to_dict(bank)) == []


def test_add_question_reports_what_the_schema_refuses():
    from competency_xblock.quiz_engine.importers.common import ImportResult, add_question
    from competency_xblock.quiz_engine.model import Choice, Question

    result = ImportResult()
    bad = Question("q1", "single", "Q?", (Choice("a b", "A", True), Choice("b", "B")))
    assert add_question(result, bad, "line 4", "Q1") is False
    (skipped,) = result.skipped
    assert skipped.position == "line 4" and "question bank's rules" in skipped.render()
    assert "/questions/0/choices/0/id" not in skipped.render()  # no pointer into a scratch bank
    good = Question("q2", "single", "Q?", (Choice("a", "A", True), Choice("b", "B")),
                    tags=("x", " x ", "y" * 70))
    assert add_question(result, good, "line 9") is True
    assert result.questions[0].tags == ("x", "y" * 60)


def test_id_allocator_numbers_clashes_in_order():
    from competency_xblock.quiz_engine.importers.common import IdAllocator

    ids = IdAllocator({"x", "x-2"})
    assert [ids.allocate("x") for _ in range(3)] == ["x-3", "x-4", "x-5"]
    assert ids.allocate("x-3") == "x-3-2"  # taken: numbered in turn
    assert ids.allocate("") == "q5" and ids.allocate("Ærø ø") == "aeroe-oe"
    many = [ids.allocate("q") for _ in range(3000)]
    assert len(set(many)) == 3000 and many[:2] == ["q", "q-2"]


def test_merge_declares_the_topics_the_bank_used_without_declaring():
    from competency_xblock.quiz_engine.bank import bank_from_dict
    from competency_xblock.quiz_engine.importers import parse_gift

    bank = bank_from_dict({"questions": [
        {"id": "a", "type": "truefalse", "topic": "old", "prompt": "p",
         "choices": [{"id": "true", "text": "T", "correct": True},
                     {"id": "false", "text": "F"}]}]})
    merged, _ = merge_into_bank(bank, parse_gift("$CATEGORY: New\n\n::x:: q {T}"))
    assert [t.id for t in merged.topics] == ["New", "old"]
    assert validate_bank(bank_to_dict(merged)) == []


# ---- CAPA as real courses write it (edx-platform test files, MIT's latex2edx demo) --------

def test_capa_text_wrappers_are_unwrapped():
    xml = ("<problem><text><p>What colour is the sky?</p><multiplechoiceresponse><choicegroup>"
           "<choice correct='false'><text>Red</text></choice>"
           "<choice correct='true'><text> Blue</text></choice></choicegroup>"
           "</multiplechoiceresponse></text></problem>")
    (q,) = parse_capa(xml).questions
    assert q.prompt == "What colour is the sky?"
    assert [plain_text(c.text).strip() for c in q.choices] == ["Red", "Blue"]
    assert "<text" not in q.prompt + "".join(c.text for c in q.choices)


def test_capa_choices_a_script_computes_are_skipped_with_the_variables_named():
    xml = ("<problem><text><p>Sky?</p><script type='text/python'>\naset = ['Red', 'Blue']\n"
           "(ans1, ans2) = aset\n</script><p><multiplechoiceresponse><choicegroup>"
           "<choice correct='false'><text> $ans1</text></choice>"
           "<choice correct='true'><text> $ans2</text></choice></choicegroup>"
           "</multiplechoiceresponse></p></text></problem>")
    result = parse_capa(xml, source="sky.xml")
    assert not result.questions
    (skip,) = result.skipped
    assert "$ans1, $ans2" in skip.render() and "script" in skip.render()
    # a dollar amount with no script variable behind it is text
    (q,) = parse_capa("<problem><multiplechoiceresponse><label>Price?</label><choicegroup>"
                      "<choice correct='true'>$5</choice><choice>$ans</choice></choicegroup>"
                      "</multiplechoiceresponse></problem>").questions
    assert q.choices[0].text == "$5"


def test_capa_without_label_the_paragraph_before_the_choices_is_the_question():
    xml = ("<problem><p>Courses have questions like the one below.</p><p>Try it!</p>"
           "<p>Which late policies are allowed?</p><choiceresponse><checkboxgroup>"
           "<choice correct='true'>Penalties</choice><choice correct='false'>None</choice>"
           "</checkboxgroup></choiceresponse><p>After the choices.</p></problem>")
    (q,) = parse_capa(xml).questions
    assert q.prompt == "Which late policies are allowed?"
    assert "Courses have questions" in q.scenario and "Try it!" in q.scenario
    assert "late policies" not in q.scenario


def test_capa_problem_with_several_inputs_becomes_one_question_each():
    xml = ("<problem url_name='fruit'><p>A note before both.</p>"
           "<p>Select the fruit</p><multiplechoiceresponse>"
           "<choicegroup label='Select the fruit'><choice correct='false'>Potato</choice>"
           "<choice correct='true'>Apple</choice></choicegroup></multiplechoiceresponse>"
           "<p>Select the vegetable</p><multiplechoiceresponse><choicegroup>"
           "<choice correct='true'>Potato</choice><choice correct='false'>Apple</choice>"
           "</choicegroup></multiplechoiceresponse>"
           "<optionresponse><optioninput options=\"('a','b')\" correct='a'/></optionresponse>"
           "</problem>")
    result = parse_capa(xml, source="fruit.xml")
    first, second = result.questions
    assert (first.id, second.id) == ("fruit-1", "fruit-2")
    assert first.prompt == "Select the fruit" and second.prompt == "Select the vegetable"
    assert first.correct_ids == {"c2"} and second.correct_ids == {"c1"}
    for q in (first, second):
        assert q.scenario == "<p>A note before both.</p>"
    (skip,) = result.skipped
    assert skip.params["qtype"] == "optionresponse" and "line 1" in skip.position
    bank, _ = merge_into_bank(Bank(()), result)
    assert validate_bank(bank_to_dict(bank)) == []


def test_capa_choiceresponse_with_radio_buttons_is_single_choice():
    xml = ("<problem><p>Pick one</p><choiceresponse><radiogroup>"
           "<choice correct='false'><startouttext/>One<endouttext/></choice>"
           "<choice correct='true'><startouttext/>Two<endouttext/></choice>"
           "</radiogroup></choiceresponse></problem>")
    (q,) = parse_capa(xml).questions
    assert q.type == "single" and q.correct_ids == {"c2"}


MOODLE_QUESTION = """<quiz><question type="multichoice"><name><text>{name}</text></name>
<questiontext format="{fmt}"><text>Which?</text></questiontext>{extra}
<correctfeedback format="html"><text>{ok}</text></correctfeedback>
<answer fraction="100"><text>A</text></answer><answer fraction="0"><text>B</text></answer>
<single>true</single></question></quiz>"""


def moodle_question(name="Q &lt;b&gt;one&lt;/b&gt;", fmt="html", extra="",
                    ok="Your answer is correct."):
    return parse_moodle_xml(MOODLE_QUESTION.format(name=name, fmt=fmt, extra=extra, ok=ok))


def test_moodle_ids_come_from_idnumber_or_the_name_without_markup():
    assert moodle_question().questions[0].id == "q-one"
    assert moodle_question(extra="<idnumber>sec-07</idnumber>").questions[0].id == "sec-07"
    assert moodle_question(extra="<idnumber>a b</idnumber>").questions[0].id == "q-one"


def test_moodle_notes_markdown_old_images_and_only_authored_overall_feedback():
    def notes(result):
        return " ".join(p.render() for p in result.problems)
    assert "correctfeedback" not in notes(moodle_question())          # Moodle's default text
    assert "correctfeedback" in notes(moodle_question(ok="Well done, Anna!"))
    assert "Markdown" in notes(moodle_question(fmt="markdown"))
    assert "files from Moodle (old.png)" in notes(moodle_question(
        extra="<image>old.png</image><image_base64>iVBORw0KGgo=</image_base64>"))
