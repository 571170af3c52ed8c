"""Candidate søgeord from real use: searches that found nothing, and wrong picks.

Each learner's block keeps a small bounded log in ``Scope.user_state`` (``gap_log``, one
writer): the source of truth, and what the LMS report reads.  :func:`candidates` aggregates
any such logs (from user state, an LMS report, a test).

What the block's staff list reads is a *tally* in ``Scope.user_state_summary``: per
normalised term the number of entries, of learners, of no-hit searches and of wrong picks, and
the votes for each expected target.  A learner's contribution (:func:`contribution`) is
derived from the newest :data:`CONTRIBUTION_ENTRIES` entries of their own log, so every
change of the log subtracts the old contribution and adds the new one (:func:`update_tally`):
a term leaves the tally when no learner has it in their current window any more.

Why a tally: the earlier per-learner copy (the *legacy* shape: hashed learner id -> newest
20 entries, at most 2,000 learners) grew with the course and was rewritten whole on every
logged search.  The tally's size depends only on its bounds, never on the number of learners:
at most :data:`MAX_TERMS` terms (each at most :data:`MAX_TERM_CHARS` characters) with at most
:data:`MAX_TARGETS_PER_TERM` targets each (ids of at most :data:`MAX_TARGET_CHARS`
characters): about 2.5 MB of JSON in the very worst case (3 MB if every term is non-ASCII),
some 300 KB for 600 terms with real ids.  When a new term would exceed the bound, the terms
with the fewest learners, then the fewest entries, the least recently changed first, are
dropped - never a term the learner's own update just counted, so a new term always gets in
(a full tally does not freeze; a dropped term comes back when learners search for it
again); a term's targets likewise, the fewest votes first.  The tally holds no learner id.
The legacy shape is read as it is and converted on the first write.

Counts never go below zero.  Where the tally and the logs disagree (a shared write lost after
the learner's own state was saved, a term dropped for room and counted again later, a
learner missing from the legacy copy), subtracting a learner's old contribution can at worst
take counts from other learners of that term, never make one negative.
"""
from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from competency_xblock.reports.privacy import stored_count

from .model import Atlas
from .redact import redact
from .text import fold, words

KIND_NO_HITS = "no_hits"
KIND_WRONG_PICK = "wrong_pick"
MAX_RECORDS = 50
MAX_TERM_CHARS = 100
#: The newest entries of a learner's log that count in the staff list (as in the legacy copy).
CONTRIBUTION_ENTRIES = 20
#: Bounds of the stored tally (see the module docstring).
MAX_TERMS = 1000
MAX_TARGETS_PER_TERM = 20
MAX_TARGET_CHARS = 100
#: ``format`` of the stored tally; a stored value without it is the legacy per-learner copy.
TALLY_FORMAT = 2
#: Punctuation at either end, but not a placeholder's brackets ("flytning [cpr]").
_EDGE_RE = re.compile(r"^(?:(?!\[)[\W_])+|(?:(?!\])[\W_])+$", re.UNICODE)
_COUNTS = ("count", "no_hits", "wrong_picks")


def normalise_term(query: str) -> str:
    """The form in which a query is proposed as søgeord: trimmed, collapsed, lower case, with
    personal identifiers as placeholders (:mod:`.redact`)."""
    text = _EDGE_RE.sub("", redact(" ".join((query or "").split())))
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


def _term_of(entry: object) -> str:
    """The candidate term of one log entry, or "" when it does not count."""
    if not isinstance(entry, Mapping):
        return ""
    term = normalise_term(str(entry.get("query", "")))
    return term if term and words(term) else ""


def _targets_of(entry: Mapping) -> list[str]:
    """The expected answer ids of one entry (at most 20, as :func:`record` keeps them)."""
    expected = entry.get("expected")
    if not isinstance(expected, (list, tuple)):
        return []
    return [t for t in expected[:20] if isinstance(t, str) and t and len(t) <= MAX_TARGET_CHARS]


def candidates(logs: Iterable[tuple[str, Iterable[Mapping[str, Any]]]],
               atlas: Atlas | None = None, limit: int = 50) -> list[Candidate]:
    """Aggregate per-learner logs ``(learner key, entries)`` into candidate søgeord, most
    widespread first.  Terms that already are a søgeord or title of their suggested target
    are left out (someone has added them since)."""
    found: dict[str, Candidate] = {}
    seen_pairs: set[tuple[str, str]] = set()
    for learner, entries in logs:
        for entry in entries:
            term = _term_of(entry)
            if not term:
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
            for target in _targets_of(entry):
                candidate.targets[target] = candidate.targets.get(target, 0) + 1
    return _ranked(found.values(), atlas, limit)


def _ranked(found: Iterable[Candidate], atlas: Atlas | None, limit: int) -> list[Candidate]:
    out = [c for c in found if not _already_covered(c, atlas)]
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


# ---- the stored tally -------------------------------------------------------------------------

#: term -> {"count", "no_hits", "wrong_picks": int, "targets": {target id: votes}}
Contribution = dict


def contribution(log: object) -> Contribution:
    """What one learner's gap log adds to the tally: per term of its newest
    :data:`CONTRIBUTION_ENTRIES` entries the entries, no-hit searches, wrong picks and target
    votes (the learner counts once for each term).  Empty for anything that is not a log."""
    if not isinstance(log, (list, tuple)):
        return {}
    out: Contribution = {}
    for entry in log[-CONTRIBUTION_ENTRIES:]:
        term = _term_of(entry)
        if not term:
            continue
        part = out.get(term)
        if part is None:
            part = out[term] = {"count": 0, "no_hits": 0, "wrong_picks": 0, "targets": {}}
        part["count"] += 1
        part["wrong_picks" if entry.get("kind") == KIND_WRONG_PICK else "no_hits"] += 1
        targets = part["targets"]
        for target in _targets_of(entry):
            targets[target] = targets.get(target, 0) + 1
    return out


def is_tally(stored: object) -> bool:
    return isinstance(stored, Mapping) and stored.get("format") == TALLY_FORMAT


def empty_tally() -> dict:
    return {"format": TALLY_FORMAT, "learners": 0, "terms": {}}


def tally_of(logs: Iterable[object]) -> dict:
    """A tally counting each of ``logs`` (one per learner) once."""
    tally = empty_tally()
    terms = tally["terms"]
    for log in logs:
        part = contribution(log)
        if not part:
            continue
        tally["learners"] += 1
        for term, counts in part.items():   # entries made here: added to in place
            entry = terms.get(term)
            if entry is None:
                entry = terms[term] = {"learners": 0, "count": 0, "no_hits": 0,
                                       "wrong_picks": 0, "targets": {}}
            entry["learners"] += 1
            for name in _COUNTS:
                entry[name] += counts[name]
            targets = entry["targets"]
            for target, votes in counts["targets"].items():
                targets[target] = targets.get(target, 0) + votes
    for entry in terms.values():
        if len(entry["targets"]) > MAX_TARGETS_PER_TERM:
            entry["targets"] = _top_targets(entry["targets"])
    _evict(tally)
    return tally


def load_tally(stored: object, drop: str | None = None) -> dict:
    """The stored value as a tally: a tally as it is, the legacy per-learner copy (hashed
    learner id -> newest log entries) converted, without the entry of learner ``drop``;
    anything else (nothing stored yet) as an empty tally.  The result shares term entries
    with ``stored`` (copy one before changing it)."""
    if is_tally(stored):
        terms = stored.get("terms")
        return {**stored, "learners": stored_count(stored.get("learners")),
                "terms": dict(terms) if isinstance(terms, Mapping) else {}}
    if not isinstance(stored, Mapping):
        return empty_tally()
    return tally_of(log for key, log in stored.items() if key != drop)


def update_tally(stored: object, learner: str, old: object, new: object) -> dict | None:
    """The tally after learner ``learner``'s gap log changed from ``old`` to ``new`` (either
    may be empty: first entry, erasure); None when nothing changes.

    ``stored`` is not modified: the changed term entries are copied, the others shared.  In
    the legacy shape the learner's own entry (key ``learner``) is what counted them, so it is
    dropped instead of subtracting ``old``.
    """
    legacy = not is_tally(stored) and isinstance(stored, Mapping) and bool(stored)
    remove = {} if legacy else contribution(old)
    add = contribution(new)
    if not legacy and remove == add:
        return None
    tally = load_tally(stored, drop=learner)
    _apply(tally, remove, -1)
    _apply(tally, add, 1)
    _evict(tally, keep=add)
    return tally


def _apply(tally: dict, part: Contribution, sign: int) -> None:
    """Add (``sign`` 1) or subtract (-1) one learner's contribution, copying the term entries
    it changes; a changed term moves to the end (the most recently changed)."""
    if not part:
        return
    tally["learners"] = max(0, tally["learners"] + sign)
    terms = tally["terms"]
    for term, counts in part.items():
        entry = _entry(terms.pop(term, None))
        entry["learners"] = max(0, entry["learners"] + sign)
        for name in _COUNTS:
            entry[name] = max(0, entry[name] + sign * counts[name])
        targets = entry["targets"]
        for target, votes in counts["targets"].items():
            left = max(0, targets.get(target, 0) + sign * votes)
            if left:
                targets[target] = left
            else:
                targets.pop(target, None)
        if len(targets) > MAX_TARGETS_PER_TERM:
            entry["targets"] = _top_targets(targets)
        if entry["count"] and entry["learners"]:
            terms[term] = entry


def _top_targets(targets: dict[str, int]) -> dict[str, int]:
    """The :data:`MAX_TARGETS_PER_TERM` targets with the most votes; of equal votes the one
    that sorts first stays (it is the one :meth:`Candidate.suggested_target` would name)."""
    kept = heapq.nsmallest(MAX_TARGETS_PER_TERM, targets.items(),
                           key=lambda item: (-item[1], item[0]))
    return dict(kept)


def _evict(tally: dict, keep: Mapping = {}) -> None:  # noqa: B006 - read only
    """Keep at most :data:`MAX_TERMS` terms: drop the fewest learners, then the fewest
    entries, the least recently changed first; never a term in ``keep`` (the ones this
    update just counted: otherwise, once the tally is full of terms with two or more
    learners, a new term would be dropped by the very update that adds it, every time)."""
    terms = tally["terms"]
    excess = len(terms) - MAX_TERMS
    if excess <= 0:
        return
    ranked = ((stored_count(e.get("learners")) if isinstance(e, Mapping) else 0,
               stored_count(e.get("count")) if isinstance(e, Mapping) else 0, position, term)
              for position, (term, e) in enumerate(terms.items()) if term not in keep)
    for *_, term in heapq.nsmallest(excess, ranked):
        del terms[term]


def _entry(stored: object) -> dict:
    """A fresh, well-formed copy of one stored term entry."""
    stored = stored if isinstance(stored, Mapping) else {}
    targets = stored.get("targets")
    targets = targets if isinstance(targets, Mapping) else {}
    entry = {name: stored_count(stored.get(name)) for name in ("learners", *_COUNTS)}
    entry["targets"] = {t: stored_count(n) for t, n in targets.items()
                        if isinstance(t, str) and t and len(t) <= MAX_TARGET_CHARS
                        and stored_count(n)}
    if len(entry["targets"]) > MAX_TARGETS_PER_TERM:
        entry["targets"] = _top_targets(entry["targets"])
    return entry


def tally_candidates(stored: object, atlas: Atlas | None = None,
                     limit: int = 50, min_learners: int = 1) -> list[Candidate]:
    """The staff list from a stored tally (or a legacy per-learner copy): the same
    candidates, in the same order, as :func:`candidates` over the newest
    :data:`CONTRIBUTION_ENTRIES` entries of each learner's log (what a learner contributes;
    the LMS report reads whole logs, so its counts can be higher).  Terms of fewer than
    ``min_learners`` learners are left out (a name one learner typed)."""
    found = []
    for term, raw in load_tally(stored)["terms"].items():
        if not isinstance(term, str) or not term:
            continue
        entry = _entry(raw)
        if entry["count"] and entry["learners"] >= max(1, min_learners):
            # (redact: terms counted by versions before identifiers were replaced)
            found.append(Candidate(redact(term), entry["count"], entry["learners"],
                                   entry["no_hits"], entry["wrong_picks"], entry["targets"]))
    return _ranked(found, atlas, limit)


def tally_learners(stored: object) -> int:
    """Learners counted in a stored tally (those with at least one term in their window)."""
    return load_tally(stored)["learners"]
