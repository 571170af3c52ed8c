"""Our own rows, exactly as ``generate_report_data`` yields them, in the LMS's CSV layout.

The rows are produced by the block modules themselves (competency/report.py,
quiz_engine/report.py) in English and in Danish, written the way the LMS writes the
Problem Responses report, and read back.
"""
from __future__ import annotations

import csv
import json
from collections import OrderedDict

import pytest

from competency_xblock.competency import report as competency_report
from competency_xblock.competency.assessment import Assessment, append_history
from competency_xblock.competency.content import BlockContent
from competency_xblock.quiz_engine import report as quiz_report
from competency_xblock.quiz_engine.bank import default_bank
from competency_xblock.reports.errors import ReportInputError
from competency_xblock.reports.gaps import GapAccumulator
from competency_xblock.reports.i18n import gettext_for
from competency_xblock.reports.items import ItemAccumulator
from competency_xblock.reports.levels import LevelScale, label, level_id
from competency_xblock.reports.lms import (
    ProblemResponsesReader,
    Sink,
    block_type,
    learner_hasher,
    parse_bool,
    parse_int,
)

COURSE = "block-v1:Kommune+K1+2026"
SELF_KEY = f"{COURSE}+type@competency_self_assessment+block@aa"
QUIZ_KEY = f"{COURSE}+type@data_security_quiz+block@bb"
FRAMEWORK = {
    "schema_version": 1, "id": "kommune", "title": "Kommune",
    "levels": [{"id": "begynder", "label": {"da": "Begynder", "en": "Beginner"}},
               {"id": "selvhjulpen", "label": {"da": "Selvhjulpen", "en": "Self-reliant"}},
               {"id": "superbruger", "label": {"da": "Superbruger", "en": "Power user"}}],
    "areas": [{"id": "post", "title": {"da": "Digital Post", "en": "Digital Post"},
               "competences": [{"id": "post.laese", "title": {"da": "Læse", "en": "Read"}},
                               {"id": "gdpr", "title": {"da": "GDPR", "en": "GDPR"}}]}],
}


@pytest.fixture(scope="module")
def content():
    return BlockContent.from_dict({
        "framework": FRAMEWORK,
        "roles": [{"id": "skranke", "title": {"en": "Front desk", "da": "Skranke"}}],
        "units": [{"id": "nord", "title": {"da": "Nord", "en": "North"}}],
        "profiles": {"skranke": {"post.laese": "superbruger", "gdpr": "selvhjulpen"}},
    })


def state(content, ratings, previous=None):
    now = Assessment.create(content, "skranke", "nord", ratings)
    history = append_history([], Assessment.create(content, "skranke", "nord", previous)) \
        if previous else []
    history = append_history(history, now)
    return {"assessment": now.to_dict(), "history": history, "draft": {}}


def write_lms_csv(path, blocks):
    """``blocks``: (block key, title, [(username, OrderedDict row, state dict)])."""
    keys: dict[str, None] = {}
    data = []
    for block_key, title, rows in blocks:
        for username, row, user_state in rows:
            for key in row:
                keys.setdefault(key, None)
            data.append({"username": username, "title": title, "location": f"Kursus > {title}",
                         **row, "block_key": block_key,
                         "state": json.dumps(user_state, ensure_ascii=False)})
    header = ["username", "title", "location", *keys, "block_key", "state"]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in data:
            writer.writerow([row.get(h, "") for h in header])
    return str(path)


LEARNERS = [
    ({"post.laese": "begynder", "gdpr": "selvhjulpen"}, {"post.laese": "begynder",
                                                           "gdpr": "begynder"}),
    ({"post.laese": "selvhjulpen", "gdpr": "dont_know"}, None),
    ({"post.laese": "superbruger", "gdpr": "superbruger"}, None),
]


@pytest.mark.parametrize("language", ["en", "da"])
def test_self_assessment_rows_round_trip(tmp_path, content, language):
    gettext = gettext_for(language)
    rows = []
    for n, (ratings, previous) in enumerate(LEARNERS):
        user_state = state(content, ratings, previous)
        for row in competency_report.rows_for_state(content, user_state, language, gettext):
            rows.append((f"bruger{n}", row, user_state))
    path = write_lms_csv(tmp_path / "r.csv", [(SELF_KEY, "Selvvurdering", rows)])
    scale = LevelScale()
    got = []
    ProblemResponsesReader(path, learner_hasher()).read(Sink(rating=got.append, scale=scale))
    assert [(r.role, r.unit, r.competence_id, r.gap) for r in got] == [
        ({"en": "Front desk", "da": "Skranke"}[language], {"en": "North", "da": "Nord"}[
            language], comp, gap)
        for comp, gap in [("post.laese", 2), ("gdpr", 0), ("post.laese", 1), ("gdpr", None),
                          ("post.laese", 0), ("gdpr", -1)]]
    assert got[1].competence == {"en": "GDPR", "da": "GDPR"}[language]
    assert got[3].self_level is None  # "don't know" / "ved ikke"
    # previous round: learner 0 was begynder on both; gaps then 2 and 1
    assert got[0].previous == ("pair", level_id("superbruger"), level_id("begynder"))
    assert got[1].previous == ("pair", level_id("selvhjulpen"), level_id("begynder"))
    assert got[2].previous is None
    # the scale is learnt from labels and tied to the ids in the state
    begynder = {"en": "Beginner", "da": "Begynder"}[language]
    assert scale.rank(label(begynder)) == 1 and scale.rank(level_id("superbruger")) == 3
    acc = GapAccumulator(scale)
    for r in got:
        acc.add(r)
    cell = acc._tables()["post.laese"][("\x00all", "\x00all")]
    assert cell.change(scale) == (1, 0)  # learner 0: gap 2 then, 2 now


@pytest.mark.parametrize("language", ["en", "da"])
def test_quiz_rows_round_trip(tmp_path, language):
    bank = default_bank()
    questions = [q for q in bank.questions if q.type == "single"][:3]
    gettext = gettext_for(language)
    rows = []
    for n in range(5):
        results = []
        for i, q in enumerate(questions):
            right = (n + i) % 2 == 0
            choice = next(c for c in q.choices if c.correct == right)
            results.append({"q": q.id, "selected": [choice.id], "credit": float(right),
                            "correct": right})
        results.append({"q": "deleted-q", "selected": [], "credit": 1.0, "correct": True,
                        "withdrawn": True})
        user_state = {"attempts": [{"number": 1, "result": {
            "earned": 1.0, "possible": 4, "percent": 25.0, "passed": False,
            "questions": results}}]}
        for row in quiz_report.attempt_rows(bank, user_state, language, gettext):
            rows.append((f"bruger{n}", row, {"quiz_state": user_state}))
    path = write_lms_csv(tmp_path / "q.csv", [(QUIZ_KEY, "Quiz", rows)])
    got = []
    ProblemResponsesReader(path, learner_hasher()).read(Sink(attempt=got.append))
    assert len(got) == 5 and all(a.number == 1 and a.block == QUIZ_KEY for a in got)
    first = got[0].responses
    assert [r.question_id for r in first] == [q.id for q in questions] + ["deleted-q"]
    assert [r.correct for r in first] == [True, False, True, True]
    assert first[0].options == (questions[0].choices[[c.correct for c in
                                                      questions[0].choices].index(True)]
                                .text[language],)
    assert first[3].prompt == gettext("(question withdrawn)")
    acc = ItemAccumulator()
    for attempt in got:
        acc.add(attempt)
    assert acc.result().items[0].responses == 5


def test_block_types_and_values():
    assert block_type(SELF_KEY) == "competency_self_assessment"
    assert block_type("i4x://Org/Course/problem/abc") == "problem"
    assert block_type("") == ""
    assert [parse_bool(v) for v in ("yes", "Ja", "NEJ", "True", "false", "1", "maybe")] == [
        True, True, False, True, False, True, None]
    assert [parse_int(v) for v in ("2", " -1 ", "\u22121", "2.0", "")] == [2, -1, -1, 2, None]
    with pytest.raises(ValueError):
        parse_int("1,5")


def test_unknown_blocks_and_blank_rows_are_skipped(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("username,title,location,Answer,block_key,state\n"
                    f"bo,Opgave,x,42,{COURSE}+type@problem+block@cc,{{}}\n\n", encoding="utf-8")
    reader = ProblemResponsesReader(str(path), learner_hasher())
    stats = reader.read(Sink())
    assert (stats.rows, stats.skipped) == (1, 1)


def error(path, sink=None) -> ReportInputError:
    with pytest.raises(ReportInputError) as info:
        ProblemResponsesReader(str(path), learner_hasher()).read(sink or Sink())
    return info.value


def test_bad_gap_value_is_located(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "username,title,location,Rolle,Kompetence-id,Eget niveau,Forventet niveau,"
        "Gab (niveauer),block_key,state\n"
        f"bo,S,x,Skranke,1.1,Øvet,Avanceret,1,{SELF_KEY},\n"
        f"ulla,S,x,Skranke,1.1,Øvet,Avanceret,en,{SELF_KEY},\n", encoding="utf-8")
    err = error(path)
    assert (err.line, err.column, err.index) == (3, "Gab (niveauer)", 7)
    assert err.render(gettext_for("da")).endswith(
        'r.csv, linje 3, kolonne "Gab (niveauer)" (H): "en" er ikke et helt tal.')


def test_missing_column_for_our_rows(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("username,title,location,Role,Competence id,block_key,state\n"
                    f"bo,S,x,R,1.1,{SELF_KEY},\n", encoding="utf-8")
    err = error(path)
    assert err.line == 1 and err.params["heading"] == "Self-rated level"
    assert str(err).endswith(
        "need the column \"Self-rated level\", which the header does not have.")


def test_bad_yes_no_in_quiz_rows(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text("username,title,location,Attempt,Question 1,Question 1 answer,"
                    "Question 1 correct,block_key,state\n"
                    f"bo,Q,x,1,q1: Hvad?,Svar,måske,{QUIZ_KEY},\n", encoding="utf-8")
    err = error(path, Sink(attempt=lambda a: None))
    assert (err.line, err.column) == (2, "Question 1 correct")


def test_broken_state_json_is_located(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("username,title,location,Role,Competence id,Self-rated level,"
                    "Expected level,Gap (levels),block_key,state\n"
                    f'bo,S,x,R,1.1,Basic,Advanced,2,{SELF_KEY},"{{""assessment"": "\n',
                    encoding="utf-8")
    err = error(path)
    assert (err.line, err.column) == (2, "state")


def test_not_a_problem_responses_report(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("Student ID,Email,Username,Grade\n1,a@b.dk,a,0.5\n", encoding="utf-8")
    assert "not an Open edX Problem Responses report" in str(error(path))


@pytest.mark.parametrize("language", ["en", "da"])
def test_quiz_rows_marked_unreadable_are_left_out(tmp_path, language):
    bank = default_bank()
    gettext = gettext_for(language)
    question = next(q for q in bank.questions if q.type == "single")
    right = next(c for c in question.choices if c.correct)
    good = {"attempts": [{"number": 1, "result": {
        "earned": 1.0, "possible": 1, "percent": 100.0, "passed": True,
        "questions": [{"q": question.id, "selected": [right.id], "credit": 1.0,
                       "correct": True}]}}]}
    damaged = {"attempts": [None, *good["attempts"]]}
    rows = [(user, row, {"quiz_state": state})
            for user, state in (("a", "x"), ("b", damaged), ("c", good))
            for row in quiz_report.attempt_rows(bank, state, language, gettext)]
    assert len(rows) == 4
    path = write_lms_csv(tmp_path / "q.csv", [(QUIZ_KEY, "Quiz", rows)])
    got = []
    stats = ProblemResponsesReader(path, learner_hasher()).read(Sink(attempt=got.append))
    assert stats.unreadable == 2 and stats.by_type == {"data_security_quiz": 2}
    assert [(a.number, [r.correct for r in a.responses]) for a in got] == [
        (2, [True]), (1, [True])]
    # A report whose quiz rows are all marked has no question columns: still no error.
    only = write_lms_csv(tmp_path / "only.csv", [(QUIZ_KEY, "Quiz", rows[:2])])
    stats = ProblemResponsesReader(only, learner_hasher()).read(Sink(attempt=got.append))
    assert (stats.unreadable, stats.rows, len(got)) == (2, 2, 2)


def test_the_report_says_how_many_rows_were_left_out(tmp_path):
    from competency_xblock.reports import pipeline

    bank = default_bank()
    rows = [("a", row, {"quiz_state": "x"})
            for row in quiz_report.attempt_rows(bank, "x", "en")]
    path = write_lms_csv(tmp_path / "q.csv", [(QUIZ_KEY, "Quiz", rows)])
    result = pipeline.run(pipeline.Options(inputs=[path], out_dir=str(tmp_path),
                                           formats=("csv",)))
    assert any(w.startswith("1 rows were left out") for w in result.warnings)


def test_atlas_rows_marked_unreadable_are_left_out_and_odd_state_is_read(tmp_path):
    from competency_xblock.atlas.exercise import Exercise
    from competency_xblock.atlas.report import progress_rows
    from competency_xblock.reports.lms import ATLAS_KEYS

    exercise = Exercise.from_dict({"scenarios": [
        {"id": "s1", "prompt": "P1", "answer": {"units": ["u"]}},
        {"id": "s2", "prompt": "P2", "answer": {"units": ["u"]}}]})
    wrong = {"attempts": 2, "finished": True,
             "picks": [{"kind": "unit", "id": "a", "correct": False},
                       {"kind": "unit", "id": "b", "correct": False}]}
    progress = {"s1": "garbage", "s2": wrong}
    rows = [(user, row, {"progress": data})
            for user, data in (("a", "x"), ("b", progress))
            for row in progress_rows(exercise, data, None, "en")]
    key = f"{COURSE}+type@atlas_lookup+block@cc"
    path = write_lms_csv(tmp_path / "a.csv", [(key, "Atlas", rows)])
    got = []
    stats = ProblemResponsesReader(path, learner_hasher()).read(Sink(outcome=got.append))
    assert stats.unreadable == 2 and [o.scenario for o in got] == ["s2"]
    assert got[0].wrong_picks == ("a", "b") and got[0].attempts == 2
    # The state column is read with the same reader: an odd entry is no error.
    odd = [("c", OrderedDict((k, {"scenario": "s2", "attempts": 1, "correct": "no"}.get(k, ""))
                             for k in ATLAS_KEYS), {"progress": {"s2": {"picks": "pk"}}}),
           ("d", OrderedDict((k, {"scenario": "s2", "attempts": 1, "correct": "no"}.get(k, ""))
                             for k in ATLAS_KEYS), {"progress": ["x"]})]
    path = write_lms_csv(tmp_path / "b.csv", [(key, "Atlas", odd)])
    got = []
    ProblemResponsesReader(path, learner_hasher()).read(Sink(outcome=got.append))
    assert [o.wrong_picks for o in got] == [(), ()]
