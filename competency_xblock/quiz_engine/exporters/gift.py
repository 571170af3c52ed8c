"""Export a bank to GIFT (one language), readable by Moodle and by our GIFT importer.

Topics become ``$CATEGORY:`` blocks; the scenario is put before the prompt (GIFT has no place
for it); ids and tags go into Moodle's ``// [id:...] [tag:...]`` comments, the all-or-nothing
rule into a ``// scoring:`` comment that Moodle ignores; our importer reads all of them back.
Multiple response uses weights ``+100/k`` for each of the k correct choices and ``-100/k`` for
wrong ones, which in Moodle is exactly our per-choice rule.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Optional

from competency_xblock.quiz_engine.model import (
    ALL_OR_NOTHING,
    HTML,
    MULTIPLE,
    TRUEFALSE,
    Bank,
    Question,
)
from competency_xblock.text import pick_language

_SPECIAL = "\\~=#{}:"


def escape_gift(text: str) -> str:
    out = "".join("\\" + ch if ch in _SPECIAL else ch for ch in text)
    return out.replace("\r\n", "\n").replace("\n", "\\n")


def _bracketed(text: str) -> str:
    """A tag inside ``[tag:...]``: ``]`` escaped, line breaks as spaces."""
    return " ".join(text.split()).replace("]", "\\]")


def _weight(value: Fraction) -> str:
    text = f"{float(value * 100):.5f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


def question_to_gift(q: Question, lang: Optional[str], rule: str) -> str:
    def t(text) -> str:
        return escape_gift(pick_language(text, lang)) if text else ""

    # Moodle's own id and tag comments (Moodle 3.6+ reads them; so does our importer).
    marks = [f"[id:{q.id}]"] + [f"[tag:{_bracketed(tag)}]" for tag in q.tags]
    lines = ["// " + " ".join(marks)]
    if q.type == MULTIPLE and rule == ALL_OR_NOTHING:
        lines.append(f"// scoring: {ALL_OR_NOTHING}")
    prompt = t(q.prompt)
    if q.scenario:
        if q.text_format == HTML:
            prompt = escape_gift(f'<div class="scenario">{pick_language(q.scenario, lang)}</div>'
                                 ) + prompt
        else:
            prompt = t(q.scenario) + "\\n\\n" + prompt
    fmt = "[html]" if q.text_format == HTML else ""
    head = f"::{escape_gift(q.id)}::{fmt}{prompt}" + " {"
    body: list[str] = []
    if q.type == TRUEFALSE:
        right = next(c for c in q.choices if c.correct)
        wrong = next((c for c in q.choices if not c.correct), None)
        answer = "TRUE" if right.id == "true" else "FALSE"
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
            if q.type == MULTIPLE:
                mark = f"~%{_weight(share if c.correct else -share)}%"
            else:
                mark = "=" if c.correct else "~"
            feedback = f"#{t(c.feedback)}" if c.feedback else ""
            body.append(f"{mark}{t(c.text)}{feedback}")
    if q.explanation:
        body.append(f"####{t(q.explanation)}")
    return "\n".join(lines + [head] + ["    " + b for b in body] + ["}"])


def export_gift(bank: Bank, lang: Optional[str] = None) -> str:
    """The whole bank as GIFT text in ``lang`` (falls back per text, see ``pick_language``)."""
    blocks = []
    topic = None
    for q in bank.questions:
        if q.topic != topic and q.topic:
            blocks.append(f"$CATEGORY: $course$/top/{q.topic}")
        topic = q.topic
        blocks.append(question_to_gift(q, lang, bank.rule_for(q)))
    return "\n\n".join(blocks) + "\n"
