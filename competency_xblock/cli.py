"""The ``competency-xblock`` command: imports, reports and operations without a runtime."""
from __future__ import annotations

import click

from competency_xblock import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="competency-xblock")
def main() -> None:
    """Tools for the competency_xblock package (imports, reports, xAPI outbox)."""


@main.group("import")
def import_group() -> None:
    """Convert authored content from other formats into our JSON documents."""


from competency_xblock.xapi.cli import xapi_group  # noqa: E402 - the `xapi` group

main.add_command(xapi_group)

from competency_xblock.reports.cli import report_group  # noqa: E402 - the `report` group

main.add_command(report_group)


from competency_xblock.atlas.cli import atlas_command, kle_command  # noqa: E402
from competency_xblock.quiz_engine.cli import export_quiz, import_quiz  # noqa: E402

import_group.add_command(import_quiz, "quiz")
import_group.add_command(kle_command)
import_group.add_command(atlas_command)
main.add_command(export_quiz, "export-quiz")


if __name__ == "__main__":  # pragma: no cover
    main()
