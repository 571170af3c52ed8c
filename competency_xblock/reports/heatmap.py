"""The gap heat map: one spec, drawn as SVG (by hand) and PNG (matplotlib, optional).

Rows are roles, units or role/unit pairs plus an "All" row; columns are competences.  Colour
shows the mean gap (diverging: orange/red = below the expected level, blue = above) or the
share below expectation.  Hidden cells are hatched grey, cells without answers are blank,
and every cell states its number so the colour is never the only carrier of meaning.
The spec is plain data, so tests compare what is drawn, not pixels.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from xml.sax.saxutils import escape, quoteattr

from competency_xblock.reports.gaps import GapMatrix
from competency_xblock.reports.labels import GROUPING, HEATMAP, Labels

GAP_STOPS = ((-2.0, "#2166ac"), (-1.0, "#92c5de"), (0.0, "#f7f7f7"), (1.0, "#f4a582"),
             (2.0, "#b2182b"))
SHARE_STOPS = ((0.0, "#f7f7f7"), (0.5, "#f4a582"), (1.0, "#b2182b"))
HIDDEN_FILL = "#d9d9d9"
HIDDEN_LINE = "#737373"
EMPTY_FILL = "#ffffff"
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
CELL_W, CELL_H = 58, 30
MAX_LABEL = 44

VALUE, HIDDEN, EMPTY = "value", "hidden", "empty"


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def colour(value: float, metric: str = "gap") -> str:
    """The fill for ``value``: linear between the palette's stops, clamped at the ends."""
    stops = GAP_STOPS if metric == "gap" else SHARE_STOPS
    if value <= stops[0][0]:
        return stops[0][1]
    for (x0, c0), (x1, c1) in zip(stops, stops[1:], strict=False):
        if value <= x1:
            t = (value - x0) / (x1 - x0)
            mixed = [round(p + (q - p) * t) for p, q in zip(_rgb(c0), _rgb(c1), strict=True)]
            return "#{:02x}{:02x}{:02x}".format(*mixed)
    return stops[-1][1]


def text_colour(fill: str) -> str:
    r, g, b = _rgb(fill)
    luminance = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255
    return "#ffffff" if luminance < 0.5 else "#1a1a1a"


@dataclass
class Cell:
    state: str                 # value | hidden | empty
    value: float | None
    respondents: int | None
    text: str                  # what is written in the cell
    fill: str


@dataclass
class HeatmapSpec:
    title: str
    subtitle: str
    metric: str
    row_labels: list[str]
    col_ids: list[str]
    col_labels: list[str]
    cells: list[list[Cell]]
    legend_title: str
    legend_ticks: list[tuple[float, str]]
    legend_hidden: str
    legend_empty: str
    descriptions: list[list[str]]
    language: str

    def data(self) -> dict:
        """What the picture says, as plain data (also embedded in the PNG and SVG)."""
        return {"rows": self.row_labels, "columns": self.col_ids, "metric": self.metric,
                "cells": [[{"state": c.state, "value": c.value, "n": c.respondents}
                           for c in row] for row in self.cells]}


def build(matrix: GapMatrix, grouping: str = "role", metric: str = "gap",
          labels: Labels | None = None) -> HeatmapSpec:
    labels = labels or Labels()
    rows = [(grouping, r) for r in matrix.rows(grouping)] + [("all", "")]
    row_labels = [labels.row(r) if g != "all" else labels(GROUPING["all"]) for g, r in rows]
    cols = matrix.competences
    cells, descriptions = [], []
    for (group, row), row_label in zip(rows, row_labels, strict=True):
        line, words = [], []
        for comp_id, title, _area in cols:
            cell = matrix.cell(group, row, comp_id)
            name = f"{comp_id} {title}".strip()
            value = None
            if cell is not None and not cell.suppressed:
                value = cell.mean_gap if metric == "gap" else cell.share_below
            if cell is None or (cell.respondents == 0):
                line.append(Cell(EMPTY, None, None, "", EMPTY_FILL))
                words.append(labels(HEATMAP["cell_empty"], row=row_label, competence=name))
            elif cell.suppressed or cell.levels_hidden or value is None:
                line.append(Cell(HIDDEN, None, None, "\u2013", HIDDEN_FILL))
                words.append(labels(HEATMAP["cell_hidden"], row=row_label, competence=name))
            else:
                text = (labels.number(value, 1, signed=True) if metric == "gap"
                        else labels.percent(value))
                line.append(Cell(VALUE, round(value, 4), cell.respondents, text,
                                 colour(value, metric)))
                words.append(labels(HEATMAP["cell"], row=row_label, competence=name,
                                    value=text, n=cell.respondents))
        cells.append(line)
        descriptions.append(words)
    grouping_text = labels(GROUPING[grouping]).lower()
    if metric == "gap":
        title = labels(HEATMAP["title"], grouping=grouping_text)
        subtitle = labels(HEATMAP["subtitle"], learners=matrix.learners, k=matrix.k)
        ticks = [(x, labels.number(x, 0, signed=True)) for x in (-2, -1, 0, 1, 2)]
        legend = labels(HEATMAP["legend"])
    else:
        title = labels(HEATMAP["title_share"], grouping=grouping_text)
        subtitle = labels(HEATMAP["subtitle_share"], learners=matrix.learners, k=matrix.k)
        ticks = [(x, labels.percent(x)) for x in (0, 0.5, 1)]
        legend = labels(HEATMAP["legend_share"])
    return HeatmapSpec(
        title=title, subtitle=subtitle, metric=metric, row_labels=row_labels,
        col_ids=[c[0] for c in cols], col_labels=[f"{c[0]} {c[1]}".strip() for c in cols],
        cells=cells, legend_title=legend, legend_ticks=ticks,
        legend_hidden=labels(HEATMAP["hidden"], k=matrix.k),
        legend_empty=labels(HEATMAP["no_data"]), descriptions=descriptions,
        language=labels.language)


def _short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


# ---- SVG -----------------------------------------------------------------------------------
def to_svg(spec: HeatmapSpec) -> str:
    """A standalone SVG document (UTF-8 text), readable by screen readers (titles per cell)."""
    n_rows, n_cols = len(spec.row_labels), len(spec.col_ids)
    left = 16 + 7 * min(MAX_LABEL, max((len(r) for r in spec.row_labels), default=4))
    longest = min(MAX_LABEL, max((len(c) for c in spec.col_labels), default=4))
    slant = int(0.71 * 6.3 * longest)  # a label rotated by 45 degrees: as high as it is wide
    head = 64 + slant
    grid_w, grid_h = n_cols * CELL_W, n_rows * CELL_H
    width = max(left + grid_w + slant, 16 + int(6.4 * len(spec.subtitle)), 720)
    legend_y = head + grid_h + 30
    height = legend_y + 64
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="hm-title hm-sub" '
        f'font-family={quoteattr(FONT)} lang="{spec.language}" '
        f'data-heatmap={quoteattr(json.dumps(spec.data(), ensure_ascii=False))}>',
        f'<title id="hm-title">{escape(spec.title)}</title>',
        f'<desc id="hm-sub">{escape(spec.subtitle)}</desc>',
        '<defs><pattern id="hm-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{HIDDEN_FILL}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{HIDDEN_LINE}" stroke-width="1.5"/>'
        '</pattern>',
        '<linearGradient id="hm-scale" x1="0" x2="1" y1="0" y2="0">',
    ]
    stops = GAP_STOPS if spec.metric == "gap" else SHARE_STOPS
    low, high = stops[0][0], stops[-1][0]
    for x, c in stops:
        out.append(f'<stop offset="{(x - low) / (high - low):.3f}" stop-color="{c}"/>')
    out += ['</linearGradient></defs>',
            '<rect width="100%" height="100%" fill="#ffffff"/>',
            f'<text x="16" y="26" font-size="17" font-weight="bold">{escape(spec.title)}</text>',
            f'<text x="16" y="46" font-size="12" fill="#404040">{escape(spec.subtitle)}</text>']
    for j, label in enumerate(spec.col_labels):
        x = left + j * CELL_W + CELL_W / 2
        out.append(f'<text class="col" x="{x:.1f}" y="{head - 8}" font-size="11" '
                   f'transform="rotate(-45 {x:.1f} {head - 8})"><title>{escape(label)}</title>'
                   f'{escape(_short(label))}</text>')
    for i, label in enumerate(spec.row_labels):
        y = head + i * CELL_H
        if i == n_rows - 1 and n_rows > 1:
            out.append(f'<line x1="{left - 6}" x2="{left + grid_w}" y1="{y - 1}" y2="{y - 1}" '
                       'stroke="#1a1a1a" stroke-width="1.5"/>')
        weight = ' font-weight="bold"' if i == n_rows - 1 else ""
        out.append(f'<text class="row" x="{left - 8}" y="{y + CELL_H / 2 + 4:.1f}" '
                   f'font-size="12" text-anchor="end"{weight}><title>{escape(label)}</title>'
                   f'{escape(_short(label))}</text>')
        for j, cell in enumerate(spec.cells[i]):
            x = left + j * CELL_W
            fill = "url(#hm-hatch)" if cell.state == HIDDEN else cell.fill
            value = "" if cell.value is None else f"{cell.value:.4f}"
            n = "" if cell.respondents is None else str(cell.respondents)
            out.append(
                f'<g class="cell" data-row="{i}" data-col="{j}" data-state="{cell.state}" '
                f'data-value="{value}" data-n="{n}">'
                f'<title>{escape(spec.descriptions[i][j])}</title>'
                f'<rect x="{x}" y="{y}" width="{CELL_W}" height="{CELL_H}" fill="{fill}" '
                'stroke="#ffffff" stroke-width="1"/>')
            if cell.text:
                colour_ = HIDDEN_LINE if cell.state == HIDDEN else text_colour(cell.fill)
                out.append(f'<text x="{x + CELL_W / 2}" y="{y + CELL_H / 2 + 4:.1f}" '
                           f'font-size="12" text-anchor="middle" fill="{colour_}">'
                           f'{escape(cell.text)}</text>')
            out.append("</g>")
    # legend
    bar_w = 240
    out += [f'<text x="16" y="{legend_y}" font-size="12" font-weight="bold">'
            f'{escape(spec.legend_title)}</text>',
            f'<rect class="legend-scale" x="16" y="{legend_y + 8}" width="{bar_w}" height="14" '
            'fill="url(#hm-scale)" stroke="#737373" stroke-width="0.5"/>']
    for x, text in spec.legend_ticks:
        tx = 16 + (x - low) / (high - low) * bar_w
        out.append(f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{legend_y + 22}" '
                   f'y2="{legend_y + 27}" stroke="#404040"/>'
                   f'<text class="tick" x="{tx:.1f}" y="{legend_y + 40}" font-size="11" '
                   f'text-anchor="middle">{escape(text)}</text>')
    sx = 16 + bar_w + 40
    out += [f'<rect x="{sx}" y="{legend_y + 8}" width="22" height="14" fill="url(#hm-hatch)" '
            f'stroke="{HIDDEN_LINE}" stroke-width="0.5"/>',
            f'<text class="legend-hidden" x="{sx + 30}" y="{legend_y + 20}" font-size="11">'
            f'{escape(spec.legend_hidden)}</text>',
            f'<rect x="{sx}" y="{legend_y + 30}" width="22" height="14" fill="{EMPTY_FILL}" '
            'stroke="#737373" stroke-width="0.5"/>',
            f'<text class="legend-empty" x="{sx + 30}" y="{legend_y + 42}" font-size="11">'
            f'{escape(spec.legend_empty)}</text>',
            "</svg>"]
    return "\n".join(out) + "\n"


# ---- PNG -----------------------------------------------------------------------------------
def to_figure(spec: HeatmapSpec):
    """A matplotlib Figure of the same picture (no pyplot, no global state).

    Laid out in inches from the number of rows and columns, so cells keep their size.
    """
    import textwrap

    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import LinearSegmentedColormap, Normalize
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch, Rectangle

    n_rows, n_cols = len(spec.row_labels), len(spec.col_ids)
    char = 0.068  # inches per character at 8-9 pt
    left = 0.35 + char * min(MAX_LABEL, max((len(r) for r in spec.row_labels), default=4))
    slant = 0.71 * char * min(MAX_LABEL, max((len(c) for c in spec.col_labels), default=4))
    cell_w, cell_h = 0.8, 0.42
    grid_w, grid_h = n_cols * cell_w, n_rows * cell_h
    top, bottom = 1.0, 1.1
    width = max(left + grid_w + slant + 0.2, left + 8.2)
    subtitle = textwrap.fill(spec.subtitle, width=max(40, int((width - 0.6) / 0.065)))
    top += 0.16 * subtitle.count("\n")
    height = top + slant + 0.25 + grid_h + bottom
    fig = Figure(figsize=(width, height), dpi=100)
    ax = fig.add_axes((left / width, bottom / height, grid_w / width, grid_h / height))
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)
    for i in range(n_rows):
        for j in range(n_cols):
            cell = spec.cells[i][j]
            hidden = cell.state == HIDDEN
            ax.add_patch(Rectangle((j, i), 1, 1, facecolor=HIDDEN_FILL if hidden else cell.fill,
                                   edgecolor=HIDDEN_LINE if hidden else "#ffffff",
                                   hatch="////" if hidden else None, linewidth=0.8,
                                   gid=f"cell-{i}-{j}"))
            if cell.text:
                ax.text(j + 0.5, i + 0.5, cell.text, ha="center", va="center", fontsize=9,
                        color=HIDDEN_LINE if hidden else text_colour(cell.fill),
                        gid=f"text-{i}-{j}")
    if n_rows > 1:
        ax.axhline(n_rows - 1, color="#1a1a1a", linewidth=1.2)
    for j, label in enumerate(spec.col_labels):
        ax.text(j + 0.5, -0.12, _short(label), rotation=45, rotation_mode="anchor",
                ha="left", va="bottom", fontsize=8, gid=f"col-{j}")
    ax.set_xticks([])
    ax.set_yticks([i + 0.5 for i in range(n_rows)])
    ax.set_yticklabels([_short(r) for r in spec.row_labels], fontsize=9)
    ax.get_yticklabels()[-1].set_fontweight("bold")
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    fig.text(0.3 / width, 1 - 0.4 / height, spec.title, fontsize=13, fontweight="bold")
    fig.text(0.3 / width, 1 - 0.62 / height, subtitle, fontsize=8.5, color="#404040",
             va="top")
    stops = GAP_STOPS if spec.metric == "gap" else SHARE_STOPS
    low, high = stops[0][0], stops[-1][0]
    cmap = LinearSegmentedColormap.from_list(
        "gap", [((x - low) / (high - low), c) for x, c in stops])
    bar_ax = fig.add_axes((0.3 / width, 0.55 / height, 2.8 / width, 0.16 / height))
    bar = fig.colorbar(ScalarMappable(norm=Normalize(low, high), cmap=cmap), cax=bar_ax,
                       orientation="horizontal")
    bar.set_ticks([x for x, _ in spec.legend_ticks])
    bar.set_ticklabels([t for _, t in spec.legend_ticks])
    bar.ax.tick_params(labelsize=8)
    bar.ax.set_title(spec.legend_title, fontsize=8, loc="left")
    fig.legend(handles=[Patch(facecolor=HIDDEN_FILL, edgecolor=HIDDEN_LINE, hatch="////",
                              label=spec.legend_hidden),
                        Patch(facecolor=EMPTY_FILL, edgecolor="#737373",
                              label=spec.legend_empty)],
               loc="lower left", fontsize=8, frameon=False,
               bbox_to_anchor=(3.4 / width, 0.2 / height))
    return fig


def write_png(spec: HeatmapSpec, path: str) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = to_figure(spec)
    FigureCanvasAgg(fig)
    fig.savefig(path, format="png", dpi=150, metadata={
        "Title": spec.title, "Description": json.dumps(spec.data(), ensure_ascii=False),
        "Software": "competency-xblock"})


def write_svg(spec: HeatmapSpec, path: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(to_svg(spec))


def spec_dict(spec: HeatmapSpec) -> dict:
    return asdict(spec)
