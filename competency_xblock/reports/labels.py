"""Every text the reports show, in English (marked for translation) and looked up in Danish."""
from __future__ import annotations

from competency_xblock.reports.i18n import format_number, gettext_for
from competency_xblock.text import N_

GROUPING = {
    "role": N_("Role"),
    "unit": N_("Unit"),
    "role_unit": N_("Role and unit"),
    "all": N_("All"),
}
ALL_ROW = N_("All")
NO_UNIT = N_("(no unit)")
NO_ROLE = N_("(no role)")

GAP_COLUMNS = {
    "grouping": N_("Grouping"),
    "role": N_("Role"),
    "unit": N_("Unit"),
    "area": N_("Competence area"),
    "competence_id": N_("Competence id"),
    "competence": N_("Competence"),
    "respondents": N_("Respondents"),
    "share_dont_know": N_("Share \"don't know\""),
    "mean_self": N_("Mean self-rated level"),
    "expected_label": N_("Expected level"),
    "mean_expected": N_("Mean expected level"),
    "mean_gap": N_("Mean gap (levels)"),
    "share_below": N_("Share below expectation"),
    "change": N_("Change in gap since previous round"),
    "reassessed": N_("Reassessed"),
    "suppressed": N_("Hidden (privacy)"),
}

ITEM_COLUMNS = {
    "block_title": N_("Quiz"),
    "question_id": N_("Question id"),
    "prompt": N_("Question"),
    "responses": N_("Responses"),
    "facility": N_("Facility (share correct)"),
    "point_biserial": N_("Discrimination (point-biserial r)"),
    "upper_lower": N_("Upper-lower index D"),
    "flags": N_("Flags"),
    "top_distractor": N_("Most picked wrong option"),
    "top_distractor_share": N_("Share picking it"),
    "suppressed": N_("Hidden (privacy)"),
}
OPTION_COLUMNS = {
    "block_title": N_("Quiz"),
    "question_id": N_("Question id"),
    "option": N_("Option"),
    "is_key": N_("Key (picked in correct answers)"),
    "picks": N_("Picks"),
    "share": N_("Share of responses"),
    "upper": N_("Share in upper group"),
    "lower": N_("Share in lower group"),
    "suppressed": N_("Hidden (privacy)"),
}
FLAG_TEXT = {
    "too_easy": N_("too easy"),
    "too_hard": N_("too hard"),
    "weak": N_("weak discrimination"),
    "key_suspect": N_("key looks wrong"),
}
OTHER_OPTION = N_("(other options)")

TERM_COLUMNS = {
    "term": N_("Candidate search word"),
    "learners": N_("Learners"),
    "searches": N_("Searches"),
    "no_hits": N_("Searches with no hits"),
    "wrong_picks": N_("Searches before a wrong referral"),
    "target": N_("Where it should lead (service or unit id)"),
    "scenario": N_("Practice case"),
}
SCENARIO_COLUMNS = {
    "scenario": N_("Practice case"),
    "prompt": N_("Case text"),
    "learners": N_("Learners"),
    "solved_share": N_("Share solved"),
    "mean_attempts": N_("Mean referrals"),
    "mean_searches": N_("Mean searches"),
    "wrong_share": N_("Share referring wrong at least once"),
    "final_wrong_share": N_("Share whose last referral was wrong"),
    "top_wrong": N_("Most frequent wrong referral"),
    "top_wrong_learners": N_("Learners who made it"),
    "suppressed": N_("Hidden (privacy)"),
}

SHEETS = {
    "gaps": N_("Competence gaps"),
    "heatmap": N_("Heat map"),
    "items": N_("Quiz questions"),
    "options": N_("Quiz options"),
    "terms": N_("Search words"),
    "scenarios": N_("Practice cases"),
    "about": N_("About"),
}

HEATMAP = {
    "title": N_("Competence gaps by {grouping}"),
    "title_share": N_("Share below expectation by {grouping}"),
    "subtitle": N_("Mean gap in levels (expected minus self-rated) for {learners} learners. "
                   "Hidden: groups of fewer than {k} people."),
    "subtitle_share": N_("Share of learners below the expected level, {learners} learners. "
                         "Hidden: groups of fewer than {k} people."),
    "below": N_("below expectation"),
    "above": N_("above expectation"),
    "met": N_("as expected"),
    "hidden": N_("hidden (fewer than {k} people, or to protect such a group)"),
    "no_data": N_("no answers"),
    "legend": N_("Mean gap in levels"),
    "legend_share": N_("Share below expectation"),
    "cell": N_("{row}, {competence}: {value} ({n} respondents)"),
    "cell_hidden": N_("{row}, {competence}: hidden"),
    "cell_empty": N_("{row}, {competence}: no answers"),
}

SUMMARY = {
    "title": N_("HR summary: digital competences, data security and the service atlas"),
    "generated": N_("Made {date} from {sources}."),
    "participation": N_("Participation"),
    "learners": N_("{n} learners answered the self-assessment."),
    "learners_of": N_("{n} of {enrolled} enrolled learners answered the self-assessment "
                      "({share})."),
    "gaps": N_("Largest competence gaps"),
    "gap_item": N_("{row} – {competence}: mean gap {gap}, {below} below expectation "
                   "({n} respondents)"),
    "changes": N_("Change since the previous round"),
    "change_item": N_("{row} – {competence}: gap changed by {change} ({n} reassessed)"),
    "quiz": N_("Quiz questions to review"),
    "quiz_item": N_("{question}: {flags} (facility {facility}, discrimination {r})"),
    "atlas_terms": N_("Candidate search words for the service atlas"),
    "term_item": N_("\"{term}\": {learners} learners, {no_hits} searches with no hits"),
    "atlas_cases": N_("Practice cases often referred wrong"),
    "case_item": N_("{case}: {share} referred wrong at least once ({n} learners)"),
    "privacy": N_("Privacy"),
    "privacy_text": N_("Figures about fewer than {k} people are hidden, also where they could "
                       "be worked out by subtracting from a total ({hidden} cells hidden). "
                       "No names, user names or e-mail addresses are included."),
    "nothing": N_("Nothing to report."),
    "heatmap": N_("Heat map"),
    "reading": N_("How to read it: each cell is a role (or unit) and a competence. Orange "
                  "to red: learners rate themselves below the expected level; blue: above. "
                  "Hatched grey: hidden to protect small groups."),
}

TERMS_HIDDEN = N_("{n} search words typed by fewer than {k} learners are not shown.")
INFERRED_SCALE = N_("Level numbers were inferred from the answers (the framework was not "
                    "recognised): 1 is the lowest level anyone chose or was expected to have.")


class Labels:
    """Texts in one language ("en" or "da")."""

    def __init__(self, language: str = "en") -> None:
        self.language = language if language in ("en", "da") else "en"
        self.gettext = gettext_for(self.language)

    def __call__(self, text: str, **params) -> str:
        value = self.gettext(text)
        return value.format(**params) if params else value

    def number(self, value: float | None, digits: int = 1, signed: bool = False) -> str:
        return format_number(value, self.language, digits, signed)

    def percent(self, value: float | None) -> str:
        return format_number(value, self.language, percent=True)

    def yes_no(self, value: bool) -> str:
        return self(N_("yes") if value else N_("no"))

    def row(self, text: str, empty: str = NO_UNIT) -> str:
        return text if text else self(empty)
