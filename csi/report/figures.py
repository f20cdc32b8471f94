"""Plotly figures for the dashboard (also exportable): trend, path diagram, bars, IPMA.

Each builder takes result tables (DataFrames) and display labels and returns a
``plotly.graph_objects.Figure``; none computes a statistic.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

__all__ = ["trend_figure", "path_diagram", "layer_positions", "bar_ci_figure", "ipma_figure",
           "QUADRANT_COLORS"]

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf"]
QUADRANT_COLORS = {"fix first": "#d62728", "keep up": "#2ca02c", "low priority": "#7f7f7f",
                   "possible overkill": "#ff7f0e"}


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def trend_figure(trend: pd.DataFrame, labels: Mapping[str, str], *, y_title: str = "",
                 x_title: str = "", constructs: list[str] | None = None) -> go.Figure:
    """Index per wave with CI bands: one line per construct.

    ``trend`` has ``wave, construct, score, ci_low, ci_high`` (as from
    :func:`csi.estimate.waves.index_by_wave`).
    """
    fig = go.Figure()
    names = constructs or list(dict.fromkeys(trend["construct"]))
    for k, c in enumerate(names):
        d = trend[trend["construct"] == c]
        if d.empty:
            continue
        color = PALETTE[k % len(PALETTE)]
        x = d["wave"].astype(str).tolist()
        fig.add_trace(go.Scatter(x=x + x[::-1], y=d["ci_high"].tolist() + d["ci_low"].tolist()[::-1],
                                 fill="toself", fillcolor=_rgba(color, 0.15), mode="lines",
                                 line={"width": 0}, hoverinfo="skip", showlegend=False,
                                 legendgroup=c))
        fig.add_trace(go.Scatter(x=x, y=d["score"], mode="lines+markers", name=labels.get(c, c),
                                 line={"color": color}, legendgroup=c,
                                 customdata=d[["ci_low", "ci_high"]].to_numpy(),
                                 hovertemplate="%{x}: %{y:.1f} [%{customdata[0]:.1f}, "
                                               "%{customdata[1]:.1f}]<extra>%{fullData.name}</extra>"))
    fig.update_layout(yaxis_title=y_title, xaxis_title=x_title, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      legend={"orientation": "h", "y": -0.2}, height=380)
    fig.update_xaxes(type="category")
    return fig


def layer_positions(nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, tuple[float, float]]:
    """Node positions for a left-to-right diagram: x = longest path from a source, y spread.

    >>> layer_positions(["a", "b", "c"], [("a", "b"), ("b", "c"), ("a", "c")])
    {'a': (0.0, 0.5), 'b': (1.0, 0.5), 'c': (2.0, 0.5)}
    """
    depth = {n: 0 for n in nodes}
    for _ in range(len(nodes)):
        changed = False
        for s, t in edges:
            if depth[t] < depth[s] + 1:
                depth[t] = depth[s] + 1
                changed = True
        if not changed:
            break
    pos = {}
    for d in sorted(set(depth.values())):
        layer = [n for n in nodes if depth[n] == d]
        for i, n in enumerate(layer):
            pos[n] = (float(d), 0.5 if len(layer) == 1 else 1.0 - i / (len(layer) - 1))
    return pos


def path_diagram(paths: pd.DataFrame, index: pd.DataFrame, labels: Mapping[str, str],
                 alpha: float = 0.05) -> go.Figure:
    """The structural model: constructs as nodes (with their 0-100 index), standardized
    coefficients on the arrows; paths with ``p_value >= alpha`` (or a CI containing 0 when no
    p-value) in grey and dashed."""
    nodes = list(index["construct"])
    edges = list(paths[["source", "target"]].itertuples(index=False, name=None))
    pos = layer_positions(nodes, edges)
    scores = dict(zip(index["construct"], index["score"], strict=False))
    annotations = []  # built as plain dicts and set once (add_annotation is quadratic)
    for row in paths.itertuples(index=False):
        (x0, y0), (x1, y1) = pos[row.source], pos[row.target]
        p = getattr(row, "p_value", float("nan"))
        sig = bool(p < alpha) if pd.notna(p) else not (row.ci_low <= 0 <= row.ci_high)
        color = "#1f4e79" if sig else "#b0b0b0"
        annotations.append({
            "x": x1 - 0.12 * (x1 - x0), "y": y1 - 0.12 * (y1 - y0), "ax": x0 + 0.12 * (x1 - x0),
            "ay": y0 + 0.12 * (y1 - y0), "xref": "x", "yref": "y", "axref": "x", "ayref": "y",
            "showarrow": True, "arrowhead": 3, "arrowsize": 1.2, "arrowwidth": 2 if sig else 1.2,
            "arrowcolor": color, "text": ""})
        annotations.append({"x": (x0 + x1) / 2, "y": (y0 + y1) / 2, "text": f"{row.estimate:.2f}",
                            "showarrow": False, "font": {"color": color, "size": 13},
                            "bgcolor": "rgba(255,255,255,0.85)"})
    fig = go.Figure(layout={"annotations": annotations})
    fig.add_trace(go.Scatter(
        x=[pos[n][0] for n in nodes], y=[pos[n][1] for n in nodes], mode="markers+text",
        marker={"size": 58, "color": "#e8f0fa", "line": {"color": "#1f4e79", "width": 2}},
        text=[f"<b>{labels.get(n, n)}</b><br>{scores.get(n, float('nan')):.1f}" for n in nodes],
        textposition="middle center", hoverinfo="text", showlegend=False))
    fig.update_xaxes(visible=False, range=[-0.4, max(p[0] for p in pos.values()) + 0.4])
    fig.update_yaxes(visible=False, range=[-0.2, 1.2])
    fig.update_layout(height=420, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      plot_bgcolor="white")
    return fig


def bar_ci_figure(table: pd.DataFrame, *, x: str, y: str, ci_low: str | None = None,
                  ci_high: str | None = None, color: str | None = None,
                  labels: Mapping[str, str] | None = None, x_title: str = "",
                  y_title: str = "", horizontal: bool = True) -> go.Figure:
    """Bars of ``table[y]`` by ``table[x]`` with optional CI whiskers (and colour groups)."""
    labels = labels or {}
    fig = go.Figure()
    groups = [None] if color is None else list(dict.fromkeys(table[color]))
    for k, g in enumerate(groups):
        d = table if g is None else table[table[color] == g]
        err = None
        if ci_low is not None and ci_high is not None:
            err = {"type": "data", "symmetric": False, "array": (d[ci_high] - d[y]).tolist(),
                   "arrayminus": (d[y] - d[ci_low]).tolist()}
        cats = [labels.get(v, str(v)) for v in d[x]]
        kw = {"x": d[y], "y": cats, "orientation": "h", "error_x": err} if horizontal else \
             {"x": cats, "y": d[y], "error_y": err}
        fig.add_trace(go.Bar(name=str(g) if g is not None else y_title, showlegend=g is not None,
                             marker_color=PALETTE[k % len(PALETTE)], **kw))
    if horizontal:
        fig.update_layout(xaxis_title=y_title, yaxis_title=x_title, yaxis={"autorange": "reversed"})
    else:
        fig.update_layout(xaxis_title=x_title, yaxis_title=y_title)
    fig.update_layout(barmode="group", height=max(300, 32 * len(table) + 100),
                      margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return fig


def ipma_figure(ipma: pd.DataFrame, *, labels: Mapping[str, str], quadrant_names: Mapping[str, str],
                advice: Mapping[str, str], x_title: str, y_title: str) -> go.Figure:
    """Importance–performance map: importance on x, performance (0-100) on y, one colour per
    quadrant, hover with the importance CI and the quadrant's advice; dashed lines at the
    importance-weighted split points given as ``ipma.attrs``-free columns ``split_importance``
    / ``split_performance`` when present (else the means)."""
    fig = go.Figure()
    for q, d in ipma.groupby("quadrant", sort=False):
        has_ci = {"importance_ci_low", "importance_ci_high"} <= set(d.columns)
        custom = pd.DataFrame({
            "lo": d["importance_ci_low"] if has_ci else float("nan"),
            "hi": d["importance_ci_high"] if has_ci else float("nan"),
            "advice": advice.get(q, ""),
        })
        fig.add_trace(go.Scatter(
            x=d["importance"], y=d["performance"], mode="markers+text",
            text=[labels.get(n, n) for n in d["name"]], textposition="top center",
            marker={"size": 14, "color": QUADRANT_COLORS.get(q, "#1f77b4")}, cliponaxis=False,
            name=quadrant_names.get(q, q), customdata=custom.to_numpy(),
            hovertemplate="%{text}<br>" + x_title + ": %{x:.3f} [%{customdata[0]:.3f}, "
                          "%{customdata[1]:.3f}]<br>" + y_title + ": %{y:.1f}<br>%{customdata[2]}"
                          "<extra>%{fullData.name}</extra>"))
    xs = ipma["split_importance"].iloc[0] if "split_importance" in ipma else ipma["importance"].mean()
    ys = ipma["split_performance"].iloc[0] if "split_performance" in ipma else ipma["performance"].mean()
    fig.add_vline(x=float(xs), line_dash="dash", line_color="#999")
    fig.add_hline(y=float(ys), line_dash="dash", line_color="#999")
    fig.update_layout(xaxis_title=x_title, yaxis_title=y_title, height=480,
                      margin={"l": 10, "r": 90, "t": 30, "b": 10}, legend={"orientation": "h", "y": -0.2})
    return fig
