"""Service atlas: searches that found nothing and practice cases that were often referred wrong,
as candidate søgeord (search words) for the atlas authors.

Sources: the atlas block's Problem Responses rows (one per learner and scenario) with the
learner's ``gap_log`` from the ``state`` column, or xAPI ``searched`` statements with a result
count of 0 and ``answered`` statements that failed.

Search text is free text typed by a person: a term is only shown when at least k different
learners typed it, so nobody's one-off query (which may hold a name) reaches HR.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from competency_xblock.atlas.gaps import KIND_WRONG_PICK, normalise_term
from competency_xblock.reports.privacy import check_k, is_small

MAX_TARGETS = 20


@dataclass(slots=True)
class ScenarioOutcome:
    """One learner's work on one practice case."""

    learner: int
    block: str
    scenario: str
    prompt: str = ""
    attempts: int = 0
    searches: int = 0
    solved: bool = False
    final_correct: bool | None = None
    wrong_picks: tuple[str, ...] = ()   # labels (or ids) of the wrong picks, each once


@dataclass(slots=True)
class SearchGap:
    """One entry of a learner's gap log: a search with no hits or followed by a wrong pick."""

    learner: int
    kind: str
    query: str
    scenario: str = ""
    expected: tuple[str, ...] = ()


@dataclass(slots=True)
class ScenarioSums:
    prompt: str = ""
    learners: int = 0
    attempted: int = 0
    solved: int = 0
    attempts: int = 0
    searches: int = 0
    final_wrong: int = 0
    with_wrong: int = 0
    wrong_targets: Counter = field(default_factory=Counter)


@dataclass(slots=True)
class TermSums:
    learners: int = 0
    count: int = 0
    no_hits: int = 0
    wrong_picks: int = 0
    targets: Counter = field(default_factory=Counter)
    scenarios: Counter = field(default_factory=Counter)


@dataclass
class ScenarioRow:
    block: str
    scenario: str
    prompt: str
    learners: int | None
    solved_share: float | None
    mean_attempts: float | None
    mean_searches: float | None
    wrong_share: float | None       # learners who picked wrong at least once
    final_wrong_share: float | None
    top_wrong: str
    top_wrong_learners: int | None
    suppressed: bool


@dataclass
class TermRow:
    term: str
    learners: int
    searches: int
    no_hits: int
    wrong_picks: int
    target: str
    scenario: str


@dataclass
class AtlasReport:
    k: int
    scenarios: list[ScenarioRow]
    terms: list[TermRow]
    hidden_terms: int
    no_hit_searches: int


class AtlasAccumulator:
    def __init__(self) -> None:
        self.scenarios: dict[tuple[str, str], ScenarioSums] = {}
        self.terms: dict[str, TermSums] = {}
        self._term_learners: set[int] = set()
        self.no_hit_searches = 0

    def add_outcome(self, o: ScenarioOutcome) -> None:
        sums = self.scenarios.get((o.block, o.scenario))
        if sums is None:
            sums = self.scenarios[(o.block, o.scenario)] = ScenarioSums()
        if o.prompt and not sums.prompt:
            sums.prompt = o.prompt
        sums.learners += 1
        sums.searches += o.searches
        if o.attempts:
            sums.attempted += 1
            sums.attempts += o.attempts
        if o.solved:
            sums.solved += 1
        if o.final_correct is False:
            sums.final_wrong += 1
        if o.wrong_picks:
            sums.with_wrong += 1
            for target in set(o.wrong_picks):
                if target in sums.wrong_targets or len(sums.wrong_targets) < MAX_TARGETS:
                    sums.wrong_targets[target] += 1

    def add_gap(self, g: SearchGap) -> None:
        term = normalise_term(g.query)
        if not term:
            return
        sums = self.terms.get(term)
        if sums is None:
            sums = self.terms[term] = TermSums()
        key = hash((g.learner, term))
        if key not in self._term_learners:
            self._term_learners.add(key)
            sums.learners += 1
        sums.count += 1
        if g.kind == KIND_WRONG_PICK:
            sums.wrong_picks += 1
        else:
            sums.no_hits += 1
            self.no_hit_searches += 1
        for target in g.expected[:MAX_TARGETS]:
            sums.targets[target] += 1
        if g.scenario:
            sums.scenarios[g.scenario] += 1

    def result(self, k: int | None = None) -> AtlasReport:
        k = check_k(k)
        rows = []
        for (block, scenario), s in self.scenarios.items():
            if is_small(s.learners, k):
                rows.append(ScenarioRow(block, scenario, s.prompt, None, None, None, None,
                                        None, None, "", None, True))
                continue
            # Only targets chosen by k or more learners are named; the others are not listed
            # at all (not even by name), so subtracting from a total reveals nothing about them.
            shown = [(n, t) for t, n in s.wrong_targets.items() if n >= k]
            top_n, top = max(shown, key=lambda nt: (nt[0], nt[1])) if shown else (None, "")
            rows.append(ScenarioRow(
                block, scenario, s.prompt, s.learners,
                solved_share=s.solved / s.learners,
                mean_attempts=s.attempts / s.attempted if s.attempted >= k else None,
                mean_searches=s.searches / s.learners,
                wrong_share=s.with_wrong / s.learners,
                final_wrong_share=s.final_wrong / s.learners,
                top_wrong=top, top_wrong_learners=top_n, suppressed=False))
        rows.sort(key=lambda r: (r.suppressed, -(r.wrong_share or 0), r.scenario))
        terms = []
        hidden_terms = 0
        for term, s in self.terms.items():
            if s.learners < k:
                hidden_terms += 1
                continue
            target = max(sorted(s.targets), key=lambda t: s.targets[t]) if s.targets else ""
            scenario = (max(sorted(s.scenarios), key=lambda t: s.scenarios[t])
                        if s.scenarios else "")
            terms.append(TermRow(term, s.learners, s.count, s.no_hits, s.wrong_picks, target,
                                 scenario))
        terms.sort(key=lambda t: (-t.learners, -t.searches, t.term))
        return AtlasReport(k, rows, terms, hidden_terms, self.no_hit_searches)


def report(outcomes: Iterable[ScenarioOutcome] = (), gaps: Iterable[SearchGap] = (),
           k: int | None = None) -> AtlasReport:
    acc = AtlasAccumulator()
    for outcome in outcomes:
        acc.add_outcome(outcome)
    for gap in gaps:
        acc.add_gap(gap)
    return acc.result(k)
