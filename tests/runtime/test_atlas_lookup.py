"""The atlas_lookup block through the real workbench: both modes, staff list, bad input."""
from __future__ import annotations

import json
from html import escape

import pytest

OPTION_NS = 'xmlns:option="http://code.edx.org/xblock/option"'

SMALL_ATLAS = {
    "id": "mini", "title": "Mini", "kle_version": "2025-05-01",
    "units": [
        {"id": "bs", "name": "Borgerservice", "contact": {"phone": "+45 99 99 00 00",
                                                          "address": "Torvet 1"}},
        {"id": "pk", "name": "Pas og kørekort", "kind": "team", "parent": "bs"},
        {"id": "nm", "name": "Natur og Miljø"},
    ],
    "services": [
        {"id": "pas", "title": "Pas", "kle": ["23.09.02"], "unit": "pk",
         "keywords": ["Rejsepas"]},
        {"id": "koerekort", "title": "Kørekort", "kle": ["23.09.04"], "unit": "pk",
         "keywords": ["Fornyelse af kørekort"]},
        {"id": "flytning", "title": "Flytteanmeldelse", "kle": ["23.05.10"], "unit": "bs"},
        {"id": "rotter", "title": "Rottebekæmpelse", "kle": ["09.13.01"], "unit": "nm",
         "keywords": ["<script>alert(1)</script> rotter"]},
    ],
}
EXERCISE = {"scenarios": [
    {"id": "s1", "prompt": {"da": "Kørekortet udløber.", "en": "The licence expires."},
     "answer": {"units": ["pk"]}, "hint": {"da": "Kørekort", "en": "Licence"},
     "explanation": {"da": "Pas og kørekort.", "en": "Passports and licences."}},
    {"id": "s2", "prompt": "Rotter i haven.", "answer": {"services": ["rotter"]},
     "hint": "Rotter", "explanation": "Natur og Miljø."},
]}


def olx(mode="lookup", atlas=SMALL_ATLAS, exercise=EXERCISE, **attrs) -> str:
    attributes = " ".join(f'{k}="{escape(str(v))}"' for k, v in attrs.items())
    body = ""
    if atlas is not None:
        body += ("<option:inline_atlas>" + escape(json.dumps(atlas, ensure_ascii=False),
                                                  quote=False) + "</option:inline_atlas>")
    if exercise is not None:
        body += ("<option:exercise>" + escape(json.dumps(exercise, ensure_ascii=False),
                                              quote=False) + "</option:exercise>")
    return f'<atlas_lookup {OPTION_NS} mode="{mode}" {attributes}>{body}</atlas_lookup>'


def test_lookup_mode_renders_and_searches(workbench):
    sid = workbench.scenario(olx())
    page = workbench.render(sid, student="s1", lang="da")
    assert 'role="search"' in page.html and "type=\"search\"" in page.html
    assert "aria-live" in page.html
    res = workbench.call(page.usage_id, "search", {"query": "kørekrot"}, student="s1", lang="da")
    assert res.status == 200, res.body
    data = res.data
    assert data["status"] == "ok"
    hit = data["hits"][0]
    assert hit["id"] == "koerekort" and hit["kle"] == ["23.09.04"]
    assert hit["unit"]["path"] == ["Borgerservice", "Pas og kørekort"]
    assert hit["unit"]["contact"]["phone"] == "+45 99 99 00 00"   # inherited from parent
    assert hit["title_spans"] == [[0, 8]]
    assert data["corrections"] == [{"typed": "kørekrot", "used": "kørekort"}]
    assert workbench.state(page.usage_id, "s1")["searches"] == 1
    assert workbench.events.of_type("grade", page.usage_id) == []
    # Using the reference tool once completes it; later searches do not re-publish.
    assert workbench.events.of_type("completion", page.usage_id) == [{"completion": 1.0}]
    workbench.call(page.usage_id, "search", {"query": "pas"}, student="s1", lang="da")
    assert len(workbench.events.of_type("completion", page.usage_id)) == 1


def test_kle_and_markup_are_data(workbench):
    sid = workbench.scenario(olx())
    page = workbench.render(sid, student="s1")
    data = workbench.call(page.usage_id, "search", {"query": "23.09"}, student="s1").data
    assert {h["id"] for h in data["hits"]} == {"pas", "koerekort"}
    data = workbench.call(page.usage_id, "search", {"query": "rotter"}, student="s1").data
    keyword = data["hits"][0]["keywords"][0]
    assert keyword["text"].startswith("<script>")            # plain text, rendered as text
    assert "<script>alert(1)" not in page.html


@pytest.mark.parametrize("payload", [{"query": ""}, {"query": "(.*"}, {"query": "   "}])
def test_empty_queries_get_a_helpful_answer(workbench, payload):
    sid = workbench.scenario(olx())
    page = workbench.render(sid, student="s1")
    res = workbench.call(page.usage_id, "search", payload, student="s1", lang="da")
    assert res.status == 200 and res.data["status"] == "empty_query"
    assert res.data["message"]


def test_oversized_and_malformed_requests_change_nothing(workbench):
    sid = workbench.scenario(olx())
    page = workbench.render(sid, student="s1")
    workbench.call(page.usage_id, "search", {"query": "pas"}, student="s1")
    before = workbench.snapshot()
    res = workbench.call(page.usage_id, "search", {"query": "x" * 500}, student="s1")
    assert res.status == 200 and res.data["status"] == "query_too_long"
    for payload in ({"query": "x" * 10_000}, {"query": 3}, {"nope": 1},
                    {"query": "pas", "limit": 10_000}):
        res = workbench.call(page.usage_id, "search", payload, student="s1")
        assert res.status == 400 and res.data["error"], payload
    res = workbench.call(page.usage_id, "search", raw=b"{" + b" " * 20_000 + b"}",
                         student="s1")
    assert res.status == 400 and "too large" in res.data["error"]
    res = workbench.call(page.usage_id, "search", raw=b"not json", student="s1")
    assert res.status == 400
    after = workbench.snapshot()
    assert before == after


def test_exercise_pick_hint_explanation_grade(workbench):
    sid = workbench.scenario(olx(mode="exercise", max_attempts=2, weight=3))
    page = workbench.render(sid, student="s1", lang="da")
    assert "Kørekortet udløber." in page.html          # initial args carry the prompts
    usage = page.usage_id
    workbench.call(usage, "search", {"query": "kørekort", "scenario": "s1"}, student="s1")
    wrong = workbench.call(usage, "pick", {"scenario": "s1", "kind": "unit", "id": "bs"},
                           student="s1", lang="da")
    assert wrong.status == 200
    assert wrong.data["correct"] is False and wrong.data["finished"] is False
    assert wrong.data["hint"] == "Kørekort" and wrong.data["explanation"] == ""
    assert wrong.data["answer"] == []                   # no answer leaked before the end
    right = workbench.call(usage, "pick", {"scenario": "s1", "kind": "service",
                                           "id": "koerekort"}, student="s1", lang="da")
    assert right.data["correct"] is True and right.data["finished"] is True
    assert right.data["explanation"] == "Pas og kørekort."
    assert right.data["answer"][0]["label"] == "Pas og kørekort"
    grades = workbench.events.of_type("grade", usage)
    assert grades[-1]["value"] == 1.0 and grades[-1]["max_value"] == 2.0
    # scenario 2: two wrong picks end it
    for _ in range(2):
        res = workbench.call(usage, "pick", {"scenario": "s2", "kind": "service", "id": "pas"},
                             student="s1")
    assert res.data["finished"] is True and res.data["correct"] is False
    assert res.data["answer"][0]["id"] == "rotter"
    assert workbench.events.of_type("grade", usage)[-1]["value"] == 1.0
    assert workbench.events.of_type("completion", usage)
    # finished: further picks are refused and change nothing
    before = workbench.snapshot()
    res = workbench.call(usage, "pick", {"scenario": "s2", "kind": "service", "id": "rotter"},
                         student="s1")
    assert res.status == 400
    assert workbench.snapshot() == before
    state = workbench.state(usage, "s1")
    assert state["progress"]["s1"]["searches"] == 1
    assert state["raw_earned"] == 1.0


def test_bad_picks_are_clear_errors(workbench):
    sid = workbench.scenario(olx(mode="exercise"))
    page = workbench.render(sid, student="s1")
    before = workbench.snapshot()
    for payload, fragment in (
            ({"scenario": "nope", "kind": "unit", "id": "bs"}, "nope"),
            ({"scenario": "s1", "kind": "unit", "id": "ghost"}, "ghost"),
            ({"scenario": "s1", "kind": "team", "id": "bs"}, ""),
            ({"scenario": "s1", "kind": "unit"}, "id")):
        res = workbench.call(page.usage_id, "pick", payload, student="s1")
        assert res.status == 400, payload
        assert fragment in res.data["error"] + res.data.get("path", "")
    assert workbench.snapshot() == before


def test_pick_in_lookup_mode_is_refused(workbench):
    sid = workbench.scenario(olx())
    page = workbench.render(sid, student="s1")
    res = workbench.call(page.usage_id, "pick", {"scenario": "s1", "kind": "unit", "id": "bs"},
                         student="s1")
    assert res.status == 400


def test_staff_candidate_soegeord(workbench):
    sid = workbench.scenario(olx(mode="exercise"))
    page = workbench.render(sid, student="s1")
    usage = page.usage_id
    for student in ("s1", "s2"):
        workbench.render(sid, student=student)
        workbench.call(usage, "search", {"query": "gnaver i haven", "scenario": "s2"},
                       student=student)
        workbench.call(usage, "pick", {"scenario": "s2", "kind": "service", "id": "pas"},
                       student=student)
    workbench.call(usage, "search", {"query": "Huslejetilskud"}, student="s1")
    assert workbench.call(usage, "staff_gaps", {}, student="s1").status == 403
    res = workbench.call(usage, "staff_gaps", {}, student="staff")
    assert res.status == 200, res.body
    rows = {r["term"]: r for r in res.data["candidates"]}
    assert rows["gnaver i haven"]["learners"] == 2
    assert rows["gnaver i haven"]["no_hits"] == 2 and rows["gnaver i haven"]["wrong_picks"] == 2
    assert rows["gnaver i haven"]["target"] == "rotter"
    assert rows["gnaver i haven"]["target_label"] == "Rottebekæmpelse"
    assert "huslejetilskud" in rows
    staff_page = workbench.render(sid, student="staff")
    assert "data-cx-gaps" in staff_page.html
    assert "data-cx-gaps" not in workbench.render(sid, student="s1").html


def shared_state(usage) -> dict:
    """The block's ``Scope.user_state_summary`` fields as stored."""
    from workbench.models import XBlockState

    row = XBlockState.objects.get(scope="usage", scope_id=usage, user_id=None)
    return json.loads(row.state)


def write_gap_mirror(usage, value) -> None:
    from workbench.models import XBlockState

    row = XBlockState.objects.get(scope="usage", scope_id=usage, user_id=None)
    row.state = json.dumps(dict(json.loads(row.state), gap_mirror=value))
    row.save()


def test_staff_list_is_a_tally_and_reads_an_earlier_per_learner_copy(workbench):
    """The stored counts hold no learner id; the per-learner copy of earlier releases (hashed
    id -> newest 20 entries) gives the same list and is converted by the next search."""
    import hashlib

    from competency_xblock.atlas import gaps

    sid = workbench.scenario(olx())
    usage = workbench.render(sid, student="staff").usage_id
    searches = {"s1": ["gnaver i haven", "Huslejetilskud", "gnaver i haven"],
                "s2": ["gnaver i haven"], "s3": ["qwxz ukendt"]}
    for student, queries in searches.items():
        workbench.render(sid, student=student)
        for query in queries:
            assert workbench.call(usage, "search", {"query": query}, student=student
                                  ).data["status"] == "no_hits"
    before = workbench.call(usage, "staff_gaps", {}, student="staff").data
    rows = {r["term"]: r for r in before["candidates"]}
    assert before["learners"] == 3
    assert (rows["gnaver i haven"]["learners"], rows["gnaver i haven"]["count"]) == (2, 3)
    tally = shared_state(usage)["gap_mirror"]
    assert tally["format"] == gaps.TALLY_FORMAT and set(tally["terms"]) == {
        "gnaver i haven", "huslejetilskud", "qwxz ukendt"}
    assert not any(student in json.dumps(tally) for student in searches)

    def key(student):
        return hashlib.sha256(f"{usage}:{student}".encode()).hexdigest()[:16]

    logs = {student: workbench.state(usage, student)["gap_log"] for student in searches}
    legacy = {key(student): log[-20:] for student, log in logs.items()}
    write_gap_mirror(usage, legacy)
    assert workbench.call(usage, "staff_gaps", {}, student="staff").data == before
    # s1's entry in the old copy is stale: the conversion replaces it by s1's current log.
    legacy[key("s1")] = legacy[key("s1")] + [gaps.record(gaps.KIND_NO_HITS, "forældet ord")]
    write_gap_mirror(usage, legacy)
    assert "forældet ord" in [r["term"] for r in workbench.call(
        usage, "staff_gaps", {}, student="staff").data["candidates"]]
    assert workbench.call(usage, "search", {"query": "qwxz ukendt"}, student="s1").status == 200
    converted = shared_state(usage)["gap_mirror"]
    assert converted["format"] == gaps.TALLY_FORMAT
    assert not any(key(student) in json.dumps(converted) for student in searches)
    after = workbench.call(usage, "staff_gaps", {}, student="staff").data
    rows = {r["term"]: r for r in after["candidates"]}
    assert "forældet ord" not in rows and after["learners"] == 3
    assert (rows["qwxz ukendt"]["learners"], rows["qwxz ukendt"]["count"]) == (2, 2)
    logs["s1"] = workbench.state(usage, "s1")["gap_log"]
    assert after["candidates"] == [
        dict(c.to_dict(), target_label=c.suggested_target())
        for c in gaps.candidates([(s, log[-20:]) for s, log in logs.items()])]


def test_broken_inline_atlas_shows_friendly_message(workbench):
    broken = json.loads(json.dumps(SMALL_ATLAS))
    broken["services"][0]["unit"] = "ghost"
    sid = workbench.scenario(olx(atlas=broken))
    learner = workbench.render(sid, student="s1", lang="en")
    assert "not available right now" in learner.html
    assert "unknown unit" not in learner.html
    staff = workbench.render(sid, student="staff", lang="en")
    assert "unknown unit" in staff.html                     # staff see the error
    res = workbench.call(learner.usage_id, "search", {"query": "pas"}, student="s1")
    assert res.status == 400 and "not available" in res.data["error"]


def test_default_demo_atlas_and_scenarios(workbench):
    sid = workbench.scenario('<atlas_lookup mode="exercise"/>')
    page = workbench.render(sid, student="s1", lang="da")
    res = workbench.call(page.usage_id, "search", {"query": "boligstøtte",
                                                   "scenario": "boligstoette"}, student="s1")
    assert res.data["hits"][0]["id"] == "kle-32.06.00"
    res = workbench.call(page.usage_id, "pick", {"scenario": "boligstoette", "kind": "service",
                                                 "id": "kle-32.06.00"}, student="s1", lang="da")
    assert res.data["correct"] is True
    assert "Udbetaling Danmark" in res.data["explanation"]


def test_report_rows(workbench):
    from types import SimpleNamespace

    from tests.helpers.workbench import parse_olx

    block = parse_olx(olx(mode="exercise"))
    states = [SimpleNamespace(username="anna", state={"progress": {
        "s1": {"attempts": 2, "searches": 3, "solved": True, "finished": True,
               "picks": [{"kind": "unit", "id": "bs", "correct": False},
                         {"kind": "unit", "id": "pk", "correct": True}]}}}),
        SimpleNamespace(username="bo", state={})]
    rows = list(block.generate_report_data(iter(states)))
    assert len(rows) == 1
    username, row = rows[0]
    assert username == "anna"
    assert row["scenario"] == "s1" and row["pick"] == "pk" and row["correct"] is True
    assert row["pick_label"] == "Pas og kørekort"
    assert row["searches"] == 3 and row["attempts"] == 2
    assert block.max_score() == 2.0
    assert parse_olx(olx()).max_score() is None


def test_olx_round_trip(workbench):
    from tests.helpers.workbench import export_olx, parse_olx

    block = parse_olx(olx(mode="exercise", max_attempts=3))
    again = parse_olx(export_olx(block))
    assert again.inline_atlas == SMALL_ATLAS
    assert again.exercise == EXERCISE
    assert again.mode == "exercise" and again.max_attempts == 3


def test_studio_validation_lists_every_problem(workbench):
    sid = workbench.scenario(olx())
    page = workbench.render(sid, student="staff")
    broken = json.loads(json.dumps(SMALL_ATLAS))
    broken["services"][0]["unit"] = "ghost"
    broken["services"][1]["kle"] = ["1.2"]
    before = workbench.snapshot()
    res = workbench.call(page.usage_id, "submit_studio_edits",
                         {"values": {"inline_atlas": broken, "max_attempts": 99}},
                         student="staff")
    assert res.status == 400
    messages = " ".join(res.data["messages"])
    assert "ghost" in messages and "1.2" in messages and "Attempts" in messages
    assert workbench.snapshot() == before


def test_identifiers_typed_into_the_search_are_not_kept(workbench):
    """A CPR number, e-mail address or phone number typed into the search is in no stored
    field and not in the staff list (a placeholder is), and the learner is told so."""
    sid = workbench.scenario(olx(mode="exercise"))
    usage = workbench.render(sid, student="s1").usage_id
    typed = ["borger 010190-1234 gnaver", "jens.hansen@example.dk", "ring 12 34 56 78"]
    for query in typed:
        res = workbench.call(usage, "search", {"query": query, "scenario": "s2"},
                             student="s1", lang="da")
        assert res.status == 200, res.body
        assert "Søg efter opgaven, ikke personen" in res.data["message"]
        assert res.data["query"] == query      # the learner's own answer shows what they typed
    workbench.call(usage, "pick", {"scenario": "s2", "kind": "service", "id": "pas"},
                   student="s1")
    plain = workbench.call(usage, "search", {"query": "gnaver", "scenario": "s2"},
                           student="s1", lang="da")
    assert "ikke personen" not in plain.data["message"]

    stored = json.dumps([workbench.state(usage, "s1"), shared_state(usage)],
                        ensure_ascii=False)
    for secret in ("010190", "1234", "jens", "hansen", "example.dk", "12 34 56 78"):
        assert secret not in stored, secret
    assert "borger [cpr] gnaver" in stored and "[e-mail]" in stored and "[telefon]" in stored
    terms = {r["term"] for r in workbench.call(usage, "staff_gaps", {},
                                                student="staff").data["candidates"]}
    # (the first query had hits: kept in the exercise progress only, not a candidate)
    assert {"[e-mail]", "ring [telefon]"} <= terms


def test_a_double_clicked_right_pick_answers_twice_and_counts_once(workbench):
    sid = workbench.scenario(olx(mode="exercise"))
    usage = workbench.render(sid, student="dc").usage_id
    pick = {"scenario": "s1", "kind": "service", "id": "koerekort"}
    first = workbench.call(usage, "pick", pick, student="dc")
    events = len(workbench.events.of_type("competency_xblock.atlas.picked", usage))
    grades = len(workbench.events.of_type("grade", usage))
    state = workbench.state(usage, "dc")
    second = workbench.call(usage, "pick", pick, student="dc")
    assert first.status == second.status == 200
    assert second.data == first.data
    assert workbench.state(usage, "dc") == state
    assert len(workbench.events.of_type("competency_xblock.atlas.picked", usage)) == events
    assert len(workbench.events.of_type("grade", usage)) == grades
    other = workbench.call(usage, "pick", {**pick, "kind": "unit", "id": "pk"}, student="dc")
    assert other.status == 400 and "already finished" in other.data["error"]


@pytest.mark.parametrize("setting, shown", [
    (None, {"gnaver i haven", "huslejetilskud"}),        # default: every term
    (2, {"gnaver i haven"}),                              # only terms of 2+ learners
    ("two", {"gnaver i haven", "huslejetilskud"}),       # not a number: the default
])
def test_operators_can_set_a_minimum_of_learners_for_the_staff_list(workbench, setting, shown):
    import copy

    from django.conf import settings as django_settings
    from django.test import override_settings

    sid = workbench.scenario(olx(mode="exercise"))
    usage = workbench.render(sid, student="m1").usage_id
    for student in ("m1", "m2"):
        workbench.call(usage, "search", {"query": "gnaver i haven", "scenario": "s2"},
                       student=student)
    workbench.call(usage, "search", {"query": "Huslejetilskud"}, student="m1")
    bucket = copy.deepcopy(django_settings.XBLOCK_SETTINGS)
    if setting is not None:
        bucket.setdefault("competency_xblock", {})["atlas_candidates_min_learners"] = setting
    with override_settings(XBLOCK_SETTINGS=bucket):
        res = workbench.call(usage, "staff_gaps", {}, student="staff")
    assert res.status == 200, res.body
    assert {r["term"] for r in res.data["candidates"]} == shown
