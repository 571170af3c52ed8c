"""Personal upskilling plan: for each gap, what the author linked for that competence and the
levels the learner needs to climb, plus a peer-training (sidemandsoplæring) suggestion.

A resource matches a gap when it is for the competence and either names no levels or names a
level above the learner's own up to the expected one.  Authored peer resources are the peer
suggestion; without one, the block's ``peer_suggestion`` text (or our default) is used.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from competency_xblock.competency.assessment import Evaluation, Row
from competency_xblock.competency.content import BlockContent, Resource
from competency_xblock.text import N_, LocalizedText, pick_language

DEFAULT_PEER_SUGGESTION = N_(
    "Peer training (sidemandsoplæring): ask a colleague who is confident in \"{competence}\" "
    "at level {level} to show you how they work, then try it yourself with them beside you.")
CLARIFY_TEXT = N_(
    "You answered \"don't know\". Talk to your manager about what \"{competence}\" means in "
    "your job.")
#: Order of resource kinds in the plan: courses first, peer training last.
KIND_ORDER = {"course": 0, "guide": 1, "video": 2, "other": 3, "peer": 4}


@dataclass(frozen=True)
class PlanItem:
    row: Row
    target_levels: tuple[str, ...]  # the levels to climb: above own, up to expected
    resources: list[Resource] = field(default_factory=list)  # not peer
    peer: list[Resource] = field(default_factory=list)       # authored peer training
    peer_text: LocalizedText = ""  # used when ``peer`` is empty; "" = our default text


@dataclass(frozen=True)
class Plan:
    items: list[PlanItem]
    clarify: list[Row]  # "don't know" answers to talk through with the manager


def build_plan(content: BlockContent, evaluation: Evaluation) -> Plan:
    framework = content.framework
    items = []
    for row in evaluation.gaps:
        targets = tuple(lv.id for lv in framework.levels[row.self_rank:row.expected_rank])
        matching = [r for r in content.resources_for(row.competence)
                    if not r.levels or any(level in targets for level in r.levels)]
        matching.sort(key=lambda r: KIND_ORDER.get(r.kind, 9))
        items.append(PlanItem(
            row=row, target_levels=targets,
            resources=[r for r in matching if r.kind != "peer"],
            peer=[r for r in matching if r.kind == "peer"],
            peer_text=content.peer_suggestion,
        ))
    return Plan(items=items, clarify=list(evaluation.unknown))


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _fill(template: str, **params: str) -> str:
    """Fill ``{name}`` placeholders only.  The template may be author text: with str.format,
    "{competence.__class__}" would reach into Python objects and "{competence[x]}" would break
    every learner's result page."""
    return _PLACEHOLDER.sub(lambda m: str(params.get(m.group(1), m.group(0))), template)


def plan_to_json(content: BlockContent, plan: Plan, language: str | None,
                 gettext: Callable[[str], str] = lambda s: s) -> dict:
    """The plan as plain data in one language, ready for a template, JS or print."""
    framework = content.framework

    def label(level_id: str | None) -> str:
        return framework.label(level_id, language) if level_id else ""

    def resource(r: Resource) -> dict:
        return {"kind": r.kind, "title": pick_language(r.title, language), "url": r.url,
                "description": pick_language(r.description, language),
                "levels": [label(lv) for lv in r.levels]}

    items = []
    for item in plan.items:
        comp = framework.competence(item.row.competence)
        title = pick_language(comp.title, language) if comp else item.row.competence
        peer = [resource(r) for r in item.peer]
        if not peer:
            template = (pick_language(item.peer_text, language) if item.peer_text
                        else gettext(DEFAULT_PEER_SUGGESTION))
            peer = [{"kind": "peer", "title": _fill(template, competence=title,
                                                     level=label(item.row.expected_level)),
                     "url": "", "description": "", "levels": []}]
        items.append({
            "competence": item.row.competence, "title": title,
            "self_level": label(item.row.self_level),
            "expected_level": label(item.row.expected_level),
            "gap": item.row.gap, "target_levels": [label(lv) for lv in item.target_levels],
            "resources": [resource(r) for r in item.resources], "peer": peer,
        })
    clarify = []
    for row in plan.clarify:
        comp = framework.competence(row.competence)
        title = pick_language(comp.title, language) if comp else row.competence
        clarify.append({"competence": row.competence, "title": title,
                        "text": _fill(gettext(CLARIFY_TEXT), competence=title),
                        "expected_level": label(row.expected_level)})
    return {"items": items, "clarify": clarify}
