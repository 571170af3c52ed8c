"""Import Moodle XML (``<quiz><question type="...">``) into bank questions.

Supported: ``multichoice`` (``<single>`` true = single choice, false = multiple response with
``fraction`` weights), ``multichoiceset`` (all-or-nothing multiple response), ``truefalse``;
``<tags>`` become tags.  ``category`` pseudo-questions set the topic.  Every
other type (essay, numerical, shortanswer, matching, cloze, description, ...) is reported per
question with its line and element.  XML is parsed without DTDs or entities (see
``common.parse_xml``).
"""
from __future__ import annotations

from fractions import Fraction
from html import escape
from typing import Optional

from lxml import etree

from competency_xblock.quiz_engine.importers.common import (
    NOTE,
    IdAllocator,
    ImportResult,
    add_question,
    category_name,
    is_valid_id,
    parse_xml,
    plain_text,
    problem,
    too_many_choices,
    where,
)
from competency_xblock.quiz_engine.model import (
    ALL_OR_NOTHING,
    FALSE_ID,
    HTML,
    MULTIPLE,
    PLAIN,
    SINGLE,
    TRUE_ID,
    TRUEFALSE,
    Choice,
    Question,
)
from competency_xblock.text import N_, UserFacingError

_HTML_FORMATS = {"html", ""}  # Moodle's default for questiontext is html


#: What Moodle fills in for the three overall feedbacks: nothing an author wrote is lost.
_MOODLE_DEFAULT_FEEDBACK = {"your answer is correct.", "your answer is partially correct.",
                            "your answer is incorrect.", "dit svar er korrekt.",
                            "dit svar er delvis korrekt.", "dit svar er forkert."}


def _text_of(parent: Optional[etree._Element], name: str) -> tuple[str, str]:
    """(text, format) of ``<name format=".."><text>...</text></name>`` under ``parent``."""
    if parent is None:
        return "", PLAIN
    el = parent.find(name) if name else parent
    if el is None:
        return "", PLAIN
    node = el.find("text")
    text = (node.text or "") if node is not None else ""
    fmt = HTML if el.get("format", "html") in _HTML_FORMATS else PLAIN
    return text.strip(), fmt


def _fraction(el: etree._Element) -> Fraction:
    raw = el.get("fraction", "0")
    try:
        return Fraction(raw) / 100
    except (ValueError, ZeroDivisionError) as exc:
        raise UserFacingError(N_("The fraction \"{value}\" is not a number."),
                              path=where(el), value=raw[:20]) from exc


def parse_moodle_xml(data: bytes | str) -> ImportResult:
    """Parse a Moodle XML question file; raises :class:`UserFacingError` when malformed."""
    root = parse_xml(data)
    if root.tag != "quiz":
        raise UserFacingError(N_("A Moodle XML file must start with <quiz>, not <{tag}>."),
                              path=where(root), tag=str(root.tag)[:40])
    result = ImportResult()
    ids = IdAllocator()
    topic = ""
    for el in root:
        if not isinstance(el.tag, str):
            continue
        if el.tag != "question":
            raise UserFacingError(N_("Unexpected element <{tag}> inside <quiz>."),
                                  path=where(el), tag=el.tag[:40])
        qtype = el.get("type")
        if not qtype:
            raise UserFacingError(N_("The <question> has no type attribute."), path=where(el))
        if qtype == "category":
            path, _ = _text_of(el, "category")
            name = category_name(path)
            tid = (el.findtext("idnumber") or "").strip()  # Moodle 3.6+: the category's id
            topic = result.add_topic(name, tid, where(el, "type")) if name or tid else ""
            continue
        name, _ = _text_of(el, "name")
        pos = where(el, "type")
        if qtype not in ("multichoice", "multichoiceset", "truefalse"):
            result.problems.append(problem(
                pos, N_("The question type \"{qtype}\" is not supported by the quiz; "
                        "not imported."), name, qtype=qtype[:40]))
            continue
        question = _question(el, qtype, name, pos, topic, ids, result)
        if question is not None:
            add_question(result, question, pos, name)
    return result


def _question(el, qtype, name, pos, topic, ids, result) -> Optional[Question]:
    prompt, fmt = _text_of(el, "questiontext")
    if not prompt:
        result.problems.append(problem(pos, N_("The question has no text; not imported."), name))
        return None
    explanation, efmt = _text_of(el, "generalfeedback")
    answers = el.findall("answer")
    if too_many_choices(len(answers), pos, name, result):
        return None
    parsed = []
    for a in answers:
        text, afmt = _text_of(a, "")
        text = text or ""
        feedback, ffmt = _text_of(a, "feedback")
        parsed.append((a, text, afmt, feedback, ffmt))
    any_html = fmt == HTML or any(HTML in (p[2], p[4]) for p in parsed) or efmt == HTML

    def conv(text: str, text_fmt: str) -> str:
        return escape(text, quote=False) if any_html and text_fmt != HTML else text

    for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        text = _text_of(el, tag)[0]
        if text and plain_text(text).strip().lower() not in _MOODLE_DEFAULT_FEEDBACK:
            result.problems.append(problem(
                pos, N_("The <{tag}> text is not used; the quiz shows per-choice feedback and "
                        "the explanation."), name, kind=NOTE, tag=tag))
    files = [f.get("name") or "?" for f in el.iter("file")]
    # Moodle 1.9 kept a question's image in <image> (and <image_base64>)
    files += [(i.text or "").strip() or "?" for i in el.findall("image") if (i.text or "").strip()]
    if files or "@@PLUGINFILE@@" in etree.tostring(el, encoding="unicode"):
        result.problems.append(problem(
            pos, N_("The question uses files from Moodle ({files}), which the quiz cannot "
                    "store; upload them to the course and change the links."), name,
            kind=NOTE, files=", ".join(sorted(set(files)))[:200] or "@@PLUGINFILE@@"))
    if any(t.get("format") == "markdown" for t in el.iter() if isinstance(t.tag, str)):
        result.problems.append(problem(
            pos, N_("Markdown formatting is not converted; the text is shown as written."),
            name, kind=NOTE))
    shuffle = el.find("shuffleanswers")
    if qtype != "truefalse" and shuffle is not None \
            and (shuffle.text or "").strip().lower() in ("0", "false"):
        result.problems.append(problem(
            pos, N_("The choices were in a fixed order in Moodle; the quiz shuffles them "
                    "unless its choice shuffling is turned off."), name, kind=NOTE))
    if el.find("hint") is not None:
        result.problems.append(problem(pos, N_("Hints are not used by the quiz."), name,
                                       kind=NOTE))
    scoring = None
    if qtype == "truefalse":
        by_value = {}
        for a, text, _afmt, feedback, ffmt in parsed:
            by_value[plain_text(text).lower()] = (a, feedback, ffmt)
        if set(by_value) != {"true", "false"}:
            result.problems.append(problem(
                pos, N_("A true/false question needs the answers \"true\" and \"false\"; "
                        "not imported."), name))
            return None
        truth = _fraction(by_value["true"][0]) > 0
        choices = tuple(
            Choice(cid, label, correct, conv(by_value[cid][1], by_value[cid][2]) or None)
            for cid, label, correct in ((TRUE_ID, "True", truth), (FALSE_ID, "False", not truth)))
        qtype_out = TRUEFALSE
    else:
        single_el = el.find("single")
        single = qtype == "multichoice" and (
            single_el is None or (single_el.text or "true").strip().lower() in ("true", "1"))
        weights = [_fraction(p[0]) for p in parsed]
        if single:
            correct_flags = [w >= 1 for w in weights]
            for w, p in zip(weights, parsed, strict=True):
                if 0 < w < 1:
                    result.problems.append(problem(
                        where(p[0], "fraction"),
                        N_("Partial credit for a choice of a single-choice question is not "
                           "supported; the choice counts as wrong."), name, kind=NOTE))
        else:
            correct_flags = [w > 0 for w in weights]
        choices = tuple(
            Choice(f"c{n}", conv(text, afmt), flag, conv(feedback, ffmt) or None)
            for n, ((a, text, afmt, feedback, ffmt), flag)
            in enumerate(zip(parsed, correct_flags, strict=True), start=1))
        qtype_out = SINGLE if single else MULTIPLE
        count = sum(correct_flags)
        if len(choices) < 2:
            result.problems.append(problem(pos, N_("A question needs at least two choices; "
                                                   "not imported."), name))
            return None
        if count == 0:
            result.problems.append(problem(pos, N_("No choice is marked correct; "
                                                   "not imported."), name))
            return None
        if single and count > 1:
            result.problems.append(problem(
                pos, N_("Several choices are fully correct in a single-choice question; "
                        "not imported."), name))
            return None
        if qtype == "multichoiceset":  # Moodle's all-or-nothing multiple choice
            scoring = ALL_OR_NOTHING
        elif not single:
            share = Fraction(1, count)
            exact = all(abs(w - (share if f else -share)) < Fraction(1, 1000)
                        for w, f in zip(weights, correct_flags, strict=True))
            if not exact:
                result.problems.append(problem(
                    pos, N_("The choice weights were replaced by the per-choice partial-credit "
                            "rule."), name, kind=NOTE))
    tags = tuple(plain_text(tag.findtext("text") or "") for tag in el.findall("tags/tag"))
    # Moodle's own id of the question (3.6+) when it is one; else the name, without markup
    idnumber = (el.findtext("idnumber") or "").strip()
    qid = ids.allocate(idnumber if is_valid_id(idnumber) else plain_text(name))
    return Question(id=qid, type=qtype_out, prompt=conv(prompt, fmt),
                    choices=choices, topic=topic, tags=tuple(t for t in tags if t),
                    explanation=conv(explanation, efmt) or None, scoring=scoring,
                    text_format=HTML if any_html else PLAIN)
