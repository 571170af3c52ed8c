"""What reaches the browser: no correctness before the policy allows; report rows."""
from __future__ import annotations

import json

from competency_xblock.quiz_engine import attempts as at
from competency_xblock.quiz_engine.draw import Draw, draw
from competency_xblock.quiz_engine.report import attempt_rows
from competency_xblock.quiz_engine.settings import QuizSettings
from competency_xblock.quiz_engine.views import attempt_record_view, attempt_view, result_view

from .test_attempts import right_answers, wrong_answers

FORBIDDEN_KEYS = {"correct", "correct_keys", "credit", "feedback", "explanation", "is_correct"}


def keys_in(obj):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield k
            yield from keys_in(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from keys_in(v)


def test_attempt_view_carries_no_answers(bank_default):
    settings = QuizSettings(questions_per_attempt=0)
    d = draw(bank_default, settings, "seed")
    view = attempt_view(bank_default, d, 1, "da")
    assert not FORBIDDEN_KEYS & set(keys_in(view))
    text = json.dumps(view, ensure_ascii=False)
    for q in bank_default.questions:
        assert q.explanation["da"] not in text
        for c in q.choices:
            if c.feedback:
                assert c.feedback["da"] not in text
            assert f'"{c.id}"' not in text or c.id in ("true", "false") or c.id.isdigit()
    assert len(view["questions"]) == len(bank_default.questions)
    first = view["questions"][0]
    assert [c["key"] for c in first["choices"]] == [str(i) for i in range(len(first["choices"]))]


def test_attempt_view_language_and_scenario(small_bank):
    d = draw(small_bank, QuizSettings(questions_per_attempt=0, shuffle_questions=False), "s")
    view = attempt_view(small_bank, d, 3, "da-dk")
    assert view["attempt"] == 3
    s1 = view["questions"][0]
    assert s1["prompt"] == "S1" and s1["scenario"] == "An e-mail" and s1["format"] == "plain"
    assert attempt_view(small_bank, d, 3, "en")["questions"][0]["prompt"] == "P1"


def _submitted(bank, settings):
    state, rec = at.open_attempt(None, bank, settings, "u", "b")
    answers = wrong_answers(bank, rec)
    state, result, _ = at.submit(state, bank, settings, 1, answers)
    return state, result


def test_result_view_hides_correctness_until_allowed(small_bank):
    settings = QuizSettings(questions_per_attempt=0, show_answer="never", shuffle_choices=False)
    state, result = _submitted(small_bank, settings)
    record = state["attempts"][0]
    hidden = attempt_record_view(small_bank, record, "en", reveal=False, explanations=True)
    assert not {"correct", "correct_keys", "credit"} & set(keys_in(hidden))
    assert hidden["earned"] == result.earned and hidden["passed"] is False
    assert hidden["answers_revealed"] is False
    s1 = next(q for q in hidden["questions"] if q["id"] == "s1")
    assert s1["explanation"] == "Because art. 9"
    assert s1["selected"] and s1["feedback"][0]["text"] == "No"  # feedback of picked choice
    shown = attempt_record_view(small_bank, record, "en", reveal=True, explanations=True)
    s1 = next(q for q in shown["questions"] if q["id"] == "s1")
    assert s1["correct"] is False and s1["credit"] == 0
    d = Draw.from_dict(record["draw"])
    assert s1["correct_keys"] == [str(d.get("s1").choice_ids.index("a"))]
    no_expl = result_view(small_bank, d, result, 1, "en", reveal=False, explanations=False)
    assert "explanation" not in set(keys_in(no_expl))
    assert all(q["feedback"] == [] for q in no_expl["questions"])  # feedback waits too


def test_report_rows(small_bank):
    settings = QuizSettings(questions_per_attempt=0, max_attempts=2)
    state, rec = at.open_attempt(None, small_bank, settings, "u", "b")
    state, _, _ = at.submit(state, small_bank, settings, 1, right_answers(small_bank, rec))
    state, rec = at.open_attempt(state, small_bank, settings, "u", "b")
    state, _, _ = at.submit(state, small_bank, settings, 2, {})
    rows = list(attempt_rows(small_bank, state, "en"))
    assert len(rows) == 2
    first = rows[0]
    assert list(first)[:5] == ["Attempt", "Score", "Possible", "Percent", "Passed"]
    assert first["Attempt"] == 1 and first["Passed"] == "yes" and first["Score"] == 6
    answers = {first[f"Question {n}"].split(":")[0]: (first[f"Question {n} answer"],
                                                      first[f"Question {n} correct"])
               for n in range(1, 7)}
    assert answers["s1"] == ("A", "yes")
    assert answers["m1"][0] in ("A | B", "B | A")
    assert rows[1]["Passed"] == "no" and rows[1]["Question 1 answer"] == ""
    assert list(attempt_rows(small_bank, None)) == []
    danish = list(attempt_rows(small_bank, state, "da", gettext=lambda s: "X" + s))
    assert "XAttempt" in danish[0] and "XQuestion 1" in danish[0]


def test_report_gives_html_texts_as_plain_text():
    from competency_xblock.quiz_engine.model import Bank, Choice, Question

    bank = Bank((Question("h", "single", "<p>Pick <b>one</b></p>",
                          (Choice("a", "<p>Digital <i>Post</i></p>", True),
                           Choice("b", "<p>Mail</p>")),
                          text_format="html"),))
    settings = QuizSettings(questions_per_attempt=0)
    state, rec = at.open_attempt(None, bank, settings, "u", "b")
    key = str(rec["draw"]["questions"][0]["c"].index("a"))
    state, _, _ = at.submit(state, bank, settings, 1, {"h": [key]})
    (row,) = attempt_rows(bank, state, "en")
    assert row["Question 1"] == "h: Pick one"
    assert (row["Question 1 answer"], row["Question 1 correct"]) == ("Digital Post", "yes")
