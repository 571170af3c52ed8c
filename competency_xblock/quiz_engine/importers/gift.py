"""Import GIFT (Moodle's text format) into bank questions.

Follows Moodle's own reader (question/format/gift/format.php): questions are separated by blank
lines, ``//`` lines are comments, ``$CATEGORY:`` sets the category (our topic), ``::name::``
titles, ``[html]``/``[plain]``/``[markdown]``/``[moodle]`` formats, ``\\`` escapes for
``~ = # { } :`` and ``\\n``.  The type is decided in Moodle's order: no answers ``{}`` essay,
``{#`` numerical, any ``~`` multiple choice (``=`` right, ``~`` wrong; no ``=`` means multiple
response with ``%weight%``), ``=`` together with ``->`` matching, ``{T}``/``{FALSE}``
true/false, else short answer.  Supported: multiple choice and true/false; everything else
(and a description without answers) is reported per question with its line.

Comments restore what GIFT cannot say; Moodle reads ``[id:...]`` and ``[tag:...]`` and ignores
the rest as ordinary comments.  Our exporter writes ``// [id:q1] [tag:a]`` before a question
(and ``// [id:topic]`` before a ``$CATEGORY:``), ``// [choice:a]`` on the line before each
choice, ``// [scenario:1]`` when the first paragraphs of the text are the scenario,
``// [true:Sandt] [false:Falsk]`` for the words of a true/false question and
``// scoring: all_or_nothing``; earlier exports wrote ``// tags: a, b``.
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
    choice_ids,
    decode,
    limit_questions,
    problem,
    too_many_choices,
)
from competency_xblock.quiz_engine.model import (
    FALSE_ID,
    HTML,
    MULTIPLE,
    PLAIN,
    SCENARIO_CLOSE,
    SCENARIO_OPEN,
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
#: As Moodle's ``parse_text_with_format``: a lower-case format name in brackets opens a text.
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]")
_META = re.compile(r"^\s*//\s*(tags|scoring|id)\s*:\s*(.*?)\s*$", re.IGNORECASE)
#: Bracketed comment tokens, "\\]" escaping "]": Moodle's own (3.6+) ``[id:...]`` and
#: ``[tag:...]``, and ours (see the module docstring).
_TOKEN = re.compile(r"\[(id|tag|choice|scenario|true|false):((?:\\\]|[^\]\x00-\x1f])+)\]",
                    re.IGNORECASE)
#: Moodle's ``$giftanswerweightregex``: a weight opens a ``~`` choice, ``%50%``, ``%-33.3%``.
_WEIGHT = re.compile(r"^%(-*)([0-9]{1,2})\.?([0-9]*)%")
#: A ``// [choice:id]`` line inside a question, kept in the text where it was until the
#: choices are split (\x01 cannot be typed in a GIFT file; it is removed from the input).
_MARK = "\x01"
_MARKER = re.compile("\x01([^\x01\n]*)\x01")
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


def _comment(line: str, meta: dict) -> Optional[str]:
    """Read a comment line into ``meta``; return the id of a ``[choice:id]`` token, if any."""
    choice = None
    match = _META.match(line)
    if match:
        key, value = match.group(1).lower(), match.group(2)
        if key == "tags":  # our earlier exports: a comma-separated list
            meta["tags"].extend(value.split(","))
        else:
            meta[key] = value
    for key, value in _TOKEN.findall(line):
        key, value = key.lower(), value.replace("\\]", "]").strip()
        if key == "tag":
            meta["tags"].append(value)  # one tag, commas and all (as Moodle reads it)
        elif key == "choice":
            choice = value
        elif value:
            meta.setdefault(key, value)  # the first [id:...] counts, as in Moodle
    return choice


def _blocks(text: str):
    """Yield (first line number, lines, meta) per blank-line separated block, sans comments.

    A comment line inside a question stays a line (as in Moodle, a blank), so line numbers
    keep counting; a ``[choice:id]`` comment there becomes a marker for the next choice."""
    lines: list[str] = []
    meta: dict = {"tags": []}
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.replace(_MARK, "")
        if not line.strip():
            if lines:
                yield start, lines, meta
            lines, meta, start = [], {"tags": []}, 0
            continue
        if line.lstrip().startswith("//"):
            choice = _comment(line, meta)
            if lines:
                lines.append(f"{_MARK}{choice}{_MARK}" if choice is not None else " ")
            continue
        if not lines:
            start = number
        lines.append(line)
    if lines:
        yield start, lines, meta


def _unmark(text: str) -> str:
    """The text without ``[choice:]`` markers (a comment line reads as a blank)."""
    return _MARKER.sub(" ", text)


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
            lines = lines[1:]
            start += 1
            # Our export names the topic's id in a comment before it ("// [id:cpr]"); a
            # category followed by a question in the same block leaves the comments to it.
            tid = "" if lines else meta.get("id", "")
            topic = result.add_topic(name, tid, f"line {start - 1}") if name or tid else ""
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
        name = _restore(_unmark(raw[2:end]))
        raw = raw[end + 2:].strip()
    where = f"line {start}"
    label = name or _restore(_unmark(raw)[:40]).replace("\n", " ")
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
    before, after = _unmark(before), _unmark(after)
    text_format, before = _format_of(before)
    prompt = (before + "_____" + after).strip() if after.strip() else before.strip()
    explanation = ""
    if "####" in answers:  # as Moodle: the last "####" starts the general feedback
        answers, _, explanation = answers.rpartition("####")
        explanation = _restore(_format_of(_unmark(explanation).strip(), text_format)[1])
        answers = answers.strip()

    def skip(kind: str) -> None:
        result.problems.append(problem(
            where, N_("The question type \"{qtype}\" is not supported by the quiz; "
                      "not imported."), label, qtype=kind))

    # The type, in the order Moodle's reader decides it.
    bare = _unmark(answers).strip()
    if not bare:
        return skip(N_("essay"))
    if bare.startswith("#"):
        return skip(N_("numerical"))
    given: frozenset[str] = frozenset()
    if "~" in bare:  # only multiple choice has "~" (a "->" in a choice is text)
        question = _multichoice(answers, "=" not in bare, label, where, result, text_format)
        if question is None:
            return
        given = question.pop("given")
        question["prompt"] = prompt
        question["explanation"] = explanation
    elif "=" in bare and "->" in bare:
        return skip(N_("matching"))
    else:
        # Moodle compares the answer before any feedback with T, TRUE, F and FALSE; we also
        # take them in lower case.
        head = (bare.split("#", 1)[0] if bare.find("#") > 0 else bare).strip().upper()
        if head not in _TF:
            return skip(N_("short answer"))
        question = _truefalse(_unmark(answers), head, name, text_format, prompt, explanation,
                              meta)
    qid = ids.allocate(meta.get("id") or name or "")
    scoring = meta.get("scoring")
    if scoring and scoring not in SCORING_RULES:
        scoring = None
    if question["type"] == MULTIPLE and scoring:
        question["scoring"] = scoring
    tags = tuple(t.strip() for t in meta["tags"] if t.strip())
    fmt = question.pop("format")
    if "@@PLUGINFILE@@" in block:
        files = sorted(set(re.findall(r"@@PLUGINFILE@@/([^\"'\s)>]+)", block)))
        result.problems.append(problem(
            where, N_("The question uses files from Moodle ({files}), which the quiz cannot "
                      "store; upload them to the course and change the links."), label,
            kind=NOTE, files=", ".join(files)[:200] or "@@PLUGINFILE@@"))
    if re.search(r"\[markdown\]", block):
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
    prompt_text = _restore(question["prompt"])
    scenario = None
    if meta.get("scenario"):
        scenario, prompt_text = _scenario(prompt_text, meta["scenario"], where, label, result)
    add_question(result, Question(
        id=qid, type=question["type"], prompt=prompt_text, choices=question["choices"],
        topic=topic, tags=tags, scenario=scenario,
        explanation=question["explanation"] or None, scoring=question.get("scoring"),
        text_format=fmt), where, label, given_choice_ids=given)



def _scenario(text: str, count: str, where: str, label: str,
              result: ImportResult) -> tuple[Optional[str], str]:
    """Split the scenario off the question text: ``[scenario:N]`` says it is the first N
    paragraphs (separated by a blank line, ``\\n\\n`` in GIFT)."""
    paragraphs = text.split("\n\n")
    number = int(count) if count.isdigit() else 0
    if not 0 < number < len(paragraphs):
        result.problems.append(problem(
            where, N_("The comment [scenario:{count}] does not fit the question text, which "
                      "has {paragraphs} paragraph(s); the whole text is the question."),
            label, kind=NOTE, count=count[:20], paragraphs=len(paragraphs)))
        return None, text
    scenario = "\n\n".join(paragraphs[:number])
    if scenario.startswith(SCENARIO_OPEN) and scenario.endswith(SCENARIO_CLOSE):
        scenario = scenario[len(SCENARIO_OPEN):-len(SCENARIO_CLOSE)]
    return scenario or None, "\n\n".join(paragraphs[number:])


def _truefalse(answers: str, head: str, name: str, fmt: str, prompt: str,
               explanation: str, meta: dict) -> dict:
    parts = answers.split("#")
    wrong_fb = _restore(_format_of(parts[1].strip(), fmt)[1]) if len(parts) > 1 else ""
    right_fb = _restore(_format_of(parts[2].strip(), fmt)[1]) if len(parts) > 2 else ""
    truth = _TF[head]
    choices = (  # the words from "// [true:Sandt] [false:Falsk]", else True and False
        Choice(TRUE_ID, meta.get("true") or "True", truth,
               (right_fb if truth else wrong_fb) or None),
        Choice(FALSE_ID, meta.get("false") or "False", not truth,
               (wrong_fb if truth else right_fb) or None),
    )
    return {"type": TRUEFALSE, "choices": choices, "prompt": prompt,
            "explanation": explanation, "format": fmt}


def _split_answers(answers: str) -> list[tuple[str, str, Optional[str]]]:
    """[(marker, text, id from a [choice:] comment)], marker ``=`` or ``~``.

    As in Moodle, text before the first ``~`` or ``=`` is a choice too (marked ``~``).  A
    ``[choice:id]`` comment names the first choice that starts after it."""
    starts = [(m.start(), m.group()) for m in re.finditer(r"[=~]", answers)]
    first = starts[0][0] if starts else len(answers)
    blanked = _MARKER.sub(lambda m: " " * len(m.group()), answers[:first])
    if blanked.strip():
        starts.insert(0, (len(blanked) - len(blanked.lstrip()), "~"))
    items = []
    for n, (at, marker) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(answers)
        text_from = at + 1 if answers[at] in "=~" else at
        items.append([marker, _unmark(answers[text_from:end]), None])
    for mark in _MARKER.finditer(answers):
        for (at, _), item in zip(starts, items, strict=True):
            if at > mark.start():  # two comments for one choice: the later one counts
                item[2] = mark.group(1)
                break
    return [(marker, text, cid) for marker, text, cid in items]


def _weight(body: str) -> tuple[Optional[Fraction], str, Optional[str]]:
    """(weight, the rest, the weight as written when it is no number) of a ``~`` choice."""
    match = _WEIGHT.match(body)
    if not match:
        return None, body, None
    minus, whole, decimals = match.groups()
    if len(minus) > 1:
        return None, body[match.end():], match.group()
    value = Fraction(whole + (f".{decimals}" if decimals else "")) / 100
    return (-value if minus else value), body[match.end():], None


def _multichoice(answers: str, multiple: bool, label: str, where: str, result: ImportResult,
                 question_format: str) -> Optional[dict]:
    choices = []
    weights: list[Fraction] = []
    any_html = question_format == HTML
    parsed = []
    pairs = _split_answers(answers)
    if too_many_choices(len(pairs), where, label, result):
        return None
    for marker, body, _cid in pairs:
        body = body.strip()
        weight: Optional[Fraction] = Fraction(1) if marker == "=" else None
        if marker == "~":  # Moodle reads a weight after "~" only ("=%30% ..." is text)
            weight, body, bad = _weight(body)
            if bad:
                result.problems.append(problem(
                    where, N_("The weight \"{weight}\" of a choice is not a number; not "
                              "imported."), label, weight=bad[:20]))
                return None
        text, _, feedback = body.partition("#")
        # As in Moodle, a choice without its own [format] has the question's format.
        fmt, text = _format_of(text.strip(), question_format)
        ffmt, feedback = _format_of(feedback.strip(), question_format)
        any_html = any_html or HTML in (fmt, ffmt)
        parsed.append((marker, weight, _restore(text), _restore(feedback), fmt, ffmt))
    ids, given, refused = choice_ids([cid for _, _, cid in pairs])
    if refused:
        result.problems.append(problem(
            where, N_("A [choice:] comment gives an id that is not valid or that another "
                      "choice has ({ids}); that choice gets a new id."), label, kind=NOTE,
            ids=", ".join(refused)[:200]))
    for cid, (marker, weight, text, feedback, fmt, ffmt) in zip(ids, parsed, strict=True):
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
        choices.append(Choice(cid, text, correct, feedback or None))
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
    if multiple:
        share = Fraction(1, correct_count)
        exact = all(abs(w - (share if c.correct else -share)) < Fraction(1, 1000)
                    for w, c in zip(weights, choices, strict=True))
        if not exact:
            result.problems.append(problem(
                where, N_("The choice weights were replaced by the per-choice partial-credit "
                          "rule."), label, kind=NOTE))
    return {"type": MULTIPLE if multiple else SINGLE, "choices": tuple(choices),
            "format": HTML if any_html else PLAIN, "given": given}
