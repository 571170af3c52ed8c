"""Danish-aware search over an atlas index: query parsing, ranking, highlight spans.

Why results carry offsets and never markup: the block renders matches with DOM text nodes
and ``<mark>`` elements; no atlas text ever passes through HTML parsing, so a søgeord like
``<script>`` is just text.

Every query gets an answer: a blank, punctuation-only or regex-like query yields status
``empty_query``, an over-long one ``query_too_long``, and no match ``no_hits`` — each with a
message id the block translates.
"""
from __future__ import annotations

import heapq
import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain, combinations, compress, filterfalse, islice, repeat
from operator import add, itemgetter, mul, neg

from competency_xblock.text import N_, LocalizedText, pick_language

from .index import LINKING, Expansion, SearchIndex, get_index, phrase_key
from .model import Atlas, Service
from .text import (
    KLE_IN_TEXT_RE,
    KLE_LABEL_WORDS,
    STOPWORDS,
    kle_loose_query,
    kle_query,
    stem_folded,
    surface_words,
    without_kle_label,
)

MAX_QUERY_CHARS = 300
MAX_QUERY_WORDS = 24
DEFAULT_LIMIT = 10
MAX_LIMIT = 100
PHRASE_BONUS = 1.35
#: Score factor for a service whose whole title is some of the query's words (2+ words).
TITLE_IN_QUERY_BONUS = 1.6
#: Title bags of up to this many words are looked up among the query's words.
TITLE_IN_QUERY_WORDS = 3
COMPOUND_QUALITY = 0.9

#: What each matched query word adds to a service's score (see :func:`_rank`).
MATCH_BONUS = 2.0
#: What two query words found as one compound of the atlas add on top of the compound's
#: own score (see :func:`_joined_compounds`): like one more matched word, as the compound
#: is a whole match where the words alone only matched its parts.  Neutral on the
#: benchmark's recall@5 and MRR (measured with 0, 1 and 2).
JOINED_BONUS = MATCH_BONUS
#: What a KLE number in a query adds for the services it names.
KLE_SCORE = 2.0
#: Score factor for each further service of a KLE emne already in the results.
DIVERSITY = 0.6
_DIVERSITY_POWERS = tuple(DIVERSITY ** times for times in range(MAX_LIMIT + 1))
#: Postings walked for loose (prefix, fuzzy) expansions of one word before we stop adding.
EXPANSION_BUDGET = 3000
#: Below this many postings a query is evaluated in full; above, common words are cut.
FULL_BUDGET = 4000
LOOKUP_CANDIDATES = 60
#: A word with more postings than this share of the services (and at least COMMON_MIN) is
#: only looked up for the candidates of the rarer words, once there are enough of them.
COMMON_SHARE = 0.1
COMMON_MIN = 400
#: ... once the rarer words found services of this many KLE emner per result asked for.
COMMON_AFTER = 3
#: A word matching more services than this is a "long list" (see _narrowed).
SMALL_WORD = 300
#: Best services kept per long list (for _pool).
BEST_KEPT = 200
#: Above this many candidates the top-k threshold is not recomputed after each word.
THETA_MAX = 6000
THETA_DEPTH = 3
#: Up to this many candidates a C sort is cheaper than heapq.nlargest.
SORT_MAX = 600
#: ... when only the scores are sorted (floats compare fast; measured on the benchmark's
#: 10,000-service atlas): see _kth_largest.
CUT_SORT_MAX = 5000
#: ... when whole (service, score) items are sorted: see _top_items.
TOP_SORT_MAX = 8000
#: Above this many values per one asked for, _kth_largest and _top_items sort only the
#: values at or above a floor taken from a sample of FLOOR_SAMPLE of them (see _floor).
SAMPLED_FACTOR = 4
FLOOR_SAMPLE = 128
#: A binary-search lookup costs about this many dict updates.
LOOKUP_COST = 8

STATUS_OK = "ok"
STATUS_NO_HITS = "no_hits"
STATUS_EMPTY = "empty_query"
STATUS_TOO_LONG = "query_too_long"
#: Message ids of KLE-number queries (statuses stay the four above).
MESSAGE_KLE_NONE = "kle_none"
MESSAGE_KLE_NEAREST = "kle_nearest"
MESSAGE_KLE_MALFORMED = "kle_malformed"

MESSAGES = {
    STATUS_OK: N_("{count} result(s)."),
    STATUS_NO_HITS: N_("Nothing matched. Try another word, a shorter word, or a KLE number "
                       "such as 27.24."),
    STATUS_EMPTY: N_("Type a word to search for, for example \"flytning\", or a KLE number "
                     "such as 23.05."),
    STATUS_TOO_LONG: N_("The search text is too long (at most {limit} characters). Use a few "
                        "words."),
    MESSAGE_KLE_NONE: N_("No service has KLE number {number}. KLE numbers are written like 23, "
                         "23.05 or 23.05.10."),
    MESSAGE_KLE_NEAREST: N_("No service has KLE number {number}; showing the services under "
                            "{nearest}."),
    MESSAGE_KLE_MALFORMED: N_("\"{value}\" is not a KLE number. KLE numbers are written like "
                              "23, 23.05 or 23.05.10 (also without dots: 2305)."),
}

Span = tuple[int, int]


@dataclass(frozen=True)
class Hit:
    """One service found.  Spans index into the texts shown (title in ``language``)."""

    service: Service
    score: float
    title: str
    title_spans: tuple[Span, ...] = ()
    keywords: tuple[tuple[str, tuple[Span, ...]], ...] = ()   # matching søgeord only
    description_spans: tuple[Span, ...] = ()
    description: str = ""

    @property
    def service_id(self) -> str:
        return self.service.id

    @property
    def unit_id(self) -> str:
        return self.service.unit

    @property
    def kle(self) -> tuple[str, ...]:
        return self.service.kle


def _new_hit(service: Service, score: float, title: str, title_spans: tuple[Span, ...],
             keywords: tuple[tuple[str, tuple[Span, ...]], ...],
             description_spans: tuple[Span, ...], description: str) -> Hit:
    """``Hit(...)`` at half the cost: a frozen dataclass's __init__ sets each field through
    object.__setattr__; here the instance dict gets all seven at once (a page of results
    builds ten or more Hits per search)."""
    hit = _object_new(Hit)
    hit.__dict__.update(service=service, score=score, title=title, title_spans=title_spans,
                        keywords=keywords, description_spans=description_spans,
                        description=description)
    return hit


_object_new = object.__new__


@dataclass(frozen=True)
class SearchResult:
    status: str
    query: str
    hits: tuple[Hit, ...] = ()
    total: int = 0
    message: str = ""
    params: dict = field(default_factory=dict)
    corrections: tuple[tuple[str, str], ...] = ()   # (typed word, vocabulary word)
    kle_prefix: str = ""

    @property
    def ok(self) -> bool:
        return self.status == STATUS_OK

    def ids(self) -> list[str]:
        return [hit.service_id for hit in self.hits]


def _result(status: str, query: str, message: str = "", **kwargs) -> SearchResult:
    params = kwargs.pop("params", {})
    return SearchResult(status, query, message=MESSAGES[message or status], params=params,
                        **kwargs)


def search(atlas_or_index: Atlas | SearchIndex, query: str | None, *,
           limit: int = DEFAULT_LIMIT, language: str | None = None,
           as_you_type: bool = False) -> SearchResult:
    """Search ``query`` in the atlas.  ``as_you_type``: also complete the last word even
    in longer queries (by default it is completed in queries of up to three words)."""
    index = atlas_or_index if isinstance(atlas_or_index, SearchIndex) \
        else get_index(atlas_or_index)
    limit = max(1, min(int(limit or DEFAULT_LIMIT), MAX_LIMIT))
    if not isinstance(query, str):
        query = ""
    if len(query) > MAX_QUERY_CHARS:
        return _result(STATUS_TOO_LONG, query[:60] + "…", params={"limit": MAX_QUERY_CHARS})
    text = " ".join(query.split())
    if not text:
        return _result(STATUS_EMPTY, "")
    bare = without_kle_label(text)         # "KLE-nr. 23.05.10" is the number
    number = kle_query(bare)
    if number is not None:
        return _kle_search(index, text, number, limit, language)
    number, malformed = kle_loose_query(bare)
    if number is not None:
        return _kle_search(index, text, number, limit, language)
    if malformed:
        return _result(STATUS_NO_HITS, text, message=MESSAGE_KLE_MALFORMED,
                       params={"value": display_query(text, 40)})
    kle_number = ""
    match = KLE_IN_TEXT_RE.search(text)
    text_words = text
    if match:
        kle_number = match.group(1)
        text_words = (text[: match.start()] + " " + text[match.end():]).strip()
    tokens = [t for t in surface_words(text_words) if t[1]]     # (surface, folded)
    if kle_number:   # "kle 23.05.10 flytning": "kle" names the number, it is no search word
        tokens = [t for t in tokens if t[1] not in KLE_LABEL_WORDS]
    meaningful = [t for t in tokens if t[1] not in STOPWORDS and not t[1].isdigit()]
    if not meaningful:
        meaningful = [t for t in tokens if not t[1].isdigit()]
    if not meaningful:
        if kle_number:
            return _kle_search(index, text, kle_number, limit, language)
        return _result(STATUS_EMPTY, text)
    meaningful = meaningful[:MAX_QUERY_WORDS]
    complete_last = as_you_type or (len(meaningful) <= 3 and not query.endswith(" "))
    groups = []
    searched: list[str] = []      # the words searched for (corrected where reported)
    used: list[str] = []          # ... those of them that matched something
    corrections = []
    seen_words: set[str] = set()
    for position, (surface, folded) in enumerate(meaningful):
        if folded in seen_words:
            continue
        seen_words.add(folded)
        allow_prefix = position == len(meaningful) - 1 and complete_last
        plan = _plan(index, folded, allow_prefix)
        corrected = _correction(plan, folded)
        if corrected:
            # "showing results for <word>": the word is searched as that word, so the
            # results are those of the corrected query (not of every weak look-alike)
            replacement = _plan(index, corrected, allow_prefix)
            if any(e.kind == "exact" for e in replacement.expansions):
                corrections.append((surface, index.display.get(corrected, corrected)))
                plan, folded = replacement, corrected
                if folded in seen_words:
                    continue
                seen_words.add(folded)
        groups.append(plan)
        searched.append(folded)
        if plan.lists or plan.compounds:
            used.append(folded)
    joined = _joined_compounds(index, searched)
    kle_docs: set[int] = set()
    if kle_number:
        # a KLE number among words counts as one more matched word for the services with
        # that number, mention it in a søgeord ("Tidligere emnenr. ..."), or - when it is
        # unknown - belong to its nearest existing gruppe/hovedgruppe
        for candidate in _kle_candidates(index, kle_number):
            kle_docs.update(candidate)
    # words that matched nothing take no part in phrase and title bonuses: "script alert"
    # ranks as "alert" does
    query_terms = sorted({stem_folded(word) for word in used})
    boost = index.phrase_docs(phrase_key(query_terms))
    in_title = _titles_in_query(index, query_terms)
    top, total, matched_terms = _rank(index, groups + joined, limit, boost, kle_docs,
                                      in_title)
    if not top:
        return _result(STATUS_NO_HITS, text, kle_prefix=kle_number)
    hits = tuple(_hit(index, doc, score, matched_terms, language) for doc, score in top)
    return _result(STATUS_OK, text, hits=hits, total=total, params={"count": total},
                   corrections=tuple(corrections), kle_prefix=kle_number)


def _correction(plan: _Word, folded: str) -> str:
    """The vocabulary word a typed word is taken for (typo or look-alike fallback), or ""
    when the word matched as itself, a synonym, a completion or a sub-word (then it
    stands for those matches, and no single correction describes them)."""
    expansions = plan.expansions
    if expansions and expansions[0].kind in ("fuzzy", "similar") and \
            all(e.kind in ("fuzzy", "similar") for e in expansions) and \
            expansions[0].surface and expansions[0].surface != folded:
        best = expansions[0]
        if best.kind == "fuzzy" and any(e.kind == "fuzzy" and e.quality == best.quality
                                        for e in expansions[1:]):
            # several words one typo away ("bolg": bolig, bold): no one correction to
            # report; the word keeps standing for all of them
            return ""
        return best.surface
    return ""


def _joined_compounds(index: SearchIndex, folded: list[str]) -> list[_Word]:
    """Two neighbouring query words written as one compound of the atlas ("støtte til
    bolig" → "boligstøtte", "hjælp til begravelse" → "begravelseshjælp"), in either order,
    with or without a linking -s-/-e-: a service with that very compound matched both
    words as a whole, not just as parts, so the compound counts as one more matched word."""
    if len(folded) < 2:
        return []
    surface_stem = index.surface_stem
    vocabulary = index.sorted_surfaces
    size = len(vocabulary)
    out: list[_Word] = []
    seen: set[str] = set()
    for first, second in zip(folded, folded[1:], strict=False):
        if not (first.isalpha() and second.isalpha()):
            continue
        for head, tail in ((first, second), (second, first)):
            # only a head some longer vocabulary word starts with can begin a compound
            i = bisect_left(vocabulary, head)
            if i < size and vocabulary[i] == head:
                i += 1
            if i >= size or not vocabulary[i].startswith(head):
                continue
            for link in ("", *LINKING):
                joined = head + link + tail
                term = surface_stem.get(joined)
                if term is None or term in seen or term not in index.idf:
                    continue
                seen.add(term)
                out.append(_compound_plan(index, joined, term))
                break
    return out


def _compound_plan(index: SearchIndex, surface: str, term: str) -> _Word:
    key = (surface, "joined")
    word = index.plans.get(key)
    if word is None:
        word = _Word(index, (Expansion(term, 1.0, "exact", surface),), (), EXPANSION_BUDGET)
        word.bonus = JOINED_BONUS
        word = index.plans.put(key, word)
    return word


def _titles_in_query(index: SearchIndex, terms: list[str]) -> dict[int, float]:
    """Services whose title is a bag of some (not all) of the query's terms, with the share
    of the query it covers: a lookup per combination of up to TITLE_IN_QUERY_WORDS terms."""
    if TITLE_IN_QUERY_BONUS == 1.0 or len(terms) < 2:
        return {}
    found: dict[int, float] = {}
    largest = min(TITLE_IN_QUERY_WORDS, len(terms) - 1)
    title_terms = index.title_terms
    terms = [term for term in terms if term in title_terms]   # the others are in no title
    for size in range(1, min(largest, len(terms)) + 1):
        for combo in combinations(terms, size):
            for doc in index.title_docs(hash(combo)):
                found[doc] = size
    return found


def _kle_candidates(index: SearchIndex, number: str):
    docs = index.kle.get(number)
    if docs:
        yield docs
    mentioned = index.kle_mentions.get(number)
    if mentioned:
        yield mentioned
    if not docs and not mentioned:
        parts = number.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            prefix = ".".join(parts[:cut])
            if prefix in index.kle:
                yield index.kle[prefix]
                break


class _Word:
    """One query word: the posting lists it stands for, with qualities and a score bound.

    Built once per (word, completion) and kept in the index's bounded plan cache together
    with its per-service scores, so a word seen before costs a dict lookup."""

    __slots__ = ("expansions", "lists", "compounds", "cost", "bound", "terms", "bonus",
                 "_scores", "_best")

    def __init__(self, index: SearchIndex, expansions, compounds, budget: int) -> None:
        self.expansions = expansions
        self.lists = lists = []
        cost = 0
        bound = 0.0
        # Loose matches (prefix, typo, part) are scored with the rarity of the word itself
        # (or of the most common candidate), so that a rare completion such as
        # "boligstøttelån" does not outrank the exact "boligstøtte".
        idf = index.idf
        max_impact = index.max_impact
        postings_ids = index.postings_ids
        postings_imp = index.postings_imp
        present = [e for e in expansions if e.term in idf]
        exact = [e for e in present if e.kind == "exact"]
        reference = idf[exact[0].term] if exact else min((idf[e.term] for e in present),
                                                         default=0.0)
        for expansion in present:
            term = expansion.term
            ids = postings_ids[term]
            quality = expansion.quality
            if expansion.kind not in ("exact", "synonym"):
                if cost + len(ids) > budget and lists:
                    continue   # enough loose matches: keep the per-query work bounded
                quality *= min(1.0, reference / idf[term])
            lists.append((ids, postings_imp[term], quality, term))
            cost += len(ids)
            bound = max(bound, max_impact[term] * quality)
        self.compounds = []
        for parts, require_all in compounds:
            present_parts = [t for t in parts if t in idf]
            if not present_parts or (require_all and len(present_parts) < len(parts)):
                continue
            self.compounds.append((parts, require_all))
            cost += sum(len(index.postings_ids[t]) for t in present_parts)
            bound = max(bound, COMPOUND_QUALITY / len(parts)
                        * sum(max_impact[t] for t in present_parts))
        self.lists.sort(key=lambda item: -len(item[0]))
        self.bonus = MATCH_BONUS
        self.cost = cost
        self.bound = bound
        terms = {term for *_rest, term in self.lists}
        for parts, _ in self.compounds:
            terms.update(parts)
        self.terms = frozenset(terms)
        self._scores: dict[int, float] | None = None
        self._best: list[int] | None = None

    def best(self, index: SearchIndex, count: int = BEST_KEPT) -> list[int]:
        """The first ``count`` (at least) of this word's BEST_KEPT best services (highest
        score first, ties in the order of its scores), cached: a shorter list asked for
        is a prefix of the longer one, and often enough (see _pool)."""
        found = self._best
        if found is None or (len(found) < count and len(found) < BEST_KEPT
                             and len(found) < len(self._scores or ())):
            scores = self.scores(index)
            found = list(map(itemgetter(0), _top_items(scores, min(count, BEST_KEPT))))
            self._best = found
        return found

    def scores(self, index: SearchIndex) -> dict[int, float]:
        """Best score per service over this word's expansions, plus MATCH_BONUS (do not
        modify: shared).

        Built with dict(zip()) and set operations, so the per-posting work runs in C;
        Python only loops over the services two expansions share."""
        found = self._scores
        if found is not None:
            return found
        # MATCH_BONUS is added to every value as the dicts are built (one pass in C); the
        # maximum over expansions is unchanged by adding the same constant to all
        best: dict[int, float] | None = None
        bonus = repeat(self.bonus)
        for ids, impacts, quality, _term in self.lists:
            values = map(add, impacts, bonus) if quality == 1.0 else \
                map(add, map(mul, impacts, repeat(quality)), bonus)
            found = dict(zip(ids, values, strict=False))
            best = found if best is None else _merge_max(best, found)
        for parts, require_all in self.compounds:
            combined = _combine_parts(index, parts, require_all)
            if not combined:
                continue
            factor = COMPOUND_QUALITY / len(parts)
            found = dict(zip(combined.keys(), map(add, map(mul, combined.values(),
                                                             repeat(factor)), bonus),
                             strict=False))
            best = found if best is None else _merge_max(best, found)
        self._scores = best if best is not None else {}
        return self._scores

    def lookup(self, index: SearchIndex, doc: int) -> float:
        """This word's score (with MATCH_BONUS) for one service, 0 if it does not match
        (binary search in the posting lists)."""
        if self._scores is not None:
            return self._scores.get(doc, 0.0)
        best = 0.0
        for ids, impacts, quality, _term in self.lists:
            i = bisect_left(ids, doc)
            if i < len(ids) and ids[i] == doc:
                value = impacts[i] * quality
                if value > best:
                    best = value
        for parts, require_all in self.compounds:
            total = 0.0
            for term in parts:
                ids, impacts = index.postings(term)
                i = bisect_left(ids, doc)
                if i < len(ids) and ids[i] == doc:
                    total += impacts[i]
                elif require_all:
                    total = 0.0
                    break
            best = max(best, total * COMPOUND_QUALITY / len(parts))
        return best + self.bonus if best else 0.0


def _merge_max(a: dict[int, float], b: dict[int, float]) -> dict[int, float]:
    if len(a) < len(b):
        a, b = b, a
    for doc in a.keys() & b.keys():
        if a[doc] > b[doc]:
            b[doc] = a[doc]
    a.update(b)
    return a


def _plan(index: SearchIndex, folded: str, allow_prefix: bool) -> _Word:
    """The word's plan from the index's LRU cache (bounded by the number of scores kept)."""
    key = (folded, allow_prefix)
    word = index.plans.get(key)
    if word is None:
        expansions, compounds = index.expand(folded, allow_prefix=allow_prefix)
        word = index.plans.put(key, _Word(index, expansions, compounds, EXPANSION_BUDGET))
    return word


def _rank(index: SearchIndex, plans: list[_Word], limit: int, boost_docs: Iterable[int],
          kle_docs: set[int], in_title: dict[int, float] | None = None):
    """Top ``limit`` services by the sum of the words' best scores plus MATCH_BONUS for
    each query word a service matches (so matching more of the words counts, without
    letting three common words beat two rare ones outright).

    Words are evaluated strongest first.  Once no service outside the candidates found so
    far can reach the top (it could match only the remaining words), the remaining -
    common - words are only looked up for the candidates that can still make it, instead of
    being walked in full (MaxScore).  A word with a long posting list that comes after
    rarer words which already found enough candidates is looked up the same way (not exact;
    measured without loss on the self-check split).  The final top is chosen from the
    candidates plus each long list's own best services (:func:`_pool`), not from thousands
    of services that matched one common word.
    """
    matched_terms: set[str] = set()
    for word in plans:
        matched_terms |= word.terms
    words_ = sorted((w for w in plans if w.lists or w.compounds), key=lambda w: -w.bound)
    if not words_ and not kle_docs:
        return [], 0, matched_terms
    kle_reach = KLE_SCORE + MATCH_BONUS if kle_docs else 0.0
    reach = [0.0] * (len(words_) + 1)
    reach[-1] = kle_reach
    for i in range(len(words_) - 1, -1, -1):
        reach[i] = reach[i + 1] + words_[i].bound + words_[i].bonus
    acc: dict[int, float] = {}
    theta = 0.0
    done = len(words_)
    # the diversity step may pass over near-duplicates: keep the threshold low enough
    depth = limit * THETA_DEPTH
    common = max(COMMON_MIN, COMMON_SHARE * index.size)
    # ``cands``: every service of the short lists and every service of two or more lists;
    # the others matched one long list only (see _pool)
    cands: set[int] = set()
    long_words: list[_Word] = []
    for position, word in enumerate(words_):
        if position and theta > reach[position]:
            done = position       # no service outside ``acc`` can reach the top any more
            break
        if position and word.cost > common and len(acc) >= COMMON_AFTER * limit \
                and _emner_at_least(acc, index.emne, COMMON_AFTER * limit):
            # a common word ("borgere", "kommunen") after rarer ones: looked up for the
            # best candidates only.  Services matching nothing but common words are then
            # left out (not exact, but they rank below the candidates in practice)
            done = position
            break
        scores = word.scores(index)
        if acc:
            # the services of both: their new sums (added in C), then the word's scores
            # and those sums written over (the word's long dict is not copied)
            both = scores.keys() & acc.keys()
            summed = dict(zip(both, map(add, map(scores.__getitem__, both),
                                        map(acc.__getitem__, both)), strict=True))
            acc.update(scores)
            acc.update(summed)
        else:
            both = ()
            acc = scores.copy()
        if len(scores) <= SMALL_WORD:
            cands.update(scores)
        else:
            # a service of this long list and of no other word is not in ``cands``
            cands.update(both)
            long_words.append(word)
        if len(acc) >= depth and position + 1 < len(words_) and len(acc) <= THETA_MAX \
                and max(acc.values()) > reach[position + 1]:
            # = the k-th largest in _pool(acc, ..., depth) (a service outside it scores at
            # most as much as ``depth`` others of its one list in it), without the pool
            theta = _kth_largest(acc.values(), depth)
    total = len(acc)
    rest = words_[done:]
    if rest:
        # only services that can still reach the top: look the remaining words up
        floor = theta - reach[done]
        pool = _pool(acc, cands, long_words, LOOKUP_CANDIDATES, index)
        hopeful = list(compress(pool, map(floor.__le__, pool.values())))
        if len(hopeful) > LOOKUP_CANDIDATES:
            hopeful = sorted(hopeful, key=acc.__getitem__, reverse=True)[:LOOKUP_CANDIDATES]
        hopeful.extend(doc for doc in boost_docs if doc in acc)
        if in_title:
            # a service whose title is among the query's words may match only words that
            # were not walked: it starts from 0 (it has none of the walked words)
            for doc in in_title:
                if doc not in acc:
                    acc[doc] = 0.0
                hopeful.append(doc)
        hopeful = list(dict.fromkeys(hopeful))   # each service looked up once
        cands.update(hopeful)                    # their scores grow below
        for word in rest:
            if word._scores is not None or word.cost <= len(hopeful) * LOOKUP_COST:
                # (a word's scores are never 0: each holds MATCH_BONUS)
                scores = word.scores(index)
                found = list(compress(hopeful, map(scores.__contains__, hopeful)))
                acc.update(zip(found, map(add, map(acc.__getitem__, found),
                                          map(scores.__getitem__, found)), strict=True))
            else:
                for doc in hopeful:
                    value = word.lookup(index, doc)
                    if value:
                        acc[doc] += value
    cands.update(kle_docs)
    cands.update(boost_docs)
    if in_title:
        cands.update(in_title)
    for doc in kle_docs:
        value = acc.get(doc)
        if value is None:
            total += 1
            value = 0.0
        acc[doc] = value + KLE_SCORE + MATCH_BONUS
    for doc in boost_docs:
        value = acc.get(doc)
        if value is not None:
            acc[doc] = value * PHRASE_BONUS
    if in_title:
        for doc in in_title:
            value = acc.get(doc)
            if value:
                acc[doc] = value * TITLE_IN_QUERY_BONUS
            elif value is not None:
                del acc[doc]          # added for the lookups above, matched nothing
    pool = _pool(acc, cands, long_words, limit * 4 + 10, index)
    return _diverse_top(index, pool, limit), total, matched_terms


def _emner_at_least(acc: dict[int, float], emne, count: int) -> bool:
    """Whether the services in ``acc`` belong to at least ``count`` KLE emner (a big
    catalogue has many services per emne: counting services would stop too early)."""
    seen: set[int] = set()
    for doc in acc:
        seen.add(emne[doc] or -doc - 1)      # no emne: a group of its own
        if len(seen) >= count:
            return True
    return False


def _pool(acc: dict[int, float], cands: set[int], long_words: list[_Word], k: int,
          index: SearchIndex) -> dict[int, float]:
    """The services the best ``k`` of ``acc`` are among, without a pass over thousands of
    one-word matches: ``cands`` (services of the short lists, of two or more lists, looked
    up or boosted) plus, for each long list, its own best services outside ``cands`` (a
    service outside ``cands`` matched that one list only, so it scores what the list
    gives it; each list keeps its best services sorted, cached with the word)."""
    if len(acc) <= SORT_MAX or not long_words:
        return acc
    docs = list(compress(cands, map(acc.__contains__, cands)))   # in the order of cands
    pool = dict(zip(docs, map(acc.__getitem__, docs), strict=True))
    for word in long_words:
        # its first k services outside ``cands`` (picked in C), from the first 2k of its
        # best (the prefix of its BEST_KEPT best) unless too many of those are candidates
        best = word.best(index, 2 * k)
        taken = list(islice(filterfalse(cands.__contains__, best), k))
        if len(taken) < k and len(best) < BEST_KEPT:
            best = word.best(index)
            taken = list(islice(filterfalse(cands.__contains__, best), k))
        if len(taken) < k and len(best) < len(word.scores(index)):
            return acc        # more of its services are candidates than it keeps
        pool.update(zip(taken, map(acc.__getitem__, taken), strict=True))
    return pool


def _floor(values: list[float], k: int) -> float:
    """A score about the 2k-th largest of ``values``, from an evenly spaced sample sorted
    in C: the callers keep only the values at or above it (picked in C) and check that at
    least k are - so it needs to be no exact bound, only cheap."""
    step = max(1, len(values) // FLOOR_SAMPLE)
    sample = sorted(values[::step])
    return sample[-min(len(sample), 2 * k // step + 1)]


def _kth_largest(values, k: int) -> float:
    """The k-th largest of ``values`` (0.0 when there are fewer): sorting the scores in C
    beats heapq.nlargest's Python loop up to a few thousand (scores have many ties).  Of
    many values, only those at or above a sampled floor are sorted: when at least k are,
    the k-th largest is among them."""
    if len(values) < k:
        return 0.0
    if len(values) > SAMPLED_FACTOR * k:
        values = list(values)
        floor = _floor(values, k)
        above = list(filter(floor.__le__, values))
        if len(above) >= k:
            values = above
    if len(values) <= CUT_SORT_MAX:
        return sorted(values)[-k]
    return heapq.nlargest(k, values)[-1]


def _top_items(scores: dict[int, float], k: int) -> list[tuple[int, float]]:
    """``sorted(scores.items(), key=value, reverse=True)[:k]``: the sort in C is the faster
    way up to several thousand services (their scores have many ties); heapq.nlargest (the
    same result) beyond.  Of many services, only those scoring at least a sampled floor
    are sorted: when at least k do, the first k of their (stable) sort are the first k of
    the whole sort, ties in dict order included."""
    if len(scores) > SAMPLED_FACTOR * k:
        values = list(scores.values())
        floor = _floor(values, k)
        items = list(compress(scores.items(), map(floor.__le__, values)))
        if len(items) >= k:
            return sorted(items, key=itemgetter(1), reverse=True)[:k]
    if len(scores) > TOP_SORT_MAX:
        return heapq.nlargest(k, scores.items(), key=itemgetter(1))
    return sorted(scores.items(), key=itemgetter(1), reverse=True)[:k]


def _diverse_top(index: SearchIndex, acc: dict[int, float],
                 limit: int) -> list[tuple[int, float]]:
    """The best ``limit`` services, where each further service of a KLE emne already shown
    counts DIVERSITY times less: five variants of one emne ("Brandsyn: ansøgning", "Brandsyn:
    klage" ...) do not push every other emne of nearly the same score off the page."""
    size = limit * 4 + 10
    if len(acc) > size:
        # the services scoring at least the size-th best score, picked in C: only those few
        # become (score, service) pairs
        values = acc.values()
        cut = _kth_largest(values, size)
        if len(acc) > SORT_MAX:      # every service tied at the cut
            docs = list(compress(acc, map(cut.__le__, values)))
        else:                        # the best ``size``, ties at the cut by service number
            docs = list(compress(acc, map(cut.__lt__, values)))
            docs += sorted(compress(acc, map(cut.__eq__, values)))[:size - len(docs)]
        pool = list(zip(map(neg, map(acc.__getitem__, docs)), docs, strict=True))
    else:
        pool = list(zip(map(neg, acc.values()), acc, strict=False))
    heapq.heapify(pool)
    heappop, heappush = heapq.heappop, heapq.heappush
    powers = _DIVERSITY_POWERS
    emne = index.emne
    shown: dict[int, int] = {}
    top: list[tuple[int, float]] = []
    while pool:
        negative, doc = heappop(pool)
        group = emne[doc]
        times = shown.get(group, 0) if group else 0
        if times:
            score = acc[doc] * powers[times]
            if score < -negative and pool and -pool[0][0] > score:
                heappush(pool, (-score, doc))   # look again once its turn comes
                continue
        else:
            score = -negative       # the first of its emne: its own score, never lowered
        top.append((doc, score))
        if group:
            shown[group] = times + 1
        if len(top) >= limit:
            break
    return top


def _combine_parts(index: SearchIndex, parts: tuple[str, ...],
                   require_all: bool) -> dict[int, float]:
    """Summed impacts of a compound's parts per service: services with all the parts
    (``require_all``) or with any of them (do not modify the result: it may be a term's
    shared map)."""
    maps = []
    for term in dict.fromkeys(parts):
        ids, impacts = index.postings(term)
        if ids:
            maps.append((ids, impacts, term))
        elif require_all:
            return {}
    if not maps:
        return {}
    maps.sort(key=lambda pm: len(pm[0]))
    term_map = index.term_map
    combined = term_map(maps[0][2])
    shared = True
    for ids, impacts, term in maps[1:]:
        if require_all:
            if len(ids) > 8 * len(combined):
                # few candidates: looked up in the long list (its map when cached, else by
                # binary search), in the order of ``combined``
                other = index.cached_term_map(term)
                if other is not None:
                    combined = {doc: value + other[doc] for doc, value in combined.items()
                                if doc in other}
                else:
                    found = {}
                    size = len(ids)
                    for doc, value in combined.items():
                        i = bisect_left(ids, doc)
                        if i < size and ids[i] == doc:
                            found[doc] = value + impacts[i]
                    combined = found
            else:
                other = term_map(term)
                # the services of both, found as ``combined.keys() & other.keys()`` would
                # (the shorter side iterated, so the order is the same)
                if len(other) > len(combined):
                    common = set(compress(combined, map(other.__contains__, combined)))
                else:
                    common = set(compress(other, map(combined.__contains__, other)))
                combined = {doc: combined[doc] + other[doc] for doc in common}
            shared = False
            if not combined:
                return {}
        else:
            # every service of either; the sums of the shared ones added in C
            other = term_map(term)
            both = combined.keys() & other.keys()
            summed = dict(zip(both, map(add, map(other.__getitem__, both),
                                        map(combined.__getitem__, both)), strict=True))
            if shared:
                combined = combined.copy()
                shared = False
            combined.update(other)
            combined.update(summed)
    return combined


def _kle_prefix_docs(index: SearchIndex, prefix: str) -> set[int]:
    """Services with a KLE number that starts with a partial number ("23.0", "23.05.1")."""
    keys = index.kle_keys
    found: set[int] = set()
    i = bisect_left(keys, prefix)
    while i < len(keys) and keys[i].startswith(prefix):
        found.update(index.kle[keys[i]])
        i += 1
    return found


def _kle_docs(index: SearchIndex, number: str):
    """(services, the number they were found for, whether it is a nearer parent)."""
    docs = index.kle.get(number) or index.kle_mentions.get(number)
    if docs:
        return docs, number, False
    last = number.rsplit(".", 1)[-1]
    if len(last) == 1:
        # a partial group: "23.0" is a prefix of 23.00 ... 23.09; else "23.5" meant 23.05
        found = _kle_prefix_docs(index, number)
        if found:
            return found, number, False
        padded = number[:-1] + "0" + last
        docs = index.kle.get(padded) or index.kle_mentions.get(padded)
        if docs:
            return docs, padded, False
    parts = number.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:cut])
        if len(prefix.rsplit(".", 1)[-1]) == 2 and prefix in index.kle:
            return index.kle[prefix], prefix, True
    return (), number, False


def _kle_search(index: SearchIndex, text: str, number: str, limit: int,
                language: str | None) -> SearchResult:
    docs, found_for, nearer = _kle_docs(index, number)
    if not docs:
        return _result(STATUS_NO_HITS, text, message=MESSAGE_KLE_NONE, kle_prefix=number,
                       params={"number": number})
    asked, number = number, found_for
    ordered = sorted(set(docs), key=lambda d: (
        0 if number in index.services[d].kle else 1,
        min((n for n in index.services[d].kle if n.startswith(number)), default=""),
        index.services[d].id))
    hits = tuple(_hit(index, doc, 1.0, set(), language) for doc in ordered[:limit])
    if nearer:
        return _result(STATUS_OK, text, message=MESSAGE_KLE_NEAREST, hits=hits,
                       total=len(ordered), kle_prefix=number,
                       params={"count": len(ordered), "number": asked, "nearest": number})
    return _result(STATUS_OK, text, hits=hits, total=len(ordered),
                   params={"count": len(ordered)}, kle_prefix=number)


# --------------------------------------------------------------------- highlights

def highlight(index: SearchIndex, text: str, matched_terms: set[str]) -> tuple[Span, ...]:
    """Offsets of the words in ``text`` that matched (directly or as compound parts)."""
    if not text or not matched_terms:
        return ()
    spans = index._span_cache.get(text)
    if spans is None:
        spans = index.key_spans(text)
    return _matched_spans(spans, matched_terms)


def _matched_spans(spans: dict[str, tuple[Span, ...]], matched: set[str]) -> tuple[Span, ...]:
    """The spans of the matched keys in text order, each once (a word with two matched
    keys - its term and a part - is one span)."""
    common = matched & spans.keys()
    if not common:
        return ()
    if len(common) == 1:
        return spans[common.pop()]
    return _merged_spans(spans, common)


def _merged_spans(spans: dict[str, tuple[Span, ...]], keys: set[str]) -> tuple[Span, ...]:
    found = list(map(spans.__getitem__, keys))
    first = found[0]
    if all(map(first.__eq__, found)):
        return first          # the keys of one word (its term and a part): the same spans
    return tuple(sorted(set(chain.from_iterable(found))))


def _hit(index: SearchIndex, doc: int, score: float, matched: set[str],
         language: str | None) -> Hit:
    service = index.services[doc]
    title = service.title
    if type(title) is not str:
        title = pick_language(title, language)
    description = service.description
    if type(description) is not str:
        description = pick_language(description, language)
    if not matched:
        return _new_hit(service, round(score, 4), title, (), (), (), description)
    cached = index._span_cache.get
    key_spans = index.key_spans

    def spans_in(text: str) -> tuple[Span, ...]:
        spans = cached(text)   # the span cache looked up directly: a hit asks for 3+ texts
        return _matched_spans(key_spans(text) if spans is None else spans, matched)

    keywords = []
    for keyword in service.keywords:
        if keyword:
            found = spans_in(keyword)
            if found:
                keywords.append((keyword, found))
                if len(keywords) >= 3:
                    break
    title_spans = spans_in(title) if title else ()
    description_spans = spans_in(description) if description else ()
    return _new_hit(service, round(score, 4), title, title_spans, tuple(keywords),
                    description_spans, description)


def split_by_spans(text: str, spans: tuple[Span, ...]) -> list[tuple[str, bool]]:
    """[(piece, is_match)]: what a renderer turns into text nodes and <mark> elements."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for start, end in sorted(spans):
        if start < pos:
            continue
        if start > pos:
            out.append((text[pos:start], False))
        out.append((text[start:end], True))
        pos = end
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def localized(text: LocalizedText, language: str | None) -> str:
    return pick_language(text, language)


_SAFE_RE = re.compile(r"\s+")


def display_query(query: str, limit: int = 80) -> str:
    """The query as it may be echoed back (collapsed whitespace, bounded length)."""
    text = _SAFE_RE.sub(" ", query or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
