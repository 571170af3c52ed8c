"""Sphinx configuration for the competency_xblock documentation (built with -W in make test)."""
import os
import sys

sys.path.insert(0, os.path.abspath(".."))

from competency_xblock import __version__  # noqa: E402

project = "competency_xblock"
author = "competency_xblock contributors"
copyright = "2026, competency_xblock contributors"  # noqa: A001
version = release = __version__
extensions = ["sphinx.ext.autodoc", "sphinx.ext.viewcode"]
exclude_patterns = ["_build", "dev"]
html_theme = "sphinx_book_theme"
html_title = "competency_xblock"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
language = "en"
nitpicky = False


def setup(app):
    """Spreadsheet examples are ``code-block:: csv`` (so tests/unit/docs finds and runs them);
    Pygments has no CSV lexer, so show them as plain text."""
    from pygments.lexers.special import TextLexer

    app.add_lexer("csv", TextLexer)
    return {"parallel_read_safe": True}
