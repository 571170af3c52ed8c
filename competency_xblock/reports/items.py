"""Quiz item analysis: facility, discrimination and distractors per question, streamed.

Per question, from every counted attempt (by default each learner's first attempt, before
feedback taught them the answers):

* facility: share of responses that were correct;
* discrimination, two ways, against a *criterion* per response: by default the share of the
  attempt's *other* questions answered correctly (the rest score, so a question does not
  correlate with itself), or the learner's course grade from the grade report:
  - point-biserial r: Pearson correlation of correct (1/0) with the criterion;
  - upper-lower index D: facility among the top 27 % by criterion minus facility among the
    bottom 27 % (ties at the boundary are shared out in proportion);
* each option: how often it was picked, overall and in the upper and lower groups.  The key
  is the option(s) picked in correct responses; every other picked option is a distractor.

Flags: too easy, too hard, weak discrimination, and *key suspect* -- discrimination is
negative, or strong learners pick a distractor at least as often as the key (and more often
than weak learners do), which is what a wrong key looks like.

Running sums only: per question a handful of numbers plus a histogram of the criterion in
steps of 0.001, so memory does not grow with the number of attempts.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from competency_xblock.reports.privacy import check_k, is_small, suppress_line

#: Share of respondents in each of the upper and lower groups (Kelley's 27 %).
GROUP_SHARE = 0.27
BINS = 1000
MAX_OPTIONS = 50
OTHER_OPTION = "\x00other"
EASY = 0.90
HARD = 0.30
WEAK = 0.20
#: Fewer counted responses than this: discrimination is shown but not flagged.
MIN_FOR_FLAGS = 10

FLAG_EASY, FLAG_HARD, FLAG_WEAK, FLAG_KEY = "too_easy", "too_hard", "weak", "key_suspect"
FLAGS = (FLAG_KEY, FLAG_HARD, FLAG_WEAK, FLAG_EASY)  # most urgent first


@dataclass(slots=True)
class Response:
    question_id: str
    prompt: str
    correct: bool
    options: tuple[str, ...]  # the picked options (their text in the report, or ids)


@dataclass(slots=True)
class Attempt:
    learner: int
    block: str
    block_title: str
    number: int
    responses: list[Response]
    criterion: float | None = None  # external criterion (0..1), e.g. the course grade


@dataclass(slots=True)
class OptionSums:
    picks: int = 0
    in_correct: int = 0
    bins: dict = field(default_factory=dict)


@dataclass(slots=True)
class ItemSums:
    prompt: str = ""
    block_title: str = ""
    n: int = 0
    correct: int = 0
    m: int = 0            # responses with a criterion
    sx: int = 0
    sy: float = 0.0
    syy: float = 0.0
    sxy: float = 0.0
    bins: dict = field(default_factory=dict)   # bin -> [responses, correct]
    options: dict = field(default_factory=dict)


@dataclass
class OptionRow:
    option: str
    is_key: bool
    picks: int | None
    share: float | None
    upper: float | None
    lower: float | None
    suppressed: bool


@dataclass
class ItemRow:
    block: str
    block_title: str
    question_id: str
    prompt: str
    responses: int | None
    facility: float | None
    point_biserial: float | None
    upper_lower: float | None
    flags: list[str]
    options: list[OptionRow]
    suppressed: bool

    @property
    def top_distractor(self) -> OptionRow | None:
        shown = [o for o in self.options if not o.is_key and o.picks]
        return max(shown, key=lambda o: (o.picks, o.option)) if shown else None


@dataclass
class ItemAnalysis:
    k: int
    attempts: int
    items: list[ItemRow]
    criterion: str

    def flagged(self) -> list[ItemRow]:
        rows = [i for i in self.items if i.flags and not i.suppressed]
        return sorted(rows, key=lambda i: (min(FLAGS.index(f) for f in i.flags),
                                           -(i.responses or 0), i.question_id))


def _bin(value: float) -> int:
    return min(BINS, max(0, int(round(value * BINS))))


class ItemAccumulator:
    """``criterion``: "rest" (the rest of the attempt) or "external" (``Attempt.criterion``,
    e.g. the course grade; attempts without one count for facility only)."""

    def __init__(self, attempts: str = "first", criterion: str = "rest") -> None:
        self.policy = attempts
        self.items: dict[tuple[str, str], ItemSums] = {}
        self.attempts = 0
        self.skipped = 0
        self.criterion = criterion

    def add(self, attempt: Attempt) -> None:
        if self.policy == "first" and attempt.number != 1:
            self.skipped += 1
            return
        self.attempts += 1
        right = sum(1 for r in attempt.responses if r.correct)
        others = len(attempt.responses) - 1
        external = self.criterion == "external" or attempt.criterion is not None
        if external:
            self.criterion = "external"
        for response in attempt.responses:
            item = self.items.get((attempt.block, response.question_id))
            if item is None:
                item = self.items[(attempt.block, response.question_id)] = ItemSums()
            if response.prompt and not item.prompt:
                item.prompt = response.prompt
            if attempt.block_title and not item.block_title:
                item.block_title = attempt.block_title
            x = 1 if response.correct else 0
            item.n += 1
            item.correct += x
            if external:
                y: float | None = attempt.criterion
            elif others > 0:
                y = (right - x) / others
            else:
                y = None
            b = None
            if y is not None:
                item.m += 1
                item.sx += x
                item.sy += y
                item.syy += y * y
                item.sxy += x * y
                b = _bin(y)
                entry = item.bins.get(b)
                if entry is None:
                    entry = item.bins[b] = [0, 0]
                entry[0] += 1
                entry[1] += x
            for option in set(response.options):
                if option not in item.options and len(item.options) >= MAX_OPTIONS:
                    option = OTHER_OPTION
                sums = item.options.get(option)
                if sums is None:
                    sums = item.options[option] = OptionSums()
                sums.picks += 1
                sums.in_correct += x
                if b is not None:
                    sums.bins[b] = sums.bins.get(b, 0) + 1

    def result(self, k: int | None = None, easy: float = EASY, hard: float = HARD,
               weak: float = WEAK, min_for_flags: int = MIN_FOR_FLAGS) -> ItemAnalysis:
        k = check_k(k)
        rows = [_row(block, qid, s, k, easy, hard, weak, min_for_flags)
                for (block, qid), s in self.items.items()]
        rows.sort(key=lambda r: (r.block_title, r.block, _natural(r.question_id)))
        return ItemAnalysis(k=k, attempts=self.attempts, items=rows, criterion=self.criterion)


def _natural(text: str) -> list:
    import re

    return [int(p) if p.isdigit() else p.casefold() for p in re.split(r"(\d+)", text)]


def point_biserial(n: int, sx: float, sy: float, syy: float, sxy: float) -> float | None:
    """Pearson r of a 0/1 variable with a criterion, from running sums."""
    if n < 2:
        return None
    vx = n * sx - sx * sx        # sum of x^2 == sum of x for 0/1
    vy = n * syy - sy * sy
    if vx <= 0 or vy <= 1e-12:
        return None
    return (n * sxy - sx * sy) / math.sqrt(vx * vy)


def group_weights(bins: dict, size: float, upper: bool) -> dict[int, float]:
    """Share of each criterion bin that falls in the upper (or lower) group of ``size``
    responses; a bin straddling the boundary is included in proportion."""
    weights: dict[int, float] = {}
    left = size
    for b in sorted(bins, reverse=upper):
        if left <= 0:
            break
        count = bins[b][0]
        take = min(count, left)
        weights[b] = take / count
        left -= take
    return weights


def _row(block: str, qid: str, s: ItemSums, k: int, easy: float, hard: float, weak: float,
         min_for_flags: int) -> ItemRow:
    if is_small(s.n, k):
        return ItemRow(block, s.block_title, qid, s.prompt, None, None, None, None, [], [], True)
    facility = s.correct / s.n
    r = point_biserial(s.m, s.sx, s.sy, s.syy, s.sxy)
    size = max(1, round(GROUP_SHARE * s.m)) if s.m else 0
    upper = group_weights(s.bins, size, True) if size else {}
    lower = group_weights(s.bins, size, False) if size else {}

    def share(weights: dict[int, float], counts: dict, pick) -> float | None:
        if not size:
            return None
        return sum(pick(counts.get(b)) * w for b, w in weights.items()) / size

    p_upper = share(upper, s.bins, lambda e: e[1] if e else 0)
    p_lower = share(lower, s.bins, lambda e: e[1] if e else 0)
    d = p_upper - p_lower if p_upper is not None and p_lower is not None else None

    keys = {o for o, sums in s.options.items() if sums.in_correct > 0}
    distractors = {o: sums.picks for o, sums in s.options.items() if o not in keys}
    hidden = suppress_line(distractors, k)
    options = []
    # Shown options by picks, hidden ones after them by name: their order must not tell
    # which hidden option was picked more often.
    order = sorted(s.options.items(), key=lambda kv: (
        kv[0] in hidden, 0 if kv[0] in hidden else -kv[1].picks, kv[0]))
    for option, sums in order:
        is_hidden = option in hidden
        u = share(upper, sums.bins, lambda c: c or 0)
        low = share(lower, sums.bins, lambda c: c or 0)
        options.append(OptionRow(
            option="" if option == OTHER_OPTION else option, is_key=option in keys,
            picks=None if is_hidden else sums.picks,
            share=None if is_hidden else sums.picks / s.n,
            upper=None if is_hidden else u, lower=None if is_hidden else low,
            suppressed=is_hidden))
    flags = []
    if facility > easy:
        flags.append(FLAG_EASY)
    if facility < hard:
        flags.append(FLAG_HARD)
    if s.m >= max(min_for_flags, k):
        strong_distractor = any(
            o.upper is not None and p_upper is not None and o.upper >= p_upper
            and o.lower is not None and o.upper > o.lower and o.upper > 0
            for o in options if not o.is_key)
        if (r is not None and r < 0) or (d is not None and d < 0) or strong_distractor:
            flags.append(FLAG_KEY)
        elif r is not None and r < weak:
            flags.append(FLAG_WEAK)
    return ItemRow(block, s.block_title, qid, s.prompt, s.n, facility, r, d, flags, options,
                   False)


def analyse(attempts: Iterable[Attempt], k: int | None = None, policy: str = "first",
            **thresholds: float) -> ItemAnalysis:
    """Convenience for tests and callers that already hold the attempts."""
    acc = ItemAccumulator(policy)
    for attempt in attempts:
        acc.add(attempt)
    return acc.result(k, **thresholds)


def responses(rows: Sequence[tuple[str, bool, Sequence[str]]]) -> list[Response]:
    """Build responses from ``(question id, correct, options)`` triples (tests, fixtures)."""
    return [Response(q, "", c, tuple(o)) for q, c, o in rows]
