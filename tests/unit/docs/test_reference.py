"""The reference tables and command lines in the documentation match the code.

- Every key of ``XBLOCK_SETTINGS["competency_xblock"]`` (``core.base.DEFAULT_SETTINGS`` and
  ``xapi.config.DEFAULTS``) is a row of the settings table in docs/operators.rst, with its
  default written as a Python literal; the table has no row for a key that does not exist.
- Every ``competency-xblock`` command line in a code block names existing commands and
  options.
- Every page is in the table of contents, so none is built but unreachable.
"""
from __future__ import annotations

import ast
import re
import shlex

import pytest

from tests.unit.docs.rst_examples import DOCS, all_examples

OPERATORS = DOCS / "operators.rst"
#: A list-table row: ``* - ``key```` then ``- ``default````.
ROW = re.compile(r"^\s*\* - ``(?P<key>[a-z_]+)``\s*\n\s*- ``(?P<default>.+?)``\s*$",
                 re.MULTILINE)


def documented_settings() -> dict[str, str]:
    text = OPERATORS.read_text(encoding="utf-8")
    start = text.index("\nSettings\n--------")
    end = text.index("\n.. _named-atlases:")
    return {m.group("key"): m.group("default") for m in ROW.finditer(text[start:end])}


def real_settings() -> dict:
    from competency_xblock.core.base import DEFAULT_SETTINGS
    from competency_xblock.xapi.config import DEFAULTS

    return {**DEFAULT_SETTINGS, **DEFAULTS}


def test_every_setting_is_documented_with_its_default():
    documented = documented_settings()
    real = real_settings()
    missing = sorted(set(real) - set(documented))
    assert not missing, f"settings missing from docs/operators.rst: {missing}"
    extra = sorted(set(documented) - set(real))
    assert not extra, f"docs/operators.rst documents settings that do not exist: {extra}"
    wrong = {key: (documented[key], real[key]) for key in real
             if ast.literal_eval(documented[key]) != real[key]
             or type(ast.literal_eval(documented[key])) is not type(real[key])}
    assert not wrong, f"documented default != code default: {wrong}"


def test_the_settings_table_parser_reads_rows():
    sample = "   * - ``xapi_batch_size``\n     - ``50``\n     - Statements per POST.\n"
    assert ROW.findall(sample) == [("xapi_batch_size", "50")]


# ---- command lines ---------------------------------------------------------------------------
def command_lines() -> list[tuple[str, str]]:
    """(where, command line) for every ``competency-xblock`` call in a shell code block."""
    found = []
    for example in all_examples():
        if example.language not in ("bash", "console", "shell"):
            continue
        text = example.text.replace("\\\n", " ")
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip().removeprefix("$ ")
            line = re.sub(r"^\S*/bin/(?=competency-xblock\b)", "", line)
            if line.startswith("competency-xblock"):
                found.append((example.where(), line.split("|")[0].split(">")[0].strip()))
    return found


COMMANDS = command_lines()


def test_the_docs_show_the_commands():
    assert len(COMMANDS) >= 8


@pytest.mark.parametrize(("where", "line"), COMMANDS, ids=[w for w, _ in COMMANDS])
def test_command_lines_name_real_commands_and_options(where, line):
    import click

    from competency_xblock.cli import main

    words = shlex.split(line)[1:]
    command: click.Command = main
    path_options: set[str] = {opt for p in main.params for opt in p.opts + p.secondary_opts}
    ctx = click.Context(main)
    for word in words:
        if word.startswith("-"):
            continue
        if isinstance(command, click.Group):
            sub = command.get_command(ctx, word)
            if sub is not None:
                command = sub
                path_options |= {opt for p in sub.params for opt in p.opts + p.secondary_opts}
                continue
            if not command.params:
                pytest.fail(f"{where}: {line!r}: no command {word!r}")
    assert not isinstance(command, click.Group) or words[-1:] in (["--help"], []), \
        f"{where}: {line!r} stops at a group"
    path_options |= {"--help", "-h"}
    used = {w.split("=", 1)[0] for w in words if w.startswith("-") and w != "-"}
    unknown = sorted(used - path_options)
    assert not unknown, f"{where}: {line!r}: unknown options {unknown}"


# ---- table of contents -----------------------------------------------------------------------
def test_every_page_is_reachable_from_the_index():
    linked: set[str] = set()
    for page in DOCS.glob("*.rst"):
        text = page.read_text(encoding="utf-8")
        for block in re.findall(r"\.\. toctree::\n((?:[ \t]+.*\n|\n)+)", text):
            linked |= {line.strip() for line in block.splitlines()
                       if line.strip() and not line.strip().startswith(":")}
    pages = {p.stem for p in DOCS.glob("*.rst")} - {"index"}
    orphans = {p.stem for p in DOCS.glob("*.rst")
               if p.read_text(encoding="utf-8").startswith(":orphan:")}
    assert pages - linked - orphans == set()
