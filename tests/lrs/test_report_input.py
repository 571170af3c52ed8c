"""HR reports read statements back from a real Ralph LRS, across several pages."""
from __future__ import annotations

import json

from competency_xblock.reports.xapi import read_lrs
from tests.unit.reports.test_xapi import check, fold, statements


def test_reports_read_every_page_from_ralph(fresh_ralph):
    items = statements()
    status, body = fresh_ralph.request("POST", "/xAPI/statements",
                                       json.dumps(items).encode("utf-8"))
    assert status == 200, body[:200]
    pages = []
    stream = read_lrs(fresh_ralph.endpoint, *fresh_ralph.auth, page_size=7,
                      on_progress=pages.append)
    check(*fold(stream)[:4])
    assert pages[-1] == len(items) and len(pages) >= 4  # 30 statements, 7 a page
