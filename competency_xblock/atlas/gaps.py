"""Candidate søgeord from real use: searches that found nothing, and wrong picks.

Why records per learner and aggregation on read: counters shared by all learners
(``Scope.user_state_summary``) are read-modify-write JSON blobs, so two learners saving at
the same moment lose one update.  Instead each learner's block keeps a small bounded log in
``Scope.user_state`` (one writer), and the staff view aggregates the logs when it is opened.
The same function also accepts any other source of records (an LMS report, a test).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .model import Atlas
from .text import fold, words

KIND_NO_HITS = "no_hits"
KIND_WRONG_PICK = "wrong_pick"
MAX_RECORDS = 50
MAX_TERM_CHARS = 100
_EDGE_RE = re.compile(r"^[\W_]+|[\W_]+$", re.UNICODE)


def normalise_term(query: str) -> str:
    """The form in which a query is proposed as søgeord: trimmed, collapsed, lower case."""
    text = " ".join((query or "").split())
    text = _EDGE_RE.sub("", text)
    return text.lower()[:MAX_TERM_CHARS]


def record(kind: str, query: str, scenario: str = "", expected: Iterable[str] = (),
           picked: str = "") -> dict[str, Any]:
    """One log entry (plain dict: it is stored in user_state as JSON)."""
    return {"kind": kind, "query": normalise_term(query), "scenario": scenario[:100],
            "expected": list(expected)[:20], "picked": picked[:100]}


def append(log: list[dict[str, Any]] | None, entry: dict[str, Any]) -> list[dict[str, Any]]:
    """A new log with ``entry`` added, keeping only the newest MAX_RECORDS entries."""
    out = list(log or [])
    if entry.get("query"):
        out.append(entry)
    return out[-MAX_RECORDS:]


@dataclass
class Candidate:
    """A search word people used that the atlas did not serve well."""

    term: str
    count: int = 0
    learners: int = 0
    no_hits: int = 0
    wrong_picks: int = 0
    targets: dict[str, int] = field(default_factory=dict)   # service/unit id → votes

    def suggested_target(self) -> str:
        if not self.targets:
            return ""
        return max(sorted(self.targets), key=lambda t: self.targets[t])

    def to_dict(self) -> dict[str, Any]:
        return {"term": self.term, "count": self.count, "learners": self.learners,
                "no_hits": self.no_hits, "wrong_picks": self.wrong_picks,
                "target": self.suggested_target()}


def candidates(logs: Iterable[tuple[str, Iterable[Mapping[str, Any]]]],
               atlas: Atlas | None = None, limit: int = 50) -> list[Candidate]:
    """Aggregate per-learner logs ``(learner key, entries)`` into candidate søgeord, most
    widespread first.  Terms that already are a søgeord or title of their suggested target
    are left out (someone has added them since)."""
    found: dict[str, Candidate] = {}
    seen_pairs: set[tuple[str, str]] = set()
    for learner, entries in logs:
        for entry in entries:
            if not isinstance(entry, Mapping):
                continue
            term = normalise_term(str(entry.get("query", "")))
            if not term or not words(term):
                continue
            candidate = found.setdefault(term, Candidate(term))
            candidate.count += 1
            if (learner, term) not in seen_pairs:
                seen_pairs.add((learner, term))
                candidate.learners += 1
            if entry.get("kind") == KIND_WRONG_PICK:
                candidate.wrong_picks += 1
            else:
                candidate.no_hits += 1
            for target in entry.get("expected") or ():
                if isinstance(target, str) and target:
                    candidate.targets[target] = candidate.targets.get(target, 0) + 1
    out = [c for c in found.values() if not _already_covered(c, atlas)]
    out.sort(key=lambda c: (-c.learners, -c.count, c.term))
    return out[:limit]


def _already_covered(candidate: Candidate, atlas: Atlas | None) -> bool:
    if atlas is None or not candidate.targets:
        return False
    target = atlas.service(candidate.suggested_target())
    if target is None:
        return False
    folded = " ".join(fold(w) for w in words(candidate.term))
    texts = [*target.keywords, target.title if isinstance(target.title, str) else
             " ".join(target.title.values())]
    return any(folded == " ".join(fold(w) for w in words(t)) for t in texts)
