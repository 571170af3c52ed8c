"""The search index over an atlas: built once per atlas content digest, then only read.

Design (pure Python, aiming at < 1 ms per query for 10,000 services):

* Every word is reduced to a *term*: the folded Danish stem (see :mod:`.text`).  Postings map
  a term to two compact arrays (service numbers, impact scores).  The impact already holds
  BM25F weighting with field weights (title > søgeord > unit > description), so a query only
  adds numbers; it never looks at text.
* Compound words are split against the atlas's own vocabulary ("boligstøtte" → bolig +
  støtte, "skadedyrsbekæmpelse" → skadedyr + s + bekæmpelse).  The parts are indexed as extra
  terms with a lower weight, so "støtte til bolig" finds "Boligstøtte"; the query side
  splits too, so "boligstøtte" finds "støtte til bolig".
* Typo tolerance uses a symmetric-deletion dictionary (SymSpell) over the folded surface
  words: a lookup costs a few dozen dict probes, never a scan of the vocabulary.
* Prefix completion uses the sorted list of surface words and ``bisect``.
* Query-word expansions are cached per index (bounded), so repeated words cost nothing.
"""
from __future__ import annotations

import bisect
import math
import re
import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from competency_xblock.text import LocalizedText

from .model import Atlas, Service
from .text import (
    KLE_IN_TEXT_RE,
    STOPWORDS,
    damerau_levenshtein,
    deletes,
    fold,
    stem_folded,
    tokenize,
    unify_hyphens,
    words,
)

#: Field weights: where a word occurs says how much it matters.
FIELD_WEIGHTS = {"title": 3.0, "keywords": 2.2, "unit": 0.6, "description": 0.7,
                 "referral": 0.4}
#: BM25 length normalisation per field (keywords are many short phrases: little penalty).
FIELD_B = {"title": 0.6, "keywords": 0.25, "unit": 0.3, "description": 0.75, "referral": 0.75}
K1 = 1.2
COMPOUND_PART_WEIGHT = 0.7
MIN_PART = 3
MIN_COMPOUND = 6
FUZZY_MIN_LEN = 4
EXPANSION_CACHE = 20_000
WORD_CACHE = 50_000
MAX_PREFIX_EXPANSIONS = 24
LINKING = ("s", "e")


def _variants(text: LocalizedText | None) -> list[str]:
    if not text:
        return []
    if isinstance(text, str):
        return [text]
    return [v for v in dict.fromkeys(text.values()) if v]


@dataclass(frozen=True, slots=True)
class Expansion:
    """One index term a query word stands for, and how much to trust the match."""

    term: str
    quality: float
    kind: str          # exact | synonym | prefix | fuzzy | compound | truncated
    surface: str = ""  # the vocabulary word that matched (for "did you mean")


class SearchIndex:
    """Inverted index over one atlas version.  Thread-safe for reading."""

    def __init__(self, atlas: Atlas) -> None:
        self.atlas = atlas
        self.digest = atlas.digest
        self.services: tuple[Service, ...] = atlas.services
        self.size = len(self.services)
        self._lock = threading.Lock()
        self._expansion_cache: OrderedDict[tuple, tuple] = OrderedDict()
        self._word_cache: dict[str, tuple] = {}
        self._build()

    # ------------------------------------------------------------------ build
    def _build(self) -> None:
        fields_per_doc: list[dict[str, list[list[str]]]] = []
        surfaces: dict[str, int] = {}
        interned: dict[str, str] = {}
        unit_words = {uid: [w for v in _variants(u.name) for w in words(v)]
                      for uid, u in self.atlas.units.items()}
        for service in self.services:
            fields = {
                "title": [words(v) for v in _variants(service.title)],
                "keywords": [words(k) for k in service.keywords],
                "unit": [unit_words.get(service.unit, [])],
                "description": [words(v) for v in _variants(service.description)],
                "referral": [words(v) for v in _variants(service.referral_notes)],
            }
            fields_per_doc.append(fields)
            for phrases in fields.values():
                for phrase in phrases:
                    for i, word in enumerate(phrase):
                        count = surfaces.get(word)
                        if count is None:
                            surfaces[word] = 1
                        else:
                            surfaces[word] = count + 1
                            phrase[i] = interned.get(word, word)   # one string per word
                        interned.setdefault(word, word)
        # vocabulary: folded surface words and their stems
        self.surface_stem: dict[str, str] = {}
        self.stems: set[str] = set()
        for word in surfaces:
            if word.isdigit() or word in STOPWORDS:
                continue
            term = stem_folded(word)
            self.surface_stem[word] = term
            self.stems.add(term)
        # how a vocabulary word is written (for "showing results for ..."): first seen form
        self.display: dict[str, str] = {}
        for service in self.services:
            for text in (*_variants(service.title), *service.keywords):
                for token in tokenize(text):
                    self.display.setdefault(token.folded, token.surface.lower())
        # compound parts: every known word, its stem, and the forms in between ("rotter" →
        # rot, rott, rotte, rotter), so "rottebekæmpelse" splits at "rotte" without stemming
        # every substring at query time
        self.part_vocab = set()
        for word, term in self.surface_stem.items():
            start = len(term) if word.startswith(term) else len(word)
            for end in range(max(start, MIN_PART), len(word) + 1):
                self.part_vocab.add(word[:end])
            if len(term) >= MIN_PART:
                self.part_vocab.add(term)
        self.part_vocab -= STOPWORDS
        self.surface_freq = surfaces
        # compound splits of every vocabulary word (at most once per word)
        self.splits: dict[str, tuple[str, ...]] = {}
        tails: dict[str, str] = {}
        for word in list(self.surface_stem):
            if len(word) >= MIN_COMPOUND:
                parts = self.split_compound(word)
                if parts:
                    self.splits[word] = tuple(stem_folded(p) for p in parts)
                    tails[word] = parts[-1]
        # Danish coordinated compounds: "plante- og dyrearter" also says "plantearter"
        for doc, service in enumerate(self.services):
            for name, texts in (("title", _variants(service.title)),
                                ("keywords", list(service.keywords)),
                                ("description", _variants(service.description))):
                for text in texts:
                    if "-" not in text and "\u2010" not in text:
                        continue
                    extra = coordinated_compounds(text, tails)
                    if not extra:
                        continue
                    fields_per_doc[doc][name].append(extra)
                    for word in extra:
                        if word not in self.surface_stem:
                            self.surface_stem[word] = stem_folded(word)
                            self.stems.add(self.surface_stem[word])
                            parts = self.split_compound(word)
                            if parts:
                                self.splits[word] = tuple(stem_folded(p) for p in parts)
                        surfaces[word] = surfaces.get(word, 0) + 1
        self.sorted_surfaces = sorted(self.surface_stem)
        # field lengths first (BM25 needs the averages), then one document at a time:
        # per-term weighted frequency → posting; no per-document structures are kept
        names = tuple(FIELD_WEIGHTS)
        doc_lens: list[tuple[int, ...]] = []
        field_len_sum = dict.fromkeys(names, 0)
        for fields in fields_per_doc:
            lens = []
            for name in names:
                count = sum(len(phrase) for phrase in fields[name])
                if name == "keywords":
                    count = min(count, 6 + count // 8)
                lens.append(count)
                field_len_sum[name] += count
            doc_lens.append(tuple(lens))
        n = max(self.size, 1)
        avg_len = {name: max(total / n, 1.0) for name, total in field_len_sum.items()}
        weights = [FIELD_WEIGHTS[name] for name in names]
        bs = [FIELD_B[name] for name in names]
        avgs = [avg_len[name] for name in names]
        postings_ids: dict[str, array] = {}
        postings_imp: dict[str, array] = {}
        terms_of = self._terms_of
        surface_stem = self.surface_stem
        phrases: dict[frozenset, list[int]] = {}
        self.phrases = phrases
        for doc, fields in enumerate(fields_per_doc):
            lens = doc_lens[doc]
            tfw: dict[str, float] = {}
            for position, name in enumerate(names):
                scale = weights[position] / (1.0 - bs[position]
                                             + bs[position] * lens[position] / avgs[position])
                for phrase in fields[name]:
                    if name == "keywords":
                        # tf for søgeord = number of søgeord phrases containing the term
                        seen: dict[str, float] = {}
                        for word in phrase:
                            for term, weight in terms_of(word):
                                if weight > seen.get(term, 0.0):
                                    seen[term] = weight
                        for term, weight in seen.items():
                            tfw[term] = tfw.get(term, 0.0) + weight * scale
                    else:
                        for word in phrase:
                            for term, weight in terms_of(word):
                                tfw[term] = tfw.get(term, 0.0) + weight * scale
            for term, value in tfw.items():
                ids = postings_ids.get(term)
                if ids is None:
                    ids = postings_ids[term] = array("I")
                    postings_imp[term] = array("f")
                ids.append(doc)
                postings_imp[term].append(value)
            # bag-of-terms keys of titles and søgeord (an exact phrase match earns a bonus)
            service = self.services[doc]
            originals = fields["title"][:len(_variants(service.title))] + \
                fields["keywords"][:len(service.keywords)]
            for phrase in originals:
                key = frozenset(surface_stem[w] for w in phrase if w in surface_stem)
                if key:
                    bucket = phrases.setdefault(key, [])
                    if not bucket or bucket[-1] != doc:
                        bucket.append(doc)
            fields_per_doc[doc] = None   # free as we go: large atlases stay within memory
        df = {term: len(ids) for term, ids in postings_ids.items()}
        self.df = df
        factor = K1 + 1.0
        for term, values in postings_imp.items():
            idf = math.log(1.0 + (n - df[term] + 0.5) / (df[term] + 0.5))
            for i, value in enumerate(values):
                values[i] = idf * value * factor / (value + K1)
        self.postings_ids = postings_ids
        self.postings_imp = postings_imp
        self.max_impact = {term: max(imps) for term, imps in postings_imp.items()}
        self.idf = {term: math.log(1.0 + (n - d + 0.5) / (d + 0.5)) for term, d in df.items()}
        # symmetric-deletion dictionary for typo tolerance (distance 1 on each side)
        self.deletion_index: dict[str, list[str]] = {}
        for word in self.surface_stem:
            if len(word) >= FUZZY_MIN_LEN and word.isalpha():
                for key in deletes(word) | {word}:
                    self.deletion_index.setdefault(key, []).append(word)
        # KLE numbers and their prefixes
        self.kle: dict[str, list[int]] = {}
        for doc, service in enumerate(self.services):
            for number in service.kle:
                parts = number.split(".")
                for i in range(1, len(parts) + 1):
                    self.kle.setdefault(".".join(parts[:i]), []).append(doc)
        # KLE numbers written in søgeord or descriptions ("Tidligere emnenr. 07.01.04"):
        # old numbers keep finding the service after KL renumbers
        self.kle_mentions: dict[str, list[int]] = {}
        for doc, service in enumerate(self.services):
            for text in (*service.keywords, *_variants(service.description)):
                for number in KLE_IN_TEXT_RE.findall(text):
                    bucket = self.kle_mentions.setdefault(number, [])
                    if not bucket or bucket[-1] != doc:
                        bucket.append(doc)
        # synonyms declared by the atlas author
        self.synonyms: dict[str, set[str]] = {}
        for group in self.atlas.synonyms:
            terms = {" ".join(stem_folded(w) for w in words(item)) for item in group}
            for term in terms:
                self.synonyms.setdefault(term, set()).update(terms - {term})

    def _terms_of(self, word: str) -> list[tuple[str, float]]:
        term = self.surface_stem.get(word)
        if term is None:
            return []
        parts = self.splits.get(word)
        if not parts:
            return [(term, 1.0)]
        out = [(term, 1.0)]
        out.extend((p, COMPOUND_PART_WEIGHT) for p in parts if p != term)
        return out

    # ------------------------------------------------------------ compounds
    def _is_part(self, piece: str, last: bool) -> bool:
        if piece in self.part_vocab:
            return True
        return last and len(piece) >= MIN_PART and piece not in STOPWORDS \
            and stem_folded(piece) in self.stems

    def split_compound(self, word: str, max_parts: int = 3) -> list[str] | None:
        """Split a folded word into vocabulary words (with an optional linking -s-/-e-).

        Prefers fewer and longer parts: "boligstoette" → ["bolig", "stoette"].  When no
        split into known words exists, a two-part split where one side is a known word of
        at least 5 letters and the other has at least 4 is accepted ("rottebekaempelse" →
        ["rotte", "bekaempelse"]): the tail of a Danish compound is usually a common word
        while its head varies.
        """
        n = len(word)
        if n < MIN_COMPOUND:
            return None
        best: tuple[int, int, list[str]] | None = None

        def search(start: int, parts: list[str]) -> None:
            nonlocal best
            if len(parts) >= max_parts:
                return
            for end in range(n - MIN_PART, start + MIN_PART - 1, -1):
                head = word[start:end]
                if not self._is_part(head, last=False):
                    continue
                for link in ("", *LINKING):
                    rest_start = end + len(link)
                    if link and not word.startswith(link, end):
                        continue
                    rest = word[rest_start:]
                    if self._is_part(rest, last=True):
                        found = [*parts, head, rest]
                        score = (-len(found), sum(len(p) ** 2 for p in found))
                        if best is None or score > best[:2]:
                            best = (score[0], score[1], found)
                    elif len(rest) >= MIN_PART * 2:
                        search(rest_start, [*parts, head])

        # fast path: most compounds have two parts
        for end in range(n - MIN_PART, MIN_PART - 1, -1):
            head = word[:end]
            if not self._is_part(head, last=False):
                continue
            for link in ("", *LINKING):
                if link and not word.startswith(link, end):
                    continue
                rest = word[end + len(link):]
                if self._is_part(rest, last=True):
                    score = (-2, len(head) ** 2 + len(rest) ** 2)
                    if best is None or score > best[:2]:
                        best = (score[0], score[1], [head, rest])
        if best is None and n >= MIN_PART * 3:
            search(0, [])
        if best:
            return best[2]
        return self._half_known_split(word)

    def _half_known_split(self, word: str) -> list[str] | None:
        n = len(word)
        if n < 9:
            return None
        choice: tuple[int, list[str]] | None = None
        for cut in range(4, n - 3):
            head, tail = word[:cut], word[cut:]
            known_tail = len(tail) >= 5 and self._is_part(tail, last=True)
            known_head = len(head) >= 5 and self._is_part(head, last=False)
            if not (known_tail or known_head):
                continue
            if head.endswith(LINKING) and len(head) > 5 and known_tail:
                head = head[:-1]
            if head in STOPWORDS or tail in STOPWORDS:
                continue
            known = len(tail) if known_tail else len(head)
            if choice is None or known > choice[0]:
                choice = (known, [head, tail])
        return choice[1] if choice else None

    # ------------------------------------------------------------ expansion
    def expand(self, folded: str, *, allow_prefix: bool) -> tuple[tuple[Expansion, ...], tuple]:
        """Terms a folded query word stands for, plus compound alternatives: (part terms,
        whether all parts must occur).  Cached."""
        key = (folded, allow_prefix)
        with self._lock:
            cached = self._expansion_cache.get(key)
            if cached is not None:
                self._expansion_cache.move_to_end(key)
                return cached
        result = self._expand(folded, allow_prefix)
        with self._lock:
            self._expansion_cache[key] = result
            if len(self._expansion_cache) > EXPANSION_CACHE:
                self._expansion_cache.popitem(last=False)
        return result

    def _expand(self, folded: str, allow_prefix: bool):
        found: dict[str, Expansion] = {}

        def add(term: str, quality: float, kind: str, surface: str = "") -> None:
            if term in self.postings_ids:
                current = found.get(term)
                if current is None or quality > current.quality:
                    found[term] = Expansion(term, quality, kind, surface)

        term = stem_folded(folded)
        exact = term in self.postings_ids
        add(term, 1.0, "exact", folded)
        for synonym in self.synonyms.get(term, ()):
            add(synonym, 0.95, "synonym")
        compounds: list[tuple[tuple[str, ...], bool]] = []
        parts = self.split_compound(folded) if len(folded) >= MIN_COMPOUND else None
        if parts:
            # a known word must find all its parts; an unknown one may match some of them
            compounds.append((tuple(stem_folded(p) for p in parts), exact))
        if allow_prefix and len(folded) >= 3:
            for surface in self._prefix_words(folded):
                add(self.surface_stem[surface], 0.75 if len(folded) >= 5 else 0.6, "prefix",
                    surface)
        if not exact and folded.isalpha() and len(folded) >= FUZZY_MIN_LEN:
            for surface, distance in self._fuzzy_words(folded):
                add(self.surface_stem[surface], 0.8 if distance == 1 else 0.6, "fuzzy", surface)
            if not found and not compounds:
                # a long unknown inflection ("flyttede"): the longest known stem it starts with
                for cut in range(len(folded) - 1, 3, -1):
                    piece = folded[:cut]
                    if piece in self.stems and piece in self.postings_ids:
                        add(piece, 0.6, "truncated", piece)
                        break
        ranked = sorted(found.values(), key=lambda e: (-e.quality, e.term))
        return tuple(ranked[:MAX_PREFIX_EXPANSIONS + 4]), tuple(compounds)

    def _prefix_words(self, prefix: str) -> list[str]:
        start = bisect.bisect_left(self.sorted_surfaces, prefix)
        out = []
        for i in range(start, min(start + 400, len(self.sorted_surfaces))):
            word = self.sorted_surfaces[i]
            if not word.startswith(prefix):
                break
            if word != prefix:
                out.append(word)
        if len(out) > MAX_PREFIX_EXPANSIONS:
            out.sort(key=lambda w: -self.surface_freq.get(w, 0))
            out = out[:MAX_PREFIX_EXPANSIONS]
        return out

    def _fuzzy_words(self, folded: str) -> list[tuple[str, int]]:
        """Vocabulary words within one edit (two for words of 8+ letters, tried only when
        nothing is one edit away)."""
        index = self.deletion_index
        keys = deletes(folded)
        keys.add(folded)
        candidates: set[str] = set()
        for key in keys:
            found = index.get(key)
            if found:
                candidates.update(found)
        out = [(w, d) for w in candidates
               if (d := damerau_levenshtein(folded, w, 1)) <= 1]
        if not out and len(folded) >= 8:
            wider: set[str] = set()
            for key in keys:
                for key2 in deletes(key):
                    found = index.get(key2)
                    if found:
                        wider.update(found)
            wider -= candidates
            out = [(w, d) for w in wider if abs(len(w) - len(folded)) <= 2
                   and (d := damerau_levenshtein(folded, w, 2)) <= 2]
        out.sort(key=lambda item: (item[1], -self.surface_freq.get(item[0], 0), item[0]))
        return out[:8]

    # ------------------------------------------------------------ postings
    def postings(self, term: str) -> tuple[array, array]:
        return self.postings_ids.get(term, _EMPTY_I), self.postings_imp.get(term, _EMPTY_F)

    def word_terms(self, text: str) -> tuple[tuple[int, int, frozenset[str]], ...]:
        """(start, end, terms) for each word of ``text``: what highlighting compares with
        the matched terms.  Cached per text (titles and søgeord repeat across queries)."""
        cache = self._word_cache
        found = cache.get(text)
        if found is not None:
            return found
        out = []
        for token in tokenize(text):
            term = self.surface_stem.get(token.folded) or stem_folded(token.folded)
            parts = self.splits.get(token.folded, ())
            out.append((token.start, token.end, frozenset((term, *parts))))
        found = tuple(out)
        if len(cache) >= WORD_CACHE:
            cache.clear()
        cache[text] = found
        return found

    def terms_for_words(self, text: str) -> Iterable[tuple[str, tuple[str, ...]]]:
        for word in words(text):
            term = self.surface_stem.get(word) or stem_folded(word)
            yield term, self.splits.get(word, ())


_COORD_RE = re.compile(r"([^\W_]+)(-?)", re.UNICODE)
_COORDINATORS = frozenset({"og", "eller", "samt"})


def coordinated_compounds(text: str, tails: dict[str, str]) -> list[str]:
    """Complete truncated compounds: "Bygge- og anlægsaffald" → ["byggeaffald"],
    "dag-, fritids- og klubtilbud" → ["dagtilbud", "fritidstilbud"]."""
    text = unify_hyphens(text)
    out: list[str] = []
    pending: list[str] = []
    expect_tail = False
    for match in _COORD_RE.finditer(text):
        word, hyphen = fold(match.group(1)), match.group(2)
        after = text[match.end():match.end() + 1]
        if hyphen and (after in (" ", ",") or not after):
            pending.append(word)
            expect_tail = False
            continue
        if pending and word in _COORDINATORS:
            expect_tail = True
            continue
        if pending and expect_tail:
            tail = tails.get(word)
            if tail:
                out.extend(head + tail for head in pending)
        pending = []
        expect_tail = False
    return out


_EMPTY_I = array("I")
_EMPTY_F = array("f")

_CACHE: OrderedDict[str, SearchIndex] = OrderedDict()
_CACHE_LOCK = threading.Lock()
CACHE_SIZE = 6


def get_index(atlas: Atlas) -> SearchIndex:
    """The index for this atlas content, built on first use and shared afterwards."""
    key = atlas.digest or str(id(atlas))
    with _CACHE_LOCK:
        index = _CACHE.get(key)
        if index is not None:
            _CACHE.move_to_end(key)
            return index
    index = SearchIndex(atlas)   # built outside the lock: other atlases stay searchable
    with _CACHE_LOCK:
        existing = _CACHE.get(key)
        if existing is not None:
            return existing
        _CACHE[key] = index
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return index


def clear_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()


def fold_phrase(text: str) -> str:
    return " ".join(fold(w) for w in words(text))
