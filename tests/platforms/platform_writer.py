"""Test-suite platform writer: any survey's answers rendered as the platforms export them.

``render(survey, frame, layout)`` writes a canonical answer frame (``csi simulate``) in one of
the :data:`LAYOUTS` and returns the file's bytes, its name and the respondent ids the file
carries. It is written from the platforms' documented export behaviour, *not* from what the
importer accepts:

- **Wenjuanxing (问卷星) "下载答卷数据"**: six metadata columns 序号, 提交答卷时间 (Beijing time,
  ``YYYY/MM/DD hh:mm:ss``), 所用时间 (``300秒``), 来源, 来源详情, 来自IP; questions headed
  ``N、题目`` in form order. *按选项文本* (labels): matrix rows ``N、题目—子项``, multi-select in one
  column joined with ``┋``, ``(跳过)`` for skipped/hidden, ``(空)`` for an empty text box.
  *按选项序号* (codes): every choice is its option number in display order (是 = 1, 否 = 2; a
  10-point scale 1..10 and its 不知道 option 11), matrix rows and multi-select options as
  sub-columns ``第N题(子项)`` (multi-select 1 ticked / 0 not), -2 skipped, -3 not shown.
  Label exports are saved from Excel as GB18030 CSV, code exports as XLSX. (Wenjuanxing help
  "下载答卷数据 → 按选项序号/按选项文本"; the team's PROVENANCE.md in tests/data/platforms.)
- **Qualtrics "Export data → CSV"**: three header rows -- export tags (``Q1``, matrix
  ``Q8_1``), question text (matrix ``Question - Sub-label``) and ``{"ImportId": ...}`` JSON
  with the ``timeZone`` of the date columns -- then metadata StartDate, EndDate, Status
  (Response Type: ``IP Address`` = 0, ``Survey Preview`` = 1, ``Survey Test`` = 2, ``Spam`` = 8),
  IPAddress, Progress, ``Duration (in seconds)``, Finished (True/False or 1/0), RecordedDate,
  ResponseId, Recipient*, DistributionChannel, UserLanguage. *Use choice text* writes the
  labels, *numeric values* the recode values (by default the choice's position 1..k; a
  survey's own recodes, e.g. No = 0, where the writer is given them); multi-select choices
  comma-joined in one column. Previews, tests and unfinished responses are in the file.
  (Qualtrics support, "Understanding Your Dataset" and "Recode Values";
  ropensci qualtRics ``fetch_survey`` documentation; QualtricsTools usage guidelines.)
- **SurveyMonkey "All individual responses" (All responses data), CSV, columns
  "Expanded"**: two header rows: question text once above its first column (blank above the
  question's further columns), sub-labels in row 2 (matrix rows, multi-select options),
  ``Response`` / ``Open-Ended Response`` for single columns; nine metadata columns Respondent
  ID, Collector ID, Start Date, End Date (``MM/DD/YYYY hh:mm:ss AM``), IP Address, Email
  Address, First Name, Last Name, Custom Data 1, questions from the tenth column on. Cells
  "Actual Answer Text" (layout ``surveymonkey``): a ticked option holds its label. Cells
  "Numerical Values (1-n)" (layout ``surveymonkey_codes``): every choice is its answer-choice
  position, 1-based in the order the form shows it (the API's ``choices[].position``), a
  ticked multi-select option its own number, skipped cells empty; an author's answer-choice
  weights (rating questions) replace the positions where the writer is given them. (Export
  options and header rows: bdoremus/gvca_survey_analytics ``README.md`` and
  ``02_data_ingest.py``; mikegleen/hrm_eval ``bin/condensed.sh``;
  alfredomp/SurveyMonkeyAnalyzer ``core/SurveyManager.py``; choice
  positions and weights: SurveyMonkey/public_api_docs ``includes/_questions.md``; see
  tests/data/platforms/PROVENANCE.md for what is corroborated and what is not.)
- **Google Forms "Download responses (.csv)"**: ``Timestamp`` first, then ``Email Address``
  when collected, one column per question by its title, grids as ``Title [Row]``, checkboxes
  joined with ``", "``; no respondent id. The timestamp is the responses spreadsheet's
  formatted value, which depends on the spreadsheet locale (Sheets API ``DateTimeRenderOption``
  ``FORMATTED_STRING``): en-US ``M/D/YYYY H:MM:SS`` (the default), en-GB ``DD/MM/YYYY HH:MM:SS``,
  de-DE ``DD.MM.YYYY HH:MM:SS``, zh-CN ``YYYY/M/D H:MM:SS`` (layouts ``google_forms_en_GB``,
  ``google_forms_de``, ``google_forms_zh``; the account language, and so the headers, stay
  English: the locale and the UI language are separate settings).

Fields from the order system (``source: system``) are never in a platform export.
"""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pandas as pd

from csi.survey import Survey
from csi.validate.rows import show_if_masks

__all__ = ["LAYOUTS", "CODE_LAYOUTS", "render", "form_blocks", "PLATFORM_OF"]

#: Google Sheets' default date-time pattern of a responses spreadsheet, per locale
GOOGLE_LOCALES = {
    "en_US": lambda t: f"{t.month}/{t.day}/{t.year} {t.hour}:{t.minute:02d}:{t.second:02d}",
    "en_GB": lambda t: t.strftime("%d/%m/%Y %H:%M:%S"),
    "de": lambda t: t.strftime("%d.%m.%Y %H:%M:%S"),
    "zh": lambda t: f"{t.year}/{t.month}/{t.day} {t.hour}:{t.minute:02d}:{t.second:02d}",
}
LAYOUTS = ("wjx_labels", "wjx_codes", "qualtrics_labels", "qualtrics_codes", "surveymonkey", "surveymonkey_codes",
           "google_forms", "google_forms_en_GB", "google_forms_de", "google_forms_zh")
#: layouts whose cells are option numbers (presentation order, 1-based) rather than labels
CODE_LAYOUTS = ("wjx_codes", "qualtrics_codes", "surveymonkey_codes")
PLATFORM_OF = {"wjx_labels": "wenjuanxing", "wjx_codes": "wenjuanxing", "qualtrics_labels": "qualtrics",
               "qualtrics_codes": "qualtrics", "surveymonkey": "surveymonkey", "surveymonkey_codes": "surveymonkey",
               **{lay: "google_forms" for lay in LAYOUTS if lay.startswith("google_forms")}}
LANG = {"wjx_labels": "zh", "wjx_codes": "zh"}


def form_blocks(survey: Survey) -> list[tuple[str, str | None, list[str]]]:
    """The form's questions in display order: ``(kind, matrix title id, field ids)``.

    ``kind`` is ``matrix`` (a construct or driver lever with several items) or ``single``.
    """
    qmap = survey.question_map
    out: list[tuple[str, str | None, list[str]]] = []
    seen: set[str] = set()

    def add_group(gid: str, items: list[str]) -> None:
        if len(items) > 1:
            out.append(("matrix", gid, items))
        else:
            out.append(("single", None, items))
        seen.update(items)

    for sec in survey.form_sections():
        for f in sec.fields:
            if f in survey.constructs:
                add_group(f, [it.id for it in survey.constructs[f].items])
            elif f == "drivers":
                for lever, items in survey.driver_items.items():
                    add_group(lever, items)
            elif f in survey.driver_items:
                add_group(f, survey.driver_items[f])
            elif f not in seen and (f in survey.items or (f in qmap and qmap[f].source != "system")):
                out.append(("single", None, [f]))
                seen.add(f)
    return out


# -- values ---------------------------------------------------------------------------------
def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def _scale_of(survey: Survey, fid: str):
    if fid in survey.items:
        return survey.items[fid].scale
    q = survey.question_map[fid]
    return survey.scales.get(q.scale) if q.scale else None


def _kind(survey: Survey, fid: str) -> str:
    return "item" if fid in survey.items else survey.question_map[fid].type


def _order(survey: Survey, fid: str) -> list[float]:
    """Presentation order of a numeric choice field: scale points (yes before no), don't know."""
    if _kind(survey, fid) == "yes_no":
        return [1.0, 0.0]
    sc = _scale_of(survey, fid)
    pts = [float(p) for p in sc.points]
    if pts == [0.0, 1.0]:
        pts = [1.0, 0.0]
    return pts + ([float(sc.dont_know)] if sc.dont_know is not None else [])


def _yes_no_label(v: float, lang: str) -> str:
    return {("zh", 1): "是", ("zh", 0): "否", ("en", 1): "Yes", ("en", 0): "No"}[(lang, int(v))]


def _label(survey: Survey, fid: str, v, lang: str) -> str:
    """A shown answer as its text (choice-text exports)."""
    kind = _kind(survey, fid)
    if kind in ("text", "date"):
        return str(v)
    if kind == "number":
        return _num(v)
    if kind == "single_choice":
        return next(survey.t(o.label, lang) for o in survey.question_map[fid].options if str(o.code) == v)
    if kind == "yes_no":
        return _yes_no_label(v, lang)
    sc = _scale_of(survey, fid)
    if sc.dont_know is not None and v == sc.dont_know:
        return survey.t(sc.dont_know_label, lang) if sc.dont_know_label else _num(v)
    if v in sc.labels:
        return survey.t(sc.labels[v], lang)
    return _num(v)


def _code(survey: Survey, fid: str, v, recodes: dict | None = None) -> str:
    """A shown answer as its option number (code exports) or its value (numbers, text)."""
    kind = _kind(survey, fid)
    if kind in ("text", "date"):
        return str(v)
    if kind == "number":
        return _num(v)
    if kind == "single_choice":
        codes = [str(o.code) for o in survey.question_map[fid].options]
        return str(codes.index(v) + 1)
    pos = _order(survey, fid).index(float(v)) + 1
    if recodes and fid in recodes:
        return _num(recodes[fid][pos])
    return str(pos)


def _multi_codes(v) -> list[str]:
    return [c for c in str(v).split(";") if c] if isinstance(v, str) else []


def _option_labels(survey: Survey, fid: str, lang: str) -> list[tuple[str, str]]:
    return [(str(o.code), survey.t(o.label, lang)) for o in survey.question_map[fid].options]


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v))


def _text(survey: Survey, fid: str, lang: str, short: bool = False) -> str:
    if fid in survey.items:
        it = survey.items[fid].item
        return survey.t(it.short if short and it.short else it.text, lang)
    return survey.t(survey.question_map[fid].text, lang)


def _title(survey: Survey, gid: str, lang: str) -> str:
    if gid in survey.constructs:
        return survey.t(survey.constructs[gid].label, lang)
    lever = next(lv for lv in survey.drivers.levers if lv.id == gid)
    return survey.t(lever.label, lang)


# -- layouts -----------------------------------------------------------------------------------
class _Cols:
    """Ordered columns being built: header rows and the cell values of every respondent."""

    def __init__(self, n: int):
        self.n = n
        self.heads: list[list[str]] = []
        self.cells: list[list[str]] = []

    def add(self, heads: list[str], cells: list[str]) -> None:
        self.heads.append(heads)
        self.cells.append(cells)

    def rows(self, n_heads: int) -> list[list[str]]:
        head = [[h[i] if i < len(h) else "" for h in self.heads] for i in range(n_heads)]
        body = [[c[r] for c in self.cells] for r in range(self.n)]
        return head + body


def _phones(n: int) -> list[str]:
    return [f"139{k:08d}" for k in range(n)]


def _answer_columns(survey: Survey, frame: pd.DataFrame, layout: str, cols: _Cols, *, lang: str,
                    recodes: dict | None = None) -> None:
    codes = layout in CODE_LAYOUTS
    wjx = layout.startswith("wjx")
    shown = show_if_masks(frame, survey)
    n = len(frame)
    qnum = 0
    for kind, gid, fids in form_blocks(survey):
        qnum += 1
        title = _title(survey, gid, lang) if gid else None
        for sub_i, fid in enumerate(fids, start=1):
            q = survey.question_map.get(fid)
            if q is not None and (q.pii is not None or q.role == "contact"):
                vals = _phones(n)
                cols.add(_heads(layout, qnum, sub_i, kind, title, _text(survey, fid, lang), "Open-Ended Response"),
                         vals)
                continue
            fkind = _kind(survey, fid)
            col = frame[fid].tolist()
            vis = shown.get(fid, pd.Series(True, index=frame.index)).tolist()
            if fkind == "multiple_choice":
                _multi_columns(survey, fid, col, vis, layout, cols, qnum, lang)
                continue
            out = []
            for v, s in zip(col, vis, strict=True):
                if _missing(v):
                    out.append(("-2" if s else "-3") if wjx and codes and fkind != "text" else
                               ("(空)" if fkind == "text" and wjx and s else ("(跳过)" if wjx else "")))
                elif codes:
                    out.append(_code(survey, fid, v, recodes))
                else:
                    out.append(_label(survey, fid, v, lang))
            sub = _text(survey, fid, lang, short=wjx)
            resp = "Open-Ended Response" if fkind in ("text", "number", "date") else "Response"
            cols.add(_heads(layout, qnum, sub_i, kind, title, sub, resp), out)


def _heads(layout: str, qnum: int, sub_i: int, kind: str, title: str | None, text: str, resp: str) -> list[str]:
    matrix = kind == "matrix"
    if layout == "wjx_labels":
        return [f"{qnum}、{title}—{text}" if matrix else f"{qnum}、{text}"]
    if layout == "wjx_codes":
        return [f"第{qnum}题({text})" if matrix else f"{qnum}、{text}"]
    if layout.startswith("qualtrics"):
        tag = f"Q{qnum}_{sub_i}" if matrix else f"Q{qnum}"
        return [tag, f"{title} - {text}" if matrix else text, json.dumps({"ImportId": f"QID{qnum}"})]
    if layout.startswith("surveymonkey"):
        if matrix:
            return [title if sub_i == 1 else "", text]
        return [text, resp]
    return [f"{title} [{text}]" if matrix else text]  # google_forms


def _multi_columns(survey: Survey, fid: str, col: list, vis: list, layout: str, cols: _Cols, qnum: int,
                   lang: str) -> None:
    opts = _option_labels(survey, fid, lang)
    text = _text(survey, fid, lang)
    picked = [_multi_codes(v) for v in col]
    if layout in ("wjx_codes", "surveymonkey", "surveymonkey_codes"):
        for j, (code, lab) in enumerate(opts, start=1):
            cells = []
            for v, p, s in zip(col, picked, vis, strict=True):
                if layout == "wjx_codes":
                    cells.append(("-2" if s else "-3") if _missing(v) else ("1" if code in p else "0"))
                elif layout == "surveymonkey_codes":  # a ticked option holds its own number
                    cells.append(str(j) if code in p else "")
                else:
                    cells.append(lab if code in p else "")
            head = [f"第{qnum}题({lab})"] if layout == "wjx_codes" else [text if j == 1 else "", lab]
            cols.add(head, cells)
        return
    cells = []
    for v, p in zip(col, picked, strict=True):
        if _missing(v):
            cells.append("(跳过)" if layout == "wjx_labels" else "")
            continue
        if layout == "qualtrics_codes":
            pos = {code: str(j) for j, (code, _) in enumerate(opts, start=1)}
            cells.append(",".join(pos[c] for c in p))
        else:
            sep = {"wjx_labels": "┋", "qualtrics_labels": ",", "google_forms": ", "}[layout]
            lab = dict(opts)
            cells.append(sep.join(lab[c] for c in p))
    cols.add(_heads(layout, qnum, 1, "single", None, text, "Response"), cells)


def _csv(rows: list[list[str]], encoding: str = "utf-8", bom: bool = False) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    data = buf.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def _xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append([_xlsx_cell(c) for c in r])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xlsx_cell(c: str):
    try:
        f = float(c)
    except ValueError:
        return c
    return int(f) if f.is_integer() and not c.startswith("0") or c == "0" else c


def render(survey: Survey, frame: pd.DataFrame, layout: str, *, recodes: dict | None = None,
           extra_rows: bool = True) -> tuple[bytes, str, list[str] | None]:
    """Render ``frame`` in ``layout``; return ``(bytes, file name, respondent ids in the file)``.

    ``recodes`` (Qualtrics numeric values, SurveyMonkey numerical values):
    ``{field id: {option position: exported value}}`` -- a Qualtrics recode or a SurveyMonkey
    answer-choice weight the author set.
    ``extra_rows`` (Qualtrics only): add a preview, a test and an unfinished response, the
    preview re-using the first real ResponseId (they are excluded from every check).
    """
    n = len(frame)
    lang = LANG.get(layout, "en")
    ts = pd.to_datetime(frame["submitted_at"])
    cols = _Cols(n)
    if layout.startswith("wjx"):
        beijing = ts + pd.Timedelta(hours=8)
        cols.add(["序号"], [str(i) for i in range(1, n + 1)])
        cols.add(["提交答卷时间"], [t.strftime("%Y/%m/%d %H:%M:%S") for t in beijing])
        cols.add(["所用时间"], [f"{240 + 7 * i}秒" for i in range(n)])
        cols.add(["来源"], ["手机提交"] * n)
        cols.add(["来源详情"], ["直接访问"] * n)
        cols.add(["来自IP"], [f"10.0.{i // 250}.{i % 250}(北京-北京)" for i in range(n)])
        _answer_columns(survey, frame, layout, cols, lang=lang)
        rows = cols.rows(1)
        ids = [str(i) for i in range(1, n + 1)]
        if layout == "wjx_codes":
            return _xlsx(rows), f"{survey.id}_wjx_codes.xlsx", ids
        return _csv(rows, "gb18030"), f"{survey.id}_wjx_labels.csv", ids
    if layout.startswith("qualtrics"):
        return _qualtrics(survey, frame, layout, cols, lang, recodes, extra_rows)
    if layout.startswith("surveymonkey"):
        start = ts - pd.Timedelta(minutes=5)
        meta = [("Respondent ID", [str(114000000000 + i) for i in range(n)]),
                ("Collector ID", ["400000001"] * n),
                ("Start Date", [t.strftime("%m/%d/%Y %I:%M:%S %p") for t in start]),
                ("End Date", [t.strftime("%m/%d/%Y %I:%M:%S %p") for t in ts]),
                ("IP Address", [f"10.1.0.{i % 250}" for i in range(n)]),
                ("Email Address", [f"user{i}@example.com" for i in range(n)]),
                ("First Name", [""] * n), ("Last Name", [""] * n), ("Custom Data 1", [""] * n)]
        for head, vals in meta:
            cols.add([head, ""], vals)
        _answer_columns(survey, frame, layout, cols, lang=lang, recodes=recodes)
        return _csv(cols.rows(2)), f"{survey.id}_{layout}.csv", [m for m in meta[0][1]]
    locale = layout.removeprefix("google_forms").lstrip("_") or "en_US"
    cols.add(["Timestamp"], [GOOGLE_LOCALES[locale](t) for t in ts])
    cols.add(["Email Address"], [f"user{i}@example.com" for i in range(n)])
    _answer_columns(survey, frame, "google_forms", cols, lang=lang)
    return _csv(cols.rows(1)), f"{survey.id}_{layout}.csv", None


def _qualtrics(survey, frame, layout, cols, lang, recodes, extra_rows):
    n = len(frame)
    numeric = layout == "qualtrics_codes"
    tz = "Asia/Shanghai"
    local = pd.to_datetime(frame["submitted_at"]) + pd.Timedelta(hours=8)
    fmt = "%Y-%m-%d %H:%M:%S"
    ids = [str(r) for r in frame["respondent_id"]]
    date_id = json.dumps({"ImportId": "endDate", "timeZone": tz})
    meta = [
        ("StartDate", "Start Date", json.dumps({"ImportId": "startDate", "timeZone": tz}),
         [(t - pd.Timedelta(minutes=5)).strftime(fmt) for t in local]),
        ("EndDate", "End Date", date_id, [t.strftime(fmt) for t in local]),
        ("Status", "Response Type", json.dumps({"ImportId": "status"}), ["0" if numeric else "IP Address"] * n),
        ("IPAddress", "IP Address", json.dumps({"ImportId": "ipAddress"}), [f"10.2.0.{i % 250}" for i in range(n)]),
        ("Progress", "Progress", json.dumps({"ImportId": "progress"}), ["100"] * n),
        ("Duration (in seconds)", "Duration (in seconds)", json.dumps({"ImportId": "duration"}),
         [str(200 + i) for i in range(n)]),
        ("Finished", "Finished", json.dumps({"ImportId": "finished"}), ["1" if numeric else "True"] * n),
        ("RecordedDate", "Recorded Date", json.dumps({"ImportId": "recordedDate", "timeZone": tz}),
         [t.strftime(fmt) for t in local]),
        ("ResponseId", "Response ID", json.dumps({"ImportId": "_recordId"}), ids),
        ("RecipientLastName", "Recipient Last Name", json.dumps({"ImportId": "recipientLastName"}), ["Wang"] * n),
        ("RecipientFirstName", "Recipient First Name", json.dumps({"ImportId": "recipientFirstName"}), ["Li"] * n),
        ("RecipientEmail", "Recipient Email", json.dumps({"ImportId": "recipientEmail"}),
         [f"user{i}@example.com" for i in range(n)]),
        ("ExternalReference", "External Data Reference", json.dumps({"ImportId": "externalDataReference"}), [""] * n),
        ("LocationLatitude", "Location Latitude", json.dumps({"ImportId": "locationLatitude"}), ["31.2"] * n),
        ("LocationLongitude", "Location Longitude", json.dumps({"ImportId": "locationLongitude"}), ["121.4"] * n),
        ("DistributionChannel", "Distribution Channel", json.dumps({"ImportId": "distributionChannel"}),
         ["anonymous"] * n),
        ("UserLanguage", "User Language", json.dumps({"ImportId": "userLanguage"}), ["EN"] * n),
    ]
    for tag, text, imp, vals in meta:
        cols.add([tag, text, imp], vals)
    _answer_columns(survey, frame, layout, cols, lang=lang, recodes=recodes)
    rows = cols.rows(3)
    if extra_rows and n:
        first = rows[3]
        status = cols.heads.index(next(h for h in cols.heads if h[0] == "Status"))
        finished = cols.heads.index(next(h for h in cols.heads if h[0] == "Finished"))
        rid = cols.heads.index(next(h for h in cols.heads if h[0] == "ResponseId"))
        preview = list(first)
        preview[status] = "1" if numeric else "Survey Preview"
        test = list(first)
        test[status] = "2" if numeric else "Survey Test"
        test[rid] = "R_test0001"
        unfinished = list(first)
        unfinished[finished] = "0" if numeric else "False"
        unfinished[rid] = "R_partial01"
        rows = rows[:3] + [preview] + rows[3:] + [test, unfinished]
    return _csv(rows, bom=True), f"{survey.id}_{layout}.csv", ids
