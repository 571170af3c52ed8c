"""GIFT read the way Moodle's reader (question/format/gift/format.php) reads it, and our own
export read back exactly: every rule for its whole kind of input, with generated texts."""
from __future__ import annotations

import string
from html import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from competency_xblock.quiz_engine.exporters.gift import export_gift
from competency_xblock.quiz_engine.importers import (
    SKIPPED,
    merge_into_bank,
    parse_gift,
    parse_moodle_xml,
)
from competency_xblock.quiz_engine.model import Bank, Choice, Question, Topic

# --- the type, in Moodle's order: essay, numerical, "~" multichoice, "=" with "->" matching -

MOODLE_GIFT = """// question: 1  name: Gem dokument
::Gem dokument::Hvordan gemmer du et dokument under et nyt navn? {
\t=Filer -> Gem som
\t~Ctrl+Q
\t~Luk vinduet
}
"""


def test_an_arrow_in_a_choice_is_text_when_the_question_has_a_tilde():
    result = parse_gift(MOODLE_GIFT)
    assert result.problems == []
    (q,) = result.questions
    assert q.type == "single"
    assert [(c.text, c.correct) for c in q.choices] == [
        ("Filer -> Gem som", True), ("Ctrl+Q", False), ("Luk vinduet", False)]


@pytest.mark.parametrize("answers, kind", [
    ("=Canada -> Ottawa =Italy -> Rome", "matching"),
    ("=a -> b ~c", None),          # "~" first: multiple choice, the arrow is text
    ("~%50%a -> b ~%50%c ~%-100%d", None),
    ("a -> b", "short answer"),    # "->" without "=": Moodle's short answer
    ("#3:1", "numerical"),
    ("", "essay"),
    ("=yes =also", "short answer"),
])
def test_question_type_order(answers, kind):
    result = parse_gift(f"::Q:: text {{{answers}}}")
    if kind is None:
        assert [q.id for q in result.questions] == ["Q"], result.problems
    else:
        (skip,) = result.skipped
        assert skip.params["qtype"] == kind and skip.position == "line 1"


# --- weights: only after "~", and exactly Moodle's pattern ---------------------------------

@pytest.mark.parametrize("line, text, correct", [
    ("=%30% af modtagerne", "%30% af modtagerne", True),   # "=" takes no weight
    ("~%0%%30% af modtagerne", "%30% af modtagerne", False),  # one weight only
    ("~%30 % af", "%30 % af", False),                      # not a weight: text
    ("~%.5% af", "%.5% af", False),                        # Moodle needs a digit first
])
def test_a_weight_is_read_only_where_moodle_reads_one(line, text, correct):
    (q,) = parse_gift(f"::P:: Hvor mange? {{\n{line}\n~ingen\n=alle\n}}".replace(
        "=alle", "~alle" if correct else "=alle")).questions
    assert (q.choices[0].text, q.choices[0].correct) == (text, correct)


@pytest.mark.parametrize("weight, value", [("%5.%", 5), ("%100%", 100), ("%-33.3%", -33.3),
                                           ("%12.50%", 12.5)])
def test_weights_moodle_accepts(weight, value):
    result = parse_gift(f"::M:: many {{~{weight}a ~%-100%b ~%100%c}}")
    (q,) = result.questions
    assert q.choices[0].text == "a" and q.choices[0].correct == (value > 0)


def test_a_weight_that_is_no_number_skips_the_question_with_its_line():
    result = parse_gift("::ok:: fine {T}\n\n::W:: many {\n~%--50%a\n~%50%b\n}")
    assert [q.id for q in result.questions] == ["ok"]
    (skip,) = result.skipped
    assert skip.position == "line 3" and "%--50%" in skip.render()


def test_text_before_the_first_tilde_is_a_choice_as_in_moodle():
    (q,) = parse_gift("::H:: pick {Alpha ~Beta =Gamma}").questions
    assert [(c.text, c.correct) for c in q.choices] == [
        ("Alpha", False), ("Beta", False), ("Gamma", True)]


def test_the_last_four_hashes_start_the_explanation():
    (q,) = parse_gift("::E:: pick {=a####b ~c####why}").questions
    assert q.explanation == "why" and q.choices[0].feedback == "###b"


def test_a_format_mark_is_lower_case_as_in_moodle():
    (q,) = parse_gift("::F:: [HTML]<b>x</b> {=a ~b}").questions
    assert q.text_format == "plain" and q.prompt == "[HTML]<b>x</b>"


# --- topics and tags -----------------------------------------------------------------------

@pytest.mark.parametrize("category, topic", [
    ("gdpr_basics", "gdpr_basics"),
    ("Phishing.2", "Phishing.2"),
    ("Phishing og svindel", "phishing-og-svindel"),   # not an id: its slug
    ("Datasikkerhed/cpr:2024", "cpr:2024"),
])
def test_a_category_name_that_is_an_id_is_the_topic_id(category, topic):
    result = parse_gift(f"$CATEGORY: $course$/top/{category}\n\n::Q:: q {{T}}")
    assert result.questions[0].topic == topic
    assert result.topics[0][0] == topic


def test_an_id_comment_names_the_topic_and_the_category_its_title():
    text = "// [id:cpr]\n$CATEGORY: $course$/top/CPR-numre og e//mail\n\n::Q:: q {T}"
    result = parse_gift(text)
    assert result.topics == [("cpr", "CPR-numre og e/mail")]
    assert result.questions[0].topic == "cpr"


def test_moodle_xml_category_idnumber_is_the_topic_id():
    xml = ("<quiz><question type='category'><category><text>$course$/top/Phishing og svindel"
           "</text></category><idnumber>phish_2</idnumber></question>"
           "<question type='truefalse'><name><text>T</text></name><questiontext><text>q"
           "</text></questiontext><answer fraction='100'><text>true</text></answer>"
           "<answer fraction='0'><text>false</text></answer></question></quiz>")
    result = parse_moodle_xml(xml)
    assert result.topics == [("phish_2", "Phishing og svindel")]
    assert result.questions[0].topic == "phish_2"


def test_a_tag_keeps_its_commas_and_the_old_tags_comment_still_splits():
    text = "// [id:t1] [tag:GDPR, art. 32] [tag:mail]\n// tags: a, b\n::t1:: q {T}"
    (q,) = parse_gift(text).questions
    assert q.tags == ("GDPR, art. 32", "mail", "a", "b")
    again = parse_gift(export_gift(Bank((q,)))).questions[0]
    assert again.tags == q.tags


def test_a_category_that_stands_for_a_bank_topic_goes_into_it_reported():
    bank = Bank((), topics=(Topic("phishing", {"da": "Phishing og svindel", "en": "Phishing"}),))
    for category in ("Phishing", "Phishing og svindel"):
        result = parse_gift(f"$CATEGORY: $course$/top/{category}\n\n::Q:: q {{T}}")
        merged, notes = merge_into_bank(bank, result)
        assert [t.id for t in merged.topics] == ["phishing"]
        assert merged.questions[0].topic == "phishing"
        (note,) = notes
        assert note.position == "line 1" and "phishing" in note.render()
    # A topic id the source gives is taken as it is.
    merged, notes = merge_into_bank(bank, parse_gift(
        "// [id:Phishing]\n$CATEGORY: $course$/top/Phishing\n\n::Q:: q {T}"))
    assert [t.id for t in merged.topics] == ["phishing", "Phishing"] and notes == []


# --- choice ids, scenario, true/false words ------------------------------------------------

def test_choice_comments_give_the_choice_ids():
    text = ("::Q:: pick {\n// [choice:b]\n=Beta\n~Alpha\n// [choice:old]\n// [choice:a]\n"
            "~Gamma\n}")
    result = parse_gift(text)
    (q,) = result.questions
    assert [c.id for c in q.choices] == ["b", "c2", "a"]
    assert result.given_choice_ids == {"Q": frozenset({"a", "b"})}
    assert result.positions == {"Q": "line 1"}


def test_a_choice_comment_that_cannot_be_an_id_is_reported():
    result = parse_gift("::Q:: pick {\n// [choice:a b]\n=A\n// [choice:x]\n~B\n"
                        "// [choice:x]\n~C\n}")
    (q,) = result.questions
    assert [c.id for c in q.choices] == ["c1", "x", "c3"]
    (note,) = result.problems
    assert note.kind != SKIPPED and "a b, x" in note.render() and note.position == "line 1"


def test_generated_choice_ids_never_repeat_a_given_one():
    (q,) = parse_gift("::Q:: pick {\n=A\n// [choice:c1]\n~B\n~C\n}").questions
    assert [c.id for c in q.choices] == ["c2", "c1", "c3"]


@pytest.mark.parametrize("fmt", ["plain", "html"])
def test_scenario_comes_back_apart_from_the_prompt(fmt):
    q = Question("s", "single", "What now?", (Choice("a", "Report", True), Choice("b", "Click")),
                 scenario="From: IT\n\n\nYour mailbox is full.", text_format=fmt)
    text = export_gift(Bank((q,)))
    assert "// [scenario:2]" in text
    assert parse_gift(text).questions == [q]


def test_a_scenario_comment_that_does_not_fit_is_reported_and_nothing_lost():
    result = parse_gift("// [scenario:3]\n::s:: One paragraph only {T}")
    (q,) = result.questions
    assert q.prompt == "One paragraph only" and q.scenario is None
    assert "[scenario:3]" in result.problems[0].render()


# --- our export, read back: generated banks -------------------------------------------------

_CHARS = string.ascii_letters + string.digits + " æøå~=#{}:\\%[]/->_.,;!?'\"\n<&"
_TEXT = st.text(alphabet=_CHARS, min_size=1, max_size=40).map(str.strip).filter(
    lambda t: t and "\n\n\n" not in t[:1])
_ID = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,12}", fullmatch=True)
_TAG = st.text(alphabet=string.ascii_letters + " ,]\\<>:", min_size=1, max_size=12).map(
    lambda t: " ".join(t.split())).filter(bool)


@st.composite
def _questions(draw):
    qtype = draw(st.sampled_from(["single", "multiple", "truefalse"]))
    fmt = draw(st.sampled_from(["plain", "html"]))
    # An HTML text is HTML: its "<" and "&" written as entities, sometimes in a paragraph.
    text = _TEXT if fmt == "plain" else st.builds(
        lambda t, p: f"<p>{escape(t, quote=False)}</p>" if p else escape(t, quote=False),
        _TEXT, st.booleans())
    if qtype == "truefalse":
        truth = draw(st.booleans())
        words = draw(st.sampled_from([("True", "False"), ("Sandt", "Falsk"), ("Ja", "Nej")]))
        choices = (Choice("true", words[0], truth, draw(st.none() | text)),
                   Choice("false", words[1], not truth, draw(st.none() | text)))
    else:
        ids = draw(st.lists(_ID, min_size=2, max_size=5, unique=True))
        right = draw(st.integers(0, len(ids) - 1))
        choices = tuple(
            Choice(cid, draw(text),
                   i == right or (qtype == "multiple" and draw(st.booleans())),
                   draw(st.none() | text))
            for i, cid in enumerate(ids))
    return Question(
        id=draw(_ID), type=qtype, prompt=draw(text), choices=choices,
        topic=draw(st.sampled_from(["", "t_1", "Topic.2"])),
        tags=tuple(draw(st.lists(_TAG, max_size=3, unique=True))),
        scenario=draw(st.none() | text), explanation=draw(st.none() | text),
        scoring=draw(st.sampled_from([None, "per_choice", "all_or_nothing"]))
        if qtype == "multiple" else None, text_format=fmt)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_questions(), min_size=1, max_size=4, unique_by=lambda q: q.id))
def test_any_bank_reads_back_exactly(questions):
    topics = (Topic("t_1", "Første emne / del 1"), Topic("Topic.2", "Second: topic"))
    bank = Bank(tuple(questions), topics=topics)
    result = parse_gift(export_gift(bank))
    assert result.skipped == []
    assert result.questions == list(bank.questions)
    used = {q.topic for q in questions if q.topic}
    assert {tid: title for tid, title in result.topics} == {
        t.id: t.title for t in topics if t.id in used}
