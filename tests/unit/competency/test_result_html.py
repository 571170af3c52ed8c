"""The result view built in Python: every value escaped, optional parts only when present."""
from __future__ import annotations

import re

from competency_xblock.competency import result_html

EVIL = '<img src=x onerror="alert(1)">&\''
TEXT_KEYS = ("result_heading", "table_caption", "col_competence", "col_self", "col_expected",
             "col_gap", "col_status", "strengths_heading", "strengths_none", "plan_heading",
             "plan_intro", "plan_no_resources", "plan_none", "clarify_heading", "print",
             "reassess")


def context(**overrides):
    ctx = {
        "dom_id": "cx-1", "text": {key: f"{key} {EVIL}" for key in TEXT_KEYS},
        "rows": [{"title": EVIL, "self": EVIL, "expected": EVIL, "status": "gap",
                  "status_text": EVIL, "gap": 2, "change": "+1"}],
        "has_previous": True, "change_heading": EVIL, "submitted_line": EVIL,
        "summary_line": EVIL, "change_line": EVIL,
        "strengths": [{"title": EVIL, "self": EVIL, "status_text": EVIL}],
        "plan": {"items": [{"title": EVIL, "from_to": EVIL,
                            "resources": [{"kind_text": EVIL, "url": 'https://x.dk/?a=1&b="2"',
                                           "title": EVIL, "description": EVIL}],
                            "peer": [{"kind_text": "", "url": "", "title": EVIL,
                                      "description": ""}]}],
                 "clarify": [{"text": EVIL}]},
        "can_reassess": True, "reassess_note": EVIL,
    }
    ctx.update(overrides)
    return ctx


def test_every_value_is_escaped():
    html = result_html.render(context())
    assert "<img" not in html and 'onerror="' not in html
    assert html.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#x27;") >= 20
    assert 'href="https://x.dk/?a=1&amp;b=&quot;2&quot;"' in html
    # Well formed enough to count: every opened element of these kinds is closed.
    for tag in ("section", "table", "tr", "ul", "ol", "li", "p", "h3", "h4", "h5", "button"):
        assert len(re.findall(f"<{tag}[ >]", html)) == html.count(f"</{tag}>"), tag


def test_optional_parts_appear_only_when_there_is_something_to_show():
    full = result_html.render(context())
    assert "data-cx-reassess" in full and "cx-sa-change" in full and "cx-sa-clarify" in full
    bare = result_html.render(context(
        has_previous=False, change_line="", strengths=[], can_reassess=False,
        reassess_note="", plan={"items": [], "clarify": []}))
    for absent in ("data-cx-reassess", "cx-sa-change", "cx-sa-clarify", "cx-sa-plan-items",
                   "cx-sa-reassess-note", "cx-sa-strengths", "change_heading"):
        assert absent not in bare, absent
    assert "strengths_none" in bare and "plan_none" in bare
    assert bare.count("<th scope=\"col\">") == 5 and full.count("<th scope=\"col\">") == 6


def test_a_plan_item_without_resources_says_so():
    ctx = context()
    ctx["plan"]["items"][0]["resources"] = []
    assert "plan_no_resources" in result_html.render(ctx)
