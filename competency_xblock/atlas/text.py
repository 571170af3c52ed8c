"""Danish-aware text handling for the atlas search: folding, tokens with offsets, stemming.

Why hand-written: the search must run in pure Python inside the LMS process, without a
search server or a compiled stemmer.  Everything here is deterministic and cached, so the
index (built once per atlas version) and the queries agree on every normal form.

Normal forms, from strict to loose:

``fold``
    casefold, NFKC, æ→ae, ø→oe, å→aa, other accents dropped (é→e, ü→u).  "Ældre", "ældre"
    and "aeldre" all fold to "aeldre".
``stem``
    a Snowball-Danish stemmer applied to the casefolded word (before folding, because the
    Snowball vowel set contains æ/ø/å), then folded; plus a light derivational step
    (-ning, -else, -hed ...) so that "flytning" and "flytte" meet at "flyt".
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from operator import add

#: All the dash characters people paste from Word, PDFs and KL's own data (U+2010 included).
HYPHENS = "-\u2010\u2011\u2012\u2013\u2014\u2212\u00ad"
_HYPHEN_TABLE = {ord(c): "-" for c in HYPHENS}
_HYPHEN_TABLE[0x00AD] = None  # soft hyphen: drop, it never separates words

#: Characters that are invisible in a word and never separate words: the soft hyphen, the
#: zero-width space, non-joiner and joiner, the word joiner, the byte-order mark and the
#: direction marks - text copied from web pages, PDFs and chat tools carries them inside
#: words ("førtids\u200bpension" is "førtidspension").  Kept inside a word's match (so offsets
#: stay those of the original text) and dropped by :func:`fold`.
INVISIBLE = "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"
#: A word: letters/digits, may contain inner apostrophes and invisible characters; hyphens
#: split words.
WORD_RE = re.compile(
    rf"[^\W_]+(?:(?:[{INVISIBLE}]*['\u2019][{INVISIBLE}]*|[{INVISIBLE}]+)[^\W_]+)*", re.UNICODE)
#: KLE numbers and prefixes: "27", "27.24", "27.24.03" (also with spaces or dashes? no).
KLE_QUERY_RE = re.compile(r"^\s*(\d{2})(?:\.(\d{2}))?(?:\.(\d{2}))?\.?\s*$")
KLE_IN_TEXT_RE = re.compile(r"(?<![\d.])(\d{2}(?:\.\d{2}){1,2})(?![\d.]*\d)")

_FOLD_MAP = str.maketrans({
    "æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "u", "ß": "ss",
    "ð": "d", "þ": "th", "ł": "l", "đ": "d", "œ": "oe",
    **dict.fromkeys(INVISIBLE),
})

#: Danish function words that carry no meaning for a lookup (folded forms).
STOPWORDS = frozenset("""
af alle alt anden andet andre at bl blev blive bliver da de dem den denne der deres det
dette dig din dine disse dit du efter eller en end er et for fra ham han hans har havde
have hende hendes her hos hun hvad hvis hvor i ikke ind jeg jer jo kan kunne man mange
med meget men mig min mine mit mod ned noget nogle nu naar og ogsaa om op os over paa
saa sig sin sine sit skal skulle som selv sin til ud under var vi vil ville vor vores
mv m v etc jf the of and to in on for a an is
""".split())


_VOWELS = frozenset("aeiouyæøå")


def syncope_variants(stem: str) -> tuple[str, ...]:
    """The other form of a stem that loses an unstressed *e* when inflected: "middel" /
    "midler" (stem "midl"), "regel" / "regler", "cykel" / "cykler", "himmel" / "himle".  The
    stemmer keeps the two apart; the search tries the other form of a word the atlas lacks."""
    if len(stem) >= 5 and stem.endswith("el") and stem[-3] not in _VOWELS:
        base = stem[:-2]
        if base[-1] == base[-2]:
            base = base[:-1]                                   # "midd(el)" -> "mid"
        return (base + "l",)
    if len(stem) >= 4 and stem[-1] == "l" and stem[-2] not in _VOWELS and stem[-3] in _VOWELS:
        return (stem[:-1] + "el", stem[:-2] + stem[-2] * 2 + "el")   # "midl" -> "midel", "middel"
    return ()


@cache
def common_words() -> frozenset[str]:
    """Folded common Danish and English words (data/atlas/common-words.txt, from wordfreq):
    a query word among them is a word the learner meant, not a typo of an atlas word.  Read
    once per process, on first use."""
    from importlib.resources import files

    text = files("competency_xblock").joinpath("data/atlas/common-words.txt").read_text(
        encoding="utf-8")
    return frozenset(fold(line.strip()) for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def unify_hyphens(text: str) -> str:
    """Replace every dash variant by "-" and drop soft hyphens."""
    return text.translate(_HYPHEN_TABLE)


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Case and accent folding with the Danish letter equivalences (æ/ae, ø/oe, å/aa)."""
    text = unicodedata.normalize("NFKC", word).casefold().translate(_FOLD_MAP)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold_text(text: str) -> str:
    """:func:`fold` for a whole text (not cached): the quick test of highlighting."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_FOLD_MAP)
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text)
                       if not unicodedata.combining(c))
    return text.replace("\u2019", "'")


@dataclass(frozen=True, slots=True)
class Token:
    """A word of the original text: ``text[start:end]`` is what gets highlighted."""

    start: int
    end: int
    surface: str   # the original characters
    folded: str    # fold(surface)


def tokenize(text: str) -> list[Token]:
    """Words with their character offsets in ``text`` (offsets refer to the input string)."""
    if not text:
        return []
    # Soft hyphens are kept inside a match (so offsets stay valid for the original string)
    # and removed only from the folded form.
    tokens = []
    for match in WORD_RE.finditer(text):
        surface = match.group(0)
        tokens.append(Token(match.start(), match.end(), surface,
                            fold(surface.replace("\u2019", "'"))))
    return tokens


def surface_words(text: str) -> list[tuple[str, str]]:
    """(surface, folded) per word: :func:`tokenize` without offsets or Token objects, the
    cheap path for parsing a query."""
    out = []
    for surface in WORD_RE.findall(text):
        if "\u2019" in surface:
            out.append((surface, fold(surface.replace("\u2019", "'"))))
        else:
            out.append((surface, fold(surface)))
    return out


def words(text: str) -> list[str]:
    """Folded words only (no offsets): the cheap path for indexing."""
    return [fold(m.group(0).replace("\u2019", "'"))
            for m in WORD_RE.finditer(text)]


# --------------------------------------------------------------------------- stemming

_VOWELS = frozenset("aeiouyæøå")
_STEP1 = sorted("""
hed ethed ered e erede ende erende ene erne ere en heden eren er heder erer heds es endes
erendes enes ernes eres ens hedens erens ers ets erets et eret
""".split(), key=len, reverse=True)
_S_ENDING = frozenset("abcdfghjklmnoprtvyzå")
_STEP3 = ("elig", "lig", "els", "ig")
_PAIRS = ("gd", "dt", "gt", "kt")
#: Derivational endings that Snowball keeps but a lookup should not (flytning ~ flytte,
#: bekæmpelse ~ bekæmpe, fredede ~ fredning).  Only stripped when at least 4 letters
#: remain ("ordning" stays).
_DERIVATIONAL = sorted("ningerne ningens ningen ninger ning elserne elsens elsen elser else ede"
                       .split(), key=len, reverse=True)


def _by_length(suffixes: list[str]) -> tuple[tuple[int, frozenset[str]], ...]:
    """Suffixes grouped by length, longest first: "the longest suffix that fits" becomes
    one slice and one set lookup per length instead of an endswith() per suffix."""
    lengths = sorted({len(x) for x in suffixes}, reverse=True)
    return tuple((n, frozenset(x for x in suffixes if len(x) == n)) for n in lengths)


_STEP1_BY_LEN = _by_length(_STEP1)
_DERIVATIONAL_BY_LEN = _by_length(_DERIVATIONAL)


#: Neuter adjectives Snowball leaves alone ("socialt", "kommunalt", "aktuelt", "generelt");
#: nouns such as "asfalt" or "telt" do not match (too short or the wrong letter before).
_NEUTER_T_RE = re.compile(r"(?:^.{3,}al|^.{3,}[inru]el)t$")


def _r1(word: str) -> int:
    for i in range(1, len(word)):
        if word[i] not in _VOWELS and word[i - 1] in _VOWELS:
            return max(3, i + 1)
    return len(word)


def _consonant_pair(word: str, r1: int) -> str:
    if len(word) - 2 >= r1 and word[-2:] in _PAIRS:
        return word[:-1]
    return word


def snowball_danish(word: str) -> str:
    """The Snowball Danish stemmer (Porter's algorithm for Danish) on a casefolded word."""
    if len(word) < 3:
        return word
    r1 = _r1(word)
    # step 1: the longest suffix in R1
    size = len(word)
    for length, group in _STEP1_BY_LEN:
        if size - length >= r1 and word[-length:] in group:
            word = word[:-length]
            break
    else:
        if word.endswith("s") and len(word) - 1 >= r1 and len(word) > 1 \
                and word[-2] in _S_ENDING:
            word = word[:-1]
    # step 2
    word = _consonant_pair(word, r1)
    # step 3
    if word.endswith("igst"):
        word = word[:-2]
    for suffix in _STEP3:
        if word.endswith(suffix) and len(word) - len(suffix) >= r1:
            word = _consonant_pair(word[: -len(suffix)], r1)
            break
    else:
        if word.endswith("løst") and len(word) - 4 >= r1:
            word = word[:-1]
    # step 4: undouble (the last consonant must be in R1)
    if len(word) >= 2 and len(word) - 1 >= r1 and word[-1] not in _VOWELS \
            and word[-1] == word[-2]:
        word = word[:-1]
    return word


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Folded stem of one word (input: any case, any accents)."""
    low = unicodedata.normalize("NFKC", word).casefold()
    if not low.isalpha():
        return fold(low)
    size = len(low)
    for length, group in _DERIVATIONAL_BY_LEN:
        if size - length >= 4 and low[-length:] in group:
            low = low[:-length]
            break
    else:
        if low[-3:] in ("alt", "elt") and _NEUTER_T_RE.search(low):
            low = low[:-1]   # "socialt" ~ "sociale", "generelt" ~ "generelle"
    return fold(snowball_danish(low))


@lru_cache(maxsize=200_000)
def stem_folded(folded: str) -> str:
    """Stem of an already folded word.

    Folding is lossy (æ→ae), so we map the common digraphs back before stemming: the
    Snowball vowel set needs æ/ø/å to find R1 correctly.  "aeldre" → "ældre" → "ældr".
    """
    return stem(unfold(folded))


def unfold(folded: str) -> str:
    """Best-effort inverse of :func:`fold` for the Danish letters (ae→æ, oe→ø, aa→å)."""
    if "a" not in folded and "o" not in folded:
        return folded
    return folded.replace("aa", "å").replace("ae", "æ").replace("oe", "ø")


def is_stopword(folded: str) -> bool:
    return folded in STOPWORDS


def kle_query(text: str) -> str | None:
    """``"27.24"`` → ``"27.24"``; ``"27.24.03."`` → ``"27.24.03"``; anything else → None."""
    match = KLE_QUERY_RE.match(text)
    if not match:
        return None
    return ".".join(part for part in match.groups() if part)


#: Digits with the separators people put between KLE groups (".", ",", "-", "/", spaces).
_KLE_LOOSE_RE = re.compile(r"^[\d\s.,\-/]+$")
_KLE_SEP_RE = re.compile(r"\s*[.,\-/]\s*|\s+")
#: Words people write before a KLE number: "KLE 23.05", "KLE-nr. 23.05.10", "emne 23.05.10".
_KLE_LABEL_RE = re.compile(r"^(?:kle|emne)?[\s.:-]*(?:nr|nummer)?[\s.:-]*", re.IGNORECASE)
KLE_LABEL_WORDS = frozenset({"kle", "nr", "nummer", "emne", "emnenr"})


def without_kle_label(text: str) -> str:
    """``text`` without a leading "KLE", "KLE-nr.", "emne" or "nr." before a number."""
    match = _KLE_LABEL_RE.match(text)
    rest = text[match.end():] if match else text
    return rest if rest != text and rest[:1].isdigit() else text


def kle_loose_query(text: str) -> tuple[str | None, bool]:
    """A query that is only a (maybe partial) KLE number, however it is written.

    Returns ``(number, malformed)``.  ``number`` is the dotted form, possibly a partial
    prefix whose last group has one digit: "2305" → "23.05", "230510" → "23.05.10",
    "23 05" / "23-05" / "23.05." → "23.05", "23.0" → "23.0", "23051" → "23.05.1", "5.1" →
    "05.1".  ``malformed`` is True for digit-and-dot text that cannot be a KLE number
    ("23.05.10.01", "1234567", "123.4"), so the caller can say how KLE numbers are written.
    Anything with letters: ``(None, False)``.
    """
    stripped = text.strip()
    if not stripped or not _KLE_LOOSE_RE.match(stripped) or not any(c.isdigit()
                                                                    for c in stripped):
        return None, False
    core = stripped.rstrip(".,-/ ").lstrip(".,-/ ")
    if core.isdigit():
        if len(core) > 6:
            return None, True
        groups = [core[i:i + 2] for i in range(0, len(core), 2)]
    else:
        # "2305.10": a run of four or six digits is two or three groups
        groups = []
        for group in _KLE_SEP_RE.split(core):
            if len(group) in (4, 6) and group.isdigit():
                groups += [group[i:i + 2] for i in range(0, len(group), 2)]
            else:
                groups.append(group)
        if len(groups) > 3 or any(not g.isdigit() or len(g) > 2 for g in groups):
            return None, True
        # "5.01" is hovedgruppe 05; only the last group may be a partial (one digit)
        groups = [g.zfill(2) for g in groups[:-1]] + [groups[-1]]
        if len(groups) > 1 and len(groups[-1]) == 1 and stripped.rstrip()[-1:] in ".,":
            groups[-1] = groups[-1].zfill(2)     # "23.5." is finished: 23.05
    if len(groups) > 3:
        return None, True
    return ".".join(groups), False


# ------------------------------------------------------------------- edit distance

def damerau_levenshtein(a: str, b: str, limit: int = 2) -> int:
    """Optimal-string-alignment distance, giving up (returning limit+1) beyond ``limit``."""
    if a == b:
        return 0
    la, lb = len(a), len(b)
    if abs(la - lb) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(lb + 1))
    for i in range(1, la + 1):
        cur = [i] + [0] * lb
        row_min = cur[0]
        ai = a[i - 1]
        for j in range(1, lb + 1):
            cost = 0 if ai == b[j - 1] else 1
            value = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ai == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, prev2[j - 2] + 1)
            cur[j] = value
            if value < row_min:
                row_min = value
        if row_min > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[lb]


def within_one_edit(a: str, b: str) -> bool:
    """Damerau distance <= 1 in one pass (no table): the fast check of typo candidates."""
    la, lb = len(a), len(b)
    if la > lb:
        a, b, la, lb = b, a, lb, la
    if lb - la > 1:
        return False
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if i == la:
        return True                        # equal, or one letter added at the end
    if la == lb:
        if a[i + 1:] == b[i + 1:]:
            return True                    # one substitution
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] \
            and a[i + 2:] == b[i + 2:]     # one transposition
    return a[i:] == b[i + 1:]              # one insertion


def deletes(word: str) -> set[str]:
    """All strings made by deleting one character (SymSpell's symmetric-delete keys)."""
    heads, tails = _one_gap(len(word))
    get = word.__getitem__
    return set(map(add, map(get, heads), map(get, tails)))


def deletes2(word: str) -> set[str]:
    """All strings made by deleting two characters (the two-typo neighbourhood)."""
    heads, middles, tails = _two_gaps(len(word))
    get = word.__getitem__
    return set(map(add, map(add, map(get, heads), map(get, middles)), map(get, tails)))


@lru_cache(maxsize=128)
def _one_gap(size: int) -> tuple[tuple[slice, ...], tuple[slice, ...]]:
    """Slices around each position of a word of ``size`` letters: the pieces are cut and
    joined in C (one deletion key costs no Python bytecode)."""
    return (tuple(slice(0, i) for i in range(size)),
            tuple(slice(i + 1, None) for i in range(size)))


@lru_cache(maxsize=128)
def _two_gaps(size: int) -> tuple[tuple[slice, ...], ...]:
    pairs = [(i, j) for i in range(size) for j in range(i + 1, size)]
    return (tuple(slice(0, i) for i, _ in pairs), tuple(slice(i + 1, j) for i, j in pairs),
            tuple(slice(j + 1, None) for _, j in pairs))


def trigrams(word: str) -> set[str]:
    """The distinct 3-letter substrings of ``word`` (sub-word matching of compounds)."""
    return {word[i:i + 3] for i in range(len(word) - 2)}
