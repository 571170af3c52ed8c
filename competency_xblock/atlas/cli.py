"""Click commands for ``competency-xblock import kle`` and ``import atlas``.

Register them in the package CLI with ``import_group.add_command(kle_command)`` and
``import_group.add_command(atlas_command)``.  They write an atlas JSON file only when
nothing was rejected (or ``--accept-rejects`` is given), so a bad file never half-replaces a
good one; every rejected record is printed with its line or element.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import click

from .importers import ImportReport, import_csv, import_json, import_kle_xml, iter_kle_xml
from .importers.json_import import parse_json
from .kle import SHIPPED_VERSION, KleCatalogue, atlas_drift, drift_summary, shipped_catalogue
from .model import content_digest

EXIT_OK, EXIT_REJECTS, EXIT_FATAL = 0, 1, 2


PROGRESS_FROM_BYTES = 512 * 1024


def _progress_callback(label: str, path: Path, *, stream=None):
    """(progress bar or None, callback or None) for files of at least 512 KiB.

    On a terminal: a progress bar.  Otherwise (a log, CI, a pipe): one line per tenth, so
    a long import is visibly alive without flooding the log."""
    total = path.stat().st_size if path.exists() else 0
    if total < PROGRESS_FROM_BYTES:
        return None, None
    stream = stream or sys.stderr
    if stream.isatty():
        bar = click.progressbar(length=total, label=label, file=stream)
        state = {"done": 0}

        def progress(done: int, _total: int) -> None:
            bar.update(done - state["done"])
            state["done"] = done

        return bar, progress
    reported = {"tenth": 0}

    def progress_lines(done: int, _total: int) -> None:
        tenth = min(10, done * 10 // max(total, 1))
        if tenth > reported["tenth"]:
            reported["tenth"] = tenth
            click.echo(f"{label}: {tenth * 10}% ({done:,} of {total:,} bytes)", err=True)

    return None, progress_lines


#: Rejections with the same problem printed one by one; the rest are counted in one line.
SAME_PROBLEM_SHOWN = 10


def _echo_rejections(rejected) -> None:
    """Every rejection, but of many with one problem (a mapping that covers one hovedgruppe
    leaves thousands of emner without a unit) the first few and a count, with their records."""
    by_problem: dict[str, list] = {}
    for rejection in rejected:
        by_problem.setdefault(rejection.error.message, []).append(rejection)
    for same in by_problem.values():
        for rejection in same[:SAME_PROBLEM_SHOWN]:
            click.echo(f"rejected: {rejection.render()}", err=True)
        rest = same[SAME_PROBLEM_SHOWN:]
        if rest:
            records = ", ".join(r.record for r in rest[:5] if r.record)
            click.echo(f"rejected: ... and {len(rest):,} more with the same problem"
                       + (f" (records {records}, ...)" if records else ""), err=True)


def _report(report: ImportReport, output: Path, accept_rejects: bool,
            catalogue: KleCatalogue | None = None) -> int:
    for warning in report.warnings:
        click.echo(f"warning: {warning.render()}", err=True)
    _echo_rejections(report.rejected)
    atlas = report.atlas
    if atlas is not None:
        _report_drift(atlas, catalogue)
    counts = ", ".join(f"{k}: {v}" for k, v in sorted(report.counts.items()))
    click.echo(f"KLE version: {report.kle_version or 'unknown'}" + (f"; {counts}" if counts
                                                                     else ""), err=True)
    if atlas is None:
        click.echo("Nothing was written.", err=True)
        return EXIT_FATAL
    if report.rejected and not accept_rejects:
        click.echo(f"{len(report.rejected)} record(s) rejected; nothing was written "
                   "(use --accept-rejects to write the rest).", err=True)
        return EXIT_REJECTS
    data = atlas.to_dict()
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    output.parent.mkdir(parents=True, exist_ok=True)
    # write-then-rename: readers (a named atlas source) never see a half-written file
    handle, tmp = tempfile.mkstemp(dir=output.parent, prefix=".atlas-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(tmp, output)
    click.echo(f"Wrote {output} ({len(atlas)} services, {len(atlas.units)} units, "
               f"digest {content_digest(data)}).", err=True)
    return EXIT_OK


def _report_drift(atlas, catalogue: KleCatalogue | None) -> None:
    """KLE numbers the atlas uses that its KLE version does not have (or has expired)."""
    if catalogue is None:
        if not atlas.kle_version:
            if any(s.kle for s in atlas.services):
                click.echo("warning: the atlas does not record its KLE version (kle_version); "
                           "its KLE numbers were not checked (use --kle-version).", err=True)
            return
        if atlas.kle_version != SHIPPED_VERSION:
            click.echo(f"warning: KLE numbers were not checked: this package has the numbers "
                       f"of KLE {SHIPPED_VERSION}, not {atlas.kle_version} (give that "
                       "emneplan with --kle-xml).", err=True)
            return
        catalogue = shipped_catalogue()
    elif atlas.kle_version and catalogue.version and atlas.kle_version != catalogue.version:
        click.echo(f"warning: the atlas says KLE {atlas.kle_version}, the emneplan given is "
                   f"KLE {catalogue.version}; checked against the emneplan.", err=True)
    version = catalogue.version or "?"
    findings = atlas_drift(atlas, catalogue)
    expired = {f.number for f in findings if f.expired}
    for number, services in drift_summary(findings).items():
        state = "is expired (udgået)" if number in expired else "does not exist"
        click.echo(f"warning: KLE {number} {state} in KLE {version} "
                   f"(used by {len(services)} service(s): {', '.join(services[:5])})",
                   err=True)


def _catalogue_from_xml(path: Path | None) -> KleCatalogue | None:
    if path is None:
        return None
    catalogue = KleCatalogue("")
    for _emne in iter_kle_xml(path, catalogue=catalogue):
        pass
    return catalogue


def _describe(exc: Exception) -> str:
    render = getattr(exc, "render", None)
    return render() if callable(render) else f"{type(exc).__name__}: {exc}"


def _load_base(base: Path | None):
    if base is None:
        return None
    return parse_json(base.read_bytes(), str(base))


@click.command("kle")
@click.argument("xml_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("mapping_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Atlas JSON file to write.")
@click.option("--base", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="An atlas JSON whose units (with contact channels) and metadata are reused.")
@click.option("--default-unit", help="Unit for emner that the mapping does not cover.")
@click.option("--atlas-id", default="kle-atlas", show_default=True)
@click.option("--title", default="KLE", show_default=True)
@click.option("--no-guidance", is_flag=True, help="Leave KL's guidance text out of descriptions.")
@click.option("--accept-rejects", is_flag=True,
              help="Write the atlas even if records were rejected.")
def kle_command(xml_file, mapping_csv, output, base, default_unit, atlas_id, title, no_guidance,
                accept_rejects):
    """Build an atlas from KL's KLE emneplan XML and a CSV mapping KLE numbers to units."""
    try:
        bar, progress = _progress_callback("Reading KLE", xml_file)
        if bar is not None:
            with bar:
                report = import_kle_xml(xml_file, mapping_csv, base=_load_base(base),
                                        default_unit=default_unit, atlas_id=atlas_id,
                                        title=title, include_guidance=not no_guidance,
                                        progress=progress)
        else:
            report = import_kle_xml(xml_file, mapping_csv, base=_load_base(base),
                                    default_unit=default_unit, atlas_id=atlas_id, title=title,
                                    include_guidance=not no_guidance, progress=progress)
    except Exception as exc:  # noqa: BLE001 - report and exit, never a traceback
        click.echo(f"error: {_describe(exc)}", err=True)
        sys.exit(EXIT_FATAL)
    sys.exit(_report(report, output, accept_rejects, report.catalogue))


@click.command("atlas")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--units", "units_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Units CSV (for a services CSV).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--base", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="An atlas JSON whose units and metadata are reused (for a services CSV).")
@click.option("--atlas-id", default="atlas", show_default=True)
@click.option("--title", default="Atlas", show_default=True)
@click.option("--kle-version", default="", help="KLE version of the numbers (YYYY-MM-DD).")
@click.option("--kle-xml", "kle_xml", type=click.Path(exists=True, dir_okay=False,
                                                      path_type=Path),
              help="KL's emneplan XML to check the atlas's KLE numbers against (for a KLE "
                   "version other than the one shipped).")
@click.option("--accept-rejects", is_flag=True,
              help="Write the atlas even if records were rejected.")
def atlas_command(source, units_csv, output, base, atlas_id, title, kle_version, kle_xml,
                  accept_rejects):
    """Validate an atlas JSON, or build one from a services CSV (and a units CSV)."""
    try:
        bar, progress = _progress_callback("Reading atlas", source)
        if source.suffix.lower() == ".json":
            report = import_json(source, progress=progress)
        else:
            report = import_csv(source, units_csv, base=_load_base(base), atlas_id=atlas_id,
                                title=title, kle_version=kle_version, progress=progress)
        if bar is not None:
            bar.render_finish()
        catalogue = _catalogue_from_xml(kle_xml)
    except Exception as exc:  # noqa: BLE001
        click.echo(f"error: {_describe(exc)}", err=True)
        sys.exit(EXIT_FATAL)
    sys.exit(_report(report, output, accept_rejects, catalogue))
