"""Static SVG charts for the management report: inline, no JavaScript, print- and PDF-safe.

Each function returns one ``<svg>`` element as text (all labels XML-escaped); the page's CSS
supplies the font (CJK-capable in the PDF). Coordinates are in CSS pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

__all__ = ["trend_svg", "ipma_svg", "bar_ci_svg", "path_svg", "scale"]

_BLUE, _BAND, _GREY, _RED = "#1f5fa8", "#1f5fa833", "#888888", "#c0392b"


def scale(v: float, lo: float, hi: float, a: float, b: float) -> float:
    """Map ``v`` in [lo, hi] linearly to [a, b] (``a`` when the range is empty).

    >>> scale(5, 0, 10, 100, 200), scale(1, 1, 1, 3, 9)
    (150.0, 3.0)
    """
    return float(a) if hi == lo else a + (v - lo) * (b - a) / (hi - lo)


def _text(x, y, s, *, anchor="middle", size=12, fill="#222", extra="") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}"{extra}>'
            f"{escape(str(s))}</text>")


def _nice_range(lo: float, hi: float, pad: float = 0.08) -> tuple[float, float]:
    span = max(hi - lo, 1e-9)
    return lo - pad * span, hi + pad * span


def trend_svg(waves: Sequence[str], score: Sequence[float], ci_low: Sequence[float], ci_high: Sequence[float],
              *, y_title: str = "", width: int = 640, height: int = 260) -> str:
    """One index over the waves: a line with points and its 95% CI as a band."""
    left, right, top, bottom = 56, 16, 16, 40
    lo, hi = _nice_range(min(ci_low), max(ci_high))
    n = len(waves)
    xs = [scale(i, 0, max(n - 1, 1), left + 20, width - right - 20) if n > 1 else (left + width - right) / 2
          for i in range(n)]

    def y(v):
        return scale(v, lo, hi, height - bottom, top)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img">']
    for t in _ticks(lo, hi):
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#e5e5e5"/>')
        parts.append(_text(left - 6, y(t) + 4, f"{t:g}", anchor="end", size=11, fill="#555"))
    band = [f"{x:.1f},{y(v):.1f}" for x, v in zip(xs, ci_high, strict=True)]
    band += [f"{x:.1f},{y(v):.1f}" for x, v in zip(reversed(xs), reversed(list(ci_low)), strict=True)]
    parts.append(f'<polygon points="{" ".join(band)}" fill="{_BAND}" stroke="none"/>')
    pts = " ".join(f"{x:.1f},{y(v):.1f}" for x, v in zip(xs, score, strict=True))
    parts.append(f'<polyline points="{pts}" fill="none" stroke="{_BLUE}" stroke-width="2.5"/>')
    for x, v, w in zip(xs, score, waves, strict=True):
        parts.append(f'<circle cx="{x:.1f}" cy="{y(v):.1f}" r="4" fill="{_BLUE}"/>')
        parts.append(_text(x, y(v) - 9, f"{v:.1f}", size=11, fill=_BLUE))
        parts.append(_text(x, height - bottom + 18, w, size=11))
    if y_title:
        parts.append(_text(14, (top + height - bottom) / 2, y_title, size=11, fill="#555",
                           extra=f' transform="rotate(-90 14 {(top + height - bottom) / 2:.1f})"'))
    parts.append("</svg>")
    return "".join(parts)


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick values inside [lo, hi].

    >>> _ticks(61.3, 78.9)
    [65.0, 70.0, 75.0]
    """
    import math

    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step) * step
    out, t = [], first
    while t <= hi + 1e-9:
        out.append(round(float(t), 10))
        t += step
    return out


def ipma_svg(names: Sequence[str], importance: Sequence[float], performance: Sequence[float],
             highlight: Sequence[bool], *, x_title: str = "", y_title: str = "", width: int = 640,
             height: int = 380) -> str:
    """Importance (x) against performance (y, 0–100) with lines at the means (the quadrants);
    ``highlight`` points ("fix first") in red."""
    left, right, top, bottom = 56, 24, 16, 44
    x_lo, x_hi = _nice_range(min(importance), max(importance), 0.15)
    y_lo, y_hi = _nice_range(min(performance), max(performance), 0.15)

    def px(v):
        return scale(v, x_lo, x_hi, left, width - right)

    def py(v):
        return scale(v, y_lo, y_hi, height - bottom, top)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img">',
             f'<rect x="{left}" y="{top}" width="{width - left - right}" height="{height - top - bottom}" '
             'fill="none" stroke="#ccc"/>']
    mx = sum(importance) / len(importance)
    my = sum(performance) / len(performance)
    parts.append(f'<line x1="{px(mx):.1f}" x2="{px(mx):.1f}" y1="{top}" y2="{height - bottom}" '
                 f'stroke="{_GREY}" stroke-dasharray="4 3"/>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{py(my):.1f}" y2="{py(my):.1f}" '
                 f'stroke="{_GREY}" stroke-dasharray="4 3"/>')
    for t in _ticks(y_lo, y_hi):
        parts.append(_text(left - 6, py(t) + 4, f"{t:g}", anchor="end", size=11, fill="#555"))
    for t in _ticks(x_lo, x_hi):
        parts.append(_text(px(t), height - bottom + 16, f"{t:g}", size=11, fill="#555"))
    for name, xi, yi, hot in zip(names, importance, performance, highlight, strict=True):
        color = _RED if hot else _BLUE
        parts.append(f'<circle cx="{px(xi):.1f}" cy="{py(yi):.1f}" r="6" fill="{color}"/>')
        anchor = "end" if px(xi) > width * 0.7 else "start"
        dx = -9 if anchor == "end" else 9
        parts.append(_text(px(xi) + dx, py(yi) + 4, name, anchor=anchor, size=12, fill=color))
    if x_title:
        parts.append(_text((left + width - right) / 2, height - 8, x_title, size=12, fill="#555"))
    if y_title:
        parts.append(_text(14, (top + height - bottom) / 2, y_title, size=12, fill="#555",
                           extra=f' transform="rotate(-90 14 {(top + height - bottom) / 2:.1f})"'))
    parts.append("</svg>")
    return "".join(parts)


def bar_ci_svg(labels: Sequence[str], values: Sequence[float], ci_low: Sequence[float] | None = None,
               ci_high: Sequence[float] | None = None, *, lo: float | None = None, hi: float | None = None,
               unit: str = "", width: int = 640, bar_height: int = 22) -> str:
    """Horizontal bars (one per label) with optional 95% CI whiskers; value printed at the end."""
    left, right, top = 190, 60, 8
    height = top * 2 + bar_height * len(labels) * 3 // 2
    vmax = max([*(ci_high or values), *values]) if hi is None else hi
    vmin = 0.0 if lo is None else lo

    def px(v):
        return scale(v, vmin, vmax, left, width - right)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img">']
    for i, (lab, v) in enumerate(zip(labels, values, strict=True)):
        yc = top + bar_height * 3 / 4 + i * bar_height * 3 / 2
        parts.append(_text(left - 8, yc + 4, lab, anchor="end", size=12))
        parts.append(f'<rect x="{left}" y="{yc - bar_height / 2:.1f}" width="{max(px(v) - left, 0):.1f}" '
                     f'height="{bar_height}" fill="{_BLUE}" opacity="0.85"/>')
        end = px(v)
        if ci_low is not None and ci_high is not None:
            a, b = px(ci_low[i]), px(ci_high[i])
            parts.append(f'<line x1="{a:.1f}" x2="{b:.1f}" y1="{yc:.1f}" y2="{yc:.1f}" stroke="#222" stroke-width="1.5"/>')
            parts.append(f'<line x1="{a:.1f}" x2="{a:.1f}" y1="{yc - 5:.1f}" y2="{yc + 5:.1f}" stroke="#222"/>')
            parts.append(f'<line x1="{b:.1f}" x2="{b:.1f}" y1="{yc - 5:.1f}" y2="{yc + 5:.1f}" stroke="#222"/>')
            end = max(end, b)
        parts.append(_text(end + 6, yc + 4, f"{v:.1f}{unit}", anchor="start", size=11))
    parts.append("</svg>")
    return "".join(parts)


def path_svg(pos: dict[str, tuple[float, float]], routes: dict[tuple[str, str], list[tuple[float, float]]],
             coefficients: dict[tuple[str, str], tuple[float, bool]], node_text: dict[str, tuple[str, str]], *,
             node_w: float, node_h: float, width: int = 760, height: int = 420) -> str:
    """The path diagram: boxes at ``pos``, arrows along ``routes`` (unit square, y up).

    ``node_w``/``node_h``: half width/height of a box in the same unit coordinates as ``pos``
    (the layout that routed the arrows around the boxes); ``coefficients``: ``(source, target)
    -> (estimate, significant)`` -- significant paths solid, the others dashed; the estimate is
    printed beside the arrow's longest leg. ``node_text``: ``construct -> (label, score text)``.
    """
    pad = 10

    def px(p):
        return pad + p[0] * (width - 2 * pad), pad + (1 - p[1]) * (height - 2 * pad)

    bw, bh = 2 * node_w * (width - 2 * pad), 2 * node_h * (height - 2 * pad)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img"><defs><marker id="arr" viewBox="0 0 10 10" refX="10" '
             'refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
             f'fill="{_GREY}"/></marker></defs>']
    for (a, b), pts in routes.items():
        est, sig = coefficients.get((a, b), (float("nan"), False))
        xy = [px(p) for p in pts]
        d = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
        dash = "" if sig else ' stroke-dasharray="5 4"'
        parts.append(f'<polyline points="{d}" fill="none" stroke="{_GREY}" stroke-width="{2 if sig else 1.3}"'
                     f'{dash} marker-end="url(#arr)"/>')
        k = max(range(len(xy) - 1), key=lambda i: (xy[i + 1][0] - xy[i][0]) ** 2 + (xy[i + 1][1] - xy[i][1]) ** 2)
        (x0, y0), (x1, y1) = xy[k], xy[k + 1]
        seg = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 1e-9)
        nx, ny = -(y1 - y0) / seg, (x1 - x0) / seg  # beside the leg, not on it
        mx, my = (x0 + x1) / 2 + 11 * nx, (y0 + y1) / 2 + 11 * ny
        if est == est:
            parts.append(f'<rect x="{mx - 18:.1f}" y="{my - 8:.1f}" width="36" height="15" fill="white" opacity="0.9"/>')
            parts.append(_text(mx, my + 4, f"{est:.2f}", size=11, fill="#333"))
    for c, p in pos.items():
        x, y = px(p)
        label, score = node_text.get(c, (c, ""))
        parts.append(f'<rect x="{x - bw / 2:.1f}" y="{y - bh / 2:.1f}" width="{bw:.1f}" height="{bh:.1f}" rx="7" '
                     f'fill="#eef3fa" stroke="{_BLUE}"/>')
        parts.append(_text(x, y - 3, label, size=11))
        parts.append(_text(x, y + 13, score, size=11, fill=_BLUE))
    parts.append("</svg>")
    return "".join(parts)
