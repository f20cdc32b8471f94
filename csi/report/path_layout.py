"""A readable path diagram: node positions, arrow routes that avoid nodes, the plotly figure.

Coordinates are in a unit square (x to the right, y up). Nodes are boxes of half-size
``NODE_W x NODE_H`` around their centre.

- **ACSI-type models** (every construct one of image, expectation, quality, value,
  satisfaction, complaint, loyalty): image and expectation on the left, quality and value in
  the middle, satisfaction at the centre, loyalty and complaint on the right -- two rows and a
  centre line (the ACSI/ECSI drawings of Fornell et al. 1996 and ECSI 1998).
- **Any other model**: layered left to right by the longest path from a source (Sugiyama's
  layering), constructs of one layer spread vertically.
- **Arrows** run straight when the segment misses every other node; otherwise through one
  waypoint chosen so that neither leg crosses a node (above or below the rows when needed).
  Arrows start and end on the node boxes' edges.
- **Labels** (the coefficient) sit beside the arrow's longest leg, offset perpendicular to it,
  never on a node. Line style shows significance: solid = the 95% CI excludes 0 (or
  ``p < alpha``), dashed grey = not significant. A table without any CI or p-value (a
  point-estimate fit, before its bootstrap) has no significance to show: every arrow is drawn
  alike, solid and in a neutral colour, and the legend is left out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

__all__ = ["node_positions", "edge_routes", "label_position", "readable_path_diagram",
           "segment_hits_box", "NODE_W", "NODE_H", "ACSI_POSITIONS"]

#: Half width and half height of a node box (unit-square coordinates).
NODE_W, NODE_H = 0.085, 0.075

#: Where the ACSI/ECSI/CCSI constructs go (x, y).
ACSI_POSITIONS: dict[str, tuple[float, float]] = {
    "expectation": (0.08, 0.78), "image": (0.08, 0.22),
    "quality": (0.36, 0.78), "value": (0.36, 0.22),
    "satisfaction": (0.62, 0.5),
    "loyalty": (0.92, 0.78), "complaint": (0.92, 0.22),
}

Point = tuple[float, float]


def _layers(constructs: list[str], paths: list[tuple[str, str]]) -> dict[str, int]:
    depth = {c: 0 for c in constructs}
    for _ in range(len(constructs)):  # longest path from a source (the graph is acyclic)
        changed = False
        for s, t in paths:
            if s in depth and t in depth and depth[t] < depth[s] + 1:
                depth[t] = depth[s] + 1
                changed = True
        if not changed:
            break
    return depth


def node_positions(constructs: list[str], paths: list[tuple[str, str]]) -> dict[str, Point]:
    """Centre of every construct's box (see the module docstring for the two layouts).

    >>> node_positions(["expectation", "quality", "satisfaction"], [])["satisfaction"]
    (0.62, 0.5)
    >>> node_positions(["a", "b", "c"], [("a", "b"), ("a", "c")])["a"]
    (0.08, 0.5)
    """
    if constructs and set(constructs) <= set(ACSI_POSITIONS):
        return {c: ACSI_POSITIONS[c] for c in constructs}
    depth = _layers(constructs, paths)
    n_layers = max(depth.values(), default=0) + 1
    out: dict[str, Point] = {}
    for layer in range(n_layers):
        members = [c for c in constructs if depth[c] == layer]
        x = 0.08 + (0.84 * layer / (n_layers - 1) if n_layers > 1 else 0.42)
        for k, c in enumerate(members):
            y = 0.5 if len(members) == 1 else 0.15 + 0.7 * k / (len(members) - 1)
            # stagger alternate layers a little so that an arrow skipping a layer misses its nodes
            if len(members) > 1 and layer % 2:
                y = min(0.9, y + 0.05)
            out[c] = (round(x, 4), round(y, 4))
    return out


def segment_hits_box(p: Point, q: Point, centre: Point, w: float = NODE_W, h: float = NODE_H) -> bool:
    """Whether the segment ``p``-``q`` passes through the open box around ``centre`` (Liang-Barsky).

    >>> segment_hits_box((0, 0.5), (1, 0.5), (0.5, 0.5))
    True
    >>> segment_hits_box((0, 0.9), (1, 0.9), (0.5, 0.5))
    False
    """
    x0, y0 = p
    dx, dy = q[0] - x0, q[1] - y0
    t0, t1 = 0.0, 1.0
    for pk, qk in ((-dx, x0 - (centre[0] - w)), (dx, centre[0] + w - x0),
                   (-dy, y0 - (centre[1] - h)), (dy, centre[1] + h - y0)):
        if pk == 0:
            if qk <= 0:
                return False
            continue
        r = qk / pk
        if pk < 0:
            t0 = max(t0, r)
        else:
            t1 = min(t1, r)
        if t0 >= t1:
            return False
    return t1 - t0 > 1e-9


def _exit_point(centre: Point, toward: Point, pad: float = 0.012) -> Point:
    """Where the ray from ``centre`` to ``toward`` leaves the box (plus ``pad``)."""
    dx, dy = toward[0] - centre[0], toward[1] - centre[1]
    if dx == dy == 0:
        return centre
    s = min((NODE_W + pad) / abs(dx) if dx else math.inf, (NODE_H + pad) / abs(dy) if dy else math.inf)
    return centre[0] + s * dx, centre[1] + s * dy


def _clear(points: list[Point], pos: Mapping[str, Point]) -> bool:
    return not any(segment_hits_box(a, b, c) for a, b in zip(points, points[1:], strict=False)
                   for c in pos.values())


def edge_routes(pos: Mapping[str, Point], paths: list[tuple[str, str]]) -> dict[tuple[str, str], list[Point]]:
    """A polyline per path (start on the source box edge, end on the target box edge) that
    passes through no node box; one waypoint at most (see the module docstring)."""
    ys = [y for _, y in pos.values()] or [0.5]
    levels = sorted({0.5, 0.36, 0.64, min(ys) - 2.2 * NODE_H, max(ys) + 2.2 * NODE_H, 0.08, 0.92,
                     min(ys) - 3.2 * NODE_H, max(ys) + 3.2 * NODE_H})
    out: dict[tuple[str, str], list[Point]] = {}
    for s, t in paths:
        a, b = pos[s], pos[t]
        route = [_exit_point(a, b), _exit_point(b, a)]
        if not _clear(route, pos):
            mid_x = (a[0] + b[0]) / 2
            xs = [mid_x, a[0] + 0.25 * (b[0] - a[0]), a[0] + 0.75 * (b[0] - a[0])]
            cands = sorted(((x, y) for x in xs for y in levels),
                           key=lambda w: abs(w[1] - (a[1] + b[1]) / 2) + 0.1 * abs(w[0] - mid_x))
            for w in cands:
                r = [_exit_point(a, w), w, _exit_point(b, w)]
                if _clear(r, pos):
                    route = r
                    break
        out[(s, t)] = route
    return out


def label_position(route: list[Point], offset: float = 0.035) -> Point:
    """Beside the route's longest leg: its midpoint moved ``offset`` to the leg's left
    (above for a left-to-right arrow)."""
    legs = list(zip(route, route[1:], strict=False))
    (x0, y0), (x1, y1) = max(legs, key=lambda ab: math.dist(*ab))
    length = math.dist((x0, y0), (x1, y1)) or 1.0
    nx, ny = -(y1 - y0) / length, (x1 - x0) / length
    if ny < 0 or (ny == 0 and nx < 0):
        nx, ny = -nx, -ny
    return (x0 + x1) / 2 + offset * nx, (y0 + y1) / 2 + offset * ny


def _label_spot(route: list[Point], pos: Mapping[str, Point]) -> Point:
    for off in (0.035, -0.035, 0.06, -0.06, 0.0):
        p = label_position(route, off)
        if not any(abs(p[0] - c[0]) < NODE_W + 0.02 and abs(p[1] - c[1]) < NODE_H + 0.02
                   for c in pos.values()):
            return p
    return label_position(route, 0.035)


def _wrap(text: str, width: int = 16) -> str:
    """Break a label into lines of at most ``width`` characters (at spaces; CJK anywhere)."""
    if len(text) <= width:
        return text
    if " " not in text:
        return "<br>".join(text[i:i + width // 2 + 2] for i in range(0, len(text), width // 2 + 2))
    lines, cur = [], ""
    for word in text.split():
        if cur and len(cur) + 1 + len(word) > width:
            lines.append(cur)
            cur = word
        else:
            cur = f"{cur} {word}".strip()
    return "<br>".join(lines + [cur])


#: Arrow colour when the table has no significance information (between the two styles' colours).
UNTESTED_COLOR = "#5b7590"


def _has_significance(path_coefficients: pd.DataFrame) -> bool:
    """Whether any row has a p-value or a complete CI (a bootstrapped fit)."""
    cols = [c for c in ("p_value", "ci_low", "ci_high") if c in path_coefficients]
    if "p_value" in cols and path_coefficients["p_value"].notna().any():
        return True
    return bool({"ci_low", "ci_high"} <= set(cols)
                and (path_coefficients["ci_low"].notna() & path_coefficients["ci_high"].notna()).any())


def _significant(row, alpha: float) -> bool:
    p = getattr(row, "p_value", float("nan"))
    if pd.notna(p):
        return bool(p < alpha)
    lo, hi = getattr(row, "ci_low", float("nan")), getattr(row, "ci_high", float("nan"))
    return bool(pd.notna(lo) and pd.notna(hi) and not lo <= 0 <= hi)


def readable_path_diagram(path_coefficients: pd.DataFrame, index: pd.DataFrame, labels: Mapping[str, str],
                          *, lang: str = "en", constructs: list[str] | None = None,
                          paths: list[tuple[str, str]] | None = None, scope: str = "",
                          alpha: float = 0.05, width: int = 1000, height: int = 520) -> go.Figure:
    """The structural model as a plotly figure (see the module docstring).

    ``path_coefficients``: ``source, target, estimate`` with ``ci_low, ci_high`` and/or
    ``p_value`` (an IndexResult's table); ``index``: ``construct, score`` (0-100). ``scope``
    is printed above the diagram (which respondents: one wave or pooled, n used of n).
    Without any CI or p-value in ``path_coefficients`` every arrow is drawn alike (no
    significance shown, no legend).
    """
    from csi.report.i18n_dashboard import dashboard_label

    constructs = list(constructs if constructs is not None else index["construct"])
    if paths is None:
        paths = list(path_coefficients[["source", "target"]].itertuples(index=False, name=None))
    pos = node_positions(constructs, paths)
    routes = edge_routes(pos, paths)
    scores = dict(zip(index["construct"], index["score"], strict=False))
    coef = {(r.source, r.target): r for r in path_coefficients.itertuples(index=False)}
    tested = _has_significance(path_coefficients)
    fig = go.Figure()
    ann: list[dict] = []
    for key, route in routes.items():
        row = coef.get(key)
        sig = row is not None and _significant(row, alpha)
        color = ("#1f4e79" if sig else "#9a9a9a") if tested else UNTESTED_COLOR
        dash = "solid" if sig or not tested else "dash"
        fig.add_trace(go.Scatter(x=[p[0] for p in route[:-1]] + [route[-1][0]],
                                 y=[p[1] for p in route[:-1]] + [route[-1][1]], mode="lines",
                                 line={"color": color, "width": 2.4 if sig else 1.4, "dash": dash},
                                 hoverinfo="skip", showlegend=False))
        (ax, ay), (x, y) = route[-2], route[-1]
        ann.append({"x": x, "y": y, "ax": ax + 0.8 * (x - ax), "ay": ay + 0.8 * (y - ay), "xref": "x",
                    "yref": "y", "axref": "x", "ayref": "y", "showarrow": True, "arrowhead": 3,
                    "arrowsize": 1.1, "arrowwidth": 2 if sig else 1.3, "arrowcolor": color, "text": ""})
        if row is not None:
            lx, ly = _label_spot(route, pos)
            ann.append({"x": lx, "y": ly, "text": f"{row.estimate:.2f}", "showarrow": False,
                        "font": {"color": color, "size": 13}, "bgcolor": "rgba(255,255,255,0.9)"})
    shapes = [{"type": "rect", "x0": x - NODE_W, "x1": x + NODE_W, "y0": y - NODE_H, "y1": y + NODE_H,
               "xref": "x", "yref": "y", "line": {"color": "#1f4e79", "width": 1.5},
               "fillcolor": "#e8f0fa", "layer": "below"} for x, y in pos.values()]
    for c, (x, y) in pos.items():
        s = scores.get(c, float("nan"))
        ann.append({"x": x, "y": y, "showarrow": False, "font": {"size": 12, "color": "#0b2540"},
                    "text": f"<b>{_wrap(labels.get(c, c))}</b><br>{'–' if pd.isna(s) else f'{s:.1f}'}"})
    # legend: line style = significance
    for sig in (True, False) if tested else ():
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=dashboard_label(
            "path_significant" if sig else "path_not_significant", lang),
            line={"color": "#1f4e79" if sig else "#9a9a9a", "dash": "solid" if sig else "dash"}))
    lo = min([y for _, y in pos.values()] + [p[1] for r in routes.values() for p in r]) - NODE_H - 0.04
    hi = max([y for _, y in pos.values()] + [p[1] for r in routes.values() for p in r]) + NODE_H + 0.04
    fig.update_xaxes(visible=False, range=[-0.02, 1.02], fixedrange=True)
    fig.update_yaxes(visible=False, range=[min(lo, -0.02), max(hi, 1.02)], fixedrange=True)
    fig.update_layout(annotations=ann, shapes=shapes, height=height, width=None if width is None else width,
                      plot_bgcolor="white", margin={"l": 10, "r": 10, "t": 40 if scope else 10, "b": 10},
                      title={"text": scope, "font": {"size": 13}} if scope else None,
                      legend={"orientation": "h", "y": -0.02, "x": 0.5, "xanchor": "center"})
    return fig
