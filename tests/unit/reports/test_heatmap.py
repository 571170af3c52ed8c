"""The heat map is drawn from a spec; tests read the drawing back (SVG elements, matplotlib
artists, PNG metadata) and compare data, not pixels."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from competency_xblock.reports import heatmap
from competency_xblock.reports.labels import Labels

from .test_gaps import AE, RESPONSES_EN, K, S, matrix

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def gaps():
    return matrix(RESPONSES_EN)


def test_colour_scale():
    assert heatmap.colour(0) == "#f7f7f7"
    assert heatmap.colour(2) == heatmap.colour(5) == "#b2182b"
    assert heatmap.colour(-2) == heatmap.colour(-9) == "#2166ac"
    assert heatmap.colour(0.5) == "#f6cebc"  # halfway: (247+244)/2, (247+165)/2, (247+130)/2
    assert heatmap.colour(0, "share") == "#f7f7f7" and heatmap.colour(1, "share") == "#b2182b"
    assert heatmap.text_colour("#b2182b") == "#ffffff"
    assert heatmap.text_colour("#f7f7f7") == "#1a1a1a"


def test_spec_by_role(gaps):
    spec = heatmap.build(gaps, "role", "gap", Labels("en"))
    assert spec.row_labels == [S, K, "All"]
    assert spec.col_ids == ["1.1", "4.2"]
    assert spec.col_labels[0] == "1.1 Browsing, searching and filtering data"
    for i, (grouping, row) in enumerate([("role", S), ("role", K), ("all", "")]):
        for j, comp in enumerate(spec.col_ids):
            cell = gaps.cell(grouping, row, comp)
            drawn = spec.cells[i][j]
            assert drawn.state == "value" and drawn.value == pytest.approx(cell.mean_gap, abs=1e-4)
            assert drawn.respondents == cell.respondents
            assert drawn.fill == heatmap.colour(cell.mean_gap)
    assert spec.cells[0][0].text == "+0.5"  # 8/15
    assert "34 learners" in spec.subtitle and "fewer than 5" in spec.subtitle


def test_spec_marks_hidden_cells(gaps):
    spec = heatmap.build(gaps, "role_unit", "gap", Labels("en"))
    assert spec.row_labels[-1] == "All" and len(spec.row_labels) == 7
    states = {row: [c.state for c in cells] for row, cells in zip(spec.row_labels, spec.cells,
                                                                 strict=True)}
    assert states[f"{S} / {AE}"] == ["value", "hidden"]  # 4.2: too few gave a level
    assert states[f"{K} / Borgerservice Nord"] == ["hidden", "hidden"]
    hidden = spec.cells[spec.row_labels.index(f"{K} / Jobcenter Øst")][0]
    assert (hidden.value, hidden.respondents, hidden.fill) == (None, None, heatmap.HIDDEN_FILL)


def test_share_metric_and_danish(gaps):
    spec = heatmap.build(gaps, "unit", "share", Labels("da"))
    assert spec.row_labels == ["Borgerservice Nord", "Jobcenter Øst", AE, "Alle"]
    assert spec.cells[1][0].text == "62 %"  # Jobcenter Øst, 1.1: 5 of 8 below
    assert spec.title == "Andel under det forventede pr. enhed"
    assert spec.legend_ticks == [(0, "0 %"), (0.5, "50 %"), (1, "100 %")]
    assert "skjult" in spec.legend_hidden


def test_svg_carries_the_same_data(gaps):
    spec = heatmap.build(gaps, "role_unit", "gap", Labels("da"))
    root = ET.fromstring(heatmap.to_svg(spec).encode("utf-8"))
    assert root.get("role") == "img" and root.get("lang") == "da"
    assert json.loads(root.get("data-heatmap")) == spec.data()
    cells = root.findall(f".//{SVG}g[@class='cell']")
    assert len(cells) == 7 * 2
    for g in cells:
        i, j = int(g.get("data-row")), int(g.get("data-col"))
        cell = spec.cells[i][j]
        assert g.get("data-state") == cell.state
        rect = g.find(f"{SVG}rect")
        if cell.state == "hidden":
            assert rect.get("fill") == "url(#hm-hatch)" and g.get("data-value") == ""
            assert g.find(f"{SVG}title").text.endswith(": skjult")
        else:
            assert rect.get("fill") == cell.fill
            assert float(g.get("data-value")) == pytest.approx(cell.value)
            assert g.find(f"{SVG}text").text == cell.text
    rows = [t.find(f"{SVG}title").text for t in root.findall(f".//{SVG}text[@class='row']")]
    assert rows == spec.row_labels
    legend = root.find(f".//{SVG}text[@class='legend-hidden']").text
    assert legend == "skjult (færre end 5 personer, eller for at beskytte en sådan gruppe)"
    assert [t.text for t in root.findall(f".//{SVG}text[@class='tick']")] == [
        "\u22122", "\u22121", "0", "+1", "+2"]


def test_svg_escapes_text(gaps):
    spec = heatmap.build(gaps, "role", "gap", Labels("en"))
    spec.row_labels[0] = "<script>alert('x')</script> & co"
    svg = heatmap.to_svg(spec)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    ET.fromstring(svg.encode("utf-8"))  # still well-formed


def test_png_figure_draws_the_spec(gaps, tmp_path):
    pytest.importorskip("matplotlib")
    from matplotlib.colors import to_hex
    from PIL import Image

    spec = heatmap.build(gaps, "role_unit", "gap", Labels("en"))
    fig = heatmap.to_figure(spec)
    ax = fig.axes[0]
    patches = {p.get_gid(): p for p in ax.patches}
    texts = {t.get_gid(): t.get_text() for t in ax.texts}
    for i, row in enumerate(spec.cells):
        for j, cell in enumerate(row):
            patch = patches[f"cell-{i}-{j}"]
            if cell.state == "hidden":
                assert patch.get_hatch() == "////"
            else:
                assert to_hex(patch.get_facecolor()) == cell.fill
                assert texts[f"text-{i}-{j}"] == cell.text
    assert [t.get_text() for t in ax.get_yticklabels()] == spec.row_labels
    legend = fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == [spec.legend_hidden, spec.legend_empty]
    path = tmp_path / "h.png"
    heatmap.write_png(spec, str(path))
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size[0] > 600
        assert json.loads(image.text["Description"]) == spec.data()
