"""Search behaviour: each rule of the issue, with Danish examples."""
from __future__ import annotations

import time

import pytest

from competency_xblock.atlas.index import SearchIndex, clear_cache, get_index
from competency_xblock.atlas.model import Atlas
from competency_xblock.atlas.search import (
    MAX_QUERY_CHARS,
    STATUS_EMPTY,
    STATUS_NO_HITS,
    STATUS_OK,
    STATUS_TOO_LONG,
    search,
    split_by_spans,
)
from tests.unit.atlas.conftest import PACKAGE_DATA


def top(atlas, query, n=3, **kwargs):
    return search(atlas, query, **kwargs).ids()[:n]


# --- case, accents, æ/ae ø/oe å/aa -------------------------------------------------------

@pytest.mark.parametrize("query", ["ældrebolig", "ÆLDREBOLIG", "aeldrebolig", "Ældrebolig"])
def test_case_and_danish_letter_folding(small_atlas, query):
    assert top(small_atlas, query, 1) == ["aeldrebolig"]


def test_oe_and_aa_equivalence(small_atlas):
    assert top(small_atlas, "koerekort", 1) == ["koerekort"]
    assert top(small_atlas, "raadgivning") == top(small_atlas, "rådgivning")


def test_accent_folding(demo_atlas):
    assert search(demo_atlas, "cafe").ids() == search(demo_atlas, "café").ids()


@pytest.mark.parametrize("mark", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff",
                                  "\u200e", "\u00ad", "\u200b\u00ad"])
def test_invisible_characters_inside_a_word_do_not_split_it(demo_atlas, mark):
    """Text copied from web pages and chat tools carries zero-width characters inside words:
    "førtids<ZWSP>pension" is the word "førtidspension", not "førtids" and "pension"."""
    clean = search(demo_atlas, "førtidspension", limit=20)
    marked = search(demo_atlas, f"førtids{mark}pension", limit=20)
    assert marked.ids() == clean.ids() and marked.total == clean.total
    assert [h.score for h in marked.hits] == [h.score for h in clean.hits]


def test_highlights_of_atlas_text_with_invisible_characters_cover_the_whole_word():
    atlas = Atlas.from_dict({"id": "zw", "title": "ZW", "units": [
        {"id": "u", "name": "Enhed"}], "services": [
        {"id": "s", "title": "Førtids\u200bpension", "unit": "u"}]}, check_schema=False)
    result = search(SearchIndex(atlas), "førtidspension")
    assert result.ids() == ["s"]
    assert result.hits[0].title_spans == ((0, len("Førtids\u200bpension")),)


# --- stemming ----------------------------------------------------------------------------

def test_stemming_flytning_finds_flytte(small_atlas):
    assert "flytteanmeldelse" in top(small_atlas, "flytning")
    assert "flytteanmeldelse" in top(small_atlas, "flytte")
    assert "flytteanmeldelse" in top(small_atlas, "flytter")


def test_stemming_plural_and_definite(small_atlas):
    assert top(small_atlas, "rotterne", 1) == ["rotter"]
    assert top(small_atlas, "ældreboliger", 1) == ["aeldrebolig"]


def test_demo_flytning(demo_atlas):
    ids = search(demo_atlas, "flytning", limit=10).ids()
    assert "kle-23.05.10" in ids or "kle-32.21.24" in ids


# --- compound words ----------------------------------------------------------------------

def test_compound_query_finds_words_written_apart(small_atlas):
    # "boligindretning" → "Støtte til indretning af bolig"
    assert top(small_atlas, "boligindretning", 1) == ["boligindretning"]


def test_words_written_apart_find_the_compound(small_atlas):
    # "støtte til bolig" → "Boligstøtte" (and the service written apart)
    ids = top(small_atlas, "støtte til bolig", 2)
    assert set(ids) == {"boligstoette", "boligindretning"}


def test_compound_demo_boligstoette(demo_atlas):
    assert top(demo_atlas, "boligstøtte", 1) == ["kle-32.06.00"]
    assert "kle-32.06.00" in top(demo_atlas, "støtte til bolig", 5)


def test_unknown_compound_matches_its_known_part(small_atlas):
    # "rotteproblem" is not in the atlas; its part "rotte" is
    assert top(small_atlas, "rotteproblem", 1) == ["rotter"]


def test_coordinated_compound_is_completed(demo_atlas):
    # "Beskyttelse af plante- og dyrearter" also says "plantearter"
    assert "kle-01.05.09" in top(demo_atlas, "plantearter", 5)


# --- typo tolerance ----------------------------------------------------------------------

def test_typo_korekrot(small_atlas):
    result = search(small_atlas, "kørekrot")
    assert result.ids()[:1] == ["koerekort"]
    assert result.corrections == (("kørekrot", "kørekort"),)


@pytest.mark.parametrize("typo", ["kørkort", "kørekortt", "boligstøtt", "rottebekæmpelsee"])
def test_more_typos(small_atlas, typo):
    assert search(small_atlas, typo).status == STATUS_OK


def test_typo_in_demo(demo_atlas):
    assert top(demo_atlas, "kørekrot", 1) == ["kle-23.09.04"]
    assert top(demo_atlas, "undrretning", 1) == ["kle-34.10.30"]


# --- søgeord as synonyms -----------------------------------------------------------------

def test_soegeord_find_the_service(small_atlas):
    assert top(small_atlas, "hjemmehjælp", 1) == ["hjemmehjaelp"]
    assert top(small_atlas, "førerbevis", 1) == ["koerekort"]
    assert top(small_atlas, "carport", 1) == ["byggetilladelse"]


def test_atlas_synonyms(small_atlas):
    assert top(small_atlas, "rejsepas", 1) == ["pas"]


# --- KLE numbers and prefixes ------------------------------------------------------------

def test_kle_exact_number(small_atlas):
    result = search(small_atlas, "23.09.04")
    assert result.ids() == ["koerekort"] and result.kle_prefix == "23.09.04"


def test_kle_prefix(small_atlas):
    assert set(search(small_atlas, "02.00").ids()) == {"byggeri-alm", "byggesagsgebyrer"}
    assert set(search(small_atlas, "02").ids()) == {"byggeri-alm", "byggesagsgebyrer",
                                                    "byggetilladelse"}
    assert search(small_atlas, "99.99").status == STATUS_NO_HITS


def test_kle_in_demo(demo_atlas):
    result = search(demo_atlas, "02.00", limit=100)
    assert result.total >= 5
    assert all(any(n.startswith("02.00") for n in h.kle) for h in result.hits)


def test_kle_number_mentioned_in_text_finds_service(small_atlas):
    # "Tidligere emnenr. 27.24.02" in the description: old numbers still find it
    assert search(small_atlas, "27.24.02").ids() == ["anbringelse"]


def test_kle_number_with_words_ranks_that_number_first(small_atlas):
    assert top(small_atlas, "bolig 27.60", 1) == ["boligindretning"]


# --- ranking with field weights ----------------------------------------------------------

def test_title_outranks_soegeord_outranks_description(small_atlas):
    # "kørekort" is in the title of Kørekort, in nothing else
    assert top(small_atlas, "kørekort", 1) == ["koerekort"]
    # "pensionister" only in a description: still found
    assert top(small_atlas, "pensionister", 1) == ["boligstoette"]


def test_more_query_words_matched_ranks_higher(small_atlas):
    assert top(small_atlas, "fornyelse kørekort", 1) == ["koerekort"]


def test_results_are_deterministic(demo_atlas):
    assert search(demo_atlas, "affald").ids() == search(demo_atlas, "affald").ids()


# --- highlighting ------------------------------------------------------------------------

def test_highlight_spans_are_offsets_not_html(small_atlas):
    hit = search(small_atlas, "kørekort").hits[0]
    assert hit.title == "Kørekort"
    assert hit.title_spans == ((0, 8),)
    assert [k for k, _ in hit.keywords] == ["Fornyelse af kørekort"]
    keyword, spans = hit.keywords[0]
    assert [keyword[s:e] for s, e in spans] == ["kørekort"]
    assert split_by_spans(keyword, spans) == [("Fornyelse af ", False), ("kørekort", True)]


def test_highlight_of_compound_and_folded_words(small_atlas):
    hit = search(small_atlas, "aeldre").hits[0]
    assert hit.title[hit.title_spans[0][0]:hit.title_spans[0][1]] == "Ældrebolig"


def test_markup_in_data_stays_text(small_data):
    small_data["services"][0]["title"] = "<b>Boligstøtte</b>"
    atlas = Atlas.from_dict(small_data)
    hit = search(atlas, "boligstøtte").hits[0]
    assert [hit.title[s:e] for s, e in hit.title_spans] == ["Boligstøtte"]


# --- unsafe and odd queries --------------------------------------------------------------

@pytest.mark.parametrize("query", ["", "   ", "\t\n", "?!.,;", "(.*", "***", "^$|\\",
                                   None, "\x00"])
def test_empty_like_queries_are_safe(small_atlas, query):
    result = search(small_atlas, query)
    assert result.status == STATUS_EMPTY
    assert "Type a word" in result.message
    assert result.hits == ()


def test_regex_like_query_with_words_is_literal(small_atlas):
    result = search(small_atlas, "kørekort.*(")
    assert result.ids()[:1] == ["koerekort"]
    assert search(small_atlas, "[a-z]+$").status in (STATUS_NO_HITS, STATUS_OK)


def test_very_long_query(small_atlas):
    result = search(small_atlas, "ø" * 10_000)
    assert result.status == STATUS_TOO_LONG
    assert result.params["limit"] == MAX_QUERY_CHARS
    assert len(result.query) < 100
    started = time.perf_counter()
    search(small_atlas, "a " * (MAX_QUERY_CHARS // 2))   # many words, within the limit
    assert time.perf_counter() - started < 1.0


def test_no_hits_answer(small_atlas):
    result = search(small_atlas, "xyzzyqwv")
    assert result.status == STATUS_NO_HITS
    assert "Nothing matched" in result.message


def test_stopwords_only_still_search(small_atlas):
    assert search(small_atlas, "og i af").status in (STATUS_NO_HITS, STATUS_OK)


# --- the index is built once per atlas version -------------------------------------------

def test_index_is_cached_per_content(small_data):
    clear_cache()
    first = get_index(Atlas.from_dict(small_data))
    assert get_index(Atlas.from_dict(dict(small_data))) is first
    small_data["services"][0]["keywords"] = ["Huslejetilskud"]
    changed = get_index(Atlas.from_dict(small_data))
    assert changed is not first
    assert search(changed, "huslejetilskud").ids()[:1] == ["boligstoette"]


def test_search_accepts_a_prebuilt_index(small_atlas):
    index = SearchIndex(small_atlas)
    assert search(index, "pas").ids()[:1] == ["pas"]


def test_limit_is_bounded(demo_atlas):
    assert len(search(demo_atlas, "affald", limit=10_000).hits) <= 100
    assert len(search(demo_atlas, "affald", limit=0).hits) >= 1


# --- speed shortcuts keep the results ------------------------------------------------------

def test_highlight_by_term_sets_matches_word_by_word_definition(demo_atlas):
    # highlight() intersects per-text term sets; it must mark exactly the words whose term
    # or compound part matched, in text order, each once
    import random

    from competency_xblock.atlas.search import highlight

    index = get_index(demo_atlas)
    rng = random.Random(5)
    checked = 0
    for service in demo_atlas.services[::3]:
        title = service.title if isinstance(service.title, str) else next(iter(
            service.title.values()))
        for text in (title, *service.keywords[:3]):
            words_ = index.word_terms(text)
            pool = sorted({t for *_, term, parts in words_ for t in (term, *parts)})
            if not pool:
                continue
            matched = set(rng.sample(pool, min(len(pool), rng.randint(1, 3)))) | {"zzz"}
            expected = tuple((start, end) for start, end, term, parts in words_
                             if term in matched or not matched.isdisjoint(parts))
            assert highlight(index, text, matched) == expected, (text, matched)
            checked += 1
    assert checked > 500


def test_title_among_the_query_words_ranks_first(small_data, monkeypatch):
    # the whole title "Folkepension" is one of the query's words; the other words are the
    # søgeord of many other services (as KL's "Udbetaling Danmark (UDK) myndighedsopgave")
    from competency_xblock.atlas import search as search_module

    small_data["services"].append({"id": "folkepension", "title": "Folkepension",
                                   "kle": ["32.03.04"], "unit": "ydelser"})
    for number in range(6):
        small_data["services"].append({
            "id": f"udk-{number}", "title": f"Ydelse nummer {number}", "unit": "ydelser",
            "keywords": ["Udbetaling Danmark myndighedsopgave pension"]})
    query = "Folkepension, Udbetaling Danmark"
    assert search(Atlas.from_dict(small_data), query).ids()[0] == "folkepension"
    clear_cache()
    monkeypatch.setattr(search_module, "TITLE_IN_QUERY_BONUS", 1.0)   # without the rule
    assert search(Atlas.from_dict(small_data), query).ids()[0] != "folkepension"
    clear_cache()


def test_typo_candidates_carry_their_true_edit_distance(demo_atlas):
    # the two-edit search reports distance 2 without computing it where the way it found
    # the word proves it; every reported distance must be the real one, and a long word
    # with two letters too many must come back (unless closer or as close words fill the
    # list)
    import random

    from competency_xblock.atlas.text import damerau_levenshtein

    index = get_index(demo_atlas)
    rng = random.Random(11)
    long_words = [w for w in index._typo_words if 8 <= len(w) <= 11]
    checked = 0
    for word in rng.sample(long_words, 150):
        i, j = sorted(rng.sample(range(len(word)), 2))
        for typo in (word[:i] + "q" + word[i:j] + "x" + word[j:],         # two letters added
                     word[:i] + "q" + word[i + 1:j] + "x" + word[j:],     # one changed, one added
                     word[:i] + "qx" + word[i:]):
            found = index._fuzzy_words(typo)
            for candidate, distance in found:
                assert damerau_levenshtein(typo, candidate, 2) == distance, (typo, candidate)
            if len(typo) >= 8:
                assert found, typo
                assert word in dict(found) or len(found) == 8 or found[0][1] < 2, (typo, found)
                checked += 1
    assert checked > 200


def test_fast_hit_construction_equals_the_dataclass_constructor(demo_atlas):
    from competency_xblock.atlas.search import Hit, _new_hit

    service = demo_atlas.services[0]
    args = (service, 1.5, "Titel", ((0, 5),), (("ord", ((0, 3),)),), (), "Beskrivelse")
    fast, slow = _new_hit(*args), Hit(*args)
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    assert fast.service_id == service.id and fast.keywords == (("ord", ((0, 3),)),)
    with pytest.raises(AttributeError):
        fast.score = 2.0            # still frozen


def test_top_items_and_kth_largest_equal_a_plain_sort(monkeypatch):
    # both ways (C sort, heapq.nlargest past TOP_SORT_MAX / CUT_SORT_MAX) give the plain
    # sort's answer, ties in dict order included
    import random
    from operator import itemgetter

    from competency_xblock.atlas import search as search_module
    from competency_xblock.atlas.search import _kth_largest, _top_items

    rng = random.Random(2)
    for limit in (100_000, 50):
        monkeypatch.setattr(search_module, "TOP_SORT_MAX", limit)
        monkeypatch.setattr(search_module, "CUT_SORT_MAX", limit)
        for _ in range(300):
            n, k = rng.randint(0, 300), rng.randint(1, 60)
            values = [rng.choice([1.0, 2.5, 4.0]) if rng.random() < 0.7 else rng.random() * 5
                      for _ in range(n)]
            scores = dict(zip(rng.sample(range(10_000), n), values, strict=True))
            assert _top_items(scores, k) == sorted(scores.items(), key=itemgetter(1),
                                                   reverse=True)[:k]
            ordered = sorted(values, reverse=True)
            assert _kth_largest(values, k) == (ordered[k - 1] if n >= k else 0.0)


def test_sampled_floor_keeps_the_plain_sort_answer_also_when_the_sample_misleads():
    # many values: only those at or above a sampled floor are sorted.  Values that put the
    # sample above the k-th largest (only the sampled positions are high) fall back to all
    from operator import itemgetter

    from competency_xblock.atlas.search import FLOOR_SAMPLE, _kth_largest, _top_items

    n, k = 4000, 200
    step = n // FLOOR_SAMPLE
    misleading = [10.0 if i % step == 0 else float(i % 7) for i in range(n)]
    ties = [float(i % 3) for i in range(n)]
    spread = [((i * 7919) % 1009) / 10.0 for i in range(n)]
    for values in (misleading, ties, spread):
        scores = dict(zip(range(n, 0, -1), values, strict=True))
        assert _top_items(scores, k) == sorted(scores.items(), key=itemgetter(1),
                                               reverse=True)[:k]
        assert _kth_largest(values, k) == sorted(values, reverse=True)[k - 1]
        assert _kth_largest(scores.values(), 30) == sorted(values, reverse=True)[29]


def test_term_map_is_the_postings_as_a_dict_shared_and_bounded(demo_atlas, monkeypatch):
    from competency_xblock.atlas import index as index_module

    index = SearchIndex(demo_atlas)
    terms = sorted(index.postings_ids, key=lambda t: -index.df[t])[:6]
    for term in terms:
        ids, impacts = index.postings(term)
        assert index.term_map(term) == dict(zip(ids, impacts, strict=True))
        assert list(index.term_map(term)) == list(ids)       # in posting order
        assert index.term_map(term) is index.term_map(term)  # cached, shared
        assert index.cached_term_map(term) is index.term_map(term)
    assert index.term_map("no-such-term") == {}
    # the cache is bounded by the services it holds (least recently used go first)
    monkeypatch.setattr(index_module, "TERM_MAP_ENTRIES", 4 * index.df[terms[0]])
    small = SearchIndex(demo_atlas)
    for term in terms:
        small.term_map(term)
    assert small.term_maps.total <= 4 * index.df[terms[0]]
    assert small.cached_term_map(terms[-1]) is not None
    assert small.term_maps.total == sum(len(m) for m in small.term_maps.values())


def _reference_combine(index, parts, require_all):
    """_combine_parts as plain dict operations (the rule it must keep)."""
    maps = [dict(zip(*index.postings(t), strict=True)) for t in dict.fromkeys(parts)]
    if require_all and any(not m for m in maps):
        return {}
    maps = sorted((m for m in maps if m), key=len)
    if not maps:
        return {}
    combined = dict(maps[0])
    for other in maps[1:]:
        if require_all:
            combined = {d: v + other[d] for d, v in combined.items() if d in other}
        else:
            for doc, value in other.items():
                combined[doc] = combined[doc] + value if doc in combined else value
    return combined


def test_combine_parts_equals_plain_dict_operations(demo_atlas):
    # with the terms' maps cached or not: the same services and sums, and the result does
    # not change the shared maps
    import random

    from competency_xblock.atlas.search import _combine_parts

    rng = random.Random(5)
    for warm in (False, True):
        index = SearchIndex(demo_atlas)
        terms = sorted(index.postings_ids)
        common = sorted(terms, key=lambda t: -index.df[t])[:40]
        if warm:
            for term in common:
                index.term_map(term)
        for _ in range(150):
            parts = tuple(rng.choice(common if rng.random() < 0.7 else terms)
                          for _ in range(rng.randint(1, 3)))
            for require_all in (True, False):
                got = _combine_parts(index, parts, require_all)
                want = _reference_combine(index, parts, require_all)
                assert got == want
                if require_all:
                    assert sorted(got) == sorted(want)
        for term in common:
            cached = index.cached_term_map(term)
            if cached is not None:
                assert cached == dict(zip(*index.postings(term), strict=True))


class _ListWord:
    """A stand-in for search._Word with fixed scores (what _pool asks of a word)."""

    def __init__(self, scores):
        from competency_xblock.atlas.search import BEST_KEPT, _top_items

        self._scores = scores
        self._best = [doc for doc, _ in _top_items(scores, BEST_KEPT)]

    def scores(self, index):
        return self._scores

    def best(self, index, count=None):
        from competency_xblock.atlas.search import BEST_KEPT

        return self._best[:min(count or BEST_KEPT, BEST_KEPT)]   # a prefix, as _Word's


def _reference_pool(acc, cands, long_words, k):
    pool = {doc: acc[doc] for doc in cands if doc in acc}
    for word in long_words:
        taken = 0
        for doc in word.best(None, None):
            if doc in cands:
                continue
            pool[doc] = acc[doc]
            taken += 1
            if taken >= k:
                break
        else:
            if len(word.best(None, None)) < len(word.scores(None)):
                return acc
    return pool


def test_pool_equals_the_reference_and_its_kth_largest_that_of_all(monkeypatch):
    # _pool picks each long list's first k services outside the candidates; its k-th
    # largest score is that of all accumulated services (what _rank's threshold uses)
    import random

    from competency_xblock.atlas import search as search_module
    from competency_xblock.atlas.search import _kth_largest, _pool

    monkeypatch.setattr(search_module, "SORT_MAX", 20)
    rng = random.Random(11)
    for _ in range(200):
        words = []
        acc: dict[int, float] = {}
        cands: set[int] = set()
        for _w in range(rng.randint(1, 3)):
            docs = rng.sample(range(3000), rng.randint(50, 600))
            scores = {d: rng.choice([2.5, 3.0, 4.0]) if rng.random() < 0.5
                      else 2.0 + rng.random() * 3 for d in docs}
            both = scores.keys() & acc.keys()
            for doc, value in scores.items():
                acc[doc] = acc.get(doc, 0.0) + value
            cands.update(both)
            words.append(_ListWord(scores))
        cands.update(rng.sample(sorted(acc), min(len(acc), rng.randint(0, 40))))
        k = rng.choice([30, 50, 60, 250])
        got = _pool(acc, cands, words, k, None)
        want = _reference_pool(acc, cands, words, k)
        assert got == want and list(got) == list(want)
        if len(acc) >= k:
            assert _kth_largest(got.values(), k) == _kth_largest(acc.values(), k)


def test_word_best_is_a_prefix_of_its_full_best_list(demo_atlas):
    # a short list asked for first is the start of the BEST_KEPT list asked for later
    from operator import itemgetter

    from competency_xblock.atlas.search import BEST_KEPT, EXPANSION_BUDGET, _Word

    index = SearchIndex(demo_atlas)
    for term in sorted(index.postings_ids, key=lambda t: -index.df[t])[:10]:
        expansions, compounds = index.expand(term, allow_prefix=True)
        fresh = _Word(index, expansions, compounds, EXPANSION_BUDGET)
        scores = fresh.scores(index)
        full = [doc for doc, _ in sorted(scores.items(), key=itemgetter(1),
                                         reverse=True)[:BEST_KEPT]]
        word = _Word(index, expansions, compounds, EXPANSION_BUDGET)
        short = word.best(index, 5)
        assert short == full[:len(short)] and len(short) >= min(5, len(scores))
        assert word.best(index) == full
        assert word.best(index, 3) == full       # the longer list stays


def test_diverse_top_keeps_the_reference_greedy_with_its_tie_rules():
    # the picked-in-C pool must give what sorting every (score, service) pair gave: the
    # best limit*4+10 (ties at the cut by service number; every tie past SORT_MAX)
    import heapq
    import random
    from array import array
    from types import SimpleNamespace

    from competency_xblock.atlas.search import DIVERSITY, SORT_MAX, _diverse_top

    def reference(index, acc, limit):
        size = limit * 4 + 10
        if len(acc) > SORT_MAX:
            cut = heapq.nlargest(size, acc.values())[-1]
            pool = [(-value, doc) for doc, value in acc.items() if value >= cut]
            heapq.heapify(pool)
        else:
            pool = sorted((-value, doc) for doc, value in acc.items())[:size]
        shown, top = {}, []
        while pool and len(top) < limit:
            negative, doc = heapq.heappop(pool)
            group = index.emne[doc]
            times = shown.get(group, 0) if group else 0
            score = acc[doc] * DIVERSITY ** times
            if score < -negative and pool and -pool[0][0] > score:
                heapq.heappush(pool, (-score, doc))
                continue
            top.append((doc, score))
            if group:
                shown[group] = times + 1
        return top

    rng = random.Random(4)
    for _ in range(300):
        groups = rng.choice((2, 4, 30))         # few emner: the greedy digs to the cut
        index = SimpleNamespace(emne=array("I", (rng.randint(0, groups)
                                                 for _ in range(5000))))
        n = rng.choice((5, 40, 120, 599, 700, 1500))
        acc = {doc: float(rng.choice((3, 5, 7, 9))) if rng.random() < 0.6 else rng.random() * 9
               for doc in rng.sample(range(5000), n)}
        limit = rng.choice((1, 10, 25))
        assert _diverse_top(index, acc, limit) == reference(index, acc, limit)


def test_results_do_not_depend_on_the_process_hash_seed():
    """String hashes differ between processes (PYTHONHASHSEED): a correction or a ranking that
    followed set order would differ between two LMS workers for the same query."""
    import json
    import subprocess
    import sys

    script = (
        "import json\n"
        "from competency_xblock.atlas.index import get_index\n"
        "from competency_xblock.atlas.search import search\n"
        "from competency_xblock.atlas.model import Atlas\n"
        f"data = json.load(open({str(PACKAGE_DATA / 'eksempel-kommune.json')!r}))\n"
        "index = get_index(Atlas.from_dict(data))\n"
        "queries = ['fritidsomraadet boerneydelsen reprodukton planla', 'familievejledning',\n"
        "           'byggetiladelse carport', 'sygedagpenge ferie udland', 'planla',\n"
        "           'hjemmehjaelp rengøring', 'parkeringslicens', 'kommunalskatten']\n"
        "out = []\n"
        "for q in queries:\n"
        "    r = search(index, q, limit=10, language='da')\n"
        "    out.append([q, [h.service_id for h in r.hits], repr(r.corrections)])\n"
        "print(json.dumps(out))\n")
    runs = set()
    for seed in ("0", "1", "12345"):
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              env={**__import__("os").environ, "PYTHONHASHSEED": seed},
                              check=True, timeout=120)
        runs.add(done.stdout)
    assert len(runs) == 1, runs
    assert json.loads(runs.pop())[0][1]   # the queries do find something


def test_cost_bounded_cache_keeps_the_recently_used_within_its_cost():
    from competency_xblock.atlas.index import CostBoundedCache

    cache = CostBoundedCache(10, cost=len, largest=6)
    assert cache.put("a", "xxxx") == "xxxx" and cache.get("a") == "xxxx"
    cache.put("b", "xxxx")
    cache.get("a")                          # a is now the most recently used
    cache.put("c", "xxx")                   # 11 > 10: b (least recently used) goes
    assert cache.peek("b") is None and cache.peek("a") and cache.peek("c")
    assert cache.total == 7 == sum(map(len, cache.values()))
    assert cache.put("big", "x" * 7) == "x" * 7 and cache.peek("big") is None  # > largest
    first = cache.put("d", "yy")
    assert cache.put("d", "zz") is first    # a value another thread kept first is shared
    assert cache.total <= 10
