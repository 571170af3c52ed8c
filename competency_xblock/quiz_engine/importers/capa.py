"""Import Open edX CAPA OLX problems (``multiplechoiceresponse``, ``choiceresponse``).

One ``<problem>`` becomes one question: ``<label>`` (+ ``<description>``) is the prompt, other
content before the choices is the scenario, ``<solution>`` the explanation, ``<choicehint>``
the per-choice feedback (for checkboxes: the ``selected="true"`` hint).  Problems with another
response type (dropdown, text, numerical, custom, ...) or several responses are reported per
problem with the element's line.  All texts are HTML.
"""
from __future__ import annotations

import copy
import os
from collections.abc import Iterable
from html import escape
from pathlib import Path
from typing import Optional

from lxml import etree

from competency_xblock.quiz_engine.importers.common import (
    _VALID_ID,
    NOTE,
    IdAllocator,
    ImportResult,
    add_question,
    inner_html,
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
    PER_CHOICE,
    SINGLE,
    TRUE_ID,
    TRUEFALSE,
    Choice,
    Question,
)
from competency_xblock.text import N_, UserFacingError

SUPPORTED = {"multiplechoiceresponse": SINGLE, "choiceresponse": MULTIPLE}
_STRUCTURE = {"label", "description", "choicegroup", "checkboxgroup", "solution", "demandhint",
              "stringresponse", "multiplechoiceresponse", "choiceresponse", "optionresponse",
              "numericalresponse", "formularesponse", "customresponse", "schematicresponse",
              "imageresponse", "symbolicresponse", "coderesponse", "jsmeresponse",
              "annotationresponse", "choicetextresponse", "javascriptresponse",
              "externalresponse", "truefalseresponse", "script", "targetedfeedbackset",
              "solutionset", "hintgroup", "additional_answer", "stringequalhint",
              "correcthint", "compoundhint"}


def _response_elements(root: etree._Element) -> list[etree._Element]:
    return [el for el in root.iter()
            if isinstance(el.tag, str) and el.tag.endswith("response")]


def _strip_explanation_heading(html: str) -> str:
    """edX solutions start with a boilerplate ``<p>Explanation</p>``; drop it."""
    for heading in ("<p>Explanation</p>", "<p>Explanation:</p>"):
        if html.startswith(heading):
            return html[len(heading):].strip()
    return html


def _solution_html(solution: etree._Element) -> str:
    inner = solution.find("div")
    if inner is not None and "detailed-solution" in (inner.get("class") or ""):
        return _strip_explanation_heading(inner_html(inner))
    return _strip_explanation_heading(inner_html(solution))


def _scenario(problem_el: etree._Element, response: etree._Element) -> str:
    """Content around the question that is not part of its structure (text, images, tables).

    Works on a copy of the problem in which the response is replaced by its own free content,
    so a response nested in a ``<div>`` never brings its choices (or hints, solutions and
    targeted feedback, which say what is right) into the scenario shown before answering.
    """
    doc = copy.deepcopy(problem_el)
    path = problem_el.getroottree().getpath(response)
    found = doc.getroottree().xpath(path)
    target = found[0] if found else None
    if target is not None and target is not doc:
        parent = target.getparent()
        index = parent.index(target)
        free = [child for child in target
                if not (isinstance(child.tag, str) and child.tag in _STRUCTURE)]
        lead = (target.text or "").strip()
        if lead:  # loose text inside the response: keep it as a paragraph
            para = etree.Element("p")
            para.text = lead
            free.insert(0, para)
        if free:
            free[-1].tail = (free[-1].tail or "") + (target.tail or "")
        if not free:
            _drop(target)
        else:
            parent.remove(target)
            for offset, child in enumerate(free):
                parent.insert(index + offset, child)
    for el in list(doc.iter()):
        if el is not doc and isinstance(el.tag, str) and el.tag in _STRUCTURE:
            _drop(el)
    parts = []
    if (doc.text or "").strip():
        parts.append(escape(doc.text.strip(), quote=False))
    for child in doc:
        child.tail = (child.tail or "").strip() or None
        parts.append(etree.tostring(child, encoding="unicode", with_tail=True))
    return "\n".join(p for p in parts if p.strip())


def _drop(el: etree._Element) -> None:
    """Remove ``el`` but keep the text after it."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    previous = el.getprevious()
    parent.remove(el)
    if tail and tail.strip():
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


def _targeted_feedback(response: etree._Element) -> dict[str, str]:
    """``{explanation-id: html}`` of ``<targetedfeedbackset>`` (single choice feedback)."""
    out = {}
    for item in response.iter("targetedfeedback"):
        key = item.get("explanation-id")
        if not key:
            continue
        inner = item.find("div")
        html = inner_html(inner) if inner is not None and "targeted-feedback" in (
            inner.get("class") or "") else inner_html(item)
        out[key] = html
    return out


def parse_capa(data: bytes | str, source: str = "", ids: Optional[IdAllocator] = None,
               result: Optional[ImportResult] = None) -> ImportResult:
    """Parse one ``<problem>`` document (raises :class:`UserFacingError` when malformed)."""
    result = result if result is not None else ImportResult()
    ids = ids or IdAllocator()
    try:
        root = parse_xml(data)
    except UserFacingError as exc:
        if source:
            exc.path = f"{source}, {exc.path}" if exc.path else source
        raise
    prefix = f"{source}, " if source else ""
    if root.tag != "problem":
        raise UserFacingError(N_("A CAPA problem must start with <problem>, not <{tag}>."),
                              path=prefix + where(root), tag=str(root.tag)[:40])
    name = root.get("display_name") or Path(source).stem or ""
    responses = _response_elements(root)
    pos = prefix + where(root, "display_name")
    if not responses:
        result.problems.append(problem(pos, N_("The problem has no response; not imported."),
                                       name))
        return result
    if len(responses) > 1:
        result.problems.append(problem(
            pos, N_("The problem has {count} inputs; the quiz imports problems with exactly one "
                    "multiple-choice or checkbox input. Not imported."), name,
            count=len(responses)))
        return result
    response = responses[0]
    kind = SUPPORTED.get(response.tag)
    if kind is None:
        result.problems.append(problem(
            prefix + where(response),
            N_("The question type \"{qtype}\" is not supported by the quiz; not imported."),
            name, qtype=response.tag))
        return result
    question = _question(root, response, kind, name, prefix, ids, result, source)
    if question is not None:
        add_question(result, question, pos, name)
    return result


def _question(root, response, kind, name, prefix, ids, result, source) -> Optional[Question]:
    group_tag = "choicegroup" if kind == SINGLE else "checkboxgroup"
    group = response.find(group_tag)
    pos = prefix + where(response)
    if group is None:
        result.problems.append(problem(pos, N_("The <{tag}> with the choices is missing; "
                                               "not imported."), name, tag=group_tag))
        return None
    label = response.find("label") if response.find("label") is not None else root.find("label")
    prompt = inner_html(label) if label is not None else ""
    description = response.find("description")
    if description is not None and inner_html(description):
        prompt = f"{prompt}<br/>{inner_html(description)}" if prompt else inner_html(description)
    scenario = _scenario(root, response)
    if not prompt:  # old-style problems: the last paragraph is the question
        prompt, scenario = scenario, ""
    if not prompt:
        result.problems.append(problem(pos, N_("The problem has no question text; "
                                               "not imported."), name))
        return None
    choices = []
    used = set()
    targeted = _targeted_feedback(response)
    if too_many_choices(len(group.findall("choice")), pos, name, result):
        return None
    for n, choice in enumerate(group.findall("choice"), start=1):
        correct_attr = (choice.get("correct") or "false").strip().lower()
        if correct_attr == "partial":
            result.problems.append(problem(
                prefix + where(choice), N_("Partial credit for a choice is not supported; the "
                                           "choice counts as wrong."), name, kind=NOTE))
        feedback = None
        for hint in choice.findall("choicehint"):
            selected = (hint.get("selected") or "true").strip().lower()
            if kind == SINGLE or selected == "true":
                feedback = inner_html(hint) or None
            else:
                result.problems.append(problem(
                    prefix + where(hint), N_("Feedback shown when a checkbox is left unticked "
                                             "is not supported; left out."), name, kind=NOTE))
        if feedback is None and choice.get("explanation-id") in targeted:
            feedback = targeted[choice.get("explanation-id")] or None
        cid = choice.get("name") or f"c{n}"
        if cid in used or not _VALID_ID.fullmatch(cid):
            cid = f"c{n}"
        used.add(cid)
        choices.append(Choice(cid, inner_html(choice, skip=("choicehint",)),
                              correct_attr == "true", feedback))
    if response.find("compoundhint") is not None or group.find("compoundhint") is not None:
        result.problems.append(problem(pos, N_("Compound hints are not supported; left out."),
                                       name, kind=NOTE))
    if root.find("demandhint") is not None:
        result.problems.append(problem(
            prefix + where(root.find("demandhint")),
            N_("Hints on demand are not supported; left out."), name, kind=NOTE))
    if root.find(".//hintgroup") is not None:
        result.problems.append(problem(pos, N_("Hints are not used by the quiz."), name,
                                       kind=NOTE))
    if root.find(".//script") is not None:
        result.problems.append(problem(
            prefix + where(root.find(".//script")),
            N_("The problem has a script; variables in its texts (such as $name) are shown "
               "as written."), name, kind=NOTE))
    if any((c.get("fixed") or "").strip().lower() == "true" for c in group.findall("choice")):
        result.problems.append(problem(
            pos, N_("A choice fixed in place (such as \"None of the above\") is shuffled with "
                    "the others unless the quiz's choice shuffling is turned off."), name,
            kind=NOTE))
    if "/static/" in scenario + prompt:
        result.problems.append(problem(
            pos, N_("The question refers to course files (/static/...); upload them to the "
                    "course where the quiz is used."), name, kind=NOTE))
    count = sum(1 for c in choices if c.correct)
    if len(choices) < 2:
        result.problems.append(problem(pos, N_("A question needs at least two choices; "
                                               "not imported."), name))
        return None
    if count == 0:
        result.problems.append(problem(pos, N_("No choice is marked correct; not imported."),
                                       name))
        return None
    if kind == SINGLE and count > 1:
        result.problems.append(problem(
            pos, N_("Several choices are correct in a single-choice question; not imported."),
            name))
        return None
    qtype, scoring = kind, None
    if kind == SINGLE and _truefalse_key(choices) is not None:
        qtype = TRUEFALSE
        ordered = sorted(choices, key=lambda c: _truefalse_key(choices)[c.id] != TRUE_ID)
        choices = [Choice(TRUE_ID if i == 0 else FALSE_ID, c.text, c.correct, c.feedback)
                   for i, c in enumerate(ordered)]
    if kind == MULTIPLE:
        partial = (response.get("partial_credit") or "").strip()
        scoring = PER_CHOICE if partial else ALL_OR_NOTHING
        if partial:
            result.problems.append(problem(
                pos, N_("The partial-credit rule \"{rule}\" was replaced by the per-choice "
                        "rule."), name, kind=NOTE, rule=partial[:40]))
    solution = next((found for found in (response.find("solution"), root.find("solution"),
                                         root.find(".//solutionset/solution"))
                     if found is not None), None)
    explanation = _solution_html(solution) if solution is not None else None
    stem = Path(source).stem if source else ""
    return Question(id=ids.allocate(root.get("url_name") or stem or name), type=qtype,
                    prompt=prompt, choices=tuple(choices), scenario=scenario or None,
                    explanation=explanation or None, scoring=scoring, text_format=HTML)


_TRUE_WORDS = {"true": TRUE_ID, "sandt": TRUE_ID, "false": FALSE_ID, "falsk": FALSE_ID}


def _truefalse_key(choices: list[Choice]) -> Optional[dict[str, str]]:
    """{choice id: "true"/"false"} when the two choices are True/False (by name or text)."""
    if len(choices) != 2:
        return None
    by_name = {c.id: c.id for c in choices}
    if set(by_name.values()) == {TRUE_ID, FALSE_ID}:
        return by_name
    by_text = {c.id: _TRUE_WORDS.get(plain_text(c.text).lower(), "") for c in choices}
    return by_text if set(by_text.values()) == {TRUE_ID, FALSE_ID} else None


def parse_capa_files(paths: Iterable[str | os.PathLike]) -> ImportResult:
    """Import several problem files (e.g. a course export's ``problem/*.xml``)."""
    result = ImportResult()
    ids = IdAllocator()
    for path in sorted(Path(p) for p in paths):
        parse_capa(path.read_bytes(), source=path.name, ids=ids, result=result)
    return result


def parse_capa_dir(directory: str | os.PathLike) -> ImportResult:
    """Import every ``*.xml`` problem in ``directory`` (or its ``problem/`` sub-folder)."""
    base = Path(directory)
    if (base / "problem").is_dir():
        base = base / "problem"
    return parse_capa_files(base.glob("*.xml"))
