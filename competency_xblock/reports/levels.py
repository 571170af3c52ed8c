"""Which number each level label stands for, so "mean self level" can be computed.

The LMS report carries level *labels* in the LMS language ("Øvet", "Intermediate") and the gap
as a number; the learner state carries level *ids*; xAPI carries ranks.  A framework, when
known, gives every label and id its rank directly.  Without one, ranks are inferred from the
data: each row says ``rank(expected) - rank(self) = gap``, and rows tie ids to labels, so the
levels form a graph whose offsets are solved by a walk; the lowest level seen becomes 1.
"""
from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable

from competency_xblock.competency.framework import Framework, text_variants

Token = tuple[str, str]  # ("label", text) or ("id", level id)


def label(text: str) -> Token:
    return ("label", text.strip().casefold())


def level_id(text: str) -> Token:
    return ("id", text)


def framework_anchors(framework: Framework) -> dict[Token, int]:
    anchors: dict[Token, int] = {}
    for rank, level in enumerate(framework.levels, start=1):
        anchors[level_id(level.id)] = rank
        for text in text_variants(level.label):
            anchors[label(text)] = rank
    return anchors


class LevelScale:
    """Collects evidence about level ranks while rows stream past; ``solve()`` at the end."""

    def __init__(self, framework: Framework | None = None,
                 candidates: Iterable[Framework] = ()) -> None:
        """``framework``: the scale to use.  ``candidates``: frameworks to use if every level
        seen in the data is one of theirs (the shipped DigComp scale, typically)."""
        self.framework = framework
        self.candidates = list(candidates)
        self.anchors: dict[Token, int] = {}
        self.edges: Counter[tuple[Token, Token, int]] = Counter()
        self._ranks: dict[Token, int] | None = None
        self.inferred = False
        self.conflicts = 0
        if framework is not None:
            self.anchors.update(framework_anchors(framework))

    def knows(self, token: Token) -> bool:
        return token in self.anchors

    def anchor(self, token: Token, rank: int) -> None:
        """A rank stated by the source itself (xAPI ``self-level-rank``)."""
        self.anchors.setdefault(token, rank)
        self._ranks = None

    def relate(self, higher: Token, lower: Token, difference: int) -> None:
        """``rank(higher) - rank(lower) == difference`` (a gap; 0 ties an id to its label)."""
        self.edges[(higher, lower, difference)] += 1
        self._ranks = None

    def evidence(self) -> Counter[tuple[Token, Token, int]]:
        """The edge counter itself, for readers that add many edges in a tight loop
        (``counter[(higher, lower, difference)] += 1``); ranks are solved afresh after."""
        self._ranks = None
        return self.edges

    def _adopt_candidate(self) -> None:
        if self.framework is not None or not self.candidates:
            return
        seen = {t for higher, lower, _ in self.edges for t in (higher, lower)}
        if not seen:
            return
        for candidate in self.candidates:
            anchors = framework_anchors(candidate)
            if seen <= set(anchors):
                self.framework = candidate
                for token, rank in anchors.items():
                    self.anchors.setdefault(token, rank)
                return

    def solve(self) -> dict[Token, int]:
        if self._ranks is not None:
            return self._ranks
        self._adopt_candidate()
        graph: dict[Token, list[tuple[Token, int, int]]] = {}
        for (higher, lower, diff), weight in self.edges.items():
            graph.setdefault(higher, []).append((lower, -diff, weight))
            graph.setdefault(lower, []).append((higher, diff, weight))
        ranks: dict[Token, int] = dict(self.anchors)
        seen: set[Token] = set()
        self.conflicts = 0
        self.inferred = False
        # Components with an anchor first (absolute ranks), then the rest (relative).
        starts = [t for t in graph if t in self.anchors] + [t for t in graph
                                                           if t not in self.anchors]
        for start in starts:
            if start in seen:
                continue
            component: dict[Token, int] = {start: ranks.get(start, 0)}
            queue = deque([start])
            seen.add(start)
            while queue:
                node = queue.popleft()
                # Heaviest evidence first, so a few inconsistent rows do not win.
                for other, diff, _weight in sorted(graph[node], key=lambda e: -e[2]):
                    if other in component:
                        continue
                    value = component[node] + diff
                    component[other] = self.anchors.get(other, value)
                    seen.add(other)
                    queue.append(other)
            if start not in self.anchors:
                self.inferred = True
                lowest = min(component.values())
                component = {t: r - lowest + 1 for t, r in component.items()}
            ranks.update(component)
        # Rows that disagree with the solution (a profile changed between rounds, a typo).
        self.conflicts = sum(weight for (high, low, diff), weight in self.edges.items()
                             if high in ranks and low in ranks and ranks[high] - ranks[low] != diff)
        self._ranks = ranks
        return ranks

    def rank(self, token: Token) -> int | None:
        return self.solve().get(token)
