"""Service atlas lookup block (OLX tag ``atlas_lookup``).

Thin XBlock layer over :mod:`competency_xblock.atlas`: fields, views and handlers.

Modes: ``lookup`` (an ungraded search box over the atlas) and ``exercise`` (authored
scenarios; the learner searches and refers each one to a unit or service; graded).

Where the atlas comes from: ``inline_atlas`` (small atlases stored in the block) or a named
atlas from ``XBLOCK_SETTINGS["competency_xblock"]["atlases"]`` (file path or URL, cached,
last good version kept; see :mod:`competency_xblock.atlas.sources`).  A broken source never
breaks the page: learners see a friendly message, staff see the error.

Counters for the staff list of candidate søgeord: each learner's no-hit searches and wrong
picks are kept in ``Scope.user_state`` (``gap_log``, bounded, one writer), the single source
of truth.  The staff list reads ``gap_mirror`` (``Scope.user_state_summary``): a bounded
tally of counts per normalised term, with no learner id, whose size does not grow with the
number of learners (see :mod:`competency_xblock.atlas.gaps`).  Each logged search subtracts
the learner's previous contribution (from their own log before the change) and adds the new
one, applied under the block-wide shared lock.  A stored value in the earlier per-learner
shape (hashed learner id -> newest entries) is read as it is and converted on the first
write.  The LMS report reads ``user_state`` directly and is always exact.
"""
from __future__ import annotations

import hashlib
import json
import logging
from html import escape

from xblock.core import XBlock
from xblock.fields import Dict, Float, Integer, List, Scope, String
from xblock.scorable import ScorableXBlockMixin, Score
from xblock.validation import ValidationMessage

from competency_xblock.atlas import gaps
from competency_xblock.atlas.exercise import Exercise, Progress, read_progress
from competency_xblock.atlas.index import get_index
from competency_xblock.atlas.kle import SHIPPED_VERSION, atlas_drift, drift_summary
from competency_xblock.atlas.model import AtlasValidationError, content_digest
from competency_xblock.atlas.redact import has_identifier
from competency_xblock.atlas.report import progress_rows
from competency_xblock.atlas.search import STATUS_OK
from competency_xblock.atlas.search import search as run_search
from competency_xblock.atlas.sources import SourceState, load_inline, registry_for
from competency_xblock.atlas.views import answer_labels, result_view, scenario_views
from competency_xblock.core import xapi_events
from competency_xblock.core.base import CompetencyBlockBase
from competency_xblock.core.deadline import Deadline, block_deadline, closed_message
from competency_xblock.core.fields import OwnInteger
from competency_xblock.core.grading import WeightedMixin
from competency_xblock.core.handlers import defer_shared_update, json_api
from competency_xblock.core.olx import AuthoredOlxMixin, JsonDict
from competency_xblock.core.resources import load_text
from competency_xblock.core.studio import StudioMixin
from competency_xblock.text import N_, NP_, UserFacingError, pick_language

log = logging.getLogger(__name__)

MODE_LOOKUP = "lookup"
MODE_EXERCISE = "exercise"
DEFAULT_ATLAS = "eksempel-kommune"
DEFAULT_SCENARIOS = "data/atlas/eksempel-kommune-scenarios.json"

UI_TEXT = {
    "heading": N_("Service atlas lookup"),
    "search_label": N_("Search the service atlas"),
    "search_help": N_("Type what the citizen or business asks about, a søgeord or a KLE "
                      "number (for example 23.05)."),
    "search_button": N_("Search"),
    "searching": N_("Searching…"),
    "results": N_("Results"),
    "unit": N_("Handled by"),
    "kle": N_("KLE"),
    "keywords": N_("Søgeord"),
    "referral": N_("Referral notes"),
    "phone": N_("Phone"),
    "email": N_("E-mail"),
    "secure_mail": N_("Secure mail"),
    "address": N_("Address"),
    "opening_hours": N_("Opening hours"),
    "web": N_("Web page"),
    "did_you_mean": N_("Showing results for: {words}"),
    "identifier_note": N_("Search for the task, not the person: CPR numbers, e-mail addresses "
                          "and phone numbers are not kept with your searches."),
    "unavailable": N_("The service atlas is not available right now. Please try again later."),
    "error": N_("Something went wrong. Please try again."),
    "scenario": N_("Scenario {n} of {total}"),
    "scenarios": N_("Scenarios"),
    "task": N_("Find where to refer this person, then choose the unit or the service."),
    "pick_service": N_("Choose this service"),
    "pick_unit": N_("Choose the unit: {unit}"),
    "correct": N_("Correct."),
    "incorrect": N_("Not correct."),
    "hint": N_("Hint:"),
    "explanation": N_("Explanation:"),
    "answer": N_("The right place:"),
    "attempts_left": N_("Attempts left: {count}."),
    "no_attempts_left": N_("No attempts left for this scenario."),
    "next": N_("Next scenario"),
    "previous": N_("Previous scenario"),
    "solved": N_("Solved"),
    "not_solved": N_("Not solved"),
    "open": N_("Not finished"),
    "unreadable_status": N_("Cannot be read"),
    # = exercise.SCENARIO_UNREADABLE, the refused pick's answer (a test keeps them equal)
    "unreadable": N_("Your earlier answers to this scenario cannot be read, so it cannot be "
                     "answered now. Please tell the course team; nothing has been changed."),
    "score": NP_("Your score: {earned} of {possible} scenario.",
                 "Your score: {earned} of {possible} scenarios."),
    "staff_heading": N_("For staff"),
    "staff_source": NP_("Atlas: {name} ({services} service, KLE version {kle})",
                        "Atlas: {name} ({services} services, KLE version {kle})"),
    "staff_stale": N_("The latest update of the atlas failed; the last good version is "
                      "still in use."),
    "staff_error": N_("Problem with the atlas:"),
    # (the package's KLE list is not complete: data/atlas/SOURCES.md)
    "staff_drift": NP_("{count} KLE number in the atlas is not in the package's list of KLE "
                       "{version}, which is not complete: check it in KLE-online.",
                       "{count} KLE numbers in the atlas are not in the package's list of KLE "
                       "{version}, which is not complete: check them in KLE-online."),
    "staff_unchecked": N_("The KLE numbers were not checked: the package has the numbers of "
                          "KLE {shipped}, the atlas follows KLE {version}."),
    "staff_gaps": N_("Show candidate søgeord"),
    "staff_gaps_heading": N_("Candidate søgeord from learners' searches"),
    "staff_gaps_empty": N_("No searches without results or wrong picks yet."),
    "staff_term": N_("Search words"),
    "staff_learners": N_("Learners"),
    "staff_count": N_("Times"),
    "staff_no_hits": N_("No results"),
    "staff_wrong": N_("Wrong picks"),
    "staff_target": N_("Suggested service or unit"),
}

#: After the deadline (the LMS's due date plus grace period) in exercise mode: shown on the
#: block and as the answer to a refused pick.  Searching stays open: it is a reference tool.
EXERCISE_CLOSED = N_("This exercise closed on {date}. You can no longer choose answers to the "
                     "scenarios, but you can still search the atlas.")
EXERCISE_CLOSED_UNDATED = N_("This exercise has closed. You can no longer choose answers to the "
                             "scenarios, but you can still search the atlas.")

#: The result count above the hits (replaces the search module's "{count} result(s).").
SEARCH_COUNT = NP_("{count} result.", "{count} results.")

MODE_VALUES = ({"display_name": "Lookup (ungraded search)", "value": MODE_LOOKUP},
               {"display_name": "Exercise (graded referral scenarios)", "value": MODE_EXERCISE})

_INLINE_CACHE: dict[str, object] = {}
_EXERCISE_CACHE: dict[str, Exercise] = {}


def _cached(cache: dict, key: str, build):
    value = cache.get(key)
    if value is None:
        value = build()
        if len(cache) > 32:
            cache.clear()
        cache[key] = value
    return value


class AtlasLookupXBlock(AuthoredOlxMixin, StudioMixin, WeightedMixin, ScorableXBlockMixin,
                        CompetencyBlockBase):
    """Service atlas: Danish-aware lookup and graded referral exercises."""

    display_name = String(
        display_name="Display name",
        help="The name learners see in the course navigation and as the block heading.",
        scope=Scope.settings,
        default="Service atlas lookup",
    )
    mode = String(
        display_name="Mode",
        help="lookup: a search box over the atlas (ungraded). exercise: scenarios the learner "
             "refers to the right unit or service (graded).",
        scope=Scope.settings,
        default=MODE_LOOKUP,
        values=MODE_VALUES,
    )
    atlas_name = String(
        display_name="Atlas",
        help="Name of an atlas configured by the operator (XBLOCK_SETTINGS), e.g. "
             "\"eksempel-kommune\". Ignored when an inline atlas is given.",
        scope=Scope.settings,
        default=DEFAULT_ATLAS,
    )
    inline_atlas = JsonDict(
        display_name="Inline atlas",
        help="A small atlas stored in the block (JSON, see the atlas schema). Leave empty to "
             "use the named atlas.",
        scope=Scope.content,
        default={},
        xml_node=True,
    )
    exercise = JsonDict(
        display_name="Exercise scenarios",
        help="Scenarios for exercise mode (JSON, see the atlas-exercise schema). Leave empty "
             "to use the example scenarios of Eksempel Kommune.",
        scope=Scope.content,
        default={},
        xml_node=True,
    )
    # Open edX would otherwise give it the course-wide CAPA "Maximum Attempts" (core/fields.py).
    max_attempts = OwnInteger(
        display_name="Attempts per scenario",
        help="How many picks a learner has per scenario; 0 means unlimited.",
        scope=Scope.settings,
        default=2,
    )
    results_per_page = Integer(
        display_name="Results shown",
        help="How many search results to show (1-50).",
        scope=Scope.settings,
        default=8,
    )

    progress = Dict(scope=Scope.user_state, default={}, help="Exercise progress per scenario.")
    gap_log = List(scope=Scope.user_state, default=[],
                   help="This learner's searches without results and wrong picks (bounded).")
    searches = Integer(scope=Scope.user_state, default=0, help="Searches made (lookup mode).")
    raw_earned = Float(scope=Scope.user_state, default=None,
                       help="Solved scenarios (raw score).")
    gap_mirror = Dict(scope=Scope.user_state_summary, default={},
                      help="Staff list: per search term the searches without results, wrong "
                           "picks, learners and suggested targets (bounded, no learner ids).")

    editable_fields = ("display_name", "mode", "atlas_name", "inline_atlas", "exercise",
                       "max_attempts", "results_per_page", "weight")
    #: Ranges Studio and OLX import enforce (``core.olx.setting_problem``).
    field_limits = {"max_attempts": (0, 10), "results_per_page": (1, 50)}
    css_files = ("public/css/common.css", "public/css/atlas.css")
    js_files = ("public/js/common.js", "public/js/atlas.js")
    js_init = "AtlasLookupInit"

    # ---- content ------------------------------------------------------------------------
    def atlas_state(self) -> SourceState:
        """The atlas to use now (maybe None) and the last problem with it. Never raises."""
        if self.inline_atlas:
            key = content_digest(self.inline_atlas)
            try:
                atlas = _cached(_INLINE_CACHE, key, lambda: load_inline(self.inline_atlas))
            except UserFacingError as error:
                return SourceState("inline", error=error, origin="inline")
            return SourceState("inline", atlas=atlas, origin="inline")
        settings = {"atlases": self.setting("atlases", {}) or {},
                    "refresh_seconds": self.setting("atlas_refresh_seconds", 300)}
        try:
            registry = registry_for(settings)
        except UserFacingError as error:
            return SourceState(self.atlas_name, error=error)
        except Exception:  # noqa: BLE001 - odd operator settings must not break the page
            return SourceState(self.atlas_name, error=UserFacingError(
                N_("The atlas settings in XBLOCK_SETTINGS cannot be read.")))
        return registry.get(self.atlas_name or DEFAULT_ATLAS)

    def exercise_content(self) -> Exercise:
        data = self.exercise
        if not data:
            data = json.loads(load_text(DEFAULT_SCENARIOS))
        key = content_digest(data)
        return _cached(_EXERCISE_CACHE, key, lambda: Exercise.from_dict(data))

    def _progress(self) -> Progress:
        """The learner's progress, read once per request (``exercise.read_progress``: a
        scenario whose stored progress cannot be read is kept as stored and takes no pick)."""
        progress = Progress(self.exercise_content(), self.peek("progress"),
                            max_attempts=self.attempts_allowed())
        if progress.unreadable:
            log.warning("Atlas exercise %s: stored progress of %d scenario(s) cannot be read",
                        self.scope_ids.usage_id, len(progress.unreadable))
        return progress

    def _score(self, progress: Progress) -> dict:
        """The score the learner sees and the LMS gets (``Progress.grade``; the stored score
        is only read when a scenario cannot be read)."""
        return {"earned": progress.grade(self.raw_earned if progress.unreadable else None),
                "possible": len(progress.exercise.scenarios)}

    def attempts_allowed(self) -> int:
        """Picks per scenario: the block's setting when the author set it, else the
        exercise document's ``max_attempts``, else the field's default."""
        if self.fields["max_attempts"].is_set_on(self):
            return self.max_attempts
        data = self.exercise or {}
        value = data.get("max_attempts") if isinstance(data, dict) else None
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10:
            return value
        return self.max_attempts

    def _limit(self) -> int:
        return max(1, min(int(self.results_per_page or 8), 50))

    # ---- views --------------------------------------------------------------------------
    @XBlock.supports("multi_device")
    def student_view(self, context=None):
        text = self.ui_text(UI_TEXT)
        state = self.atlas_state()
        staff = self.is_staff()
        args = {"mode": self.mode, "text": text, "limit": self._limit(),
                "available": state.atlas is not None, "staff": staff}
        scenarios = []
        closed = ""
        if self.mode == MODE_EXERCISE:
            deadline = block_deadline(self)
            if deadline.passed:
                closed = self._closed(deadline).render(self.gettext)
            try:
                progress = self._progress()
                scenarios = scenario_views(progress.exercise, progress, state.atlas,
                                           self.language)
                args["score"] = self._score(progress)
            except UserFacingError:
                args["available"] = False   # staff see the problem in the staff status
        args["scenarios"] = scenarios
        args["closed"] = bool(closed)   # no pick buttons
        if staff:
            args["staff_status"] = self._staff_status(state, text)
        context = {"text": text, "title": self.title(), "mode": self.mode,
                   "available": args["available"], "staff": staff, "closed": closed}
        return self.fragment("atlas_lookup.html", context, js_args=args)

    def student_view_data(self, context=None):
        """For the mobile apps (collected once, without a user): mode, limits, the atlas's
        name and size and the scenario prompts; never a scenario's answer, hint or
        explanation (the ``search`` and ``pick`` handlers do the work on the server)."""
        data = {"block_type": "atlas_lookup", "display_name": self.title(), "mode": self.mode,
                "weight": self.weight, "max_score": self.max_score(),
                "max_attempts": self.attempts_allowed(), "results_per_page": self._limit()}
        atlas = self.atlas_state().atlas
        data["atlas"] = None if atlas is None else {
            "title": atlas.title, "services": len(atlas), "kle_version": atlas.kle_version}
        scenarios = []
        if self.mode == MODE_EXERCISE:
            try:
                scenarios = [{"id": s.id, "prompt": s.prompt}
                             for s in self.exercise_content().scenarios]
            except UserFacingError:
                scenarios = []
        return {**data, "scenarios": scenarios}

    def _staff_status(self, state: SourceState, text: dict) -> dict:
        status: dict = {"problems": []}
        if state.atlas is not None:
            atlas = state.atlas
            title = pick_language(atlas.title, self.language) if atlas.title else ""
            # the atlas's own title, and the name it is configured under (the operator's key)
            configured = state.name if state.origin != "inline" else ""
            name = f"{title} ({configured})" if title and configured and \
                title.casefold() != configured.casefold() else (title or state.name)
            status["source"] = self.plural(UI_TEXT["staff_source"], len(atlas)).format(
                name=name, services=self.format_number(len(atlas)),
                kle=atlas.kle_version or "?")
            if atlas.kle_version == SHIPPED_VERSION:
                drift = drift_summary(atlas_drift(atlas))
                if drift:
                    status["drift"] = self.plural(UI_TEXT["staff_drift"], len(drift)).format(
                        count=self.format_number(len(drift)), version=SHIPPED_VERSION)
                    status["drift_numbers"] = list(drift)[:50]
            elif any(s.kle for s in atlas.services):
                status["drift"] = text["staff_unchecked"].format(
                    shipped=SHIPPED_VERSION, version=atlas.kle_version or "?")
            if self.mode == MODE_EXERCISE:
                try:
                    status["problems"] += [p.render(self.gettext)
                                           for p in self.exercise_content().problems_with(atlas)]
                except UserFacingError as error:
                    status["problems"].append(error.render(self.gettext))
        if state.error is not None:
            if state.stale:
                status["stale"] = text["staff_stale"]
            problems = getattr(state.error, "problems", None) or [state.error]
            status["problems"] += [p.render(self.gettext) for p in problems[:20]]
        return status

    # ---- handlers -----------------------------------------------------------------------
    def _closed(self, deadline: Deadline) -> UserFacingError:
        """Why picks are no longer taken (HTTP 400 from ``pick``)."""
        return closed_message(deadline, EXERCISE_CLOSED, EXERCISE_CLOSED_UNDATED, self.language)

    def _require_atlas(self):
        state = self.atlas_state()
        if state.atlas is None:
            raise UserFacingError(UI_TEXT["unavailable"])
        return state.atlas

    @json_api("atlas-search", max_bytes=16 * 1024)
    def search(self, data, suffix=""):
        atlas = self._require_atlas()
        query = data["query"]
        limit = min(int(data.get("limit") or self._limit()), 50)
        result = run_search(get_index(atlas), query, limit=limit, language=self.language)
        scenario_id = data.get("scenario") or ""
        expected: tuple = ()
        if self.mode == MODE_EXERCISE and scenario_id:
            progress = self._progress()
            scenario = progress.exercise.scenario(scenario_id)
            if scenario is None:
                raise UserFacingError(N_("Unknown scenario \"{id}\"."), id=scenario_id)
            # After the deadline a search still answers (the atlas is a reference tool), but
            # it no longer counts towards the closed scenario (its "searches" in the report).
            if result.status not in ("empty_query", "query_too_long") \
                    and not block_deadline(self).passed \
                    and progress.record_search(scenario_id, query):
                self.progress = progress.to_dict()
            expected = scenario.answer_services or scenario.answer_units
        elif result.status not in ("empty_query", "query_too_long"):
            self.searches += 1
            if self.searches == 1 and self.mode == MODE_LOOKUP:
                # Lookup mode is a reference tool: using it once completes it.
                self.publish_completion(1.0)
        if result.status == "no_hits":
            self._log_gap(gaps.record(gaps.KIND_NO_HITS, query, scenario_id, expected))
        self.publish_event("atlas.searched", {"status": result.status,
                                              "results": result.total,
                                              "scenario": scenario_id})
        if result.status not in ("empty_query", "query_too_long"):
            self.publish_xapi(lambda: xapi_events.atlas_search(
                self, " ".join(query.split()), result.total,
                scenario_id if self.mode == MODE_EXERCISE else None))
        view = result_view(atlas, result, self.language, self.gettext)
        if result.status == STATUS_OK:
            count = result.params.get("count", result.total)
            view["message"] = self.plural(SEARCH_COUNT, count).format(
                count=self.format_number(count))
        if has_identifier(query):
            # In the message, which the page reads out: the learner learns it while typing.
            view["message"] = f'{view["message"]} {self.gettext(UI_TEXT["identifier_note"])}'
        return view

    @json_api("atlas-pick")
    def pick(self, data, suffix=""):
        """Judge a referral.  After the deadline only a replay of the pick that finished a
        scenario in time gets its answer again; any other pick is refused before anything is
        counted, graded or sent."""
        if self.mode != MODE_EXERCISE:
            raise UserFacingError(N_("This block has no exercise."))
        deadline = block_deadline(self)
        atlas = self._require_atlas()
        progress = self._progress()
        try:
            outcome = progress.pick(atlas, data["scenario"], data["kind"], data["id"])
        except UserFacingError:
            if deadline.passed:  # what the learner needs to know is that the exercise closed
                raise self._closed(deadline) from None
            raise
        scenario = progress.exercise.scenario(data["scenario"])
        if outcome.replayed:   # the same request again: the same answer, nothing recorded
            return self._pick_view(progress, atlas, scenario, outcome)
        if deadline.passed:
            raise self._closed(deadline)
        self.progress = progress.to_dict()
        if not outcome.correct:
            state = progress.states[scenario.id]
            self._log_gap(gaps.record(gaps.KIND_WRONG_PICK,
                                      state.queries[-1] if state.queries else "",
                                      scenario.id,
                                      scenario.answer_services or scenario.answer_units,
                                      data["id"]))
        score = self._score(progress)
        if outcome.finished:
            self.raw_earned = score["earned"]
            self.publish_grade(score["earned"], float(score["possible"]))
            if progress.all_finished():
                self.publish_completion(1.0)
        self.publish_event("atlas.picked", {"scenario": scenario.id, "kind": data["kind"],
                                            "picked": data["id"], "correct": outcome.correct,
                                            "attempt": outcome.attempts})
        self.publish_xapi(lambda: xapi_events.atlas_answer(
            self, scenario, outcome, data["id"], progress.states[scenario.id].searches))
        return self._pick_view(progress, atlas, scenario, outcome)

    def _pick_view(self, progress, atlas, scenario, outcome) -> dict:
        view = scenario_views(progress.exercise, progress, atlas, self.language)
        return {
            "correct": outcome.correct,
            "finished": outcome.finished,
            "attempts_left": outcome.attempts_left,
            "hint": self.localized(outcome.hint),
            "explanation": self.localized(outcome.explanation),
            "answer": answer_labels(atlas, outcome.answer_units, outcome.answer_services,
                                    self.language) if outcome.finished else [],
            "scenario": next(v for v in view if v["id"] == scenario.id),
            "score": self._score(progress),
        }

    @json_api(None, staff_only=True, read_only=True)
    def staff_gaps(self, data, suffix=""):
        state = self.atlas_state()
        tally = gaps.load_tally(self.gap_mirror)   # a legacy per-learner copy: converted once
        found = gaps.tally_candidates(tally, state.atlas, min_learners=self._candidate_k())
        rows = []
        for candidate in found:
            row = candidate.to_dict()
            target = row["target"]
            label = target
            if state.atlas is not None and target:
                service = state.atlas.service(target)
                unit = state.atlas.unit(target)
                label = (service.label(self.language) if service
                         else unit.label(self.language) if unit else target)
            row["target_label"] = label
            rows.append(row)
        return {"candidates": rows, "learners": gaps.tally_learners(tally)}

    def _candidate_k(self) -> int:
        """``atlas_candidates_min_learners`` (operators): the staff list shows only terms
        that at least this many learners typed; 1 (everything) when unset or not a number."""
        value = self.setting("atlas_candidates_min_learners")
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            return 1
        return max(1, min(int(value), 1000))

    def _log_gap(self, entry: dict) -> None:
        if not entry.get("query"):
            return
        old = list(self.gap_log or [])
        new = gaps.append(old, entry)
        self.gap_log = new
        # The key of this learner's entry in the legacy per-learner copy (dropped there when
        # it is converted: their new log counts instead).
        key = hashlib.sha256(f"{self.scope_ids.usage_id}:{self.learner_id()}".encode()) \
            .hexdigest()[:16]
        # Applied after this request's save, under a block-wide lock, to the value read afresh
        # from storage: learners searching at the same moment keep each other's counts.
        defer_shared_update(self, "gap_mirror",
                            lambda stored: gaps.update_tally(stored, key, old, new))

    # ---- grading ------------------------------------------------------------------------
    def max_score(self):
        """Scenarios count (content only, unbound); None (ungraded) in lookup mode."""
        if self.mode != MODE_EXERCISE:
            return None
        try:
            return float(len(self.exercise_content().scenarios))
        except UserFacingError:
            return None

    def has_submitted_answer(self) -> bool:
        """Whether a pick was made (in a scenario whose stored progress can be read)."""
        return any(state is not None and state.attempts
                   for state in read_progress(self.peek("progress")).entries.values())

    def get_score(self) -> Score:
        possible = self.max_score() or 0.0
        return Score(raw_earned=float(self.raw_earned or 0.0), raw_possible=possible)

    def set_score(self, score: Score) -> None:
        self.raw_earned = float(score.raw_earned)

    def calculate_score(self) -> Score:
        progress = self._progress()
        score = self._score(progress)
        return Score(raw_earned=score["earned"], raw_possible=float(score["possible"]))

    # ---- reports ------------------------------------------------------------------------
    def generate_report_data(self, user_state_iterator, limit_responses=None):
        """One row per learner and scenario: the pick, whether it was right, the searches
        (``atlas.report``: stored progress that cannot be read is marked, never fails)."""
        if self.mode != MODE_EXERCISE:
            return
        try:
            exercise = self.exercise_content()
        except UserFacingError:
            return
        atlas = self.atlas_state().atlas
        count = 0
        for user_state in user_state_iterator:
            stored = user_state.state if isinstance(user_state.state, dict) else {}
            for row in progress_rows(exercise, stored.get("progress"), atlas, self.language,
                                     self.attempts_allowed(), self.gettext):
                if limit_responses is not None and count >= limit_responses:
                    return
                count += 1
                yield user_state.username, row

    # ---- Studio -------------------------------------------------------------------------
    def validate_field_data(self, validation, data):
        def error(message, **params):
            validation.add(ValidationMessage(ValidationMessage.ERROR,
                                             self.gettext(message).format(**params)))

        if data.mode not in (MODE_LOOKUP, MODE_EXERCISE):
            error(N_("The mode must be lookup or exercise."))
        if data.max_attempts is None or not 0 <= data.max_attempts <= 10:
            error(N_("Attempts per scenario must be between 0 and 10."))
        if data.results_per_page is None or not 1 <= data.results_per_page <= 50:
            error(N_("Results shown must be between 1 and 50."))
        if data.weight is not None and data.weight < 0:
            error(N_("The weight cannot be negative."))
        if not data.inline_atlas:
            names = self._atlas_names()
            if names is not None and (data.atlas_name or DEFAULT_ATLAS) not in names:
                error(N_("No atlas named \"{name}\" is configured. Configured atlases: "
                         "{names}."), name=str(data.atlas_name)[:100], names=", ".join(names))
        atlas = None
        if data.inline_atlas:
            try:
                atlas = load_inline(data.inline_atlas)
            except AtlasValidationError as exc:
                for problem in exc.problems[:20]:
                    validation.add(ValidationMessage(ValidationMessage.ERROR,
                                                     problem.render(self.gettext)))
        if data.exercise:
            try:
                exercise = Exercise.from_dict(data.exercise)
            except UserFacingError as exc:
                validation.add(ValidationMessage(ValidationMessage.ERROR,
                                                 exc.render(self.gettext)))
            else:
                if atlas is not None:
                    for problem in exercise.problems_with(atlas):
                        validation.add(ValidationMessage(ValidationMessage.ERROR,
                                                         problem.render(self.gettext)))

    def _atlas_names(self) -> list[str] | None:
        """The named atlases this installation has (None when its settings cannot be read:
        then the learner view reports the problem to staff)."""
        settings = {"atlases": self.setting("atlases", {}) or {},
                    "refresh_seconds": self.setting("atlas_refresh_seconds", 300)}
        try:
            return registry_for(settings).names()
        except Exception:  # noqa: BLE001 - odd operator settings: not the author's problem
            return None

    # ---- demo ---------------------------------------------------------------------------
    @staticmethod
    def workbench_scenarios():
        small = json.dumps(_DEMO_INLINE, ensure_ascii=False)
        return [
            ("Service atlas: referral exercise (Eksempel Kommune)",
             '<atlas_lookup mode="exercise" display_name="Henvisning: hvor skal borgeren hen?"/>'),
            ("Service atlas: lookup (Eksempel Kommune)", "<atlas_lookup/>"),
            ("Service atlas: small inline atlas",
             '<atlas_lookup xmlns:option="http://code.edx.org/xblock/option">'
             f"<option:inline_atlas>{escape(small, quote=False)}</option:inline_atlas>"
             "</atlas_lookup>"),
            # The demo runtime has the LMS's deadline fields (demo/deadlines.py).
            ("Service atlas: referral exercise closed at its due date (search still works)",
             '<atlas_lookup mode="exercise" display_name="Henvisning: lukket øvelse" '
             'due="2020-01-01T00:00:00Z"/>'),
        ]


_DEMO_INLINE = {
    "id": "mini", "title": "Mini-atlas", "kle_version": "2025-05-01",
    "units": [{"id": "borgerservice", "name": "Borgerservice",
               "contact": {"phone": "+45 99 99 00 00", "opening_hours": "Man-fre 10-14"}}],
    "services": [
        {"id": "pas", "title": "Pas", "kle": ["23.09.02"], "unit": "borgerservice",
         "keywords": ["Rejsepas", "Nyt pas"]},
        {"id": "koerekort", "title": "Kørekort", "kle": ["23.09.04"], "unit": "borgerservice",
         "keywords": ["Fornyelse af kørekort"]},
    ],
}
