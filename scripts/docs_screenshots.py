"""Refresh the documentation's screenshots from the browser tests' artifacts.

    .venv/bin/python -m pytest tests/browser -q -n 2     # writes test-artifacts/*.png
    .venv/bin/python scripts/docs_screenshots.py         # -> docs/_static/screenshots/

The browser tests save full-size PNGs of final states (some of the whole page, some of the
blocks' region).  This script crops each picture the docs use to the part that matters,
scales it to at most 1200 px wide and stores it as a 256-colour PNG of at most ~150 KB.

Crops are given relative to the source's width (``top`` and ``bottom`` are multiples of the
width), so they survive a different device scale factor.  When a test changes what it shows,
adjust the crop below and check the result with ``--check``, which only reports sizes.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
TARGET = ROOT / "docs" / "_static" / "screenshots"
MAX_WIDTH = 1200
MAX_BYTES = 150 * 1024


@dataclass(frozen=True)
class Shot:
    name: str                  # file under docs/_static/screenshots/
    sources: tuple[str, ...]   # candidates in test-artifacts/, first existing wins
    top: float = 0.0           # crop, as multiples of the source's width
    bottom: float | None = None


SHOTS = (
    # Named shots (tests/browser/helpers.py ``snap``) show the blocks' region only, without
    # the workbench banner; the tests' default shots (``test_...png``) are whole pages.
    # The learner's result table, English.
    Shot("self-assessment-result.png", ("self_assessment-result-en.png",), 0.0, 0.80),
    # The staff view filtered to one role: learners per role and unit, competences.
    Shot("self-assessment-staff.png", ("self_assessment-staff-en.png",), 0.25, 1.25),
    # The upskilling plan in Danish, below the result.
    Shot("self-assessment-plan-da.png", ("self_assessment-result-da.png",), 1.10, 1.95),
    # The first attempt of the default quiz, English (whole page: skip the banner).
    Shot("quiz-attempt.png",
         ("test_scenario_renders_without_console_errors-en-data_security_quiz.png",
          # the same smoke test once it is parametrised by scenario id
          "test_scenario_renders_without_console_errors-en-data_security_quiz.0.png"),
         0.031, 0.86),
    # A result after the last attempt: correct answers, feedback, explanations.
    Shot("quiz-result.png", ("quiz-last-attempt-en.png",), 0.0, 0.405),
    # A solved referral scenario with its search results, Danish.
    Shot("atlas-exercise-da.png", ("atlas-referral-solved-da.png",), 0.0, 1.0),
    # What staff see under a lookup block.
    Shot("atlas-staff.png", ("atlas-staff-en.png",)),
    # The Studio editor of the self-assessment.
    Shot("studio-edit.png", ("studio-competency_self_assessment-en.png",)),
)


def _source(shot: Shot) -> Path | None:
    for name in shot.sources:
        path = ARTIFACTS / name
        if path.exists():
            return path
    return None


def render(image: Image.Image, shot: Shot) -> Image.Image:
    width, height = image.size
    top = round(shot.top * width)
    bottom = height if shot.bottom is None else min(height, round(shot.bottom * width))
    image = image.convert("RGB").crop((0, top, width, bottom))
    if image.width > MAX_WIDTH:
        image = image.resize((MAX_WIDTH, round(image.height * MAX_WIDTH / image.width)),
                             Image.Resampling.LANCZOS)
    return image


def save_small(image: Image.Image, path: Path) -> int:
    """Save as a palette PNG; fewer colours, then a narrower picture, until it is small."""
    for width in (image.width, 1000, 900, 800):
        scaled = image if width == image.width else image.resize(
            (width, round(image.height * width / image.width)), Image.Resampling.LANCZOS)
        for colours in (256, 128, 64, 32):
            scaled.quantize(colors=colours, method=Image.Quantize.MEDIANCUT,
                            dither=Image.Dither.NONE).save(path, optimize=True)
            size = path.stat().st_size
            if size <= MAX_BYTES:
                return size
    return path.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="Only report which sources exist and the current sizes.")
    args = parser.parse_args(argv)
    TARGET.mkdir(parents=True, exist_ok=True)
    missing = 0
    for shot in SHOTS:
        source = _source(shot)
        target = TARGET / shot.name
        if source is None:
            missing += 1
            print(f"missing: none of {', '.join(shot.sources)} in test-artifacts/ "
                  f"(keeping {target.name})", file=sys.stderr)
            continue
        if args.check:
            size = target.stat().st_size if target.exists() else 0
            print(f"{target.name}: from {source.name}; now {size // 1024} KB")
            continue
        with Image.open(source) as image:
            picture = render(image, shot)
        size = save_small(picture, target)
        with Image.open(target) as saved:
            print(f"{target.name}: {saved.width}x{saved.height}, {size // 1024} KB "
                  f"(from {source.name})")
        if size > MAX_BYTES:
            print(f"warning: {target.name} is larger than {MAX_BYTES // 1024} KB; "
                  "crop it tighter", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
