"""The JSON handler convention with a probe block: locking, rollback, status codes."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from xblock.core import XBlock
from xblock.fields import Integer, List, Scope

from competency_xblock.core.base import CompetencyBlockBase
from competency_xblock.core.handlers import json_api
from competency_xblock.text import N_, UserFacingError


class CounterProbe(CompetencyBlockBase):
    """Reads, waits, then writes: loses updates unless requests are serialised."""

    count = Integer(default=0, scope=Scope.user_state)
    log = List(default=[], scope=Scope.user_state)

    def student_view(self, context=None):
        from web_fragments.fragment import Fragment

        return Fragment('<div class="cx-block">probe</div>')

    @json_api(None)
    def bump(self, data, suffix=""):
        seen = self.count
        time.sleep(0.01)
        self.count = seen + 1
        return {"count": self.count}

    @json_api(None)
    def fail_after_write(self, data, suffix=""):
        self.count = 999
        self.log.append("should vanish")
        raise UserFacingError(N_("The value is not valid: {detail}."), detail="probe")

    @json_api(None)
    def crash(self, data, suffix=""):
        self.count = -1
        raise RuntimeError("boom")


@XBlock.register_temp_plugin(CounterProbe, "cx_counter_probe")
def test_parallel_requests_of_one_learner_are_serialised(workbench):
    usage = workbench.render(workbench.scenario("<cx_counter_probe/>")).usage_id
    workbench.call(usage, "bump", {})  # sets the CSRF cookie once
    from django.test import Client

    token = workbench.client.cookies["csrftoken"].value

    def bump(_):
        client = Client(enforce_csrf_checks=True)
        client.cookies["csrftoken"] = token
        response = client.post(workbench.handler_url(usage, "bump"), data="{}",
                               content_type="application/json", HTTP_X_CSRFTOKEN=token)
        return response.status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(bump, range(20)))
    assert statuses == [200] * 20
    assert workbench.state(usage)["count"] == 21


@XBlock.register_temp_plugin(CounterProbe, "cx_counter_probe")
def test_rejected_and_crashed_requests_change_nothing(workbench):
    usage = workbench.render(workbench.scenario("<cx_counter_probe/>")).usage_id
    assert workbench.call(usage, "bump", {}).status == 200
    before = workbench.snapshot()
    rejected = workbench.call(usage, "fail_after_write", {}, lang="da")
    assert rejected.status == 400
    assert rejected.data["error"] == "Værdien er ikke gyldig: probe."
    crashed = workbench.call(usage, "crash", {})
    assert crashed.status == 500 and "Nothing was saved" in crashed.data["error"]
    assert workbench.snapshot() == before
    assert workbench.state(usage)["count"] == 1


def test_ui_text_on_demand_is_the_whole_translated_table(workbench):
    """Looked up entry by entry or taken whole (dict(), JSON), the same as ui_text."""
    import json

    from competency_xblock.self_assessment import UI_TEXT
    from tests.helpers.workbench import parse_olx

    block = parse_olx("<competency_self_assessment/>")
    lazy = block.ui_text_on_demand(UI_TEXT)
    full = block.ui_text(UI_TEXT)
    assert lazy["heading"] == full["heading"] and lazy.get("nope", "x") == "x"
    assert "heading" in lazy and "nope" not in lazy
    assert dict(lazy) == full and len(lazy) == len(full)
    assert json.loads(json.dumps(dict(lazy))) == full


@XBlock.register_temp_plugin(CounterProbe, "cx_counter_probe")
def test_a_body_that_is_no_json_object_is_refused_even_without_a_schema(workbench):
    usage = workbench.render(workbench.scenario("<cx_counter_probe/>")).usage_id
    for body in (b"[]", b"1", b'"x"', b"null", b'[{"a": 1}]', b"true"):
        result = workbench.call(usage, "bump", raw=body, lang="da")
        assert result.status == 400, body
        assert "forventet et objekt" in result.data["error"]
    assert "count" not in workbench.state(usage)


def test_the_demo_reads_language_codes_as_people_write_them(workbench):
    from django.test import Client

    sid = workbench.scenario("<atlas_lookup/>")
    for code in ("da-DK", "DA", "da_dk", "da"):
        url = f"/scenario/{sid}/student_view/?student=s&lang={code}"
        html = Client().get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()   # no cookie
        assert "Søg i ydelsesatlasset" in html, code
