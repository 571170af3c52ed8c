"""The two LMS reports HR downloads from the Instructor Dashboard, read row by row.

*Problem Responses* (``student_state_from_...csv``): the LMS writes the columns
``username, title, location``, then the keys of every block's ``generate_report_data`` rows
(ours, with headings in the LMS language), then ``block_key, state`` -- the block's usage
key and the learner's raw JSON state.  Rows of one learner and block come one after another.

*Grade report* (``..._grade_report_...csv``): ``Student ID, Email, Username, Grade``, one
column per graded subsection and assignment type, optional cohort/experiment/team columns,
``Enrollment Track, Verification Status, Certificate ..., Enrollment Status``.

Usernames and e-mails are read only to tell learners apart (hashed with a per-run secret)
and, when the operator asks for it, to list learners; they are never kept otherwise.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from competency_xblock.atlas.exercise import read_progress
from competency_xblock.atlas.report import UNREADABLE_KEY
from competency_xblock.competency import report as competency_report
from competency_xblock.reports import levels
from competency_xblock.reports.atlas import ScenarioOutcome, SearchGap
from competency_xblock.reports.csvread import CsvFile, Header
from competency_xblock.reports.csvread import value as csv_value
from competency_xblock.reports.errors import ReportInputError
from competency_xblock.reports.gaps import Rating
from competency_xblock.reports.i18n import template_pattern, variants
from competency_xblock.reports.items import Attempt, Response
from competency_xblock.text import N_, UNREADABLE_COLUMN

KIND_RESPONSES = "problem_responses"
KIND_GRADES = "grade_report"

TYPE_SELF = "competency_self_assessment"
TYPE_QUIZ = "data_security_quiz"
TYPE_ATLAS = "atlas_lookup"
_BLOCK_TYPE = re.compile(r"(?:\+type@|^i4x://[^/]+/[^/]+/)([A-Za-z0-9_-]+)")

LMS_COLUMNS = ("username", "title", "location", "block_key", "state")
GRADE_COLUMNS = ("Student ID", "Email", "Username", "Grade")
#: Atlas rows use plain keys (not translated) -- see ``AtlasLookupXBlock.generate_report_data``.
ATLAS_KEYS = ("scenario", "prompt", "pick", "pick_label", "correct", "solved", "attempts",
              "searches")
ATLAS_UNREADABLE = UNREADABLE_KEY   # the atlas's key for ``text.UNREADABLE_COLUMN``
# The quiz's headings (quiz_engine/report.py) in English; Danish comes from the catalogue.
QUIZ_ATTEMPT, QUIZ_SCORE, QUIZ_PERCENT = "Attempt", "Score", "Percent"
QUIZ_QUESTION, QUIZ_ANSWER, QUIZ_CORRECT = ("Question {n}", "Question {n} answer",
                                            "Question {n} correct")
ANSWER_SEPARATOR = " | "
TRUE_WORDS = variants("yes") | {"true", "1", "ja"}
FALSE_WORDS = variants("no") | {"false", "0", "nej"}
DONT_KNOW_ID = "dont_know"


def learner_hasher(secret: bytes | None = None) -> Callable[[str], int]:
    """A keyed hash of an identifier: equal names map to equal numbers within one run only."""
    key = secret or os.urandom(16)

    def digest(name: str) -> int:
        return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8,
                                              key=key).digest(), "big")
    return digest


def kind_of(header: Header) -> str | None:
    names = set(header.folded)
    if {"student id", "username", "grade"} <= names:
        return KIND_GRADES
    if "username" in names and ("block_key" in names or "title" in names):
        return KIND_RESPONSES
    return None


def block_type(block_key: str) -> str:
    match = _BLOCK_TYPE.search(block_key or "")
    return match.group(1) if match else ""


def parse_bool(value: str) -> bool | None:
    folded = value.strip().casefold()
    if folded in TRUE_WORDS:
        return True
    if folded in FALSE_WORDS:
        return False
    return None


def parse_int(value: str) -> int | None:
    text = value.strip().replace("\u2212", "-")
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        number = float(text.replace(",", "."))
        if not number.is_integer():
            raise ValueError(text) from None
        return int(number)


def parse_float(value: str) -> float | None:
    text = value.strip().replace("\u2212", "-").rstrip("%").strip()
    if not text:
        return None
    return float(text.replace(",", "."))


@dataclass
class Sink:
    """Where parsed records go (the pipeline's accumulators); any may be None."""

    rating: Callable[[Rating], None] | None = None
    attempt: Callable[[Attempt], None] | None = None
    outcome: Callable[[ScenarioOutcome], None] | None = None
    gap: Callable[[SearchGap], None] | None = None
    scale: levels.LevelScale | None = None
    criterion: Callable[[int], float | None] | None = None
    identities: Callable[[str, Rating], None] | None = None
    pick_labels: dict[str, str] = field(default_factory=dict)


@dataclass
class ReadStats:
    rows: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    skipped: int = 0
    filtered: int = 0
    unreadable: int = 0   # rows a block marked: the learner's stored state cannot be read


class _Columns:
    """Positions of the columns one block type needs, found once per file."""

    def __init__(self, source: CsvFile) -> None:
        self.source = source
        header = source.header
        self.username = header.index("username")
        self.title = header.index("title")
        self.block_key = header.index("block_key")
        self.state = header.index("state")
        self.self_cols = {key: self._find(variants(text) | {key})
                          for key, text in competency_report.COLUMNS.items()}
        self.attempt = self._find(variants(QUIZ_ATTEMPT))
        self.questions = self._questions()
        self.atlas = {key: self._find({key}) for key in ATLAS_KEYS}
        #: rows our blocks mark as stored state that cannot be read (no data to count)
        self.unreadable = self._find(variants(UNREADABLE_COLUMN) | {ATLAS_UNREADABLE})

    def _find(self, names: set[str]) -> int | None:
        for position, name in enumerate(self.source.header.folded):
            if name in names:
                return position
        return None

    def _questions(self) -> list[tuple[int, int, int | None, int | None]]:
        found: dict[int, list[int | None]] = {}
        for slot, english in enumerate((QUIZ_QUESTION, QUIZ_ANSWER, QUIZ_CORRECT)):
            for pattern in template_pattern(english):
                for position, name in enumerate(self.source.header.names):
                    match = pattern.match(name)
                    if match:
                        found.setdefault(int(match.group(1)), [None, None, None])[slot] = position
        return sorted((n, q, a, c) for n, (q, a, c) in found.items() if q is not None)

    def require(self, keys: dict[str, int | None], wanted: tuple[str, ...], line: int,
                what: str) -> None:
        for key in wanted:
            if keys.get(key) is None:
                raise ReportInputError(
                    N_("Rows of a {what} block need the column \"{heading}\", which the header "
                       "does not have."), self.source.path, line=self.source.header.line,
                    what=what, heading=_heading(key))


def _heading(key: str) -> str:
    return competency_report.COLUMNS.get(key, key)


class ProblemResponsesReader:
    """Streams one Problem Responses CSV into a :class:`Sink`."""

    def __init__(self, path: str, hasher: Callable[[str], int],
                 on_progress: Callable[[int], None] | None = None,
                 block_filter: str | None = None) -> None:
        self.source = CsvFile(path, on_progress, lazy_last="state")
        if kind_of(self.source.header) != KIND_RESPONSES:
            self.source.close()
            raise ReportInputError(
                N_("This is not an Open edX Problem Responses report: the header needs the "
                   "columns username, title, location and block_key."),
                path, line=self.source.header.line)
        self.columns = _Columns(self.source)
        self.hasher = hasher
        self.block_filter = (block_filter or "").casefold()
        self.stats = ReadStats()
        self._tokens: dict[str, levels.Token] = {}
        self._label_edges: Counter[tuple[str, str, int]] = Counter()
        self._id_edges: Counter[tuple[str, str]] = Counter()
        self._info_for: dict | None = None
        self._info: dict = {}

    def read(self, sink: Sink) -> ReadStats:
        cols = self.columns
        run_key: tuple[str, str] | None = None
        state: dict = {}
        learner = 0
        checked: set[str] = set()
        types: dict[str, str] = {}
        i_user, i_block, i_title = cols.username, cols.block_key, cols.title
        counts: dict[str, int] = {}
        rows = 0
        last_raw: tuple[str, str] | None = None
        source = self.source
        for line, row in source.rows():
            rows += 1
            raw = (row[i_user] if i_user is not None else "",
                   row[i_block] if i_block is not None else "")
            new_run = raw != last_raw
            if new_run:
                last_raw = raw
                username, block = raw[0].strip(), raw[1].strip()
            title = row[i_title].strip() if i_title is not None else ""
            kind = types.get(block)
            if kind is None:
                kind = types[block] = block_type(block) if len(types) < 10_000 else ""
            if not kind:
                kind = self._guess(row)
            if kind not in (TYPE_SELF, TYPE_QUIZ, TYPE_ATLAS):
                self.stats.skipped += 1
                continue
            if self.block_filter and self.block_filter not in block.casefold() \
                    and self.block_filter not in title.casefold():
                self.stats.filtered += 1
                continue
            if cols.unreadable is not None and self._value(row, cols.unreadable):
                self.stats.unreadable += 1   # marked by the block: nothing in it to count
                continue
            counts[kind] = counts.get(kind, 0) + 1
            if kind not in checked:
                self._check_columns(kind, line)
                checked.add(kind)
            new_run = (username, block) != run_key
            if new_run:
                run_key = (username, block)
                learner = self.hasher(username) if username else self.hasher(f"row:{line}")
                state = self._state(row, line)
            elif source.at_last_row and not source.terminated:
                self._state(row, line)  # a file cut off in its last value: say so
            if kind == TYPE_SELF:
                self._self_row(sink, line, row, learner, state, username)
            elif kind == TYPE_QUIZ:
                self._quiz_row(sink, line, row, learner, block, title)
            else:
                self._atlas_row(sink, line, row, learner, block, state, new_run)
        self.stats.rows += rows
        if sink.scale is not None:
            edges = sink.scale.evidence()
            for (expected, rated, gap), n in self._label_edges.items():
                edges[(levels.label(expected), levels.label(rated), gap)] += n
            for (level, text), n in self._id_edges.items():
                edges[(levels.level_id(level), levels.label(text), 0)] += n
        self._label_edges.clear()
        self._id_edges.clear()
        for kind, n in counts.items():
            self.stats.by_type[kind] = self.stats.by_type.get(kind, 0) + n
        return self.stats

    # ---- helpers ---------------------------------------------------------------------------
    def _guess(self, row: list[str]) -> str:
        cols = self.columns
        comp = cols.self_cols.get("competence_id")
        if comp is not None and row[comp].strip():
            return TYPE_SELF
        if cols.questions and row[cols.questions[0][1]].strip():
            return TYPE_QUIZ
        scenario = cols.atlas.get("scenario")
        if scenario is not None and row[scenario].strip():
            return TYPE_ATLAS
        return ""

    def _check_columns(self, kind: str, line: int) -> None:
        cols = self.columns
        if kind == TYPE_SELF:
            cols.require(cols.self_cols, ("role", "competence_id", "self_level",
                                          "expected_level", "gap"), line,
                         TYPE_SELF)
            c = cols.self_cols
            self._self_index = (c["competence_id"], c["gap"], c["self_level"],
                                c["expected_level"], c["role"], c["unit"], c["competence"],
                                c["area"])
        elif kind == TYPE_QUIZ:
            if cols.attempt is None or not cols.questions:
                raise ReportInputError(
                    N_("Rows of a {what} block need the column \"{heading}\", which the header "
                       "does not have."), self.source.path, line=self.source.header.line,
                    what=TYPE_QUIZ,
                    heading=QUIZ_ATTEMPT if cols.attempt is None else "Question 1")
        else:
            cols.require(cols.atlas, ("scenario", "correct", "attempts"), line, TYPE_ATLAS)

    def _state(self, row: list[str], line: int) -> dict:
        index = self.columns.state
        text = csv_value(row[index]) if index is not None else ""
        if not text.strip():
            return {}
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise self.source.error(
                N_("The learner state is not valid JSON ({detail}, character {position})."),
                line, index, detail=exc.msg, position=exc.pos + 1) from exc
        return value if isinstance(value, dict) else {}

    def _value(self, row: list[str], index: int | None) -> str:
        return row[index].strip() if index is not None and index < len(row) else ""

    def _int(self, row: list[str], index: int | None, line: int) -> int | None:
        try:
            return parse_int(self._value(row, index))
        except ValueError as exc:
            raise self.source.error(N_("\"{value}\" is not a whole number."), line, index,
                                    value=self._value(row, index)) from exc

    # ---- self-assessment -------------------------------------------------------------------
    def _self_row(self, sink: Sink, line: int, row: list[str], learner: int, state: dict,
                  username: str) -> None:
        # The hot path of a 100,000-row report: plain indexing, cached tokens.
        i_comp, i_gap, i_self, i_expected, i_role, i_unit, i_title, i_area = self._self_index
        comp = row[i_comp].strip()
        if not comp:
            raise self.source.error(N_("The competence id is empty."), line, i_comp)
        raw_gap = row[i_gap]
        if raw_gap:
            try:
                gap: int | None = int(raw_gap)
            except ValueError:
                gap = self._int(row, i_gap, line)
        else:
            gap = None
        self_text = row[i_self].strip()
        expected_text = row[i_expected].strip()
        tokens = self._tokens
        self_token = (tokens.get(self_text) or self._token(self_text)) \
            if gap is not None and self_text else None
        expected_token = (tokens.get(expected_text) or self._token(expected_text)) \
            if expected_text else None
        # Evidence for the level scale, counted on flat keys of strings (cheap to hash) and
        # turned into level tokens once, at the end of the file.
        if self_token is not None and expected_token is not None:
            self._label_edges[(expected_text, self_text, gap)] += 1
        previous = None
        if state:
            info = (self._info if state is self._info_for else self._state_info(state)).get(comp)
            if info is not None:
                expected_id, rating_id, previous = info
                if expected_id is not None and expected_token is not None:
                    self._id_edges[(expected_id, expected_text)] += 1
                if rating_id is not None and self_token is not None:
                    self._id_edges[(rating_id, self_text)] += 1
                if self_token is None:
                    previous = None
        rating = Rating(learner, row[i_role].strip(),
                        row[i_unit].strip() if i_unit is not None else "", comp,
                        row[i_title].strip() if i_title is not None else "",
                        row[i_area].strip() if i_area is not None else "",
                        self_token, expected_token, gap, self_text, expected_text, previous)
        if sink.rating is not None:
            sink.rating(rating)
        if sink.identities is not None:
            sink.identities(username, rating)

    def _token(self, text: str) -> levels.Token:
        token = self._tokens[text] = levels.label(text)
        return token

    def _state_info(self, state: dict) -> dict:
        """Per competence of the learner's current assessment: (expected level id, rated
        level id, previous-round evidence); computed once per learner."""
        if state is self._info_for:
            return self._info
        self._info_for, self._info = state, {}
        stored = competency_report.read_assessments(state)   # the block's own reader
        current, before = stored.current, stored.previous
        if current is None:
            return self._info
        if before is not None and before.role != current.role:
            before = None  # a change of role: the gaps are not comparable
        then_expected = before.expected if before else {}
        then_ratings = before.ratings if before else {}
        ratings = current.ratings
        for comp, expected in current.expected.items():
            rating = ratings.get(comp)
            previous = None
            e, r = then_expected.get(comp), then_ratings.get(comp)
            if isinstance(e, str) and isinstance(r, str) and r != DONT_KNOW_ID:
                previous = ("pair", levels.level_id(e), levels.level_id(r))
            self._info[comp] = (
                expected if isinstance(expected, str) else None,
                rating if isinstance(rating, str) and rating != DONT_KNOW_ID else None,
                previous)
        return self._info

    # ---- quiz ------------------------------------------------------------------------------
    def _quiz_row(self, sink: Sink, line: int, row: list[str], learner: int, block: str,
                  title: str) -> None:
        cols = self.columns
        number = self._int(row, cols.attempt, line)
        if number is None:
            raise self.source.error(N_("The attempt number is empty."), line, cols.attempt)
        responses = []
        for _n, q_index, a_index, c_index in cols.questions:
            question = self._value(row, q_index)
            if not question:
                continue
            qid, _sep, prompt = question.partition(": ")
            correct_text = self._value(row, c_index)
            correct = parse_bool(correct_text)
            if correct is None:
                raise self.source.error(
                    N_("\"{value}\" is neither yes nor no."), line, c_index, value=correct_text)
            answer = self._value(row, a_index)
            options = tuple(o.strip() for o in answer.split(ANSWER_SEPARATOR) if o.strip())
            responses.append(Response(qid.strip(), prompt.strip(), correct, options))
        if not responses or sink.attempt is None:
            return
        criterion = sink.criterion(learner) if sink.criterion is not None else None
        sink.attempt(Attempt(learner, block, title, number, responses, criterion))

    # ---- atlas -----------------------------------------------------------------------------
    def _atlas_row(self, sink: Sink, line: int, row: list[str], learner: int, block: str,
                   state: dict, new_run: bool) -> None:
        a = self.columns.atlas
        scenario = self._value(row, a["scenario"])
        pick = self._value(row, a["pick"])
        label = self._value(row, a["pick_label"])
        if pick and label:
            sink.pick_labels.setdefault(pick, label)
        correct_text = self._value(row, a["correct"])
        correct = parse_bool(correct_text) if correct_text else None
        if correct_text and correct is None:
            raise self.source.error(N_("\"{value}\" is neither yes nor no."), line,
                                    a["correct"], value=correct_text)
        attempts = self._int(row, a["attempts"], line) or 0
        stored = read_progress(state.get("progress")) if state else None
        progress = stored.entries.get(scenario) if stored is not None else None
        picks = progress.picks if progress is not None else None
        if picks:
            wrong = tuple(dict.fromkeys(p["id"] for p in picks
                                        if not p.get("correct") and p["id"]))
        else:
            wrong = (pick,) if pick and correct is False else ()
        if sink.outcome is not None:
            sink.outcome(ScenarioOutcome(
                learner=learner, block=block, scenario=scenario,
                prompt=self._value(row, a["prompt"]), attempts=attempts,
                searches=self._int(row, a["searches"], line) or 0,
                solved=bool(parse_bool(self._value(row, a["solved"]))),
                final_correct=correct if attempts else None, wrong_picks=wrong))
        if new_run and sink.gap is not None:
            for entry in (state.get("gap_log") or [])[:200]:
                if isinstance(entry, dict) and entry.get("query"):
                    expected = entry.get("expected") or ()
                    sink.gap(SearchGap(learner, str(entry.get("kind", "")),
                                       str(entry["query"]), str(entry.get("scenario", "")),
                                       tuple(str(t) for t in expected if t)))


@dataclass
class Enrolment:
    enrolled: int = 0
    rows: int = 0
    grades: dict[int, float] = field(default_factory=dict)


class GradeReportReader:
    """Streams a grade report: learners enrolled, and each learner's course grade (0..1)."""

    def __init__(self, path: str, hasher: Callable[[str], int],
                 on_progress: Callable[[int], None] | None = None) -> None:
        self.source = CsvFile(path, on_progress)
        header = self.source.header
        if kind_of(header) != KIND_GRADES:
            self.source.close()
            raise ReportInputError(
                N_("This is not an Open edX grade report: the header needs the columns "
                   "Student ID, Email, Username and Grade."), path, line=header.line)
        self.username = header.index("username")
        self.grade = header.index("grade")
        self.status = header.index("enrollment status")
        self.hasher = hasher

    def read(self, keep_grades: bool = False) -> Enrolment:
        result = Enrolment()
        for line, row in self.source.rows():
            result.rows += 1
            status = row[self.status].strip().casefold() if self.status is not None else ""
            if status in ("", "enrolled"):
                result.enrolled += 1
            try:
                grade = parse_float(row[self.grade])
            except ValueError as exc:
                raise self.source.error(N_("\"{value}\" is not a number."), line, self.grade,
                                        value=row[self.grade]) from exc
            if grade is not None and not 0 <= grade <= 1:
                if 0 <= grade <= 100:
                    grade /= 100  # a sheet that was saved with percentages
                else:
                    raise self.source.error(N_("\"{value}\" is not a grade between 0 and 1."),
                                            line, self.grade, value=row[self.grade])
            if keep_grades and grade is not None:
                result.grades[self.hasher(row[self.username].strip())] = grade
        return result
