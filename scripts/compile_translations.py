"""Merge the per-area PO parts into the one ``text`` catalogue and compile it.

``competency_xblock/translations/parts/*.po`` hold Danish translations written next to the
code that uses them (one file per area, so parallel work never conflicts).  This script
merges them into ``translations/da/LC_MESSAGES/text.po`` (sorted, deduplicated; a msgid with
two different translations is an error) and compiles ``text.mo``, which the wheel ships.

    python scripts/compile_translations.py          # write both files
    python scripts/compile_translations.py --check  # fail if they are out of date
"""
from __future__ import annotations

import argparse
import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "competency_xblock" / "translations"
LANGUAGES = ("da",)
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)


def merged_catalogue(language: str) -> Catalog:
    # Fixed dates keep the output byte-stable, so --check can compare files exactly.
    merged = Catalog(locale=language, domain="text", project="competency-xblock",
                     charset="utf-8", creation_date=FIXED_DATE, revision_date=FIXED_DATE)
    seen: dict[str, tuple[str, str]] = {}
    for part in sorted((TRANSLATIONS / "parts").glob("*.po")):
        with part.open("rb") as handle:
            catalogue = read_po(handle, locale=language)
        for message in catalogue:
            if not message.id:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            if key in seen and seen[key][0] != message.string:
                raise SystemExit(f"{part.name}: {key!r} translated differently in {seen[key][1]}")
            seen[key] = (message.string, part.name)
            if merged.get(message.id) is None:
                merged.add(message.id, message.string, flags=message.flags,
                           auto_comments=[f"from {part.name}"])
    return merged


def render(catalogue: Catalog) -> tuple[bytes, bytes]:
    po, mo = io.BytesIO(), io.BytesIO()
    write_po(po, catalogue, sort_output=True, omit_header=False, width=100,
             include_previous=False)
    write_mo(mo, catalogue, use_fuzzy=False)
    return po.getvalue(), mo.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    stale = []
    for language in LANGUAGES:
        po_bytes, mo_bytes = render(merged_catalogue(language))
        target = TRANSLATIONS / language / "LC_MESSAGES"
        for name, data in (("text.po", po_bytes), ("text.mo", mo_bytes)):
            path = target / name
            current = path.read_bytes() if path.exists() else b""
            if current != data:
                stale.append(str(path.relative_to(ROOT)))
                if not args.check:
                    target.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(data)
    if args.check and stale:
        print("Out of date (run make translations):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
