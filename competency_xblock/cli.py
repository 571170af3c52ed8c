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


if __name__ == "__main__":  # pragma: no cover
    main()
