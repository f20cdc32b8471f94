"""Store: save/import/read round trip, idempotent re-import, duplicates, quarantine, form submissions.

Runs on a temporary SQLite file and (marked ``postgres``) on a throwaway PostgreSQL schema.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from csi.errors import ResponseImportError
from csi.io import read_responses
from csi.store import close_store, open_store
from tests.unit._store_helpers import pg_schema_url

PLAIN = """respondent_id,submitted_at,wave,pq1,pq2,cc1,channel,complaint_type,phone
r1,2026-01-05T10:00:00,,5,6,1,tmall,late;damaged,13800000000
r2,2026-04-05T11:00:00,2026Q2,99,,0,jd,,
r3,2026-04-06T11:00:00,,11,3,0,jd,,
r1,2026-04-07T11:00:00,,4,4,0,jd,,
"""


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'csi.sqlite'}"
        yield url
        close_store(url)
    else:
        base = request.getfixturevalue("postgres_url")
        with pg_schema_url(base) as url:
            yield url


def test_import_round_trip_and_idempotence(flagship, store_url):
    res = read_responses(PLAIN.encode(), flagship, file_name="a.csv")
    # r3: pq1 = 11 is out of the 1-10 scale; second r1: duplicate id -> both rejected
    assert res.rows_read == 4 and len(res.valid) == 2 and len(res.rejected) == 2
    assert res.duplicates == 1
    store = open_store(store_url)
    b = store.import_frame(flagship, res.valid, source_name="a.csv", file_hash=res.file_hash,
                           platform=res.platform, rejected=res.rejected, rows_read=res.rows_read)
    assert (b.imported, b.rejected, b.duplicates, b.already_imported) == (2, 2, 0, False)
    again = store.import_frame(flagship, res.valid, source_name="a.csv", file_hash=res.file_hash)
    assert again.already_imported and again.imported == 0 and "already imported" in again.message
    other = store.import_frame(flagship, res.valid, source_name="b.csv", file_hash="other")
    assert (other.imported, other.duplicates) == (0, 2)
    assert store.count_responses(flagship) == 2
    got = store.responses_frame(flagship)
    exp = res.valid.reset_index(drop=True)
    pd.testing.assert_frame_equal(got, exp)
    assert got.loc[0, "complaint_type"] == "late;damaged"
    assert got.loc[1, "pq1"] == 99.0 and np.isnan(got.loc[1, "pq2"])
    assert got["wave"].tolist() == ["2026Q1", "2026Q2"]
    assert "phone" not in got.columns
    rej = store.rejected_rows(b.batch_id)
    assert rej["source_row"].tolist() == [4, 5]  # file rows: the header is row 1
    assert "out of scale" in rej.loc[0, "reason"] and "duplicate respondent id" in rej.loc[1, "reason"]
    assert "phone" not in rej.columns  # contact data never stored
    batches = store.batches(flagship)
    assert batches["imported"].tolist() == [0, 2]
    assert store.responses_frame(flagship, waves=["2026Q2"])["respondent_id"].tolist() == ["r2"]
    assert store.responses_frame(flagship, segment=("channel", "tmall"))["respondent_id"].tolist() == ["r1"]
    assert store.load_survey("ecommerce_csi").sha256 == flagship.sha256
    assert store.surveys()["n_responses"].tolist() == [2]


def test_submit_response_is_double_click_safe(flagship, store_url):
    store = open_store(store_url)
    a = store.submit_response(flagship, {"channel": "jd", "pq1": 7, "cc1": 1, "complaint_type": ["late"]},
                              submission_key="k-1")
    b = store.submit_response(flagship, {"channel": "jd", "pq1": 7}, submission_key="k-1")
    assert a == b and store.count_responses(flagship) == 1
    frame = store.responses_frame(flagship)
    assert frame.loc[0, "pq1"] == 7.0 and frame.loc[0, "complaint_type"] == "late"
    with pytest.raises(ResponseImportError, match="out of scale"):
        store.submit_response(flagship, {"channel": "jd", "pq1": 12}, submission_key="k-2")
    with pytest.raises(ResponseImportError, match="unknown field"):
        store.submit_response(flagship, {"nope": 1}, submission_key="k-3")
    assert store.count_responses(flagship) == 1


def test_keep_pii_stores_only_hashes(flagship, store_url, monkeypatch):
    import sqlalchemy as sa

    from csi.io.pseudonym import pseudonym_key

    monkeypatch.setenv("CSI_PII_KEY", "0123456789abcdef-test-key")
    store = open_store(store_url)
    res = read_responses(io.BytesIO(PLAIN.encode()), flagship, pii_key=pseudonym_key())
    store.import_frame(flagship, res.valid, source_name="a.csv", file_hash=res.file_hash,
                       pii_hashes=res.pii_hashes)
    with store.engine.connect() as conn:
        text = " ".join(str(r) for r in conn.execute(sa.text("select * from responses")).all())
    assert "13800000000" not in text and len(res.pii_hashes.iloc[0]["phone"]) == 64


def test_frame_mixes_batches_and_form_rows_in_time_order(flagship, store_url):
    store = open_store(store_url)
    res = read_responses(PLAIN.encode(), flagship, file_name="a.csv")
    store.import_frame(flagship, res.valid, source_name="a.csv", file_hash=res.file_hash)
    store.submit_response(flagship, {"channel": "tmall", "pq1": 3, "submitted_at": "2026-02-01T00:00:00"},
                          submission_key="f1")
    got = store.responses_frame(flagship)
    assert got["submitted_at"].is_monotonic_increasing
    assert got["pq1"].tolist() == [5.0, 3.0, 99.0]
    assert got["wave"].tolist() == ["2026Q1", "2026Q1", "2026Q2"]
    assert store.responses_frame(flagship, waves="2026Q1")["channel"].tolist() == ["tmall", "tmall"]
    empty = store.responses_frame(flagship, waves=["2030Q1"])
    assert len(empty) == 0 and list(empty.columns) == list(got.columns)


def test_rows_without_a_parquet_copy_are_read_from_their_json(flagship, store_url):
    from csi.store.schema import batch_frames

    store = open_store(store_url)
    res = read_responses(PLAIN.encode(), flagship, file_name="a.csv")
    store.import_frame(flagship, res.valid, source_name="a.csv", file_hash=res.file_hash)
    store.submit_response(flagship, {"channel": "tmall", "pq1": 3, "submitted_at": "2026-02-01T00:00:00"},
                          submission_key="f1")
    store.submit_response(flagship, {"channel": "jd", "pq1": 8, "submitted_at": "2026-01-01T00:00:00"},
                          submission_key="f2")
    with_copy = store.responses_frame(flagship)
    q1 = store.responses_frame(flagship, waves="2026Q1")
    # a batch imported before migration 0002 has no Parquet copy: its rows come from their JSON
    with store.engine.begin() as conn:
        conn.execute(batch_frames.delete())
    pd.testing.assert_frame_equal(store.responses_frame(flagship), with_copy)
    pd.testing.assert_frame_equal(store.responses_frame(flagship, waves="2026Q1"), q1)
    assert with_copy["pq1"].tolist() == [8.0, 5.0, 3.0, 99.0]


def test_form_submission_records_missingness_types(flagship, store_url):
    # a don't-know answer, a blank shown item, and a question whose show_if is false
    store = open_store(store_url)
    store.submit_response(flagship, {"channel": "jd", "pq1": 99, "pq2": None, "pq3": 8, "cc1": 0,
                                     "complaint_handling": None}, submission_key="t-1")
    frame, types = store.responses_frame(flagship, with_missing_types=True)
    row = types.iloc[0]
    assert row["pq1"] == "dont_know" and row["pq2"] == "no_answer"
    assert row["complaint_handling"] == "not_shown"
    assert not isinstance(row.get("pq3"), str)  # answered: no type
