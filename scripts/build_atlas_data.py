#!/usr/bin/env python3
"""Build the shipped demo atlas "Eksempel Kommune" from the shared reference data.

Reads (never at run time, only here):
  ../shared/data/kle/derived_kle_numbers_titles_from_mapping.csv   1,815 KLE emner
  ../shared/data/kle/kle-emner-sample.csv     53 more emner (from the 2025 XML)
  ../shared/data/kle/kle-stikord-sample.csv                         KL's stikord (sample)
  ../shared/data/service-atlas/os2bos/derived_activity_section_kle.csv  OS2bos services
Writes competency_xblock/data/atlas/:
  eksempel-kommune.json             the atlas (schemas/atlas.schema.json)
  eksempel-kommune-scenarios.json   referral exercises (schemas/atlas-exercise.schema.json)
  kle-numbers-2025-05-01.csv        KLE numbers and titles (for version-drift reports)
  LICENSE-MPL-2.0.txt               licence of the OS2bos-derived content
and copies test fixtures to tests/data/atlas/.

The organisation, its units and all contact details are invented (phone numbers in the
reserved-looking +45 99 99 xx xx range, e-mail under the reserved .invalid domain).

Usage: python scripts/build_atlas_data.py [--shared ../shared]
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "competency_xblock" / "data" / "atlas"
TESTS = ROOT / "tests" / "data" / "atlas"
KLE_VERSION = "2025-05-01"

FICTIONAL = "Alle kontaktoplysninger er opdigtede (fiktiv kommune)."

# id, name, kind, parent, phone suffix, e-mail local part, address, opening hours
UNITS = [
    ("borgerservice", "Borgerservice", "department", None, "10 00", "borgerservice",
     "Rådhustorvet 1, 9999 Eksempelby", "Man-ons 10-15, tors 10-17.30, fre 10-13"),
    ("borgerservice-pas-koerekort", "Pas og kørekort", "team", "borgerservice", "10 10",
     "pas-koerekort", None, "Kun efter tidsbestilling: man-fre 9-14"),
    ("borgerservice-folkeregister", "Folkeregister og CPR", "team", "borgerservice", "10 20",
     "folkeregister", None, None),
    ("borgerservice-ydelser", "Pension og boligstøtte", "team", "borgerservice", "10 30",
     "pension", None, "Telefontid man-fre 9-12"),
    ("valgsekretariatet", "Valgsekretariatet", "team", "borgerservice", "10 40", "valg",
     None, None),
    ("jobcenter", "Jobcenter Eksempelby", "department", None, "20 00", "jobcenter",
     "Jobvej 4, 9999 Eksempelby", "Man-tors 9-15, fre 9-12"),
    ("jobcenter-ydelser", "Ydelsesteamet", "team", "jobcenter", "20 10", "ydelser", None,
     "Telefontid man-fre 9-12"),
    ("ungeindsatsen", "Ungeindsatsen", "team", "jobcenter", "20 20", "ungeindsats", None, None),
    ("boern-familie", "Børn og Familie", "department", None, "30 00", "boern-familie",
     "Familievej 2, 9999 Eksempelby", "Man-fre 8-15. Akut uden for åbningstid: "
     "Den Sociale Døgnvagt"),
    ("familieafdelingen", "Familieafdelingen", "centre", "boern-familie", "30 10",
     "familieafdelingen", None, None),
    ("handicapafdelingen", "Handicapafdelingen", "centre", "boern-familie", "30 20",
     "handicapafdelingen", None, None),
    ("aeldre-sundhed", "Ældre og Sundhed", "department", None, "40 00", "aeldre-sundhed",
     "Omsorgsvej 7, 9999 Eksempelby", "Man-fre 8-15"),
    ("visitationen", "Visitationen", "team", "aeldre-sundhed", "40 10", "visitation", None,
     "Telefontid man-fre 8-10"),
    ("sundhed-forebyggelse", "Sundhed og Forebyggelse", "team", "aeldre-sundhed", "40 20",
     "sundhed", None, None),
    ("social-voksne", "Social og Handicap, voksne", "department", None, "45 00",
     "socialcenter", "Omsorgsvej 9, 9999 Eksempelby", "Man-fre 9-14"),
    ("teknik-miljoe", "Teknik og Miljø", "department", None, "50 00", "teknik-miljoe",
     "Teknikgade 10, 9999 Eksempelby", "Man-tors 9-15, fre 9-12"),
    ("vej-park", "Vej og Park", "team", "teknik-miljoe", "50 10", "vej-park", None, None),
    ("natur-miljoe", "Natur og Miljø", "team", "teknik-miljoe", "50 20", "natur-miljoe", None,
     None),
    ("affald-genbrug", "Affald og Genbrug", "team", "teknik-miljoe", "50 30", "affald", None,
     "Telefontid man-fre 8-14"),
    ("byggeri-plan", "Byggeri og Plan", "department", None, "55 00", "byggeri",
     "Teknikgade 10, 9999 Eksempelby", "Byggesagsvejledning man og tors 9-12"),
    ("skole-dagtilbud", "Skole og Dagtilbud", "department", None, "60 00", "skole-dagtilbud",
     "Skolegade 3, 9999 Eksempelby", "Man-fre 9-14"),
    ("pladsanvisningen", "Pladsanvisningen", "team", "skole-dagtilbud", "60 10",
     "pladsanvisning", None, "Telefontid man-fre 9-12"),
    ("kultur-fritid", "Kultur og Fritid", "department", None, "65 00", "kultur-fritid",
     "Kulturtorvet 1, 9999 Eksempelby", None),
    ("biblioteket", "Eksempelby Bibliotek", "centre", "kultur-fritid", "65 10", "bibliotek",
     "Kulturtorvet 1, 9999 Eksempelby", "Betjent man-fre 10-18, selvbetjent 7-22"),
    ("erhvervsservice", "Erhvervsservice", "department", None, "70 00", "erhverv",
     "Rådhustorvet 1, 9999 Eksempelby", "Man-fre 9-15"),
    ("oekonomi-opkraevning", "Økonomi og Opkrævning", "department", None, "75 00", "oekonomi",
     "Rådhustorvet 1, 9999 Eksempelby", None),
    ("opkraevningen", "Opkrævningen", "team", "oekonomi-opkraevning", "75 10", "opkraevning",
     None, "Telefontid man-fre 10-13"),
    ("beredskab", "Eksempel Beredskab", "centre", None, "80 00", "beredskab",
     "Brandstationsvej 1, 9999 Eksempelby", None),
    ("sekretariatet", "Direktionssekretariatet", "department", None, "90 00", "sekretariat",
     "Rådhustorvet 1, 9999 Eksempelby", None),
    ("hr-personale", "HR og Personale", "department", None, "90 10", "hr", None, None),
    ("ejendomscenter", "Ejendomscenter", "department", None, "90 20", "ejendomme", None, None),
    ("it-digitalisering", "IT og Digitalisering", "department", None, "90 30", "it", None,
     None),
]

# KLE hovedgruppe (or gruppe: more specific wins) → unit id
KLE_TO_UNIT = {
    "00": "sekretariatet", "01": "byggeri-plan", "01.05": "natur-miljoe",
    "01.13": "natur-miljoe", "01.24": "natur-miljoe", "01.30": "natur-miljoe",
    "01.35": "natur-miljoe",
    "02": "byggeri-plan", "03": "byggeri-plan", "83": "ejendomscenter", "03.25": "jobcenter",
    "04": "vej-park", "04.30": "kultur-fritid", "05": "vej-park", "06": "natur-miljoe",
    "07": "affald-genbrug", "08": "teknik-miljoe", "09": "natur-miljoe", "13": "teknik-miljoe",
    "14": "beredskab", "15": "jobcenter", "17": "skole-dagtilbud",
    "17.27": "ungeindsatsen", "18": "kultur-fritid", "19": "kultur-fritid",
    "20": "kultur-fritid", "21": "biblioteket", "22": "erhvervsservice",
    "23": "borgerservice", "23.05": "borgerservice-folkeregister",
    "23.09": "borgerservice-pas-koerekort", "24": "erhvervsservice",
    "25": "oekonomi-opkraevning", "25.45": "opkraevningen", "27": "social-voksne",
    "27.25": "boern-familie", "27.29": "boern-familie", "27.36": "visitationen",
    "27.39": "visitationen", "27.42": "visitationen", "27.45": "visitationen",
    "27.60": "visitationen", "28": "pladsanvisningen", "29": "sundhed-forebyggelse",
    "30": "sekretariatet", "32": "jobcenter-ydelser", "32.03": "borgerservice-ydelser",
    "32.06": "borgerservice-ydelser", "32.18": "handicapafdelingen",
    "32.64": "borgerservice-ydelser", "34": "familieafdelingen",
    "34.45": "handicapafdelingen", "54": "ungeindsatsen", "54.15": "jobcenter",
    "54.17": "jobcenter", "81": "hr-personale", "82": "ejendomscenter",
    "84": "valgsekretariatet", "85": "it-digitalisering", "87": "hr-personale",
    "88": "oekonomi-opkraevning",
}
BUSINESS = {"22", "24", "08", "13"}
BOTH = {"01", "02", "05", "06", "07", "09", "14", "25"}
INTERNAL = {"00", "30", "81", "82", "83", "85", "87", "88"}

LAWS = {"SEL": "serviceloven", "ABL": "almenboligloven", "AKL": "aktivloven"}


def unit_for(number: str) -> str:
    parts = number.split(".")
    for i in range(len(parts), 0, -1):
        prefix = ".".join(parts[:i])
        if prefix in KLE_TO_UNIT:
            return KLE_TO_UNIT[prefix]
    raise SystemExit(f"no unit for KLE {number}")


def audience_for(number: str) -> list[str]:
    head = number[:2]
    if head in INTERNAL:
        return []
    if head in BUSINESS:
        return ["business"]
    if head in BOTH:
        return ["citizen", "business"]
    return ["citizen"]


def build_units() -> list[dict]:
    units = []
    for uid, name, kind, parent, phone, mail, address, hours in UNITS:
        contact = {"phone": f"+45 99 99 {phone}", "email": f"{mail}@eksempel-kommune.invalid",
                   "web": f"https://eksempel-kommune.invalid/{uid}"}
        if parent is None:
            contact["secure_mail"] = f"Digital Post til Eksempel Kommune, {name}"
        if address:
            contact["address"] = address
        if hours:
            contact["opening_hours"] = hours
        unit = {"id": uid, "name": name, "kind": kind, "contact": contact}
        if parent:
            unit["parent"] = parent
        units.append(unit)
    return units


def read_csv(path: Path, delimiter: str = ",") -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def kle_services(shared: Path) -> tuple[list[dict], list[dict]]:
    rows = read_csv(shared / "data/kle/derived_kle_numbers_titles_from_mapping.csv")
    # The emner sample is transcribed from the 2025-05-01 XML itself and holds 53 emner
    # (and a hovedgruppe, 83) that the KL mapping list lacks: add them.
    known = {r["number"] for r in rows}
    for row in read_csv(shared / "data/kle/kle-emner-sample.csv"):
        for number, level, parent, title in (
                (row["hovedgruppe_nr"], "hovedgruppe", "", row["hovedgruppe_titel"]),
                (row["gruppe_nr"], "gruppe", row["hovedgruppe_nr"], row["gruppe_titel"]),
                (row["emne_nr"], "emne", row["gruppe_nr"], row["emne_titel"])):
            if number and number not in known:
                known.add(number)
                rows.append({"number": number, "level": level, "parent": parent,
                             "title": title.strip()})
    rows.sort(key=lambda r: r["number"])
    titles = {r["number"]: r["title"].strip() for r in rows}
    stikord: dict[str, list[str]] = {}
    for row in read_csv(shared / "data/kle/kle-stikord-sample.csv"):
        text = " ".join(row["stikord"].split())
        text = re.sub(r"\s*\[=(Emne|Gruppe|Hovedgruppe)\]$", "", text)
        if not text or "[udgået]" in text or text.casefold() == row["emne_titel"].casefold():
            continue
        bucket = stikord.setdefault(row["emne_nr"], [])
        if text not in bucket:
            bucket.append(text)
    services = []
    for row in rows:
        if row["level"] != "emne":
            continue
        number = row["number"]
        gruppe, hoved = number[:5], number[:2]
        description = (f"KLE-gruppe {gruppe} {titles.get(gruppe, '')}".strip()
                       + f", hovedgruppe {hoved} {titles.get(hoved, '')}".rstrip() + ".")
        service = {"id": f"kle-{number}", "title": titles[number], "description": description,
                   "kle": [number], "unit": unit_for(number), "audience": audience_for(number)}
        if stikord.get(number):
            service["keywords"] = stikord[number][:100]
        services.append(service)
    return services, rows


def paragraph_label(paragraph: str) -> str:
    """"SEL-52-3.3" → "serviceloven § 52, stk. 3, nr. 3" (best effort, raw otherwise)."""
    match = re.match(r"^([A-ZÆØÅ]+)-(\d+)-?([a-z]?)\.?(\d+)?\.?(\d+)?$", paragraph)
    if not match:
        law, _, rest = paragraph.partition("-")
        return f"{LAWS.get(law, law)} § {rest}"
    law, para, letter, stk, nr = match.groups()
    text = f"{LAWS.get(law, law)} § {para}{letter or ''}"
    if stk:
        text += f", stk. {stk}"
    if nr:
        text += f", nr. {nr}"
    return text


def os2bos_services(shared: Path) -> list[dict]:
    rows = read_csv(shared / "data/service-atlas/os2bos/derived_activity_section_kle.csv")
    by_activity: dict[str, list[dict]] = {}
    for row in rows:
        by_activity.setdefault(row["activity_id"], []).append(row)
    services = []
    for activity_id, group in sorted(by_activity.items()):
        first = group[0]
        title = " ".join(first["activity_name"].split())
        departments = {d for r in group for d in r["target_groups"].split("|") if d}
        unit = "familieafdelingen" if "Familieafdelingen" in departments else "handicapafdelingen"
        sections = []
        keywords = []
        numbers = []
        for r in group:
            label = f"{paragraph_label(r['paragraph'])}: {' '.join(r['section_text'].split())}"
            if label not in sections:
                sections.append(label)
            for word in (r["section_text"], r["activity_category"]):
                word = " ".join(word.split())
                if word and word not in keywords and word.casefold() != title.casefold():
                    keywords.append(word)
            if r["kle_number"] and r["kle_number"] not in numbers:
                numbers.append(r["kle_number"])
        description = "Ydelse efter " + "; ".join(sections) + "."
        service = {"id": f"os2bos-{activity_id}", "title": title, "description": description[:5000],
                   "kle": numbers, "unit": unit, "audience": ["citizen"],
                   "keywords": keywords[:100]}
        if departments == {"Familieafdelingen", "Handicapafdelingen"}:
            service["referral_notes"] = (
                "Behandles af Familieafdelingen. Har barnet eller den unge en betydelig og varig "
                "funktionsnedsættelse, behandles sagen af Handicapafdelingen.")
        services.append(service)
    return services


def scenarios() -> dict:
    def s(sid, da, en, *, units=(), services=(), hint_da, hint_en, expl_da, expl_en):
        return {"id": sid, "prompt": {"da": da, "en": en},
                "answer": {"units": list(units), "services": list(services)},
                "hint": {"da": hint_da, "en": hint_en},
                "explanation": {"da": expl_da, "en": expl_en}}
    return {
        "$schema": "../../../schemas/atlas-exercise.schema.json",
        "atlas": "eksempel-kommune",
        "max_attempts": 2,
        "scenarios": [
            s("flytning",
              "En borger er lige flyttet til kommunen og spørger, hvordan hun melder flytning.",
              "A citizen has just moved to the municipality and asks how to register the move.",
              units=["borgerservice-folkeregister"], services=["kle-23.05.10"],
              hint_da="Søg på \"flytning\" eller \"flytteanmeldelse\". Det handler om CPR.",
              hint_en="Search for \"flytning\" (moving) or \"flytteanmeldelse\". It is about "
                      "the CPR register.",
              expl_da="Flytteanmeldelse (KLE 23.05.10) hører under Folkeregister og CPR i "
                      "Borgerservice. Borgeren kan selv melde flytning digitalt.",
              expl_en="Registering a move (KLE 23.05.10) is handled by Folkeregister og CPR "
                      "in Borgerservice. Citizens can also do it online."),
            s("boligstoette",
              "En pensionist spørger, om han kan få hjælp til huslejen.",
              "A pensioner asks whether he can get help paying his rent.",
              units=["borgerservice-ydelser"], services=["kle-32.06.00"],
              hint_da="Hjælp til husleje hedder boligstøtte.",
              hint_en="Help with rent is called \"boligstøtte\" (housing benefit).",
              expl_da="Boligstøtte (KLE 32.06) udbetales af Udbetaling Danmark; i Eksempel "
                      "Kommune vejleder Pension og boligstøtte i Borgerservice.",
              expl_en="Housing benefit (KLE 32.06) is paid by Udbetaling Danmark; in "
                      "Eksempel Kommune the Pension og boligstøtte team gives guidance."),
            s("rotter",
              "En borger har set rotter i sin baghave.",
              "A citizen has seen rats in her back garden.",
              units=["natur-miljoe"], services=["kle-09.13.01"],
              hint_da="Søg på \"rotter\" eller \"rottebekæmpelse\".",
              hint_en="Search for \"rotter\" (rats) or \"rottebekæmpelse\".",
              expl_da="Rottebekæmpelse (KLE 09.13.01) er kommunens opgave; Natur og Miljø i "
                      "Teknik og Miljø tager imod anmeldelsen.",
              expl_en="Rat control (KLE 09.13.01) is a municipal task; Natur og Miljø in "
                      "Teknik og Miljø takes the report."),
            s("koerekort",
              "En borgers kørekort udløber næste måned. Hvor fornyer hun det?",
              "A citizen's driving licence expires next month. Where does she renew it?",
              units=["borgerservice-pas-koerekort"], services=["kle-23.09.04"],
              hint_da="Kørekort og pas hører sammen.",
              hint_en="Driving licences (kørekort) and passports (pas) belong together.",
              expl_da="Kørekort (KLE 23.09.04) fornyes hos Pas og kørekort i Borgerservice "
                      "efter tidsbestilling.",
              expl_en="Driving licences (KLE 23.09.04) are renewed at Pas og kørekort in "
                      "Borgerservice, by appointment."),
            s("underretning",
              "En nabo er bekymret for et barn i opgangen og vil gerne sige det til kommunen.",
              "A neighbour is worried about a child in the building and wants to tell the "
              "municipality.",
              units=["familieafdelingen"], services=["kle-34.10.30"],
              hint_da="En bekymring for et barn kaldes en underretning.",
              hint_en="A concern about a child is called an \"underretning\" (notification).",
              expl_da="Underretninger (KLE 34.10.30) modtages af Familieafdelingen i Børn og "
                      "Familie. Er barnet i akut fare, ring 112.",
              expl_en="Notifications about children (KLE 34.10.30) go to Familieafdelingen in "
                      "Børn og Familie. If the child is in acute danger, call 112."),
            s("udeservering",
              "En caféejer vil stille borde og stole ud på fortovet foran caféen.",
              "A café owner wants to put tables and chairs on the pavement outside.",
              units=["vej-park"], services=["kle-05.14.08"],
              hint_da="Det handler om at bruge vejareal (fortov).",
              hint_en="It is about using the road area (\"vejareal\", the pavement).",
              expl_da="Benyttelse af gade- og fortovsarealer (KLE 05.14.08) kræver tilladelse "
                      "fra Vej og Park.",
              expl_en="Using street and pavement areas (KLE 05.14.08) needs a permit from Vej "
                      "og Park."),
            s("carport",
              "En borger vil bygge en carport og spørger, om det kræver tilladelse.",
              "A citizen wants to build a carport and asks whether it needs a permit.",
              units=["byggeri-plan"], services=["kle-02.34.02", "kle-02.34.24"],
              hint_da="Søg på \"byggetilladelse\".",
              hint_en="Search for \"byggetilladelse\" (building permit).",
              expl_da="Byggeri og Plan svarer på, om byggeriet kræver byggetilladelse (KLE "
                      "02.34.02) eller kan opføres uden (KLE 02.34.24).",
              expl_en="Byggeri og Plan answers whether a building permit is needed (KLE "
                      "02.34.02) or not (KLE 02.34.24)."),
            s("aflastning",
              "Forældrene til en dreng med en betydelig og varig funktionsnedsættelse har brug "
              "for aflastning.",
              "The parents of a boy with a considerable and permanent disability need respite "
              "care.",
              units=["handicapafdelingen"], services=[],
              hint_da="Det gælder et barn med funktionsnedsættelse.",
              hint_en="It concerns a child with a disability.",
              expl_da="Handicapafdelingen i Børn og Familie behandler hjælp til børn med "
                      "betydelig og varig funktionsnedsættelse, herunder aflastning.",
              expl_en="Handicapafdelingen in Børn og Familie handles help for children with a "
                      "considerable and permanent disability, including respite care."),
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args(argv)
    shared: Path = args.shared
    OUT.mkdir(parents=True, exist_ok=True)
    units = build_units()
    kle, kle_rows = kle_services(shared)
    bos = os2bos_services(shared)
    atlas = {
        "id": "eksempel-kommune",
        "title": {"da": "Ydelsesatlas for Eksempel Kommune",
                  "en": "Service atlas of Eksempel Kommune"},
        "description": {"da": "Hvor kommunens opgaver løses. " + FICTIONAL,
                        "en": "Where the municipality's tasks are handled. All contact "
                              "details are fictional."},
        "version": "2026-12-03",
        "kle_version": KLE_VERSION,
        "language": "da",
        "attribution": (
            "KLE-emner, titler og stikord: KL's Emnesystematik (KLE), UdgivelsesDato "
            "2025-05-01, © KL, via OS2compliance (MPL-2.0). Ydelser for børn og handicap: "
            "OS2bos (MPL-2.0), med de oprindelige afdelinger og KLE-numre fra 2019. "
            "Organisation og kontaktoplysninger: opdigtede."),
        "synonyms": [["pas", "rejsepas"], ["kørekort", "førerbevis"],
                     ["hjemmehjælp", "personlig og praktisk hjælp"],
                     ["daginstitution", "dagtilbud"], ["vuggestue", "dagtilbud"],
                     ["børnehave", "dagtilbud"], ["skrald", "affald"],
                     ["flytte", "flytning"]],
        "units": units,
        "services": kle + bos,
    }
    write_json(OUT / "eksempel-kommune.json", atlas)
    write_json(OUT / "eksempel-kommune-scenarios.json", scenarios())
    with (OUT / f"kle-numbers-{KLE_VERSION}.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["number", "level", "parent", "title"])
        for row in kle_rows:
            writer.writerow([row["number"], row["level"], row["parent"], row["title"].strip()])
    shutil.copyfile(shared / "data/service-atlas/os2bos/LICENSE-MPL-2.0.txt",
                OUT / "LICENSE-MPL-2.0.txt")
    copy_fixtures(shared)
    print(f"units: {len(units)}, KLE services: {len(kle)}, OS2bos services: {len(bos)}",
          file=sys.stderr)
    return 0


def copy_fixtures(shared: Path) -> None:
    TESTS.mkdir(parents=True, exist_ok=True)
    for name in ("kle/kle-emneplan-2025-05-01-subset.xml", "kle/kle-stikord-sample.csv",
                 "kle/kle-emner-sample.csv", "kle/os2compliance-kle-mapping.csv",
                 "service-atlas/os2bos/derived_activity_section_kle.csv",
                 "service-atlas/os2bos/derived_paragraph_kle_sections_2019.csv",
                 "service-atlas/os2bos/LICENSE-MPL-2.0.txt"):
        shutil.copyfile(shared / "data" / name, TESTS / Path(name).name)


def write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
