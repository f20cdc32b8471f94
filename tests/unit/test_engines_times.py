"""``between=`` on Parquet timestamps as pandas and pyarrow write them, on every file engine.

pandas writes ``datetime64[ns]`` columns as Parquet ``INT64 TIMESTAMP(NANOS)``: a naive column
with ``isAdjustedToUTC=false`` (wall-clock values, which csi reads as UTC), a tz-aware one with
``isAdjustedToUTC=true`` (UTC instants). Spark cannot read nanosecond timestamps as timestamps
(it reads the integers, ``spark.sql.legacy.parquet.nanosAsLong``) and interprets naive ones in
its session time zone. The filtered counts and moments must be the same on pandas, DuckDB and
Spark, and equal the rows pandas keeps by comparing the instants themselves.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from csi.engines.grouped import fit_grouped
from csi.engines.query import MomentsSpec
from csi.engines.run import cell_moments
from csi.errors import DataError

pytestmark = pytest.mark.filterwarnings("ignore::csi.errors.MissingDataWarning")

LO = dt.datetime(2026, 2, 1, 10, 0, tzinfo=dt.UTC)
HI = dt.datetime(2026, 3, 1, 0, 0, 0, 250_000, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def stamped(flagship):
    """Simulated responses with ``naive`` (datetime64[ns]) and ``aware`` (Asia/Shanghai) times
    spread over Jan-Apr 2026, some exactly on the bounds and one microsecond either side, and
    sub-microsecond parts elsewhere."""
    from csi.simulate import simulate_responses

    df, _ = simulate_responses(flagship, n=1500, seed=21, dont_know_rate=0.0, skip_rate=0.0)
    rng = np.random.default_rng(5)
    start = np.datetime64("2026-01-01T00:00:00", "ns")
    t = start + rng.integers(0, 120 * 86_400 * 10**9, len(df)).astype("timedelta64[ns]")
    edge = []
    for bound in (LO, HI):
        b = np.datetime64(bound.replace(tzinfo=None), "ns")
        edge += [b - np.timedelta64(1000, "ns"), b, b + np.timedelta64(1000, "ns")]
    t[:len(edge)] = edge
    naive = pd.Series(t, index=df.index).astype("datetime64[ns]")
    assert (naive.dt.nanosecond != 0).mean() > 0.9  # nanoseconds that a seconds reading would garble
    return df.assign(naive=naive, aware=naive.dt.tz_localize("UTC").dt.tz_convert("Asia/Shanghai"),
                     shop=rng.choice(["a", "b", "c"], len(df)))


def _expected(frame, col) -> int:
    ts = frame[col]
    ts = ts.dt.tz_localize("UTC") if ts.dt.tz is None else ts.dt.tz_convert("UTC")
    return int(((ts >= pd.Timestamp(LO)) & (ts < pd.Timestamp(HI))).sum())


def _moments(flagship, engine, source, col, **kw):
    spec = flagship.to_model()
    items = tuple(spec.items[i] for i in spec.item_ids)
    ms = MomentsSpec.make(items, by=("shop",), between={col: (LO, HI.isoformat())})
    return cell_moments(engine, source, ms, **kw)


def test_parquet_schema_is_what_pandas_writes(stamped, tmp_path):
    import pyarrow.parquet as pq

    path = tmp_path / "t.parquet"
    stamped.to_parquet(path)
    schema = pq.ParquetFile(path).schema
    for col, utc in (("naive", "false"), ("aware", "true")):
        text = str(schema.column(schema.names.index(col)).logical_type)
        assert "nanoseconds" in text.lower() and f"isAdjustedToUTC={utc}" in text.replace(" ", "")


@pytest.mark.parametrize("col", ["naive", "aware"])
def test_duckdb_between_on_ns_timestamps_equals_pandas(flagship, stamped, duckdb_engine_ok, tmp_path, col):
    path = tmp_path / "t.parquet"
    stamped.to_parquet(path)
    want = _expected(stamped, col)
    assert 0 < want < len(stamped)
    a = _moments(flagship, "pandas", stamped, col)
    b = _moments(flagship, "duckdb", str(path), col)
    assert int(a.n_obs.sum()) == int(b.n_obs.sum()) == want
    np.testing.assert_allclose(b.tri, a.tri, rtol=0, atol=1e-9)


@pytest.mark.spark
@pytest.mark.parametrize("col", ["naive", "aware"])
def test_spark_between_on_ns_timestamps_equals_duckdb_and_pandas(flagship, stamped, spark, duckdb_engine_ok,
                                                                  tmp_path, col):
    path = tmp_path / "t.parquet"
    stamped.to_parquet(path)
    want = _expected(stamped, col)
    a = _moments(flagship, "pandas", stamped, col)
    d = _moments(flagship, "duckdb", str(path), col)
    s = _moments(flagship, "spark", str(path), col)
    assert int(s.n_obs.sum()) == int(d.n_obs.sum()) == int(a.n_obs.sum()) == want
    for other in (d, a):
        assert list(s.keys["shop"]) == list(other.keys["shop"])
        np.testing.assert_array_equal(s.n_obs, other.n_obs)
        np.testing.assert_allclose(s.sums, other.sums, rtol=0, atol=1e-9)
        np.testing.assert_allclose(s.tri, other.tri, rtol=0, atol=1e-9)
    # the whole fit too, and from a DataFrame handed to Spark (naive times are UTC there as well)
    kw = {"by": "shop", "n_boot": 0, "between": {col: (LO, HI)}}
    fs, fa = fit_grouped(flagship, str(path), engine="spark", **kw), fit_grouped(flagship, stamped, **kw)
    ff = fit_grouped(flagship, stamped, engine="spark", **kw)
    assert fs.info["rows_read"] == fa.info["rows_read"] == ff.info["rows_read"] == want
    np.testing.assert_allclose(fs.pooled.index["score"], fa.pooled.index["score"], rtol=0, atol=1e-9)


@pytest.mark.spark
def test_spark_session_time_zone_is_utc_even_if_set_before(spark):
    from csi.engines.spark_engine import spark_session

    spark.conf.set("spark.sql.session.timeZone", "America/New_York")
    assert spark_session().conf.get("spark.sql.session.timeZone") == "UTC"


@pytest.mark.spark
def test_spark_between_on_a_number_column_is_a_clear_error(flagship, stamped, spark, tmp_path):
    # the integer nanoseconds of a file whose schema csi cannot see are not compared with a date
    path = tmp_path / "t.parquet"
    stamped.assign(naive=stamped["naive"].astype("int64")).to_parquet(path)
    with pytest.raises(DataError, match=r"column 'naive' is a number in Spark \(long\).*not a date or time"):
        _moments(flagship, "spark", str(path), "naive")
