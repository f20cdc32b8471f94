"""Stratified bootstrap (``fit(strata=...)``) and the joint pooled + per-stratum fit (``fit_strata``)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import csi
from csi.errors import ParameterError

MODEL = """
Q =~ q1 + q2 + q3
V =~ v1 + v2
S =~ s1 + s2 + s3
V ~ Q
S ~ Q + V
"""
ITEMS = ["q1", "q2", "q3", "v1", "v2", "s1", "s2", "s3"]


def _data(sizes=(240, 180, 300), seed=0) -> pd.DataFrame:
    """Three waves; satisfaction drifts up from wave to wave (1-7 scale)."""
    rng = np.random.default_rng(seed)
    parts = []
    for w, n in enumerate(sizes):
        q = rng.normal(size=n)
        v = 0.5 * q + rng.normal(scale=0.8, size=n)
        s = 0.4 * q + 0.3 * v + 0.3 * w + rng.normal(scale=0.7, size=n)
        lat = {"q": q, "v": v, "s": s}
        cols = {i: np.clip(np.round(4 + 1.2 * lat[i[0]] + 0.7 * rng.normal(size=n)), 1, 7) for i in ITEMS}
        parts.append(pd.DataFrame(cols).assign(wave=f"2026Q{w + 1}"))
    return pd.concat(parts, ignore_index=True)


def _quiet(fn, *a, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*a, **kw)


@pytest.fixture(scope="module")
def data():
    return _data()


@pytest.fixture(scope="module")
def joint(data):
    return _quiet(csi.fit_strata, MODEL, data, "wave", scale=(1, 7), n_boot=300, seed=11)


def test_point_estimates_are_the_plain_fits(data, joint):
    pooled = _quiet(csi.fit, MODEL, data, scale=(1, 7), n_boot=0)
    # equal to rounding: a point fit runs the compiled or the numpy iteration depending on
    # whether a bootstrap has loaded numba in this process yet (~1e-15 apart)
    np.testing.assert_allclose(joint.pooled.path_coefficients["estimate"],
                               pooled.path_coefficients["estimate"], rtol=1e-12)
    assert list(joint.groups) == ["2026Q1", "2026Q2", "2026Q3"] and not joint.skipped
    for w, res in joint.groups.items():
        alone = _quiet(csi.fit, MODEL, data[data["wave"] == w], scale=(1, 7), n_boot=0)
        np.testing.assert_allclose(res.index["score"], alone.index["score"], rtol=1e-12)
        assert res.n_obs == alone.n_obs


def test_each_stratum_is_bootstrapped_like_a_fit_of_its_own_rows(data, joint):
    # stratum g draws from child g of default_rng(seed).spawn(G): the same draws as a plain
    # fit of the stratum seeded with that child (even sizes: no half-used 64-bit draw)
    children = np.random.default_rng(11).spawn(3)
    for (w, res), child in zip(joint.groups.items(), children, strict=True):
        alone = _quiet(csi.fit, MODEL, data[data["wave"] == w], scale=(1, 7), n_boot=300, seed=child)
        for table in ("index", "path_coefficients", "loadings", "htmt"):
            a, b = getattr(res, table), getattr(alone, table)
            for col in ("se", "ci_low", "ci_high"):
                if col in a:
                    np.testing.assert_allclose(a[col], b[col], rtol=1e-9, atol=1e-10, err_msg=f"{w} {table} {col}")


def test_fit_with_strata_is_the_joint_pooled_fit(data, joint):
    res = _quiet(csi.fit, MODEL, data, scale=(1, 7), n_boot=300, seed=11, strata="wave")
    pd.testing.assert_frame_equal(res.index, joint.pooled.index)
    pd.testing.assert_frame_equal(res.path_coefficients, joint.pooled.path_coefficients)
    plain = _quiet(csi.fit, MODEL, data, scale=(1, 7), n_boot=300, seed=11)
    assert not np.allclose(plain.index["se"], res.index["se"])  # different resamples


def test_strata_keep_their_size_in_every_resample():
    # item q1 is 2 in one stratum and 6 in the other: its mean is the same in every
    # stratified resample, so the single-item construct's index has no bootstrap spread
    rng = np.random.default_rng(3)
    n = 200
    df = pd.DataFrame({"q1": np.r_[np.full(n, 2.0), np.full(n, 6.0)],
                       "s1": np.clip(np.round(4 + rng.normal(size=2 * n)), 1, 6),
                       "s2": np.clip(np.round(4 + rng.normal(size=2 * n)), 1, 7),
                       "g": np.repeat(["a", "b"], n)})
    df["s1"] += (df["q1"] > 3)  # some relation so the model is not degenerate
    lav = "Q =~ q1\nS =~ s1 + s2\nS ~ Q"
    strat = _quiet(csi.fit, lav, df, scale=(1, 7), n_boot=200, seed=1, strata="g")
    plain = _quiet(csi.fit, lav, df, scale=(1, 7), n_boot=200, seed=1)
    se = strat.index.set_index("construct")["se"]
    assert se["Q"] < 1e-9
    assert plain.index.set_index("construct").loc["Q", "se"] > 0.5


def test_a_stratum_too_small_to_fit_is_skipped_and_still_resampled():
    df = _data(sizes=(240, 4, 300))
    res = _quiet(csi.fit_strata, MODEL, df, "wave", scale=(1, 7), n_boot=100, seed=2)
    assert list(res.groups) == ["2026Q1", "2026Q3"]
    assert "2026Q2" in res.skipped and res.skipped["2026Q2"]
    assert res.pooled.n_obs == 544 and res.pooled.extra["bootstrap"]["n_valid"] > 90


def test_rows_without_a_stratum_count_in_the_pooled_fit_only(data):
    df = data.copy()
    df.loc[df.index[:50], "wave"] = None
    res = _quiet(csi.fit_strata, MODEL, df, "wave", scale=(1, 7), n_boot=50, seed=2)
    assert res.pooled.n_obs == len(df)
    assert res.groups["2026Q1"].n_obs == 190


def test_bad_arguments_are_parameter_errors(data):
    with pytest.raises(ParameterError, match="missing"):
        csi.fit_strata(MODEL, data, "wave", scale=(1, 7), missing="pairwise")
    for n_boot in (0, 10):
        with pytest.raises(ParameterError, match="'nope'"):
            csi.fit(MODEL, data, scale=(1, 7), n_boot=n_boot, strata="nope")
    with pytest.raises(ParameterError, match="labels"):
        csi.fit(MODEL, data, scale=(1, 7), n_boot=10, strata=["a", "b"])
    with pytest.raises(ParameterError, match="method='pls'"):
        csi.fit(MODEL, data, scale=(1, 7), method="cbsem", strata="wave")
    with pytest.raises(csi.CsiError):  # not a DataFrame: the usual data error, not a traceback
        csi.fit_strata(MODEL, data.to_numpy(), "wave", scale=(1, 7))


def test_duplicate_row_labels_are_fine(data):
    twice = pd.concat([data.iloc[:300], data.iloc[:300]])  # index 0..299 twice
    res = _quiet(csi.fit_strata, MODEL, twice, "wave", scale=(1, 7), n_boot=50, seed=1)
    assert res.pooled.n_obs == 600 and res.groups["2026Q1"].n_obs == 480


def test_dashboard_fit_by_wave(data):
    from csi.estimate.waves import fit_by_wave, trend_table

    survey = csi.parse_lavaan(MODEL, scale=(1, 7))
    fits = fit_by_wave(survey, data, n_boot=100, seed=0)
    trend = trend_table(fits.groups)
    assert sorted(trend["wave"].unique()) == ["2026Q1", "2026Q2", "2026Q3"]
    s = trend[trend["construct"] == "S"].set_index("wave")["score"]
    assert s.is_monotonic_increasing  # the simulated drift
    one = data[data["wave"] == "2026Q2"]
    single = fit_by_wave(survey, one, n_boot=50, seed=0)  # one wave: the plain fit
    plain = _quiet(csi.fit, survey, one, n_boot=50, seed=0)
    pd.testing.assert_frame_equal(single.pooled.index, plain.index)
    assert single.groups["2026Q2"] is single.pooled


def test_bca_intervals_for_the_pooled_fit_and_each_stratum(data):
    res = _quiet(csi.fit_strata, MODEL, data, "wave", scale=(1, 7), n_boot=200, seed=4, ci="bca")
    for r in [res.pooled, *res.groups.values()]:
        idx = r.index
        assert np.isfinite(idx[["ci_low", "ci_high"]].to_numpy()).all()
        assert (idx["ci_low"] <= idx["score"]).all() and (idx["score"] <= idx["ci_high"]).all()
    # BCa moves the percentile interval: the acceleration comes from each stratum's own jackknife
    pct = _quiet(csi.fit_strata, MODEL, data, "wave", scale=(1, 7), n_boot=200, seed=4)
    assert not np.allclose(res.groups["2026Q2"].index["ci_low"], pct.groups["2026Q2"].index["ci_low"])


def test_waves_that_cannot_be_fitted_are_listed_with_the_reason():
    """A wave of 4 respondents cannot be fitted: it is listed in ``skipped`` with fit's own
    error message (never dropped without a word), by the per-wave and by the joint fit."""
    from csi.errors import CsiError
    from csi.estimate.waves import fit_by_wave, index_by_wave

    survey = csi.parse_lavaan(MODEL, scale=(1, 7))
    data = _data(sizes=(240, 4, 300))
    with pytest.raises(CsiError) as direct:
        _quiet(csi.fit, survey, data[data["wave"] == "2026Q2"], n_boot=0)
    trend = index_by_wave(survey, data, n_boot=0)
    assert sorted(trend.table["wave"].unique()) == ["2026Q1", "2026Q3"]
    assert trend.skipped == {"2026Q2": str(direct.value)}
    joint = fit_by_wave(survey, data, n_boot=20, seed=0)
    assert sorted(joint.groups) == ["2026Q1", "2026Q3"] and list(joint.skipped) == ["2026Q2"]


def test_dashboard_point_pass_is_the_bootstrapped_fit_without_cis(data):
    """The Overview draws ``fit_by_wave(n_boot=0)`` first and the bootstrapped fit over it: every
    point estimate it draws (index, paths, per-respondent scores and weights, used by what to fix
    first) must be the bootstrapped fit's, with missing answers (EM) too."""
    from csi.estimate.waves import fit_by_wave, trend_table

    holes = data.copy()
    holes.loc[::7, "q2"] = np.nan
    holes.loc[3::11, "s1"] = np.nan
    survey = csi.parse_lavaan(MODEL, scale=(1, 7))
    quick = fit_by_wave(survey, holes, n_boot=0, seed=0)
    full = fit_by_wave(survey, holes, n_boot=60, seed=0)
    assert quick.pooled.missing["policy"] == "em" and quick.pooled.missing == full.pooled.missing
    for a, b in ((quick.pooled, full.pooled), *zip(quick.groups.values(), full.groups.values(), strict=True)):
        np.testing.assert_allclose(a.index["score"], b.index["score"], rtol=1e-12)
        np.testing.assert_allclose(a.path_coefficients["estimate"], b.path_coefficients["estimate"], rtol=1e-12)
        np.testing.assert_allclose(a.scores.to_numpy(), b.scores.to_numpy(), rtol=1e-12)
        np.testing.assert_allclose(a.weights["estimate"], b.weights["estimate"], rtol=1e-12)
        assert a.n_obs == b.n_obs
    assert quick.pooled.index["ci_low"].isna().all() and full.pooled.index["ci_low"].notna().all()
    q, f = trend_table(quick.groups), trend_table(full.groups)
    pd.testing.assert_frame_equal(q[["wave", "construct", "n_obs"]], f[["wave", "construct", "n_obs"]])
