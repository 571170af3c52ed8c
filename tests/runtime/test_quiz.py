"""The data-security quiz through the real workbench: handlers, grades, leaks, bad input."""
from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from html import escape
from types import SimpleNamespace

import pytest

from competency_xblock.quiz_engine.bank import default_bank_data

OPTION_NS = 'xmlns:option="http://code.edx.org/xblock/option"'


def small_bank(**changes) -> dict:
    bank = {
        "id": "runtime", "scoring": "per_choice",
        "questions": [
            {"id": "q1", "type": "single", "prompt": {"en": "Prompt one", "da": "Spørgsmål et"},
             "explanation": {"en": "EXPLAIN-ONE", "da": "FORKLARING-ET"},
             "choices": [{"id": "a", "text": "Alpha", "correct": True, "feedback": "FB-ALPHA"},
                         {"id": "b", "text": "Beta", "feedback": "FB-BETA"},
                         {"id": "c", "text": "Gamma"}]},
            {"id": "q2", "type": "multiple", "prompt": "Prompt two", "explanation": "EXPLAIN-TWO",
             "choices": [{"id": "a", "text": "Red", "correct": True},
                         {"id": "b", "text": "Green", "correct": True},
                         {"id": "c", "text": "Blue", "feedback": "FB-BLUE"}]},
            {"id": "q3", "type": "truefalse", "prompt": "Prompt three",
             "explanation": "EXPLAIN-THREE",
             "choices": [{"id": "true", "text": "True", "correct": True},
                         {"id": "false", "text": "False"}]},
            {"id": "q4", "type": "single", "prompt": "Prompt four", "explanation": "EXPLAIN-FOUR",
             "choices": [{"id": "x", "text": "Ex"}, {"id": "y", "text": "Why", "correct": True}]},
        ],
    }
    bank.update(changes)
    return bank


def quiz_olx(bank: dict | None = None, **attrs) -> str:
    attributes = " ".join(f'{k}="{escape(str(v))}"' for k, v in attrs.items())
    if bank is None:
        return f"<data_security_quiz {attributes}/>"
    body = escape(json.dumps(bank, ensure_ascii=False), quote=False)
    return (f"<data_security_quiz {OPTION_NS} {attributes}>"
            f"<option:bank>{body}</option:bank></data_security_quiz>")


def key_of(question_view: dict, text: str) -> str:
    return next(c["key"] for c in question_view["choices"] if c["text"] == text)


RIGHT = {"q1": ["Alpha"], "q2": ["Red", "Green"], "q3": ["True"], "q4": ["Why"]}
WRONG = {"q1": ["Beta"], "q2": ["Blue"], "q3": ["False"], "q4": ["Ex"]}


def answers_for(attempt: dict, texts: dict) -> dict:
    return {q["id"]: [key_of(q, t) for t in texts[q["id"]]] for q in attempt["questions"]}


def keys_in(obj, skip=("text",)):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield k
            if k not in skip:
                yield from keys_in(v, skip)
    elif isinstance(obj, list):
        for v in obj:
            yield from keys_in(v, skip)


def block_output(html: str) -> str:
    """What the block itself sent: its fragment and init arguments, without the workbench's
    developer panel (which prints the scenario's OLX source; the LMS has no such panel)."""
    start = html.index("<div class='xblock-v1")
    end = html.index('<section class="debug">')
    return html[start:end]


class Learner:
    """One learner's browser: records every response body it receives."""

    def __init__(self, workbench, scenario_id, student="s1", lang="en"):
        self.wb, self.student, self.lang = workbench, student, lang
        self.page = workbench.render(scenario_id, student=student, lang=lang)
        self.usage = self.page.usage_id
        self.received = [block_output(self.page.html)]

    def call(self, handler, payload=None, **kwargs):
        result = self.wb.call(self.usage, handler, payload, student=self.student, lang=self.lang,
                              **kwargs)
        self.received.append(result.body.decode("utf-8"))
        return result

    def load(self):
        result = self.call("load", {})
        assert result.status == 200, result.body
        return result.data

    def submit(self, attempt, texts):
        return self.call("submit", {"attempt": attempt["attempt"],
                                    "answers": answers_for(attempt, texts)})


# --- learner path ----------------------------------------------------------------------------

def test_reload_shows_the_same_questions_and_choice_order(workbench):
    sid = workbench.scenario(quiz_olx(questions_per_attempt=5))
    learner = Learner(workbench, sid)
    first = learner.load()["attempt"]
    again = Learner(workbench, sid).load()["attempt"]
    assert first == again
    assert len(first["questions"]) == 5
    other = Learner(workbench, sid, student="s2").load()["attempt"]
    assert other["questions"] != first["questions"]  # seeded per learner


def test_first_view_renders_accessible_shell_without_content(workbench):
    sid = workbench.scenario(quiz_olx(small_bank()))
    page = workbench.render(sid, student="s1", lang="da")
    html = block_output(page.html)
    assert 'aria-live="polite"' in html and 'role="alert"' in html
    assert "Henter spørgsmålene" in html and "xblock_json_init_args" in html
    for secret in ("EXPLAIN-ONE", "FORKLARING-ET", "FB-ALPHA", "Alpha", "correct_ids"):
        assert secret not in html


def test_full_flow_score_pass_feedback_grade_and_completion(workbench):
    sid = workbench.scenario(quiz_olx(small_bank(), questions_per_attempt=0, max_attempts=2,
                                      pass_threshold=75, weight=2))
    learner = Learner(workbench, sid)
    attempt = learner.load()["attempt"]
    texts = dict(RIGHT, q2=["Red", "Blue"])  # q2: per choice (1 - 1) / 2 = 0
    result = learner.submit(attempt, texts)
    assert result.status == 200, result.body
    data = result.data["result"]
    assert (data["earned"], data["possible"], data["percent"], data["passed"]) == (3, 4, 75, True)
    q1 = next(q for q in data["questions"] if q["id"] == "q1")
    assert q1["explanation"] == "EXPLAIN-ONE"
    assert q1["feedback"] == [{"key": key_of(q1, "Alpha"), "text": "FB-ALPHA"}]
    q2 = next(q for q in data["questions"] if q["id"] == "q2")
    assert [f["text"] for f in q2["feedback"]] == ["FB-BLUE"]
    assert "correct" not in q2  # policy after_last_attempt: 1 of 2 used
    assert workbench.events.of_type("grade", learner.usage) == [
        {"value": 3.0, "max_value": 4, "only_if_higher": False}]
    assert workbench.events.of_type("completion", learner.usage) == [{"completion": 1.0}]
    submitted = workbench.events.of_type("competency_xblock.quiz.submitted", learner.usage)
    assert submitted[0]["passed"] is True
    status = result.data["status"]
    assert status["attempts_left"] == 1 and status["can_attempt"]


def test_partial_credit_all_or_nothing(workbench):
    sid = workbench.scenario(quiz_olx(small_bank(scoring="all_or_nothing"),
                                      questions_per_attempt=0))
    learner = Learner(workbench, sid)
    attempt = learner.load()["attempt"]
    data = learner.submit(attempt, dict(RIGHT, q2=["Red"])).data["result"]
    assert data["earned"] == 3


def test_nothing_is_revealed_before_the_policy_allows(workbench):
    """Capture every response the learner's browser receives; nothing leaks before the end."""
    sid = workbench.scenario(quiz_olx(small_bank(), questions_per_attempt=0, max_attempts=2,
                                      show_answer="after_last_attempt",
                                      show_explanations="with_answers"))
    learner = Learner(workbench, sid)
    attempt = learner.load()["attempt"]
    learner.load()
    learner.submit(attempt, WRONG)
    learner.submit(attempt, WRONG)  # a repeat
    learner.load()
    second = learner.call("retry", {"attempt": 2}).data["attempt"]
    learner.load()
    learner.call("submit", {"attempt": 2, "answers": {"q1": ["9"]}})  # bad input
    before_policy = list(learner.received)
    for body in before_policy:
        for secret in ("EXPLAIN-", "correct_keys", '"credit"', "correct_ids", '"correct": true',
                       '"correct": false', '"correct": True'):
            assert secret not in body, secret
    for body in before_policy[1:]:
        data = json.loads(body)
        assert not {"correct", "correct_keys", "credit", "explanation"} & set(keys_in(data))
    # Choice keys are display positions, never the author's ids.
    for q in attempt["questions"]:
        assert [c["key"] for c in q["choices"]] == [str(i) for i in range(len(q["choices"]))]
    final = learner.submit(second, WRONG).data
    assert final["status"]["answers_revealed"] is True
    q1 = next(q for q in final["result"]["questions"] if q["id"] == "q1")
    assert q1["correct"] is False and q1["explanation"] == "EXPLAIN-ONE"
    assert q1["correct_keys"] == [key_of(q1, "Alpha")]


@pytest.mark.parametrize("policy, reveal_after_first", [
    ("never", False), ("always", True), ("after_passing", True), ("after_last_attempt", False),
])
def test_show_answer_policies(workbench, policy, reveal_after_first):
    sid = workbench.scenario(quiz_olx(small_bank(), questions_per_attempt=0, max_attempts=3,
                                      show_answer=policy))
    learner = Learner(workbench, sid)
    attempt = learner.load()["attempt"]
    data = learner.submit(attempt, RIGHT).data  # passes
    assert data["result"]["answers_revealed"] is reveal_after_first
    assert ("correct_keys" in data["result"]["questions"][0]) is reveal_after_first


def test_after_passing_hides_answers_while_failing(workbench):
    sid = workbench.scenario(quiz_olx(small_bank(), questions_per_attempt=0, max_attempts=3,
                                      show_answer="after_passing"))
    learner = Learner(workbench, sid)
    data = learner.submit(learner.load()["attempt"], WRONG).data
    assert data["result"]["answers_revealed"] is False


def test_attempt_limit_and_best_policy(workbench):
    sid = workbench.scenario(quiz_olx(small_bank(), questions_per_attempt=0, max_attempts=2))
    learner = Learner(workbench, sid)
    attempt = learner.load()["attempt"]
    learner.submit(attempt, RIGHT)
    second = learner.call("retry", {"attempt": 2}).data["attempt"]
    assert second["attempt"] == 2
    assert learner.call("retry", {"attempt": 2}).data["attempt"] == second  # idempotent
    learner.submit(second, WRONG)
    grades = workbench.events.of_type("grade", learner.usage)
    assert [g["value"] for g in grades] == [4.0, 4.0]  # best attempt counts
    before = workbench.snapshot()
    late = learner.call("submit", {"attempt": 3, "answers": {}})
    assert late.status == 400 and "used all your attempts" in late.data["error"]
    more = learner.call("retry", {"attempt": 3})
    assert more.status == 400 and "used all your attempts" in more.data["error"]
    assert workbench.snapshot() == before
    view = learner.load()
    assert view["attempt"] is None and view["result"]["attempt"] == 2
    assert view["status"]["can_attempt"] is False


def test_last_policy(workbench):
    sid = workbench.scenario(quiz_olx(small_bank(), questions_per_attempt=0, max_attempts=2,
                                      grade_policy="last"))
    learner = Learner(workbench, sid)
    learner.submit(learner.load()["attempt"], RIGHT)
    learner.submit(learner.call("retry", {"attempt": 2}).data["attempt"], WRONG)
    assert [g["value"] for g in workbench.events.of_type("grade", learner.usage)] == [4.0, 0.0]


def test_repeated_submit_is_idempotent_and_never_double_counted(workbench):
    sid = workbench.scenario(quiz_olx(small_bank(), questions_per_attempt=0, max_attempts=2))
    learner = Learner(workbench, sid)
    attempt = learner.load()["attempt"]
    first = learner.submit(attempt, RIGHT)
    before = workbench.snapshot()
    again = learner.submit(attempt, RIGHT)
    assert again.status == 200 and again.data["replayed"] is True
    assert again.data["result"] == first.data["result"]
    changed = learner.submit(attempt, WRONG)
    assert changed.status == 400 and "already been submitted" in changed.data["error"]
    assert workbench.snapshot() == before
    assert len(workbench.events.of_type("grade", learner.usage)) == 1
    assert len(workbench.state(learner.usage, "s1")["quiz_state"]["attempts"]) == 1


def test_concurrent_submits_count_one_attempt(workbench):
    from django.test import Client

    sid = workbench.scenario(quiz_olx(small_bank(), questions_per_attempt=0, max_attempts=1))
    learner = Learner(workbench, sid)
    attempt = learner.load()["attempt"]
    token = workbench.client.cookies["csrftoken"].value
    body = json.dumps({"attempt": 1, "answers": answers_for(attempt, RIGHT)})

    def submit(_):
        client = Client(enforce_csrf_checks=True)
        client.cookies["csrftoken"] = token
        return client.post(workbench.handler_url(learner.usage, "submit", "s1"), data=body,
                           content_type="application/json", HTTP_X_CSRFTOKEN=token).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(submit, range(8)))
    assert set(statuses) <= {200, 409}, statuses
    assert 200 in statuses
    state = workbench.state(learner.usage, "s1")["quiz_state"]
    assert len(state["attempts"]) == 1
    assert len(workbench.events.of_type("grade", learner.usage)) == 1


# --- bad input -------------------------------------------------------------------------------

BAD_SUBMITS = [
    ({"attempt": 1, "answers": {"nope": ["0"]}}, "not part of this attempt"),
    ({"attempt": 1, "answers": {"q1": ["7"]}}, "Unknown choice"),
    ({"attempt": 1, "answers": {"q1": ["0", "1"]}}, "Only one choice"),
    ({"attempt": 1, "answers": {"q2": ["0", "0"]}}, "given twice"),
    ({"attempt": 2, "answers": {}}, "not open"),
    ({"attempt": 0, "answers": {}}, "out of range"),
    ({"attempt": "1", "answers": {}}, "wrong type"),
    ({"answers": {}}, "missing"),
    ({"attempt": 1, "answers": {"q1": "0"}}, "wrong type"),
    ({"attempt": 1, "answers": {}, "extra": 1}, "Unexpected field"),
]


@pytest.mark.parametrize("payload, words", BAD_SUBMITS)
def test_bad_submits_are_400_and_change_nothing(workbench, payload, words):
    sid = workbench.scenario(quiz_olx(small_bank(), questions_per_attempt=0))
    learner = Learner(workbench, sid)
    learner.load()  # draws all four questions; opens attempt 1
    before = workbench.snapshot()
    result = learner.call("submit", payload)
    assert result.status == 400, result.body
    assert words in result.data["error"], result.data
    assert workbench.snapshot() == before
    assert workbench.events.of_type("grade", learner.usage) == []


def test_answer_for_a_question_in_the_bank_but_not_drawn(workbench):
    sid = workbench.scenario(quiz_olx(small_bank(), questions_per_attempt=1))
    learner = Learner(workbench, sid)
    drawn = learner.load()["attempt"]["questions"][0]["id"]
    other = next(q for q in ("q1", "q2", "q3", "q4") if q != drawn)
    before = workbench.snapshot()
    result = learner.call("submit", {"attempt": 1, "answers": {other: ["0"]}})
    assert result.status == 400 and "not part of this attempt" in result.data["error"]
    assert result.data["path"] == f"/answers/{other}"
    assert workbench.snapshot() == before


def test_oversized_and_malformed_payloads(workbench):
    sid = workbench.scenario(quiz_olx(small_bank()))
    learner = Learner(workbench, sid)
    learner.load()
    before = workbench.snapshot()
    huge = b'{"attempt": 1, "answers": {"q1": ["' + b"0" * 70000 + b'"]}}'
    big = learner.call("submit", raw=huge)
    assert big.status == 400 and "too large" in big.data["error"]
    many = {"attempt": 1, "answers": {f"q{i}": ["0"] for i in range(600)}}
    assert learner.call("submit", many).status == 400
    assert learner.call("submit", raw=b"{oops").status == 400
    assert learner.call("submit", raw=b'{"attempt": NaN, "answers": {}}').status == 400
    assert learner.call("submit", method="get").status == 405
    assert workbench.snapshot() == before


def test_danish_errors_and_content(workbench):
    sid = workbench.scenario(quiz_olx(small_bank()))
    learner = Learner(workbench, sid, lang="da")
    attempt = learner.load()["attempt"]
    prompts = {q["id"]: q["prompt"] for q in attempt["questions"]}
    assert prompts["q1"] == "Spørgsmål et"
    result = learner.call("submit", {"attempt": 1, "answers": {"zz": ["0"]}})
    assert result.data["error"].startswith("Svaret nævner spørgsmålet")


def test_author_html_is_sanitised(workbench):
    bank = small_bank()
    bank["questions"][0]["text_format"] = "html"
    bank["questions"][0]["prompt"] = '<p onclick="x()">Hi <script>alert(1)</script><b>b</b></p>'
    sid = workbench.scenario(quiz_olx(bank, questions_per_attempt=0))
    learner = Learner(workbench, sid)
    q1 = next(q for q in learner.load()["attempt"]["questions"] if q["id"] == "q1")
    assert q1["format"] == "html"
    assert "<script" not in q1["prompt"] and "onclick" not in q1["prompt"]
    assert "<b>b</b>" in q1["prompt"]


# --- grading semantics, rescoring, reports ----------------------------------------------------

def test_max_score_comes_from_content_alone(_django):
    from tests.helpers.workbench import parse_olx

    block = parse_olx(quiz_olx(small_bank(), questions_per_attempt=3, weight=5))
    assert block.max_score() == 3 and block.weight == 5
    assert block.has_score
    per_topic = parse_olx(quiz_olx(draw_mode="per_topic", questions_per_attempt=2))
    assert per_topic.max_score() == 28  # 14 topics x 2 in the default bank
    assert parse_olx(quiz_olx()).max_score() == 10


def test_rescore_after_the_author_fixes_a_wrong_key(workbench):
    from workbench.runtime import WorkbenchRuntime

    wrong_key = small_bank()
    wrong_key["questions"][3]["choices"][0]["correct"] = True  # q4: Ex marked right (wrong)
    wrong_key["questions"][3]["choices"][1]["correct"] = False
    sid = workbench.scenario(quiz_olx(wrong_key, questions_per_attempt=0, max_attempts=1))
    learner = Learner(workbench, sid)
    attempt = learner.load()["attempt"]
    result = learner.submit(attempt, RIGHT).data["result"]  # picks Why, which the key rejects
    assert result["earned"] == 3
    fixed = workbench.call(learner.usage, "submit_studio_edits",
                           {"values": {"bank": small_bank()}}, student="staff")
    assert fixed.status == 200, fixed.body
    workbench.events.clear()
    runtime = WorkbenchRuntime("s1")
    block = runtime.get_block(learner.usage)
    assert block.has_submitted_answer()
    assert block.calculate_score() == (4.0, 4.0)
    assert block.get_score() == (3.0, 4.0)  # calculate_score is pure
    block.rescore(only_if_higher=False)
    assert workbench.events.of_type("grade", learner.usage) == [
        {"value": 4.0, "max_value": 4.0, "only_if_higher": False}]
    assert runtime.get_block(learner.usage).get_score() == (4.0, 4.0)
    view = learner.load()
    assert view["result"]["earned"] == 4 and view["result"]["passed"] is True


def test_rescore_unanswered_raises(_django):
    from tests.helpers.workbench import parse_olx

    block = parse_olx(quiz_olx(small_bank()))
    assert not block.has_submitted_answer()
    with pytest.raises(ValueError):
        block.rescore(only_if_higher=False)
    assert block.get_score() == (0.0, 4.0)


def test_generate_report_data(workbench):
    from tests.helpers.workbench import parse_olx

    sid = workbench.scenario(quiz_olx(small_bank(), questions_per_attempt=0, max_attempts=2))
    learner = Learner(workbench, sid)
    attempt = learner.load()["attempt"]
    learner.submit(attempt, RIGHT)
    learner.submit(learner.call("retry", {"attempt": 2}).data["attempt"], WRONG)
    other = Learner(workbench, sid, student="s2")
    other.load()  # opened but never submitted: no rows
    states = [SimpleNamespace(username="s1", state=workbench.state(learner.usage, "s1")),
              SimpleNamespace(username="s2", state=workbench.state(learner.usage, "s2"))]
    block = parse_olx(quiz_olx(small_bank(), questions_per_attempt=0))
    rows = list(block.generate_report_data(iter(states)))
    assert [r[0] for r in rows] == ["s1", "s1"]
    first, second = rows[0][1], rows[1][1]
    assert (first["Attempt"], first["Score"], first["Passed"]) == (1, 4.0, "yes")
    assert (second["Attempt"], second["Passed"]) == (2, "no")
    answers = {first[f"Question {n}"].split(":")[0]: (first[f"Question {n} answer"],
                                                      first[f"Question {n} correct"])
               for n in range(1, 5)}
    assert answers["q1"] == ("Alpha", "yes")
    assert answers["q2"][1] == "yes" and set(answers["q2"][0].split(" | ")) == {"Red", "Green"}
    assert len(list(block.generate_report_data(iter(states), limit_responses=1))) == 1


# --- authoring: OLX, Studio validation, import/export -----------------------------------------

def test_olx_round_trip_keeps_bank_and_settings_not_learner_state(workbench):
    from tests.helpers.workbench import export_olx, parse_olx

    bank = small_bank()
    bank["questions"][0]["topic"] = "t1"  # OLX import refuses topics the bank does not have
    block = parse_olx(quiz_olx(bank, pass_threshold=60, max_attempts=4,
                               grade_policy="last", show_answer="never", topics='["t1"]'))
    block.quiz_state = {"attempts": [{"leak": 1}], "open": None}
    block.raw_earned = 3.0
    exported = export_olx(block)
    assert "leak" not in exported and "raw_earned" not in exported
    again = parse_olx(exported)
    assert again.bank == bank
    assert (again.pass_threshold, again.max_attempts, again.grade_policy, again.show_answer) == \
        (60, 4, "last", "never")
    assert again.topics == ["t1"]
    assert again.quiz_state == {}


def test_studio_validation_explains_every_problem_and_saves_nothing(workbench):
    sid = workbench.scenario(quiz_olx(small_bank()))
    usage = workbench.render(sid).usage_id
    broken = small_bank()
    broken["questions"][0]["choices"][0]["correct"] = False  # no correct answer
    broken["questions"][3]["id"] = "q2"  # duplicate id
    before = workbench.snapshot()
    result = workbench.call(usage, "submit_studio_edits",
                            {"values": {"bank": broken, "pass_threshold": 120}}, student="staff")
    assert result.status == 400
    messages = " ".join(result.data["messages"])
    assert "no correct answer" in messages
    assert '"q2" is used 2 times' in messages
    assert "between 0 and 100" in messages
    bad_count = workbench.call(usage, "submit_studio_edits",
                               {"values": {"questions_per_attempt": 9}}, student="staff")
    assert bad_count.status == 400 and "only 4" in " ".join(bad_count.data["messages"])
    assert workbench.snapshot() == before
    danish = workbench.call(usage, "submit_studio_edits", {"values": {"max_attempts": -1}},
                            student="staff", lang="da")
    assert "Antallet af forsøg" in " ".join(danish.data["messages"])


def test_block_validate_reports_problems(_django):
    from tests.helpers.workbench import parse_olx

    assert parse_olx(quiz_olx(small_bank(), questions_per_attempt=0)).validate()
    block = parse_olx(quiz_olx(small_bank()))
    block.pass_threshold = -5  # stored before OLX import refused such values
    messages = [m.text for m in block.validate().messages]
    assert len(messages) == 2  # the threshold and 10 questions from a bank of 4
    assert any("-5" in m and "/pass_threshold" in m for m in messages)


def test_studio_view_has_import_panel(workbench):
    sid = workbench.scenario(quiz_olx(small_bank()))
    page = workbench.render(sid, student="staff", view="studio_view")
    assert "data-cx-quiz-studio" in page.html and "import_questions" in page.html


GIFT = """$CATEGORY: $course$/top/Phishing

::Mail:: Hvad gør du med en mistænkelig mail? {
  =Rapporterer den # Godt
  ~Klikker på linket # Nej
}

// essay
::Essay:: Beskriv en hændelse {}

::TF:: 72 timer er fristen. {T}
"""


def test_import_gift_in_studio(workbench):
    sid = workbench.scenario(quiz_olx(small_bank()))
    usage = workbench.render(sid).usage_id
    learner_try = workbench.call(usage, "import_questions", {"content": GIFT})
    assert learner_try.status == 403
    before = workbench.snapshot()
    dry = workbench.call(usage, "import_questions", {"content": GIFT, "dry_run": True},
                         student="staff")
    assert dry.status == 200 and dry.data["imported"] == 2 and dry.data["saved"] is False
    assert workbench.snapshot() == before
    result = workbench.call(usage, "import_questions", {"content": GIFT, "format": "gift"},
                            student="staff")
    assert result.status == 200, result.body
    assert result.data["imported"] == 2 and result.data["total"] == 6
    problems = result.data["problems"]
    assert len(problems) == 1 and problems[0]["position"] == "line 9"
    assert "essay" in problems[0]["message"]
    learner = Learner(workbench, sid, student="s9")
    ids = {q["id"] for q in learner.load()["attempt"]["questions"]}
    assert ids <= {"q1", "q2", "q3", "q4", "Mail", "TF"}


def test_import_errors_are_precise_and_save_nothing(workbench):
    sid = workbench.scenario(quiz_olx(small_bank()))
    usage = workbench.render(sid).usage_id
    before = workbench.snapshot()
    bad = workbench.call(usage, "import_questions", {"content": "::Q:: open {\n=a\n"},
                         student="staff")
    assert bad.status == 400 and bad.data["path"] == "line 1"
    broken = "<quiz>\n<question type='essay'>\n</quiz>"
    xml = workbench.call(usage, "import_questions", {"content": broken, "format": "moodle"},
                         student="staff")
    assert xml.status == 400 and xml.data["path"].startswith("line 3")
    xxe = workbench.call(usage, "import_questions", {
        "content": '<?xml version="1.0"?>\n<!DOCTYPE q [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                   "<quiz/>"}, student="staff")
    assert xxe.status == 400 and "DOCTYPE" in xxe.data["error"]
    assert workbench.snapshot() == before


def test_import_capa_and_moodle_through_studio(workbench):
    from pathlib import Path

    data = Path(__file__).resolve().parents[1] / "data" / "quiz"
    sid = workbench.scenario(quiz_olx(small_bank()))
    usage = workbench.render(sid).usage_id
    capa = (data / "capa" / "0135258373e648f2b57a80ae06bade61.xml").read_text(encoding="utf-8")
    result = workbench.call(usage, "import_questions", {"content": capa, "topic": "edx"},
                            student="staff")
    assert result.status == 200 and result.data["imported"] == 1, result.body
    moodle = (data / "moodle" / "questions.xml").read_text(encoding="utf-8")
    result = workbench.call(usage, "import_questions", {"content": moodle}, student="staff")
    assert result.status == 200 and result.data["imported"] == 4
    skipped = [p for p in result.data["problems"] if p["kind"] == "skipped"]
    assert {p["question"] for p in skipped} == {"Beskriv en hændelse", "Timer", "Myndighed",
                                                "No correct"}


def test_export_gift_and_olx(workbench):
    sid = workbench.scenario(quiz_olx(small_bank()))
    usage = workbench.render(sid).usage_id
    assert workbench.call(usage, "export_questions", {"format": "gift"}).status == 403
    gift = workbench.call(usage, "export_questions", {"format": "gift"}, student="staff")
    assert gift.status == 200 and "::q1::Prompt one {" in gift.data["text"]
    olx = workbench.call(usage, "export_questions", {"format": "olx", "language": "da"},
                         student="staff")
    assert "problem/q1.xml" in olx.data["files"]
    assert "Spørgsmål et" in olx.data["files"]["problem/q1.xml"]


def test_default_bank_scenario_works_end_to_end(workbench):
    learner = Learner(workbench, "data_security_quiz.0", student="demo", lang="da")
    attempt = learner.load()["attempt"]
    assert len(attempt["questions"]) == 10
    bank = default_bank_data()
    texts = {q["id"]: q for q in bank["questions"]}
    answers = {}
    for q in attempt["questions"]:
        source = texts[q["id"]]
        right = [c["text"]["da"] for c in source["choices"] if c.get("correct")]
        answers[q["id"]] = [key_of(q, text) for text in right]
    result = learner.call("submit", {"attempt": 1, "answers": answers}).data["result"]
    assert result["earned"] == 10 and result["passed"]
    assert all(re.search(r"[Aa]rtikel|§|ISO|lov", q["explanation"]) for q in result["questions"])


def test_import_into_the_default_bank(workbench):
    sid = workbench.scenario(quiz_olx())
    usage = workbench.render(sid).usage_id
    result = workbench.call(usage, "import_questions", {"content": GIFT}, student="staff")
    assert result.status == 200, result.body
    assert result.data["total"] == 50
    exported = workbench.call(usage, "export_questions", {"format": "json"}, student="staff")
    bank = exported.data["bank"]
    assert bank["languages"] == ["da", "en"] and bank["title"]["da"]
    assert {t["id"] for t in bank["topics"]} >= {"phishing", "cpr"}


def test_danish_import_report_translates_question_types(workbench):
    sid = workbench.scenario(quiz_olx(small_bank()))
    usage = workbench.render(sid).usage_id
    result = workbench.call(usage, "import_questions", {"content": GIFT, "dry_run": True},
                            student="staff", lang="da")
    assert result.status == 200
    assert result.data["problems"][0]["message"].startswith(
        'Essay: Spørgsmålstypen "essay" understøttes ikke')


def test_imported_targeted_feedback_waits_for_the_submit(workbench):
    """A CAPA problem's targeted feedback ("Correct ...") is choice feedback, never content the
    learner receives before answering."""
    capa = ("<problem><multiplechoiceresponse targeted-feedback=''><label>Which?</label>"
            "<choicegroup><choice correct='false' explanation-id='f1'>Alpha</choice>"
            "<choice correct='true' explanation-id='f2'>Beta</choice></choicegroup>"
            "<targetedfeedbackset><targetedfeedback explanation-id='f1'><p>TFB-WRONG</p>"
            "</targetedfeedback><targetedfeedback explanation-id='f2'><p>TFB-RIGHT</p>"
            "</targetedfeedback></targetedfeedbackset></multiplechoiceresponse></problem>")
    sid = workbench.scenario(quiz_olx(small_bank(), questions_per_attempt=0,
                                      show_answer="never", show_explanations="with_answers"))
    usage = workbench.render(sid).usage_id
    imported = workbench.call(usage, "import_questions", {"content": capa}, student="staff")
    assert imported.status == 200 and imported.data["imported"] == 1, imported.body
    learner = Learner(workbench, sid, student="s7")
    attempt = learner.load()["attempt"]
    assert len(attempt["questions"]) == 5
    (qid,) = {q["id"] for q in attempt["questions"]} - set(RIGHT)
    answers = {q["id"]: [key_of(q, t) for t in dict(WRONG, **{qid: ["Alpha"]})[q["id"]]]
               for q in attempt["questions"]}
    result = learner.call("submit", {"attempt": 1, "answers": answers})
    assert result.status == 200, result.body
    for body in learner.received:
        assert "TFB-" not in body and "FB-" not in body  # never: no feedback, no answers
    view = next(q for q in result.data["result"]["questions"] if q["id"] == qid)
    assert view["feedback"] == [] and "correct_keys" not in view


def test_studio_import_skips_what_the_bank_cannot_hold_and_saves_the_rest(workbench):
    sid = workbench.scenario(quiz_olx(small_bank()))
    usage = workbench.render(sid).usage_id
    gift = "::Long:: " + "x" * 8100 + " {T}\n\n::Empty:: pick {=a ~}\n\n::Fine:: ok? {F}\n"
    result = workbench.call(usage, "import_questions", {"content": gift}, student="staff",
                            lang="da")
    assert result.status == 200, result.body
    assert result.data["imported"] == 1 and result.data["saved"] is True
    assert result.data["total"] == 5
    skipped = {p["question"]: p for p in result.data["problems"]}
    assert skipped["Long"]["position"] == "line 1" and skipped["Long"]["kind"] == "skipped"
    assert "for lang (8100 tegn" in skipped["Long"]["message"]
    assert skipped["Empty"]["position"] == "line 3"
    assert "Et svar har ingen tekst" in skipped["Empty"]["message"]


def test_score_lives_in_quiz_state_and_earlier_versions_fields_are_still_read(workbench):
    from xblock.scorable import Score

    from tests.helpers.workbench import parse_olx

    block = parse_olx(quiz_olx(small_bank()))
    block.quiz_state = {"attempts": [], "open": None}
    block.raw_earned, block.raw_possible = 3.0, 5.0       # as an earlier version stored it
    assert block.get_score() == Score(3.0, 5.0)
    block.set_score(Score(4.0, 5.0))
    assert block.quiz_state["score"] == [4.0, 5.0] and block.quiz_state["attempts"] == []
    assert block.get_score() == Score(4.0, 5.0)           # the new place wins
    block.quiz_state = dict(block.quiz_state, score=["4", None])   # damaged: not a score
    assert block.get_score() == Score(3.0, 5.0)
