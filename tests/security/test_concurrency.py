"""Concurrency: simultaneous requests never double-count and never lose another learner's data.

Each thread has its own Django test client (its own connection), as separate browser tabs or
LMS workers would; they all start together behind a barrier.
"""
from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

from competency_xblock.competency import aggregate
from tests.runtime.self_assessment_helpers import olx, ratings_for, setup_with
from tests.security.conftest import stored

THREADS = 20


def post_together(bench, requests: list[tuple[str, str, dict, str]]) -> list[tuple[int, dict]]:
    """POST ``(usage, handler, payload, student)`` requests all at once; statuses and bodies."""
    from django.test import Client

    if "csrftoken" not in bench.client.cookies:
        bench.client.get("/")
    token = bench.client.cookies["csrftoken"].value
    barrier = threading.Barrier(len(requests))

    def send(request):
        usage, handler, payload, student = request
        client = Client(enforce_csrf_checks=True)
        client.cookies["csrftoken"] = token
        barrier.wait()
        response = client.post(bench.handler_url(usage, handler, student), data=json.dumps(payload),
                               content_type="application/json", HTTP_X_CSRFTOKEN=token)
        return response.status_code, json.loads(response.content.decode("utf-8"))

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(send, requests))


LEVELS = ("basic", "intermediate", "advanced", "highly_advanced")


def shared_tally(bench, usage) -> dict:
    """The self-assessment's stored staff tally (``responses``), straight from storage."""
    summary = next(json.loads(state) for (scope, scope_id, user), state in stored(bench).items()
                   if scope == "usage" and scope_id == usage and user is None)
    assert aggregate.is_tally(summary["responses"]), summary
    return summary["responses"]


# --- one learner, twenty tabs -----------------------------------------------------------------


def test_quiz_twenty_parallel_submits_against_one_attempt_count_once(bench):
    scenario = bench.scenario('<data_security_quiz max_attempts="1" questions_per_attempt="3"/>',
                              "parallel quiz submits")
    usage = bench.render(scenario, student="tabs").usage_id
    attempt = bench.call(usage, "load", {}, student="tabs").data["attempt"]
    answers = {q["id"]: [q["choices"][0]["key"]] for q in attempt["questions"]}
    bench.events.clear()
    results = post_together(bench, [(usage, "submit", {"attempt": 1, "answers": answers}, "tabs")]
                            * THREADS)
    assert all(status == 200 for status, _ in results), results
    assert sum(1 for _, body in results if not body["replayed"]) == 1
    assert len({json.dumps(body["result"], sort_keys=True) for _, body in results}) == 1
    state = bench.state(usage, "tabs")["quiz_state"]
    assert len(state["attempts"]) == 1 and not state.get("open")
    assert len(bench.events.of_type("grade", usage)) == 1
    # A second attempt is refused however many tabs ask for it.
    retries = post_together(bench, [(usage, "retry", {"attempt": 2}, "tabs")] * THREADS)
    assert all(status == 400 for status, _ in retries)
    assert len(bench.state(usage, "tabs")["quiz_state"]["attempts"]) == 1


def test_self_assessment_twenty_parallel_submits_with_one_allowed_count_once(bench):
    """Ten submits of one set of ratings and ten of another at once, one assessment allowed:
    exactly one is stored; the nine identical to it are replays (its result again, nothing
    stored or published twice), the ten others are refused."""
    setup = setup_with(reassessment={"mode": "never"})
    scenario = bench.scenario(olx(setup), "parallel self-assessment submits")
    usage = bench.render(scenario, student="tabs").usage_id
    payloads = [{"role": "borgerservice", "unit": "borgerservice",
                 "ratings": ratings_for("borgerservice", level)} for level in LEVELS[:2]]
    bench.events.clear()
    results = post_together(bench, [(usage, "submit", payloads[n % 2], "tabs")
                                    for n in range(THREADS)])
    accepted = [body for status, body in results if status == 200]
    assert len(accepted) == THREADS // 2, sorted(status for status, _ in results)
    assert sorted(body["replayed"] for body in accepted) == [False] + [True] * (THREADS // 2 - 1)
    assert len({body["result_html"] for body in accepted}) == 1
    refused = [body["error"] for status, body in results if status != 200]
    assert len(refused) == THREADS // 2
    assert all("can be taken once" in message for message in refused)
    state = bench.state(usage, "tabs")
    assert len(state["history"]) == 1
    kept = state["history"][0]["ratings"]
    assert kept in [p["ratings"] for p in payloads]
    assert len(bench.events.of_type("completion", usage)) == 1
    assert len(bench.events.of_type("competency_xblock.self_assessment.submitted", usage)) == 1
    group = shared_tally(bench, usage)["groups"]["borgerservice"]["borgerservice"]
    assert group["n"] == 1


# --- twenty learners at once ------------------------------------------------------------------


def test_self_assessment_parallel_learners_keep_every_aggregate(bench):
    scenario = bench.scenario(olx(), "parallel learners self-assessment")
    usage = bench.render(scenario, student="staff").usage_id
    learners = [f"crowd-{n}" for n in range(THREADS)]
    for learner in learners:  # pages are open before anyone submits
        bench.render(scenario, student=learner)
    # Learner n rates every competence at level n % 4, so every count below needs every
    # learner's update (a lost one shows as a missing count in its level).
    requests = [(usage, "submit", {"role": "borgerservice", "unit": "borgerservice",
                                   "ratings": ratings_for("borgerservice", LEVELS[n % 4])},
                 learner) for n, learner in enumerate(learners)]
    results = post_together(bench, requests)
    assert [status for status, _ in results] == [200] * THREADS
    group = shared_tally(bench, usage)["groups"]["borgerservice"]["borgerservice"]
    assert group["n"] == THREADS
    assert len(group["levels"]) == len(ratings_for("borgerservice"))
    assert all(histogram == {level: THREADS // 4 for level in LEVELS}
               for histogram in group["levels"].values()), group["levels"]
    staff = bench.call(usage, "staff_summary", {}, student="staff")
    assert f": {THREADS}" in staff.data["html"]


def test_self_assessment_parallel_reassessments_and_erasures_move_counts_exactly(bench):
    """Twenty learners at once: half reassess into another unit and level, half delete their
    data; the tally is exactly the recount of what each learner has stored afterwards."""
    scenario = bench.scenario(olx(), "parallel reassessments self-assessment")
    usage = bench.render(scenario, student="staff").usage_id
    learners = [f"again-{n}" for n in range(THREADS)]
    for learner in learners:
        bench.render(scenario, student=learner)
    first = post_together(bench, [(usage, "submit", {
        "role": "sagsbehandler", "unit": "jobcenter",
        "ratings": ratings_for("sagsbehandler", "basic")}, learner) for learner in learners])
    assert [status for status, _ in first] == [200] * THREADS
    requests = []
    for n, learner in enumerate(learners):
        if n % 2:
            requests.append((usage, "clear_my_data", {"confirm": True}, learner))
        else:
            requests.append((usage, "submit", {
                "role": "sagsbehandler", "unit": "social-sundhed",
                "ratings": ratings_for("sagsbehandler", "advanced")}, learner))
    results = post_together(bench, requests)
    assert [status for status, _ in results] == [200] * THREADS
    tally = shared_tally(bench, usage)
    assert "jobcenter" not in tally["groups"]["sagsbehandler"]  # every old count removed
    group = tally["groups"]["sagsbehandler"]["social-sundhed"]
    assert group["n"] == THREADS // 2
    assert all(h == {"advanced": THREADS // 2} for h in group["levels"].values())
    recount = aggregate.tally_of((bench.state(usage, learner).get("history") or [None])[-1]
                                 for learner in learners)
    assert tally == recount


def test_self_assessment_parallel_learners_and_drafts_lose_nothing(bench):
    """Submits and drafts of different learners interleaved: every submit is kept."""
    scenario = bench.scenario(olx(), "parallel mixed self-assessment")
    usage = bench.render(scenario, student="staff").usage_id
    requests = []
    for n in range(THREADS):
        handler = "submit" if n % 2 == 0 else "save_draft"
        requests.append((usage, handler, {"role": "sagsbehandler", "unit": "jobcenter",
                                          "ratings": ratings_for("sagsbehandler")}, f"mix-{n}"))
    results = post_together(bench, requests)
    assert [status for status, _ in results] == [200] * THREADS
    group = shared_tally(bench, usage)["groups"]["sagsbehandler"]["jobcenter"]
    assert group["n"] == THREADS // 2  # the submits; a draft is not counted
    assert all(h == {"basic": THREADS // 2} for h in group["levels"].values())


def test_atlas_parallel_learners_keep_every_gap_entry(bench):
    """Searches without hits of twenty learners at once: the staff list counts all of them."""
    scenario = bench.scenario("<atlas_lookup/>", "parallel learners atlas")
    usage = bench.render(scenario, student="staff").usage_id
    learners = [f"seeker-{n}" for n in range(THREADS)]
    for learner in learners:
        bench.render(scenario, student=learner)
    results = post_together(bench, [(usage, "search", {"query": "qwxzvbnm ukendtord"}, learner)
                                    for learner in learners])
    assert [status for status, _ in results] == [200] * THREADS, results[:2]
    summary = next(json.loads(state) for (scope, scope_id, user), state in stored(bench).items()
                   if scope == "usage" and scope_id == usage and user is None)
    tally = summary["gap_mirror"]
    assert tally["learners"] == THREADS
    assert tally["terms"]["qwxzvbnm ukendtord"]["learners"] == THREADS
    assert tally["terms"]["qwxzvbnm ukendtord"]["count"] == THREADS
    staff = bench.call(usage, "staff_gaps", {}, student="staff")
    assert staff.status == 200 and staff.data["learners"] == THREADS


def test_atlas_twenty_parallel_picks_against_one_attempt_count_once(bench):
    """Ten wrong and ten right picks of one scenario at once, one attempt allowed: exactly one
    is judged; the nine identical to it are replays (the same answer, nothing counted again),
    the ten others are refused; grade and stored progress agree with the judged one."""
    scenario = bench.scenario('<atlas_lookup mode="exercise" max_attempts="1"/>',
                              "parallel atlas picks")
    usage = bench.render(scenario, student="tabs").usage_id
    wrong = {"scenario": "flytning", "kind": "unit", "id": "jobcenter"}
    right = {"scenario": "flytning", "kind": "unit", "id": "borgerservice-folkeregister"}
    bench.events.clear()
    results = post_together(bench, [(usage, "pick", wrong if n % 2 else right, "tabs")
                                    for n in range(THREADS)])
    judged = [body for status, body in results if status == 200]
    assert len(judged) == THREADS // 2, [status for status, _ in results]
    assert all(body == judged[0] for body in judged)       # one pick and its replays
    assert all(status == 400 and body["error"] for status, body in results if status != 200)
    earned = 1 if judged[0]["correct"] else 0
    assert judged[0]["score"]["earned"] == earned
    grades = bench.events.of_type("grade", usage)
    assert len(grades) == 1 and grades[0]["value"] == earned
    state = bench.state(usage, "tabs")
    assert state["raw_earned"] == earned
