"""Every example in the documentation, read from ``docs/*.rst`` so a test can run it.

An example is a ``.. code-block::`` directive.  Data examples (XML, CSV, JSON and named
text/python blocks) carry a ``:name:`` whose prefix says which real parser checks them (see
:data:`KINDS`); the tests fail on a data example without a known name, so an example cannot
be added without being tested.  Plain regular expressions over the reStructuredText keep the
reader independent of Sphinx and of docutils' idea of Sphinx-only options.
"""
from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs"

#: Name prefix -> what the example is (the longest matching prefix wins).
KINDS = {
    "olx-": "OLX of one of our blocks, parsed by the workbench runtime",
    "setup-json": "self-assessment setup document (competency-block schema)",
    "framework-json": "competency framework document",
    "framework-csv": "framework spreadsheet",
    "profiles-csv": "role-profile spreadsheet (wide or long)",
    "bank-json": "quiz question bank",
    "gift-": "GIFT questions",
    "moodle-xml": "Moodle XML questions",
    "capa-xml": "Open edX CAPA problem",
    "atlas-json": "service atlas document",
    "exercise-json": "atlas referral exercise",
    "atlas-services-csv": "atlas services spreadsheet",
    "atlas-units-csv": "atlas units spreadsheet",
    "kle-xml": "KLE emneplan XML",
    "kle-mapping-csv": "KLE number to unit mapping",
    "settings-": "Python settings for XBLOCK_SETTINGS",
    # Output shown to explain it (a report excerpt), not input to any parser: not run.
    "illustration-": "output shown for illustration only",
}
#: Kinds that every build of the docs must contain at least once.
REQUIRED_KINDS = [kind for kind in KINDS if kind != "illustration-"]
#: Languages whose blocks must be named (and therefore tested).
DATA_LANGUAGES = {"xml", "csv", "json"}

_DIRECTIVE = re.compile(r"^(?P<indent>[ \t]*)\.\. code-block::[ \t]*(?P<lang>\S*)[ \t]*$")
_OPTION = re.compile(r"^[ \t]+:(?P<key>[\w-]+):[ \t]*(?P<value>.*?)[ \t]*$")


@dataclass(frozen=True)
class Example:
    page: str        # file name under docs/
    line: int        # line of the directive (1-based)
    language: str
    name: str        # the :name: option, "" when there is none
    text: str

    @property
    def kind(self) -> str | None:
        matches = [prefix for prefix in KINDS if self.name.startswith(prefix)]
        return max(matches, key=len) if matches else None

    def where(self) -> str:
        return f"docs/{self.page}:{self.line} ({self.name or self.language})"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def parse(text: str, page: str = "<text>") -> list[Example]:
    """The code blocks of one reStructuredText document."""
    lines = text.splitlines()
    found: list[Example] = []
    i = 0
    while i < len(lines):
        match = _DIRECTIVE.match(lines[i])
        if not match:
            i += 1
            continue
        start, base = i + 1, len(match.group("indent"))
        options: dict[str, str] = {}
        i += 1
        while i < len(lines) and (option := _OPTION.match(lines[i])) and \
                _indent(lines[i]) > base:
            options[option.group("key")] = option.group("value")
            i += 1
        body: list[str] = []
        while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > base):
            body.append(lines[i])
            i += 1
        content = textwrap.dedent("\n".join(body)).strip("\n") + "\n"
        found.append(Example(page, start, match.group("lang") or "default",
                             options.get("name", ""), content))
    return found


def pages() -> list[Path]:
    return sorted(DOCS.glob("*.rst"))


def all_examples() -> list[Example]:
    out: list[Example] = []
    for path in pages():
        out += parse(path.read_text(encoding="utf-8"), path.name)
    return out


def named(prefix: str) -> list[Example]:
    """Examples whose kind is ``prefix`` (a key of :data:`KINDS`)."""
    return [e for e in all_examples() if e.kind == prefix]


def by_name(name: str) -> Example:
    matches = [e for e in all_examples() if e.name == name]
    assert len(matches) == 1, f"expected one example named {name!r}, found {len(matches)}"
    return matches[0]
