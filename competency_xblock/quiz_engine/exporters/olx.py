"""Export bank questions as Open edX CAPA problems (one ``<problem>`` per question).

Single choice and true/false become ``multiplechoiceresponse``, multiple response
``choiceresponse`` (per-choice rule → ``partial_credit="EDC"``, the nearest CAPA rule; the
default all-or-nothing needs no attribute).  Per-choice feedback becomes ``<choicehint>``
(``selected="true"`` for checkboxes), the explanation ``<solution>``, the scenario content
before the ``<label>``.  HTML texts are parsed into elements; plain texts are escaped.
"""
from __future__ import annotations

from typing import Optional

from lxml import etree
from lxml import html as lxml_html

from competency_xblock.quiz_engine.importers.common import plain_text
from competency_xblock.quiz_engine.model import HTML, MULTIPLE, PER_CHOICE, Bank, Question
from competency_xblock.text import pick_language


def _fill(parent: etree._Element, text: str, fmt: str) -> None:
    """Put ``text`` into ``parent``: as elements when HTML, else as escaped text."""
    if fmt != HTML:
        parent.text = (parent.text or "") + text
        return
    for node in lxml_html.fragments_fromstring(text) if text.strip() else []:
        if isinstance(node, str):
            if len(parent):
                parent[-1].tail = (parent[-1].tail or "") + node
            else:
                parent.text = (parent.text or "") + node
        else:
            parent.append(node)


def question_to_capa(q: Question, lang: Optional[str], rule: str) -> etree._Element:
    def t(text) -> str:
        return pick_language(text, lang) if text else ""

    problem = etree.Element("problem", display_name=plain_text(t(q.prompt))[:80] or q.id,
                            url_name=q.id)
    multiple = q.type == MULTIPLE
    response = etree.SubElement(problem, "choiceresponse" if multiple
                                else "multiplechoiceresponse")
    if multiple and rule == PER_CHOICE:
        response.set("partial_credit", "EDC")
    if q.scenario:
        scenario = etree.SubElement(response, "div", {"class": "scenario"})
        _fill(scenario, t(q.scenario), q.text_format)
    label = etree.SubElement(response, "label")
    _fill(label, t(q.prompt), q.text_format)
    group = etree.SubElement(response, "checkboxgroup" if multiple else "choicegroup")
    if not multiple:
        group.set("type", "MultipleChoice")
    for c in q.choices:
        choice = etree.SubElement(group, "choice", correct="true" if c.correct else "false",
                                  name=c.id)
        _fill(choice, t(c.text), q.text_format)
        if c.feedback:
            hint = etree.SubElement(choice, "choicehint")
            if multiple:
                hint.set("selected", "true")
            _fill(hint, t(c.feedback), q.text_format)
    if q.explanation:
        solution = etree.SubElement(response, "solution")
        div = etree.SubElement(solution, "div", {"class": "detailed-solution"})
        etree.SubElement(div, "p").text = "Explanation"
        body = etree.SubElement(div, "div")
        _fill(body, t(q.explanation), q.text_format)
    return problem


def export_olx(bank: Bank, lang: Optional[str] = None) -> dict[str, str]:
    """``{"problem/<id>.xml": xml text}`` for every question, ready to drop into a course."""
    out = {}
    for q in bank.questions:
        el = question_to_capa(q, lang, bank.rule_for(q))
        out[f"problem/{q.id}.xml"] = etree.tostring(el, encoding="unicode", pretty_print=True)
    return out
