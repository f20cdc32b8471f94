"""The moments query on every engine equals the pandas path (csi.fit on the rows) to 1e-9.

Data: responses drawn by ``csi.simulate`` from the flagship survey (known population), with
its "don't know" codes and skipped answers, plus a ``shop`` column and positive weights.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

import csi
from csi.engines.grouped import fit_grouped
from csi.engines.query import MomentsSpec, bucket_of
from csi.engines.run import cell_moments
from csi.errors import DataError

TOL = 1e-9

# the simulated frame has skipped and don't-know answers: listwise fits drop > 5% and warn
# (tests/unit/test_engines_em.py checks the warning)
pytestmark = pytest.mark.filterwarnings("ignore::csi.errors.MissingDataWarning")


@pytest.fixture(scope="module")
def frame(flagship):
    from csi.simulate import simulate_responses

    df, _ = simulate_responses(flagship, n=3000, seed=7)
    rng = np.random.default_rng(3)
    return df.assign(shop=rng.choice([f"s{i:02d}" for i in range(6)], len(df)),
                     wt=rng.uniform(0.5, 2.0, len(df)))


def _rows_fit(survey, rows, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return csi.fit(survey, rows, n_boot=0, **({"missing": "listwise"} | kw))  # the engines are listwise


def _assert_same(a, b, tol=TOL):
    for tab, col in (("path_coefficients", "estimate"), ("weights", "estimate"), ("loadings", "estimate"),
                     ("index", "score"), ("r2", "r2")):
        x, y = getattr(a, tab)[col].to_numpy(), getattr(b, tab)[col].to_numpy()
        np.testing.assert_allclose(x, y, rtol=0, atol=tol, err_msg=tab)


def test_cells_are_hand_computable():
    # 4 rows, 2 items on a 1-5 scale, one group: centre = the scale midpoints (3, 3);
    # deviations (-2, -1, 0, 1) and (-1, 1, -1, 1): sums -2 and 0
    from csi.survey.model import ItemSpec

    df = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 4, 2, 4], "respondent_id": list("wxyz")})
    spec = MomentsSpec.make((ItemSpec("a", 1, 5), ItemSpec("b", 1, 5)))
    c = cell_moments("pandas", df, spec)
    assert c.n.tolist() == [4.0] and c.center.tolist() == [[3.0, 3.0]]
    assert c.sums.tolist() == [[-2.0, 0.0]]
    # q00 = 4+1+0+1 = 6; q01 = 2-1+0+1 = 2; q11 = 1+1+1+1 = 4 (exact: multiples of 1/4)
    assert c.tri.tolist() == [[6.0, 2.0, 4.0]]
    rev = cell_moments("pandas", df, MomentsSpec.make((ItemSpec("a", 1, 5, reverse=True), ItemSpec("b", 1, 5))))
    assert rev.sums.tolist() == [[2.0, 0.0]] and rev.tri.tolist() == [[6.0, -2.0, 4.0]]  # a -> 6 - a


def test_pandas_engine_equals_rows_fit_pooled_and_per_group(flagship, frame):
    res = fit_grouped(flagship, frame, by="shop", engine="pandas", n_boot=0)
    _assert_same(res.pooled, _rows_fit(flagship, frame))
    for key in ("s00", "s05"):
        _assert_same(res.groups[key], _rows_fit(flagship, frame[frame["shop"] == key]))
    w = fit_grouped(flagship, frame, by="shop", engine="pandas", n_boot=0, weights="wt")
    _assert_same(w.pooled, _rows_fit(flagship, frame, weights="wt"))


def test_duckdb_equals_pandas_with_bucket_cis(flagship, frame, duckdb_engine_ok, tmp_path):
    path = tmp_path / "r.parquet"
    frame.to_parquet(path)
    kw = {"by": ("shop", "wave"), "n_boot": 60, "buckets": 50, "seed": 4, "weights": "wt"}
    a = fit_grouped(flagship, frame, engine="pandas", **kw)
    b = fit_grouped(flagship, str(path), engine="duckdb", **kw)
    assert list(a.groups) == list(b.groups) and len(a.groups) == 24
    _assert_same(a.pooled, b.pooled)
    for key in a.groups:
        _assert_same(a.groups[key], b.groups[key])
        # same buckets, same seeds: the same bootstrap
        np.testing.assert_allclose(a.groups[key].index["ci_low"], b.groups[key].index["ci_low"], atol=TOL)
    _assert_same(b.groups[("s01", "2026Q2")],
                 _rows_fit(flagship, frame[(frame.shop == "s01") & (frame.wave == "2026Q2")], weights="wt"))


@pytest.mark.spark
def test_spark_equals_pandas(flagship, frame, spark, tmp_path):
    path = tmp_path / "r.parquet"
    frame.to_parquet(path)
    kw = {"by": "shop", "n_boot": 30, "buckets": 40, "seed": 1}
    a = fit_grouped(flagship, frame, engine="pandas", **kw)
    b = fit_grouped(flagship, str(path), engine="spark", **kw)
    _assert_same(a.pooled, b.pooled)
    for key in a.groups:
        _assert_same(a.groups[key], b.groups[key])
        np.testing.assert_allclose(a.groups[key].index["ci_high"], b.groups[key].index["ci_high"], atol=TOL)


@pytest.mark.postgres
def test_postgres_store_equals_pandas(flagship, frame, postgres_url):
    from _store_helpers import pg_schema_url

    from csi.store import open_store

    with pg_schema_url(postgres_url) as url:
        store = open_store(url)
        store.import_frame(flagship, frame.drop(columns=["shop", "wt"]), source_name="sim.csv", file_hash="h1")
        rows = store.responses_frame(flagship)
        res = fit_grouped(flagship, url, by="channel", engine="postgres", n_boot=20, buckets=30, seed=2)
        ref = fit_grouped(flagship, rows, by="channel", engine="pandas", n_boot=20, buckets=30, seed=2)
        _assert_same(res.pooled, _rows_fit(flagship, rows))
        for key in ref.groups:
            _assert_same(res.groups[key], _rows_fit(flagship, rows[rows["channel"] == key]))
            np.testing.assert_allclose(res.groups[key].index["se"], ref.groups[key].index["se"], atol=TOL)
        filt = fit_grouped(flagship, url, engine="postgres", n_boot=0, where={"wave": ["2026Q1", "2026Q2"]})
        _assert_same(filt.pooled, _rows_fit(flagship, rows[rows["wave"].isin(["2026Q1", "2026Q2"])]))


def test_pattern_moments_equal_numpy(flagship, frame, duckdb_engine_ok):
    from csi.engines.patterns import pattern_moments
    from csi.estimate.prepare import prepare_data

    spec = flagship.to_model()
    sub = frame[frame["shop"].isin(["s00", "s01"])]
    got_pd = pattern_moments(flagship, sub, by="shop", engine="pandas", weights="wt")
    got_dd = pattern_moments(flagship, sub, by="shop", engine="duckdb", weights="wt")
    for key in ("s00", "s01"):
        rows = sub[sub["shop"] == key]
        x = prepare_data(spec, rows, missing="pairwise").items.to_numpy()
        w = rows["wt"].to_numpy()
        obs = ~np.isnan(x)
        centre = np.array([(spec.items[i].scale_min + spec.items[i].scale_max) / 2 for i in spec.item_ids])
        code = (obs * (1 << np.arange(x.shape[1]))).sum(axis=1)
        for pm in (got_pd[key], got_dd[key]):
            np.testing.assert_allclose(pm.center, centre, atol=1e-12)
            assert len(pm.n) == len(np.unique(code)) > 1  # several patterns in the simulated data
            for k, mask in enumerate(pm.masks):
                sel = code == int((mask * (1 << np.arange(len(mask)))).sum())
                d = np.where(obs[sel], x[sel] - centre, 0.0)
                np.testing.assert_allclose(pm.n[k], w[sel].sum(), rtol=1e-12)
                np.testing.assert_allclose(pm.sums[k], w[sel] @ d, atol=1e-9)
                np.testing.assert_allclose(pm.cross[k], (d * w[sel, None]).T @ d, atol=1e-9)


def test_thousand_groups_in_one_query_and_small_groups_skipped(flagship, duckdb_engine_ok):
    from csi.simulate import simulate_responses

    df, _ = simulate_responses(flagship, n=40_000, seed=11, dont_know_rate=0.0, skip_rate=0.0)
    shops = np.repeat(np.arange(1000), 40)
    shops[:3] = 5000  # a shop with 3 respondents
    df = df.assign(shop=shops.astype(str))
    res = fit_grouped(flagship, df, by="shop", engine="duckdb", n_boot=0)
    assert res.info["passes"] == 1 and len(res.n_obs) == 1001
    assert res.min_n == 30 and "5000" in res.skipped and "minimum is 30" in res.skipped["5000"]
    assert "5000" not in res.groups and len(res.groups) + len(res.skipped) == 1001
    few = fit_grouped(flagship, df, by="shop", engine="duckdb", n_boot=0, min_n=41)
    assert len(few.groups) == 0 and len(few.skipped) == 1001  # never fitted below the minimum


def test_bucketed_query_in_passes_equals_one_pass(flagship, frame, monkeypatch):
    import csi.engines.run as run

    one = fit_grouped(flagship, frame, by="shop", engine="pandas", n_boot=20, buckets=25, seed=3)
    monkeypatch.setattr(run, "PASS_BYTES", 20_000)  # forces several partitions of the shops
    many = fit_grouped(flagship, frame, by="shop", engine="pandas", n_boot=20, buckets=25, seed=3)
    assert many.info["passes"] > 1
    _assert_same(one.pooled, many.pooled)
    for key in one.groups:
        np.testing.assert_allclose(one.groups[key].index["se"], many.groups[key].index["se"], atol=TOL)


def test_bucket_hash_is_the_documented_md5():
    import hashlib

    h = hashlib.md5(b"R00001:0").hexdigest()
    assert bucket_of("R00001", 0, 500) == int(h[:7], 16) % 500


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_bad_input_names_source_and_column(flagship, frame, engine, duckdb_engine_ok, tmp_path):
    bad = frame.copy()
    bad.loc[bad.index[5], "pq2"] = 42.0
    src = tmp_path / "bad.parquet"
    bad.to_parquet(src)
    with pytest.raises(DataError, match=r"bad.parquet: column 'pq2' has 1 value\(s\) outside its scale"):
        fit_grouped(flagship, str(src), engine=engine, n_boot=0)
    with pytest.raises(DataError, match=r"no column\(s\) nope"):
        fit_grouped(flagship, str(src), engine=engine, by="nope", n_boot=0)
    neg = frame.assign(wt=-1.0)
    neg.to_parquet(src)
    with pytest.raises(DataError, match=r"weight column 'wt' has 3000 missing, zero or negative"):
        fit_grouped(flagship, str(src), engine=engine, weights="wt", n_boot=0)


def test_cli_estimate_engine_writes_groups_and_skips(flagship_path, frame, duckdb_engine_ok, tmp_path):
    from typer.testing import CliRunner

    from csi.cli.main import app

    src = tmp_path / "r.parquet"
    shops = frame["shop"].where(frame.index >= 20, "tiny")  # a shop of 20 respondents
    frame.assign(shop=shops).to_parquet(src)
    out = tmp_path / "o.json"
    r = CliRunner().invoke(app, ["estimate", str(flagship_path), "--engine", "duckdb", "--source", str(src),
                                 "--by", "shop", "--boot", "20", "--buckets", "30", "--json", str(out)])
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text())
    assert {"pooled", "groups", "skipped"} <= set(doc)
    assert [g["key"]["shop"] for g in doc["groups"]] == [f"s{i:02d}" for i in range(6)]
    assert [s["key"]["shop"] for s in doc["skipped"]] == ["tiny"] and doc["skipped"][0]["n_obs"] < 30
    first = doc["groups"][0]["index"][0]
    assert first["ci_low"] < first["score"] < first["ci_high"]
    r = CliRunner().invoke(app, ["estimate", str(flagship_path), "--engine", "duckdb", "--source",
                                 str(tmp_path / "missing.parquet"), "--json", str(out)])
    assert r.exit_code == 2 and "missing.parquet: no such file" in r.output


@pytest.mark.postgres
def test_dashboard_store_fits_equal_fit_by_wave(flagship, frame, postgres_url):
    from _store_helpers import pg_schema_url

    from csi.estimate.waves import fit_by_wave, trend_table
    from csi.report.engine_fits import store_fits_by_wave
    from csi.report.filters import Filters, filter_frame
    from csi.store import open_store

    with pg_schema_url(postgres_url) as url:
        store = open_store(url)
        store.import_frame(flagship, frame.drop(columns=["shop", "wt"]), source_name="sim.csv", file_hash="h2")
        stored = store.responses_frame(flagship)
        days = sorted(pd.to_datetime(stored["submitted_at"]).dt.date.unique())
        filt = Filters(segment=("channel", "jd"), date_range=(days[len(days) // 5], days[-len(days) // 5]))
        rows = filter_frame(stored, filt)
        assert 0 < len(rows) < len(stored)
        ref = fit_by_wave(flagship, rows, n_boot=0, missing="listwise")  # the engine fits are listwise
        got = store_fits_by_wave(flagship, url, filt, n_boot=20, buckets=40)
        a, b = trend_table(ref.groups), trend_table(got.groups)
        assert a["wave"].tolist() == b["wave"].tolist()
        np.testing.assert_allclose(a["score"], b["score"], atol=TOL)
        assert (b["ci_low"] < b["score"]).all()
        _assert_same(ref.pooled, got.pooled)


def test_sample_rows_is_seeded_and_the_same_on_duckdb(frame, duckdb_engine_ok, tmp_path):
    from csi.engines.sample import sample_rows

    path = tmp_path / "r.parquet"
    frame.to_parquet(path)
    a = sample_rows(frame, ["shop", "pq1"], engine="pandas", fraction=0.1, seed=5)
    b = sample_rows(str(path), ["shop", "pq1"], engine="duckdb", fraction=0.1, seed=5)
    assert 200 < len(a) < 400  # about 10% of 3000
    assert sorted(a["respondent_id"]) == sorted(b["respondent_id"])
    c = sample_rows(frame, ["shop"], engine="pandas", fraction=0.1, seed=6)
    assert set(c["respondent_id"]) != set(a["respondent_id"])
    assert {"pq1"}.isdisjoint(c.columns) and "shop" in c.columns


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_between_keeps_the_sidebar_date_range_as_filter_frame(flagship, frame, engine, request, tmp_path):
    import datetime as dt

    from csi.report.engine_fits import filters_to_between, filters_to_where
    from csi.report.filters import Filters, filter_frame

    source = frame
    if engine == "duckdb":
        request.getfixturevalue("duckdb_engine_ok")
        source = tmp_path / "r.parquet"
        frame.to_parquet(source)
    days = pd.to_datetime(frame["submitted_at"]).dt.date
    uniq = sorted(days.unique())
    lo, hi = uniq[len(uniq) // 4], uniq[len(uniq) // 2]
    filt = Filters(date_range=(lo, hi), segment=("channel", "jd"))
    assert filters_to_between(filt) == {"submitted_at": (lo.isoformat(), (hi + dt.timedelta(days=1)).isoformat())}
    rows = filter_frame(frame, filt)
    assert 0 < len(rows) < len(frame) and pd.to_datetime(rows["submitted_at"]).dt.date.max() == hi  # end inclusive
    got = fit_grouped(flagship, source, engine=engine, n_boot=0, where=filters_to_where(filt),
                      between=filters_to_between(filt))
    assert got.info["rows_read"] == len(rows)
    _assert_same(got.pooled, _rows_fit(flagship, rows))


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_between_compares_instants_not_text(flagship, frame, engine, request, tmp_path):
    # a timestamp column (not ISO text), a bound with a time and a UTC offset: DuckDB's text
    # form of a timestamp ("2026-02-01 12:00:00") sorts before the bound's ISO text
    # ("2026-02-01T10:00:00"), so a text comparison kept the wrong rows on the boundary day
    stamps = pd.to_datetime(frame["submitted_at"])
    mid = stamps.sort_values().iloc[len(stamps) // 2]
    lo_utc = mid.floor("D") + pd.Timedelta(hours=10)
    source = frame.assign(submitted_at=stamps)
    if engine == "duckdb":
        request.getfixturevalue("duckdb_engine_ok")
        source = tmp_path / "r.parquet"
        frame.assign(submitted_at=stamps).to_parquet(source)
    bound = (lo_utc + pd.Timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S") + "+02:00"  # = lo_utc in UTC
    got = fit_grouped(flagship, source, engine=engine, n_boot=0, between={"submitted_at": (bound, None)})
    assert got.info["rows_read"] == int((stamps >= lo_utc).sum())
    aware = frame.assign(submitted_at=stamps.dt.tz_localize("UTC").dt.tz_convert("Asia/Shanghai"))
    got2 = fit_grouped(flagship, aware, n_boot=0, between={"submitted_at": (lo_utc.to_pydatetime(), None)})
    assert got2.info["rows_read"] == got.info["rows_read"]  # naive bound = UTC; aware column compared in UTC


def test_between_rejects_a_bad_bound_by_column(flagship, frame):
    from csi.errors import ParameterError

    with pytest.raises(ParameterError, match=r"between\['submitted_at'\]: '2026-13-45' is not a date or time"):
        fit_grouped(flagship, frame, n_boot=0, between={"submitted_at": ("2026-13-45", None)})
    with pytest.raises(ParameterError, match=r"between\['submitted_at'\] must be a \(low, high\) pair"):
        fit_grouped(flagship, frame, n_boot=0, between={"submitted_at": "2026-01-01"})
    with pytest.raises(ParameterError, match="one bound is a date or time, the other a number"):
        fit_grouped(flagship, frame, n_boot=0, between={"submitted_at": ("2026-01-01", 5)})


@pytest.mark.parametrize("missing", ["listwise", "em"])
def test_duckdb_staged_passes_equal_pandas_in_one_pass(flagship, frame, duckdb_engine_ok, monkeypatch, tmp_path,
                                                       missing):
    # many groups x buckets: DuckDB stages the rows split by pass (csi.engines.staging) and
    # runs the moments query on each pass's rows; a NULL shop is a group, the filter and the
    # weights apply as in one pass
    import csi.engines.run as run
    from csi.engines.duckdb_engine import DuckDBSource

    data = frame.assign(shop=frame["shop"].where(frame["shop"] != "s03", None))
    path = tmp_path / "r.parquet"
    data.to_parquet(path)
    kw = {"by": "shop", "n_boot": 20, "buckets": 25, "seed": 3, "missing": missing,
          "where": {"channel": ["jd", "tmall"]}, "weights": "wt" if missing == "listwise" else None}
    one = fit_grouped(flagship, data, engine="pandas", **kw)
    staged = []
    real = DuckDBSource.staged_passes

    def spy(self, spec, passes):
        staged.append(len(passes))
        yield from real(self, spec, passes)

    monkeypatch.setattr(DuckDBSource, "staged_passes", spy)
    monkeypatch.setattr(run, "PASS_BYTES", 20_000)  # several passes of the shops
    many = fit_grouped(flagship, str(path), engine="duckdb", **kw)
    assert many.info["passes"] > 1 and staged == [many.info["passes"]]
    assert many.info["rows_read"] == one.info["rows_read"] < len(data)
    _assert_same(one.pooled, many.pooled)
    assert list(many.groups) == list(one.groups) and None in many.groups
    for key, fit in one.groups.items():
        for col in ("score", "se", "ci_low", "ci_high"):
            np.testing.assert_allclose(many.groups[key].index[col], fit.index[col], rtol=0, atol=TOL, err_msg=col)
