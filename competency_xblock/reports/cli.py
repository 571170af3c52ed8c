"""``competency-xblock report ...``: HR reports from the LMS's own exports or an LRS.

    competency-xblock report all student_state_*.csv grade_report_*.csv -o hr/ --lang da
    competency-xblock report gaps responses.csv -o hr/ --rows unit
    competency-xblock report quiz responses.csv grade_report.csv --criterion grade -o hr/
    competency-xblock report atlas --lrs https://lrs.example.dk/xAPI/ -o hr/

Input files are recognised by their header (Problem Responses or grade report) or by the
suffix ``.jsonl`` (xAPI statements, one per line).  A progress bar is drawn on stderr when it
is a terminal (``--quiet`` turns it off).
"""
from __future__ import annotations

import sys

import click

from competency_xblock.reports import pipeline
from competency_xblock.reports.i18n import gettext_for
from competency_xblock.reports.privacy import MIN_K
from competency_xblock.text import UserFacingError

ENV = "COMPETENCY_REPORT_"


def _progress_factory(quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None

    def factory(label: str, total: int | None):
        bar = click.progressbar(length=total, label=label, file=sys.stderr,
                                show_pos=total is None, show_percent=total is not None)
        bar.__enter__()
        done = [0]

        def update(position: int | None) -> None:
            if position is None:
                bar.__exit__(None, None, None)
                return
            if position > done[0]:
                bar.update(position - done[0])
                done[0] = position
        return update
    return factory


def _common(func):
    options = [
        click.argument("inputs", nargs=-1, type=click.Path(dir_okay=False)),
        click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False), default=".",
                     show_default=True, help="Folder for the report files."),
        click.option("--lang", "language", type=click.Choice(["en", "da"]), default="en",
                     show_default=True, help="Language of headings, labels and messages."),
        click.option("--k", "k", type=int, default=None,
                     help=f"Privacy threshold: hide figures about fewer than k people "
                          f"(default {MIN_K}; may only be raised)."),
        click.option("--block", default=None,
                     help="Only blocks whose usage key or title contains this text."),
        click.option("--format", "formats", default=",".join(pipeline.FORMATS),
                     show_default=True, help="Comma-separated: csv, xlsx, svg, png, html."),
        click.option("--lrs", "lrs_url", envvar=ENV + "LRS_URL", default=None,
                     help="Read xAPI statements from this LRS endpoint (…/xAPI/)."),
        click.option("--lrs-user", envvar=ENV + "LRS_USERNAME", default="",
                     help="LRS user (HTTP Basic auth)."),
        click.option("--lrs-password", envvar=ENV + "LRS_PASSWORD", default="",
                     help="LRS password (better: the environment variable)."),
        click.option("--since", default=None, help="Statements stored since (ISO 8601)."),
        click.option("--until", default=None, help="Statements stored until (ISO 8601)."),
        click.option("--activity", default=None,
                     help="Only statements about this activity IRI (e.g. the course)."),
        click.option("--quiet", is_flag=True, help="No progress bar."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _gap_options(func):
    options = [
        click.option("--rows", "grouping", type=click.Choice(["role", "unit", "role_unit"]),
                     default="role", show_default=True, help="Rows of the heat map."),
        click.option("--metric", type=click.Choice(["gap", "share"]), default="gap",
                     show_default=True,
                     help="Heat map colour: mean gap, or share below expectation."),
        click.option("--framework", default="auto", show_default=True,
                     help="Level scale: auto (the shipped DigComp scale if the labels match, "
                          "else inferred), none, a shipped framework name or a JSON file."),
        click.option("--include-usernames", "identities", is_flag=True,
                     help="Also write learners-below-expectation.csv WITH user names. Only "
                          "when you are allowed to see them."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _quiz_options(func):
    options = [
        click.option("--attempts", type=click.Choice(["first", "all"]), default="first",
                     show_default=True, help="Which quiz attempts to analyse."),
        click.option("--criterion", type=click.Choice(["rest", "grade"]), default="rest",
                     show_default=True,
                     help="Discrimination against the rest of the quiz, or the course grade "
                          "from a grade report."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _run(parts: tuple[str, ...], inputs, out_dir, language, k, block, formats, lrs_url,
         lrs_user, lrs_password, since, until, activity, quiet, **extra) -> None:
    chosen = tuple(f.strip() for f in formats.split(",") if f.strip())
    unknown = [f for f in chosen if f not in pipeline.FORMATS]
    if unknown:
        raise click.UsageError(f"Unknown format(s): {', '.join(unknown)}.")
    if k is not None and k < MIN_K:
        raise click.UsageError(f"--k cannot be lower than {MIN_K}.")
    lrs = (pipeline.LrsSource(lrs_url, lrs_user, lrs_password, since, until, activity)
           if lrs_url else None)
    options = pipeline.Options(
        inputs=list(inputs), out_dir=out_dir, lrs=lrs, parts=parts, formats=chosen,
        language=language, k=k, block=block, progress=_progress_factory(quiet), **extra)
    if extra.get("identities"):
        click.echo("Writing user names to learners-below-expectation.csv as asked "
                   "(--include-usernames). Keep that file to those allowed to see it.",
                   err=True)
    try:
        result = pipeline.run(options)
    except UserFacingError as exc:
        raise click.ClickException(exc.render(gettext_for(language))) from exc
    for warning in result.warnings:
        click.echo(warning, err=True)
    for path in result.written:
        click.echo(path)


@click.group("report")
def report_group() -> None:
    """HR reports: competence gaps, quiz item analysis, atlas search gaps (see docs/hr-guide)."""


@report_group.command("all")
@_common
@_gap_options
@_quiz_options
def report_all(**kwargs) -> None:
    """Everything, plus the one-page HTML summary (hr-summary.html)."""
    _run(pipeline.PARTS, **kwargs)


@report_group.command("gaps")
@_common
@_gap_options
def report_gaps(**kwargs) -> None:
    """Competence gap matrix per role and unit, as CSV/XLSX and heat map."""
    _run(("gaps",), **kwargs)


@report_group.command("quiz")
@_common
@_quiz_options
def report_quiz(**kwargs) -> None:
    """Quiz item analysis: facility, discrimination, distractors and flags."""
    _run(("quiz",), **kwargs)


@report_group.command("atlas")
@_common
def report_atlas(**kwargs) -> None:
    """Service atlas: searches with no hits and practice cases often referred wrong."""
    _run(("atlas",), **kwargs)
