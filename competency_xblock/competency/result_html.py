"""The learner's result (levels, gaps, strengths, upskilling plan) as HTML.

Why Python and not a Django template like the other views: the result is rendered in the
submit request, and Django's template engine spent about 0.7 ms on its ~65 substitutions,
a tenth of the whole round trip.  This builds the same markup with ``html.escape`` on every
value (as the template engine's autoescaping did); it holds no UI text of its own: every
word comes from ``ctx["text"]`` (translated by the block) or from the authored content.

``ctx`` keys: ``dom_id``, ``text``, ``rows``, ``has_previous``, ``change_heading``,
``submitted_line``, ``summary_line``, ``change_line``, ``strengths``, ``plan`` (``items``,
``clarify``), ``can_reassess``, ``reassess_note`` (see ``CompetencySelfAssessmentXBlock.
render_result``).
"""
from __future__ import annotations

from html import escape
from typing import Any


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _resource(r: dict, with_url_text: bool) -> str:
    out = []
    if r.get("kind_text"):
        out.append(f'<span class="cx-sa-kind">{_e(r["kind_text"])}:</span> ')
    if r.get("url"):
        url = _e(r["url"])
        out.append(f'<a href="{url}" target="_blank" rel="noopener noreferrer">'
                   f'{_e(r["title"])}</a>')
        if with_url_text:
            out.append(f'<span class="cx-sa-url"> ({url})</span>')
    else:
        out.append(_e(r["title"]))
    if r.get("description"):
        out.append(f" – {_e(r['description'])}")
    return "".join(out)


def render(ctx: dict) -> str:
    text, dom_id = ctx["text"], _e(ctx["dom_id"])
    has_previous = ctx.get("has_previous")
    out = [f'<section class="cx-sa-result" aria-labelledby="{dom_id}-result">\n'
           f'<h3 id="{dom_id}-result" tabindex="-1" data-cx-result-heading>'
           f'{_e(text["result_heading"])}</h3>\n'
           f'<p class="cx-sa-meta">{_e(ctx["submitted_line"])}</p>\n'
           f'<p class="cx-sa-summary">{_e(ctx["summary_line"])}</p>\n']
    if ctx.get("change_line"):
        out.append(f'<p class="cx-sa-change">{_e(ctx["change_line"])}</p>\n')
    out.append(f'<div class="cx-sa-table-wrap" role="region" tabindex="0" '
               f'aria-labelledby="{dom_id}-caption">\n<table class="cx-sa-table">\n'
               f'<caption id="{dom_id}-caption">{_e(text["table_caption"])}</caption>\n'
               "<thead>\n<tr>\n")
    for key in ("col_competence", "col_self", "col_expected", "col_gap", "col_status"):
        out.append(f'<th scope="col">{_e(text[key])}</th>\n')
    if has_previous:
        out.append(f'<th scope="col">{_e(ctx["change_heading"])}</th>\n')
    out.append("</tr>\n</thead>\n<tbody>\n")
    for r in ctx["rows"]:
        out.append(f'<tr class="cx-sa-row cx-sa-{_e(r["status"])}">\n'
                   f'<th scope="row">{_e(r["title"])}</th>\n'
                   f'<td>{_e(r["self"])}</td>\n<td>{_e(r["expected"])}</td>\n'
                   f'<td class="cx-sa-gap">{_e(r["gap"])}</td>\n'
                   f'<td><span class="cx-sa-status">{_e(r["status_text"])}</span></td>\n')
        if has_previous:
            out.append(f'<td>{_e(r["change"])}</td>\n')
        out.append("</tr>\n")
    out.append("</tbody>\n</table>\n</div>\n"
               f'<h4>{_e(text["strengths_heading"])}</h4>\n')
    if ctx.get("strengths"):
        out.append('<ul class="cx-sa-strengths">')
        out.extend(f'<li><strong>{_e(s["title"])}</strong>: {_e(s["self"])} '
                   f'({_e(s["status_text"])})</li>' for s in ctx["strengths"])
        out.append("</ul>\n")
    else:
        out.append(f'<p>{_e(text["strengths_none"])}</p>\n')
    plan = ctx.get("plan") or {}
    out.append(f'<section class="cx-sa-plan" aria-labelledby="{dom_id}-plan">\n'
               f'<h4 id="{dom_id}-plan">{_e(text["plan_heading"])}</h4>\n')
    if plan.get("items"):
        out.append(f'<p>{_e(text["plan_intro"])}</p>\n<ol class="cx-sa-plan-items">\n')
        for item in plan["items"]:
            out.append(f'<li class="cx-sa-plan-item">\n<h5>{_e(item["title"])}</h5>\n'
                       f'<p class="cx-sa-from-to">{_e(item["from_to"])}</p>\n'
                       '<ul class="cx-sa-resources">\n')
            resources = item.get("resources") or []
            out.extend(f"<li>{_resource(r, True)}</li>\n" for r in resources)
            if not resources:
                out.append(f'<li>{_e(text["plan_no_resources"])}</li>\n')
            out.extend(f'<li class="cx-sa-peer">{_resource(r, False)}</li>\n'
                       for r in item.get("peer") or [])
            out.append("</ul>\n</li>\n")
        out.append("</ol>\n")
    else:
        out.append(f'<p>{_e(text["plan_none"])}</p>\n')
    if plan.get("clarify"):
        out.append(f'<h5>{_e(text["clarify_heading"])}</h5>\n<ul class="cx-sa-clarify">')
        out.extend(f"<li>{_e(c['text'])}</li>" for c in plan["clarify"])
        out.append("</ul>\n")
    out.append("</section>\n<div class=\"cx-sa-actions\">\n"
               f'<button type="button" class="cx-secondary" data-cx-print>'
               f'{_e(text["print"])}</button>\n')
    if ctx.get("can_reassess"):
        out.append(f'<button type="button" data-cx-reassess>{_e(text["reassess"])}</button>\n')
    out.append("</div>\n")
    if ctx.get("reassess_note"):
        out.append(f'<p class="cx-sa-reassess-note">{_e(ctx["reassess_note"])}</p>\n')
    out.append("</section>")
    return "".join(out)
