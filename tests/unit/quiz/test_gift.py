"""GIFT import (Moodle's own fixture plus edge cases) and export round trips."""
from __future__ import annotations

from dataclasses import replace

import pytest

from competency_xblock.quiz_engine.bank import bank_to_dict, validate_bank
from competency_xblock.quiz_engine.exporters.gift import escape_gift, export_gift
from competency_xblock.quiz_engine.importers import (
    SKIPPED,
    import_data,
    import_path,
    merge_into_bank,
    parse_gift,
)
from competency_xblock.quiz_engine.model import Bank
from competency_xblock.text import UserFacingError, pick_language

from .conftest import DATA

FIXTURE = DATA / "gift" / "questions.gift.txt"


@pytest.fixture(scope="module")
def moodle_fixture():
    return parse_gift(FIXTURE.read_bytes())


def test_moodle_fixture_imports_supported_questions(moodle_fixture):
    by_id = {q.id: q for q in moodle_fixture.questions}
    assert sorted(by_id) == ["2-08-tsl", "2-08-tsl-2", "Q1", "Q2", "colours"]
    q2 = by_id["Q2"]
    assert q2.type == "single" and [c.correct for c in q2.choices] == [True, False, False]
    assert q2.choices[0].feedback == "right; good!"
    assert q2.text_format == "html"  # one choice was [html]
    colours = by_id["colours"]
    assert colours.type == "multiple"
    assert [c.text for c in colours.choices if c.correct] == ["yellow", "off-beige"]
    q1 = by_id["Q1"]
    assert q1.type == "truefalse" and q1.correct_ids == {"false"}
    assert q1.choice("false").feedback == "You gave the right answer."
    assert q1.choice("true").feedback == "42 is the Ultimate Answer."
    assert q1.explanation.startswith("This is, of course")
    assert by_id["2-08-tsl"].correct_ids == {"true"}


def test_moodle_fixture_reports_every_unsupported_question_with_its_line(moodle_fixture):
    skipped = {p.question: (p.position, p.params.get("qtype")) for p in moodle_fixture.skipped}
    assert skipped == {
        "Q8": ("line 2", "essay"),
        "Moodle activities": ("line 5", "matching"),
        "Q5": ("line 31", "numerical"),
        "Shortanswer": ("line 34", "short answer"),
    }
    notes = [p for p in moodle_fixture.problems if p.kind != SKIPPED]
    assert [n.question for n in notes] == ["colours"]  # 50/-100 weights were approximated
    # Nothing silently dropped: every question block is either imported or reported.
    assert len(moodle_fixture.questions) + len(skipped) == 9


def test_imported_fixture_is_a_valid_bank(moodle_fixture):
    bank, notes = merge_into_bank(Bank(()), moodle_fixture)
    assert validate_bank(bank_to_dict(bank)) == []


def test_categories_meta_and_escapes():
    text = (
        "$CATEGORY: $course$/top/Datasikkerhed/Phishing og svindel\n\n"
        "// tags: mail, svindel\n"
        "// scoring: all_or_nothing\n"
        "::Mail\\: hvad gør du?:: Hvad koster 2\\=2 \\{ok\\}? {\n"
        "  ~%50%Rapportér # godt\n  ~%50%Slet\n  ~%-100%Klik\n"
        "  #### Se artikel 32\\nog ISO 27001.\n}\n"
    )
    result = parse_gift(text)
    (q,) = result.questions
    assert q.topic == "phishing-og-svindel"
    assert result.topics == [("phishing-og-svindel", "Phishing og svindel")]
    assert q.tags == ("mail", "svindel") and q.scoring == "all_or_nothing"
    assert q.prompt == "Hvad koster 2=2 {ok}?"
    assert q.explanation == "Se artikel 32\nog ISO 27001."
    assert q.choices[0].feedback == "godt"
    assert q.id == "mail-hvad-goer-du"


def test_missing_word_format():
    (q,) = parse_gift("Moodle costs {=nothing ~lots ~a little} to download.").questions
    assert q.prompt == "Moodle costs _____ to download."


@pytest.mark.parametrize("text, line", [
    ("// c\n::Q:: unclosed {\n=a\n~b\n", 2),
    ("::Q:: one\n\n::R:: two {=a ~b\n", 3),
    ("::Q:: stray } brace\n", 1),
    ("::Q:: nested { =a { ~b }\n", 1),
    ("::unterminated title { =a ~b }\n", 1),
])
def test_malformed_gift_names_the_line(text, line):
    with pytest.raises(UserFacingError) as caught:
        parse_gift(text)
    assert caught.value.path == f"line {line}"


def test_unsupported_shapes_are_reported():
    text = ("::D:: Just a description\n\n"
            "::N:: single correct only {=yes =%100%also}\n\n"
            "::Z:: no right answer {~a ~b}\n\n"
            "::O:: one choice {~%100%a}\n\n"
            "::P:: partial single {=a ~%50%b ~c}\n")
    result = parse_gift(text)
    skipped = {p.question for p in result.skipped}
    assert skipped == {"D", "N", "Z", "O"}
    assert [q.id for q in result.questions] == ["P"]
    assert any("Partial credit" in p.render() for p in result.problems)


def test_several_equals_with_tilde_is_refused():
    result = parse_gift("::S:: pick {=a =b ~c}")
    assert not result.questions and "Several choices" in result.skipped[0].render()


def test_non_utf8_and_size_limits():
    with pytest.raises(UserFacingError) as caught:
        parse_gift(b"::Q:: ok {T}\n\n::R:: \xff {T}")
    assert caught.value.path == "line 3"
    with pytest.raises(UserFacingError, match="too large"):
        parse_gift("x" * (5 * 1024 * 1024 + 1))


def test_escape_gift():
    assert escape_gift("a=b~c#d{e}f:g\\h\nx") == "a\\=b\\~c\\#d\\{e\\}f\\:g\\\\h\\nx"
    (q,) = parse_gift(f"::Q:: {escape_gift('2=2 # {x}: a~b')} {{T}}").questions
    assert q.prompt == "2=2 # {x}: a~b"


def test_gift_bank_gift_round_trip(moodle_fixture):
    bank = Bank(tuple(moodle_fixture.questions))
    once = export_gift(bank)
    again = parse_gift(once)
    assert again.problems == []
    assert again.questions == moodle_fixture.questions
    assert export_gift(Bank(tuple(again.questions))) == once


def _in_language(question, lang):
    """The question as a one-language export shows it (every text picked in ``lang``)."""
    def t(text):
        return pick_language(text, lang) or None
    return replace(question, prompt=t(question.prompt), scenario=t(question.scenario),
                   explanation=t(question.explanation),
                   choices=tuple(replace(c, text=t(c.text), feedback=t(c.feedback))
                                 for c in question.choices))


@pytest.mark.parametrize("lang", ["da", "en"])
def test_default_bank_to_gift_and_back_is_exact(bank_default, lang):
    """Every question comes back as it is in that language: ids (choices too), scenario,
    true/false words ("Sandt"), tags, topics with their titles, the partial-credit rule."""
    result = parse_gift(export_gift(bank_default, lang))
    assert result.problems == []
    assert result.questions == [_in_language(q, lang) for q in bank_default.questions]
    assert result.topics == [(t.id, pick_language(t.title, lang)) for t in bank_default.topics]
    assert sum(1 for q in result.questions if q.scenario) == 10
    assert {c.text for q in result.questions if q.type == "truefalse" for c in q.choices} == (
        {"Sandt", "Falsk"} if lang == "da" else {"True", "False"})


def test_import_data_detects_format(tmp_path):
    gift = tmp_path / "x.gift"
    gift.write_text("::Q:: true? {T}\n", encoding="utf-8")
    assert import_path(gift).questions[0].type == "truefalse"
    assert import_data("::Q:: true? {T}").questions
    with pytest.raises(UserFacingError, match="Unknown import format"):
        import_data("x", fmt="csv")
    with pytest.raises(UserFacingError, match="Unknown XML format"):
        import_data("<html/>")
    with pytest.raises(UserFacingError, match="folder"):
        import_path(tmp_path, fmt="gift")


def test_question_format_applies_to_its_choices_and_feedback():
    """As in Moodle, ``[html]`` before the question text is the format of the whole question."""
    (q,) = parse_gift("::H:: [html]<p>Pick <b>one</b></p> {=<i>a</i>#<b>yes</b> ~b}").questions
    assert q.text_format == "html"
    assert q.choices[0].text == "<i>a</i>" and q.choices[0].feedback == "<b>yes</b>"
    # Our own HTML export reads back unchanged.
    again = parse_gift(export_gift(Bank((q,)))).questions[0]
    assert [c.text for c in again.choices] == ["<i>a</i>", "b"]
    assert again.prompt == q.prompt


@pytest.mark.parametrize("text, line", [
    ("::A:: q {T}\n::B:: r {F}\n", 2),  # a missing blank line between two questions
    ("::A:: q {=a ~b}\nmore } text\n", 2),
])
def test_braces_after_the_answers_name_the_line(text, line):
    with pytest.raises(UserFacingError) as caught:
        parse_gift(text)
    assert caught.value.path == f"line {line}" and "blank line" in caught.value.render()


def test_escaped_braces_after_the_answers_are_text():
    (q,) = parse_gift("::A:: q {=a ~b} costs \\{x\\}").questions
    assert q.prompt == "q _____ costs {x}"


def test_report_label_shows_escaped_text_not_placeholders():
    (skipped,) = parse_gift("Just some text \\{ with brace").skipped
    assert skipped.question == "Just some text { with brace"
    assert "\x00" not in skipped.render()


def test_a_question_the_bank_cannot_hold_is_reported_not_fatal():
    text = ("::Long:: " + "x" * 8001 + " {T}\n\n"
            "::Empty:: pick {=a ~}\n\n"
            "// tags: a, a, b\n::Ok:: fine {F}\n")
    result = parse_gift(text)
    assert [q.id for q in result.questions] == ["Ok"]
    assert result.questions[0].tags == ("a", "b")  # duplicate tags are merged
    skipped = {p.question: (p.position, p.render()) for p in result.skipped}
    assert skipped["Long"][0] == "line 1" and "too long (8001 characters" in skipped["Long"][1]
    assert skipped["Empty"][0] == "line 3" and "no text" in skipped["Empty"][1]
    bank, _ = merge_into_bank(Bank(()), result)
    assert validate_bank(bank_to_dict(bank)) == []


def test_answers_without_question_text_are_reported():
    result = parse_gift("{=a ~b}\n\n::ok:: q {T}")
    assert [q.id for q in result.questions] == ["ok"]
    assert "no text" in result.skipped[0].render() and result.skipped[0].position == "line 1"


@pytest.mark.parametrize("path, name", [
    ("$course$/top/Datasikkerhed/Phishing", "Phishing"),
    ("$course$/top", ""),  # the course's root category: no topic
    ("$course$/top/Default for Kursus", "Default for Kursus"),
    ("Phishing", "Phishing"),
    ("$system$/Jura//Ret", "Jura/Ret"),  # Moodle writes "//" for a slash in a name
])
def test_category_paths(path, name):
    from competency_xblock.quiz_engine.importers.common import category_name

    assert category_name(path) == name
    result = parse_gift(f"$CATEGORY: {path}\n\n::Q:: q {{T}}")
    assert result.questions[0].topic == (result.topics[0][0] if name else "")


def test_gift_that_starts_with_html_is_detected_as_gift():
    for text in ("<p>Is this <b>phishing</b>?</p> {T}", "<p>Share the file? {F}</p>"):
        result = import_data(text)
        (q,) = result.questions
        assert q.type == "truefalse" and q.text_format == "plain"
        assert "no [html] mark" in result.problems[0].render()  # told, not silently changed
    assert import_data("[html]<p>Is it?</p> {T}").problems == []
    with pytest.raises(UserFacingError, match="not well-formed"):
        import_data("<quiz><question>")  # opens like XML: an XML error, not GIFT
    with pytest.raises(UserFacingError, match="DOCTYPE"):
        import_data('<!DOCTYPE x [<!ENTITY e "{T}">]><quiz/>')


def test_moodle_id_and_tag_comments_are_read_and_written():
    text = ("// question: 12  name: Mail\n// [id:mail-7] [tag:phishing] [tag:a\\]b]\n"
            "// tags: extra, phishing\n::Mail:: Suspicious mail? {T}")
    (q,) = parse_gift(text).questions
    assert q.id == "mail-7" and q.tags == ("phishing", "a]b", "extra")
    exported = export_gift(Bank((q,)))
    assert exported.startswith("// [id:mail-7] [tag:phishing] [tag:a\\]b] [tag:extra]\n")
    assert parse_gift(exported).questions == [q]


def test_markdown_is_imported_as_written_and_noted():
    result = parse_gift("::MD:: [markdown]Pick *one* {=a ~b}")
    (q,) = result.questions
    assert q.prompt == "Pick *one*" and q.text_format == "plain"
    assert "Markdown" in result.problems[0].render() and result.problems[0].kind != SKIPPED


def test_comment_lines_inside_a_question_keep_the_line_numbers():
    with pytest.raises(UserFacingError) as caught:
        parse_gift("\n::X:: q {\n// a comment\n=a\n~b\n} {T}")
    assert caught.value.path == "line 6"
    (q,) = parse_gift("::X:: q\n// c\nmore {\n// c\n=a\n~b\n}").questions
    assert q.prompt == "q\nmore" and [c.text for c in q.choices] == ["a", "b"]


def test_an_unescaped_equals_sign_is_named_as_the_likely_cause():
    result = parse_gift("::Load:: How do you read a CSV with a header?\n"
                        "{=spark.read.csv(header\\=True) ~spark.read.csv(header=True) ~open()}")
    (skip,) = result.skipped
    assert "marked correct with =" in skip.render() and "\\=" in skip.render()
    assert "line 1" in skip.position


def test_moodle_files_in_gift_are_noted():
    result = parse_gift('::Img:: [html]Look <img src="@@PLUGINFILE@@/3.png"> {~a =b}')
    (q,) = result.questions
    notes = [p.render() for p in result.problems if p.kind != "skipped"]
    assert any("files from Moodle (3.png)" in n for n in notes), notes
