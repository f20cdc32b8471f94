"""read_responses on the plain layout: every problem kind is reported with row/column/value/reason,
rows are never lost, encodings and delimiters are detected."""

from __future__ import annotations

import codecs

import numpy as np
import pandas as pd
import pytest

from csi.errors import ResponseImportError
from csi.io import read_responses
from csi.io.pseudonym import PseudonymKeyError

HEAD = "respondent_id,submitted_at,pq1,pq2,cc1,channel,complaint_type,complaint_handling,comment\n"


def _read(text: str, survey, **kw):
    return read_responses(text.encode("utf-8"), survey, file_name="t.csv", **kw)


def _reasons(res) -> dict[tuple[int, str], str]:
    return {(i.row, i.column): i.expected for i in res.issues}


def test_every_problem_kind_is_reported(flagship):
    text = HEAD + "\n".join([
        "a,2026-01-01T00:00:00,5,6,0,jd,,,ok",           # 2 valid
        "b,2026-01-01T00:00:00,11,6,0,jd,,,",            # 3 out of scale
        "c,2026-01-01T00:00:00,abc,6,0,jd,,,",           # 4 unknown label
        "d,2026-01-01T00:00:00,5,6,0,,,,",               # 5 required channel missing
        "a,2026-01-02T00:00:00,5,6,0,jd,,,",             # 6 duplicate id
        "f,2026-01-01T00:00:00,5,6,0,jd,late,,",         # 7 show_if: complaint_type shown only if cc1 = 1
        "g,2026-01-01T00:00:00,5,6,1,jd,late;lost,9,",   # 8 valid complainer
        "h,not a date,5,6,0,jd,,,",                      # 9 bad timestamp
        "i,2026-01-01T00:00:00,99,-99,0,amazon,,,",      # 10 unknown option (99 = don't know, -99 missing ok)
        "j,2026-01-01T00:00:00,非常满意,不知道/不适用,是,天猫,,,",  # 11 labels -> codes; cc1 = 1, nothing ticked
    ]) + "\n"
    res = _read(text, flagship)
    r = _reasons(res)
    assert res.rows_read == 10 and len(res.valid) + len(res.rejected) == 10
    assert "out of scale" in r[(3, "pq1")]
    assert "unknown label" in r[(4, "pq1")]
    assert r[(5, "channel")] == "required answer missing"
    assert "duplicate respondent id (first seen in row 2)" in r[(6, "respondent_id")]
    assert "not shown" in r[(7, "complaint_type")]
    assert "not a date" in r[(9, "submitted_at")]
    assert "unknown option" in r[(10, "channel")]
    assert res.duplicates == 1
    assert res.valid.index.tolist() == [2, 8, 11]  # file rows: the header is row 1
    v = res.valid.set_index("respondent_id")
    assert v.loc["g", "complaint_type"] == "late;lost" and v.loc["g", "complaint_handling"] == 9.0
    assert v.loc["j", "pq1"] == 10.0 and v.loc["j", "pq2"] == 99.0 and v.loc["j", "channel"] == "tmall"
    assert v.loc["j", "complaint_type"] == ""  # shown, nothing ticked
    assert np.isnan(v.loc["a", "complaint_type"]) if isinstance(v.loc["a", "complaint_type"], float) \
        else pd.isna(v.loc["a", "complaint_type"])
    assert res.rejected["source_row"].tolist() == [3, 4, 5, 6, 7, 9, 10]
    issue = next(i for i in res.issues if i.row == 3)
    assert str(issue.value) == "11" and issue.file == "t.csv"


def test_missing_codes_are_missing_and_wave_is_derived(flagship):
    res = _read(HEAD + "a,2026-05-01T10:00:00,-99,-2,0,jd,,,\n", flagship)
    v = res.valid.iloc[0]
    assert np.isnan(v["pq1"]) and np.isnan(v["pq2"]) and v["wave"] == "2026Q2"
    assert res.valid["submitted_at"].dtype == "datetime64[ns]"


def test_timezone_offsets_become_naive_utc(flagship):
    res = _read(HEAD + "a,2026-05-01T10:00:00+08:00,5,5,0,jd,,,\n", flagship)
    assert res.valid["submitted_at"].iloc[0] == pd.Timestamp("2026-05-01 02:00:00")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_encodings_are_detected(flagship, encoding):
    text = HEAD + "张三,2026-01-01T00:00:00,非常满意,5,0,京东,,,很好\n"
    res = read_responses(text.encode(encoding), flagship)
    assert len(res.valid) == 1
    v = res.valid.iloc[0]
    assert v["respondent_id"] == "张三" and v["channel"] == "jd" and v["comment"] == "很好"


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_delimiters_are_detected(flagship, sep):
    text = (HEAD + "a,2026-01-01T00:00:00,5,6,0,jd,,,\nb,2026-01-01T00:00:00,7,8,0,jd,,,\n").replace(",", sep)
    res = read_responses(text.encode(), flagship, platform="plain")
    assert res.valid["pq1"].tolist() == [5.0, 7.0]


def test_ragged_rows_are_rejected_not_lost(flagship):
    text = HEAD + "a,2026-01-01T00:00:00,5,6,0,jd,,,\nb,2026-01-01,5\nc,2026-01-01T00:00:00,5,6,0,jd,,,\n"
    res = _read(text, flagship)
    assert res.rows_read == 3 and len(res.valid) == 2
    assert res.rejected.loc[0, "reason"] == "row has 3 fields; the header has 9"


def test_generated_ids_are_stable_per_file(flagship):
    text = "submitted_at,pq1,channel\n2026-01-01T00:00:00,5,jd\n"
    a, b = _read(text, flagship), _read(text, flagship)
    assert a.valid["respondent_id"].tolist() == b.valid["respondent_id"].tolist()
    assert a.valid["respondent_id"].iloc[0].endswith("-2")  # the file's row 2


def test_explicit_mapping_and_question_text(flagship):
    text = "ID,Overall quality of the shop's products and service,渠道\nx,8,tmall\n"
    res = _read(text, flagship, mapping={"ID": "respondent_id", "渠道": "channel"})
    v = res.valid.iloc[0]
    assert (v["respondent_id"], v["pq8"], v["channel"]) == ("x", 8.0, "tmall")
    with pytest.raises(ResponseImportError, match="unknown field"):
        _read(text, flagship, mapping={"ID": "nope"})


def test_unmapped_columns_are_listed(flagship):
    res = _read("respondent_id,pq1,mystery\nx,5,1\n", flagship)
    assert res.unmapped_columns == ["mystery"]


@pytest.mark.parametrize("data, match", [
    (b"", "empty"),
    (b"\x00\x01\x02\xff\xfe\x00binary", "cannot tell the text encoding|binary"),
    (b"foo,bar\n1,2\n", "no column matches"),
])
def test_unusable_files_raise_one_clean_error(flagship, data, match):
    with pytest.raises(ResponseImportError, match=match):
        read_responses(data, flagship)


def test_not_a_spreadsheet(flagship):
    with pytest.raises(ResponseImportError, match="not a readable spreadsheet"):
        read_responses(b"PK\x03\x04garbage", flagship, file_name="x.xlsx")


def test_bom_detection():
    from csi.io.encoding import detect_encoding

    assert detect_encoding(codecs.BOM_UTF16_LE + "a".encode("utf-16-le")) == "utf-16"
    with pytest.raises(ResponseImportError, match="unknown encoding"):
        detect_encoding(b"x", "klingon")


def test_contact_columns_dropped_or_hashed(flagship):
    text = "respondent_id,pq1,phone,Email,来自IP\nx,5,13800000000,a@b.c,1.2.3.4\n"
    res = _read(text, flagship)
    assert sorted(res.pii_columns) == ["Email", "phone", "来自IP"]
    assert res.pii_hashes is None and "phone" not in res.valid.columns
    hashed = _read(text, flagship, pii_salt="a-secret-of-16-chars")
    assert set(hashed.pii_hashes.columns) == {"phone", "Email", "来自IP"}
    assert "13800000000" not in hashed.pii_hashes.to_string()
    with pytest.raises(PseudonymKeyError, match="too short"):
        _read(text, flagship, pii_salt="s")


def test_mapping_by_platform_question_number(flagship):
    text = "序号,1、某个没有的题目,2、另一题\n1,7,京东\n"
    res = _read(text, flagship, mapping={"序号": "respondent_id", "#1": "pq1", "#2": "channel"})
    v = res.valid.iloc[0]
    assert (v["respondent_id"], v["pq1"], v["channel"]) == ("1", 7.0, "jd")
    assert res.unmapped_columns == []
