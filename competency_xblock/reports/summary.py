"""The one-page HTML summary HR can mail on: heat map (inline SVG) and the top findings.

Standalone (no scripts, no external files), every text escaped, printable on A4.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from competency_xblock.reports.atlas import AtlasReport
from competency_xblock.reports.gaps import GapMatrix, row_label
from competency_xblock.reports.items import ItemAnalysis
from competency_xblock.reports.labels import FLAG_TEXT, GROUPING, SUMMARY, TERMS_HIDDEN, Labels

TOP = 5
STYLE = """
body{font-family:"DejaVu Sans",Arial,Helvetica,sans-serif;color:#1a1a1a;margin:0;
background:#fff;line-height:1.45}
main{max-width:980px;margin:0 auto;padding:24px}
h1{font-size:1.5rem;margin:0 0 .25rem}
h2{font-size:1.1rem;margin:1.4rem 0 .4rem;border-bottom:1px solid #d9d9d9;padding-bottom:.2rem}
p.meta{color:#404040;margin:0 0 1rem;font-size:.9rem}
ul{margin:.2rem 0 .6rem 1.2rem;padding:0}
li{margin:.15rem 0}
figure{margin:.5rem 0;overflow-x:auto}
figure svg{max-width:100%;height:auto}
.note{font-size:.85rem;color:#404040}
@media print{main{padding:0}h2{break-after:avoid}figure{break-inside:avoid}}
@page{size:A4;margin:14mm}
"""


@dataclass
class SummaryInput:
    matrix: GapMatrix | None = None
    items: ItemAnalysis | None = None
    atlas: AtlasReport | None = None
    grouping: str = "role"
    heatmap_svg: str = ""
    enrolled: int | None = None
    sources: list[str] = field(default_factory=list)
    generated: str = ""
    pick_labels: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _list(items: list[str], labels: Labels) -> str:
    if not items:
        return f"<p>{escape(labels(SUMMARY['nothing']))}</p>"
    return "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"


def participation(data: SummaryInput, labels: Labels) -> str:
    matrix = data.matrix
    if matrix is None:
        return ""
    n = matrix.learners
    k = matrix.k
    enrolled = data.enrolled
    # A count of fewer than k non-respondents would describe a small group: not shown.
    if enrolled and enrolled >= n and not 0 < enrolled - n < k and n >= k:
        return labels(SUMMARY["learners_of"], n=n, enrolled=enrolled,
                      share=labels.percent(n / enrolled))
    if n >= k:
        return labels(SUMMARY["learners"], n=n)
    return labels(SUMMARY["learners"], n=f"< {k}")


def gap_findings(matrix: GapMatrix, grouping: str, labels: Labels) -> list[str]:
    cells = [c for c in matrix.cells if c.grouping == grouping and c.mean_gap is not None
             and c.mean_gap > 0]
    cells.sort(key=lambda c: (-c.mean_gap, -(c.share_below or 0), c.competence_id))
    return [labels(SUMMARY["gap_item"], row=labels.row(row_label(c)),
                   competence=f"{c.competence_id} {c.competence}".strip(),
                   gap=labels.number(c.mean_gap, 1, signed=True),
                   below=labels.percent(c.share_below), n=c.respondents)
            for c in cells[:TOP]]


def change_findings(matrix: GapMatrix, grouping: str, labels: Labels) -> list[str]:
    cells = [c for c in matrix.cells if c.grouping in (grouping, "all") and c.change is not None]
    cells.sort(key=lambda c: (-abs(c.change), c.competence_id))
    return [labels(SUMMARY["change_item"],
                   row=labels.row(row_label(c)) if c.grouping != "all"
                   else labels(GROUPING["all"]),
                   competence=f"{c.competence_id} {c.competence}".strip(),
                   change=labels.number(c.change, 1, signed=True), n=c.reassessed)
            for c in cells[:TOP]]


def quiz_findings(items: ItemAnalysis, labels: Labels) -> list[str]:
    out = []
    for item in items.flagged()[:TOP]:
        question = f"{item.question_id}: {item.prompt}" if item.prompt else item.question_id
        out.append(labels(SUMMARY["quiz_item"], question=question,
                          flags=", ".join(labels(FLAG_TEXT[f]) for f in item.flags),
                          facility=labels.percent(item.facility),
                          r=labels.number(item.point_biserial, 2)
                          if item.point_biserial is not None else "\u2013"))
    return out


def atlas_findings(atlas: AtlasReport, labels: Labels) -> tuple[list[str], list[str]]:
    terms = [labels(SUMMARY["term_item"], term=t.term, learners=t.learners,
                    no_hits=t.no_hits) for t in atlas.terms[:TOP]]
    if atlas.hidden_terms:
        terms.append(labels(TERMS_HIDDEN, n=atlas.hidden_terms, k=atlas.k))
    cases = [s for s in atlas.scenarios if not s.suppressed and (s.wrong_share or 0) > 0]
    cases.sort(key=lambda s: (-(s.wrong_share or 0), s.scenario))
    case_lines = [labels(SUMMARY["case_item"], case=(s.prompt or s.scenario).rstrip(". "),
                         share=labels.percent(s.wrong_share), n=s.learners)
                  for s in cases[:TOP]]
    return terms, case_lines


def render(data: SummaryInput, labels: Labels) -> str:
    parts = [f'<!DOCTYPE html>\n<html lang="{labels.language}">\n<head>\n<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{escape(labels(SUMMARY['title']))}</title>",
             f"<style>{STYLE}</style>\n</head>\n<body>\n<main>",
             f"<h1>{escape(labels(SUMMARY['title']))}</h1>",
             f'<p class="meta">{escape(labels(SUMMARY["generated"], date=data.generated, sources=", ".join(data.sources)))}</p>']  # noqa: E501
    k = None
    if data.matrix is not None:
        matrix = data.matrix
        k = matrix.k
        parts.append(f"<h2>{escape(labels(SUMMARY['participation']))}</h2>")
        parts.append(f"<p>{escape(participation(data, labels))}</p>")
        if data.heatmap_svg:
            svg = data.heatmap_svg
            if svg.startswith("<?xml"):
                svg = svg[svg.index("?>") + 2:].lstrip()
            parts.append(f"<h2>{escape(labels(SUMMARY['heatmap']))}</h2>")
            parts.append(f"<figure>{svg}</figure>")
            parts.append(f'<p class="note">{escape(labels(SUMMARY["reading"]))}</p>')
        parts.append(f"<h2>{escape(labels(SUMMARY['gaps']))}</h2>")
        parts.append(_list(gap_findings(matrix, data.grouping, labels), labels))
        changes = change_findings(matrix, data.grouping, labels)
        if changes:
            parts.append(f"<h2>{escape(labels(SUMMARY['changes']))}</h2>")
            parts.append(_list(changes, labels))
    if data.items is not None:
        k = k or data.items.k
        parts.append(f"<h2>{escape(labels(SUMMARY['quiz']))}</h2>")
        parts.append(_list(quiz_findings(data.items, labels), labels))
    if data.atlas is not None:
        k = k or data.atlas.k
        terms, cases = atlas_findings(data.atlas, labels)
        parts.append(f"<h2>{escape(labels(SUMMARY['atlas_terms']))}</h2>")
        parts.append(_list(terms, labels))
        parts.append(f"<h2>{escape(labels(SUMMARY['atlas_cases']))}</h2>")
        parts.append(_list(cases, labels))
    hidden = data.matrix.hidden_count() if data.matrix is not None else 0
    parts.append(f"<h2>{escape(labels(SUMMARY['privacy']))}</h2>")
    parts.append(f"<p>{escape(labels(SUMMARY['privacy_text'], k=k or 5, hidden=hidden))}</p>")
    for note in data.notes:
        parts.append(f'<p class="note">{escape(note)}</p>')
    parts.append("</main>\n</body>\n</html>\n")
    return "\n".join(parts)
