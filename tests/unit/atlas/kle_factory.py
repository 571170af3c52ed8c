"""Build emneplan XML files in KL's official element structure (KLE-REST-Emneplan fuld
version 1.3, as in tests/data/atlas/kle-emneplan-2025-05-01-subset.xml) from real KLE
numbers and titles, for import tests with files the importer has never seen: the full
1,868 emner of the shipped catalogue, expired grupper and emner, other release dates.
"""
from __future__ import annotations

import csv
from pathlib import Path
from xml.sax.saxutils import escape

from competency_xblock.atlas.kle import shipped_catalogue

DATA = Path(__file__).resolve().parents[2] / "data" / "atlas"
GUIDANCE = ("<p>Emnet dækker sager om {title}. Se også vejledningen til gruppen og de "
            "tilhørende handlingsfacetter; sager om klager journaliseres under emnet.</p>")


def stikord_by_emne() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    with (DATA / "kle-stikord-sample.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            out.setdefault(row["emne_nr"], []).append(row["stikord"])
    return out


def emneplan(*, version: str = "2025-05-01", expired_grupper: tuple[str, ...] = (),
             expired_emner: tuple[str, ...] = (), only: tuple[str, ...] = (),
             guidance: bool = True, expiry_in_historisk: bool = True) -> bytes:
    """An emneplan with every hovedgruppe, gruppe and emne of the shipped catalogue (or of
    the hovedgrupper in ``only``); ``expired_*`` get an UdgaaetDato, inside ``<Historisk>``
    as KL's files have it (KLE readers written against them look there) or, with
    ``expiry_in_historisk=False``, as a direct child."""
    catalogue = shipped_catalogue()
    stikord = stikord_by_emne()
    numbers = sorted(catalogue.titles)
    if only:
        numbers = [n for n in numbers if n.split(".")[0] in only]
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<KLE-Emneplan xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xsi:noNamespaceSchemaLocation="http://skemaer.kle-online.dk/rest/'
           'KLE-REST-Emneplan-fuld-version-1-3.xsd">',
           f"   <UdgivelsesDato>{version}</UdgivelsesDato>"]
    open_levels: list[str] = []

    def close_to(depth: int) -> None:
        while len(open_levels) > depth:
            out.append("   " * len(open_levels) + f"</{open_levels.pop()}>")

    def admin(tag: str, expired: bool, indent: str) -> None:
        out.append(f"{indent}<{tag}>")
        out.append(f"{indent}   <OprettetDato>1988-01-01</OprettetDato>")
        out.append(f"{indent}   <RettetDato>2011-05-01</RettetDato>")
        if expired and expiry_in_historisk:
            out.extend([f"{indent}   <Historisk>",
                        f"{indent}      <UdgaaetDato>2024-01-01</UdgaaetDato>",
                        f"{indent}   </Historisk>"])
        elif expired:
            out.append(f"{indent}   <UdgaaetDato>2024-01-01</UdgaaetDato>")
        out.append(f"{indent}</{tag}>")

    for number in numbers:
        title = escape(catalogue.title(number))
        depth = number.count(".")
        if depth == 0:
            close_to(0)
            ind = "   "
            out += [f"{ind}<Hovedgruppe>", f"{ind}   <HovedgruppeNr>{number}</HovedgruppeNr>",
                    f"{ind}   <HovedgruppeTitel>{title}</HovedgruppeTitel>"]
            admin("HovedgruppeAdministrativInfo", False, ind + "   ")
            out.append(f"{ind}   <HovedgruppeStikord><Orden>1</Orden><Tekst>{title} "
                       "[=Hovedgruppe]</Tekst></HovedgruppeStikord>")
            open_levels.append("Hovedgruppe")
        elif depth == 1:
            close_to(1)
            ind = "      "
            out += [f"{ind}<Gruppe>", f"{ind}   <GruppeNr>{number}</GruppeNr>",
                    f"{ind}   <GruppeTitel>{title}</GruppeTitel>"]
            admin("GruppeAdministrativInfo", number in expired_grupper, ind + "   ")
            open_levels.append("Gruppe")
        else:
            ind = "         "
            out += [f"{ind}<Emne>", f"{ind}   <EmneNr>{number}</EmneNr>",
                    f"{ind}   <EmneTitel>{title}</EmneTitel>"]
            if guidance:
                out.append(f"{ind}   <EmneVejledning><VejledningTekst>"
                           f"{escape(GUIDANCE.format(title=catalogue.title(number).lower()))}"
                           "</VejledningTekst></EmneVejledning>")
            admin("EmneAdministrativInfo", number in expired_emner, ind + "   ")
            out.append(f"{ind}   <BevaringJaevnfoerArkivloven>B</BevaringJaevnfoerArkivloven>")
            out.append(f"{ind}   <EmneStikord><Orden>1</Orden><Tekst>{title} [=Emne]</Tekst>"
                       "</EmneStikord>")
            for i, word in enumerate(stikord.get(number, []), start=2):
                out.append(f"{ind}   <EmneStikord><Orden>{i}</Orden><Tekst>{escape(word)}"
                           "</Tekst></EmneStikord>")
            out.append(f"{ind}</Emne>")
    close_to(0)
    out.append("</KLE-Emneplan>")
    return ("\n".join(out) + "\n").encode("utf-8")
