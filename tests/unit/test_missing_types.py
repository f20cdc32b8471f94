"""Missingness types end to end: import (every platform fixture) -> store -> export.

The fixtures are the platform exports of ``tests/data/platforms`` (see its PROVENANCE): the
base frame has ``pq3`` of respondent 2 and ``dr_content`` of respondent 6 skipped, don't-know
(99) answers, and the complaint follow-ups not shown to non-complainers (``show_if``).
Wenjuanxing marks a skipped answer with -2 (code export) or "(跳过)" (label export) and a
not-shown one with -3 / "(跳过)"; Qualtrics, SurveyMonkey and Google Forms leave both blank,
so there a skipped answer where the question was shown is ``no_answer``.
"""

from __future__ import annotations

import pandas as pd
import pytest

from csi.io import read_responses
from csi.io.export import export_responses
from csi.store import close_store, open_store
from tests.unit._store_helpers import pg_schema_url

FIXTURES = {
    "wenjuanxing_codes.xlsx": "skipped",
    "wenjuanxing_labels_gb18030.csv": "skipped",
    "qualtrics_export.csv": "no_answer",
    "surveymonkey_export.csv": "no_answer",
    "surveymonkey_export.xls": "no_answer",
    "surveymonkey_numeric.csv": "no_answer",
    "google_forms_export.csv": "no_answer",
}
FOLLOW_UPS = ("complaint_type", "complaint_handling", "complaint_resolved")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'csi.sqlite'}"
        yield url
        close_store(url)
    else:
        with pg_schema_url(request.getfixturevalue("postgres_url")) as url:
            yield url


def expected_types(res, skip_type: str, flagship) -> pd.DataFrame:
    """What the documented export rules say each missing cell is."""
    v = res.valid.reset_index(drop=True)
    exp = {}
    for it in flagship.items:
        col = pd.Series(float("nan"), index=v.index, dtype=object)
        col[v[it] == 99] = "dont_know"
        exp[it] = col
    exp["pq3"][1] = skip_type  # respondent 2
    exp["dr_content"][5] = skip_type  # respondent 6
    for q in FOLLOW_UPS:
        col = pd.Series(float("nan"), index=v.index, dtype=object)
        col[v["cc1"] != 1] = "not_shown"
        exp[q] = col
    return pd.DataFrame(exp)


def _check(got: pd.DataFrame, exp: pd.DataFrame, where: str):
    got = got.reset_index(drop=True)
    for c in exp.columns:
        g = got[c].astype(object) if c in got else pd.Series(float("nan"), index=exp.index, dtype=object)
        assert g.fillna("-").tolist() == exp[c].astype(object).fillna("-").tolist(), f"{where}: {c}"
    extra = [c for c in got.columns if c not in exp.columns and got[c].notna().any()]
    assert not extra, f"{where}: unexpected missing cells in {extra}"


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_import_types_every_missing_cell(name, flagship, data_dir):
    res = read_responses(data_dir / "platforms" / name, flagship)
    assert res.missing_types.index.equals(res.valid.index)
    _check(res.missing_types, expected_types(res, FIXTURES[name], flagship), name)


@pytest.mark.parametrize("name", ["wenjuanxing_codes.xlsx", "qualtrics_export.csv"])
def test_types_round_trip_store_and_export(name, flagship, data_dir, store_url, tmp_path):
    res = read_responses(data_dir / "platforms" / name, flagship)
    exp = expected_types(res, FIXTURES[name], flagship)
    store = open_store(store_url)
    store.import_frame(flagship, res.valid, source_name=name, file_hash=res.file_hash,
                       missing_types=res.missing_types)
    frame, types = store.responses_frame(flagship, with_missing_types=True)
    order = frame["respondent_id"].map({r: i for i, r in enumerate(res.valid["respondent_id"])})
    _check(types.loc[order.sort_values().index], exp, f"{name} store")
    out = tmp_path / "export.csv"
    export_responses(frame, out, survey=flagship, missing_types=types)
    back = pd.read_csv(out)
    back = back.loc[order.sort_values().index]
    got = back[[c for c in back.columns if c.endswith("__missing")]].rename(columns=lambda c: c[:-9])
    _check(got, exp, f"{name} export")


def test_small_batch_keeps_its_types(flagship, store_url):
    store = open_store(store_url)
    csv = ("respondent_id,submitted_at,channel,pq1,pq2,cc1\n"
           "a,2026-01-05T10:00:00,jd,5,99,0\nb,2026-01-06T10:00:00,jd,,3,1\n")
    res = read_responses(csv.encode(), flagship, file_name="x.csv")
    store.import_frame(flagship, res.valid, source_name="x.csv", file_hash=None, missing_types=res.missing_types)
    frame, types = store.responses_frame(flagship, with_missing_types=True)
    assert types.loc[0, "pq2"] == "dont_know" and types.loc[1, "pq1"] == "no_answer"
    assert "complaint_type" not in types  # no column in the file: not a missing answer
