"""KLE (KL's Emnesystematik) numbers: the catalogue of one version and drift reports.

Why: KL renumbers emner between versions (the 2019 OS2bos data uses 27.27.xx numbers for
children's services that moved to hovedgruppe 34 with barnets lov in 2024).  An atlas
records which KLE version its numbers follow; numbers that the version does not contain
are reported to the operator as warnings, not rejected, because a real municipality's data
always lags behind KL.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from competency_xblock.text import N_, UserFacingError

from .model import KLE_RE, Atlas

SHIPPED_VERSION = "2025-05-01"
SHIPPED_FILE = f"kle-numbers-{SHIPPED_VERSION}.csv"


def level(number: str) -> str:
    """"27" → hovedgruppe, "27.24" → gruppe, "27.24.03" → emne."""
    return {1: "hovedgruppe", 2: "gruppe", 3: "emne"}.get(number.count(".") + 1, "")


def parents(number: str) -> list[str]:
    """"27.24.03" → ["27", "27.24"]."""
    parts = number.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


_LOOSE_RE = re.compile(r"^\s*(\d{2})(?:\.\s*(\d{2}))?(?:\.\s*(\d{2}))?\.?(?:\s+\D.*)?\s*$", re.S)


def normalise_number(raw: str) -> str | None:
    """Accept the spellings found in real files ("27.24.03.", "15. 00. Title", "15.00.05.
    Title") and return "27.24.03"; None when it is not a KLE number."""
    match = _LOOSE_RE.match(raw or "")
    if not match:
        return None
    return ".".join(part for part in match.groups() if part)


_LOST_ZERO_RE = re.compile(r"^\s*\d(\.\d{1,2}){0,2}\.?\s*$")


def number_problem(raw: str) -> UserFacingError:
    """Why ``raw`` is not a KLE number, in words that help fix a spreadsheet."""
    value = (raw or "").strip()[:40]
    if _LOST_ZERO_RE.match(value):
        return UserFacingError(N_("\"{value}\" is not a KLE number: each level has two digits "
                                  "(e.g. 09.13); a spreadsheet may have dropped a zero."),
                               value=value)
    return UserFacingError(N_("\"{value}\" is not a KLE number (expected e.g. 27, 27.24 or "
                              "27.24.03)."), value=value)


@dataclass
class KleCatalogue:
    """All numbers (hovedgrupper, grupper, emner) of one KLE version, with titles."""

    version: str
    titles: dict[str, str] = field(default_factory=dict)
    #: numbers marked UdgaaetDato (expired) in this version: listed, but no longer in use
    expired: set[str] = field(default_factory=set)

    def __contains__(self, number: str) -> bool:
        return number in self.titles

    def __len__(self) -> int:
        return len(self.titles)

    def is_expired(self, number: str) -> bool:
        return number in self.expired

    def title(self, number: str) -> str:
        return self.titles.get(number, "")

    def emner(self) -> list[str]:
        return [n for n in self.titles if n.count(".") == 2]

    def add(self, number: str, title: str) -> None:
        self.titles[number] = title

    @classmethod
    def from_csv_text(cls, text: str, version: str) -> KleCatalogue:
        """CSV with columns number, level, parent, title (the shipped format)."""
        catalogue = cls(version)
        for row in csv.DictReader(io.StringIO(text)):
            number = (row.get("number") or "").strip()
            if KLE_RE.match(number):
                catalogue.add(number, (row.get("title") or "").strip())
        return catalogue


@lru_cache(maxsize=1)
def shipped_catalogue() -> KleCatalogue:
    """The KLE numbers and titles shipped with the package (KL, UdgivelsesDato 2025-05-01)."""
    path = resources.files("competency_xblock") / "data" / "atlas" / SHIPPED_FILE
    return KleCatalogue.from_csv_text(path.read_text(encoding="utf-8"), SHIPPED_VERSION)


@dataclass(frozen=True)
class DriftFinding:
    """A KLE number used by a service that the catalogue's KLE version does not contain."""

    service_id: str
    number: str
    nearest: str   # the closest existing parent ("27.24" for "27.24.77"), or ""
    expired: bool = False   # listed in the version, but marked expired (udgået)

    def as_error(self, version: str) -> UserFacingError:
        if self.expired:
            return UserFacingError(
                N_("KLE number {number} is expired (udgået) in KLE {version}."),
                path=f"service \"{self.service_id}\", field kle", number=self.number,
                version=version)
        if self.nearest:
            return UserFacingError(
                N_("KLE number {number} does not exist in KLE {version} (nearest existing: "
                   "{nearest})."), path=f"service \"{self.service_id}\", field kle",
                number=self.number, version=version, nearest=self.nearest)
        return UserFacingError(
            N_("KLE number {number} does not exist in KLE {version}."),
            path=f"service \"{self.service_id}\", field kle", number=self.number,
            version=version)


def drift(pairs: Iterable[tuple[str, str]], catalogue: KleCatalogue) -> list[DriftFinding]:
    """Findings for (service id, KLE number) pairs whose number is unknown to ``catalogue``."""
    findings = []
    for service_id, number in pairs:
        if number in catalogue:
            if catalogue.is_expired(number):
                findings.append(DriftFinding(service_id, number, "", expired=True))
            continue
        nearest = next((p for p in reversed(parents(number))
                        if p in catalogue and not catalogue.is_expired(p)), "")
        findings.append(DriftFinding(service_id, number, nearest))
    return findings


def atlas_drift(atlas: Atlas, catalogue: KleCatalogue | None = None) -> list[DriftFinding]:
    catalogue = catalogue or shipped_catalogue()
    return drift(((s.id, n) for s in atlas.services for n in s.kle), catalogue)


def drift_summary(findings: Iterable[DriftFinding]) -> Mapping[str, list[str]]:
    """KLE number → ids of the services using it (for a compact operator report)."""
    summary: dict[str, list[str]] = {}
    for finding in findings:
        summary.setdefault(finding.number, []).append(finding.service_id)
    return dict(sorted(summary.items()))
