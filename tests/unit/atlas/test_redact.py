"""Personal identifiers are replaced in the atlas query text the blocks keep or send."""
from __future__ import annotations

import csv
import random

import pytest

from competency_xblock.atlas.redact import CPR, EMAIL, PHONE, has_identifier, redact
from tests.unit.atlas.kle_factory import DATA


@pytest.mark.parametrize("typed, kept", [
    ("010190-1234", CPR),
    ("0101901234", CPR),
    ("010190 1234", CPR),
    ("010190 - 1234", CPR),
    ("010190\u20101234", CPR),                      # the hyphen Word puts in
    ("borger 311299-4321 flytning", f"borger {CPR} flytning"),
    ("cpr: 0101901234.", f"cpr: {CPR}."),
    ("jens.hansen@example.dk", EMAIL),
    ("skriv til JH+sag@kommune.gov.dk om pas", f"skriv til {EMAIL} om pas"),
    ("12345678", PHONE),
    ("ring 12 34 56 78", f"ring {PHONE}"),
    ("1234 5678", PHONE),
    ("+45 12345678", PHONE),
    ("0045 12 34 56 78 i morgen", f"{PHONE} i morgen"),
    ("010190-1234 og 87654321", f"{CPR} og {PHONE}"),
    # as people group them (a new-user trial)
    ("flytning 01.01.90-1234", f"flytning {CPR}"),
    ("flytning 010190/1234", f"flytning {CPR}"),
    ("flytning 01 01 90 1234", f"flytning {CPR}"),
    ("flytning 0101 90 1234", f"flytning {CPR}"),
    ("01 01 90 12 34", CPR),
    ("flytning \uff10\uff11\uff10\uff11\uff19\uff10\uff0d\uff11\uff12\uff13\uff14",
     f"flytning {CPR}"),                                            # full-width digits
    ("flytning 12.34.56.78", f"flytning {PHONE}"),
    ("flytning +4512345678", f"flytning {PHONE}"),
    ("ring 0045-1234 5678", f"ring {PHONE}"),
    # invisible characters from web pages and chat tools, no-break spaces (a bug trial)
    ("borger 0101\u200b90-1234 flytning", f"borger {CPR} flytning"),
    ("010190\u20601234", CPR),
    ("\ufeff010190-1234", CPR),
    ("01\u200c01\u200d90-1234", CPR),
    ("flytning 01\u00a001\u00a090\u00a01234", f"flytning {CPR}"),
    ("010190\u00ad-1234", CPR),
    ("ring 12\u200b34\u200b56\u200b78", f"ring {PHONE}"),
    ("jens\u200b.hansen@example.dk", EMAIL),
])
def test_identifiers_become_placeholders(typed, kept):
    assert redact(typed) == kept
    assert has_identifier(typed)


@pytest.mark.parametrize("typed", [
    "flytning", "boligstøtte til pensionister", "",
    "23.05.04", "230504", "23 05 04", "23.05", "2305", "27.24.06 G01",   # KLE numbers
    "regnskab 2023 2024", "2023-2024",                                  # years
    "blanket 1234", "skema 123456", "5790000123456",                     # other numbers
    "12345678901", "01019012345",                                        # 11 digits
    "mail @ borgerservice", "e-mail", "@kommune",                        # no address
    "kørekort §§ 1-3",
    "flytning 01.01.2024", "23.05.10 1. januar",                       # dates
])
def test_search_words_and_kle_numbers_are_left_alone(typed):
    assert redact(typed) == typed
    assert not has_identifier(typed)


def test_no_real_stikord_or_kle_title_is_changed():
    """Real search words (KL's stikord and titles, numbers included) keep every character."""
    texts = []
    for path in sorted(DATA.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            sample = handle.read(4096)
            handle.seek(0)
            dialect = csv.Sniffer().sniff(sample, delimiters=",;")
            for row in csv.reader(handle, dialect):
                texts += [v for v in row if v]
    assert len(texts) > 10000
    assert [t for t in texts if has_identifier(t)] == []


def test_random_cpr_numbers_inside_text_never_survive():
    rng = random.Random(7)
    for _ in range(500):
        number = f"{rng.randint(1, 31):02d}{rng.randint(1, 12):02d}{rng.randint(0, 99):02d}"
        serial = f"{rng.randint(0, 9999):04d}"
        sep = rng.choice(["", "-", " ", " - "])
        text = f"{rng.choice(['', 'borger ', 'sag '])}{number}{sep}{serial}" \
               f"{rng.choice(['', ' flytning', '.'])}"
        out = redact(text)
        assert number not in out and CPR in out, text


@pytest.mark.parametrize("typed, term", [
    ("  Flytning 010190-1234! ", "flytning [cpr]"),
    ("+45 12345678", "[telefon]"),          # the "+" is part of the number, not punctuation
    ("0101901234", "[cpr]"),
    ("...boligstøtte?", "boligstøtte"),
])
def test_gap_log_terms_hold_placeholders(typed, term):
    from competency_xblock.atlas import gaps

    entry = gaps.record(gaps.KIND_NO_HITS, typed)
    assert entry["query"] == term
    assert gaps.normalise_term(entry["query"]) == term      # stable when read again


def test_staff_list_hides_identifiers_counted_by_earlier_versions():
    from competency_xblock.atlas import gaps

    log = [gaps.record(gaps.KIND_NO_HITS, "pas")]
    tally = gaps.update_tally(None, "learner-1", None, log)
    tally["terms"]["borger 0101901234"] = dict(tally["terms"]["pas"])   # as stored before
    terms = {c.term for c in gaps.tally_candidates(tally)}
    assert terms == {"pas", "borger [cpr]"}
