"""Every platform fixture imports with zero hand edits to the same answers (tests/data/platforms)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi.io import read_responses

FIXTURES = {
    "wenjuanxing_labels_gb18030.csv": ("wenjuanxing", "gb18030", 12, 0),
    "wenjuanxing_codes.xlsx": ("wenjuanxing", None, 12, 0),
    "qualtrics_export.csv": ("qualtrics", "utf-8-sig", 14, 2),
    "surveymonkey_export.csv": ("surveymonkey", "utf-8", 12, 0),
    "surveymonkey_export.xls": ("surveymonkey", None, 12, 0),
    "surveymonkey_numeric.csv": ("surveymonkey", "utf-8", 12, 0),
    "google_forms_export.csv": ("google_forms", "utf-8", 12, 0),
}
#: respondent answers compared with the source frame (system fields are not in platform exports;
#: the English comment differs by design in two fixtures)
SKIP = {"respondent_id", "repurchased_90d", "orders_12m", "comment"}


@pytest.fixture(scope="module")
def expected(data_dir):
    f = pd.read_csv(data_dir / "platforms" / "expected_canonical.csv")
    f["submitted_at"] = pd.to_datetime(f["submitted_at"])
    return f


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_fixture_imports_to_the_same_answers(name, flagship, data_dir, expected):
    platform, encoding, rows_read, rejected = FIXTURES[name]
    res = read_responses(data_dir / "platforms" / name, flagship)
    assert res.platform == platform
    if encoding:
        assert res.encoding == encoding
    assert res.rows_read == rows_read and len(res.rejected) == rejected
    assert len(res.valid) + len(res.rejected) == res.rows_read
    assert res.pii_columns, "contact columns are recognised"
    assert not set(flagship.pii_fields) & set(res.valid.columns)
    got = res.valid.reset_index(drop=True)
    for col in got.columns:
        if col in SKIP:
            continue
        if col not in expected:  # a question added after the fixtures were exported (contact_consent, nps)
            assert got[col].isna().all(), f"{name}: {col}"
            continue
        a, b = got[col], expected[col]
        if a.dtype.kind == "f":
            np.testing.assert_array_equal(a.to_numpy(float), b.to_numpy(float), err_msg=f"{name}: {col}")
        elif a.dtype.kind == "M":
            assert (a == b).all(), f"{name}: {col}"
        else:
            assert a.fillna("<NA>").tolist() == b.fillna("<NA>").tolist(), f"{name}: {col}"


def test_qualtrics_preview_and_test_rows_are_quarantined(flagship, data_dir):
    res = read_responses(data_dir / "platforms" / "qualtrics_export.csv", flagship)
    assert res.rejected["source_row"].tolist() == [4, 11]  # file rows: three header rows
    assert res.rejected["reason"].str.contains("preview/test response").all()
    assert "IP Address" not in res.rejected.columns and "Recipient Email" not in res.rejected.columns


def test_platform_override_and_explicit_encoding(flagship, data_dir):
    path = data_dir / "platforms" / "wenjuanxing_labels_gb18030.csv"
    res = read_responses(path, flagship, platform="wenjuanxing", encoding="gbk")
    assert len(res.valid) == 12
    assert res.valid["submitted_at"].iloc[0] == pd.Timestamp("2026-04-06 03:03:13")  # Beijing -> UTC


def test_wenjuanxing_unmapped_columns_are_listed(flagship, data_dir):
    res = read_responses(data_dir / "platforms" / "wenjuanxing_codes.xlsx", flagship)
    assert res.unmapped_columns == ["来源", "来源详情"]
    assert sorted(res.pii_columns) == sorted(["来自IP", "20、如愿意接受回访，请留下手机号（选填）"])


def test_surveymonkey_numerical_values_are_read_by_answer_choice_position(flagship, data_dir):
    """SurveyMonkey cells "Numerical Value": choice k of the form is k (yes = 1, no = 2, the
    10-point scale's don't-know option 11); every recoding is stated per column."""
    res = read_responses(data_dir / "platforms" / "surveymonkey_numeric.csv", flagship)
    cc1 = "In the last 6 months, have you formally complained to this shop?: platform codes 1/2 read as yes/no (1/0)"
    assert cc1 in res.recodings
    assert "Where did you place this order?: platform codes 1/2/3 read as tmall/jd/taobao" in res.recodings
    assert any(x.startswith("Product quality") or "platform codes 11 read as don't know (99)" in x
               for x in res.recodings)
    # the "Other (please specify)" box has no field in the survey: listed, not imported
    assert "Other (please specify)" in res.unmapped_columns
    assert res.valid["cc1"].isin([0.0, 1.0]).all()
