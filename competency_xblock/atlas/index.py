"""The search index over an atlas: built once per atlas content digest, then only read.

Design (pure Python; about a millisecond per query at 10,000 services):

* Every word is reduced to a *term*: the folded Danish stem (see :mod:`.text`).  Postings map
  a term to two compact arrays (service numbers, impacts).  The impact already holds BM25F
  (field weights title > søgeord > description > unit > KLE context, per-field length
  normalisation, IDF), so a query only adds numbers; it never looks at text.
* Fields: the title, the søgeord, the responsible unit (and its parents), the description,
  referral notes, and a low-weight *KLE context*: the titles of the emne, gruppe and
  hovedgruppe of the service's KLE numbers (from the shipped KLE catalogue).  Context lets
  "vejbelysning" find a service filed under gruppe "Kommunale veje" that never says "vej".
* Compound words are split against the atlas's own vocabulary ("boligstøtte" → bolig +
  støtte, "skadedyrsbekæmpelse" → skadedyr + s + bekæmpelse).  The parts are indexed as extra
  terms with a lower weight, so "støtte til bolig" finds "Boligstøtte"; the query side
  splits too, so "boligstøtte" finds "støtte til bolig".
* Sub-word fallback: a trigram index over the *vocabulary* (not the services) finds the
  compounds a query word is the head or tail of ("bump" → "stribebump", "skrald" →
  "storskrald"), and, for a word nothing else matches, vocabulary words that share most of
  its trigrams.  Both are low-quality expansions that reuse the word postings.
* Typo tolerance uses a symmetric-deletion dictionary (SymSpell) over the vocabulary: a
  dict from each word and its one-letter deletions to word numbers, looked up in C.
* Prefix completion uses the sorted vocabulary and ``bisect``.
* Query-word expansions are precomputed for the atlas's own words (a few thousand even for
  100,000 services) and cached per index (bounded LRU) for the others.  The posting maps
  of compound parts ("vej", "bolig": parts of many query words) are cached the same way.
* Titles are also kept as bags of terms on their own (``title_phrases``): a service whose
  whole title is among the query's words ("Folkepension" in "Folkepension, Udbetaling
  Danmark") is found by a hash lookup per combination of query words.
* Highlighting asks :meth:`SearchIndex.key_spans`: per text, the words' offsets by term
  (cached, filled at build for the texts hits show), intersected with the matched terms.
"""
from __future__ import annotations

import bisect
import math
import re
import threading
from array import array
from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain, compress, repeat
from operator import contains

from competency_xblock.text import LocalizedText

from .model import Atlas, Service
from .text import (
    KLE_IN_TEXT_RE,
    STOPWORDS,
    WORD_RE,
    common_words,
    damerau_levenshtein,
    deletes,
    deletes2,
    fold,
    stem_folded,
    syncope_variants,
    tokenize,
    trigrams,
    unify_hyphens,
    within_one_edit,
    words,
)

FIELDS = ("title", "keywords", "unit", "description", "referral", "context")
#: Field weights: where a word occurs says how much it matters.
FIELD_WEIGHTS = {"title": 3.0, "keywords": 2.2, "unit": 0.6, "description": 0.7,
                 "referral": 0.4, "context": 0.35}
#: BM25 length normalisation per field (keywords are many short phrases: little penalty).
FIELD_B = {"title": 0.6, "keywords": 0.25, "unit": 0.3, "description": 0.75, "referral": 0.75,
           "context": 0.3}
K1 = 1.2
COMPOUND_PART_WEIGHT = 0.7
MIN_PART = 3
MIN_COMPOUND = 6
FUZZY_MIN_LEN = 4
#: Words this long get a second typo (distance 2) when nothing is one edit away.
FUZZY2_MIN_LEN = 8
FUZZY2_MAX_LEN = 13
EXPANSION_CACHE = 20_000
#: Services kept in the cached per-term {service: impact} maps of compound parts (see
#: SearchIndex.term_map), about 80 bytes each.
TERM_MAP_ENTRIES = 200_000
#: Per-service word scores kept in the cache of query-word plans (SearchIndex.plans, used by
#: .search), about 70 bytes each.
PLAN_CACHE_ENTRIES = 300_000
WORD_CACHE = 50_000
#: Share of the highlight cache filled when the index is built.
HIGHLIGHT_WARM_SHARE = 0.8
MAX_PREFIX_EXPANSIONS = 24
#: Compounds a query word is the head or tail of ("bump" → "vejbump"): at most this many.
MAX_PART_EXPANSIONS = 12
PART_QUALITY = 0.55
PART_MAX_DF = 5
#: Trigram similarity (Dice) a vocabulary word needs to stand in for an unmatched word.
SIMILAR_MIN = 0.5
SIMILAR_QUALITY = 0.4
SIMILAR_MAX_BUCKET = 250
LINKING = ("s", "e")
#: Query words of up to this many letters are "very short": their compound-part and
#: prefix matches ("nyt" → "nytteindsats") are weak, the word itself is not.
SHORT_WORD = 3
#: Quality of a very short word's compound-part and prefix matches.
SHORT_LOOSE_QUALITY = 0.3
#: Index key prefix of a short term's whole-word occurrences (never in a folded word).
WHOLE_PREFIX = "="
#: Inflectional endings a compound's last part may carry beyond a known form.
INFLECTIONS = frozenset("n en er e ne et s es ers ens erne ene ets ernes enes r rne rnes rs ns"
                        .split())
#: Danish derivational endings: never a part of a compound on their own.
SUFFIXES = frozenset("else elser ning ninger hed heder ing inger skab lig lige isk erne".split())


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
    kind: str          # exact | synonym | prefix | fuzzy | part | similar | truncated
    surface: str = ""  # the vocabulary word that matched (for "did you mean")


def _kle_context(number: str, catalogue) -> list[str]:
    """Titles of a KLE number and its parents, innermost first."""
    parts = number.split(".")
    out = []
    for cut in range(len(parts), 0, -1):
        title = catalogue.title(".".join(parts[:cut])) if catalogue else ""
        if title:
            out.append(title)
    return out


def _catalogue():
    try:
        from .kle import shipped_catalogue
        return shipped_catalogue()
    except Exception:   # the KLE file is optional for the search  # noqa: BLE001
        return None


class SearchIndex:
    """Inverted index over one atlas version.  Thread-safe for reading."""

    def __init__(self, atlas: Atlas, *, kle_catalogue=None) -> None:
        self.atlas = atlas
        self.digest = atlas.digest
        self.services: tuple[Service, ...] = atlas.services
        self.size = len(self.services)
        self._lock = threading.Lock()
        self._expansion_cache: OrderedDict[tuple, tuple] = OrderedDict()
        self._word_cache: dict[str, tuple] = {}
        self._span_cache: dict[str, dict[str, tuple[tuple[int, int], ...]]] = {}
        self._surface_keys: dict[str, tuple[str, ...]] = {}
        self._single_spans: dict[tuple[int, int], tuple[tuple[int, int]]] = {}
        # query-word plans with their per-service scores (managed by .search)
        self.plans = CostBoundedCache(PLAN_CACHE_ENTRIES, cost=lambda word: word.cost)
        self.term_maps = CostBoundedCache(TERM_MAP_ENTRIES, cost=len,
                                          largest=TERM_MAP_ENTRIES // 4)
        self._catalogue = kle_catalogue if kle_catalogue is not None else _catalogue()
        self._build()
        self._build_vocabulary_expansions()
        self._warm_highlights()

    # ------------------------------------------------------------------ build
    def _fields_of_documents(self) -> tuple[list, dict[str, int]]:
        """Per service: one list of phrases (lists of folded words) per field."""
        interned: dict[str, str] = {}
        surfaces: dict[str, int] = {}
        cache: dict[str, list[str]] = {}

        def phrase(text: str) -> list[str]:
            found = cache.get(text)
            if found is None:
                found = [interned.setdefault(w, w) for w in words(text)]
                if len(cache) < 200_000:
                    cache[text] = found
            for w in found:
                surfaces[w] = surfaces.get(w, 0) + 1
            return found

        unit_names: dict[str, list[str]] = {}
        for uid in self.atlas.units:
            unit_names[uid] = [v for u in self.atlas.unit_chain(uid) for v in _variants(u.name)]
        context_of: dict[str, list[str]] = {}
        docs = []
        for service in self.services:
            titles = _variants(service.title)
            folded_titles = {" ".join(words(t)) for t in titles}
            context: list[str] = []
            for number in service.kle[:3]:
                texts = context_of.get(number)
                if texts is None:
                    texts = context_of[number] = _kle_context(number, self._catalogue)
                context.extend(t for t in texts if " ".join(words(t)) not in folded_titles)
            docs.append((
                [phrase(v) for v in titles],
                [phrase(k) for k in service.keywords],
                [phrase(v) for v in unit_names.get(service.unit, ())],
                [phrase(v) for v in _variants(service.description)],
                [phrase(v) for v in _variants(service.referral_notes)],
                [phrase(v) for v in dict.fromkeys(context)],
            ))
        return docs, surfaces

    def _build(self) -> None:
        docs, surfaces = self._fields_of_documents()
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
        self.surface_freq = surfaces
        self.stem_freq: dict[str, int] = {}
        for word, term in self.surface_stem.items():
            self.stem_freq[term] = self.stem_freq.get(term, 0) + surfaces[word]
        # part → how often its word occurs (compound splitting prefers common parts)
        self.part_vocab: dict[str, int] = {}
        for word, term in self.surface_stem.items():
            freq = self.stem_freq[term]
            start = len(term) if word.startswith(term) else len(word)
            forms = [word[:end] for end in range(max(start, MIN_PART), len(word) + 1)]
            if len(term) >= MIN_PART:
                forms.append(term)
            for form in forms:
                if form not in STOPWORDS and freq > self.part_vocab.get(form, 0):
                    self.part_vocab[form] = freq
        # compound splits of every vocabulary word (at most once per word), shorter words
        # first so that a longer compound can reuse the split of its tail
        self.splits: dict[str, tuple[str, ...]] = {}
        self.splits_surface: dict[str, list[str]] = {}
        tails: dict[str, str] = {}
        for word in sorted(self.surface_stem, key=len):
            if len(word) >= MIN_COMPOUND:
                parts = self.split_compound(word)
                if parts:
                    self.splits_surface[word] = parts
                    self.splits[word] = tuple(stem_folded(p) for p in parts)
                    tails[word] = parts[-1]
        # Danish coordinated compounds: "plante- og dyrearter" also says "plantearter"
        for doc, service in enumerate(self.services):
            for position, texts in ((0, _variants(service.title)), (1, service.keywords),
                                    (3, _variants(service.description))):
                for text in texts:
                    if "-" not in text and "\u2010" not in text:
                        continue
                    extra = coordinated_compounds(text, tails)
                    if not extra:
                        continue
                    docs[doc][position].append(extra)
                    for word in extra:
                        if word not in self.surface_stem:
                            self.surface_stem[word] = stem_folded(word)
                            self.stems.add(self.surface_stem[word])
                            parts = self.split_compound(word)
                            if parts:
                                self.splits_surface[word] = parts
                                self.splits[word] = tuple(stem_folded(p) for p in parts)
                        surfaces[word] = surfaces.get(word, 0) + 1
        self.sorted_surfaces = sorted(self.surface_stem)
        self._build_postings(docs)
        self._build_typo_index()
        self._build_trigrams()
        self._build_kle()
        # synonyms declared by the atlas author
        self.synonyms: dict[str, set[str]] = {}
        for group in self.atlas.synonyms:
            terms = {" ".join(stem_folded(w) for w in words(item)) for item in group}
            for term in terms:
                self.synonyms.setdefault(term, set()).update(terms - {term})

    def _build_postings(self, docs: list) -> None:
        """BM25F impacts per (term, service), field lengths first (BM25 needs averages)."""
        nfields = len(FIELDS)
        field_len_sum = [0] * nfields
        doc_lens: list[tuple[int, ...]] = []
        for fields in docs:
            lens = []
            for position in range(nfields):
                count = sum(len(phrase) for phrase in fields[position])
                if position == 1:          # søgeord: many short phrases, little penalty
                    count = min(count, 6 + count // 8)
                lens.append(count)
                field_len_sum[position] += count
            doc_lens.append(tuple(lens))
        n = max(self.size, 1)
        avgs = [max(total / n, 1.0) for total in field_len_sum]
        weights = [FIELD_WEIGHTS[name] for name in FIELDS]
        bs = [FIELD_B[name] for name in FIELDS]
        postings_ids: dict[str, array] = {}
        postings_imp: dict[str, array] = {}
        terms_cache: dict[str, tuple] = {}
        terms_of = self._terms_of
        surface_stem = self.surface_stem
        phrases: dict[int, object] = {}
        title_phrases: dict[int, object] = {}
        title_terms: set[str] = set()
        for doc, fields in enumerate(docs):
            lens = doc_lens[doc]
            tfw: dict[str, float] = {}
            for position in range(nfields):
                field_phrases = fields[position]
                if not field_phrases:
                    continue
                scale = weights[position] / (1.0 - bs[position]
                                             + bs[position] * lens[position] / avgs[position])
                for phrase in field_phrases:
                    if position == 1:
                        # tf for søgeord = number of søgeord phrases containing the term
                        seen: dict[str, float] = {}
                        for word in phrase:
                            found = terms_cache.get(word)
                            if found is None:
                                found = terms_cache[word] = terms_of(word)
                            for term, weight in found:
                                if weight > seen.get(term, 0.0):
                                    seen[term] = weight
                        for term, weight in seen.items():
                            tfw[term] = tfw.get(term, 0.0) + weight * scale
                    else:
                        for word in phrase:
                            found = terms_cache.get(word)
                            if found is None:
                                found = terms_cache[word] = terms_of(word)
                            for term, weight in found:
                                tfw[term] = tfw.get(term, 0.0) + weight * scale
            for term, value in tfw.items():
                ids = postings_ids.get(term)
                if ids is None:
                    ids = postings_ids[term] = array("I")
                    postings_imp[term] = array("f")
                ids.append(doc)
                postings_imp[term].append(value)
            # a title all of whose words the query has ("Folkepension" for "Folkepension,
            # Udbetaling Danmark (UDK)"): bags of title terms on their own
            for phrase in fields[0]:
                bag = [surface_stem[w] for w in phrase if w in surface_stem]
                title_terms.update(bag)
                _add_doc(title_phrases, phrase_key(bag), doc)
            # titles and søgeord as bags of terms: an exact phrase match earns a bonus
            for phrase in (*fields[0], *fields[1]):
                _add_doc(phrases, phrase_key(surface_stem[w] for w in phrase
                                             if w in surface_stem), doc)
            docs[doc] = None   # free as we go: large atlases stay within memory
        self.phrases = phrases
        self.title_phrases = title_phrases
        #: every term of some title (query terms outside it are no part of a title bag)
        self.title_terms = frozenset(title_terms)
        self.df = {term: len(ids) for term, ids in postings_ids.items()}
        factor = K1 + 1.0
        self.idf: dict[str, float] = {}
        self.max_impact: dict[str, float] = {}
        for term, values in postings_imp.items():
            df = len(values)
            idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
            self.idf[term] = idf
            best = 0.0
            for i, value in enumerate(values):
                impact = idf * value * factor / (value + K1)
                values[i] = impact
                if impact > best:
                    best = impact
            self.max_impact[term] = best
        self.postings_ids = postings_ids
        self.postings_imp = postings_imp

    def _build_typo_index(self) -> None:
        """Symmetric-deletion keys (distance 1 on each side): every word and its one-letter
        deletions map to the numbers of the words they come from.  A dict, so that a
        query word's keys are looked up in C (the vocabulary is small: a few thousand
        words, some ten keys each); the words of one key share one tuple."""
        fuzzy_words = [w for w in self.sorted_surfaces
                       if len(w) >= FUZZY_MIN_LEN and w.isalpha()]
        table: dict[str, tuple[int, ...]] = {}
        get = table.get
        for number, word in enumerate(fuzzy_words):
            own = (number,)
            for key in (word, *deletes(word)):
                found = get(key)
                if found is None:
                    table[key] = own
                elif found[-1] != number:
                    table[key] = (*found, number)
        self._typo_words = fuzzy_words
        self._typo_table = table

    def _build_trigrams(self) -> None:
        """Trigram → vocabulary word numbers (sub-word matching, not per service)."""
        grams: dict[str, array] = {}
        vocabulary = self.sorted_surfaces
        for number, word in enumerate(vocabulary):
            if len(word) < 4 or not word.isalpha():
                continue
            for gram in trigrams(word):
                bucket = grams.get(gram)
                if bucket is None:
                    bucket = grams[gram] = array("I")
                bucket.append(number)
        self._grams = grams

    def _build_kle(self) -> None:
        # KLE numbers and their prefixes
        kle: dict[str, list[int]] = {}
        for doc, service in enumerate(self.services):
            for number in service.kle:
                parts = number.split(".")
                for i in range(1, len(parts) + 1):
                    bucket = kle.setdefault(".".join(parts[:i]), [])
                    if not bucket or bucket[-1] != doc:
                        bucket.append(doc)
        self.kle = {number: array("I", docs) for number, docs in kle.items()}
        #: sorted KLE numbers and prefixes: partial numbers ("23.0") by bisect
        self.kle_keys = sorted(self.kle)
        # KLE numbers written in søgeord or descriptions ("Tidligere emnenr. 07.01.04"):
        # old numbers keep finding the service after KL renumbers
        mentions: dict[str, list[int]] = {}
        for doc, service in enumerate(self.services):
            for text in (*service.keywords, *_variants(service.description)):
                for number in KLE_IN_TEXT_RE.findall(text):
                    bucket = mentions.setdefault(number, [])
                    if not bucket or bucket[-1] != doc:
                        bucket.append(doc)
        self.kle_mentions = {number: array("I", docs) for number, docs in mentions.items()}
        # the emne of each service (first KLE number): near-duplicates for diversity
        emne_ids: dict[str, int] = {}
        self.emne = array("I", (emne_ids.setdefault(s.kle[0], len(emne_ids) + 1) if s.kle
                                else 0 for s in self.services))

    def _terms_of(self, word: str) -> tuple[tuple[str, float], ...]:
        term = self.surface_stem.get(word)
        if term is None:
            return ()
        parts = self.splits.get(word)
        whole = ((WHOLE_PREFIX + term, 1.0),) if len(term) <= SHORT_WORD else ()
        if not parts:
            return ((term, 1.0), *whole)
        out = [(term, 1.0), *whole]
        out.extend((p, COMPOUND_PART_WEIGHT) for p in dict.fromkeys(parts) if p != term)
        return tuple(out)

    # ------------------------------------------------------------ compounds
    def _part_freq(self, piece: str, last: bool) -> int:
        """How often a piece occurs as (a form of) a word of the atlas; 0: not a part.

        Three-letter parts must be words of their own ("vej", "bil"), so derivational
        endings ("-ing", "-hed") never count as the tail of a compound."""
        # (part_vocab holds no stop word and nothing shorter than MIN_PART)
        found = self.part_vocab.get(piece)
        if found:
            if piece in SUFFIXES or (len(piece) == MIN_PART and piece not in self.surface_stem):
                return 0
            return found
        if not last or len(piece) < MIN_PART + 2 or piece in STOPWORDS or piece in SUFFIXES:
            return 0
        # an inflected tail: "perioden" is "periode" + "n"
        size = len(piece)
        for cut in (1, 2, 3, 4):
            if size - cut < MIN_PART + 1:
                break
            if piece[-cut:] in INFLECTIONS:
                found = self.part_vocab.get(piece[:-cut])
                if found:
                    return found
        return 0

    def split_compound(self, word: str, max_parts: int = 3) -> list[str] | None:
        """Split a folded word into vocabulary words (with an optional linking -s-/-e-).

        Of all splits into known words, the one whose parts are most common (geometric mean
        of their frequencies, as Koehn & Knight do for German) wins: "indsamlingsordning" →
        ["indsamling", "ordning"], never ["indsamlingsordn", "ing"].  A tail that is itself
        a known compound is split further ("vejvedligeholdelsesplan" → vej + vedligeholdelse
        + plan).  When no split into known words exists, a two-part split where one side is
        a known word of at least 5 letters and the other has at least 4 is accepted
        ("rottebekaempelse" → ["rotte", "bekaempelse"]): the tail of a Danish compound is
        usually a common word while its head varies.
        """
        n = len(word)
        if n < MIN_COMPOUND:
            return None
        best: tuple[float, int, list[str]] | None = None
        # the tail must reach into the word's own stem: "skadedyrsbekaemp" + "else" is the
        # word and its ending, not a compound
        own = stem_folded(word)
        last_end = min(n, len(own) if word.startswith(own) else n) - MIN_PART
        part_freq = self._part_freq
        part_vocab = self.part_vocab
        splits_surface = self.splits_surface if max_parts > 2 else {}
        for end in range(MIN_PART, last_end + 1):
            head = word[:end]
            # a head is a known part (checked in full below) or nothing: most are nothing
            if head not in part_vocab:
                continue
            head_freq = part_freq(head, last=False)
            if not head_freq:
                continue
            for link in ("", *LINKING):
                if link and not word.startswith(link, end):
                    continue
                rest = word[end + len(link):]
                rest_freq = part_freq(rest, last=True) if len(rest) >= MIN_PART else 0
                if not rest_freq:
                    continue
                parts, freqs = [head, rest], [head_freq, rest_freq]
                inner = splits_surface.get(rest)
                if inner and len(inner) == 2:
                    inner_freqs = [part_freq(p, last=True) for p in inner]
                    if all(inner_freqs):
                        parts, freqs = [head, *inner], [head_freq, *inner_freqs]
                score = math.prod(freqs) ** (1.0 / len(freqs))
                key = (score, min(len(p) for p in parts), parts)
                if best is None or key[:2] > best[:2]:
                    best = key
        if best:
            return best[2]
        return self._half_known_split(word)

    def _half_known_split(self, word: str) -> list[str] | None:
        n = len(word)
        if n < 9:
            return None
        choice: tuple[int, list[str]] | None = None
        own = stem_folded(word)
        last_cut = min(n, len(own) if word.startswith(own) else n) - 3
        for cut in range(4, min(n - 3, last_cut + 1)):
            head, tail = word[:cut], word[cut:]
            if tail in SUFFIXES:
                continue
            known_tail = len(tail) >= 5 and bool(self._part_freq(tail, last=True))
            known_head = len(head) >= 5 and bool(self._part_freq(head, last=False))
            if not (known_tail or known_head):
                continue
            if known_tail and head.endswith(LINKING) and len(head) > 5:
                head = head[:-1]
            elif known_head and not known_tail and tail.startswith(LINKING) and len(tail) > 4:
                tail = tail[1:]     # "gravsted" + "s" + "brev"
            if head in STOPWORDS or tail in STOPWORDS:
                continue
            known = len(tail) if known_tail else len(head)
            if choice is None or known > choice[0]:
                choice = (known, [head, tail])
        return choice[1] if choice else None

    # ------------------------------------------------------------ expansion
    def _build_vocabulary_expansions(self) -> None:
        """The expansions of every vocabulary word, with and without completion: a query
        word the atlas has costs a dict lookup.  The vocabulary is small (a few thousand
        words even for 100,000 services), the expansions a few terms each."""
        expand = self._expand
        self._vocabulary_expansions = (
            {word: expand(word, False) for word in self.surface_stem},
            {word: expand(word, True) for word in self.surface_stem})

    def expand(self, folded: str, *, allow_prefix: bool) -> tuple[tuple[Expansion, ...], tuple]:
        """Terms a folded query word stands for, plus compound alternatives: (part terms,
        whether all parts must occur).  Precomputed for the vocabulary, cached for the
        other words."""
        found = self._vocabulary_expansions[allow_prefix].get(folded)
        if found is not None:
            return found
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
        postings = self.postings_ids

        def add(term: str, quality: float, kind: str, surface: str = "") -> None:
            if term in postings:
                current = found.get(term)
                if current is None or quality > current.quality:
                    found[term] = Expansion(term, quality, kind, surface)

        term = stem_folded(folded)
        exact = term in postings
        short = len(folded) <= SHORT_WORD
        if short:
            # a very short word ("bil", "nyt"): the word itself (when the atlas has it)
            # matches fully, its occurrences as a compound part ("nytteindsats") only
            # weakly - an exact match of a longer query word outranks them
            add(WHOLE_PREFIX + term, 1.0, "exact", folded)
            add(term, SHORT_LOOSE_QUALITY, "part", folded)
        else:
            add(term, 1.0, "exact", folded)
        for synonym in self.synonyms.get(term, ()):
            add(synonym, 0.95, "synonym")
        if not exact:
            for variant in syncope_variants(term):   # "hjælpemiddel" finds "hjælpemidler"
                add(variant, 0.95, "synonym", folded)
                for synonym in self.synonyms.get(variant, ()):
                    add(synonym, 0.9, "synonym")
        compounds: list[tuple[tuple[str, ...], bool]] = []
        parts = self.splits_surface.get(folded) if folded in self.surface_stem else \
            (self.split_compound(folded) if len(folded) >= MIN_COMPOUND else None)
        if parts:
            # a known word must find all its parts; an unknown one may match some of them
            compounds.append((tuple(stem_folded(p) for p in parts), exact))
        if allow_prefix and len(folded) >= 3:
            for surface in self._prefix_words(folded):
                add(self.surface_stem[surface], SHORT_LOOSE_QUALITY if short else
                    0.75 if len(folded) >= 5 else 0.6, "prefix", surface)
        # A common word the atlas lacks ("gerne", "blevet", "datter") was meant as typed: no
        # look-alike atlas word stands in for it (below).  It still matches what it is a
        # prefix, a part or a compound of ("ført" in "bortførelse").
        meant = not exact and folded in common_words()
        if folded.isalpha() and len(folded) >= 4 and \
                (not exact or self.df[term] <= PART_MAX_DF):
            # sub-words only where word matching finds little
            for surface, quality in self._part_words(folded, term):
                add(self.surface_stem[surface], quality, "part", surface)
        if not exact and not meant and folded.isalpha() and len(folded) >= FUZZY_MIN_LEN:
            # two edits only for a word that is no compound of known words either
            for surface, distance in self._fuzzy_words(folded, wide=not compounds):
                add(self.surface_stem[surface], 0.8 if distance == 1 else 0.6, "fuzzy", surface)
            if not found and not compounds:
                for surface, quality in self._similar_words(folded):
                    add(self.surface_stem[surface], quality, "similar", surface)
            if not found and not compounds:
                # a long unknown inflection ("flyttede"): the longest known stem it starts with
                for cut in range(len(folded) - 1, 3, -1):
                    piece = folded[:cut]
                    if piece in self.stems and piece in postings:
                        add(piece, 0.6, "truncated", piece)
                        break
        ranked = sorted(found.values(), key=lambda e: (-e.quality, e.term))
        return tuple(ranked[:MAX_PREFIX_EXPANSIONS + MAX_PART_EXPANSIONS]), tuple(compounds)

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

    def _words_containing(self, core: str) -> list[str]:
        """Vocabulary words that contain ``core``: the words of its rarest trigram, checked
        by substring search (cheaper than intersecting trigram lists)."""
        smallest = None
        for gram in trigrams(core):
            bucket = self._grams.get(gram)
            if bucket is None:
                return []
            if smallest is None or len(bucket) < len(smallest):
                smallest = bucket
        if smallest is None:
            return []
        found = list(map(self.sorted_surfaces.__getitem__, smallest))
        return list(compress(found, map(contains, found, repeat(core))))

    def _part_words(self, folded: str, term: str) -> list[tuple[str, float]]:
        """Vocabulary compounds whose head or tail is the query word: "bump" → "vejbump",
        "glas" → "glasemballage".  The tail carries the meaning of a Danish compound, so it
        counts a little more than the head."""
        core = term if len(term) >= 4 else folded
        surface_stem = self.surface_stem
        out = []
        for word in self._words_containing(core):
            if len(word) < len(core) + 3 or word.startswith(folded):
                continue   # not a compound of it, or already a prefix completion
            stem = surface_stem[word]
            if stem.endswith(core):
                out.append((word, PART_QUALITY))
            elif word.startswith(core) and len(stem) >= len(core) + 3:
                out.append((word, PART_QUALITY * 0.8))
        if len(out) > MAX_PART_EXPANSIONS:
            out.sort(key=lambda item: (-item[1], -self.surface_freq.get(item[0], 0), item[0]))
            out = out[:MAX_PART_EXPANSIONS]
        return out

    def _similar_words(self, folded: str) -> list[tuple[str, float]]:
        """Vocabulary words sharing most trigrams with a word nothing else matched."""
        grams = trigrams(folded)
        if len(grams) < 3:
            return []
        buckets = []
        for gram in grams:
            bucket = self._grams.get(gram)
            if bucket is not None and len(bucket) <= SIMILAR_MAX_BUCKET:
                buckets.append(bucket)   # a very common trigram ("ing") says little
        counts = Counter(chain.from_iterable(buckets))   # counted in C
        need = max(2, int(len(grams) * SIMILAR_MIN * 0.5))
        similar_slack = max(2, len(folded) // 4)
        # a word short enough to pass the Dice threshold must share at least this many: the
        # ones sharing fewer are never taken, so they need not be sorted or looked at
        shortest = len(grams) + max(len(folded) - similar_slack - 2, 1)
        need = max(need, math.ceil(SIMILAR_MIN * shortest / 2.0 - 1e-9))
        vocabulary = self.sorted_surfaces
        out = []
        # the best-sharing words first, only those sharing ``need``; ties in word order, so
        # the cut at 64 does not depend on the order a set of trigrams came in (string hashes
        # differ between processes: a correction must not)
        enough = compress(counts.items(), map(need.__le__, counts.values()))
        for number, shared in sorted(enough, key=_by_count_then_number)[:64]:
            word = vocabulary[number]
            if abs(len(word) - len(folded)) > similar_slack:
                # a stand-in for a misspelt word is about as long as it: "separation" is
                # no typo of "hovedreparationer" (a whole different word around a part)
                continue
            dice = 2.0 * shared / (len(grams) + max(len(word) - 2, 1))
            if dice >= SIMILAR_MIN:
                out.append((word, SIMILAR_QUALITY * dice))
        out.sort(key=lambda item: (-item[1], item[0]))
        return out[:6]

    def _typo_candidates(self, keys: Iterable[str]) -> set[int]:
        """Numbers of the vocabulary words sharing a key with ``keys`` (all in C)."""
        return set(chain.from_iterable(filter(None, map(self._typo_table.get, keys))))

    def _fuzzy_words(self, folded: str, wide: bool = True) -> list[tuple[str, int]]:
        """Vocabulary words within one edit (two for words of 8+ letters, tried only when
        nothing is one edit away; the full two-edit search only up to 13 letters)."""
        words_ = self._typo_words
        keys = deletes(folded)
        keys.add(folded)
        candidates = self._typo_candidates(keys)
        out = [(w, 1) for w in map(words_.__getitem__, candidates)
               if w != folded and within_one_edit(folded, w)]
        if not out and wide and len(folded) >= FUZZY2_MIN_LEN:
            # a word sharing a key with the word is at most two edits away (one deletion
            # on each side); none is one edit away (above), so each is two (or the word)
            out = [(w, 0 if w == folded else 2) for w in map(words_.__getitem__, candidates)]
            if not out and len(folded) <= FUZZY2_MAX_LEN:
                # the two-deletion neighbourhood grows with the square of the length;
                # longer words with two typos still share most trigrams (_similar_words)
                # (the one-deletion keys' words are ``candidates`` already)
                wider = self._typo_candidates(deletes2(folded)) - candidates
                size = len(folded)
                out = []
                for w in map(words_.__getitem__, wider):
                    gap = size - len(w)
                    if gap == 2:
                        out.append((w, 2))   # two letters fewer, and both deletions: two
                    elif -2 <= gap <= 2 and (d := damerau_levenshtein(folded, w, 2)) <= 2:
                        out.append((w, d))
        # same distance: a word with the same first letter first (first letters are
        # rarely the typo), then the more common word
        first = folded[0]
        freq = self.surface_freq.get
        out.sort(key=lambda item: (item[1], item[0][0] != first, -freq(item[0], 0), item[0]))
        return out[:8]

    # ------------------------------------------------------------ postings
    def postings(self, term: str) -> tuple[array, array]:
        return self.postings_ids.get(term, _EMPTY_I), self.postings_imp.get(term, _EMPTY_F)

    def term_map(self, term: str) -> dict[int, float]:
        """``{service: impact}`` of a term's postings (do not modify: shared), from a
        bounded LRU cache: a common term ("vej", "bolig") is a compound part of many
        query words, and building its map unboxes every posting."""
        found = self.term_maps.get(term)
        if found is None:
            found = self.term_maps.put(term, dict(zip(*self.postings(term), strict=True)))
        return found

    def cached_term_map(self, term: str) -> dict[int, float] | None:
        """The term's map if it is cached (a lookup in it beats a binary search)."""
        return self.term_maps.peek(term)

    def title_docs(self, key: int) -> Iterable[int]:
        """Services with a title of exactly this bag of terms."""
        found = self.title_phrases.get(key)
        if found is None:
            return ()
        return (found,) if isinstance(found, int) else found

    def phrase_docs(self, key: int | None) -> Iterable[int]:
        found = self.phrases.get(key) if key is not None else None
        if found is None:
            return ()
        return (found,) if isinstance(found, int) else found

    def word_terms(self, text: str) -> tuple[tuple[int, int, str, tuple[str, ...]], ...]:
        """(start, end, term, compound parts) for each word of ``text``: what highlighting
        compares with the matched terms.  Cached per text (titles and søgeord repeat
        across queries)."""
        cache = self._word_cache
        found = cache.get(text)
        if found is not None:
            return found
        surface_stem = self.surface_stem
        splits = self.splits
        out = []
        for match in WORD_RE.finditer(text):
            surface = match.group()
            if "\u2019" in surface:
                surface = surface.replace("\u2019", "'")
            folded = fold(surface)
            term = surface_stem.get(folded)
            if term is None:
                term = stem_folded(folded)
            out.append((*match.span(), term, splits.get(folded, ())))
        found = tuple(out)
        if len(cache) >= WORD_CACHE:
            cache.clear()
        cache[text] = found
        return found

    def key_spans(self, text: str) -> dict[str, tuple[tuple[int, int], ...]]:
        """The words of ``text`` by key: ``{key: ((start, end), ...)}`` where a key is the
        term or a compound part of a word (a word with parts appears under each key), the
        spans in text order.  What highlighting intersects with the matched terms (a set
        operation in C; a text with one matched key needs no further work).  Cached per
        text; the cache is filled at build for the texts hits show."""
        cache = self._span_cache
        found = cache.get(text)
        if found is not None:
            return found
        found = {}
        keys_of = self._surface_keys
        singles = self._single_spans
        get = found.get
        for match in WORD_RE.finditer(text):
            surface = match.group()
            keys = keys_of.get(surface)
            if keys is None:
                keys = self._keys_of_surface(surface)
            span = match.span()
            single = singles.get(span)
            if single is None:
                # one shared ((start, end),) per offset pair: most words occur once in a
                # text, and titles share their offsets (memory of the warmed cache)
                single = singles[span] = (span,)
            for key in keys:
                known = get(key)
                found[key] = single if known is None else (*known, single[0])
        if len(cache) >= WORD_CACHE:
            cache.clear()
            singles.clear()
        cache[text] = found
        return found

    def _warm_highlights(self) -> None:
        """Fill the highlight cache with the texts a hit shows (titles, descriptions,
        søgeord), as long as they fit in it: the first search that shows a service then
        finds its offsets ready.  Larger atlases fill it as they are searched."""
        budget = int(WORD_CACHE * HIGHLIGHT_WARM_SHARE)
        key_spans = self.key_spans
        for service in self.services:
            for text in (*_variants(service.title), *_variants(service.description),
                         *service.keywords):
                if len(self._span_cache) >= budget:
                    return
                key_spans(text)

    def _keys_of_surface(self, surface: str) -> tuple[str, ...]:
        """(term, compound parts...) of one word as written (cached per spelling)."""
        folded = fold(surface.replace("\u2019", "'")
                      if "\u2019" in surface else surface)
        term = self.surface_stem.get(folded)
        if term is None:
            term = stem_folded(folded)
        parts = self.splits.get(folded, ())
        keys = (term, *dict.fromkeys(p for p in parts if p != term))
        if len(self._surface_keys) >= WORD_CACHE:
            self._surface_keys.clear()
        self._surface_keys[surface] = keys
        return keys

    def terms_for_words(self, text: str) -> Iterable[tuple[str, tuple[str, ...]]]:
        for word in words(text):
            term = self.surface_stem.get(word) or stem_folded(word)
            yield term, self.splits.get(word, ())


def _add_doc(buckets: dict, key: int | None, doc: int) -> None:
    """Add service ``doc`` to ``buckets[key]``: one service as a plain int (most phrases
    belong to one), more as an array; services come in order, so a repeat is the last."""
    if key is None:
        return
    bucket = buckets.get(key)
    if bucket is None:
        buckets[key] = doc
    elif isinstance(bucket, int):
        if bucket != doc:
            buckets[key] = array("I", (bucket, doc))
    elif bucket[-1] != doc:
        bucket.append(doc)


def phrase_key(terms: Iterable[str]) -> int | None:
    """A bag of terms as one int (order-free): exact phrase matches without frozensets."""
    unique = sorted(set(terms))
    return hash(tuple(unique)) if unique else None


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


def _by_count_then_number(item: tuple[int, int]) -> tuple[int, int]:
    return -item[1], item[0]


class CostBoundedCache:
    """A least-recently-used cache shared by the threads searching one index, bounded by the
    total ``cost`` of its values (the service scores they hold), not by their number: the
    least recently used go first, and a value costing more than ``largest`` is not kept."""

    def __init__(self, limit: int, cost, largest: int | None = None) -> None:
        self.limit, self.largest, self._cost = limit, limit if largest is None else largest, cost
        self._items: OrderedDict = OrderedDict()
        self.total = 0
        self._lock = threading.Lock()

    def get(self, key):
        """The cached value (now the most recently used), or None."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def peek(self, key):
        """The cached value without touching its place (no lock: one dict read), or None."""
        return self._items.get(key)

    def put(self, key, value):
        """Keep ``value`` (unless another thread kept one for ``key`` first: that one is
        returned, so callers share it) and drop the least recently used past the limit."""
        cost = self._cost(value)
        if cost > self.largest:
            return value
        with self._lock:
            kept = self._items.get(key)
            if kept is not None:
                return kept
            self._items[key] = value
            self.total += cost
            while self.total > self.limit and len(self._items) > 1:
                _key, old = self._items.popitem(last=False)
                self.total -= self._cost(old)
        return value

    def values(self):
        return list(self._items.values())
