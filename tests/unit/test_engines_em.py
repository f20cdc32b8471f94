"""fit_grouped(missing=...) on the engines: the listwise-drop warning, and EM from per-pattern
moments equal to csi.fit(missing="em") on each group's rows (the in-memory EM)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import csi
from csi.engines.grouped import fit_grouped
from csi.errors import MissingDataWarning, ParameterError


@pytest.fixture(scope="module")
def frame(flagship):
    from csi.simulate import simulate_responses

    df, _ = simulate_responses(flagship, n=3000, seed=7)
    rng = np.random.default_rng(3)
    return df.assign(shop=rng.choice(["s0", "s1", "s2"], len(df)))


def _em_rows_fit(survey, rows):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return csi.fit(survey, rows, n_boot=0, missing="em")


def test_listwise_warns_when_more_than_5_percent_dropped(flagship, frame):
    from csi.simulate import simulate_responses

    with pytest.warns(MissingDataWarning, match=r"dropped.*missing='em'"):
        res = fit_grouped(flagship, frame, by="shop", n_boot=0)
    assert res.info["rows_used"] < 0.95 * res.info["rows_read"]  # the simulated skips and don't-knows
    assert res.info["rows_read"] == len(frame)
    complete, _ = simulate_responses(flagship, n=500, seed=2, dont_know_rate=0.0, skip_rate=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingDataWarning)
        ok = fit_grouped(flagship, complete, n_boot=0)  # nothing dropped: silent
    assert ok.info["rows_used"] == len(complete)


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_em_groups_equal_in_memory_em(flagship, frame, engine, request):
    if engine == "duckdb":
        request.getfixturevalue("duckdb_engine_ok")
    res = fit_grouped(flagship, frame, by="shop", engine=engine, n_boot=0, missing="em")
    assert res.info["missing"] == "em" and res.info["rows_used"] == len(frame)
    ref = _em_rows_fit(flagship, frame)
    for tab, col in (("path_coefficients", "estimate"), ("index", "score"), ("r2", "r2")):
        np.testing.assert_allclose(getattr(res.pooled, tab)[col], getattr(ref, tab)[col], atol=1e-6, err_msg=tab)
    for key in ("s0", "s2"):
        g = _em_rows_fit(flagship, frame[frame["shop"] == key])
        np.testing.assert_allclose(res.groups[key].index["score"], g.index["score"], atol=1e-6)
        np.testing.assert_allclose(res.groups[key].path_coefficients["estimate"], g.path_coefficients["estimate"],
                                   atol=1e-6)
        assert res.groups[key].n_obs == (frame["shop"] == key).sum()


def test_em_bucket_cis_are_close_to_listwise_widths_on_complete_data(flagship):
    # without missing answers EM is the complete-data estimate, so the EM bucket bootstrap
    # must give the listwise bucket bootstrap's intervals (same buckets, same counts)
    from csi.simulate import simulate_responses

    df, _ = simulate_responses(flagship, n=4000, seed=5, dont_know_rate=0.0, skip_rate=0.0)
    df = df.assign(shop=np.where(np.arange(len(df)) % 2, "a", "b"))
    lw = fit_grouped(flagship, df, by="shop", n_boot=200, buckets=100, seed=1)
    em = fit_grouped(flagship, df, by="shop", n_boot=200, buckets=100, seed=1, missing="em")
    for key in ("a", "b"):
        np.testing.assert_allclose(em.groups[key].index["score"], lw.groups[key].index["score"], atol=1e-8)
        np.testing.assert_allclose(em.groups[key].index["se"], lw.groups[key].index["se"], rtol=1e-5)
        np.testing.assert_allclose(em.groups[key].path_coefficients["ci_low"],
                                   lw.groups[key].path_coefficients["ci_low"], atol=1e-6)
    # the pooled fit too: EM on every resample of all buckets, the listwise pooled draw
    for tab, col in (("index", "se"), ("index", "ci_high"), ("path_coefficients", "ci_low")):
        got, ref = getattr(em.pooled, tab)[col], getattr(lw.pooled, tab)[col]
        assert np.isfinite(got).all(), tab
        np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-6, err_msg=f"{tab}.{col}")


def test_pooled_em_has_cis_on_missing_data(flagship, frame):
    res = fit_grouped(flagship, frame, by="shop", n_boot=60, buckets=50, seed=2, missing="em")
    idx = res.pooled.index
    assert np.isfinite(idx["se"]).all() and (idx["se"] > 0).all()
    assert ((idx["ci_low"] < idx["score"]) & (idx["score"] < idx["ci_high"])).all()
    # pooled intervals are narrower than a third of the rows' (each shop's) intervals
    assert (idx["se"].to_numpy() < res.groups["s0"].index["se"].to_numpy()).all()


@pytest.mark.slow
def test_bucket_em_ci_widths_match_the_row_level_em_bootstrap(flagship):
    # issue 15: the bucket bootstrap of EM (per-(bucket, pattern) moments, EM on every
    # resample) against the row bootstrap of in-memory EM (csi.fit(missing="em")), on one
    # simulated sample with the simulator's skips and don't-knows (MAR by construction).
    from csi.simulate import simulate_responses

    df, _ = simulate_responses(flagship, n=20_000, seed=11)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = csi.fit(flagship, df, n_boot=300, missing="em", random_state=4)
        buck = fit_grouped(flagship, df, n_boot=300, buckets=500, seed=4, missing="em")
    np.testing.assert_allclose(buck.pooled.index["score"], rows.index["score"], atol=1e-6)
    ratios = []
    for tab in ("index", "path_coefficients"):
        r, b = getattr(rows, tab), getattr(buck.pooled, tab)
        ratios.append((b["ci_high"] - b["ci_low"]).to_numpy() / (r["ci_high"] - r["ci_low"]).to_numpy())
    ratios = np.concatenate(ratios)
    # B = 300 each: a width's Monte-Carlo error is ~5%, so single ratios spread; their median
    # must be within 10% of 1 and none off by more than 35%
    assert abs(np.median(ratios) - 1) < 0.10, ratios
    assert (np.abs(ratios - 1) < 0.35).all(), ratios


def test_missing_policy_is_checked(flagship, frame):
    with pytest.raises(ParameterError, match="'missing' parameter"):
        fit_grouped(flagship, frame, missing="pairwise")


def test_em_skips_small_groups_by_answered_respondents(flagship, frame):
    df = pd.concat([frame, frame.head(5).assign(shop="tiny")], ignore_index=True)
    df["respondent_id"] = [f"r{i}" for i in range(len(df))]
    res = fit_grouped(flagship, df, by="shop", n_boot=0, missing="em")
    assert "tiny" in res.skipped and "at least one item answered" in res.skipped["tiny"]


def test_cli_engine_missing_em(flagship_path, frame, duckdb_engine_ok, tmp_path):
    import json

    from typer.testing import CliRunner

    from csi.cli.main import app

    src, out = tmp_path / "r.parquet", tmp_path / "o.json"
    frame.to_parquet(src)
    args = ["estimate", str(flagship_path), "--engine", "duckdb", "--source", str(src), "--by", "shop",
            "--boot", "0", "--json", str(out)]
    r = CliRunner().invoke(app, [*args, "--missing", "em"])
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text())
    assert doc["info"]["missing"] == "em" and doc["info"]["rows_used"] == len(frame)
    r = CliRunner().invoke(app, [*args, "--missing", "pairwise"])
    assert r.exit_code == 2 and "--missing listwise (default) or em" in r.output
