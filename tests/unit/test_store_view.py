"""The dashboard's facts of a large PostgreSQL store (csi.report.store_view, csi.engines.facts)
equal the pandas computation on the same stored rows exactly, and its sample is the seeded
bucket sample of csi.engines.sample_rows.

Data: responses drawn by ``csi.simulate`` from the flagship survey (don't-know codes, skipped
answers, complaints, NPS, segments), stored through ``Store.import_frame`` in a fresh schema.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def stored(flagship, postgres_url):
    """(store URL, the stored frame as Store.responses_frame reads it, engine source)."""
    from _store_helpers import pg_schema_url

    from csi.engines.facts import store_source
    from csi.simulate import simulate_responses
    from csi.store import open_store

    df, _ = simulate_responses(flagship, n=3000, seed=11)
    with pg_schema_url(postgres_url) as url:
        store = open_store(url)
        store.import_frame(flagship, df, source_name="sim.csv", file_hash="h15b-facts")
        yield url, store.responses_frame(flagship), store_source(url, flagship)


def _filters(frame):
    from csi.report.filters import Filters

    days = sorted(pd.to_datetime(frame["submitted_at"]).dt.date.unique())
    waves = sorted(frame["wave"].unique())
    return [Filters(),
            Filters(segment=("channel", str(frame["channel"].dropna().iloc[0])),
                    date_range=(days[len(days) // 5], days[-len(days) // 5])),
            Filters(waves=tuple(waves[-2:])),
            Filters(date_range=(dt.date(1990, 1, 1), dt.date(1990, 1, 2)))]  # keeps nothing


@pytest.mark.postgres
def test_sidebar_meta_equals_the_stored_frame(flagship, stored):
    from csi.estimate.waves import wave_labels
    from csi.report.filters import date_bounds, segment_options
    from csi.report.store_view import store_meta

    _, frame, source = stored
    got = store_meta(flagship, source)
    assert got == {"n": len(frame), "waves": wave_labels(frame), "bounds": date_bounds(frame),
                   "segments": {q.id: segment_options(frame, q.id) for q in flagship.segments}}


@pytest.mark.postgres
def test_filtered_counts_and_span_equal_filter_frame(flagship, stored):
    from csi.report.filters import filter_frame
    from csi.report.overview import response_span
    from csi.report.scope import collected_by_wave
    from csi.report.store_view import filtered_facts

    _, frame, source = stored
    for filt in _filters(frame):
        rows = filter_frame(frame, filt)
        got = filtered_facts(source, filt)
        assert got.n == len(rows)
        assert got.by_wave == collected_by_wave(rows)
        assert got.span == response_span(rows)


@pytest.mark.postgres
def test_complaint_figures_from_counts_equal_the_rows(flagship, stored):
    from csi.drivers import complaints as cp
    from csi.report.filters import filter_frame
    from csi.report.store_view import complaint_columns, facts_frame

    _, frame, source = stored
    for filt in _filters(frame)[:3]:
        rows = filter_frame(frame, filt).reset_index(drop=True)
        for by in ("wave", "channel"):
            counted = facts_frame(flagship, source, filt, complaint_columns(flagship, by))
            assert len(counted) == len(rows)
            pd.testing.assert_frame_equal(cp.complaint_rate(flagship, counted), cp.complaint_rate(flagship, rows))
            pd.testing.assert_frame_equal(cp.complaint_types(flagship, counted), cp.complaint_types(flagship, rows))
            pd.testing.assert_frame_equal(cp.complaints_by(flagship, counted, by), cp.complaints_by(flagship, rows, by))
            pd.testing.assert_frame_equal(cp.complaint_test(flagship, counted, by),
                                          cp.complaint_test(flagship, rows, by))
    assert cp.complaint_rate(flagship, frame)["complaints"].item() > 0  # the data have complaints


@pytest.mark.postgres
def test_nps_from_counts_equals_the_rows(flagship, stored):
    from csi.drivers.nps import nps, nps_by
    from csi.report.filters import filter_frame
    from csi.report.store_view import facts_frame, nps_columns

    _, frame, source = stored
    for filt in _filters(frame)[:3]:
        rows = filter_frame(frame, filt).reset_index(drop=True)
        counted = facts_frame(flagship, source, filt, nps_columns(flagship))
        pd.testing.assert_frame_equal(nps(flagship, counted), nps(flagship, rows))
        for by in ["wave", *(q.id for q in flagship.segments)]:
            pd.testing.assert_frame_equal(nps_by(flagship, counted, by), nps_by(flagship, rows, by))
    assert nps(flagship, frame)["n"].item() > 0


@pytest.mark.postgres
def test_item_counts_and_listwise_report_equal_the_rows(flagship, stored):
    from csi.report.filters import filter_frame
    from csi.report.store_view import listwise_missing

    _, frame, source = stored
    filt = _filters(frame)[1]
    rows = filter_frame(frame, filt)
    spec = flagship.to_model()
    got = listwise_missing(flagship, source, filt, n_used=1234)
    assert got["policy"] == "listwise" and got["n_total"] == len(rows) and got["n_used"] == 1234
    for it in spec.items.values():  # not an answer on the scale: NaN, or a declared missing code
        v = rows[it.id]
        ok = v.between(it.scale_min, it.scale_max) & ~v.isin([float(c) for c in it.missing_codes])
        assert got["by_item"][it.id]["missing"] == int((~ok).sum()), it.id
    dk = 0
    for it in spec.items.values():
        if it.dont_know is not None:  # the scale's don't-know code
            dk += int((rows[it.id] == float(it.dont_know)).sum())
    assert got["by_type"]["dont_know"] == dk > 0


@pytest.mark.postgres
def test_sample_is_the_seeded_bucket_sample_of_the_stated_size(flagship, stored):
    from csi.engines.facts import SAMPLE_BUCKETS
    from csi.engines.query import bucket_of
    from csi.report.filters import filter_frame
    from csi.report.store_view import sample

    _, frame, source = stored
    filt = _filters(frame)[1]
    rows = filter_frame(frame, filt).reset_index(drop=True)
    size = 300
    got = sample(flagship, source, filt, len(rows), size=size)
    keep = round(size / len(rows) * SAMPLE_BUCKETS)
    want = rows[rows["respondent_id"].map(lambda r: bucket_of(r, 0, SAMPLE_BUCKETS) < keep)].reset_index(drop=True)
    # the very rows (and columns, dtypes, order) Store.responses_frame holds for those respondents
    pd.testing.assert_frame_equal(got, want)
    assert abs(len(got) - size) < 4 * np.sqrt(size)  # binomial: about the stated size
    again = sample(flagship, source, filt, len(rows), size=size)
    pd.testing.assert_frame_equal(again, got)  # seeded
    other = sample(flagship, source, filt, len(rows), size=size, seed=1)
    assert set(other["respondent_id"]) != set(got["respondent_id"])
    everything = sample(flagship, source, filt, len(rows), size=len(rows))
    pd.testing.assert_frame_equal(everything, rows)


@pytest.mark.postgres
def test_sample_equals_sample_rows_for_the_same_fraction(flagship, stored):
    from csi.engines.sample import sample_rows
    from csi.report.store_view import sample

    url, frame, source = stored
    got = sample(flagship, source, None, len(frame), size=len(frame) // 10)
    ref = sample_rows(frame, ["wave"], engine="pandas", fraction=0.1, seed=0)
    assert sorted(got["respondent_id"]) == sorted(ref["respondent_id"])


def test_settings_are_validated(monkeypatch):
    from csi.errors import ParameterError
    from csi.report.store_view import engine_min_rows, is_large_store, sample_size_setting

    monkeypatch.delenv("CSI_APP_SAMPLE_SIZE", raising=False)
    monkeypatch.delenv("CSI_ENGINE_MIN_ROWS", raising=False)
    assert sample_size_setting() == 50_000 and engine_min_rows() == 500_000
    monkeypatch.setenv("CSI_APP_SAMPLE_SIZE", "20,000")
    assert sample_size_setting() == 20_000
    monkeypatch.setenv("CSI_APP_SAMPLE_SIZE", "lots")
    with pytest.raises(ParameterError, match="CSI_APP_SAMPLE_SIZE must be a whole number"):
        sample_size_setting()
    monkeypatch.setenv("CSI_ENGINE_MIN_ROWS", "1000")
    assert is_large_store("postgresql+psycopg2://h/db", 1000) and not is_large_store("postgresql://h/db", 999)
    assert not is_large_store("sqlite:///x.sqlite", 10**7)


def test_counts_frame_repeats_each_combination_n_times(flagship):
    # 2 complained on jd, 1 did not (no channel), 3 skipped the question on tmall:
    # the share is 2 of the 3 who answered
    from csi.drivers.complaints import complaint_rate
    from csi.engines.facts import counts_frame

    counts = pd.DataFrame({"cc1": [1.0, 0.0, None], "channel": ["jd", None, "tmall"], "n": [2, 1, 3]})
    got = counts_frame(counts, flagship)
    assert got["cc1"].dtype == np.float64 and len(got) == 6
    assert got["channel"].isna().tolist() == [False, False, True, False, False, False]
    assert got["channel"].dropna().tolist() == ["jd", "jd", "tmall", "tmall", "tmall"]
    r = complaint_rate(flagship, got).iloc[0]
    assert (r["n"], r["complaints"], r["rate"]) == (3, 2, 2 / 3)
