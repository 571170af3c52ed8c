"""Data-security quiz block (OLX tag ``data_security_quiz``).

Thin XBlock layer over :mod:`competency_xblock.quiz_engine`: fields, views and handlers.
Grading happens here on the server only; the browser receives the learner-safe projections of
``quiz_engine.views`` and nothing else (no keys, no correctness before the show-answer policy
allows it).  Attempts carry their number, so repeated or concurrent submits are idempotent.
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections import OrderedDict

import nh3
from xblock.core import XBlock
from xblock.fields import Boolean, Dict, Float, Integer, List, Scope, String
from xblock.scorable import ScorableXBlockMixin, Score
from xblock.validation import ValidationMessage

from competency_xblock.core import xapi_events
from competency_xblock.core.base import CompetencyBlockBase, render_template
from competency_xblock.core.deadline import Deadline, block_deadline, closed_message
from competency_xblock.core.fields import OwnInteger
from competency_xblock.core.grading import WeightedMixin
from competency_xblock.core.handlers import json_api
from competency_xblock.core.olx import AuthoredOlxMixin, JsonDict
from competency_xblock.core.studio import StudioMixin
from competency_xblock.quiz_engine import attempts
from competency_xblock.quiz_engine.bank import (
    bank_from_dict,
    bank_to_dict,
    default_bank_data,
    validate_bank,
    with_bank_details,
)
from competency_xblock.quiz_engine.draw import Draw, draw_size
from competency_xblock.quiz_engine.exporters import export_gift, export_olx
from competency_xblock.quiz_engine.importers import import_data, merge_into_bank
from competency_xblock.quiz_engine.model import HTML, Bank
from competency_xblock.quiz_engine.report import attempt_rows
from competency_xblock.quiz_engine.settings import (
    AFTER_SUBMIT,
    QuizSettings,
    settings_problems,
)
from competency_xblock.quiz_engine.views import attempt_view, result_view
from competency_xblock.text import N_, NP_, UserFacingError

log = logging.getLogger(__name__)

UI_TEXT = {
    "heading": N_("Data-security quiz"),
    "loading": N_("Loading the questions…"),
    "question_of": N_("Question {n} of {total}"),
    "attempt_of": N_("Attempt {n} of {max}."),
    "attempt_unlimited": N_("Attempt {n}."),
    "threshold": N_("You need {percent}% to pass."),
    "pick_one": N_("Choose one answer."),
    "pick_many": N_("Choose all answers that apply."),
    "submit": N_("Submit answers"),
    "submitting": N_("Submitting…"),
    "unanswered": NP_("You have not answered {count} question. Submit anyway?",
                      "You have not answered {count} questions. Submit anyway?"),
    "result_heading": N_("Your result"),
    "score": NP_("You scored {earned} of {possible} point ({percent}%).",
                 "You scored {earned} of {possible} points ({percent}%)."),
    "passed": N_("Passed."),
    "failed": N_("Not passed."),
    "your_answer": N_("Your answer:"),
    "no_answer": N_("(not answered)"),
    "correct": N_("Correct."),
    "incorrect": N_("Not correct."),
    "partly": N_("Partly correct ({percent}% credit)."),
    "correct_answer": N_("Correct answer:"),
    "feedback": N_("Feedback:"),
    "explanation": N_("Explanation:"),
    "answers_hidden": N_("The correct answers are not shown at this point."),
    "try_again": N_("Try again"),
    "attempts_left": N_("Attempts left: {count}."),
    "no_attempts_left": N_("You have used all your attempts."),
    "grade_best": N_("Your best attempt counts."),
    "grade_last": N_("Your last attempt counts."),
    "counting": N_("The score that counts now: {percent}%."),
    "error": N_("Something went wrong. Please try again."),
    "scenario": N_("Situation"),
    # The bank changed after this attempt was submitted (``views.result_view``).
    "removed_choice": N_("(a choice the course team has since removed)"),
    "key_changed": N_("The course team has changed how this question is marked since you "
                      "submitted: above, your answer is marked the new way. Your score still "
                      "counts it as it was marked then ({percent}% credit) until the course "
                      "team rescores the quiz."),
    "answer_removed": N_("The course team has changed this question since you submitted: a "
                         "choice you picked is no longer part of it. Your answer keeps the "
                         "marks it had then ({percent}% credit)."),
    "pending": NP_("The course team has changed how {count} question of this attempt is "
                   "marked. Your score is the one you got when you submitted; it changes when "
                   "the course team rescores the quiz.",
                   "The course team has changed how {count} questions of this attempt are "
                   "marked. Your score is the one you got when you submitted; it changes when "
                   "the course team rescores the quiz."),
    "withdrawn": NP_("{count} question of this attempt has since been removed from the quiz "
                     "and is not shown.",
                     "{count} questions of this attempt have since been removed from the quiz "
                     "and are not shown."),
}

#: After the deadline (the LMS's due date plus grace period): shown on the block and as the
#: answer to a refused request.
QUIZ_CLOSED = N_("This quiz closed on {date}. You can no longer start or submit an attempt.")
QUIZ_CLOSED_UNDATED = N_("This quiz has closed. You can no longer start or submit an attempt.")

STUDIO_TEXT = {
    "import_heading": N_("Import questions"),
    "import_help": N_("Paste GIFT, Moodle XML or Open edX problem OLX. Questions that cannot be "
                      "imported are listed with their line."),
    "format": N_("Format"),
    "auto": N_("Detect automatically"),
    "fmt_gift": N_("GIFT"),
    "fmt_moodle": N_("Moodle XML"),
    "fmt_capa": N_("Open edX problem OLX (CAPA)"),
    "problems": N_("Not imported or changed:"),
    "failed": N_("The import failed:"),
    "topic": N_("Topic for imported questions (optional)"),
    "replace": N_("Replace the whole bank"),
    "dry_run": N_("Check only (do not save)"),
    "import": N_("Import"),
    "export_heading": N_("Export questions"),
    "export_gift": N_("Export as GIFT"),
    "export_olx": N_("Export as OLX"),
    "imported": NP_("{count} question imported.", "{count} questions imported."),
}

#: What a learner may see of a stored HTML text: the author's markup minus anything active.
ALLOWED_TAGS = {"p", "br", "b", "strong", "i", "em", "u", "ul", "ol", "li", "blockquote", "pre",
                "code", "span", "div", "table", "thead", "tbody", "tr", "th", "td", "img", "a",
                "h3", "h4", "h5", "sub", "sup", "hr"}


def _sanitise(view: dict) -> dict:
    """Clean author HTML in a learner view (plain texts are escaped by the JavaScript)."""
    if view.get("format") != HTML:
        return view
    clean = {"tags": ALLOWED_TAGS, "attributes": {"img": {"src", "alt"}, "a": {"href"},
                                                  "td": {"colspan", "rowspan"},
                                                  "th": {"colspan", "rowspan", "scope"}}}

    def fix(text):
        return nh3.clean(text, **clean) if isinstance(text, str) else text

    for key in ("scenario", "prompt", "explanation"):
        if key in view:
            view[key] = fix(view[key])
    for choice in view.get("choices", ()):
        choice["text"] = fix(choice["text"])
    for item in view.get("feedback", ()):
        item["text"] = fix(item["text"])
    return view


#: Validated banks by content digest, shared by all block instances of the process.  Schema
#: validation costs milliseconds per question and the runtime builds a new block for every
#: request, so without this each learner request re-validated the whole bank (0.2 s for the
#: default bank, seconds for a bank at its 2,000-question limit).
_BANKS: OrderedDict[str, Bank] = OrderedDict()
_BANKS_KEPT = 16
#: The settings that grade a submitted attempt and shape its result (``attempts.submit``,
#: ``status``, ``final_score``, the result view, the xAPI statement).  The others
#: (draw mode, size, topics, shuffling) only matter when an attempt is opened.
GRADING_FIELDS = ("pass_threshold", "max_attempts", "grade_policy", "show_answer",
                  "show_explanations")


def _checked_bank(key: str, data) -> Bank:
    """``data``: the bank's dict, or a function returning it (called only on a cache miss)."""
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    bank = _BANKS.get(digest)
    if bank is None:
        data = data() if callable(data) else data
        problems = validate_bank(data)
        if problems:
            raise UserFacingError(N_("The quiz is not set up correctly; please tell the "
                                     "course team. ({detail})"), detail=problems[0].render())
        bank = bank_from_dict(data)
        _BANKS[digest] = bank
        while len(_BANKS) > _BANKS_KEPT:
            _BANKS.popitem(last=False)
    return bank


class DataSecurityQuizXBlock(AuthoredOlxMixin, StudioMixin, WeightedMixin, ScorableXBlockMixin,
                             CompetencyBlockBase):
    """Data-security quiz: seeded draws from a bank, server-side grading, limited attempts."""

    display_name = String(
        display_name="Display name",
        help="The name learners see in the course navigation and as the block heading.",
        scope=Scope.settings,
        default="Data-security quiz",
    )
    bank = JsonDict(
        display_name="Question bank",
        help="The question bank as JSON (see the quiz-bank schema). Leave empty to use the "
             "default Danish and English bank.",
        scope=Scope.content,
        default={},
        xml_node=True,
    )
    draw_mode = String(
        display_name="Draw questions",
        help="overall: the number below is drawn from the whole bank; per_topic: that many "
             "from every topic.",
        scope=Scope.settings,
        default="overall",
        values=({"display_name": "Overall", "value": "overall"},
                {"display_name": "Per topic", "value": "per_topic"}),
    )
    questions_per_attempt = Integer(
        display_name="Questions per attempt",
        help="How many questions each attempt draws (per topic when drawing per topic); "
             "0 means all.",
        scope=Scope.settings,
        default=10,
    )
    topics = List(
        display_name="Topics",
        help="Only draw from these topic ids; empty means every topic.",
        scope=Scope.settings,
        default=[],
    )
    shuffle_questions = Boolean(
        display_name="Shuffle questions",
        help="Show the drawn questions in a random order.",
        scope=Scope.settings,
        default=True,
    )
    shuffle_choices = Boolean(
        display_name="Shuffle choices",
        help="Show the choices of each question in a random order (true/false keeps its order).",
        scope=Scope.settings,
        default=True,
    )
    pass_threshold = Float(
        display_name="Pass threshold (%)",
        help="The percentage of points a learner needs to pass (0-100).",
        scope=Scope.settings,
        default=80.0,
    )
    # Open edX would otherwise give it the course-wide CAPA "Maximum Attempts" (core/fields.py).
    max_attempts = OwnInteger(
        display_name="Attempts",
        help="How many attempts a learner has; 0 means unlimited.",
        scope=Scope.settings,
        default=3,
    )
    grade_policy = String(
        display_name="Grade policy",
        help="best: the best attempt counts; last: the last attempt counts.",
        scope=Scope.settings,
        default="best",
        values=({"display_name": "Best attempt", "value": "best"},
                {"display_name": "Last attempt", "value": "last"}),
    )
    show_answer = String(
        display_name="Show correct answers",
        help="When learners may see the correct answers: never, after passing, after the last "
             "attempt, or always (with every result).",
        scope=Scope.settings,
        default="after_last_attempt",
        values=({"display_name": "Never", "value": "never"},
                {"display_name": "After passing", "value": "after_passing"},
                {"display_name": "After the last attempt", "value": "after_last_attempt"},
                {"display_name": "Always", "value": "always"}),
    )
    show_explanations = String(
        display_name="Show explanations",
        help="after_submit: explanations and the feedback on the chosen answers after every "
             "submitted attempt; with_answers: only when the correct answers are shown.",
        scope=Scope.settings,
        default="after_submit",
        values=({"display_name": "After every submit", "value": "after_submit"},
                {"display_name": "With the correct answers", "value": "with_answers"}),
    )

    quiz_state = Dict(
        help="This learner's attempts: draws, answers (choice ids) and results, and the "
             "score that counts.",
        scope=Scope.user_state,
        default={},
    )
    # Earlier versions kept the score in these two fields; it now lives in ``quiz_state``
    # ("score"), so a submit writes one field.  Still read for state saved by them.
    raw_earned = Float(help="Raw points of the attempt that counts (earlier versions).",
                       scope=Scope.user_state, default=None)
    raw_possible = Float(help="Raw points possible in that attempt (earlier versions).",
                         scope=Scope.user_state, default=None)
    # The LMS's per-learner "Reset Student Attempts" (instructor dashboard, Staff Debug) sets
    # the ``attempts`` key of the learner's state to 0: that is this field.  The block never
    # writes it on a submit (the attempts live in ``quiz_state``); it reads it only where it
    # can matter (``_lms_reset``) and, when it finds 0, records the reset in ``quiz_state``
    # and clears it, so that the next reset works again.
    attempts = Integer(help="Set to 0 by the LMS's Reset Student Attempts; cleared once the "
                            "quiz has recorded the reset.",
                       scope=Scope.user_state, default=None)

    editable_fields = ("display_name", "weight", "questions_per_attempt", "draw_mode", "topics",
                       "shuffle_questions", "shuffle_choices", "pass_threshold", "max_attempts",
                       "grade_policy", "show_answer", "show_explanations", "bank")
    css_files = ("public/css/common.css", "public/css/quiz.css")
    js_files = ("public/js/common.js", "public/js/quiz.js")
    js_init = "DataSecurityQuizInit"

    def __repr__(self):
        # XBlock's default repr lists every field (the bank with its keys, learner state);
        # pages such as the workbench's debug panel print it, so keep it short.
        return f"<{type(self).__name__} {self.scope_ids.usage_id}>"

    # ---- content ---------------------------------------------------------------------------
    def bank_data(self) -> dict:
        return self.peek("bank") or default_bank_data()

    def question_bank(self) -> Bank:
        cached = getattr(self, "_bank_cache", None)
        stored = self.peek("bank")
        key = json.dumps(stored, sort_keys=True) if stored else "default"
        if cached is None or cached[0] != key:
            # The shipped bank (100 KB of JSON) is only read when it is not cached yet.
            cached = (key, _checked_bank(key, lambda: stored or default_bank_data()))
            self._bank_cache = cached
        return cached[1]

    def settings_data(self) -> dict:
        return {
            "draw_mode": self.draw_mode,
            "questions_per_attempt": self.questions_per_attempt,
            "topics": list(self.topics or []),
            "shuffle_questions": self.shuffle_questions,
            "shuffle_choices": self.shuffle_choices,
            "pass_threshold": self.pass_threshold,
            "max_attempts": self.max_attempts,
            "grade_policy": self.grade_policy,
            "show_answer": self.show_answer,
            "show_explanations": self.show_explanations,
        }

    def quiz_settings(self) -> QuizSettings:
        """The settings learners' requests use: a stored value out of range counts as its
        default (``QuizSettings.effective``); Studio's validation shows it to staff."""
        return QuizSettings.effective(self.settings_data())

    def grading_settings(self) -> QuizSettings:
        """The settings grading needs (:data:`GRADING_FIELDS`), without reading the draw
        settings from storage: for ``submit`` only, which never opens an attempt."""
        return QuizSettings.effective({name: getattr(self, name) for name in GRADING_FIELDS})

    # ---- grading (LMS semantics) -----------------------------------------------------------
    def max_score(self):
        """Raw points possible from content alone (the LMS calls this on an unbound block)."""
        try:
            size = draw_size(self.question_bank(), self.quiz_settings())
        except (UserFacingError, ValueError, TypeError):
            return None
        return size or None

    def has_submitted_answer(self) -> bool:
        """Whether an attempt was submitted (False while the stored attempts cannot be read:
        an LMS rescore then changes nothing, as for a learner without attempts)."""
        return bool(attempts.read_state(self.peek("quiz_state")).attempts)

    def get_score(self) -> Score:
        stored = attempts.stored_score(self.peek("quiz_state"))
        if stored is not None:
            return Score(*stored)
        if self.raw_earned is not None and self.raw_possible is not None:  # earlier versions
            return Score(float(self.raw_earned), float(self.raw_possible))
        return Score(0.0, float(self.max_score() or 0))

    def set_score(self, score: Score) -> None:
        self.quiz_state = attempts.with_score(self.peek("quiz_state"), score.raw_earned,
                                              score.raw_possible)

    def calculate_score(self) -> Score:
        """The score the stored answers earn against the current key (pure: no state change)."""
        settings = self.quiz_settings()
        rescored = attempts.rescore(self.peek("quiz_state"), self.question_bank(), settings)
        final = attempts.final_score(rescored, settings)
        if final is None:
            return Score(0.0, float(self.max_score() or 0))
        return Score(float(final[0]), float(final[1]))

    def rescore(self, only_if_higher):
        """Rescore after an author fixed a key: update the stored results, grade and score."""
        if not self.allows_rescore():  # as ScorableXBlockMixin.rescore
            raise TypeError("This quiz does not allow rescoring.")
        if not self.has_submitted_answer():
            raise ValueError("Cannot rescore an unanswered quiz.")
        new_score = self.calculate_score()
        old = self.get_score()
        self.quiz_state = attempts.rescore(self.peek("quiz_state"), self.question_bank(),
                                           self.quiz_settings())
        if not only_if_higher or new_score.raw_earned >= old.raw_earned:
            self.set_score(new_score)
        self._publish_grade(new_score, only_if_higher)
        self.save()

    # ---- learner views ---------------------------------------------------------------------
    @XBlock.supports("multi_device")
    def student_view(self, context=None):
        text = self.ui_text(UI_TEXT)
        settings = self.quiz_settings()
        js_args = {
            "text": text,
            "dom_id": self.dom_id,
            "max_attempts": settings.max_attempts,
            "pass_threshold": settings.pass_threshold,
            "threshold_text": self.format_number(settings.pass_threshold),
            "grade_policy": settings.grade_policy,
        }
        deadline = block_deadline(self)
        closed = self._closed(deadline).render(self.gettext) if deadline.passed else ""
        return self.fragment("quiz.html", {"text": text, "title": self.title(),
                                           "closed": closed}, js_args)

    def student_view_data(self, context=None):
        """For the mobile apps (collected once, without a user): what the quiz is, never the
        questions' keys, feedback or explanations.  Each learner's questions are drawn per
        attempt by the ``load``/``retry`` handlers and graded by ``submit`` on the server."""
        data = {"block_type": "data_security_quiz", "display_name": self.title(),
                "weight": self.weight, "max_score": self.max_score(),
                "settings": self.settings_data(), "available": True}
        try:
            bank = self.question_bank()
        except UserFacingError:
            return {**data, "available": False}
        topics = self.bank_data().get("topics") or []
        return {**data,
                "bank": {"title": self.bank_data().get("title", ""),
                         "languages": list(self.bank_data().get("languages") or []),
                         "questions": len(bank.questions),
                         "topics": [{"id": t.get("id"), "title": t.get("title")}
                                    for t in topics if isinstance(t, dict)]}}

    def _read(self) -> attempts.ReadState:
        """The learner's stored attempts, read once per request (``attempts.read_state``);
        what cannot be read is logged (without learner data)."""
        read = attempts.read_state(self.peek("quiz_state"))
        if read.problems:
            log.warning("Quiz %s: stored learner state partly unreadable: %s",
                        self.scope_ids.usage_id, "; ".join(read.problems))
        return read

    def _lms_reset(self, read: attempts.ReadState) -> attempts.ReadState:
        """Apply a pending LMS "Reset Student Attempts" (the stored ``attempts`` field is 0):
        the attempts submitted so far no longer count against the limit (``reset_at`` in
        ``quiz_state``, every attempt kept) and the field is cleared, in this request.  Any
        other stored value (None, negative, not a whole number) is no reset and changes
        nothing; so does a state that cannot be read (staff delete it instead)."""
        try:
            stored = self._field_data.get(self, "attempts")  # raw: "0" or 0.0 are no reset
        except KeyError:
            return read
        except Exception:  # noqa: BLE001 - a store that cannot read it: no reset
            log.warning("Quiz %s: the stored attempts field cannot be read",
                        self.scope_ids.usage_id)
            return read
        if type(stored) is not int or stored != 0 or not read.readable:
            return read
        state = attempts.reset_attempts(read)
        self.quiz_state = state
        self.attempts = None
        log.info("Quiz %s: attempts reset by staff after %d submitted attempts",
                 self.scope_ids.usage_id, len(read.attempts))
        return attempts.read_state(state)

    def _status(self, settings: QuizSettings, read: attempts.ReadState,
                deadline: Deadline | None = None) -> dict:
        deadline = deadline or block_deadline(self)
        status = attempts.status(read, settings)
        final = status.final
        return {
            "submitted": status.submitted,
            "attempts_left": status.attempts_left,
            "max_attempts": settings.max_attempts,
            "can_attempt": status.can_attempt and not deadline.passed,
            "passed": status.passed_any,
            "final_percent": final.percent if final else None,
            "pass_threshold": settings.pass_threshold,
            "grade_policy": settings.grade_policy,
            "answers_revealed": status.answers_visible,
            # The LMS deadline: once it has passed nothing can be opened or submitted.
            "closed": deadline.passed,
            "close_date": deadline.close_date.isoformat() if deadline.close_date else None,
            # Why nothing can be opened although attempts may be left (shown by quiz.js).
            "notice": None if status.readable else self.gettext(attempts.UNREADABLE),
        }

    def _closed(self, deadline: Deadline) -> UserFacingError:
        """Why nothing can be opened or submitted any more (HTTP 400 from a handler)."""
        return closed_message(deadline, QUIZ_CLOSED, QUIZ_CLOSED_UNDATED, self.language)

    def _result_view(self, bank: Bank, settings: QuizSettings, read: attempts.ReadState,
                     record: attempts.StoredAttempt | None) -> dict | None:
        """A submitted attempt's result (None when there is none to show: its stored record
        cannot be read)."""
        if record is None:
            return None
        reveal = attempts.status(read, settings).answers_visible
        explanations = settings.show_explanations == AFTER_SUBMIT or reveal
        view = result_view(bank, record.draw, record.result, record.number,
                           self.language, reveal=reveal, explanations=explanations)
        view["questions"] = [_sanitise(q) for q in view["questions"]]
        # Numbers as the learner's language writes them (Danish: decimal comma).
        for key in ("earned", "possible", "percent"):
            view[f"{key}_text"] = self.format_number(view[key])
        for question in view["questions"]:
            for key in ("credit", "stored_credit"):
                if key in question:
                    question[f"{key}_text"] = self.format_number(question[key] * 100)
        return view

    def _attempt_view(self, bank: Bank, record: dict) -> dict:
        view = attempt_view(bank, Draw.from_dict(record["draw"]), int(record["number"]),
                            self.language)
        view["questions"] = [_sanitise(q) for q in view["questions"]]
        return view

    def _open(self, bank: Bank, settings: QuizSettings, read: attempts.ReadState):
        """The open attempt (drawn and stored if needed), or None; opening changes nothing
        that ``read`` tells about submitted attempts."""
        before = read.open or {}
        state, record = attempts.open_attempt(read, bank, settings, self.learner_id(),
                                              str(self.scope_ids.usage_id))
        if record is not None and (record.get("number") != before.get("number")
                                   or record.get("draw") != before.get("draw")):
            record[xapi_events.OPENED_AT] = xapi_events.now_iso()  # a new draw: xAPI duration
        if state is not read.stored and state != (read.stored or {}):
            self.quiz_state = state
        return record

    @json_api(None)
    def load(self, data, suffix=""):
        """The learner's current view: the open attempt, or the last result.

        Opens (and stores) the first attempt on the first visit, so a reload shows the same
        questions; later attempts are opened by ``retry``.  After the deadline nothing is
        opened or redrawn (and an open attempt is not shown): the last result, if any.
        Stored attempts that cannot be read open nothing (``status.notice`` says why).
        """
        bank, settings = self.question_bank(), self.quiz_settings()
        deadline = block_deadline(self)
        read = self._lms_reset(self._read())
        record = None
        if not deadline.passed and read.readable and (read.has_open or not read.attempts):
            # Also for an open attempt: one whose questions the author has since removed from
            # the bank, or whose stored record cannot be read, is drawn again
            # (``attempts.open_attempt``).
            record = self._open(bank, settings, read)
        return {
            "status": self._status(settings, read, deadline),
            "attempt": self._attempt_view(bank, record) if record else None,
            "result": None if record else self._result_view(bank, settings, read,
                                                            read.last_usable()),
        }

    @json_api("quiz-retry")
    def retry(self, data, suffix=""):
        """Open the next attempt (idempotent: asking twice returns the same questions);
        refused after the deadline, and while the stored attempts cannot be read."""
        deadline = block_deadline(self)
        if deadline.passed:
            raise self._closed(deadline)
        bank, settings = self.question_bank(), self.quiz_settings()
        wanted = data["attempt"]
        read = self._read()
        if not read.readable:
            raise UserFacingError(attempts.UNREADABLE, path="/attempt")
        if read.has_open and (read.open or {}).get("number") == wanted:
            record = self._open(bank, settings, read)  # the same one, or redrawn if stale
            return {"status": self._status(settings, read, deadline),
                    "attempt": self._attempt_view(bank, record) if record else None,
                    "result": None}
        if not attempts.status(read, settings).can_attempt:
            read = self._lms_reset(read)  # read only when it would refuse: a staff reset?
        if not attempts.status(read, settings).can_attempt:
            raise UserFacingError(N_("You have used all your attempts."), path="/attempt")
        expected = len(read.attempts) + 1
        if wanted != expected:
            raise UserFacingError(N_("Attempt {number} cannot be started; reload the page."),
                                  path="/attempt", number=wanted)
        record = self._open(bank, settings, read)
        return {"status": self._status(settings, read, deadline),
                "attempt": self._attempt_view(bank, record), "result": None}

    @json_api("quiz-submit")
    def submit(self, data, suffix=""):
        """Grade an attempt on the server; publish grade and completion once per attempt.

        After the deadline only a replay (the same answers to an attempt submitted in time: a
        double click, a retried request) is answered, with the stored result; anything else
        is refused before it changes, grades or sends anything.  The stored state is read
        once (``attempts.read_state``); the submit says what the new state reads as."""
        self.read_fields("bank", *GRADING_FIELDS, "quiz_state")  # one storage read each
        bank, settings = self.question_bank(), self.grading_settings()
        read = self._read()
        number = data.get("attempt") if isinstance(data, dict) else None
        if read.readable and attempts.attempts_left(read, settings) == 0 \
                and isinstance(number, int) and number > len(read.attempts):
            read = self._lms_reset(read)  # read only when it would refuse: a staff reset?
        opened = read.open or {}
        deadline = block_deadline(self)
        try:
            done = attempts.submit_attempt(read, bank, settings, data["attempt"],
                                           data["answers"])
        except UserFacingError:
            if deadline.passed:  # what the learner needs to know is that the quiz closed
                raise self._closed(deadline) from None
            raise
        if deadline.passed and not done.replayed:
            raise self._closed(deadline)
        result = done.result
        if not done.replayed:
            earned, possible = attempts.final_score(done.read, settings)
            self.quiz_state = attempts.with_score(done.state, earned, possible)  # one write
            self._publish_grade(Score(earned, possible), only_if_higher=False)
            self.publish_completion(1.0)
            self.publish_event("quiz.submitted", {
                "attempt": data["attempt"], "earned": result.earned,
                "possible": result.possible, "percent": result.percent,
                "passed": result.passed, "learner": self.learner_id(),
            })
            self.publish_xapi(lambda: xapi_events.quiz_attempt(
                self, bank, settings, data["attempt"], result, opened))
        return {"status": self._status(settings, done.read, deadline), "attempt": None,
                "result": self._result_view(bank, settings, done.read,
                                            done.read.usable_attempt(data["attempt"])),
                "replayed": done.replayed}

    # ---- reports ---------------------------------------------------------------------------
    def generate_report_data(self, user_state_iterator, limit_responses=None):
        """Problem Responses rows: one per learner and submitted attempt (content from the
        unbound block; learner data only from ``user_state_iterator``).

        A bank that does not validate (OLX import lets one in) gives no rows, as the other
        blocks do: one broken block must not fail the whole LMS report.  A learner record
        that cannot be read is marked in its row (``report.attempt_rows``)."""
        try:
            bank = self.question_bank()
        except UserFacingError as error:
            log.warning("Quiz %s: no report rows, the bank is not valid: %s",
                        self.scope_ids.usage_id, error)
            return
        count = 0
        for user_state in user_state_iterator:
            stored = user_state.state if isinstance(user_state.state, dict) else {}
            state = stored.get("quiz_state")
            for row in attempt_rows(bank, state, self.language, self.gettext):
                if limit_responses is not None and count >= limit_responses:
                    return
                count += 1
                yield user_state.username, OrderedDict(row)

    # ---- Studio ----------------------------------------------------------------------------
    def validate_field_data(self, validation, data):
        """Explain every problem before saving (bank and settings)."""
        bank_data = data.bank or default_bank_data()
        problems = list(validate_bank(bank_data))
        bank = bank_from_dict(bank_data) if not problems else None
        settings = {name: getattr(data, name) for name in self.settings_data()}
        problems += settings_problems(settings, bank)
        for problem in problems:
            validation.add(ValidationMessage(ValidationMessage.ERROR,
                                             problem.render(self.gettext)))

    def olx_problems(self):
        """Settings an imported block cannot work with (OLX import refuses them): out of
        range, or topics the bank does not have.  More questions per attempt than the bank
        holds is allowed here (every attempt then draws all of them)."""
        try:
            bank = self.question_bank()
        except UserFacingError:
            bank = None  # a broken bank is reported to staff when the block is shown
        return settings_problems(self.settings_data(), bank, check_size=False)

    def studio_view(self, context=None):
        """The standard field editor plus an import/export panel (bound by ``quiz.js``)."""
        fragment = super().studio_view(context)
        text = self.ui_text(STUDIO_TEXT)
        fragment.add_content(render_template("quiz_studio.html", {
            "text": text, "dom_id": self.dom_id,
            "import_url": self.runtime.handler_url(self, "import_questions"),
            "export_url": self.runtime.handler_url(self, "export_questions"),
            "text_json": json.dumps(text),
        }))
        for css in self.css_files:
            fragment.add_css_url(self.runtime.local_resource_url(self, css))
        for js in self.js_files:
            fragment.add_javascript_url(self.runtime.local_resource_url(self, js))
        return fragment

    @json_api("quiz-import", max_bytes=4 * 1024 * 1024, author_only=True)
    def import_questions(self, data, suffix=""):
        """Import GIFT / Moodle XML / CAPA into the bank; report what could not be imported.

        Replacing the bank keeps the choice ids of questions that come back (learners' stored
        answers refer to them) and reports what changes for learners' results."""
        fmt = None if data.get("format", "auto") == "auto" else data["format"]
        result = import_data(data["content"], fmt, filename=data.get("filename", ""))
        merged, notes = merge_into_bank(self.question_bank(), result,
                                        topic=data.get("topic") or None,
                                        replace_bank=bool(data.get("replace")))
        new_data, problems = with_bank_details(bank_to_dict(merged), self.bank_data(),
                                               replace=bool(data.get("replace")))
        if problems:
            raise UserFacingError(N_("The bank would not be valid after the import: {first}"),
                                  first=problems[0].render(self.gettext))
        if not data.get("dry_run") and result.questions:
            self.bank = new_data
        return {
            "imported": len(result.questions),
            "saved": bool(result.questions) and not data.get("dry_run"),
            "total": len(merged.questions),
            "problems": [{"position": p.position, "question": p.question, "kind": p.kind,
                          "message": p.render(self.gettext)} for p in result.problems + notes],
        }

    @json_api("quiz-export", author_only=True, read_only=True)
    def export_questions(self, data, suffix=""):
        """The bank as GIFT text, CAPA OLX files or bank JSON (for Studio's export buttons)."""
        bank = self.question_bank()
        lang = data.get("language") or self.language
        fmt = data.get("format", "gift")
        if fmt == "olx":
            return {"format": "olx", "files": export_olx(bank, lang)}
        if fmt == "json":
            return {"format": "json", "bank": self.bank_data()}
        return {"format": "gift", "text": export_gift(bank, lang)}

    # ---- demo ------------------------------------------------------------------------------
    @staticmethod
    def workbench_scenarios():
        return [
            ("Data-security quiz (default bank, 10 questions, 3 attempts)",
             '<data_security_quiz display_name="Datasikkerhed – test din viden"/>'),
            ("Data-security quiz: 2 per topic, answers always shown, unlimited attempts",
             '<data_security_quiz draw_mode="per_topic" questions_per_attempt="2" '
             'show_answer="always" max_attempts="0" grade_policy="last"/>'),
            # The demo runtime has the LMS's deadline fields (demo/deadlines.py).
            ("Data-security quiz: closed at its due date (1 January 2020)",
             '<data_security_quiz display_name="Datasikkerhed – lukket quiz" '
             'due="2020-01-01T00:00:00Z"/>'),
        ]
