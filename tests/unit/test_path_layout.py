"""Geometry of the readable path diagram: no arrow passes through a node, labels sit beside
their arrows and never on a node, for every template survey's model and for generic models."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from csi.report.path_layout import (
    NODE_H,
    NODE_W,
    edge_routes,
    label_position,
    node_positions,
    readable_path_diagram,
    segment_hits_box,
)
from csi.survey import load_survey

TEMPLATES = sorted(Path("surveys").glob("*.yaml"))
GENERIC = {
    "chain with skips": (["a", "b", "c", "d"], [("a", "b"), ("b", "c"), ("c", "d"), ("a", "c"), ("a", "d"),
                                               ("b", "d")]),
    "two sources, one sink": (["x", "y", "m", "z"], [("x", "m"), ("y", "m"), ("m", "z"), ("x", "z"), ("y", "z")]),
    "wide layer": (["s", "p1", "p2", "p3", "p4", "t"], [("s", p) for p in ("p1", "p2", "p3", "p4")]
                   + [(p, "t") for p in ("p1", "p2", "p3", "p4")] + [("s", "t")]),
}


def _models():
    for f in TEMPLATES:
        s = load_survey(f)
        yield f.stem, list(s.constructs), s.effective_paths
    for name, (c, p) in GENERIC.items():
        yield name, c, p


MODELS = list(_models())


def _boxes_overlap(a, b) -> bool:
    return abs(a[0] - b[0]) < 2 * NODE_W and abs(a[1] - b[1]) < 2 * NODE_H


@pytest.mark.parametrize("name,constructs,paths", MODELS, ids=[m[0] for m in MODELS])
def test_no_arrow_passes_through_a_node(name, constructs, paths):
    pos = node_positions(constructs, paths)
    assert set(pos) == set(constructs)
    for a in constructs:  # nodes do not overlap one another
        for b in constructs:
            if a < b:
                assert not _boxes_overlap(pos[a], pos[b]), (a, b)
    routes = edge_routes(pos, paths)
    assert set(routes) == set(paths)
    for (s, t), route in routes.items():
        for p, q in zip(route, route[1:], strict=False):
            for c, centre in pos.items():  # not even the arrow's own ends: it stops at their edges
                assert not segment_hits_box(p, q, centre), f"{s}->{t} passes through {c}"
        # the arrow starts at the source box and ends at the target box (within 2 pad widths)
        for end, node in ((route[0], s), (route[-1], t)):
            dx, dy = abs(end[0] - pos[node][0]), abs(end[1] - pos[node][1])
            assert max(dx - NODE_W, dy - NODE_H) < 0.03 and (dx >= NODE_W or dy >= NODE_H)


@pytest.mark.parametrize("name,constructs,paths", MODELS, ids=[m[0] for m in MODELS])
def test_labels_sit_beside_their_arrow_and_off_the_nodes(name, constructs, paths):
    pos = node_positions(constructs, paths)
    idx = pd.DataFrame({"construct": constructs, "score": 70.0})
    coef = pd.DataFrame([{"source": s, "target": t, "estimate": 0.3, "ci_low": 0.1, "ci_high": 0.5}
                         for s, t in paths])
    fig = readable_path_diagram(coef, idx, {})
    labels = [a for a in fig.layout.annotations if not a.showarrow and a.text == "0.30"]
    assert len(labels) == len(paths)
    for a in labels:
        for c in pos.values():
            assert not (abs(a.x - c[0]) < NODE_W and abs(a.y - c[1]) < NODE_H), (name, a.x, a.y)
    routes = edge_routes(pos, paths)
    for route in routes.values():
        lx, ly = label_position(route)
        # beside: within 0.05 of the route's longest leg, not on it
        d = min(_distance((lx, ly), p, q) for p, q in zip(route, route[1:], strict=False))
        assert 0.02 < d < 0.05


def _distance(pt, p, q) -> float:
    (x, y), (x0, y0), (x1, y1) = pt, p, q
    L2 = (x1 - x0) ** 2 + (y1 - y0) ** 2
    t = max(0.0, min(1.0, ((x - x0) * (x1 - x0) + (y - y0) * (y1 - y0)) / L2)) if L2 else 0.0
    return math.dist((x, y), (x0 + t * (x1 - x0), y0 + t * (y1 - y0)))


def test_acsi_layout_left_middle_centre_right_on_three_rows():
    s = load_survey("surveys/ecsi.yaml")
    pos = node_positions(list(s.constructs), s.effective_paths)
    x = {c: p[0] for c, p in pos.items()}
    assert x["image"] == x["expectation"] < x["quality"] == x["value"] < x["satisfaction"] < x["loyalty"]
    assert x["loyalty"] == x["complaint"]
    assert len({p[1] for p in pos.values()}) == 3  # two rows and the centre line
    assert pos["satisfaction"][1] == 0.5


def test_line_style_shows_significance():
    idx = pd.DataFrame({"construct": ["quality", "satisfaction", "loyalty"], "score": [70.0, 72.0, 68.0]})
    coef = pd.DataFrame({"source": ["quality", "satisfaction"], "target": ["satisfaction", "loyalty"],
                         "estimate": [0.5, 0.02], "ci_low": [0.4, -0.05], "ci_high": [0.6, 0.09]})
    fig = readable_path_diagram(coef, idx, {"quality": "Q"}, scope="Pooled · n = 10 of 12")
    lines = [t for t in fig.data if t.mode == "lines" and t.x[0] is not None]
    assert [t.line.dash for t in lines] == ["solid", "dash"]
    assert fig.layout.title.text == "Pooled · n = 10 of 12"
    legend = [t.name for t in fig.data if t.x[0] is None]
    assert legend == ["significant (95% CI excludes 0)", "not significant"]


def test_point_estimates_without_any_ci_show_no_significance():
    """Before the bootstrap (a point-estimate fit: no CI, no p-value) no arrow is drawn as "not
    significant": all alike, and no significance legend."""
    idx = pd.DataFrame({"construct": ["quality", "satisfaction", "loyalty"], "score": [70.0, 72.0, 68.0]})
    coef = pd.DataFrame({"source": ["quality", "satisfaction"], "target": ["satisfaction", "loyalty"],
                         "estimate": [0.5, 0.02], "se": float("nan"), "ci_low": float("nan"),
                         "ci_high": float("nan"), "p_value": float("nan")})
    fig = readable_path_diagram(coef, idx, {})
    lines = [t for t in fig.data if t.mode == "lines" and t.x[0] is not None]
    assert [t.line.dash for t in lines] == ["solid", "solid"]
    assert len({t.line.color for t in lines}) == 1 and len({t.line.width for t in lines}) == 1
    assert [t for t in fig.data if t.x[0] is None] == []
    assert sorted(a.text for a in fig.layout.annotations if not a.showarrow and a.text[:1] == "0") == ["0.02", "0.50"]
    # one CI known is enough to show significance (the others are then untested = not significant)
    coef.loc[0, ["ci_low", "ci_high"]] = [0.4, 0.6]
    lines = [t for t in readable_path_diagram(coef, idx, {}).data if t.mode == "lines" and t.x[0] is not None]
    assert [t.line.dash for t in lines] == ["solid", "dash"]
