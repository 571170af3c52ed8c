"""The page markup itself (no browser): author text never closes the element it travels in.

The XBlock runtime's wrapper writes a fragment's ``json_init_args`` into a ``<script>`` element
with plain ``json.dumps`` (the workbench does; the LMS escapes "/"), so an atlas scenario
prompt ``</script><script>...`` ran in the workbench (found by test_xss_browser.py).  The blocks
now send their JavaScript arguments as JSON inside their own HTML with "<", ">" and "&"
escaped (core/base.py ``fragment``), and give the runtime only the name of the init function.
"""
from __future__ import annotations

import html
import json
import re

import pytest

from tests.security.xss_content import payloads, scenarios

BREAKOUTS = [p for p in payloads() if "</" in p or "<!--" in p]


@pytest.mark.parametrize("scenario", ["cxxss-sa-0", "cxxss-quiz", "cxxss-atlas-lookup",
                                      "cxxss-atlas-exercise"])
@pytest.mark.parametrize("student", ["learner-m", "staff"])
def test_no_author_text_reaches_a_script_element_unescaped(bench, scenario, student):
    description, olx = scenarios()[scenario]
    page = bench.render(bench.scenario(olx, f"markup {scenario}"), student=student).html
    # Escaped everywhere: in text and attributes "<" is "&lt;", in the JSON it is "\\u003c".
    raw = [payload for payload in BREAKOUTS if payload in page]
    assert not raw, (scenario, raw[:3])
    args = re.findall(r'<script type="application/json" data-cx-init-args>(.*?)</script>', page,
                      flags=re.S)
    assert len(args) == 1 and "<" not in args[0] and ">" not in args[0]
    data = json.loads(args[0])
    assert isinstance(data.get("text"), dict)
    runtime_args = re.findall(r'class="xblock_json_init_args">\s*(.*?)\s*</script>', page,
                              flags=re.S)
    assert [json.loads(html.unescape(a)) for a in runtime_args][-1]["init"].endswith(
        ("Init", "Assessment"))
    if scenario == "cxxss-atlas-exercise" and student != "staff":
        prompts = [s["prompt"] for s in data["scenarios"]]
        assert prompts[:3] == payloads()[:3]   # the JavaScript still gets the exact text
