"""Render a :class:`~csi.report.management.ManagementReport` as HTML, XLSX or PDF.

- HTML: one self-contained file (inline CSS and SVG charts; no script, no external link).
- XLSX: one sheet per section with plain, translated column headings (openpyxl).
- PDF: the HTML laid out by WeasyPrint (>= 62) with a CJK-capable font stack (Noto Sans CJK
  from the fonts-noto-cjk package), A4 pages.

Rounding happens here, for display: indices to 1 decimal, importances to 2, odds ratios to 2.
"""

from __future__ import annotations

import math
from html import escape

import pandas as pd

from csi.report.i18n_report import rt
from csi.report.svg_charts import bar_ci_svg, ipma_svg, trend_svg

__all__ = ["report_sections", "to_html", "to_xlsx", "to_pdf", "FONT_STACK"]

#: Fonts tried in order; Noto Sans CJK SC covers Chinese and Latin text in the PDF.
FONT_STACK = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Noto Sans", "DejaVu Sans", sans-serif'

_CSS = f"""
@page {{ size: A4; margin: 16mm 14mm; }}
body {{ font-family: {FONT_STACK}; color: #222; max-width: 900px; margin: 1.5em auto; line-height: 1.45; }}
h1 {{ font-size: 1.6em; margin-bottom: .2em; }} h2 {{ font-size: 1.2em; margin-top: 1.4em;
  border-bottom: 1px solid #ddd; }}
.meta, .note {{ color: #555; font-size: .9em; }} .big {{ font-size: 2.4em; font-weight: bold; color: #1f5fa8; }}
table {{ border-collapse: collapse; margin: .5em 0; font-size: .92em; }}
td, th {{ border: 1px solid #ccc; padding: 3px 8px; }} th {{ background: #f3f3f3; text-align: left; }}
td.num {{ text-align: right; }} ol.fix li {{ margin-bottom: .4em; }}
svg {{ max-width: 100%; height: auto; }} section {{ page-break-inside: auto; }}
"""


def _f(v, digits: int = 1) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    return f"{v:.{digits}f}"


def _ci(lo, hi, digits: int = 1) -> str:
    return f"{_f(lo, digits)} – {_f(hi, digits)}"


def _scope(rep, lang: str) -> str:
    return rt("scope_wave", lang, wave=rep.wave) if rep.scope == "wave" else rt("scope_pooled", lang)


def _cap(text: str) -> str:
    """``text`` with its first letter upper-case (a scope that starts a sentence)."""
    return text[:1].upper() + text[1:]


def _lab(rep, key: str) -> str:
    return rep.labels.get(key, key)


def report_sections(rep) -> dict[str, pd.DataFrame]:
    """Every table of the report with translated headings and display values (for HTML/XLSX)."""
    lang = rep.lang
    q = {k: rt(f"quadrant_{k}", lang) for k in ("fix first", "keep up", "low priority", "possible overkill")}
    out: dict[str, pd.DataFrame] = {}
    out["fix_first"] = pd.DataFrame({
        rt("col_rank", lang): rep.fix_first["rank"].astype(int),
        rt("col_part", lang): [_lab(rep, c) for c in rep.fix_first["construct"]],
        rt("col_importance", lang): [f"{_f(i, 2)} ({_ci(a, b, 2)})" for i, a, b in
                                     zip(rep.fix_first["importance"], rep.fix_first["importance_ci_low"],
                                         rep.fix_first["importance_ci_high"], strict=True)],
        rt("col_performance", lang): [_f(v) for v in rep.fix_first["performance"]],
        rt("col_why", lang): (rep.fix_first_texts[:len(rep.fix_first)] if rep.fix_first_texts
                              else [_fix_reason(rep, r, gain=False) for r in rep.fix_first.itertuples()]),
        rt("col_gain", lang): [f"{_f(g)} ({_ci(a, b)})" for g, a, b in
                               zip(rep.fix_first["gain"], rep.fix_first["gain_ci_low"], rep.fix_first["gain_ci_high"],
                                   strict=True)],
    })
    trend = rep.trend[rep.trend["construct"] == rep.headline_construct]
    out["trend"] = pd.DataFrame({rt("col_wave", lang): trend["wave"], rt("col_index", lang): trend["score"].map(_f),
                                 rt("col_ci", lang): [_ci(a, b) for a, b in zip(trend["ci_low"], trend["ci_high"],
                                                                                strict=True)],
                                 rt("col_n", lang): trend["n_obs"].astype(int)})
    c = rep.constructs
    out["constructs"] = pd.DataFrame({rt("col_part", lang): [_lab(rep, x) for x in c["construct"]],
                                      rt("col_index", lang): c["score"].map(_f),
                                      rt("col_ci", lang): [_ci(a, b) for a, b in zip(c["ci_low"], c["ci_high"],
                                                                                     strict=True)]})
    ip = rep.ipma
    out["ipma"] = pd.DataFrame({
        rt("col_part", lang): [_lab(rep, x) for x in ip["name"]],
        rt("col_importance", lang): [f"{_f(i, 2)} ({_ci(a, b, 2)})" for i, a, b in
                                     zip(ip["importance"], ip["importance_ci_low"], ip["importance_ci_high"], strict=True)],
        rt("col_performance", lang): ip["performance"].map(_f),
        rt("col_quadrant", lang): ip["quadrant"].map(lambda v: q.get(v, v))})
    if rep.repurchase is not None:
        r = rep.repurchase
        out["repurchase"] = pd.DataFrame({
            rt("col_driver", lang): [_lab(rep, x) for x in r["lever"]],
            rt("col_share", lang): r["share"].map(_f),
            rt("col_odds", lang): [f"{_f(o, 2)} ({_ci(a, b, 2)})" for o, a, b in
                                   zip(r["odds_ratio"], r["ci_low"], r["ci_high"], strict=True)]})
    if len(rep.complaint_types):
        t = rep.complaint_types
        out["complaints"] = pd.DataFrame({rt("col_type", lang): [rep.labels.get(f"ctype:{x}", x) for x in t["type"]],
                                          rt("col_share_complained", lang): (100 * t["rate"]).map(_f),
                                          rt("col_ci", lang): [_ci(100 * a, 100 * b) for a, b in
                                                               zip(t["ci_low"], t["ci_high"], strict=True)],
                                          rt("col_n", lang): t["n"].astype(int)})
    s = rep.segments
    if len(s):
        out["segments"] = pd.DataFrame({
            rt("col_segment", lang): [rep.labels.get(f"seg:{b}", b) for b in s["by"]],
            rt("col_group", lang): [rep.labels.get(f"opt:{b}:{g}", g) for b, g in zip(s["by"], s["group"], strict=True)],
            rt("col_index", lang): [_f(m) + ("*" if small else "") for m, small in zip(s["mean"], s["small_n"],
                                                                                     strict=True)],
            rt("col_ci", lang): [_ci(a, b) for a, b in zip(s["ci_low"], s["ci_high"], strict=True)],
            rt("col_n", lang): s["n"].astype(int)})
    rel = rep.reliability.merge(rep.r2[["construct", "r2"]], on="construct", how="left")
    out["quality"] = pd.DataFrame({rt("col_part", lang): [_lab(rep, x) for x in rel["construct"]],
                                   rt("col_alpha", lang): rel["alpha"].map(lambda v: _f(v, 3)),
                                   rt("col_reliability", lang): rel["rho_c"].map(lambda v: _f(v, 3)),
                                   rt("col_ave", lang): rel["ave"].map(lambda v: _f(v, 3)),
                                   rt("col_r2", lang): rel["r2"].map(lambda v: _f(v, 3))})
    h = rep.htmt
    out["htmt"] = pd.DataFrame({rt("col_pair", lang): [f"{_lab(rep, a)} / {_lab(rep, b)}" for a, b in
                                                       zip(h["construct_a"], h["construct_b"], strict=True)],
                                rt("col_htmt", lang): h["estimate"].map(lambda v: _f(v, 3))})
    a = rep.admissibility
    out["admissibility"] = pd.DataFrame({rt("col_check", lang): a["check"],
                                         rt("col_status", lang): a["status"].map(lambda v: rt(f"status_{v}", lang)),
                                         rt("col_detail", lang): a["detail"]})
    return out


def _fix_reason(rep, r, *, gain: bool = True) -> str:
    from csi.report.management import WHATIF_STEP

    lang = rep.lang
    text = rt("fix_first_ipma", lang, target=_lab(rep, rep.target), imp=_f(r.importance, 2),
              perf=_f(r.performance), gap=_f(abs(r.gap)))
    if r.cause_item:
        text += " " + rt("fix_first_cause", lang, item=_lab(rep, r.cause_item), perf=_f(r.cause_performance))
    if gain and math.isfinite(r.gain):
        text += " " + rt("fix_first_gain", lang, step=f"{WHATIF_STEP:g}", label=_lab(rep, rep.headline_construct),
                         gain=_f(r.gain), low=_f(r.gain_ci_low), high=_f(r.gain_ci_high))
    return text


def _table(df: pd.DataFrame) -> str:
    head = "".join(f"<th>{escape(str(c))}</th>" for c in df.columns)
    rows = []
    for rec in df.itertuples(index=False):
        cells = []
        for v in rec:
            s = str(v)
            num = s.replace(".", "", 1).replace("–", "").replace(" ", "").replace("*", "").lstrip("-").isdigit()
            cells.append(f'<td class="num">{escape(s)}</td>' if num else f"<td>{escape(s)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def to_html(rep) -> str:
    """The report as one self-contained HTML document (UTF-8 text)."""
    lang = rep.lang
    tabs = report_sections(rep)
    h = rep.headline
    head_label = _lab(rep, rep.headline_construct)
    head_scope = rt("scope_wave", lang, wave=rep.headline_wave) if rep.headline_wave else rt("scope_pooled", lang)
    p = [f"<!DOCTYPE html><html lang='{escape(lang)}'><head><meta charset='utf-8'>",
         f"<title>{escape(rep.title)} – {escape(rt('report_title', lang))}</title><style>{_CSS}</style></head><body>",
         f"<h1>{escape(rep.title)}</h1>",
         f"<p class='meta'>{escape(rt('report_title', lang))} · "
         + escape(rt("generated", lang, survey=rep.survey_id, version=rep.survey_version, scope=_scope(rep, lang),
                     n_used=rep.n_used, n_collected=rep.n_collected)) + "</p>"]
    p.append(f"<section><h2>{escape(rt('sec_headline', lang))}</h2>")
    p.append(f"<p><span class='big'>{_f(h.score)}</span></p>")
    p.append("<p>" + escape(rt("headline_value", lang, label=head_label, score=_f(h.score), low=_f(h.ci_low),
                                high=_f(h.ci_high), scope=head_scope, n=h.n_obs)) + "</p>")
    p.append("<p>" + escape(rep.change_sentence if rep.change is not None else rt("no_change", lang)) + "</p>")
    p.append(f"<p class='note'>{escape(rt('higher_better', lang))}</p></section>")
    p.append(f"<section><h2>{escape(rt('sec_fix_first', lang))}</h2>")
    if rep.fix_first_texts and len(rep.fix_first):  # the dashboard's sentences (csi.report.fix_first)
        p.append("<ol class='fix'>" + "".join(f"<li>{escape(t)}</li>" for t in rep.fix_first_texts) + "</ol>")
    elif rep.fix_first_texts:
        p.append(f"<p>{escape(rep.fix_first_texts[0])}</p>")
    elif len(rep.fix_first):
        p.append("<ol class='fix'>" + "".join(
            f"<li><b>{escape(_lab(rep, r.construct))}</b>: {escape(_fix_reason(rep, r))}</li>"
            for r in rep.fix_first.itertuples()) + "</ol>")
    else:
        p.append(f"<p>{escape(rt('fix_first_none', lang))}</p>")
    p.append("</section>")
    trend = rep.trend[rep.trend["construct"] == rep.headline_construct]
    if len(trend) > 1:
        p.append(f"<section><h2>{escape(rt('sec_trend', lang))}: {escape(head_label)}</h2>")
        p.append(trend_svg(list(trend["wave"]), list(trend["score"]), list(trend["ci_low"]), list(trend["ci_high"]),
                           y_title=rt("col_index", lang)))
        p.append(_table(tabs["trend"]) + "</section>")
    p.append(_path_section(rep))
    p.append(f"<section><h2>{escape(rt('sec_constructs', lang))} · {escape(head_scope)}</h2>")
    c = rep.constructs
    p.append(bar_ci_svg([_lab(rep, x) for x in c["construct"]], list(c["score"]), list(c["ci_low"]),
                        list(c["ci_high"]), lo=0, hi=100))
    p.append(f"<p class='note'>{escape(rt('higher_better', lang))}</p></section>")
    ip = rep.ipma
    p.append(f"<section><h2>{escape(rt('sec_ipma', lang))}</h2>")
    if len(ip):
        p.append(ipma_svg([_lab(rep, x) for x in ip["name"]], list(ip["importance"]), list(ip["performance"]),
                          [qd == "fix first" for qd in ip["quadrant"]], x_title=rt("axis_importance", lang),
                          y_title=rt("axis_performance", lang)))
        p.append(_table(tabs["ipma"]))
    p.append(f"<p class='note'>{escape(rt('ipma_note', lang, target=_lab(rep, rep.target), scope=_cap(_scope(rep, lang))))}"
             "</p></section>")
    p.append(f"<section><h2>{escape(rt('sec_repurchase', lang))}</h2>")
    if rep.repurchase is not None:
        r = rep.repurchase
        p.append(bar_ci_svg([_lab(rep, x) for x in r["lever"]], list(r["share"]), unit="%"))
        p.append(_table(tabs["repurchase"]))
        a = rep.auc
        p.append(f"<p class='note'>{escape(rt('repurchase_note', lang, auc=_f(a['auc'], 3), low=_f(a['ci_low'], 3), high=_f(a['ci_high'], 3), n=a['n'], scope=_cap(_scope(rep, lang))))}</p>")
    else:
        p.append(f"<p>{escape(rt('repurchase_none', lang))}</p>")
    p.append("</section>")
    p.append(f"<section><h2>{escape(rt('sec_complaints', lang))}</h2>")
    if rep.complaint_rate is not None:
        cr = rep.complaint_rate
        p.append("<p>" + escape(rt("complaints_note", lang, rate=_f(100 * cr["rate"]), low=_f(100 * cr["ci_low"]),
                                   high=_f(100 * cr["ci_high"]), n=cr["n"], scope=_cap(_scope(rep, lang)))) + "</p>")
        if "complaints" in tabs:
            t = rep.complaint_types
            p.append(bar_ci_svg(list(tabs["complaints"].iloc[:, 0]), list(100 * t["rate"]), list(100 * t["ci_low"]),
                                list(100 * t["ci_high"]), unit="%"))
            p.append(_table(tabs["complaints"]))
    else:
        p.append(f"<p>{escape(rt('complaints_none', lang))}</p>")
    p.append("</section>")
    if "segments" in tabs:
        from csi.report.caution import caution_thresholds

        p.append(f"<section><h2>{escape(rt('sec_segments', lang))}</h2>")
        p.append(f"<p class='note'>{escape(rt('segments_note', lang, label=head_label, min_n=caution_thresholds()[0], scope=_cap(_scope(rep, lang))))}</p>")
        p.append(_table(tabs["segments"]) + "</section>")
    p.append(f"<section><h2>{escape(rt('sec_quality', lang))}</h2>")
    p.append(f"<p class='note'>{escape(rt('quality_note', lang, scope=rt('scope_pooled', lang), n=rep.pooled_n))}</p>")
    p.append(_table(tabs["quality"]) + _table(_htmt_matrix(rep)))
    failed = rep.admissibility["status"] != "ok"
    if failed.any():  # the checks that did not pass (all of them are in the XLSX)
        p.append(_table(tabs["admissibility"][failed.to_numpy()]))
    for note in rep.notes:
        p.append(f"<p class='note'>{escape(note)}</p>")
    p.append("</section></body></html>")
    return "".join(p)


def _htmt_matrix(rep) -> pd.DataFrame:
    """HTMT as the usual lower-triangular matrix (one row and one column per construct) for the
    HTML/PDF page: k constructs take k - 1 rows instead of the k(k-1)/2 rows of the pair list
    that the XLSX keeps (with 6 constructs, 5 rows instead of 15)."""
    h = rep.htmt
    names = list(dict.fromkeys([str(x) for pair in zip(h["construct_a"], h["construct_b"], strict=True)
                                for x in pair]))
    est = {}
    for a, b, v in zip(h["construct_a"], h["construct_b"], h["estimate"], strict=True):
        est[(str(a), str(b))] = est[(str(b), str(a))] = _f(v, 3)
    rows = names[1:]
    cols = names[:-1]
    out = {rt("col_htmt", rep.lang): [_lab(rep, r) for r in rows]}
    for j, c in enumerate(cols):
        out[_lab(rep, c)] = [est.get((r, c), "–") if i >= j else "" for i, r in enumerate(rows)]
    return pd.DataFrame(out)


def _path_section(rep) -> str:
    """The path diagram (pooled fit) laid out by :mod:`csi.report.path_layout`; empty when that
    layout is not available in this build."""
    try:
        from csi.report.path_layout import NODE_H, NODE_W, edge_routes, node_positions
    except ModuleNotFoundError:
        return ""
    from csi.report.svg_charts import path_svg

    lang = rep.lang
    pc = rep.path_coefficients
    paths = [(str(a), str(b)) for a, b in zip(pc["source"], pc["target"], strict=True)]
    nodes = list(dict.fromkeys([c for pair in paths for c in pair]))
    pos = node_positions(nodes, paths)
    routes = edge_routes(pos, paths)
    coef = {(str(r.source), str(r.target)): (float(r.estimate), bool(r.ci_low > 0 or r.ci_high < 0))
            for r in pc.itertuples()}
    score = rep.pooled_index.set_index("construct")["score"]
    text = {c: (_lab(rep, c), _f(score.get(c, float("nan")))) for c in nodes}
    return (f"<section><h2>{escape(rt('sec_paths', lang))}</h2>" + path_svg(pos, routes, coef, text, node_w=NODE_W, node_h=NODE_H)
            + f"<p class='note'>{escape(rt('paths_note', lang, scope=_cap(rt('scope_pooled', lang)), n=rep.pooled_n))}"
            "</p></section>")


def to_xlsx(rep) -> bytes:
    """The report's tables as an XLSX workbook (a summary sheet first), bytes."""
    from csi.report.export import frames_to_xlsx

    lang = rep.lang
    h = rep.headline
    summary = pd.DataFrame({rt("sheet_summary", lang): [
        rep.title,
        rt("generated", lang, survey=rep.survey_id, version=rep.survey_version, scope=_scope(rep, lang),
           n_used=rep.n_used, n_collected=rep.n_collected),
        rt("headline_value", lang, label=_lab(rep, rep.headline_construct), score=_f(h.score), low=_f(h.ci_low),
           high=_f(h.ci_high), n=h.n_obs,
           scope=rt("scope_wave", lang, wave=rep.headline_wave) if rep.headline_wave else rt("scope_pooled", lang)),
        rep.change_sentence if rep.change is not None else rt("no_change", lang),
        rt("higher_better", lang)]})
    sheets = {rt("sheet_summary", lang): summary}
    for key, df in report_sections(rep).items():
        name = rt(f"sheet_{key}", lang) if f"sheet_{key}" != rt(f"sheet_{key}", lang) else key
        sheets[name] = df
    return frames_to_xlsx(sheets)


def to_pdf(rep) -> bytes:
    """The HTML report laid out as a PDF by WeasyPrint (A4; CJK text in Noto Sans CJK)."""
    from weasyprint import HTML

    return HTML(string=to_html(rep)).write_pdf()
