"""xAPI input: statements built by our own builder, read from JSON lines and from an LRS
that pages with ``more`` (a local http.server serving canned pages)."""
from __future__ import annotations

import base64
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from competency_xblock.reports.atlas import AtlasAccumulator
from competency_xblock.reports.errors import ReportInputError
from competency_xblock.reports.gaps import GapAccumulator
from competency_xblock.reports.items import ItemAccumulator
from competency_xblock.reports.levels import LevelScale
from competency_xblock.reports.lms import Sink, learner_hasher
from competency_xblock.reports.xapi import StatementFolder, read_jsonl, read_lrs
from competency_xblock.xapi import events as ev
from competency_xblock.xapi.config import from_settings
from competency_xblock.xapi.statements import build_statement
from tests.unit.xapi import samples

CONFIG = from_settings(samples.settings())


def statements() -> list[dict]:
    """Five learners rate 1.1 twice (the second time one level better), answer a quiz of two
    questions, and search the atlas; statements newest first, as an LRS returns them."""
    out = []
    for n in range(5):
        who = samples.learner(f"anon-{n}")
        for round_, (level, rank, gap) in enumerate([("foundation", 1, 1),
                                                     ("intermediate", 2, 0)]):
            out.append(samples.self_rated(who, samples.WHEN - timedelta(days=30 * (1 - round_)),
                                          assessment_id=f"sub-{n}-{round_}", self_level=level,
                                          self_rank=rank, gap=gap))
        for q, right in (("q1", n < 3), ("q2", n % 2 == 0)):
            out.append(samples.quiz_answered(who, attempt=1, attempt_id=f"a-{n}", question_id=q,
                                             response_ids=("a",) if right else ("c",),
                                             success=right, credit=float(right)))
        out.append(samples.atlas_searched(who, query="Boligsikring", hit_count=0))
        out.append(samples.atlas_answered(who, correct=n == 0, picked_id="svc-boligydelse"
                                          if n else "svc-iam-helpdesk"))
    built = [build_statement(e, CONFIG) for e in out]
    built.sort(key=lambda s: s["timestamp"], reverse=True)
    return built


def fold(items, language="da"):
    scale = LevelScale()
    gaps, quiz, atlas = GapAccumulator(scale), ItemAccumulator(), AtlasAccumulator()
    sink = Sink(rating=gaps.add, attempt=quiz.add, outcome=atlas.add_outcome, gap=atlas.add_gap,
                scale=scale)
    folder = StatementFolder(sink, learner_hasher(), language)
    for statement in items:
        folder.add(statement)
    stats = folder.finish()
    return stats, gaps.result(), quiz.result(), atlas.result(), sink


def check(stats, matrix, quiz, atlas):
    assert stats.statements == stats.used == 30
    cell = matrix.cell("role", "caseworker", "1.1")
    # the latest round: intermediate (rank 2) against intermediate expected -> gap 0;
    # the round before: gap 1 -> change -1 for all five
    assert (cell.respondents, cell.mean_gap, cell.mean_self, cell.change, cell.reassessed) == (
        5, 0, 2, -1, 5)
    assert cell.competence == "Browsing og søgning"
    assert matrix.cell("role", "caseworker", "1.1").expected_label == "Øvet"
    items = {i.question_id: i for i in quiz.items}
    assert (items["q1"].facility, items["q2"].facility) == (3 / 5, 3 / 5)
    assert {o.option for o in items["q1"].options} == {"CPR-nummer", "Dagens vejr"}
    assert [(t.term, t.learners, t.no_hits) for t in atlas.terms] == [("boligsikring", 5, 5)]
    (case,) = atlas.scenarios
    assert (case.learners, case.wrong_share, case.top_wrong) == (5, 4 / 5, "")


def test_statements_from_a_json_lines_file(tmp_path):
    path = tmp_path / "lrs-export.jsonl"
    lines = [json.dumps(s, ensure_ascii=False) for s in statements()]
    lines.insert(3, "")  # blank lines are fine
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    seen = []
    stats, matrix, quiz, atlas, _sink = fold(read_jsonl(str(path), seen.append))
    check(stats, matrix, quiz, atlas)
    assert seen[-1] == path.stat().st_size


def test_order_does_not_matter():
    check(*fold(reversed(statements()))[:4])
    check(*fold(sorted(statements(), key=lambda s: s["id"]))[:4])


def test_other_statements_are_counted_and_skipped():
    stats, *_ = fold([{"verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
                       "object": {"id": "https://x/video"}, "actor": {"mbox": "mailto:a@b"}},
                      {"nonsense": True}])
    assert (stats.statements, stats.used, stats.skipped) == (2, 0, 2)


def test_bad_json_line_is_located(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text('{"id": 1}\n{"id": 2,, }\n', encoding="utf-8")
    with pytest.raises(ReportInputError) as info:
        list(read_jsonl(str(path)))
    assert (info.value.line, info.value.column) == (2, "10")
    assert str(info.value).endswith("s.jsonl, line 2, character 10: This line is not valid "
                                    "JSON (Expecting property name enclosed in double quotes).")


class _LRS(BaseHTTPRequestHandler):
    pages: dict = {}
    seen: list = []

    def do_GET(self):  # noqa: N802 - http.server API
        type(self).seen.append((self.path, self.headers.get("X-Experience-API-Version")))
        expected = "Basic " + base64.b64encode(b"hr:hemmelig").decode()
        if self.headers.get("Authorization") != expected:
            self.send_response(401)
            self.end_headers()
            return
        query = parse_qs(urlparse(self.path).query)
        page = int(query.get("page", ["0"])[0])
        body = json.dumps(type(self).pages[page]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def lrs():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _LRS)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    items = statements()
    _LRS.pages = {0: {"statements": items[:12], "more": "/xAPI/statements?page=1"},
                  1: {"statements": items[12:24], "more": "/xAPI/statements?page=2"},
                  2: {"statements": items[24:], "more": ""}}
    _LRS.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}/xAPI/"
    server.shutdown()
    server.server_close()


def test_lrs_paging_with_basic_auth(lrs):
    progress = []
    stream = read_lrs(lrs, "hr", "hemmelig", since="2026-01-01T00:00:00Z",
                      on_progress=progress.append, page_size=12)
    check(*fold(stream)[:4])
    assert len(_LRS.seen) == 3 and progress == [12, 24, 30]
    first_path, version = _LRS.seen[0]
    query = parse_qs(urlparse(first_path).query)
    assert urlparse(first_path).path == "/xAPI/statements"
    assert query["limit"] == ["12"] and query["since"] == ["2026-01-01T00:00:00Z"]
    assert version == "1.0.3"
    assert [urlparse(p).query for p, _ in _LRS.seen[1:]] == ["page=1", "page=2"]


def test_lrs_credentials_in_the_url_are_used_and_never_shown(lrs):
    url = lrs.replace("http://", "http://hr:hemmelig@")
    assert len(list(read_lrs(url))) == 30
    with pytest.raises(ReportInputError) as info:
        list(read_lrs(lrs.replace("http://", "http://hr:forkert@")))
    assert "forkert" not in str(info.value) and "hr:" not in str(info.value)


def test_lrs_wrong_password(lrs):
    with pytest.raises(ReportInputError) as info:
        list(read_lrs(lrs, "hr", "forkert"))
    assert "refused the user name or password (HTTP 401)" in str(info.value)
    assert "forkert" not in str(info.value)


def test_lrs_that_loops(lrs):
    _LRS.pages[2]["more"] = "/xAPI/statements?page=1"
    with pytest.raises(ReportInputError) as info:
        list(read_lrs(lrs, "hr", "hemmelig"))
    assert "same page" in str(info.value)


def test_lrs_unreachable():
    with pytest.raises(ReportInputError) as info:
        list(read_lrs("http://127.0.0.1:9/xAPI/", timeout=2))
    assert "cannot be reached" in str(info.value)


def test_unknown_level_is_not_a_gap():
    who = samples.learner("anon-x")
    event = samples.self_rated(who, self_level=None, self_rank=None, gap=None)
    stats, matrix, *_ = fold([build_statement(event, CONFIG)])
    cell = matrix.cells[0]
    assert stats.used == 1 and matrix.learners == 1 and cell.suppressed


def test_actor_identity_never_reaches_records():
    who = ev.Learner(anonymous_id="anon", username="mette", email="mette@kommune.dk",
                     full_name="Mette Hansen")
    config = from_settings(samples.settings(xapi_actor="email", xapi_actor_name=True))
    statement = build_statement(samples.atlas_searched(who, hit_count=0), config)
    assert statement["actor"]["mbox"] == "mailto:mette@kommune.dk"
    seen = []
    folder = StatementFolder(Sink(gap=seen.append), learner_hasher(), "da")
    folder.add(statement)
    assert isinstance(seen[0].learner, int)
    assert "mette" not in repr(seen[0]).lower()
