"""Scans of a rendered AppTest page for raw field names and (in the Chinese view) English words.

What a manager reads: titles, headings, text, captions, alerts, metric labels, widget labels
and options, table headings and text cells, chart titles, axis titles, legends and category
ticks (from the plotly JSON the page sends to the browser).
"""

from __future__ import annotations

import json
import re

#: Result-table column names and ids a manager must never see as such.
RAW_NAME = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")

#: English tokens allowed in the zh view: statistics abbreviations, units, software names, codes.
ALLOWED_ASCII = {
    "AUC", "CSI", "ACSI", "ECSI", "CCSI", "NPS", "PLS", "SEM", "CB", "RMSE", "MAE", "VIF", "AVE", "EM",
    "HTMT", "MICOM", "Holm", "Spearman", "Cronbach", "CI", "SRMR", "CFI", "TLI", "RMSEA", "GFI", "QR", "PNG",
    "CSV", "XLSX", "PDF", "HTML", "JSON", "YAML", "SQLite", "PostgreSQL", "UTF", "GBK", "GB", "ID", "IP", "VIP",
    "OLS", "ML", "rho", "pp", "vs", "JD", "Tmall", "App", "WeChat", "Pinduoduo", "Douyin", "SKU", "CB-SEM",
    "CSI_ADMIN_PASSWORD", "CSI_ADMIN_PASSWORD_HASH", "PIN", "SMS", "URL", "Q2", "Q²", "R²", "R2", "CV",
    "PLSpredict", "LM", "IA", "CVPAT", "GoF", "NFI", "DK", "BOM", "English",
}


#: Widgets whose options are technical names by design (import platform ids, text encodings).
UNSCANNED_WIDGETS = ("upload_platform", "upload_encoding")


def _plotly_texts(at) -> list[str]:
    out: list[str] = []
    for el in at.get("plotly_chart"):
        try:
            spec = json.loads(el.proto.spec)
        except (AttributeError, ValueError):
            continue
        layout = spec.get("layout", {})
        for ax in [k for k in layout if k.startswith(("xaxis", "yaxis"))]:
            title = (layout[ax] or {}).get("title")
            text = title.get("text") if isinstance(title, dict) else title
            if text:
                out.append(str(text))
        title = layout.get("title")
        if isinstance(title, dict) and title.get("text"):
            out.append(str(title["text"]))
        for a in layout.get("annotations", []) or []:
            if a.get("text"):
                out.append(str(a["text"]))
        for tr in spec.get("data", []):
            if tr.get("name") and tr.get("showlegend", True) is not False:
                out.append(str(tr["name"]))
            for key in ("x", "y"):
                vals = tr.get(key)
                if isinstance(vals, list) and vals and all(isinstance(v, str) for v in vals):
                    out += vals
    return out


def shown_texts(at) -> list[str]:
    """Every text a reader sees on the page (see the module docstring)."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error",
                 "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [str(m.label) for m in at.metric]
    for kind in ("selectbox", "multiselect", "radio"):
        for w in getattr(at, kind):
            if str(w.key or "").startswith(UNSCANNED_WIDGETS):
                continue
            parts.append(str(w.label))
            parts += [str(o) for o in (w.options or [])]
    for kind in ("slider", "number_input", "text_input", "checkbox", "toggle", "button", "expander"):
        for w in getattr(at, kind, []):
            label = getattr(w, "label", None)
            if label:
                parts.append(str(label))
    for d in at.dataframe:
        df = d.value
        parts += [str(c) for c in df.columns]
        for c in df.columns:
            if df[c].dtype == object:
                parts += [str(v) for v in df[c].dropna().unique()[:50]]
    return parts + _plotly_texts(at)


def raw_field_names(at, survey) -> list[str]:
    """Table headings that are raw result columns, and ids of the survey shown in place of labels."""
    bad = [str(c) for d in at.dataframe for c in d.value.columns if RAW_NAME.match(str(c))]
    ids = set(survey.constructs) | set(survey.items) | set(survey.driver_items)
    ids = {i for i in ids if "_" in i or len(i) > 3}  # short ids ("cs1") also checked below
    short = {i for i in set(survey.items) if re.fullmatch(r"[a-z]+\d+", i)}
    for text in shown_texts(at):
        t = str(text)
        if t in ids:
            bad.append(t)
        bad += [m for m in re.findall(r"\b[a-z]+\d+\b", t) if m in short]
    return bad


def _strip(text: str) -> str:
    text = re.sub(r"<[^>]+>", " ", text)  # html tags of chart labels
    text = re.sub(r"https?://\S+|`[^`]*`|:material/[a-z_]+:|:[a-z]+\[", " ", text)  # links, code, icons
    text = re.sub(r"\bCSI_[A-Z_]+\b", " ", text)  # environment variable names
    text = text.replace("Q²predict", " ")  # the statistic's name (Shmueli et al. 2016)
    return text


def english_words(texts: list[str], survey, lang: str = "zh") -> list[str]:
    """Latin-alphabet words of three or more letters that are neither allowed abbreviations
    nor part of the survey's own texts in ``lang`` (a brand name in a zh label is fine)."""
    own = set()
    for t in _survey_texts(survey, lang):
        own.update(re.findall(r"[A-Za-z][A-Za-z\-]{2,}", t))
    bad = []
    for text in texts:
        for w in re.findall(r"[A-Za-z][A-Za-z\-]{2,}", _strip(str(text))):
            if w in ALLOWED_ASCII or w.strip("-") in ALLOWED_ASCII or w in own:
                continue
            if re.fullmatch(r"\d{4}Q\d", w) or re.fullmatch(r"Q\d", w):
                continue
            bad.append(w)
    return bad


def _survey_texts(survey, lang: str) -> list[str]:
    out = [survey.t(survey.title, lang), survey.id]
    for c in survey.constructs.values():
        out.append(survey.t(c.label, lang))
        out += [survey.t(it.text, lang) for it in c.items] + [survey.t(it.short, lang) for it in c.items if it.short]
    for q in survey.questions:
        out += [survey.t(q.text, lang), survey.t(q.short, lang) if q.short else ""]
        out += [survey.t(o.label, lang) for o in q.options] + [str(o.code) for o in q.options]
    if survey.drivers is not None:
        for lv in survey.drivers.levers:
            out.append(survey.t(lv.label, lang))
            out += [survey.t(it.text, lang) for it in lv.items]
    return out
