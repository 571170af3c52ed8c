"""Digital competency self-assessment block (OLX tag ``competency_self_assessment``).

Thin XBlock layer over :mod:`competency_xblock.competency`: fields, views and handlers.

State: the learner's role and unit live in ``Scope.preferences`` (remembered across blocks of
this kind); the history of submitted assessments (the last is the current one) and the draft
in ``Scope.user_state``; the authored setup (framework, roles, units, profiles, resources,
reassessment policy) in one ``Scope.content`` document validated by
``schemas/competency-block.schema.json``.  Staff figures come from ``responses``
(``Scope.user_state_summary``): a bounded tally per role and unit (learners counted,
histogram of self-rated levels per competence; see
:mod:`competency_xblock.competency.aggregate`), whose size does not grow with the number of
learners.  A submit or an erasure subtracts the learner's previous contribution (from their
own current assessment) and adds the new one, applied under the block-wide shared lock.

Grading is participation only: 1.0 once submitted, never a grade on self-rated levels.
"""
from __future__ import annotations

import json
import re
from collections import OrderedDict
from collections.abc import Mapping
from functools import lru_cache
from html import escape

from django.utils.safestring import mark_safe
from xblock.core import XBlock
from xblock.fields import Dict, Float, Integer, List, Scope, String
from xblock.scorable import ScorableXBlockMixin, Score
from xblock.validation import ValidationMessage

from competency_xblock.competency import (
    aggregate,
    framework_csv,
    plan,
    profiles,
    report,
    result_html,
)
from competency_xblock.competency.assessment import (
    Assessment,
    Evaluation,
    append_history,
    can_reassess,
    check_ratings,
    diff,
    evaluate,
    is_replay,
    read_draft,
)
from competency_xblock.competency.content import BlockContent, dump_json, example_dict
from competency_xblock.competency.content import problems as setup_problems
from competency_xblock.competency.errors import ProblemsError
from competency_xblock.competency.framework import DONT_KNOW, load_json
from competency_xblock.core import schemas, xapi_events
from competency_xblock.core.base import CompetencyBlockBase, render_template
from competency_xblock.core.fields import OwnBoolean
from competency_xblock.core.grading import WeightedMixin
from competency_xblock.core.handlers import defer_shared_update, json_api
from competency_xblock.core.olx import AuthoredOlxMixin, JsonDict
from competency_xblock.core.studio import STUDIO_TEXT, ContentInvalidError, StudioMixin
from competency_xblock.text import N_, NP_, UserFacingError

UI_TEXT = {
    "heading": N_("Digital competency self-assessment"),
    "example_notice": N_("Example content: the roles, expected levels and resources are "
                         "examples to adjust locally."),
    "setup_broken": N_("This self-assessment is not set up correctly yet. Course staff can see "
                       "the problems in Studio."),
    "choose_legend": N_("Your role and organisational unit"),
    "role_label": N_("Role"),
    "unit_label": N_("Organisational unit"),
    "choose_option": N_("Choose…"),
    "choose_button": N_("Show my competences"),
    "choose_first": N_("Choose your role to see the competences that matter for it."),
    "intro": N_("For each competence, choose the description that fits you best today. "
                "Choose \"don't know\" if you cannot judge it. Nobody else sees your answers; "
                "staff only see figures for groups of several learners."),
    "role_fixed": N_("Role"),
    "dont_know": N_("Don't know"),
    "dont_know_help": N_("I cannot judge this yet."),
    "save_draft": N_("Save draft"),
    "submit": N_("Submit my self-assessment"),
    "draft_saved": N_("Your draft is saved. You can come back and finish later."),
    "draft_from": N_("Draft saved {date}."),
    "missing": N_("Rate every competence or choose \"don't know\" ({count} left)."),
    "not_saved": NP_("Your answers were not saved: {count} problem.",
                     "Your answers were not saved: {count} problems."),
    "error": N_("Something went wrong. Please try again."),
    "submitted": N_("Thank you. Your result and upskilling plan are below."),
    "selected": N_("Your competences are shown below."),
    "result_heading": N_("Your result"),
    "submitted_line": N_("Submitted {date}"),
    "summary_line": N_("Gaps: {gaps} · As expected or above: {strengths} · Don't know: "
                       "{unknown}"),
    "table_caption": N_("Your level next to the level expected for your role, biggest gaps "
                        "first"),
    "col_competence": N_("Competence"),
    "col_self": N_("Your level"),
    "col_expected": N_("Expected level"),
    "col_gap": N_("Gap (levels)"),
    "col_status": N_("Status"),
    "col_change": N_("Change since {date}"),
    "change_new": N_("new"),
    "change_line": N_("Since your assessment on {date}: {up} higher, {down} lower, {same} "
                      "unchanged."),
    "strengths_heading": N_("Your strengths"),
    "strengths_none": N_("No competence is at or above the expected level yet."),
    "plan_heading": N_("Your upskilling plan"),
    "plan_intro": N_("For each gap, biggest first: what you can use to reach the expected "
                     "level."),
    "plan_none": N_("You have no gaps for your role. Consider helping colleagues through peer "
                    "training."),
    "plan_from_to": N_("From {self_level} to {expected_level}"),
    "plan_no_resources": N_("No course or guide is linked for this yet; ask your manager."),
    "clarify_heading": N_("To clarify with your manager"),
    "print": N_("Print my plan"),
    "reassess": N_("Assess again"),
    "reassess_from": N_("You can assess yourself again from {date}."),
    "reassess_never": N_("This self-assessment can be taken once."),
    # Stored learner data that cannot be read (``report.read_assessments``).
    "unreadable": N_("Your last self-assessment cannot be read, so its result cannot be "
                     "shown. Please tell the course team; nothing has been changed."),
    "unreadable_history": N_("Your earlier self-assessments cannot be read, so a new one "
                             "cannot be saved. Please tell the course team; nothing has been "
                             "changed."),
    "kind_course": N_("Course"),
    "kind_guide": N_("Guide"),
    "kind_video": N_("Video"),
    "kind_peer": N_("Peer training"),
    "kind_other": N_("Resource"),
    "staff_heading": N_("Staff view: responses"),
    "staff_intro": N_("Figures for groups of fewer than {k} learners are hidden, and so is "
                      "anything they could be worked out from."),
    "staff_filter": N_("Show figures for"),
    "staff_all": N_("All"),
    "staff_show": N_("Show"),
    "staff_total": N_("Learners with a submitted self-assessment: {count}"),
    "staff_group": N_("Learners in this selection: {count}"),
    # One word for every hidden figure: a small group's, and one hidden to protect it (a
    # separate label would tell them apart)
    "staff_hidden": N_("hidden"),
    "staff_none": N_("Not enough responses yet to show figures (at least {k} are needed)."),
    "staff_group_hidden": N_("This selection is too small to show (or could be worked out "
                             "from the other figures)."),
    "staff_by_role": N_("Learners per role"),
    "staff_by_unit": N_("Learners per unit"),
    "staff_by_role_unit": N_("Learners per role and unit"),
    "staff_learners": N_("Learners"),
    "staff_competences": N_("Self-rated levels and mean gap per competence"),
    "staff_mean_gap": N_("Mean gap (levels)"),
    "staff_with_gap": N_("Below expected"),
    "staff_updated": N_("Staff figures updated."),
    "setup_problems": N_("Problems in the setup"),
    "clear_button": N_("Delete my self-assessment data"),
    "clear_explain": N_("This deletes your answers, result, plan and draft in this "
                        "self-assessment, your role and unit choice, your part of the anonymous "
                        "staff figures and your participation credit. It cannot be undone."),
    "clear_confirm": N_("Yes, delete my data"),
    "clear_cancel": N_("Cancel"),
    "cleared": N_("Your self-assessment data has been deleted."),
    "attribution_source": N_("Source: {source}. Licence: {licence}."),
    "translation_note": N_("The text in this language is a translation by the providers of "
                           "this course, not an official translation by the publisher."),
}
#: The Studio panel for spreadsheets and files (under the field editor).
STUDIO_IO_TEXT = {
    "io_heading": N_("Spreadsheets and files"),
    "io_intro": N_("HR can keep the role profiles (role × competence → expected level) in a "
                   "spreadsheet: download them, edit them in Excel and import them again. A "
                   "framework can be imported as a spreadsheet or as JSON. Every problem is "
                   "listed and nothing is saved until there are none."),
    "import_legend": N_("Import a file"),
    "import_kind": N_("What the file holds"),
    "kind_profiles": N_("Role profiles (CSV spreadsheet)"),
    "kind_framework": N_("Competency framework (CSV spreadsheet or JSON)"),
    "kind_setup": N_("The whole setup (JSON)"),
    "import_file": N_("File"),
    "import_file_help": N_("A .csv file (semicolons or commas, as Excel saves it) or a .json "
                           "file."),
    "import_check": N_("Check the file"),
    "import_save": N_("Import and save"),
    "import_no_file": N_("Choose a file first."),
    "import_checked": N_("The file has no problems. Nothing was saved yet."),
    "import_saved": N_("Imported and saved. The Setup (JSON) field above shows the result."),
    "export_heading": N_("Download"),
    "export_profiles": N_("Role profiles (CSV)"),
    "export_framework_csv": N_("Framework (CSV)"),
    "export_framework_json": N_("Framework (JSON)"),
    "export_setup": N_("Whole setup (JSON)"),
    "exported": N_("Downloaded {filename}."),
    "error": N_("Something went wrong. Please try again."),
}
STATUS_TEXT = report.STATUS_TEXT
#: The submission time of an assessment that cannot be read: unknown, so long ago (a
#: reassessment policy with a waiting time allows a new one; "never" does not).
UNKNOWN_TIME = "unknown"
#: Key, in a history entry, of a score the LMS set for that assessment (staff override).
SCORE_KEY = "score"
DRAFT_KEYS = ("role", "unit", "ratings", "saved_at")


@lru_cache(maxsize=32)
def _parse_setup(text: str) -> BlockContent:
    return BlockContent.from_dict(json.loads(text))


@lru_cache(maxsize=1)
def _example_content() -> BlockContent:
    """The shipped example, parsed once per process (it is part of the installed package)."""
    return _parse_setup(json.dumps(example_dict(), sort_keys=True, ensure_ascii=False))


class RatingsError(UserFacingError):
    """A ratings payload with one or more problems; each is shown to the learner."""

    def __init__(self, messages: list[str], summary: str):
        self.messages = messages
        super().__init__(summary)


class CompetencySelfAssessmentXBlock(AuthoredOlxMixin, StudioMixin, WeightedMixin,
                                     ScorableXBlockMixin, CompetencyBlockBase):
    """Self-assessment against a role's expected levels, with gaps and an upskilling plan."""

    display_name = String(
        display_name="Display name",
        help="The name learners see in the course navigation and as the block heading.",
        scope=Scope.settings,
        default="Digital competency self-assessment",
    )
    setup = JsonDict(
        display_name="Setup (JSON)",
        help="Framework, roles, units, role profiles, resources and reassessment policy "
             "(schemas/competency-block.schema.json). Empty: the shipped DigComp 3.0 examples.",
        scope=Scope.content,
        default={},
        xml_node=True,
    )
    # Open edX would otherwise make it true in every graded subsection (core/fields.py).
    graded = OwnBoolean(
        display_name="Graded (participation only)",
        help="If on, learners get full credit for submitting; self-rated levels are never "
             "graded.",
        scope=Scope.settings,
        default=False,
    )
    min_group_size = Integer(
        display_name="Smallest group shown to staff (k)",
        help="Staff figures for groups of fewer learners are hidden. At least 5; you can only "
             "raise it.",
        scope=Scope.settings,
        default=aggregate.MIN_K,
    )

    preferred_role = String(scope=Scope.preferences, default=None,
                            help="The learner's role, shared by all blocks of this kind.")
    preferred_unit = String(scope=Scope.preferences, default=None,
                            help="The learner's organisational unit, shared likewise.")
    # Earlier versions kept a copy of the current assessment here as well; it is no longer
    # written (it is the last entry of ``history``) and is deleted with the learner's data.
    assessment = Dict(scope=Scope.user_state, default={},
                      help="A copy of the current assessment kept by earlier versions.")
    history = List(scope=Scope.user_state, default=[],
                   help="Every submitted assessment, oldest first (the last is the current).")
    # A submit leaves the draft alone: a draft saved before the current assessment is no
    # longer shown (see ``live_draft``) and is replaced by the next one.
    draft = Dict(scope=Scope.user_state, default={}, help="Unsubmitted ratings.")
    # Earlier versions kept the participation score here; a score staff set now belongs to
    # the assessment it was set for (``"score"`` in its history entry).  Deleted with the
    # learner's data.
    raw_earned = Float(scope=Scope.user_state, default=None,
                       help="The participation score as earlier versions kept it.")
    responses = Dict(scope=Scope.user_state_summary, default={},
                     help="Staff figures: per role and unit the learners counted and a "
                          "histogram of self-rated levels per competence (no learner ids).")

    editable_fields = ("display_name", "setup", "graded", "weight", "min_group_size")
    css_files = ("public/css/common.css", "public/css/self_assessment.css")
    js_files = ("public/js/common.js", "public/js/self_assessment.js")
    js_init = "CompetencySelfAssessment"

    # ---- content --------------------------------------------------------------------------
    def setup_document(self) -> dict:
        """The authored document, or the shipped example when the author left it empty."""
        setup = self.peek("setup")
        return setup if setup else example_dict()

    def content(self) -> BlockContent:
        """The parsed setup; raises :class:`ProblemsError` (e.g. after a bad OLX import)."""
        setup = self.peek("setup")
        if not setup:
            return _example_content()  # (not re-read and re-serialised on every request)
        return _parse_setup(json.dumps(setup, sort_keys=True, ensure_ascii=False))

    def stored(self) -> report.StoredAssessments:
        """The learner's stored assessments, read defensively (``report.read_assessments``).

        The current one is the last entry of ``history``: one field read and one write per
        submit, where a separate copy would cost another of each.  (The reports also accept
        the copy earlier versions kept in ``assessment``; those versions always wrote
        ``history`` with it, so the block need not read it.)"""
        return report.read_assessments({"history": self.peek("history")})

    def current(self) -> Mapping:
        """The learner's current (latest) submitted assessment as stored; {} before the
        first submit, and when it cannot be read (``stored().unreadable``)."""
        return self.stored().raw

    def live_draft(self) -> dict:
        """The draft if it was saved after the current assessment, else {}.

        A submit supersedes every draft saved before it without reading or writing the draft
        field: a draft names the submission it follows (:meth:`_submission_marker`).  Drafts
        saved by earlier versions, which cleared the draft on every submit, have no marker:
        such a draft is live unless an assessment was submitted after it.
        """
        draft = read_draft(self.peek("draft"))
        if not draft:
            return {}
        if "follows" in draft:
            return draft if draft["follows"] == self._submission_marker() else {}
        submitted = self.current().get("submitted_at")
        return draft if not submitted or str(draft.get("saved_at") or "") > submitted else {}

    def _submission_marker(self) -> dict | None:
        """Which submission is the current one: the number kept and its time.  (The time alone
        is to the second, and the number stops growing at the history's cap.)"""
        stored = self.stored()
        return {"count": stored.number, "submitted_at": stored.raw.get("submitted_at")} \
            if stored.current else None

    def role_id(self, content: BlockContent) -> str | None:
        if content.fixed_role:
            return content.fixed_role
        return self.preferred_role if content.role(self.preferred_role) else None

    def unit_id(self, content: BlockContent) -> str | None:
        if content.fixed_unit:
            return content.fixed_unit
        return self.preferred_unit if content.unit(self.preferred_unit) else None

    def k(self) -> int:
        return aggregate.effective_k(max(aggregate.effective_k(self.setting("min_group_size")),
                                         aggregate.effective_k(self.min_group_size)))

    # ---- views ----------------------------------------------------------------------------
    @XBlock.supports("multi_device")
    def student_view(self, context=None):
        text = self.ui_text(UI_TEXT)
        ctx = {"text": text, "title": self.title(), "staff": self.is_staff()}
        try:
            content = self.content()
        except ProblemsError as error:
            ctx["setup_error"] = True
            if ctx["staff"]:
                ctx["setup_problems"] = error.render_all(self.gettext)
            return self.fragment("self_assessment.html", ctx, {"text": text})
        ctx["notice"] = text["example_notice"] if content.example else ""
        ctx["form_html"] = self.render_form(content, text)
        # After a submission the form waits for a reassessment - unless the learner has
        # started one: a draft saved since then is shown with its form
        draft = self.live_draft()
        ctx["form_hidden"] = bool(self.current()) and not (
            draft and draft.get("role") == self.role_id(content))
        stored = self.stored()
        ctx["result_html"] = self.render_result(content, text) if stored.current else (
            # Submitted, but what was stored cannot be read: say so (the form is shown).
            mark_safe(f'<p class="cx-sa-notice">{escape(text["unreadable"])}</p>')  # noqa: S308
            if stored.unreadable else "")
        ctx["has_data"] = self.has_learner_data()
        ctx["attribution"] = self.attribution(content, text)
        if ctx["staff"]:
            ctx["staff_html"] = self.render_staff(content, text, None, None, wrapper=True)
        return self.fragment("self_assessment.html", ctx, {"text": text})

    def student_view_data(self, context=None):
        """For the mobile apps (collected once, without a user): the authored content only.

        The framework with its level descriptors, roles, units, expected levels and resources
        in every authored language.  A self-assessment has no answers or correctness to hide;
        nothing of any learner is included.
        """
        data = {"block_type": "competency_self_assessment", "display_name": self.title(),
                "graded": bool(self.graded), "weight": self.weight, "available": True}
        try:
            content = self.content()
        except ProblemsError:
            return {**data, "available": False}
        document = content.to_dict()
        document["framework"] = content.framework.to_dict()
        return {**data, "content": document}

    def attribution(self, content: BlockContent, text: dict) -> dict:
        """Where the framework comes from (CC BY needs it where the text is shown) and, when
        the learner reads a translated language, that the translation is not official."""
        framework = content.framework
        info = framework.attribution or {}
        if not info:
            return {}
        source, licence = info.get("source", ""), info.get("licence", "")
        url = info.get("url", "")
        language = (self.language or "").lower().replace("_", "-").split("-")[0]
        title = framework.title
        shown_in = language if isinstance(title, dict) and title.get(language) else ""
        return {
            "notice": self.localized(info.get("notice")),
            "source": (text["attribution_source"].format(source=source.rstrip("."),
                                                       licence=licence or "–")
                       if source else ""),
            # Only web addresses become links: a "javascript:" URL never reaches an href.
            "url": url if re.match(r"^https?://[^\s]+$", url) else "",
            "translation": (text["translation_note"]
                            if shown_in and shown_in in (info.get("translations") or {}) else ""),
        }

    def render_form(self, content: BlockContent, text: dict) -> str:
        role_id, unit_id = self.role_id(content), self.unit_id(content)
        draft = self.live_draft()
        draft = draft if draft.get("role") == role_id else {}
        current = self.current()
        previous = current if current.get("role") == role_id else {}
        chosen = dict(previous.get("ratings", {}))
        chosen.update(draft.get("ratings", {}))
        areas = []
        number = 0
        for area_index, (area, comps) in enumerate(content.areas_for(role_id or "")):
            items = []
            for comp in comps:
                number += 1
                base = f"{self.dom_id}-c{number}"
                levels = [{
                    "id": level.id, "input_id": f"{base}-l{i}",
                    "label": self.localized(level.label),
                    "descriptor": self.localized(comp.descriptor(level)),
                    "checked": chosen.get(comp.id) == level.id,
                } for i, level in enumerate(content.framework.levels)]
                items.append({"id": comp.id, "dom_id": base, "title": self.localized(comp.title),
                              "description": self.localized(comp.description),
                              "levels": levels, "dont_know_checked":
                              chosen.get(comp.id) == DONT_KNOW})
            areas.append({"dom_id": f"{self.dom_id}-a{area_index}",
                          "title": self.localized(area.title),
                          "description": self.localized(area.description),
                          "competences": items})
        draft_note = ""
        if draft.get("saved_at"):
            draft_note = text["draft_from"].format(date=self.format_date(draft["saved_at"]))
        return render_template("self_assessment_form.html", {
            "dom_id": self.dom_id, "text": text,
            "show_select": not (content.fixed_role and (content.fixed_unit or not content.units)),
            "fixed_role": bool(content.fixed_role), "fixed_unit": bool(content.fixed_unit),
            "roles": [{"id": r.id, "title": self.localized(r.title), "selected": r.id == role_id}
                      for r in content.roles],
            "units": [{"id": u.id, "title": self.localized(u.title), "selected": u.id == unit_id}
                      for u in content.units],
            "role": role_id, "unit": unit_id or "",
            "role_title": self.localized(content.role(role_id).title) if role_id else "",
            "unit_title": self.localized(content.unit(unit_id).title) if unit_id else "",
            "areas": areas, "draft_note": draft_note,
        })

    def render_result(self, content: BlockContent, text: dict,
                      evaluation: Evaluation | None = None) -> str:
        """The learner's result; ``evaluation`` of their current assessment if known."""
        framework = content.framework
        stored = self.stored()
        current, previous = stored.current, stored.previous
        if evaluation is None:
            evaluation = evaluate(framework, current)
        changes = ({c.competence: c for c in diff(framework, previous, current)}
                   if previous else {})

        def label(level_id):
            return framework.label(level_id, self.language) if level_id else text["dont_know"]

        def title(comp_id):
            comp = framework.competence(comp_id)
            return self.localized(comp.title) if comp else comp_id

        order = evaluation.gaps + evaluation.unknown + evaluation.strengths
        rows = []
        for row in order:
            change = changes.get(row.competence)
            if change is None or change.delta is None:
                change_text = text["change_new"] if change and change.before is None else "–"
            else:
                change_text = f"{change.delta:+d}" if change.delta else "0"
            rows.append({"title": title(row.competence), "self": label(row.self_level),
                         "expected": label(row.expected_level), "status": row.status,
                         "status_text": self.gettext(STATUS_TEXT[row.status]),
                         "gap": "" if row.gap is None else row.gap, "change": change_text})
        change_line = ""
        if previous:
            deltas = [c.delta for c in changes.values() if c.delta is not None]
            change_line = text["change_line"].format(
                date=self.format_date(previous.submitted_at), up=sum(1 for d in deltas if d > 0),
                down=sum(1 for d in deltas if d < 0), same=sum(1 for d in deltas if d == 0))
        the_plan = plan.plan_to_json(content, plan.build_plan(content, evaluation),
                                     self.language, self.gettext)
        for item in the_plan["items"]:
            item["from_to"] = text["plan_from_to"].format(self_level=item["self_level"],
                                                          expected_level=item["expected_level"])
            for resource in item["resources"] + item["peer"]:
                kind = text.get(f"kind_{resource['kind']}", text["kind_other"])
                # "Sidemandsoplæring: Sidemandsoplæring: ..." reads badly: label once.
                same = resource["title"].casefold().startswith(kind.casefold())
                resource["kind_text"] = "" if same else kind
        decision = can_reassess(content.reassessment, current.submitted_at)
        reassess_note = ""
        if not decision.allowed:
            reassess_note = (
                text["reassess_from"].format(date=self.format_date(decision.not_before))
                if decision.not_before else text["reassess_never"])
        role = content.role(current.role)
        unit = content.unit(current.unit)
        details = [text["submitted_line"].format(date=self.format_date(current.submitted_at))]
        if role:
            details.append(self.localized(role.title))
        if unit:
            details.append(self.localized(unit.title))
        return mark_safe(result_html.render({  # noqa: S308 - every value escaped there
            "dom_id": self.dom_id, "text": text, "rows": rows, "has_previous": bool(previous),
            "change_heading": (
                text["col_change"].format(date=self.format_date(previous.submitted_at))
                if previous else ""),
            "submitted_line": " · ".join(details),
            "summary_line": text["summary_line"].format(
                gaps=len(evaluation.gaps), strengths=len(evaluation.strengths),
                unknown=len(evaluation.unknown)),
            "change_line": change_line,
            "strengths": [{"title": title(r.competence), "self": label(r.self_level),
                           "status_text": self.gettext(STATUS_TEXT[r.status])}
                          for r in evaluation.strengths],
            "plan": the_plan, "can_reassess": decision.allowed, "reassess_note": reassess_note,
        }))

    def render_staff(self, content: BlockContent, text: dict, role: str | None,
                     unit: str | None, wrapper: bool = False) -> str:
        framework = content.framework
        k = self.k()
        summary = aggregate.summarize(framework, self.responses, k, role=role, unit=unit,
                                      roles=[r.id for r in content.roles],
                                      units=[u.id for u in content.units],
                                      expected={r.id: content.expected(r.id)
                                                for r in content.roles})
        hidden = text["staff_hidden"].format(k=k)

        def shown(value):
            return hidden if value is None else value

        role_titles = {r.id: self.localized(r.title) for r in content.roles}
        unit_titles = {u.id: self.localized(u.title) for u in content.units}
        cross_units = [u for u in unit_titles if any(c.key[1] == u for c in summary.by_role_unit)]
        cells = {c.key: c.count for c in summary.by_role_unit}
        cross = [{"title": role_titles.get(r, r),
                  "cells": [shown(cells[(r, u)]) if (r, u) in cells else 0 for u in cross_units]}
                 for r in role_titles if any(key[0] == r for key in cells)]
        competences = []
        columns = framework.level_ids + [DONT_KNOW]
        for stats in summary.competences:
            comp = framework.competence(stats.competence)
            competences.append({
                "title": self.localized(comp.title),
                "respondents": shown(stats.respondents),
                "cells": ([hidden] * len(columns) if stats.suppressed
                          else [stats.distribution[lv] for lv in columns]),
                "mean_gap": "–" if stats.mean_gap is None and not stats.suppressed
                else shown(None if stats.mean_gap is None
                           else self.format_number(stats.mean_gap)),
                "with_gap": "–" if stats.with_gap is None and not stats.suppressed
                else shown(stats.with_gap),
            })
        return render_template("self_assessment_staff.html", {
            "dom_id": self.dom_id, "text": text, "wrapper": wrapper,
            "intro": text["staff_intro"].format(k=k),
            "total_line": (text["staff_total"].format(count=summary.total)
                           if summary.total is not None else text["staff_none"].format(k=k)),
            "group_line": (text["staff_group"].format(count=summary.respondents)
                           if (role or unit) and not summary.suppressed else ""),
            "group_hidden": summary.total is not None and summary.suppressed,
            "roles": [{"id": i, "title": t, "selected": i == role} for i, t in role_titles.items()],
            "units": [{"id": i, "title": t, "selected": i == unit} for i, t in unit_titles.items()],
            "by_role": [{"title": role_titles.get(c.key[0], c.key[0]), "count": shown(c.count)}
                        for c in summary.by_role] if summary.total is not None else [],
            "by_unit": [{"title": unit_titles.get(c.key[0], c.key[0]), "count": shown(c.count)}
                        for c in summary.by_unit] if summary.total is not None else [],
            "cross_units": [unit_titles[u] for u in cross_units],
            "cross": cross if summary.total is not None else [],
            "level_headings": [self.localized(lv.label) for lv in framework.levels]
            + [text["dont_know"]],
            "competences": competences,
        })

    # ---- handlers -------------------------------------------------------------------------
    def _content_for_handler(self) -> BlockContent:
        try:
            return self.content()
        except ProblemsError:
            raise UserFacingError(UI_TEXT["setup_broken"]) from None

    def _check(self, content, role, unit, ratings, complete) -> dict:
        try:
            return check_ratings(content, role, unit, ratings, complete)
        except ProblemsError as error:
            messages = [self._learner_message(content, p) for p in error.problems]
            summary = self.plural(UI_TEXT["not_saved"], len(messages))
            raise RatingsError(messages, summary.format(count=len(messages))) from None

    def _learner_message(self, content: BlockContent, problem: UserFacingError) -> str:
        """A problem as a learner reads it: competence titles instead of ids, no JSON path."""
        params = dict(problem.params)
        comp = content.framework.competence(params.get("competence", ""))
        if comp is not None:
            params["competence"] = self.localized(comp.title)
        return UserFacingError(problem.message, **params).render(self.gettext)

    def _role_and_unit(self, content: BlockContent, data: dict) -> tuple[str | None, str | None]:
        role = data.get("role") or self.role_id(content)
        unit = data.get("unit") if "unit" in data else self.unit_id(content)
        if content.fixed_unit and unit is None:
            unit = content.fixed_unit
        return role, unit or None

    def _remember(self, role: str | None, unit: str | None,
                  content: BlockContent | None = None) -> None:
        """Keep the learner's choice for the other blocks of this kind.  A role or unit the
        author fixed for this block is not the learner's choice: it is not stored (nor
        overwrites the learner's own preference)."""
        if role and not (content is not None and role == content.fixed_role):
            self.preferred_role = role
        if unit and not (content is not None and unit == content.fixed_unit):
            self.preferred_unit = unit

    def _update_figures(self, old: dict | None, new: dict | None) -> None:
        """Move this learner's part of the staff figures from assessment ``old`` to ``new``.

        Applied after this request's save, under a block-wide lock, to the value read afresh
        from storage: learners submitting at the same moment keep each other's counts, and a
        rejected request changes nothing.  A stored value in the legacy per-learner shape is
        converted on the way (this learner's own entry replaced by ``new``).
        """
        key = self.learner_id()
        old, new = (dict(old) if old else None), (dict(new) if new else None)
        defer_shared_update(self, "responses",
                            lambda stored: aggregate.update_tally(stored, key, old, new))

    @json_api("competency-select")
    def select(self, data, suffix=""):
        """Choose role and unit (kept in preferences); returns the rating form for the role."""
        content = self._content_for_handler()
        role, unit = self._role_and_unit(content, data)
        self._check(content, role, unit, {}, complete=False)
        self._remember(role, unit, content)
        text = self.ui_text(UI_TEXT)
        return {"form_html": self.render_form(content, text), "message": text["selected"]}

    @json_api("competency-submit")
    def save_draft(self, data, suffix=""):
        content = self._content_for_handler()
        role, unit = self._role_and_unit(content, data)
        ratings = self._check(content, role, unit, data["ratings"], complete=False)
        self.draft = {"role": role, "unit": unit, "ratings": ratings,
                      "saved_at": _now_iso(), "follows": self._submission_marker()}
        self._remember(role, unit, content)
        return {"message": self.gettext(UI_TEXT["draft_saved"]), "saved": len(ratings)}

    @json_api("competency-submit")
    def submit(self, data, suffix=""):
        # One read each; not the draft: this submission supersedes it (``live_draft``).
        self.read_fields("setup", "history", "graded")
        content = self._content_for_handler()
        role, unit = self._role_and_unit(content, data)
        stored = self.stored()
        if not stored.history_readable:   # a new one cannot be added without losing it
            raise UserFacingError(UI_TEXT["unreadable_history"])
        previous = stored.raw
        if is_replay(previous, role, unit, data["ratings"]):
            # The same submission again (a retried request, a second tab): its result, with
            # nothing stored, counted, graded, published or sent again.
            text = self.ui_text_on_demand(UI_TEXT)
            return {"result_html": self.render_result(content, text),
                    "message": text["submitted"], "replayed": True}
        # One that cannot be read was submitted too, at a time unknown: long ago.
        decision = can_reassess(content.reassessment, previous.get("submitted_at")
                                or (UNKNOWN_TIME if stored.unreadable else None))
        if not decision.allowed:
            if decision.not_before:
                raise UserFacingError(UI_TEXT["reassess_from"],
                                      date=self.format_date(decision.not_before))
            raise UserFacingError(UI_TEXT["reassess_never"])
        ratings = self._check(content, role, unit, data["ratings"], complete=True)
        record = Assessment.create(content, role, unit, ratings)
        self.history = append_history(self.peek("history"), record)
        self._remember(role, unit, content)
        self._update_figures(previous, self.history[-1])
        if self.graded:
            self.publish_grade(1.0, 1.0)
        self.publish_completion(1.0)
        evaluation = evaluate(content.framework, record)
        self.publish_event("self_assessment.submitted", {
            "role": role, "unit": unit, "competences": len(evaluation.rows),
            "gaps": len(evaluation.gaps), "dont_know": len(evaluation.unknown),
            "assessment_number": len(self.history),
        })
        self.publish_xapi(lambda: xapi_events.self_ratings(
            self, content, record, evaluation, len(self.history)))
        text = self.ui_text_on_demand(UI_TEXT)
        # No form: the one on the learner's page already holds these ratings, and the page
        # keeps it (hidden) for a reassessment.
        return {"result_html": self.render_result(content, text, evaluation),
                "message": text["submitted"], "replayed": False}

    def has_learner_data(self) -> bool:
        return bool(self.peek("history") or self.peek("assessment") or self.peek("draft")
                    or self.preferred_role or self.preferred_unit)

    @json_api("competency-clear")
    def clear_my_data(self, data, suffix=""):
        """Delete everything this learner stored in this block (their right to erasure).

        The assessment, history and draft, the role and unit remembered for this kind of block,
        the learner's counts in the staff figures and the participation score; a graded block
        publishes 0 and completion goes back to 0.  Needs ``{"confirm": true}``.
        """
        previous = self.current()
        had_score = bool(previous)   # a graded block published a score for it
        for name in ("assessment", "history", "draft", "raw_earned", "preferred_role",
                     "preferred_unit"):
            self.fields[name].delete_from(self)
        self._update_figures(previous, None)  # (their counts go; nothing else identifies them)
        if self.graded and had_score:
            self.publish_grade(0.0, 1.0)
        self.publish_completion(0.0)
        self.publish_event("self_assessment.cleared", {})
        text = self.ui_text(UI_TEXT)
        try:
            form_html = self.render_form(self.content(), text)
        except ProblemsError:
            form_html = ""
        return {"message": text["cleared"], "form_html": form_html, "result_html": ""}

    @json_api("competency-staff-filter", staff_only=True, read_only=True)
    def staff_summary(self, data, suffix=""):
        content = self._content_for_handler()
        role, unit = data.get("role") or None, data.get("unit") or None
        if role and content.role(role) is None:
            raise UserFacingError(N_("Unknown role \"{role}\"; choose one from the list."),
                                  path="/role", role=role)
        if unit and content.unit(unit) is None:
            raise UserFacingError(N_("Unknown unit \"{unit}\"; choose one from the list."),
                                  path="/unit", unit=unit)
        text = self.ui_text(UI_TEXT)
        return {"html": self.render_staff(content, text, role, unit),
                "message": text["staff_updated"]}

    @json_api("competency-import", author_only=True, max_bytes=4 * 1024 * 1024)
    def import_data(self, data, suffix=""):
        """Studio: replace the setup, the framework or the role profiles from JSON or CSV."""
        document = json.loads(json.dumps(self.setup_document()))
        # Notepad and Excel start UTF-8 files with a byte-order mark; JSON does not allow one.
        kind, fmt, text = data["kind"], data["format"], data["text"].lstrip("\ufeff")
        try:
            if kind == "setup":
                if fmt != "json":
                    raise UserFacingError(N_("The whole setup can only be imported as JSON."))
                document = schemas.loads(text)  # NaN, deep nesting ...: a clear error
            elif kind == "framework":
                framework = (framework_csv.import_csv(text) if fmt == "csv"
                             else load_json(text))
                document["framework"] = framework.to_dict()
            else:
                if fmt != "csv":
                    raise UserFacingError(N_("Role profiles are imported as CSV."))
                current = self.content()
                result = profiles.import_csv(text, current.framework, current.roles)
                document["roles"] = document["roles"] + [r.to_dict() for r in result.new_roles]
                # The sheet replaces the profiles of the roles it has a column for.
                document["profiles"] = {**document["profiles"], **result.profiles}
            found = setup_problems(document)
            if found:
                raise ProblemsError(found)
        except json.JSONDecodeError as error:
            raise UserFacingError(N_("The file is not valid JSON: {detail}."),
                                  path=f"line {error.lineno}", detail=error.msg) from None
        except ProblemsError as error:
            raise ContentInvalidError(error.render_all(self.gettext)) from None
        if data.get("save", True):
            self.setup = document
        return {"setup": document, "saved": data.get("save", True)}

    @json_api("competency-export", author_only=True, read_only=True)
    def export_data(self, data, suffix=""):
        """Studio: the setup, the framework or the profiles as a file to download."""
        content = self._content_for_handler()
        kind, fmt = data["kind"], data["format"]
        language = data.get("language", self.language)
        if kind == "profiles":
            if fmt != "csv":
                raise UserFacingError(N_("Role profiles are exported as CSV."))
            text = profiles.export_csv(content.profiles, content.framework, content.roles,
                                       language=language)
        elif kind == "framework":
            text = (framework_csv.export_csv(content.framework) if fmt == "csv"
                    else json.dumps(content.framework.to_dict(), ensure_ascii=False, indent=1))
        else:
            if fmt != "json":
                raise UserFacingError(N_("The whole setup can only be exported as JSON."))
            text = dump_json(content)
        return {"text": text, "filename": f"competency-{kind}.{fmt}"}

    # ---- Studio ---------------------------------------------------------------------------
    def studio_view(self, context=None):
        """The field editor plus a panel to import and download spreadsheets and files
        (``import_data``/``export_data``); ``self_assessment.js`` binds both."""
        fragment = super().studio_view(context)
        io_text = self.ui_text(STUDIO_IO_TEXT)
        fragment.add_content(render_template("self_assessment_studio.html", {
            "dom_id": self.dom_id, "block": self, "text": io_text}))
        fragment.add_css_url(self.runtime.local_resource_url(
            self, "public/css/self_assessment.css"))
        fragment.add_javascript_url(self.runtime.local_resource_url(
            self, "public/js/self_assessment.js"))
        fragment.initialize_js("CompetencySelfAssessmentStudio", {
            "text": self.ui_text(STUDIO_TEXT), "io_text": io_text, "language": self.language})
        return fragment

    # ---- Studio validation ----------------------------------------------------------------
    def validate_field_data(self, validation, data):
        if data.setup:
            for problem in setup_problems(data.setup):
                validation.add(ValidationMessage(ValidationMessage.ERROR,
                                                 problem.render(self.gettext)))
        if data.weight is not None and data.weight < 0:
            validation.add(ValidationMessage(ValidationMessage.ERROR, self.gettext(
                N_("The weight cannot be negative."))))
        if data.min_group_size is None or data.min_group_size < aggregate.MIN_K:
            validation.add(ValidationMessage(ValidationMessage.ERROR, self.gettext(N_(
                "The smallest group shown to staff must be at least 5 learners."))))

    # ---- grades ---------------------------------------------------------------------------
    def max_score(self):
        """Participation only: 1 point when graded, else ungraded (content only, unbound)."""
        return 1.0 if self.graded else None

    def has_submitted_answer(self):
        stored = self.stored()
        return bool(stored.current) or stored.unreadable

    def get_score(self):
        """1 once submitted, or the score staff set for the current assessment (a new
        assessment is scored afresh)."""
        if not self.has_submitted_answer():
            return Score(raw_earned=0.0, raw_possible=1.0)
        earned = self.current().get(SCORE_KEY)
        if not isinstance(earned, int | float) or isinstance(earned, bool):
            earned = 1.0
        return Score(raw_earned=float(earned), raw_possible=1.0)

    def set_score(self, score):
        """Keep a score the LMS sets (a staff override) with the assessment it is for."""
        history = self.peek("history")
        history = list(history) if isinstance(history, list) else []
        if history and isinstance(history[-1], dict):
            history[-1] = dict(history[-1], **{SCORE_KEY: float(score.raw_earned)})
            self.history = history

    def calculate_score(self):
        # Participation: also for an assessment that was submitted but cannot be read.
        return Score(raw_earned=1.0 if self.has_submitted_answer() else 0.0, raw_possible=1.0)

    # ---- HR report ------------------------------------------------------------------------
    def generate_report_data(self, user_state_iterator, limit_responses=None):
        """One row per learner and competence for the LMS Problem Responses report."""
        try:
            content = self.content()
        except ProblemsError:
            return
        count = 0
        for user_state in user_state_iterator:
            for row in report.rows_for_state(content, user_state.state, self.language,
                                             self.gettext):
                if limit_responses is not None and count >= limit_responses:
                    return
                count += 1
                yield user_state.username, OrderedDict(row)

    # ---- demo -----------------------------------------------------------------------------
    @staticmethod
    def workbench_scenarios():
        return [
            ("Digital competency self-assessment (DigComp 3.0, example roles)",
             "<competency_self_assessment/>"),
            ("Self-assessment fixed to Borgerservice, graded for participation",
             '<competency_self_assessment xmlns:option="http://code.edx.org/xblock/option" '
             'display_name="Borgerservice: digitale kompetencer" graded="true" weight="2">'
             '<option:setup>'
             + _escape_xml(json.dumps(dict(example_dict(), fixed_role="borgerservice",
                                           fixed_unit="borgerservice"),
                                      ensure_ascii=False))
             + "</option:setup></competency_self_assessment>"),
            ("Self-assessment for caseworkers (role fixed, the learner chooses the unit)",
             '<competency_self_assessment xmlns:option="http://code.edx.org/xblock/option" '
             'display_name="Caseworkers: digital competences"><option:setup>'
             + _escape_xml(json.dumps(dict(example_dict(), fixed_role="sagsbehandler"),
                                      ensure_ascii=False))
             + "</option:setup></competency_self_assessment>"),
        ]


def _escape_xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _now_iso() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")

