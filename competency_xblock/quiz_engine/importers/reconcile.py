"""Bring imported questions into a bank without changing what learners' results refer to.

A learner's stored attempt names questions and choices by id.  An import that gives a question
the id of a question already in the bank (a GIFT, OLX or Moodle round trip, an edited export)
is matched against it here: a choice whose text is the same (whitespace and markup aside, in
any of the bank's languages) keeps the bank's choice id, so stored answers keep pointing at it;
a choice the source names by id (a ``// [choice:a]`` comment, a CAPA ``<choice name>``) keeps
that id when its text changed.  Any other choice gets an id the question never had, so an old
answer can never come to mean a different choice.  Everything that changes what a learner
picked or how it is marked is reported for the question, with its line or element.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from html import escape
from typing import Optional

from competency_xblock.quiz_engine.importers.common import (
    NOTE,
    ImportProblem,
    plain_text,
)
from competency_xblock.quiz_engine.model import (
    HTML,
    MULTIPLE,
    PER_CHOICE,
    TRUEFALSE,
    Question,
    Topic,
)
from competency_xblock.text import N_, LocalizedText


def _variants(text: Optional[LocalizedText]) -> list[str]:
    if not text:
        return []
    return [text] if isinstance(text, str) else [v for v in text.values() if v]


def _norm(text: str, fmt: str) -> str:
    return plain_text(text) if fmt == HTML else re.sub(r"\s+", " ", text).strip()


def same_text(a: Optional[LocalizedText], a_format: str, b: Optional[LocalizedText],
              b_format: str) -> bool:
    """Do two texts read the same (whitespace and markup aside) in some language?"""
    left = {_norm(v, a_format) for v in _variants(a)}
    return any(_norm(v, b_format) in left for v in _variants(b))


def _short(text: Optional[LocalizedText], fmt: str, limit: int = 60) -> str:
    variants = _variants(text)
    value = _norm(variants[0], fmt) if variants else ""
    return value if len(value) <= limit else value[:limit - 1] + "…"


def _keep_languages(old: Optional[LocalizedText], old_format: str,
                    new: Optional[LocalizedText], new_format: str
                    ) -> tuple[Optional[LocalizedText], bool]:
    """The bank's translated text when the import gives one of its versions unchanged (an
    export is in one language; a plain text that an HTML format such as CAPA gives with its
    "<" and "&" written as entities counts as unchanged); else the imported text, and
    whether translations were lost with it."""
    if isinstance(old, dict) and isinstance(new, str):
        if old_format == new_format and new.strip() in {v.strip() for v in old.values()}:
            return old, False
        if old_format != HTML and new_format == HTML and new.strip() in {
                escape(v.strip(), quote=False) for v in old.values()}:
            return {lang: escape(v, quote=False) for lang, v in old.items()}, False
        return new, len(old) > 1
    return new, False


def match_question(old: Question, new: Question, given: Iterable[str], position: str,
                   rules: tuple[str, str] = (PER_CHOICE, PER_CHOICE)
                   ) -> tuple[Question, list[ImportProblem]]:
    """``new`` with the choice ids of ``old`` wherever they are the same choice, and notes on
    what learners' results of ``old`` will meet (see the module docstring).  ``rules``: the
    default partial-credit rule of the bank before and after."""
    given = frozenset(given)
    notes: list[ImportProblem] = []

    def note(message: str, **params) -> None:
        notes.append(ImportProblem(position, message, params, new.id, NOTE))

    old_format, new_format = old.text_format, new.text_format
    assigned: dict[int, str] = {}  # position in new.choices -> id of the old choice
    if new.type == TRUEFALSE:  # the ids say what the choices mean
        assigned = {i: c.id for i, c in enumerate(new.choices) if old.choice(c.id)}
    else:
        free = list(old.choices)
        for i, choice in enumerate(new.choices):  # the same text: the same choice
            hit = next((o for o in free if same_text(o.text, old_format, choice.text,
                                                     new_format)), None)
            if hit is not None:
                assigned[i] = hit.id
                free.remove(hit)
        for i, choice in enumerate(new.choices):  # named by the source: an edited text
            hit = next((o for o in free if o.id == choice.id), None)
            if i not in assigned and choice.id in given and hit is not None:
                assigned[i] = hit.id
                free.remove(hit)
    old_ids = {c.id for c in old.choices}
    wanted = [assigned.get(i) for i in range(len(new.choices))]
    # Unmatched choices keep the source's id unless the old question used it (an old answer
    # must not come to mean another choice); else the next free c<n>.
    taken = old_ids | {cid for cid in wanted if cid}
    for i, choice in enumerate(new.choices):
        if wanted[i] is None:
            wanted[i] = choice.id if choice.id not in taken else _fresh(taken, i)
            taken.add(wanted[i])
    ids = [cid for cid in wanted if cid]

    lost = False
    choices = []
    for cid, choice in zip(ids, new.choices, strict=True):
        before = old.choice(cid)
        if before is None:
            note(N_("The choice \"{choice}\" is new; learners who answered before did not "
                    "see it."), choice=_short(choice.text, new_format))
            choices.append(replace(choice, id=cid))
            continue
        text, dropped = _keep_languages(before.text, old_format, choice.text, new_format)
        feedback, dropped_fb = _keep_languages(before.feedback, old_format, choice.feedback,
                                               new_format)
        lost = lost or dropped or dropped_fb
        if new.type != TRUEFALSE and not same_text(before.text, old_format, choice.text,
                                                   new_format):
            note(N_("The text of choice \"{id}\" changed from \"{before}\" to \"{after}\"; "
                    "results in which learners picked it show the new text."), id=cid,
                 before=_short(before.text, old_format), after=_short(choice.text, new_format))
        choices.append(replace(choice, id=cid, text=text, feedback=feedback))
    kept = {c.id for c in choices}
    for gone in old.choices:
        if gone.id not in kept:
            note(N_("The choice \"{choice}\" of the question in the bank is not in the import "
                    "(no choice has the same text) and is removed. Results in which learners "
                    "picked it keep the marks they had for this question, also when the quiz "
                    "is rescored."), choice=_short(gone.text, old_format))
    merged = replace(new, choices=tuple(choices))
    texts = {}
    for key in ("prompt", "scenario", "explanation"):
        texts[key], dropped = _keep_languages(getattr(old, key), old_format, getattr(new, key),
                                              new_format)
        lost = lost or dropped
    merged = replace(merged, **texts)
    if lost:
        note(N_("Some texts of this question changed and the import gives them in one "
                "language: they replace the bank's translations and are shown in every "
                "language."))
    if old.type != new.type:
        note(N_("The question type changed from {before} to {after}. Learners who answered "
                "the question keep their marks until the course team rescores the quiz, which "
                "marks their answers again."), before=old.type, after=new.type)
    elif new.type == MULTIPLE and (old.scoring or rules[0]) != (new.scoring or rules[1]):
        note(N_("The partial-credit rule changed from {before} to {after}. Learners who "
                "answered the question keep their marks until the course team rescores the "
                "quiz, which marks their answers again."),
             before=old.scoring or rules[0], after=new.scoring or rules[1])
    right_before = {c.id for c in old.choices if c.correct}
    right_after = {c.id for c in choices if c.correct}
    if right_before != right_after:
        note(N_("The correct answers changed (now: {after}; before: {before}). Learners who "
                "answered the question keep their marks until the course team rescores the "
                "quiz, which marks their answers with the new key."),
             after=_listed([c.text for c in choices if c.correct], new_format),
             before=_listed([c.text for c in old.choices if c.correct], old_format))
    return merged, notes


def _fresh(taken: set[str], index: int) -> str:
    n = index + 1
    while f"c{n}" in taken:
        n += 1
    taken.add(f"c{n}")
    return f"c{n}"


def _listed(texts: Iterable[LocalizedText], fmt: str) -> str:
    return "; ".join(f"\"{_short(t, fmt, 40)}\"" for t in texts) or "-"


def match_topic(tid: str, title: str, topics: Iterable[Topic]) -> Optional[Topic]:
    """The bank's topic a category made up from its name stands for: the same id but for
    case (``Phishing``, ``phishing``), or a title that is the name in one of its languages."""
    wanted = re.sub(r"\s+", " ", title).strip().casefold()
    for topic in topics:
        if topic.id.casefold() == tid.casefold():
            return topic
    for topic in topics:
        if wanted and wanted in {re.sub(r"\s+", " ", v).strip().casefold()
                                 for v in _variants(topic.title)}:
            return topic
    return None


def keep_title(previous: Topic, title: str) -> Topic:
    """The bank's topic as it was when the import names it by one of its titles."""
    if same_text(previous.title, "plain", title, "plain") or title == previous.id:
        return previous
    return Topic(previous.id, title)
