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
from dataclasses import dataclass, field
from operator import itemgetter

from competency_xblock.text import N_, LocalizedText, pick_language

from .index import SearchIndex, get_index
from .model import Atlas, Service
from .text import KLE_IN_TEXT_RE, STOPWORDS, kle_query, stem_folded, tokenize

MAX_QUERY_CHARS = 300
MAX_QUERY_WORDS = 24
DEFAULT_LIMIT = 10
MAX_LIMIT = 100
PHRASE_BONUS = 1.35
COMPOUND_QUALITY = 0.9
#: One matched query word is worth more than any sum of scores (see :func:`_rank`).
SLOT = 4096.0
#: Postings walked for loose (prefix, fuzzy) expansions of one word before we stop adding.
EXPANSION_BUDGET = 3000
#: Below this many postings a query is evaluated in full; above, common words are cut.
FULL_BUDGET = 4000
LOOKUP_CANDIDATES = 60
#: A binary-search lookup costs about this many dict updates.
LOOKUP_COST = 8

STATUS_OK = "ok"
STATUS_NO_HITS = "no_hits"
STATUS_EMPTY = "empty_query"
STATUS_TOO_LONG = "query_too_long"

MESSAGES = {
    STATUS_OK: N_("{count} result(s)."),
    STATUS_NO_HITS: N_("Nothing matched. Try another word, a shorter word, or a KLE number "
                       "such as 27.24."),
    STATUS_EMPTY: N_("Type a word to search for, for example \"flytning\", or a KLE number "
                     "such as 23.05."),
    STATUS_TOO_LONG: N_("The search text is too long (at most {limit} characters). Use a few "
                        "words."),
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


def _result(status: str, query: str, **kwargs) -> SearchResult:
    params = kwargs.pop("params", {})
    return SearchResult(status, query, message=MESSAGES[status], params=params, **kwargs)


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
    number = kle_query(text)
    if number is not None:
        return _kle_search(index, text, number, limit, language)
    kle_number = ""
    match = KLE_IN_TEXT_RE.search(text)
    text_words = text
    if match:
        kle_number = match.group(1)
        text_words = (text[: match.start()] + " " + text[match.end():]).strip()
    tokens = [t for t in tokenize(text_words) if t.folded]
    meaningful = [t for t in tokens if t.folded not in STOPWORDS and not t.folded.isdigit()]
    if not meaningful:
        meaningful = [t for t in tokens if not t.folded.isdigit()]
    if not meaningful:
        if kle_number:
            return _kle_search(index, text, kle_number, limit, language)
        return _result(STATUS_EMPTY, text)
    meaningful = meaningful[:MAX_QUERY_WORDS]
    complete_last = as_you_type or (len(meaningful) <= 3 and not query.endswith(" "))
    groups = []
    group_tokens = []
    seen_words: set[str] = set()
    for position, token in enumerate(meaningful):
        if token.folded in seen_words:
            continue
        seen_words.add(token.folded)
        is_last = position == len(meaningful) - 1
        groups.append(index.expand(token.folded, allow_prefix=is_last and complete_last))
        group_tokens.append(token)
    kle_docs: set[int] = set()
    if kle_number:
        # a KLE number among words counts as one more matched word for the services with
        # that number, mention it in a søgeord ("Tidligere emnenr. ..."), or - when it is
        # unknown - belong to its nearest existing gruppe/hovedgruppe
        for candidate in _kle_candidates(index, kle_number):
            kle_docs.update(candidate)
    key = frozenset(stem_folded(t.folded) for t in meaningful)
    boost = dict.fromkeys(index.phrases.get(key, ()), PHRASE_BONUS)
    top, total, matched_terms = _rank(index, groups, limit, boost, kle_docs)
    if not top:
        return _result(STATUS_NO_HITS, text, kle_prefix=kle_number)
    hits = tuple(_hit(index, doc, score, matched_terms, language) for doc, score in top)
    corrections = []
    for (expansions, _compounds), token in zip(groups, group_tokens, strict=False):
        if expansions and all(e.kind == "fuzzy" for e in expansions) and \
                expansions[0].surface and expansions[0].surface != token.folded:
            surface = expansions[0].surface
            corrections.append((token.surface, index.display.get(surface, surface)))
    return _result(STATUS_OK, text, hits=hits, total=total, params={"count": total},
                   corrections=tuple(corrections), kle_prefix=kle_number)


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


class _Group:
    """One query word: the posting lists it stands for, with qualities and a score bound."""

    __slots__ = ("lists", "compounds", "cost", "bound")

    def __init__(self, index: SearchIndex, expansions, compounds, budget: int) -> None:
        self.lists = []
        cost = 0
        bound = 0.0
        # Loose matches (prefix, typo) are scored with the rarity of the word itself (or of
        # the most common candidate), so that a rare completion such as "boligstøttelån"
        # does not outrank the exact "boligstøtte".
        idf = index.idf
        present = [e for e in expansions if e.term in idf]
        exact = [e for e in present if e.kind == "exact"]
        reference = idf[exact[0].term] if exact else min((idf[e.term] for e in present),
                                                         default=0.0)
        for expansion in present:
            ids, impacts = index.postings(expansion.term)
            quality = expansion.quality
            if expansion.kind not in ("exact", "synonym"):
                if cost + len(ids) > budget and self.lists:
                    continue   # enough loose matches: keep the per-query work bounded
                quality *= min(1.0, reference / idf[expansion.term])
            self.lists.append((ids, impacts, quality, expansion.term))
            cost += len(ids)
            bound = max(bound, index.max_impact[expansion.term] * quality)
        self.compounds = []
        for parts, require_all in compounds:
            present = [t for t in parts if t in index.postings_ids]
            if not present or (require_all and len(present) < len(parts)):
                continue
            self.compounds.append((parts, require_all))
            cost += sum(len(index.postings_ids[t]) for t in present)
            bound = max(bound, COMPOUND_QUALITY / len(parts)
                        * sum(index.max_impact[t] for t in present))
        self.cost = cost
        self.bound = bound

    def scores(self, index: SearchIndex) -> dict[int, float]:
        """Best score per service over this word's expansions (full evaluation)."""
        best: dict[int, float] = {}
        for ids, impacts, quality, _term in self.lists:
            if not best:
                best = dict(zip(ids, impacts, strict=False)) if quality == 1.0 else \
                    {doc: w * quality for doc, w in zip(ids, impacts, strict=False)}
                continue
            get = best.get
            for doc, w in zip(ids, impacts, strict=False):
                w *= quality
                if w > get(doc, 0.0):
                    best[doc] = w
        for parts, require_all in self.compounds:
            combined = _combine_parts(index, parts, require_all)
            factor = COMPOUND_QUALITY / len(parts)
            get = best.get
            for doc, w in combined.items():
                w *= factor
                if w > get(doc, 0.0):
                    best[doc] = w
        return best

    def items(self, index: SearchIndex):
        """(service, score) pairs; the common single-list case without building a dict."""
        if len(self.lists) == 1 and not self.compounds:
            ids, impacts, quality, _term = self.lists[0]
            if quality == 1.0:
                return zip(ids, impacts, strict=False)
            return ((doc, w * quality) for doc, w in zip(ids, impacts, strict=False))
        return self.scores(index).items()

    def lookup(self, index: SearchIndex, doc: int) -> float:
        """This word's score for one service (binary search in the posting lists)."""
        best = 0.0
        for ids, impacts, quality, _term in self.lists:
            i = bisect_left(ids, doc)
            if i < len(ids) and ids[i] == doc:
                best = max(best, impacts[i] * quality)
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
        return best

    def terms(self) -> set[str]:
        out = {term for *_rest, term in self.lists}
        for parts, _ in self.compounds:
            out.update(parts)
        return out


def _rank(index: SearchIndex, raw_groups, limit: int, boost: dict[int, float],
          kle_docs: set[int]):
    """Top ``limit`` services, ranked first by how many query words they match, then by the
    sum of the words' best scores.  Both live in one float per service (count × SLOT +
    sum), so accumulation is a single dict update per posting.

    Words are evaluated rarest first.  Once no service outside the candidates found so far
    can reach the top (it could match only the remaining words, fewer than the k-th
    candidate already has), the remaining - common - words are only looked up for the
    candidates that can still make it, instead of being walked in full (MaxScore-style).
    """
    groups = [_Group(index, e, c, EXPANSION_BUDGET) for e, c in raw_groups]
    matched_terms: set[str] = set()
    for group in groups:
        matched_terms |= group.terms()
    groups = [g for g in groups if g.lists or g.compounds]
    if not groups and not kle_docs:
        return [], 0, matched_terms
    groups.sort(key=lambda g: g.cost)
    acc: dict[int, float] = {}
    max_boost = max(boost.values(), default=1.0)
    extra = SLOT if kle_docs else 0.0
    done = len(groups)
    for position, group in enumerate(groups):
        if position and len(acc) >= limit and \
                sum(g.cost for g in groups[position:]) > FULL_BUDGET:
            rest = groups[position:]
            reach = len(rest) * SLOT + sum(g.bound for g in rest) * max_boost + extra
            kth = heapq.nlargest(limit, acc.values())[-1]
            lookups = min(len(acc), LOOKUP_CANDIDATES) * sum(len(g.lists) + len(g.compounds)
                                                              for g in rest)
            if reach < kth and lookups * LOOKUP_COST < sum(g.cost for g in rest):
                done = position
                break
        get = acc.get
        if not acc:
            acc = {doc: w + SLOT for doc, w in group.items(index)}
        else:
            for doc, w in group.items(index):
                acc[doc] = get(doc, 0.0) + w + SLOT
    total = len(acc)
    rest = groups[done:]
    if rest:
        reach = len(rest) * SLOT + sum(g.bound for g in rest) * max_boost + extra
        kth = heapq.nlargest(limit, acc.values())[-1]
        floor = kth - reach
        hopeful = [(doc, v) for doc, v in acc.items() if v >= floor]
        if len(hopeful) > LOOKUP_CANDIDATES:
            hopeful = heapq.nlargest(LOOKUP_CANDIDATES, hopeful, key=itemgetter(1))
        for doc, _value in hopeful:
            for group in rest:
                w = group.lookup(index, doc)
                if w:
                    acc[doc] += w + SLOT
    for doc in kle_docs:
        acc[doc] = acc.get(doc, 0.0) + SLOT
    for doc, factor in boost.items():
        value = acc.get(doc)
        if value is not None:
            count = value // SLOT
            acc[doc] = count * SLOT + (value - count * SLOT) * factor
    top = heapq.nlargest(limit, acc.items(), key=itemgetter(1))
    n = len(raw_groups) + (1 if kle_docs else 0)
    ranked = []
    for doc, value in top:
        count = value // SLOT
        ranked.append((doc, (value - count * SLOT) * count / n))
    ranked.sort(key=lambda item: -acc[item[0]])
    return ranked, total, matched_terms


def _combine_parts(index: SearchIndex, parts: tuple[str, ...],
                   require_all: bool) -> dict[int, float]:
    maps = []
    for term in parts:
        ids, impacts = index.postings(term)
        if ids:
            maps.append((ids, impacts))
        elif require_all:
            return {}
    if not maps:
        return {}
    maps.sort(key=lambda pm: len(pm[0]))
    combined = dict(zip(*maps[0], strict=False))
    for ids, impacts in maps[1:]:
        if require_all:
            # intersect in C, then fetch the few impacts by binary search
            common = combined.keys() & set(ids)
            if not common:
                return {}
            if len(common) * 8 < len(ids):
                combined = {doc: combined[doc] + impacts[bisect_left(ids, doc)]
                            for doc in common}
            else:
                other = dict(zip(ids, impacts, strict=False))
                combined = {doc: combined[doc] + other[doc] for doc in common}
        else:
            get = combined.get
            for doc, w in zip(ids, impacts, strict=False):
                combined[doc] = get(doc, 0.0) + w
    return combined


def _kle_search(index: SearchIndex, text: str, number: str, limit: int,
                language: str | None) -> SearchResult:
    docs = index.kle.get(number, []) or index.kle_mentions.get(number, [])
    if not docs:
        return _result(STATUS_NO_HITS, text, kle_prefix=number)
    ordered = sorted(set(docs), key=lambda d: (
        0 if number in index.services[d].kle else 1,
        min((n for n in index.services[d].kle if n.startswith(number)), default=""),
        index.services[d].id))
    hits = tuple(_hit(index, doc, 1.0, set(), language) for doc in ordered[:limit])
    return _result(STATUS_OK, text, hits=hits, total=len(ordered),
                   params={"count": len(ordered)}, kle_prefix=number)


# --------------------------------------------------------------------- highlights

def highlight(index: SearchIndex, text: str, matched_terms: set[str]) -> tuple[Span, ...]:
    """Offsets of the words in ``text`` that matched (directly or as compound parts)."""
    if not text or not matched_terms:
        return ()
    return tuple((start, end) for start, end, terms in index.word_terms(text)
                 if not matched_terms.isdisjoint(terms))


def _hit(index: SearchIndex, doc: int, score: float, matched: set[str],
         language: str | None) -> Hit:
    service = index.services[doc]
    title = pick_language(service.title, language)
    description = pick_language(service.description, language)
    keywords = []
    if matched:
        for keyword in service.keywords:
            spans = highlight(index, keyword, matched)
            if spans:
                keywords.append((keyword, spans))
                if len(keywords) >= 3:
                    break
    return Hit(service=service, score=round(score, 4), title=title,
               title_spans=highlight(index, title, matched), keywords=tuple(keywords),
               description=description,
               description_spans=highlight(index, description, matched) if matched else ())


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
