"""Importers into a question bank: GIFT, Moodle XML and Open edX CAPA OLX.

Each parser returns an :class:`ImportResult` (``questions, problems = result``): questions that
could be imported and, per question, what was skipped or approximated, with its line or element.
Malformed files raise :class:`~competency_xblock.text.UserFacingError` with a line.
"""
from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Optional

from competency_xblock.quiz_engine.importers.capa import parse_capa, parse_capa_dir
from competency_xblock.quiz_engine.importers.common import (
    NOTE,
    SKIPPED,
    IdAllocator,
    ImportProblem,
    ImportResult,
    parse_xml,
)
from competency_xblock.quiz_engine.importers.gift import parse_gift
from competency_xblock.quiz_engine.importers.moodle_xml import parse_moodle_xml
from competency_xblock.quiz_engine.importers.reconcile import (
    keep_title,
    match_question,
    match_topic,
)
from competency_xblock.quiz_engine.model import (  # noqa: F401
    MULTIPLE,
    PER_CHOICE,
    Bank,
    Question,
    Topic,
)
from competency_xblock.text import N_, UserFacingError

FORMATS = ("gift", "moodle", "capa")

__all__ = ["FORMATS", "ImportProblem", "ImportResult", "NOTE", "SKIPPED", "detect_format",
           "import_data", "import_path", "merge_into_bank", "parse_capa", "parse_capa_dir",
           "parse_gift", "parse_moodle_xml"]


def detect_format(data: bytes | str, filename: str = "") -> str:
    """Guess the format from the name and the first element."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".gift":
        return "gift"
    head = data[:4096].decode("utf-8", "replace") if isinstance(data, bytes) else data[:4096]
    stripped = head.lstrip("\ufeff \t\r\n")
    if stripped.startswith("<"):
        # A GIFT question may start with HTML ("<p>Is ...? {T}"): unless the file opens like
        # XML, a text that is not a <quiz> or <problem> but has GIFT answers is GIFT.
        looks_xml = re.match(r"<(\?xml|!--|!doctype|quiz\b|problem\b)", stripped,
                             re.IGNORECASE) is not None
        try:
            root = parse_xml(data)
        except UserFacingError:
            if looks_xml or not _has_gift_answers(data):
                raise
            return "gift"
        if root.tag == "quiz":
            return "moodle"
        if root.tag == "problem":
            return "capa"
        if not looks_xml and _has_gift_answers(data):
            return "gift"
        raise UserFacingError(N_("Unknown XML format <{tag}>; expected Moodle XML <quiz> or a "
                                 "CAPA <problem>."), path="line 1", tag=str(root.tag)[:40])
    return "gift"


def _has_gift_answers(data: bytes | str) -> bool:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return re.search(r"\{[^{}]*\}", text) is not None


def import_data(data: bytes | str, fmt: Optional[str] = None, filename: str = "") -> ImportResult:
    """Parse ``data`` in ``fmt`` (``gift``, ``moodle``, ``capa``; None = detect)."""
    fmt = fmt or detect_format(data, filename)
    if fmt == "gift":
        return parse_gift(data)
    if fmt == "moodle":
        return parse_moodle_xml(data)
    if fmt == "capa":
        return parse_capa(data, source=filename)
    raise UserFacingError(N_("Unknown import format \"{fmt}\"; use one of {formats}."),
                          fmt=str(fmt)[:20], formats=", ".join(FORMATS))


def import_path(path: str | os.PathLike, fmt: Optional[str] = None) -> ImportResult:
    """Import a file, or a folder of CAPA problems (a course export or its ``problem/``)."""
    p = Path(path)
    if p.is_dir():
        if fmt not in (None, "capa"):
            raise UserFacingError(N_("Only CAPA problems can be imported from a folder."),
                                  path=str(p))
        return parse_capa_dir(p)
    return import_data(p.read_bytes(), fmt, filename=p.name)


def merge_into_bank(bank: Bank, result: ImportResult, topic: Optional[str] = None, *,
                    replace_bank: bool = False) -> tuple[Bank, list[ImportProblem]]:
    """Add imported questions to ``bank`` or, with ``replace_bank``, make them its questions.

    Adding never changes a question already in the bank: an imported id that clashes is
    renamed (and reported).  Replacing matches every imported question that has the id of a
    question in ``bank`` against it (:func:`reconcile.match_question`), so learners' stored
    answers keep pointing at the same choices, and reports what changes for them; the
    questions it drops are reported too.  In both modes a category whose topic id was made
    from its name and stands for a topic of ``bank`` (the id but for case, or one of its
    titles) goes into that topic (reported).  ``topic`` puts every imported question without
    a topic under that topic id.
    """
    notes: list[ImportProblem] = []
    previous = {t.id: t for t in bank.topics}
    topics = [] if replace_bank else list(bank.topics)
    known = {t.id for t in topics}
    renamed: dict[str, str] = {}
    for tid, title in result.topics:
        target = previous.get(tid)
        if target is None and tid not in result.given_topic_ids:
            target = match_topic(tid, title, bank.topics)
            if target is not None:
                renamed[tid] = target.id
                notes.append(ImportProblem(
                    result.topic_positions.get(tid, ""),
                    N_("The category \"{name}\" is the bank's topic \"{topic}\"; its "
                       "questions go into that topic."), {"name": title, "topic": target.id},
                    title, NOTE))
        if target is not None and target.id not in known:
            topics.append(keep_title(target, title) if tid == target.id else target)
            known.add(target.id)
        elif target is None and tid not in known:
            topics.append(Topic(tid, title))
            known.add(tid)
    if topic and topic not in known:
        topics.append(Topic(topic, topic))
        known.add(topic)
    kept = () if replace_bank else bank.questions
    ids = IdAllocator({q.id for q in kept})
    default_rule = PER_CHOICE if replace_bank else bank.scoring
    added: list[Question] = []
    for q in result.questions:
        position = result.positions.get(q.id, q.id)
        new_id = ids.allocate(q.id)
        if new_id != q.id:
            notes.append(ImportProblem(
                position, N_("The id \"{old}\" is already in the bank; the question is now "
                             "\"{new}\"."), {"old": q.id, "new": new_id}, q.id, NOTE))
        new = replace(q, id=new_id, topic=renamed.get(q.topic, q.topic) or topic or "")
        if new.type == MULTIPLE and new.scoring is None and default_rule != PER_CHOICE:
            new = replace(new, scoring=PER_CHOICE)  # imported weights are the per-choice rule
        old = bank.question(new_id) if replace_bank else None
        if old is not None:
            new, found = match_question(old, new, result.given_choice_ids.get(q.id, ()),
                                        position, (bank.scoring, default_rule))
            notes.extend(found)
        added.append(new)
    if replace_bank:
        staying = {q.id for q in added}
        gone = [q.id for q in bank.questions if q.id not in staying]
        if gone:
            notes.append(ImportProblem(
                "", N_("{count} question(s) of the bank are not in the import and are removed: "
                       "{ids}. Learners' results no longer show them, and a rescore counts "
                       "them as answered correctly."),
                {"count": len(gone), "ids": ", ".join(gone[:20]) + (" …" if len(gone) > 20
                                                                     else "")}, "", NOTE))
    if topics:
        # A bank that declares topics must declare every topic its questions use (the bank's
        # own questions too: a bank without a topic list may use topics it never declared).
        for q in kept + tuple(added):
            if q.topic and q.topic not in known:
                topics.append(Topic(q.topic, q.topic))
                known.add(q.topic)
    if replace_bank:
        return Bank(questions=tuple(added), topics=tuple(topics)), notes
    merged = Bank(questions=bank.questions + tuple(added), id=bank.id, title=bank.title,
                  topics=tuple(topics), scoring=bank.scoring, languages=bank.languages,
                  extra=dict(bank.extra))
    return merged, notes
