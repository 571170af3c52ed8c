"""Import Open edX CAPA OLX problems (``multiplechoiceresponse``, ``choiceresponse``).

Each input of a ``<problem>`` becomes one question: ``<label>`` (+ ``<description>``) is the
prompt - in problems without one, the last paragraph before the choices, else the choice
group's ``label`` attribute - other content is the scenario, ``<solution>`` the explanation,
``<choicehint>`` the per-choice feedback (for checkboxes: the ``selected="true"`` hint).
CAPA's ``<text>`` wrappers are unwrapped, as the LMS renders them.  Inputs of another type
(dropdown, text, numerical, custom, ...) and choices a ``<script>`` computes (``$ans1``) are
reported per input with the element's line.  All texts are HTML.
"""
from __future__ import annotations

import copy
import os
import re
from collections.abc import Iterable
from dataclasses import replace
from html import escape
from pathlib import Path
from typing import Optional

from lxml import etree

from competency_xblock.quiz_engine.importers.common import (
    NOTE,
    IdAllocator,
    ImportResult,
    add_question,
    choice_ids,
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


def _scenario(problem_el: etree._Element, response: etree._Element,
              leave_out: Iterable[etree._Element] = ()) -> str:
    """Content around the question that is not part of its structure (text, images, tables).

    Works on a copy of the problem in which the response is replaced by its own free content,
    so a response nested in a ``<div>`` never brings its choices (or hints, solutions and
    targeted feedback, which say what is right) into the scenario shown before answering.
    """
    doc = copy.deepcopy(problem_el)
    tree = problem_el.getroottree()
    # the paragraphs that became prompts: found by path before any is dropped
    dropped = [el for out in leave_out for el in doc.getroottree().xpath(tree.getpath(out))]
    found = doc.getroottree().xpath(tree.getpath(response))
    for el in dropped:
        _drop(el)
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
    # <text> is CAPA's wrapper for text to show (the LMS renders it as a <span>); the quiz's
    # HTML cleaner would remove it with everything inside
    etree.strip_tags(root, "text")
    responses = _response_elements(root)
    pos = prefix + where(root, "display_name")
    if not responses:
        result.problems.append(problem(pos, N_("The problem has no response; not imported."),
                                       name))
        return result
    several = len(responses) > 1
    # Problems without <label>: the question of each input is the paragraph before it; no
    # question's paragraph is part of another's scenario
    paragraphs = [None if _label_prompt(root, r, several) else
                  _question_paragraph(root, r, responses[i - 1] if i else None)
                  for i, r in enumerate(responses)]
    for number, response in enumerate(responses, start=1):
        label = f"{name} ({number})" if several else name
        kind = SUPPORTED.get(response.tag)
        if kind is None:
            result.problems.append(problem(
                prefix + where(response),
                N_("The question type \"{qtype}\" is not supported by the quiz; not imported."),
                label, qtype=response.tag))
        else:
            question = _question(root, response, kind, label, prefix, ids, result, source,
                                 number if several else None, paragraphs[number - 1],
                                 [p for p in paragraphs if p is not None])
            if question is not None:
                add_question(result, question, prefix + where(response) if several else pos,
                             label)
    return result


def _label_prompt(root, response, several: bool) -> str:
    """The prompt ``<label>`` and ``<description>`` give (HTML), "" without them.  A problem
    with one input may put its ``<label>`` outside the response."""
    label = response.find("label")
    if label is None and not several:
        label = root.find("label")
    prompt = inner_html(label) if label is not None else ""
    description = response.find("description")
    if description is not None and inner_html(description):
        prompt = f"{prompt}<br/>{inner_html(description)}" if prompt else inner_html(description)
    return prompt


def _question(root, response, kind, name, prefix, ids, result, source,
              number: Optional[int] = None, paragraph=None,
              prompts=()) -> Optional[Question]:
    group_tag = "choicegroup" if kind == SINGLE else "checkboxgroup"
    group = response.find(group_tag)
    if group is None and kind == MULTIPLE and response.find("radiogroup") is not None:
        group, kind = response.find("radiogroup"), SINGLE   # <choiceresponse> as radios
    pos = prefix + where(response)
    if group is None:
        result.problems.append(problem(pos, N_("The <{tag}> with the choices is missing; "
                                               "not imported."), name, tag=group_tag))
        return None
    prompt = _label_prompt(root, response, several=number is not None)
    if not prompt and paragraph is not None:   # old style: the last paragraph before it
        prompt = inner_html(paragraph)
    elif not prompt and (group.get("label") or "").strip():
        prompt = escape(group.get("label").strip(), quote=False)
    scenario = _scenario(root, response, leave_out=prompts)
    if not prompt:  # no paragraph either: all the text is the question
        prompt, scenario = scenario, ""
    if not prompt:
        result.problems.append(problem(pos, N_("The problem has no question text; "
                                               "not imported."), name))
        return None
    choices = []
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
        choices.append(Choice(f"c{n}", inner_html(choice, skip=("choicehint",)),
                              correct_attr == "true", feedback))
    # A choice's name (our OLX export writes the choice id there) is its id.
    names, given, _ = choice_ids([choice.get("name") for choice in group.findall("choice")])
    choices = [replace(c, id=cid) for c, cid in zip(choices, names, strict=True)]
    computed = _script_variables(root, [c.text for c in choices])
    if computed:
        result.problems.append(problem(
            pos, N_("The choices are computed by the problem's script ({names}), which the quiz "
                    "cannot run; not imported."), name,
            names=", ".join(f"${n}" for n in computed[:5])))
        return None
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
    base = root.get("url_name") or stem or root.get("display_name") or "q"
    qid = ids.allocate(f"{base}-{number}" if number else base)
    if qtype != TRUEFALSE and given:
        result.given_choice_ids[qid] = given
    return Question(id=qid, type=qtype, prompt=prompt, choices=tuple(choices),
                    scenario=scenario or None, explanation=explanation or None,
                    scoring=scoring, text_format=HTML)


_VARIABLE_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def _script_variables(root: etree._Element, texts: list[str]) -> list[str]:
    """``$name`` variables in ``texts`` that the problem's ``<script>`` defines."""
    scripts = " ".join(s.text or "" for s in root.iter("script"))
    if not scripts.strip():
        return []
    found = dict.fromkeys(m.group(1) for t in texts for m in _VARIABLE_RE.finditer(t))
    return [n for n in found if re.search(rf"\b{re.escape(n)}\b", scripts)]


def _question_paragraph(root: etree._Element, response: etree._Element,
                        previous: Optional[etree._Element]) -> Optional[etree._Element]:
    """The last paragraph with text before ``response`` (and after the ``previous``
    response): where problems without ``<label>`` put the question."""
    order = {el: i for i, el in enumerate(root.iter())}
    start = order[previous] if previous is not None else -1
    if previous is not None:
        start = max([start] + [order[d] for d in previous.iterdescendants()])
    holders = set(response.iterancestors())    # a <p> around the choices is no question
    best = None
    for el in root.iter("p"):
        position = order[el]
        if position >= order[response]:
            break
        if position <= start or el in holders:
            continue
        if any(isinstance(a.tag, str) and a.tag in _STRUCTURE for a in el.iterancestors()):
            continue
        if plain_text(inner_html(el)).strip():
            best = el
    return best


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
