"""Write the platform fixture files from one 12-respondent frame (see PROVENANCE.md).

Run from the repository root:  python tests/data/platforms/make_fixtures.py
Deterministic: the base frame is ``csi simulate`` (seed 3) with a few edits stated below.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd

from csi.simulate import simulate_responses
from csi.survey import load_survey

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
S = load_survey(ROOT / "surveys" / "ecommerce_csi.yaml")

# Form order (question numbers as the platforms number them).
SINGLE_Q = ["channel", "category", "region", "customer_type"]
LIKERT_SINGLE = ["ce1", "ce2", "ce3"]
MATRICES = {"quality": [f"pq{i}" for i in range(1, 9)], "value": ["pv1", "pv2"]}
AFTER = ["cs1", "cs2", "cs3", "cc1"]
LOYALTY = ["cl1", "cl2", "cl3"]
DRIVERS = [i for ids in S.driver_items.values() for i in ids]
PHONES = [f"1380000{k:04d}" for k in range(12)]


def base_frame() -> pd.DataFrame:
    f, _ = simulate_responses(S, n=12, seed=3)
    f = f.copy()
    # edits: two skipped items, a don't-know in a matrix, a comma label (price) in one complaint
    f.loc[1, "pq3"] = np.nan
    f.loc[5, "dr_content"] = np.nan
    f.loc[7, "pq2"] = 99.0
    f.loc[3, "complaint_type"] = "not_as_described;price"
    f["submitted_at"] = f["submitted_at"].dt.floor("s")
    return f


def item_text(iid: str, lang: str, short: bool = False) -> str:
    it = S.items[iid].item
    return S.t(it.short if short and it.short else it.text, lang)


def q(qid: str):
    return S.question_map[qid]


def label(iid_or_q: str, value: float, lang: str) -> str:
    """A Likert answer as the platforms print it: endpoint/don't-know labels, else the number."""
    sc = S.items[iid_or_q].scale if iid_or_q in S.items else S.scales[q(iid_or_q).scale]
    if np.isnan(value):
        return ""
    if sc.dont_know is not None and value == sc.dont_know:
        return S.t(sc.dont_know_label, lang)
    if value in sc.labels:
        return S.t(sc.labels[value], lang)
    return str(int(value))


def opt_label(qid: str, code: str, lang: str) -> str:
    return next(S.t(o.label, lang) for o in q(qid).options if str(o.code) == code)


def yes_no(v: float, lang: str) -> str:
    if np.isnan(v):
        return ""
    return {("zh", 1): "是", ("zh", 0): "否", ("en", 1): "Yes", ("en", 0): "No"}[(lang, int(v))]


# -- Wenjuanxing -------------------------------------------------------------------------------
def wjx_columns(f: pd.DataFrame, codes: bool) -> pd.DataFrame:
    out: dict[str, list] = {
        "序号": list(range(1, 13)),
        "提交答卷时间": [t.strftime("%Y/%m/%d %H:%M:%S") for t in f["submitted_at"] + pd.Timedelta(hours=8)],
        "所用时间": [f"{120 + 17 * k}秒" for k in range(12)],
        "来源": ["手机提交"] * 12,
        "来源详情": ["直接访问"] * 12,
        "来自IP": [f"123.45.67.{k}(浙江-杭州)" for k in range(12)],
    }
    n = 0

    def likert(iid: str, v: float, shown: bool = True):
        if codes:
            return -3 if not shown else (-2 if np.isnan(v) else int(v))
        return "(跳过)" if (not shown or np.isnan(v)) else label(iid, v, "zh")

    for qid in SINGLE_Q:
        n += 1
        opts = [str(o.code) for o in q(qid).options]
        out[f"{n}、{S.t(q(qid).text, 'zh')}"] = [
            opts.index(c) + 1 if codes else opt_label(qid, c, "zh") for c in f[qid]]
    for iid in LIKERT_SINGLE:
        n += 1
        out[f"{n}、{item_text(iid, 'zh')}"] = [likert(iid, v) for v in f[iid]]
    for title, ids in MATRICES.items():
        n += 1
        for iid in ids:
            head = f"第{n}题({item_text(iid, 'zh', True)})" if codes else f"{n}、请评价本店的{title}—{item_text(iid, 'zh', True)}"
            out[head] = [likert(iid, v) for v in f[iid]]
    for iid in AFTER:
        n += 1
        if iid == "cc1":
            out[f"{n}、{item_text(iid, 'zh')}"] = [int(v) if codes else yes_no(v, "zh") for v in f[iid]]
        else:
            out[f"{n}、{item_text(iid, 'zh')}"] = [likert(iid, v) for v in f[iid]]
    shown = f["cc1"] == 1
    n += 1  # complaint_type: multi-select
    if codes:
        for o in q("complaint_type").options:
            out[f"第{n}题({S.t(o.label, 'zh')})"] = [
                (-3 if not sh else int(str(o.code) in str(v).split(";"))) for v, sh in zip(f["complaint_type"], shown, strict=True)]
    else:
        out[f"{n}、{S.t(q('complaint_type').text, 'zh')}"] = [
            "┋".join(opt_label("complaint_type", c, "zh") for c in str(v).split(";")) if sh else "(跳过)"
            for v, sh in zip(f["complaint_type"], shown, strict=True)]
    n += 1
    out[f"{n}、{S.t(q('complaint_handling').text, 'zh')}"] = [
        likert("complaint_handling", v, sh) for v, sh in zip(f["complaint_handling"], shown, strict=True)]
    n += 1
    out[f"{n}、{S.t(q('complaint_resolved').text, 'zh')}"] = [
        (-3 if not sh else int(v)) if codes else (yes_no(v, "zh") if sh else "(跳过)")
        for v, sh in zip(f["complaint_resolved"], shown, strict=True)]
    n += 1
    for iid in LOYALTY:
        head = f"第{n}题({item_text(iid, 'zh', True)})" if codes else f"{n}、忠诚—{item_text(iid, 'zh', True)}"
        out[head] = [likert(iid, v) for v in f[iid]]
    n += 1
    for iid in DRIVERS:
        head = f"第{n}题({item_text(iid, 'zh')})" if codes else f"{n}、复购因素—{item_text(iid, 'zh')}"
        out[head] = [likert(iid, v) for v in f[iid]]
    n += 1
    out[f"{n}、{S.t(q('comment').text, 'zh')}"] = [("(空)" if not codes else "") if pd.isna(v) else v for v in f["comment"]]
    n += 1
    out[f"{n}、{S.t(q('phone').text, 'zh')}"] = PHONES
    return pd.DataFrame(out)


# -- Qualtrics ---------------------------------------------------------------------------------
def qualtrics(f: pd.DataFrame) -> None:
    meta = [("StartDate", "Start Date", "startDate"), ("EndDate", "End Date", "endDate"),
            ("Status", "Response Type", "status"), ("IPAddress", "IP Address", "ipAddress"),
            ("Progress", "Progress", "progress"), ("Duration (in seconds)", "Duration (in seconds)", "duration"),
            ("Finished", "Finished", "finished"), ("RecordedDate", "Recorded Date", "recordedDate"),
            ("ResponseId", "Response ID", "_recordId"), ("RecipientLastName", "Recipient Last Name", "recipientLastName"),
            ("RecipientEmail", "Recipient Email", "recipientEmail"),
            ("DistributionChannel", "Distribution Channel", "distributionChannel"),
            ("UserLanguage", "User Language", "userLanguage")]
    tags, texts, imports, cols = [], [], [], []
    for tag, text, imp in meta:
        tags.append(tag)
        texts.append(text)
        imports.append(json.dumps({"ImportId": imp, "timeZone": "UTC"} if "Date" in tag else {"ImportId": imp}))
    qn = 0

    def add(tag, text, values):
        tags.append(tag)
        texts.append(text)
        imports.append(json.dumps({"ImportId": tag.split("_")[0].replace("Q", "QID")}))
        cols.append(values)

    for qid in SINGLE_Q:
        qn += 1
        add(f"Q{qn}", S.t(q(qid).text, "en"), [opt_label(qid, c, "en") for c in f[qid]])
    for iid in LIKERT_SINGLE:
        qn += 1
        add(f"Q{qn}", item_text(iid, "en"), [label(iid, v, "en") for v in f[iid]])
    for ids in MATRICES.values():
        qn += 1
        for k, iid in enumerate(ids, start=1):
            add(f"Q{qn}_{k}", f"Please rate the shop on the following - {item_text(iid, 'en')}",
                [label(iid, v, "en") for v in f[iid]])
    for iid in AFTER + LOYALTY + DRIVERS:
        qn += 1
        vals = [yes_no(v, "en") for v in f[iid]] if iid == "cc1" else [label(iid, v, "en") for v in f[iid]]
        add(f"Q{qn}", item_text(iid, "en"), vals)
    qn += 1
    add(f"Q{qn}", S.t(q("complaint_type").text, "en"),
        ["" if pd.isna(v) else ",".join(opt_label("complaint_type", c, "en") for c in v.split(";"))
         for v in f["complaint_type"]])
    qn += 1
    add(f"Q{qn}", S.t(q("complaint_handling").text, "en"), [label("complaint_handling", v, "en") for v in f["complaint_handling"]])
    qn += 1
    add(f"Q{qn}", S.t(q("complaint_resolved").text, "en"), [yes_no(v, "en") for v in f["complaint_resolved"]])
    qn += 1
    add(f"Q{qn}", S.t(q("comment").text, "en"), ["" if pd.isna(v) else "Fast delivery, will buy again." for v in f["comment"]])
    rows = []
    for i in range(12):
        t = f.loc[i, "submitted_at"]
        rows.append([(t - pd.Timedelta(seconds=300)).strftime("%Y-%m-%d %H:%M:%S"), t.strftime("%Y-%m-%d %H:%M:%S"),
                     "IP Address", f"10.0.0.{i}", "100", str(300 + i), "True", t.strftime("%Y-%m-%d %H:%M:%S"),
                     f"R_{i:03d}abcDEF{i:02d}", "Wang", f"user{i}@example.com", "anonymous", "EN"]
                    + [c[i] for c in cols])
    preview = rows[0][:]
    preview[2], preview[8], preview[11] = "Survey Preview", "R_preview01", "preview"
    test = rows[1][:]
    test[2], test[8], test[11] = "Survey Test", "R_test0001", "test"
    with open(HERE / "qualtrics_export.csv", "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerows([tags, texts, imports, preview] + rows[:6] + [test] + rows[6:])


# -- SurveyMonkey ------------------------------------------------------------------------------
def surveymonkey(f: pd.DataFrame) -> None:
    top = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address",
           "First Name", "Last Name", "Custom Data 1"]
    sub = [""] * len(top)
    cols = []
    for qid in SINGLE_Q:
        top.append(S.t(q(qid).text, "en"))
        sub.append("Response")
        cols.append([opt_label(qid, c, "en") for c in f[qid]])
    for iid in LIKERT_SINGLE:
        top.append(item_text(iid, "en"))
        sub.append("Response")
        cols.append([label(iid, v, "en") for v in f[iid]])
    for ids in MATRICES.values():
        for k, iid in enumerate(ids):
            top.append("Please rate the shop on the following:" if k == 0 else "")
            sub.append(item_text(iid, "en"))
            cols.append([label(iid, v, "en") for v in f[iid]])
    for iid in AFTER + LOYALTY + DRIVERS:
        top.append(item_text(iid, "en"))
        sub.append("Response")
        cols.append([yes_no(v, "en") for v in f[iid]] if iid == "cc1" else [label(iid, v, "en") for v in f[iid]])
    for k, o in enumerate(q("complaint_type").options):
        top.append(S.t(q("complaint_type").text, "en") if k == 0 else "")
        lab = S.t(o.label, "en")
        sub.append(lab)
        cols.append([lab if isinstance(v, str) and str(o.code) in v.split(";") else "" for v in f["complaint_type"]])
    top.append(S.t(q("complaint_handling").text, "en"))
    sub.append("Response")
    cols.append([label("complaint_handling", v, "en") for v in f["complaint_handling"]])
    top.append(S.t(q("complaint_resolved").text, "en"))
    sub.append("Response")
    cols.append([yes_no(v, "en") for v in f["complaint_resolved"]])
    top.append(S.t(q("comment").text, "en"))
    sub.append("Open-Ended Response")
    cols.append(["" if pd.isna(v) else "Fast delivery, will buy again." for v in f["comment"]])
    rows = []
    for i in range(12):
        t = f.loc[i, "submitted_at"]
        rows.append([str(11400000000 + i), "400000001", (t - pd.Timedelta(minutes=5)).strftime("%m/%d/%Y %I:%M:%S %p"),
                     t.strftime("%m/%d/%Y %I:%M:%S %p"), f"10.1.0.{i}", "", "", "", ""] + [c[i] for c in cols])
    with open(HERE / "surveymonkey_export.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([top, sub] + rows)
    # The same export as a legacy Excel 97-2003 workbook (.xls), written with xlwt.
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet")
    for r, row in enumerate([top, sub] + rows):
        for c, value in enumerate(row):
            if value != "":
                sheet.write(r, c, value)
    book.save(str(HERE / "surveymonkey_export.xls"))


def position(iid_or_q: str, value: float) -> str:
    """SurveyMonkey "Numerical Value": the answer choice's position (1-based, form order)."""
    if np.isnan(value):
        return ""
    sc = S.items[iid_or_q].scale if iid_or_q in S.items else S.scales[q(iid_or_q).scale]
    order = [float(p) for p in sc.points]
    if order == [0.0, 1.0]:
        order = [1.0, 0.0]  # a binary item shows yes before no
    order += [float(sc.dont_know)] if sc.dont_know is not None else []
    return str(order.index(float(value)) + 1)


def surveymonkey_numeric(f: pd.DataFrame) -> None:
    """The SurveyMonkey export with cells "Numerical Value"; one "Other (please specify)" text
    column after the complaint options, as SurveyMonkey adds for an "Other" answer box
    (respondent 4 typed into it)."""
    top = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address",
           "First Name", "Last Name", "Custom Data 1"]
    sub = [""] * len(top)
    cols = []
    for qid in SINGLE_Q:
        codes = [str(o.code) for o in q(qid).options]
        top.append(S.t(q(qid).text, "en"))
        sub.append("Response")
        cols.append([str(codes.index(c) + 1) for c in f[qid]])
    for iid in LIKERT_SINGLE:
        top.append(item_text(iid, "en"))
        sub.append("Response")
        cols.append([position(iid, v) for v in f[iid]])
    for ids in MATRICES.values():
        for k, iid in enumerate(ids):
            top.append("Please rate the shop on the following:" if k == 0 else "")
            sub.append(item_text(iid, "en"))
            cols.append([position(iid, v) for v in f[iid]])
    for iid in AFTER + LOYALTY + DRIVERS:
        top.append(item_text(iid, "en"))
        sub.append("Response")
        cols.append([("" if np.isnan(v) else ("1" if v == 1 else "2")) if iid == "cc1" else position(iid, v)
                     for v in f[iid]])
    for k, o in enumerate(q("complaint_type").options, start=1):
        top.append(S.t(q("complaint_type").text, "en") if k == 1 else "")
        sub.append(S.t(o.label, "en"))
        cols.append([str(k) if isinstance(v, str) and str(o.code) in v.split(";") else "" for v in f["complaint_type"]])
    top.append("")
    sub.append("Other (please specify)")
    cols.append(["box arrived damaged" if k == 3 else "" for k in range(12)])
    top.append(S.t(q("complaint_handling").text, "en"))
    sub.append("Response")
    cols.append([position("complaint_handling", v) for v in f["complaint_handling"]])
    top.append(S.t(q("complaint_resolved").text, "en"))
    sub.append("Response")
    cols.append([("" if np.isnan(v) else ("1" if v == 1 else "2")) for v in f["complaint_resolved"]])
    top.append(S.t(q("comment").text, "en"))
    sub.append("Open-Ended Response")
    cols.append(["" if pd.isna(v) else "Fast delivery, will buy again." for v in f["comment"]])
    rows = []
    for i in range(12):
        t = f.loc[i, "submitted_at"]
        rows.append([str(11400000000 + i), "400000001", (t - pd.Timedelta(minutes=5)).strftime("%m/%d/%Y %I:%M:%S %p"),
                     t.strftime("%m/%d/%Y %I:%M:%S %p"), f"10.1.0.{i}", "", "", "", ""] + [c[i] for c in cols])
    with open(HERE / "surveymonkey_numeric.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([top, sub] + rows)


# -- Google Forms ------------------------------------------------------------------------------
def google_forms(f: pd.DataFrame) -> None:
    out: dict[str, list] = {"Timestamp": [f"{t.month}/{t.day}/{t.year} {t.hour}:{t.minute:02d}:{t.second:02d}"
                                          for t in f["submitted_at"]],
                            "Email Address": [f"user{k}@example.com" for k in range(12)]}
    for qid in SINGLE_Q:
        out[S.t(q(qid).text, "en")] = [opt_label(qid, c, "en") for c in f[qid]]
    for iid in LIKERT_SINGLE:
        out[item_text(iid, "en")] = ["" if np.isnan(v) else (str(int(v)) if v != 99 else "Don't know")
                                     for v in f[iid]]
    for ids in MATRICES.values():
        for iid in ids:
            out[f"Please rate the shop on the following [{item_text(iid, 'en')}]"] = [
                "" if np.isnan(v) else (str(int(v)) if v != 99 else "Don't know / not applicable") for v in f[iid]]
    for iid in AFTER + LOYALTY + DRIVERS:
        out[item_text(iid, "en")] = [yes_no(v, "en") if iid == "cc1" else ("" if np.isnan(v) else str(int(v)))
                                     for v in f[iid]]
    out[S.t(q("complaint_type").text, "en")] = [
        "" if pd.isna(v) else ", ".join(opt_label("complaint_type", c, "en") for c in v.split(";")) for v in f["complaint_type"]]
    out[S.t(q("complaint_handling").text, "en")] = ["" if np.isnan(v) else str(int(v)) for v in f["complaint_handling"]]
    out[S.t(q("complaint_resolved").text, "en")] = [yes_no(v, "en") for v in f["complaint_resolved"]]
    out[S.t(q("comment").text, "en")] = ["" if pd.isna(v) else v for v in f["comment"]]
    pd.DataFrame(out).to_csv(HERE / "google_forms_export.csv", index=False, encoding="utf-8")


def main() -> None:
    f = base_frame()
    f.to_csv(HERE / "expected_canonical.csv", index=False, date_format="%Y-%m-%dT%H:%M:%S")
    wjx_columns(f, codes=False).to_csv(HERE / "wenjuanxing_labels_gb18030.csv", index=False, encoding="gb18030")
    wjx_columns(f, codes=True).to_excel(HERE / "wenjuanxing_codes.xlsx", index=False)
    qualtrics(f)
    surveymonkey(f)
    surveymonkey_numeric(f)
    google_forms(f)


if __name__ == "__main__":
    main()
