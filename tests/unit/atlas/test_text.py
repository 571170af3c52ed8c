"""Danish normalisation: folding, hyphens, tokens with offsets, stemming, edit distance."""
from __future__ import annotations

import pytest

from competency_xblock.atlas.text import (
    damerau_levenshtein,
    deletes,
    deletes2,
    fold,
    kle_query,
    snowball_danish,
    stem,
    stem_folded,
    surface_words,
    tokenize,
    words,
)


@pytest.mark.parametrize(("a", "b"), [
    ("Ældre", "aeldre"), ("ÆLDRE", "ældre"), ("Kørekort", "koerekort"), ("Århus", "Aarhus"),
    ("Café", "cafe"), ("Straße", "strasse"), ("ﬁ", "fi"),
])
def test_fold_equivalences(a, b):
    assert fold(a) == fold(b)


def test_tokenize_keeps_offsets_of_the_original_text():
    text = "Støtte‐ordning, bo\u00adlig-støtte (27.24.03)"
    tokens = tokenize(text)
    assert [t.folded for t in tokens][:4] == ["stoette", "ordning", "bolig", "stoette"]
    for token in tokens:
        assert text[token.start:token.end] == token.surface
    # U+2010 and "-" both split words; the soft hyphen does not
    assert words("plante‐ og dyrearter") == ["plante", "og", "dyrearter"]


@pytest.mark.parametrize(("a", "b"), [
    ("flytning", "flytte"), ("flytter", "flytte"), ("boliger", "bolig"),
    ("anbringelse", "anbringelser"), ("ældre", "aeldre"), ("pensioner", "pension"),
    ("fredede", "fredning"), ("bekæmpelse", "bekæmpelsen"), ("rotter", "rotte"),
])
def test_stemming_brings_forms_together(a, b):
    assert stem(a) == stem(b)


def test_stem_of_folded_equals_stem_of_original():
    for word in ("ældre", "kørekort", "børnene", "åbningstider"):
        assert stem_folded(fold(word)) == stem(word)


def test_short_words_are_not_overstemmed():
    assert stem("ordning") != stem("ord")
    assert stem("pas") == "pas"


@pytest.mark.parametrize(("text", "expected"), [
    ("27", "27"), ("27.24", "27.24"), (" 27.24.03. ", "27.24.03"), ("02.00", "02.00"),
    ("27.2", None), ("1234", None), ("27.24 bolig", None), ("", None),
])
def test_kle_query(text, expected):
    assert kle_query(text) == expected


def test_damerau_levenshtein_counts_transpositions_as_one():
    assert damerau_levenshtein("koerekrot", "koerekort") == 1
    assert damerau_levenshtein("boligstoette", "boligstotte") == 1
    assert damerau_levenshtein("abc", "xyz", limit=1) == 2


def test_deletion_keys_are_every_string_with_one_or_two_letters_removed():
    import random

    rng = random.Random(7)
    for size in (0, 1, 2, 3, 8, 15):
        word = "".join(rng.choice("abæøå") for _ in range(size))
        one = {word[:i] + word[i + 1:] for i in range(size)}
        assert deletes(word) == one
        assert deletes2(word) == {key[:i] + key[i + 1:] for key in one
                                  for i in range(len(key))}
    assert deletes2("abc") == {"a", "b", "c"}


def test_surface_words_are_tokenize_without_offsets():
    text = "Ældre\u00adbolig, Borger\u2019s støtte - 27.24 og h\u00e6lp"
    assert surface_words(text) == [(t.surface, t.folded) for t in tokenize(text)]


def test_snowball_takes_the_longest_ending_that_fits_in_r1():
    # "erendes" does not fit in R1 of "lerendes" (R1 starts after "ler"), "endes" does
    assert snowball_danish("lerendes") == "ler"
    assert snowball_danish("bestemmelsernes") == snowball_danish("bestemmelserne")
    assert stem("flytningerne") == stem("flytning") == "flyt"
