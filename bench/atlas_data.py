"""Benchmark atlases of 1,000 / 10,000 / 100,000 services and the held-out query set.

Source data (see bench/data/SOURCES.md):

* the shipped demo atlas ``competency_xblock/data/atlas/eksempel-kommune.json``: 32 units and
  1,910 services (1,868 KLE emner with their real titles and KLE gruppe/hovedgruppe
  descriptions, 42 OS2bos services).  Its søgeord are *dropped*: the shipped file carries all
  stikord of the shared sample, which would leak the held-out queries into the index;
* ``bench/data/kle-stikord-sample.csv``: KL's stikord for 337 emner (verbatim copy).

Hold-out split (stable, documented in bench/README.md): every stikord row that is not a mere
copy of the emne title (``[=Emne]``) goes to the *query* half when the first byte of
``sha256("bench-v1\\x1f" + emne_nr + "\\x1f" + stikord)`` is odd, else to the *indexed* half,
where it becomes a søgeord of that emne's service.  The salt differs from the split the atlas
author's self-check uses, so the queries are not the ones the search was tuned on.
Relevance: a result is relevant when it is classified under the stikord's emne (KLE number).

Enlarging (10,000 and 100,000): real atlases that big are catalogues where one KLE emne is
handled by several services (one per handling, audience or unit).  Each real service gets
variants "<title>: <handling>" / "<title> for <audience>" with the emne's KLE number, a unit of
the atlas, a description naming the handling, and 0-2 of the emne's indexed søgeord; variants
are relevant to the same queries as their emne (they are classified under it) and compete with
every other emne's variants.  1,000 is a subset of the real services: those of every queried
emne plus others picked by a stable hash.  Everything is seeded: the same run gives the same
atlases.
"""
from __future__ import annotations

import copy
import csv
import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE_ATLAS = ROOT / "competency_xblock" / "data" / "atlas" / "eksempel-kommune.json"
STIKORD = Path(__file__).resolve().parent / "data" / "kle-stikord-sample.csv"
SALT = "bench-v1"
SIZES = (1_000, 10_000, 100_000)

#: Handlings a municipality publishes as separate services of one emne (plain Danish
#: administrative words; not KLE handlingsfacet titles).
HANDLINGS = (
    "ansøgning", "klage og genoptagelse", "vejledning og rådgivning", "tilsyn", "bevilling",
    "opfølgning", "betaling og opkrævning", "dispensation", "indberetning", "partshøring",
    "aktindsigt", "afgørelse", "digital selvbetjening", "tidsbestilling", "ændring af oplysninger",
    "samarbejde med andre myndigheder",
)
AUDIENCES = ("borgere", "virksomheder", "pårørende", "foreninger")


@dataclass(frozen=True)
class Query:
    text: str
    emne: str          # the relevant KLE emne number


def held_out(emne: str, stikord: str) -> bool:
    digest = hashlib.sha256(f"{SALT}\x1f{emne}\x1f{stikord}".encode()).digest()
    return bool(digest[0] & 1)


def split_stikord(path: Path = STIKORD) -> tuple[dict[str, list[str]], list[Query], dict]:
    """(søgeord to index per emne, held-out queries, counts)."""
    indexed: dict[str, list[str]] = {}
    queries: list[Query] = []
    title_copies = 0
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        text = " ".join(row["stikord"].split())
        if "[=Emne]" in text:
            title_copies += 1       # only repeats the title: trivially found, not a query
            continue
        if held_out(row["emne_nr"], text):
            queries.append(Query(text, row["emne_nr"]))
        else:
            indexed.setdefault(row["emne_nr"], []).append(text)
    counts = {"rows": len(rows), "title_copies_skipped": title_copies,
              "indexed_soegeord": sum(map(len, indexed.values())), "queries": len(queries),
              "emner_with_soegeord": len(indexed),
              "emner_queried": len({q.emne for q in queries})}
    return indexed, queries, counts


def _stable(key: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{SALT}\x1f{key}".encode()).digest()[:8], "big")


def build(size: int, indexed: dict[str, list[str]], queried: set[str]) -> dict:
    """The atlas document with ``size`` services (``size`` <= 1,910: a real subset; 0: all
    real services)."""
    base = json.loads(BASE_ATLAS.read_text(encoding="utf-8"))
    data = copy.deepcopy(base)
    data["id"] = f"bench-{size}"
    for service in data["services"]:
        service.pop("keywords", None)
        if service["id"].startswith("kle-"):
            words = indexed.get(service["kle"][0])
            if words:
                service["keywords"] = list(words)
    services = data["services"]
    if size == 0:                     # the real atlas as it is
        return data
    if size <= len(services):
        must = [s for s in services if s.get("kle") and s["kle"][0] in queried]
        rest = sorted((s for s in services if not (s.get("kle") and s["kle"][0] in queried)),
                      key=lambda s: _stable(s["id"]))
        keep = {s["id"] for s in must + rest[:max(0, size - len(must))]}
        data["services"] = [s for s in services if s["id"] in keep][:size]
        return data
    rng = random.Random(f"{SALT}-{size}")
    units = [u["id"] for u in data["units"]]
    combos = [("h", h) for h in HANDLINGS] + [("a", a) for a in AUDIENCES] + \
        [("ha", (h, a)) for h in HANDLINGS[:8] for a in AUDIENCES]
    need = size - len(services)
    per_service, extra = divmod(need, len(services))
    variants = []
    for number, service in enumerate(services):
        count = per_service + (1 if number < extra else 0)
        picks = rng.sample(combos, min(count, len(combos)))
        while len(picks) < count:       # more variants than combinations: numbered series
            picks.append(("n", (rng.choice(HANDLINGS), len(picks))))
        title = service["title"] if isinstance(service["title"], str) else \
            service["title"].get("da") or next(iter(service["title"].values()))
        for i, (kind, value) in enumerate(picks):
            if kind == "h":
                vtitle, what = f"{title}: {value}", value
            elif kind == "a":
                vtitle, what = f"{title} for {value}", f"henvendelser fra {value}"
            elif kind == "ha":
                vtitle, what = f"{title}: {value[0]} for {value[1]}", value[0]
            else:
                vtitle, what = f"{title}: {value[0]} (sag {value[1]})", value[0]
            variant = {
                "id": f"{service['id']}-v{i + 1}",
                "title": vtitle,
                "unit": service["unit"] if rng.random() < 0.6 else rng.choice(units),
                "description": f"{what.capitalize()} vedrørende {title.lower()}.",
                "audience": ["business"] if value == "virksomheder" else ["citizen"],
            }
            if service.get("kle"):
                variant["kle"] = list(service["kle"])
            words = service.get("keywords") or []
            if words:
                variant["keywords"] = rng.sample(words, min(len(words), rng.randint(0, 2)))
                if not variant["keywords"]:
                    variant.pop("keywords")
            variants.append(variant)
    data["services"] = services + variants
    return data


def service_texts(atlas_data: dict) -> list[dict]:
    """Per service the texts FTS5 indexes (the same fields our index reads)."""
    def text(value) -> str:
        if not value:
            return ""
        if isinstance(value, str):
            return value
        return " ".join(dict.fromkeys(v for v in value.values() if v))

    units = {u["id"]: text(u["name"]) for u in atlas_data["units"]}
    return [{"id": s["id"], "kle": (s.get("kle") or [""])[0], "title": text(s["title"]),
             "keywords": " | ".join(s.get("keywords") or ()),
             "unit": units.get(s["unit"], ""), "description": text(s.get("description")),
             "referral": text(s.get("referral_notes"))}
            for s in atlas_data["services"]]
