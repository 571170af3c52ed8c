"""A learner's submitted result after the author changed the bank: a verdict never contradicts
the correct answer shown beside it, a removed choice is said, not left out, and a rescore never
takes marks away for a choice that is gone."""
from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from competency_xblock.quiz_engine import attempts as at
from competency_xblock.quiz_engine.bank import bank_from_dict
from competency_xblock.quiz_engine.report import attempt_rows
from competency_xblock.quiz_engine.settings import QuizSettings
from competency_xblock.quiz_engine.views import attempt_record_view

from .conftest import small_bank_data

SETTINGS = QuizSettings(questions_per_attempt=0, shuffle_questions=False, shuffle_choices=False,
                        max_attempts=1, show_answer="always")


def _submit(data: dict, picks: dict[str, list[str]]) -> dict:
    """State after one attempt that picked these choice ids (no shuffling: key = position)."""
    bank = bank_from_dict(data)
    state, record = at.open_attempt(None, bank, SETTINGS, "u", "b")
    answers = {qid: [str([c.id for c in bank.question(qid).choices].index(cid)) for cid in ids]
               for qid, ids in picks.items()}
    state, _, _ = at.submit(state, bank, SETTINGS, 1, answers)
    return state


def _view(data: dict, state: dict, reveal: bool = True) -> dict:
    view = attempt_record_view(bank_from_dict(data), state["attempts"][0], "en", reveal=reveal,
                               explanations=True)
    return {**view, "by_id": {q["id"]: q for q in view["questions"]}}


def _texts(question: dict, keys) -> list[str]:
    by_key = {c["key"]: c["text"] for c in question["choices"]}
    return [by_key[k] for k in keys]


def test_a_fixed_key_shows_the_new_marks_with_what_the_score_still_counts():
    data = small_bank_data()
    state = _submit(data, {"s1": ["a"]})
    fixed = copy.deepcopy(data)
    for c in fixed["questions"][0]["choices"]:
        c["correct"] = c["id"] == "b"
    view = _view(fixed, state)
    s1 = view["by_id"]["s1"]
    assert _texts(s1, s1["selected"]) == ["A"] and _texts(s1, s1["correct_keys"]) == ["B"]
    assert s1["correct"] is False and s1["credit"] == 0  # agrees with "Correct answer: B"
    assert s1["changed"] == "key" and s1["stored_credit"] == 1
    assert view["earned"] == 1 and view["pending"] == 1  # the score waits for a rescore
    rescored = at.rescore(state, bank_from_dict(fixed), SETTINGS)
    after = _view(fixed, rescored)
    assert after["earned"] == 0 and after["pending"] == 0
    assert "changed" not in after["by_id"]["s1"]


def test_a_removed_choice_is_said_and_keeps_its_marks_also_at_a_rescore():
    data = small_bank_data()
    state = _submit(data, {"s1": ["a"], "m1": ["a", "c"], "s2": ["y"]})
    changed = copy.deepcopy(data)
    s1 = changed["questions"][0]
    s1["choices"] = [{"id": "a2", "text": "A, reworded", "correct": True}] + s1["choices"][1:]
    m1 = changed["questions"][1]
    m1["choices"] = [c for c in m1["choices"] if c["id"] != "c"]
    view = _view(changed, state)
    s1v, m1v = view["by_id"]["s1"], view["by_id"]["m1"]
    assert s1v["selected"] == [] and s1v["removed_answer"] is True
    assert s1v["changed"] == "answer_removed" and s1v["correct"] is True
    assert _texts(s1v, s1v["correct_keys"]) == ["A, reworded"]  # added since: still shown
    assert _texts(m1v, m1v["selected"]) == ["A"] and m1v["removed_answer"] is True
    assert m1v["credit"] == 0 and m1v["stored_credit"] == 0
    assert view["pending"] == 0
    bank = bank_from_dict(changed)
    rescored = at.rescore(state, bank, SETTINGS)
    assert at.final_score(rescored, SETTINGS) == at.final_score(state, SETTINGS)
    kept = {q["q"]: q.get("kept") for q in rescored["attempts"][0]["result"]["questions"]}
    assert kept["s1"] is True and kept["m1"] is True and kept["s2"] is None
    hidden = _view(changed, state, reveal=False)["by_id"]["s1"]
    assert hidden["removed_answer"] is True
    assert not {"correct", "credit", "correct_keys", "changed", "stored_credit"} & set(hidden)
    (row,) = attempt_rows(bank, state, "en")
    answers = {row[f"Question {n}"].split(":")[0]: row[f"Question {n} answer"]
               for n in range(1, 7)}
    assert answers["s1"] == "(removed choice a)" and answers["m1"] == "A | (removed choice c)"


def test_a_correct_choice_added_since_is_part_of_the_correct_answer():
    data = small_bank_data()
    state = _submit(data, {"m1": ["a", "b"]})
    changed = copy.deepcopy(data)
    changed["questions"][1]["choices"].append({"id": "e", "text": "E", "correct": True})
    m1 = _view(changed, state)["by_id"]["m1"]
    assert _texts(m1, m1["correct_keys"]) == ["A", "B", "E"]
    assert m1["correct"] is False and round(m1["credit"], 4) == 0.6667
    assert m1["changed"] == "key" and m1["stored_credit"] == 1


def test_a_question_removed_from_the_bank_is_counted_not_hidden():
    data = small_bank_data()
    state = _submit(data, {"s1": ["b"]})
    changed = copy.deepcopy(data)
    changed["questions"] = changed["questions"][1:]
    view = _view(changed, state)
    assert view["withdrawn"] == 1 and "s1" not in view["by_id"]
    assert view["pending"] == 1  # a rescore counts it as answered correctly


# A verdict never contradicts the correct answer shown, whatever the author changed.
_CHANGES = st.lists(st.tuples(st.sampled_from(["s1", "m1", "m2", "s2"]),
                              st.sampled_from(["flip", "drop", "add", "add_right"]),
                              st.integers(0, 3)), max_size=5)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(["s1", "m1", "m2", "s2"]), st.integers(0, 15)),
       _CHANGES)
def test_verdict_and_correct_answer_always_agree(pick_masks, changes):
    data = small_bank_data()
    questions = {q["id"]: q for q in data["questions"]}
    picks = {}
    for qid, mask in pick_masks.items():
        ids = [c["id"] for c in questions[qid]["choices"]]
        chosen = [cid for i, cid in enumerate(ids) if mask >> i & 1]
        picks[qid] = chosen[:1] if questions[qid]["type"] == "single" else chosen
    state = _submit(data, {q: ids for q, ids in picks.items() if ids})
    changed = copy.deepcopy(data)
    for n, (qid, what, index) in enumerate(changes):
        q = next(x for x in changed["questions"] if x["id"] == qid)
        choices = q["choices"]
        target = choices[index % len(choices)]
        if what == "flip" and q["type"] == "multiple":
            target["correct"] = not target.get("correct")
        elif what == "flip":  # single choice: the key moves to this choice
            for c in choices:
                c["correct"] = c is target
        elif what == "drop" and len(choices) > 2 and not (
                target.get("correct") and sum(bool(c.get("correct")) for c in choices) == 1):
            choices.remove(target)
        elif what.startswith("add") and len(choices) < 8:
            right = what == "add_right"
            if right and q["type"] == "single":
                for c in choices:
                    c["correct"] = False
            choices.append({"id": f"n{n}", "text": f"New {n}", "correct": right})
        if q["type"] == "multiple" and not any(c.get("correct") for c in choices):
            choices[0]["correct"] = True
    view = _view(changed, state)
    for q in view["questions"]:
        if q.get("removed_answer"):
            assert q["changed"] == "answer_removed"
            continue
        assert q["correct"] == (sorted(q["selected"]) == sorted(q["correct_keys"])), q
        assert (q["credit"] == 1) == q["correct"]
    rescored = at.rescore(state, bank_from_dict(changed), SETTINGS)
    assert _view(changed, rescored)["pending"] == 0
    assert _view(changed, rescored)["earned"] == at.final_score(rescored, SETTINGS)[0]
