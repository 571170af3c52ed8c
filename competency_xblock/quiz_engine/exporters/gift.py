"""Export a bank to GIFT (one language), readable by Moodle and by our GIFT importer.

Our own export reads back exactly (see ``importers/gift.py``): what GIFT cannot say goes into
comments, which Moodle ignores except for its own ``[id:...]`` and ``[tag:...]``.  A topic is a
``$CATEGORY:`` named by its title with ``// [id:topic]`` before it; a question has
``// [id:q1] [tag:a]``, then ``// [scenario:N]`` when its text starts with an N-paragraph
scenario (Moodle shows it as part of the text), ``// [true:Sandt] [false:Falsk]`` for the words
of a true/false question and ``// scoring: ...`` for its partial-credit rule; every choice has
``// [choice:id]`` on the line before it, so learners' answers keep pointing at it when the
text comes back.  Multiple response uses weights ``+100/k`` for each of the k correct choices
and ``-100/k`` for wrong ones, which in Moodle is exactly our per-choice rule.
"""
from __future__ import annotations

import re
from fractions import Fraction
from typing import Optional

from competency_xblock.quiz_engine.model import (
    ALL_OR_NOTHING,
    FALSE_ID,
    HTML,
    MULTIPLE,
    PLAIN,
    SCENARIO_CLOSE,
    SCENARIO_OPEN,
    TRUE_ID,
    TRUEFALSE,
    Bank,
    Question,
)
from competency_xblock.text import pick_language

_SPECIAL = "\\~=#{}:"
#: Texts that a GIFT reader would take for a format mark or a weight (Moodle's rules).
_LOOKS_LIKE_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_LOOKS_LIKE_WEIGHT = re.compile(r"^\s*%-*[0-9]{1,2}\.?[0-9]*%")

def escape_gift(text: str) -> str:
    out = "".join("\\" + ch if ch in _SPECIAL else ch for ch in text)
    return out.replace("\r\n", "\n").replace("\n", "\\n")


def _bracketed(text: str) -> str:
    """A value inside ``[tag:...]``: ``]`` escaped, line breaks as spaces; a space after a
    final backslash, which readers (Moodle's too) take off again, so it escapes nothing."""
    value = " ".join(text.split()).replace("]", "\\]")
    return value + " " if value.endswith("\\") else value


def _weight(value: Fraction) -> str:
    text = f"{float(value * 100):.5f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


def _text(text: str, fmt: str) -> str:
    """``text`` escaped, with its format written out when it would otherwise read as one."""
    mark = ("[html]" if fmt == HTML else "[plain]") if _LOOKS_LIKE_FORMAT.match(text) else ""
    return mark + escape_gift(text)


def question_to_gift(q: Question, lang: Optional[str], rule: str) -> str:
    def t(text) -> str:
        return _text(pick_language(text, lang), q.text_format) if text else ""

    # Moodle's own id and tag comments (Moodle 3.6+ reads them; so does our importer).
    marks = [f"[id:{q.id}]"] + [f"[tag:{_bracketed(tag)}]" for tag in q.tags]
    lines = ["// " + " ".join(marks)]
    ours = []
    prompt = pick_language(q.prompt, lang)
    if q.scenario:
        scenario = pick_language(q.scenario, lang)
        if q.text_format == HTML:
            scenario = SCENARIO_OPEN + scenario + SCENARIO_CLOSE
        ours.append(f"[scenario:{scenario.count(chr(10) * 2) + 1}]")
        prompt = scenario + "\n\n" + prompt
    if q.type == TRUEFALSE:
        words = {c.id: pick_language(c.text, lang) for c in q.choices}
        if (words.get(TRUE_ID), words.get(FALSE_ID)) != ("True", "False"):
            ours += [f"[true:{_bracketed(words.get(TRUE_ID, ''))}]",
                     f"[false:{_bracketed(words.get(FALSE_ID, ''))}]"]
    if ours:
        lines.append("// " + " ".join(ours))
    if q.type == MULTIPLE and (q.scoring or rule == ALL_OR_NOTHING):
        lines.append(f"// scoring: {q.scoring or rule}")
    # "[html]" before the question text is the format of all its texts (as in Moodle).
    text = "[html]" + escape_gift(prompt) if q.text_format == HTML else _text(prompt, PLAIN)
    head = f"::{escape_gift(q.id)}::{text}" + " {"
    body: list[str] = []
    if q.type == TRUEFALSE:
        right = next(c for c in q.choices if c.correct)
        wrong = next((c for c in q.choices if not c.correct), None)
        answer = "TRUE" if right.id == TRUE_ID else "FALSE"
        wrong_fb = t(wrong.feedback) if wrong is not None else ""
        right_fb = t(right.feedback)
        if right_fb:
            answer += f"#{wrong_fb}#{right_fb}"
        elif wrong_fb:
            answer += f"#{wrong_fb}"
        body.append(answer)
    else:
        correct_count = sum(1 for c in q.choices if c.correct) or 1
        share = Fraction(1, correct_count)
        for c in q.choices:
            text = t(c.text)
            if q.type == MULTIPLE:
                mark = f"~%{_weight(share if c.correct else -share)}%"
            elif c.correct:
                mark = "="  # Moodle reads no weight after "="
            else:  # a text that starts like a weight gets one (0 %) before it
                mark = "~%0%" if _LOOKS_LIKE_WEIGHT.match(text) else "~"
            feedback = f"#{t(c.feedback)}" if c.feedback else ""
            body.append(f"// [choice:{c.id}]")
            body.append(f"{mark}{text}{feedback}")
    if q.explanation:
        body.append(f"####{t(q.explanation)}")
    return "\n".join(lines + [head] + ["    " + b for b in body] + ["}"])


def _category(name: str) -> str:
    """A category path element: Moodle writes "//" for a "/" in a name."""
    return " ".join(name.split()).replace("/", "//")


def export_gift(bank: Bank, lang: Optional[str] = None) -> str:
    """The whole bank as GIFT text in ``lang`` (falls back per text, see ``pick_language``)."""
    titles = {t.id: pick_language(t.title, lang) for t in bank.topics}
    blocks = []
    topic = ""
    for q in bank.questions:
        if q.topic != topic and q.topic:
            title = titles.get(q.topic) or q.topic
            blocks.append(f"// [id:{q.topic}]\n$CATEGORY: $course$/top/{_category(title)}")
        elif q.topic != topic:  # back to no topic: the course's own category
            blocks.append("$CATEGORY: $course$/top")
        topic = q.topic
        blocks.append(question_to_gift(q, lang, bank.rule_for(q)))
    return "\n\n".join(blocks) + "\n"
