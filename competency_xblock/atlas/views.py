"""JSON projections of search results and exercise state for the browser.

Why here and not in the block: the projection decides what a learner may see (never the
expected answer before a scenario is finished) and is easier to test as a pure function.
Texts are plain strings with highlight offsets; the JavaScript builds text nodes and
``<mark>`` elements, so no atlas text is ever parsed as HTML.
"""
from __future__ import annotations

from typing import Any

from competency_xblock.text import pick_language

from .exercise import Exercise, Progress
from .model import Atlas, Unit
from .search import Hit, SearchResult

MAX_DESCRIPTION = 400


def unit_view(atlas: Atlas, unit: Unit, language: str | None) -> dict[str, Any]:
    chain = atlas.unit_chain(unit.id)
    return {"id": unit.id, "name": unit.label(language), "kind": unit.kind,
            "path": [u.label(language) for u in reversed(chain)],
            "contact": atlas.contact_for(unit.id).to_dict()}


def hit_view(atlas: Atlas, hit: Hit, language: str | None) -> dict[str, Any]:
    service = hit.service
    unit = atlas.unit(service.unit)
    description, spans = hit.description, list(hit.description_spans)
    if len(description) > MAX_DESCRIPTION:
        description = description[:MAX_DESCRIPTION].rsplit(" ", 1)[0] + " …"
        spans = [s for s in spans if s[1] <= len(description)]
    return {
        "id": service.id,
        "title": hit.title,
        "title_spans": [list(s) for s in hit.title_spans],
        "kle": list(service.kle),
        "keywords": [{"text": text, "spans": [list(s) for s in spans_]}
                     for text, spans_ in hit.keywords],
        "description": description,
        "description_spans": [list(s) for s in spans],
        "referral_notes": pick_language(service.referral_notes, language),
        "audience": list(service.audience),
        "unit": unit_view(atlas, unit, language) if unit else None,
    }


def result_view(atlas: Atlas, result: SearchResult, language: str | None,
                gettext=lambda s: s) -> dict[str, Any]:
    message = gettext(result.message)
    try:
        message = message.format(**result.params)
    except (KeyError, IndexError, ValueError):
        pass
    return {
        "status": result.status,
        "query": result.query,
        "message": message,
        "total": result.total,
        "kle_prefix": result.kle_prefix,
        "corrections": [{"typed": a, "used": b} for a, b in result.corrections],
        "hits": [hit_view(atlas, hit, language) for hit in result.hits],
    }


def scenario_views(exercise: Exercise, progress: Progress, atlas: Atlas | None,
                   language: str | None) -> list[dict[str, Any]]:
    """What the learner sees of each scenario; answers only once it is finished.  A
    scenario whose stored progress cannot be read is ``unreadable``: its prompt only (no
    pick is taken on it)."""
    out = []
    for scenario in exercise.scenarios:
        state = progress.states.get(scenario.id)
        if state is None:
            out.append({"id": scenario.id, "prompt": pick_language(scenario.prompt, language),
                        "unreadable": True, "attempts": None, "attempts_left": None,
                        "searches": None, "finished": False, "solved": False})
            continue
        left = None if not progress.max_attempts else \
            max(progress.max_attempts - state.attempts, 0)
        view: dict[str, Any] = {
            "id": scenario.id,
            "prompt": pick_language(scenario.prompt, language),
            "attempts": state.attempts,
            "attempts_left": left,
            "searches": state.searches,
            "finished": state.finished,
            "solved": state.solved,
        }
        if state.finished:
            view["explanation"] = pick_language(scenario.explanation, language)
            view["answer"] = answer_labels(atlas, scenario.answer_units,
                                           scenario.answer_services, language)
        elif state.attempts:
            view["hint"] = pick_language(scenario.hint, language)
        out.append(view)
    return out


def answer_labels(atlas: Atlas | None, units, services, language) -> list[dict[str, str]]:
    labels = []
    for unit_id in units:
        unit = atlas.unit(unit_id) if atlas else None
        labels.append({"kind": "unit", "id": unit_id,
                       "label": unit.label(language) if unit else unit_id})
    for service_id in services:
        service = atlas.service(service_id) if atlas else None
        labels.append({"kind": "service", "id": service_id,
                       "label": service.label(language) if service else service_id})
    return labels
