"""Command-line import and export of question banks (no runtime needed).

The lead's ``competency_xblock/cli.py`` registers these::

    import_group.add_command(import_quiz, "quiz")   # competency-xblock import quiz ...
    main.add_command(export_quiz, "export-quiz")     # competency-xblock export-quiz ...

Every question that cannot be imported is listed with its line or element; a malformed file
stops with the error and its position and exit code 1; nothing is written then.
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from competency_xblock.quiz_engine.bank import (
    bank_to_dict,
    default_bank_data,
    load_bank,
    parse_bank_json,
    with_bank_details,
)
from competency_xblock.quiz_engine.exporters import export_gift, export_olx
from competency_xblock.quiz_engine.importers import (
    FORMATS,
    SKIPPED,
    import_path,
    merge_into_bank,
)
from competency_xblock.quiz_engine.model import Bank
from competency_xblock.text import UserFacingError


def _read_bank(path: str | None) -> Bank:
    if not path or path == "default":
        return load_bank(default_bank_data())
    return parse_bank_json(Path(path).read_text(encoding="utf-8"))


@click.command("quiz")
@click.argument("source", type=click.Path(exists=True, dir_okay=True))
@click.option("--format", "fmt", type=click.Choice(("auto",) + FORMATS), default="auto",
              show_default=True, help="Input format; a folder is read as CAPA problems.")
@click.option("--into", "into", type=click.Path(dir_okay=False),
              help="Bank JSON to add the questions to ('default' = the shipped bank). "
                   "Without it a new bank is made.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Where to write the bank JSON (default: back into --into, else stdout).")
@click.option("--topic", help="Topic id for imported questions that have none.")
@click.option("--replace", "replace_bank", is_flag=True,
              help="Make the imported questions the bank instead of adding them to --into "
                   "(as Studio's 'Replace the whole bank'); questions that come back keep "
                   "their choice ids, and what changes for learners is reported.")
@click.option("--dry-run", is_flag=True, help="Report only; write nothing.")
@click.option("--strict", is_flag=True, help="Exit with code 3 if any question was skipped.")
def import_quiz(source, fmt, into, output, topic, replace_bank, dry_run, strict):
    """Import GIFT, Moodle XML or Open edX CAPA OLX questions into a quiz bank."""
    if replace_bank and not into:
        raise click.UsageError("--replace needs --into, the bank whose questions it replaces.")
    try:
        result = import_path(source, None if fmt == "auto" else fmt)
        base = _read_bank(into) if into else Bank(())
        merged, notes = merge_into_bank(base, result, topic=topic, replace_bank=replace_bank)
        original = {} if not into else default_bank_data() if into == "default" else \
            json.loads(Path(into).read_text(encoding="utf-8"))
        data, problems = with_bank_details(bank_to_dict(merged), original, replace_bank)
    except (UserFacingError, OSError) as error:
        raise click.ClickException(str(error)) from error
    for item in result.problems + notes:
        label = "skipped" if item.kind == SKIPPED else "note"
        click.echo(f"{label}: {item.render()}", err=True)
    click.echo(f"{len(result.questions)} imported, {len(result.skipped)} skipped, "
               f"{len(merged.questions)} in the bank.", err=True)
    if problems:
        for problem in problems:
            click.echo(f"invalid: {problem.render()}", err=True)
        raise click.ClickException("The bank would not be valid; nothing was written.")
    if not dry_run:
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        target = output or (into if into and into != "default" else None)
        if target:
            Path(target).write_text(text, encoding="utf-8")
        else:
            click.echo(text, nl=False)
    if strict and result.skipped:
        raise SystemExit(3)


@click.command("export-quiz")
@click.argument("bank", default="default")
@click.option("--format", "fmt", type=click.Choice(("gift", "olx")), default="gift",
              show_default=True)
@click.option("--language", "-l", default="da", show_default=True,
              help="Language of the exported texts.")
@click.option("--output", "-o", type=click.Path(),
              help="GIFT: a file (default stdout). OLX: a folder; problems go to problem/.")
def export_quiz(bank, fmt, language, output):
    """Export a quiz bank ('default' = the shipped bank) as GIFT or CAPA OLX."""
    try:
        loaded = _read_bank(bank)
    except (UserFacingError, OSError) as error:
        raise click.ClickException(str(error)) from error
    if fmt == "gift":
        text = export_gift(loaded, language)
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            click.echo(text, nl=False)
        return
    if not output:
        raise click.ClickException("OLX export needs --output FOLDER.")
    for name, xml in export_olx(loaded, language).items():
        path = Path(output) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(xml, encoding="utf-8")
    click.echo(f"{len(loaded.questions)} problems written to {Path(output) / 'problem'}",
               err=True)
