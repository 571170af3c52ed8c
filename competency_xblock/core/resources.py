"""Package resources (static files, templates, shipped data) read from the *installed*
package through importlib.resources, so a wheel works the same as the source tree."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable

PACKAGE = "competency_xblock"


def resource(path: str) -> Traversable:
    """``path`` relative to the package root, e.g. ``static/templates/quiz.html``."""
    node = resources.files(PACKAGE)
    for part in path.split("/"):
        if part in ("", ".", ".."):
            raise ValueError(f"unsafe resource path: {path!r}")
        node = node / part
    return node


@lru_cache(maxsize=256)
def load_text(path: str) -> str:
    return resource(path).read_text(encoding="utf-8")


def load_json(path: str):
    """A fresh copy each call (callers may mutate it)."""
    return json.loads(load_text(path))
