"""Bring imported questions into a bank without changing what its ids refer to.

A category made up from a name that stands for one of the bank's topics goes into that topic.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Optional

from competency_xblock.quiz_engine.importers.common import (
    plain_text,
)
from competency_xblock.quiz_engine.model import HTML, Topic
from competency_xblock.text import LocalizedText


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

