"""Helpers shared by the self-assessment runtime tests."""
from __future__ import annotations

import json
from html import escape

from competency_xblock.competency.content import example_dict

EXAMPLE = example_dict()
OPTION_NS = 'xmlns:option="http://code.edx.org/xblock/option"'


def olx(setup: dict | None = None, **attrs) -> str:
    """OLX for a self-assessment block with ``setup`` as its JSON document."""
    attributes = "".join(f' {k}="{escape(str(v))}"' for k, v in attrs.items())
    if setup is None:
        return f"<competency_self_assessment{attributes}/>"
    body = escape(json.dumps(setup, ensure_ascii=False), quote=False)
    return (f"<competency_self_assessment {OPTION_NS}{attributes}>"
            f"<option:setup>{body}</option:setup></competency_self_assessment>")


def setup_with(**changes) -> dict:
    data = json.loads(json.dumps(EXAMPLE))
    data.update(changes)
    return data


def ratings_for(role: str, level: str = "basic", **overrides) -> dict:
    ratings = {c: level for c in EXAMPLE["profiles"][role]}
    ratings.update(overrides)
    return ratings


def submit(workbench, usage, student, role="borgerservice", unit="borgerservice",
           level="basic", lang="en", **overrides):
    return workbench.call(usage, "submit", {"role": role, "unit": unit,
                                            "ratings": ratings_for(role, level, **overrides)},
                          student=student, lang=lang)
