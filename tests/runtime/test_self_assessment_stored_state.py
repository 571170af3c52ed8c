"""The self-assessment with stored learner state that cannot be read, through the
workbench's page and handler URLs: 200 or a clear 400 in the learner's language, and
nothing already stored is lost (``competency.report.read_assessments`` has the rules)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.helpers.workbench import parse_olx, store_fields
from tests.runtime.self_assessment_helpers import olx, setup_with, submit

UNREADABLE_ENTRY = {"role": "borgerservice", "ratings": "y"}


def learner_with(workbench, fields, setup=None, student="s1"):
    sid = workbench.scenario(olx(setup))
    usage = workbench.render(sid, student=student).usage_id
    store_fields(usage, student, **fields)
    return sid, usage


@pytest.mark.parametrize("fields", [
    {"history": [UNREADABLE_ENTRY]}, {"history": [None, 3, "x"]},
    {"history": "x"}, {"history": {"a": 1}}, {"draft": "x"},
    {"draft": {"role": "borgerservice", "ratings": "z"}},
    {"assessment": {"role": "x", "ratings": "y"}}], ids=repr)
def test_the_page_and_the_form_load(workbench, fields):
    sid, usage = learner_with(workbench, fields)
    page = workbench.render(sid, student="s1")
    unreadable = "history" in fields
    shown = '<p class="cx-sa-notice">Your last self-assessment cannot be read'
    assert (shown in page.html) == unreadable
    chosen = workbench.call(usage, "select", {"role": "borgerservice",
                                              "unit": "borgerservice"}, student="s1")
    assert chosen.status == 200 and "form_html" in chosen.data


def test_a_new_assessment_is_added_after_one_that_cannot_be_read(workbench):
    _sid, usage = learner_with(workbench, {"history": [None, UNREADABLE_ENTRY]})
    done = submit(workbench, usage, "s1")
    assert done.status == 200 and "result_html" in done.data
    history = workbench.state(usage, "s1")["history"]
    assert history[:2] == [None, UNREADABLE_ENTRY] and len(history) == 3   # kept as stored


def test_policy_never_counts_an_unreadable_assessment_as_taken(workbench):
    _sid, usage = learner_with(workbench, {"history": [UNREADABLE_ENTRY]},
                               setup_with(reassessment={"mode": "never"}))
    before = workbench.snapshot()
    refused = submit(workbench, usage, "s1", lang="da")
    assert refused.status == 400
    assert refused.data["error"] == "Denne selvvurdering kan kun tages én gang."
    assert workbench.snapshot() == before


@pytest.mark.parametrize("history", ["x", {"a": 1}], ids=repr)
def test_a_history_that_is_not_a_list_takes_no_new_assessment(workbench, history):
    _sid, usage = learner_with(workbench, {"history": history})
    before = workbench.snapshot()
    refused = submit(workbench, usage, "s1", lang="da")
    assert refused.status == 400
    assert refused.data["error"].startswith("Dine tidligere selvvurderinger kan ikke læses")
    assert workbench.snapshot() == before


def test_participation_counts_for_an_assessment_that_cannot_be_read(workbench):
    block = parse_olx(olx(None, graded="true"), student="s9")
    block.history = [UNREADABLE_ENTRY]
    assert block.has_submitted_answer()
    assert tuple(block.calculate_score()) == (1.0, 1.0)
    assert tuple(block.get_score()) == (1.0, 1.0)


def test_report_rows_for_unreadable_state(_django):
    from django.utils import translation

    block = parse_olx(olx())
    states = [SimpleNamespace(username="a", state={"history": [UNREADABLE_ENTRY]}),
              SimpleNamespace(username="b", state={"assessment": {"role": "x",
                                                                  "ratings": "y"}}),
              SimpleNamespace(username="c", state=None),
              SimpleNamespace(username="d", state={"history": {"a": 1}})]
    with translation.override("en"):   # (a Danish request before may have left "da" on)
        rows = list(block.generate_report_data(iter(states)))
    assert [(user, row["Assessment number"]) for user, row in rows] == [
        ("a", 1), ("b", 1), ("d", 1)]
    assert all(row["Unreadable stored state"].startswith("This learner's stored")
               for _, row in rows)
