"""Issue 13: the bugs found on real exports, one test each (they failed before the fix)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from csi.errors import DataError, ResponseImportError, SurveySpecError
from csi.io import read_responses
from csi.io.pseudonym import PseudonymKeyError, pseudonym_key, pseudonymize
from csi.io.scrub import scrub_text
from csi.survey import load_survey


def _read(text: str, survey, name="t.csv", **kw):
    return read_responses(text.encode("utf-8"), survey, file_name=name, **kw)


# -- point 1: option numbers by presentation order ------------------------------------------------
def test_yes_no_code_export_one_is_yes_two_is_no(flagship):
    # Wenjuanxing 按选项序号: 是 = 1, 否 = 2 for the binary complaint item and the yes/no question
    text = ("序号,提交答卷时间,所用时间,1、您这次是在哪个平台下单的？,2、过去 6 个月内，您是否向本店正式投诉或抱怨过？,"
            "3、您的问题最终解决了吗？\n"
            "1,2026/04/06 11:03:13,300秒,2,2,-3\n"
            "2,2026/04/06 11:05:13,280秒,1,1,2\n"
            "3,2026/04/06 11:07:13,310秒,3,1,1\n")
    res = _read(text, flagship)
    assert len(res.valid) == 3, res.issues
    assert res.valid["cc1"].tolist() == [0.0, 1.0, 1.0]
    assert res.valid["complaint_resolved"].tolist()[1:] == [0.0, 1.0]
    assert res.valid["channel"].tolist() == ["jd", "tmall", "taobao"]
    assert "2、过去 6 个月内，您是否向本店正式投诉或抱怨过？: platform codes 1/2 read as yes/no (1/0)" in res.recodings
    assert any(line.startswith("1、您这次是在哪个平台下单的？: platform codes 1/2/3 read as tmall/jd/taobao")
               for line in res.recodings)


def test_a_column_fitting_neither_values_nor_option_numbers_gets_row_issues(flagship):
    text = "respondent_id,channel,cc1\na,jd,0\nb,jd,1\nc,jd,2\n"
    res = _read(text, flagship, platform="generic")
    assert [(i.row, i.column) for i in res.issues] == [(4, "cc1")]
    assert res.recodings == []


def test_yaml_export_codes_override_a_reversed_scale(tmp_path, flagship_path):
    text = flagship_path.read_text(encoding="utf-8").replace(
        "      - id: cs1\n", "      - id: cs1\n        export_codes: {1: 10, 2: 9, 3: 8, 4: 7, 5: 6, 6: 5, 7: 4, 8: 3, 9: 2, 10: 1}\n", 1)
    p = tmp_path / "s.yaml"
    p.write_text(text, encoding="utf-8")
    s = load_survey(p)
    res = _read("respondent_id,channel,cs1\na,jd,1\nb,jd,10\nc,jd,4\n", s, platform="generic")
    assert res.valid["cs1"].tolist() == [10.0, 1.0, 7.0]
    assert res.recodings == ["cs1: platform codes 1/4/10 read as 10/7/1"]
    # the mapping file's codes win for one import (a 0-10 export read as stored)
    res = _read("respondent_id,channel,cs1\na,jd,1\n", s, platform="generic", codes={"cs1": {1: 1}})
    assert res.valid["cs1"].tolist() == [1.0]


# -- point 2: excluded rows leave no trace -------------------------------------------------------
QUALTRICS = ('StartDate,EndDate,Status,Finished,ResponseId,Q1,Q2\n'
             'Start Date,End Date,Response Type,Finished,Response ID,"Overall, how satisfied are you with this shop?",'
             'Where did you place this order?\n'
             '"{""ImportId"":""startDate"",""timeZone"":""UTC""}","{""ImportId"":""endDate"",""timeZone"":""UTC""}",'
             '"{""ImportId"":""status""}","{""ImportId"":""finished""}","{""ImportId"":""_recordId""}",'
             '"{""ImportId"":""QID1""}","{""ImportId"":""QID2""}"\n')


def test_preview_rows_take_no_part_in_the_duplicate_check(flagship):
    text = QUALTRICS + ("2026-04-06 02:58:13,2026-04-06 03:03:13,Survey Preview,True,R_1,5,JD.com\n"
                        "2026-04-06 02:58:13,2026-04-06 03:03:13,IP Address,True,R_1,7,JD.com\n"
                        "2026-04-06 02:58:13,2026-04-06 03:03:13,IP Address,False,R_2,8,JD.com\n")
    res = _read(text, flagship)
    assert res.valid["respondent_id"].tolist() == ["R_1"] and res.valid["cs1"].tolist() == [7.0]
    assert res.duplicates == 0 and res.excluded == 2
    assert res.rejected["source_row"].tolist() == [4, 6]
    assert "unfinished" in res.rejected["reason"].iloc[1]
    kept = _read(text, flagship, include_unfinished=True)
    assert kept.valid["respondent_id"].tolist() == ["R_1", "R_2"]


# -- point 3: multi-select sub-columns -----------------------------------------------------------
def test_multi_select_sub_columns_accept_only_codes(flagship):
    text = ("序号,提交答卷时间,0、您这次是在哪个平台下单的？,1、过去 6 个月内，您是否向本店正式投诉或抱怨过？,第2题(质量问题),第2题(发错货),第2题(丢件)\n"
            "1,2026/04/06 11:03:13,1,1,1,0,0\n"
            "2,2026/04/06 11:03:13,1,1,x,0,0\n"
            "3,2026/04/06 11:03:13,1,1,0,-,1\n"
            "4,2026/04/06 11:03:13,1,2,-3,-3,-3\n")
    res = _read(text, flagship)
    assert res.valid.loc[2, "complaint_type"] == "poor_quality" and pd.isna(res.valid.loc[5, "complaint_type"])
    got = {(i.row, i.column, i.value) for i in res.issues}
    assert got == {(3, "第2题(质量问题)", "x"), (4, "第2题(发错货)", "-")}
    assert all("multi-select sub-column" in i.expected for i in res.issues)


# -- point 4: contact data -----------------------------------------------------------------------
UNMARKED = """id: s
version: "1"
title: t
languages: [zh, en]
scales:
  s10: {min: 1, max: 10}
constructs:
  satisfaction:
    label: 满意
    scale: s10
    items:
      - {id: cs1, text: 总体满意}
questions:
  - id: contact
    type: text
    text: {zh: 方便的话请留下您的手机号, en: Your mobile number}
"""


def test_validate_refuses_an_unmarked_phone_question(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(UNMARKED, encoding="utf-8")
    with pytest.raises(SurveySpecError) as err:
        load_survey(p)
    issue = next(i for i in err.value.issues if "contact data" in i.message)
    assert (issue.line, issue.column) == (14, 9)  # the question's id
    assert "mark it `pii: phone`" in issue.message
    p.write_text(UNMARKED + "    contact_data: false\n", encoding="utf-8")
    assert load_survey(p).questions[0].contact_data is False
    p.write_text(UNMARKED + "    pii: phone\n", encoding="utf-8")
    assert load_survey(p).pii_fields == ["contact"]


@pytest.mark.parametrize(("text", "expected"), [
    ("请回电 13912345678", "请回电 [phone]"),
    ("电话：+86 139-1234-5678，座机 010-62345678", "电话：[phone]，座机 [phone]"),
    ("联系 li.wei@example.com 或微信", "联系 [email] 或微信"),
    ("身份证号 11010519491231002X 错了", "身份证号 [id] 错了"),
    ("Call me on +1 415 555 0100 or (0755) 1234 5678", "Call me on [phone] or [phone]"),
    ("买了 3 件，共 199.00 元，订单 2026-03-01，邮编 100080", "买了 3 件，共 199.00 元，订单 2026-03-01，邮编 100080"),
])
def test_scrub_text_exact_outputs(text, expected):
    assert scrub_text(text)[0] == expected


def test_comments_are_scrubbed_before_storage(flagship):
    text = "respondent_id,channel,cs1,comment\na,jd,5,请回电 13912345678\nb,jd,6,ok\n"
    res = _read(text, flagship)
    assert res.valid["comment"].tolist() == ["请回电 [phone]", "ok"]
    assert res.scrubbed == {"cells": 1, "phone": 1, "email": 0, "id": 0}


def test_unmapped_wechat_qq_recipient_columns_never_reach_the_quarantine(flagship):
    # a Wenjuanxing export with contact questions the survey does not have: the rejected row
    # (an unknown option) was kept with the WeChat id, QQ number and recipient name as written
    text = ("序号,提交答卷时间,所用时间,1、您这次是在哪个平台下单的？,微信号,QQ号,旺旺名,收货人,身份证号码\n"
            "1,2026/04/06 11:03:13,300秒,9,wxid_abc123,12345678,tb_buyer01,张三,11010519491231002X\n")
    res = _read(text, flagship, name="w.csv")
    assert len(res.rejected) == 1
    assert sorted(res.pii_columns) == sorted(["微信号", "QQ号", "旺旺名", "收货人", "身份证号码"])
    raw = res.rejected.astype(str).to_string()
    for value in ("wxid_abc123", "12345678", "tb_buyer01", "张三", "11010519491231002X"):
        assert value not in raw
    assert res.unmapped_columns == []


def test_keep_pii_needs_a_key_outside_the_database(monkeypatch):
    monkeypatch.delenv("CSI_PII_KEY", raising=False)
    monkeypatch.chdir("/")
    monkeypatch.setenv("HOME", "/nonexistent")
    with pytest.raises(PseudonymKeyError, match="CSI_PII_KEY"):
        pseudonym_key()
    k1, k2 = pseudonym_key("secret-number-one-xx"), pseudonym_key("secret-number-two-xx")
    a = pseudonymize(pd.Series(["13912345678"]), k1).iloc[0]
    b = pseudonymize(pd.Series(["13912345678"]), k2).iloc[0]
    assert a != b and len(a) == 64  # keyed: the hash depends on the secret, not a stored salt


# -- point 5: row numbers and headers ------------------------------------------------------------
def test_xlsx_and_csv_give_the_same_row_numbers(flagship, tmp_path):
    rows = [["respondent_id", "channel", "pq1"], ["a", "jd", "5"], ["", "", ""], ["b", "jd", "11"], ["c", "jd", "7"]]
    csv_text = "\n".join(",".join(r) for r in rows) + "\n"
    from openpyxl import Workbook

    wb = Workbook()
    for r in rows:
        wb.active.append([None if v == "" else (int(v) if v.isdigit() else v) for v in r])
    buf = io.BytesIO()
    wb.save(buf)
    a = _read(csv_text, flagship)
    b = read_responses(buf.getvalue(), flagship, file_name="t.xlsx")
    assert [(i.row, i.column) for i in a.issues] == [(4, "pq1")] == [(i.row, i.column) for i in b.issues]
    assert a.valid.index.tolist() == b.valid.index.tolist() == [2, 5]


def test_row_level_issues_print_without_a_column(tmp_path, flagship_path):
    from typer.testing import CliRunner

    from csi.cli.main import app

    src = tmp_path / "r.csv"
    src.write_text("respondent_id,pq1,channel\na,5,jd\nb,6,jd,extra\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["import", str(flagship_path), str(src), "--db", f"sqlite:///{tmp_path}/db.sqlite"])
    assert r.exit_code == 0, r.output
    assert "row 3: row has 4 fields" in r.output and "None" not in r.output


# -- point 6: encodings --------------------------------------------------------------------------
def test_cp1252_is_decoded_right_and_gb18030_only_when_chinese(flagship):
    res = read_responses("respondent_id,channel,pq1,comment\na,jd,5,Crème brûlée\n".encode("cp1252"), flagship)
    assert res.encoding == "cp1252" and res.valid["comment"].iloc[0] == "Crème brûlée"
    res = read_responses("respondent_id,channel,pq1,comment\na,京东,5,发货很快，还会再来。\n".encode("gb18030"), flagship)
    assert res.encoding == "gb18030" and res.valid["comment"].iloc[0] == "发货很快，还会再来。"


def test_undecidable_bytes_ask_for_encoding(flagship):
    data = b"respondent_id,pq1\n\x00a\x81\xfe,5\n"
    with pytest.raises(ResponseImportError, match=r"^x\.csv: .*pass --encoding"):
        read_responses(data, flagship, file_name="x.csv")


# -- point 7: time zones and durations -----------------------------------------------------------
def test_unknown_time_zone_is_a_row_issue(flagship):
    text = QUALTRICS.replace('""timeZone"":""UTC""', '""timeZone"":""Mars/Olympus""') + \
        "2026-04-06 02:58:13,2026-04-06 03:03:13,IP Address,True,R_1,5,JD.com\n"
    res = _read(text, flagship)
    assert len(res.valid) == 0
    assert "unknown time zone 'Mars/Olympus'" in res.issues[0].expected
    assert res.issues[0].column == "EndDate"


def test_unparseable_duration_is_a_row_issue(flagship):
    text = ("序号,提交答卷时间,所用时间,1、您这次是在哪个平台下单的？,2、总体而言，您对本店的满意程度\n"
            "1,2026/04/06 11:03:13,300秒,1,5\n2,2026/04/06 11:03:13,很久,1,6\n")
    res = _read(text, flagship)
    assert [(i.row, i.column, i.value) for i in res.issues] == [(3, "所用时间", "很久")]


# -- point 9: one data gate ----------------------------------------------------------------------
@pytest.mark.parametrize("bad", [11.0, -5.0, 0.0])
def test_driver_and_complaint_analyses_refuse_out_of_scale_values(flagship, bad):
    from csi.drivers.complaints import complained
    from csi.drivers.scores import item_scores

    frame = pd.DataFrame({"cs1": [5.0, bad, 99.0, -2.0], "cc1": [0.0, 1.0, np.nan, -99.0]})
    with pytest.raises(DataError, match=r"column 'cs1', row 1: value .* outside the scale \[1, 10\]"):
        item_scores(flagship, frame, ["cs1"])
    ok = item_scores(flagship, frame.assign(cs1=[5.0, 10.0, 99.0, -2.0]), ["cs1"])["cs1"]
    assert ok.iloc[:2].tolist() == [100 * 4 / 9, 100.0] and ok.iloc[2:].isna().all()
    assert complained(flagship, frame).iloc[:2].tolist() == [0.0, 1.0]
    with pytest.raises(DataError, match="column 'cc1', row 0: value 2"):
        complained(flagship, frame.assign(cc1=[2.0, 1.0, 0.0, 0.0]))


@pytest.mark.parametrize("analysis", ["segments", "what_if"])
def test_segment_and_what_if_analyses_pass_the_same_gate(flagship, flagship_path, analysis):
    from csi.drivers.segments import group_results
    from csi.drivers.whatif import what_if

    frame = pd.read_csv(flagship_path.parents[1] / "sample_data" / "ecommerce_responses.csv", nrows=200)
    frame.loc[3, "pq1"] = 11.0
    with pytest.raises(DataError, match=r"column 'pq1', row 3: value 11 is outside the scale \[1, 10\]"):
        if analysis == "segments":
            group_results(flagship, frame, by="channel")
        else:
            what_if(flagship, frame, changes={"perceived_quality": 5})


# -- point 10: csi estimate reads what csi import reads ------------------------------------------
def test_estimate_reads_xlsx_with_the_import_column_matching(tmp_path, flagship_path):
    import json

    from typer.testing import CliRunner

    from csi.cli.main import app

    frame = pd.read_csv(flagship_path.parents[1] / "sample_data" / "ecommerce_responses.csv", nrows=300)
    frame = frame.rename(columns={"cs1": "CS1", "pq1": "PQ1"})  # ids matched case-insensitively
    xlsx = tmp_path / "d.xlsx"
    frame.to_excel(xlsx, index=False)
    out = tmp_path / "o.json"
    r = CliRunner().invoke(app, ["estimate", str(flagship_path), str(xlsx), "--boot", "0", "--json", str(out)])
    assert r.exit_code == 0, r.output
    assert "rejected" not in r.output
    csv = tmp_path / "d.csv"
    frame.to_csv(csv, index=False)
    out2 = tmp_path / "o2.json"
    r = CliRunner().invoke(app, ["estimate", str(flagship_path), str(csv), "--boot", "0", "--json", str(out2)])
    assert r.exit_code == 0, r.output
    a, b = (json.loads(p.read_text(encoding="utf-8")) for p in (out, out2))
    assert a["n"] == b["n"] > 200 and a["index"] == b["index"]


# -- point 8: survey versions do not mix ---------------------------------------------------------
def test_survey_versions_do_not_mix(tmp_path, flagship_path, flagship):
    from csi.store import open_store

    base = flagship_path.read_text(encoding="utf-8")
    same = tmp_path / "v11.yaml"  # a new version with a reworded title only: answers agree
    same.write_text(base.replace('version: "1.0"', 'version: "1.1"').replace("网店顾客满意度调查", "网店顾客满意度调查（新）"),
                    encoding="utf-8")
    other = tmp_path / "v2.yaml"  # the satisfaction items moved to a 1-5 scale: they do not
    other.write_text(base.replace('version: "1.0"', 'version: "2.0"').replace(
        "  satisfaction:\n    label: {zh: 顾客满意度, en: Customer satisfaction}\n    scale: sat10",
        "  satisfaction:\n    label: {zh: 顾客满意度, en: Customer satisfaction}\n    scale: sat5"
    ).replace("scales:\n", "scales:\n  sat5: {min: 1, max: 5}\n", 1).replace(
        "          10: {zh: 远超期望, en: Exceeds}", "          5: {zh: 远超期望, en: Exceeds}").replace(
        "          10: {zh: 非常接近, en: Very close}", "          5: {zh: 非常接近, en: Very close}"),  # item anchors (20)
        encoding="utf-8")
    v11, v2 = load_survey(same), load_survey(other)
    store = open_store(f"sqlite:///{tmp_path / 's.sqlite'}")
    for s, rid, cs1 in [(flagship, "a", 9), (v11, "b", 8), (v2, "c", 4)]:
        res = _read(f"respondent_id,channel,cs1\n{rid},jd,{cs1}\n", s, name=f"{rid}.csv")
        store.import_frame(s, res.valid, source_name=f"{rid}.csv", file_hash=res.file_hash)
    assert store.responses_frame(flagship)["respondent_id"].tolist() == ["a", "b"]
    assert store.frame_versions(flagship) == ["1.0", "1.1"]
    assert store.responses_frame(v2)["respondent_id"].tolist() == ["c"]
    assert store.responses_frame(v2, versions=["2.0", "1.0"])["respondent_id"].tolist() == ["a", "c"]


def test_issues_name_the_header_as_written(flagship):
    text = QUALTRICS + "2026-04-06 02:58:13,2026-04-06 03:03:13,IP Address,True,R_1,12,JD.com\n"
    res = _read(text, flagship)
    assert [(i.row, i.column, i.value) for i in res.issues] == [(4, "Q1", "12")]
    wjx = "序号,提交答卷时间,1、您这次是在哪个平台下单的？,第2题(货如其述),第2题(商品质量)\n1,2026/04/06 11:03:13,1,5,13\n"
    res = _read(wjx, flagship)
    assert [(i.row, i.column) for i in res.issues] == [(2, "第2题(商品质量)")]


def test_drivers_reads_xlsx_with_the_import_column_matching(tmp_path, flagship_path):
    """``csi drivers`` reads an Excel file with the import's case-insensitive id matching and
    gives the same report as from the CSV of the same data (point 10)."""
    import json

    from typer.testing import CliRunner

    from csi.cli.main import app

    frame = pd.read_csv(flagship_path.parents[1] / "sample_data" / "ecommerce_responses.csv", nrows=300)
    frame = frame.rename(columns={"cs1": "CS1", "pq1": "PQ1"})
    outs = []
    for suffix in ("xlsx", "csv"):
        path = tmp_path / f"d.{suffix}"
        frame.to_excel(path, index=False) if suffix == "xlsx" else frame.to_csv(path, index=False)
        out = tmp_path / f"drivers_{suffix}.json"
        r = CliRunner().invoke(app, ["drivers", str(flagship_path), str(path), "--boot", "20", "--json", str(out)])
        assert r.exit_code == 0, r.output
        assert "rejected" not in r.output
        outs.append(json.loads(out.read_text(encoding="utf-8")))
    assert outs[0] == outs[1]


@pytest.mark.parametrize(("qid", "text", "pii"), [
    ("zip", "ZIP code", "other"), ("q9", "邮政编码", "other"), ("postcode", "Postcode", "other"),
    ("ip_address", "IP address", "ip"),
])
def test_validate_refuses_unmarked_postal_code_and_ip_questions(tmp_path, qid, text, pii):
    # SurveyMonkey's Contact Information question has a ZIP/Postal Code field; platforms record
    # the respondent's IP address: both identify people and must be declared like a phone.
    p = tmp_path / "s.yaml"
    p.write_text(UNMARKED.replace("id: contact", f"id: {qid}").replace(
        "{zh: 方便的话请留下您的手机号, en: Your mobile number}", f"{{zh: {text}, en: {text}}}"), encoding="utf-8")
    with pytest.raises(SurveySpecError) as err:
        load_survey(p)
    assert any(f"mark it `pii: {pii}`" in i.message for i in err.value.issues)
