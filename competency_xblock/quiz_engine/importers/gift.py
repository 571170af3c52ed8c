"""Import GIFT (Moodle's text format) into bank questions.

Follows Moodle's own reader (question/format/gift/format.php): questions are separated by blank
lines, ``//`` lines are comments, ``$CATEGORY:`` sets the category (our topic), ``::name::``
titles, ``[html]``/``[plain]``/``[markdown]``/``[moodle]`` formats, ``\\`` escapes for
``~ = # { } :`` and ``\\n``.  Supported: multiple choice (``=``/``~``; no ``=`` means multiple
response with ``%weight%``), true/false.  Everything else (essay ``{}``, numerical ``{#...}``,
matching ``->``, short answer, description) is reported per question with its line.

Meta comments written by our exporter (``// tags: a, b``, ``// scoring: all_or_nothing``)
restore what GIFT cannot say; Moodle ignores them as ordinary comments.
"""
from __future__ import annotations

import re
from fractions import Fraction
from html import escape
from typing import Optional

from competency_xblock.quiz_engine.importers.common import (
    NOTE,
    IdAllocator,
    ImportResult,
    add_question,
    category_name,
    check_size,
    decode,
    limit_questions,
    problem,
    too_many_choices,
)
from competency_xblock.quiz_engine.model import (
    FALSE_ID,
    HTML,
    MULTIPLE,
    PER_CHOICE,
    PLAIN,
    SCORING_RULES,
    SINGLE,
    TRUE_ID,
    TRUEFALSE,
    Choice,
    Question,
)
from competency_xblock.text import N_, UserFacingError

_ESCAPES = {"\\\\": "\x00B", "\\~": "\x00T", "\\=": "\x00E", "\\#": "\x00H",
            "\\{": "\x00O", "\\}": "\x00C", "\\:": "\x00L"}
_UNESCAPE = {"\x00B": "\\", "\x00T": "~", "\x00E": "=", "\x00H": "#", "\x00O": "{",
             "\x00C": "}", "\x00L": ":"}
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_META = re.compile(r"^\s*//\s*(tags|scoring|id)\s*:\s*(.*?)\s*$", re.IGNORECASE)
_MOODLE_META = re.compile(r"\[(id|tag):((?:\\\]|[^\]\x00-\x1f])+)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_HTML_TAG = re.compile(r"</?(p|br|b|i|em|strong|u|ul|ol|li|div|span|img|a|table|h\d)\b[^>]*>",
                       re.IGNORECASE)
_TF = {"T": True, "TRUE": True, "F": False, "FALSE": False}


def _protect(text: str) -> str:
    for raw, placeholder in _ESCAPES.items():
        text = text.replace(raw, placeholder)
    return text


def _restore(text: str) -> str:
    # A GIFT text has no blank lines of its own: those left by comment lines go.
    text = re.sub(r"\n[ \t]*(?=\n)", "", text)
    text = text.replace("\\n", "\n")
    for placeholder, char in _UNESCAPE.items():
        text = text.replace(placeholder, char)
    return text.strip()


def _format_of(text: str, default: str = PLAIN) -> tuple[str, str]:
    """Split a leading ``[format]``; markdown and moodle auto-format count as plain."""
    match = _FORMAT.match(text)
    if not match:
        return default, text
    fmt = HTML if match.group(1).lower() == "html" else PLAIN
    return fmt, text[match.end():]


def _blocks(text: str):
    """Yield (first line number, lines, meta) per blank-line separated block, sans comments."""
    lines: list[str] = []
    meta: dict[str, str] = {}
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            if lines:
                yield start, lines, meta
            lines, meta, start = [], {}, 0
            continue
        if line.lstrip().startswith("//"):
            match = _META.match(line)
            if match:
                key = match.group(1).lower()
                if key == "tags" and meta.get("tags"):
                    meta["tags"] += "," + match.group(2)
                else:
                    meta[key] = match.group(2)
            # Moodle's own (3.6+): "// [id:idnumber] [tag:one] [tag:two]", "\]" escapes "]".
            for key, value in _MOODLE_META.findall(line):
                value = value.replace("\\]", "]").strip()
                if key.lower() == "id":
                    meta.setdefault("id", value)
                elif value:
                    meta["tags"] = f"{meta['tags']},{value}" if meta.get("tags") else value
            if lines:  # keep the line count inside a question (as Moodle: a blank)
                lines.append(" ")
            continue
        if not lines:
            start = number
        lines.append(line)
    if lines:
        yield start, lines, meta


def parse_gift(data: bytes | str, default_topic: str = "") -> ImportResult:
    """Parse GIFT text; raises :class:`UserFacingError` (with a line) for malformed input."""
    check_size(data)
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n")
    result = ImportResult()
    ids = IdAllocator()
    topic = result.add_topic(default_topic) if default_topic else ""
    for start, lines, meta in _blocks(text):
        if lines[0].lstrip().startswith("$CATEGORY:"):
            path = lines[0].split(":", 1)[1].strip()
            name = category_name(path)
            topic = result.add_topic(name) if name else ""
            lines = lines[1:]
            start += 1
            if not lines:
                continue
        _parse_question(start, "\n".join(lines), meta, topic, ids, result)
        limit_questions(result, f"line {start}")
    return result


def _line_of(block: str, start: int, index: int) -> int:
    return start + block.count("\n", 0, max(0, index))


def _parse_question(start: int, block: str, meta: dict, topic: str, ids: IdAllocator,
                    result: ImportResult) -> None:
    raw = _protect(block).strip()
    name = ""
    if raw.startswith("::"):
        end = raw.find("::", 2)
        if end < 0:
            raise UserFacingError(N_("The question title is not closed with \"::\"."),
                                  path=f"line {start}")
        name = _restore(raw[2:end])
        raw = raw[end + 2:].strip()
    where = f"line {start}"
    label = name or _restore(raw[:40]).replace("\n", " ")
    open_at = raw.find("{")
    if open_at < 0:
        if "}" in raw:
            raise UserFacingError(N_("A closing brace \"}}\" has no opening brace \"{{\"."),
                                  path=f"line {_line_of(block, start, block.find('}'))}")
        result.problems.append(problem(
            where, N_("A description (text without answers) is not a question; not imported."),
            label))
        return
    close_at = raw.find("}", open_at)
    if close_at < 0:
        raise UserFacingError(N_("The answers starting with \"{{\" are not closed with \"}}\"."),
                              path=f"line {_line_of(block, start, block.find('{'))}")
    if raw.find("{", open_at + 1, close_at) >= 0:
        raise UserFacingError(N_("A \"{{\" appears inside the answers; escape it as \\{{."),
                              path=f"line {_line_of(block, start, block.find('{'))}")
    before, answers, after = raw[:open_at], raw[open_at + 1:close_at].strip(), raw[close_at + 1:]
    if "{" in after or "}" in after:
        # Two questions without a blank line between them (or a stray brace after the answers).
        protected = _protect(block)
        second = [i for i, ch in enumerate(protected) if ch in "{}"][2]
        raise UserFacingError(N_("Another brace follows the answers; separate questions with "
                                 "a blank line, or escape a brace in the text as \\{{ or \\}}."),
                              path=f"line {_line_of(block, start, second)}")
    text_format, before = _format_of(before)
    prompt = (before + "_____" + after).strip() if after.strip() else before.strip()
    explanation = ""
    if "####" in answers:
        answers, explanation = answers.split("####", 1)
        explanation = _restore(_format_of(explanation.strip(), text_format)[1])
        answers = answers.strip()

    def skip(kind: str) -> None:
        result.problems.append(problem(
            where, N_("The question type \"{qtype}\" is not supported by the quiz; "
                      "not imported."), label, qtype=kind))

    if not answers:
        return skip(N_("essay"))
    if answers.startswith("#"):
        return skip(N_("numerical"))
    if "->" in answers:
        return skip(N_("matching"))
    head = answers.split("#", 1)[0].strip().upper()
    if "~" not in answers and head in _TF:
        question = _truefalse(answers, head, name, text_format, prompt, explanation)
    elif "~" in answers:
        question = _multichoice(answers, "=" not in answers, label, where, result, text_format)
        if question is None:
            return
        question["prompt"] = prompt
        question["explanation"] = explanation
    else:
        return skip(N_("short answer"))
    qid = ids.allocate(meta.get("id") or name or "")
    scoring = meta.get("scoring")
    if scoring and scoring not in SCORING_RULES:
        scoring = None
    if question["type"] == MULTIPLE and scoring:
        question["scoring"] = scoring
    tags = tuple(t.strip() for t in meta.get("tags", "").split(",") if t.strip())
    fmt = question.pop("format")
    if "@@PLUGINFILE@@" in block:
        files = sorted(set(re.findall(r"@@PLUGINFILE@@/([^\"'\s)>]+)", block)))
        result.problems.append(problem(
            where, N_("The question uses files from Moodle ({files}), which the quiz cannot "
                      "store; upload them to the course and change the links."), label,
            kind=NOTE, files=", ".join(files)[:200] or "@@PLUGINFILE@@"))
    if re.search(r"\[markdown\]", block, re.IGNORECASE):
        result.problems.append(problem(
            where, N_("Markdown formatting is not converted; the text is shown as written."),
            label, kind=NOTE))
    if fmt == PLAIN and _HTML_TAG.search(block):
        result.problems.append(problem(
            where, N_("The text has HTML tags but no [html] mark; it is shown as plain text. "
                      "Start the question text with [html] to keep the formatting."), label,
            kind=NOTE))
    if fmt == HTML and text_format == PLAIN:  # a choice was [html]: escape the plain prompt
        question["prompt"] = escape(question["prompt"], quote=False)
        question["explanation"] = escape(question["explanation"], quote=False)
    add_question(result, Question(
        id=qid, type=question["type"], prompt=_restore(question["prompt"]),
        choices=question["choices"], topic=topic, tags=tags,
        explanation=question["explanation"] or None, scoring=question.get("scoring"),
        text_format=fmt), where, label)


def _truefalse(answers: str, head: str, name: str, fmt: str, prompt: str,
               explanation: str) -> dict:
    parts = answers.split("#")
    wrong_fb = _restore(_format_of(parts[1].strip(), fmt)[1]) if len(parts) > 1 else ""
    right_fb = _restore(_format_of(parts[2].strip(), fmt)[1]) if len(parts) > 2 else ""
    truth = _TF[head]
    choices = (
        Choice(TRUE_ID, "True", truth, (right_fb if truth else wrong_fb) or None),
        Choice(FALSE_ID, "False", not truth, (wrong_fb if truth else right_fb) or None),
    )
    return {"type": TRUEFALSE, "choices": choices, "prompt": prompt,
            "explanation": explanation, "format": fmt}


def _split_answers(answers: str) -> list[tuple[str, str]]:
    """[(marker, text)] where marker is '=' or '~'."""
    out = []
    for match in re.finditer(r"([=~])([^=~]*)", answers):
        out.append((match.group(1), match.group(2)))
    return out


def _multichoice(answers: str, multiple: bool, label: str, where: str, result: ImportResult,
                 question_format: str) -> Optional[dict]:
    choices = []
    weights: list[Fraction] = []
    any_html = question_format == HTML
    parsed = []
    pairs = _split_answers(answers)
    if too_many_choices(len(pairs), where, label, result):
        return None
    for marker, body in pairs:
        body = body.strip()
        weight: Optional[Fraction] = Fraction(1) if marker == "=" else None
        match = _WEIGHT.match(body)
        if match:
            weight = Fraction(match.group(1)) / 100
            body = body[match.end():]
        text, _, feedback = body.partition("#")
        # As in Moodle, a choice without its own [format] has the question's format.
        fmt, text = _format_of(text.strip(), question_format)
        ffmt, feedback = _format_of(feedback.strip(), question_format)
        any_html = any_html or HTML in (fmt, ffmt)
        parsed.append((marker, weight, _restore(text), _restore(feedback), fmt, ffmt))
    for n, (marker, weight, text, feedback, fmt, ffmt) in enumerate(parsed, start=1):
        if any_html:  # one format per question: escape plain parts of mixed questions
            text = text if fmt == HTML else escape(text, quote=False)
            feedback = feedback if ffmt == HTML else escape(feedback, quote=False)
        if multiple:
            correct = weight is not None and weight > 0
        else:
            correct = marker == "="
            if marker == "~" and weight:
                result.problems.append(problem(
                    where, N_("Partial credit ({percent}%) for a wrong choice of a single-choice "
                              "question is not supported; the choice counts as wrong."),
                    label, kind=NOTE, percent=float(weight * 100)))
        weights.append(weight or Fraction(0))
        choices.append(Choice(f"c{n}", text, correct, feedback or None))
    correct_count = sum(1 for c in choices if c.correct)
    if len(choices) < 2:
        result.problems.append(problem(where, N_("A question needs at least two choices; "
                                                 "not imported."), label))
        return None
    if correct_count == 0:
        result.problems.append(problem(where, N_("No choice is marked correct; not imported."),
                                       label))
        return None
    if not multiple and correct_count > 1:
        result.problems.append(problem(
            where, N_("Several choices are marked correct with = in a single-choice question; "
                      "not imported. An = that is part of the text is written \\=."), label))
        return None
    scoring = None
    if multiple:
        share = Fraction(1, correct_count)
        exact = all(abs(w - (share if c.correct else -share)) < Fraction(1, 1000)
                    for w, c in zip(weights, choices, strict=True))
        if not exact:
            result.problems.append(problem(
                where, N_("The choice weights were replaced by the per-choice partial-credit "
                          "rule."), label, kind=NOTE))
        scoring = PER_CHOICE
    out = {"type": MULTIPLE if multiple else SINGLE, "choices": tuple(choices),
           "format": HTML if any_html else PLAIN}
    if scoring and scoring != PER_CHOICE:
        out["scoring"] = scoring
    return out

