"""The report's SVG charts: valid XML, labels escaped, points where the numbers say."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from csi.report.svg_charts import bar_ci_svg, ipma_svg, trend_svg

NS = "{http://www.w3.org/2000/svg}"


def test_trend_points_follow_the_scores_and_labels_are_escaped():
    svg = trend_svg(["2026Q1", "<b>&"], [60.0, 70.0], [58.0, 69.0], [62.0, 71.0], y_title="Index (0–100)")
    root = ET.fromstring(svg)  # well-formed XML: an unescaped "<b>&" would not parse
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "<b>&" in texts and "60.0" in texts and "70.0" in texts
    cy = [float(c.get("cy")) for c in root.iter(f"{NS}circle")]
    assert cy[1] < cy[0]  # the higher score is drawn higher (SVG y grows downwards)


def test_ipma_highlights_fix_first_in_red():
    svg = ipma_svg(["a", "b", "c"], [0.1, 0.5, 0.3], [80.0, 60.0, 70.0], [False, True, False])
    circles = list(ET.fromstring(svg).iter(f"{NS}circle"))
    assert [c.get("fill") for c in circles] == ["#1f5fa8", "#c0392b", "#1f5fa8"]
    xs = [float(c.get("cx")) for c in circles]
    assert xs[0] < xs[2] < xs[1]  # importance increases to the right


def test_bar_lengths_are_proportional_on_a_fixed_scale():
    svg = bar_ci_svg(["x", "y"], [25.0, 50.0], [20.0, 45.0], [30.0, 55.0], lo=0, hi=100)
    widths = [float(r.get("width")) for r in ET.fromstring(svg).iter(f"{NS}rect")]
    assert abs(widths[1] - 2 * widths[0]) < 1e-6
