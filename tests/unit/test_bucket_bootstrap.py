"""Bucket bootstrap (csi.estimate.resample.buckets) against the row bootstrap.

- one respondent per bucket, same draws: exactly the row bootstrap (to rounding);
- N = 100,000 simulated flagship responses, 500 buckets: interval widths as the row bootstrap's
  (median ratio within 10%; each statistic's own ratio is noisy by about sqrt(2 / G) = 6%);
- 95% coverage over 200 samples from a simulated population (design-based: samples of 2,000
  drawn without replacement from 200,000 simulated respondents; the target is the PLS estimate
  on the whole population). These two are recovery tests on our simulator, marked slow.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import csi
from csi.engines.grouped import fit_grouped
from csi.estimate.resample.bootstrap import _per_respondent_terms, bootstrap_moments
from csi.estimate.resample.buckets import bootstrap_buckets


def test_one_respondent_per_bucket_is_the_row_bootstrap(flagship):
    from csi.estimate.fit import _stat_fn
    from csi.estimate.pls.model import PLSPathModel
    from csi.simulate import simulate_responses

    df, _ = simulate_responses(flagship, n=400, seed=5, dont_know_rate=0.0, skip_rate=0.0)
    est = PLSPathModel().fit(flagship.to_model(), df)
    x = est._item_values()
    fn = _stat_fn(est)
    rows = bootstrap_moments(x, None, est.arrays_, fn, n_boot=150, seed=9, chunk_size=150, n_jobs=1)
    FT, shift, _ = _per_respondent_terms(x, None)
    buckets = bootstrap_buckets(FT, shift, fn, n_boot=150, seed=9)
    assert rows.n_valid == buckets.n_valid == 150
    for key in ("paths", "index", "weights", "r2"):
        np.testing.assert_allclose(buckets.replicates[key], rows.replicates[key], rtol=0, atol=1e-9)


def _widths(res):
    return np.concatenate([(res.index["ci_high"] - res.index["ci_low"]).to_numpy(),
                           (res.path_coefficients["ci_high"] - res.path_coefficients["ci_low"]).to_numpy()])


@pytest.mark.slow
def test_bucket_widths_match_row_bootstrap_at_100k(flagship):
    from csi.simulate import simulate_responses

    df, _ = simulate_responses(flagship, n=100_000, seed=21)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = csi.fit(flagship, df, n_boot=1000, seed=1, missing="listwise")  # the engines are listwise
    buck = fit_grouped(flagship, df, engine="pandas", n_boot=1000, buckets=500, seed=1).pooled
    np.testing.assert_allclose(buck.path_coefficients["estimate"], rows.path_coefficients["estimate"], atol=1e-9)
    ratio = _widths(buck) / _widths(rows)
    assert 0.9 <= np.median(ratio) <= 1.1, ratio
    assert np.all((ratio > 0.75) & (ratio < 1.3)), ratio


@pytest.mark.slow
def test_bucket_bootstrap_coverage(flagship):
    from csi.simulate import simulate_responses

    pop, _ = simulate_responses(flagship, n=200_000, seed=33, dont_know_rate=0.0, skip_rate=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        truth = csi.fit(flagship, pop, n_boot=0)
    target = np.concatenate([truth.index["score"], truth.path_coefficients["estimate"]])
    rng = np.random.default_rng(2)
    hits = []
    for r in range(200):
        sample = pop.iloc[rng.choice(len(pop), size=2000, replace=False)]
        res = fit_grouped(flagship, sample, engine="pandas", n_boot=300, buckets=500, seed=r).pooled
        lo = np.concatenate([res.index["ci_low"], res.path_coefficients["ci_low"]])
        hi = np.concatenate([res.index["ci_high"], res.path_coefficients["ci_high"]])
        hits.append((lo <= target) & (target <= hi))
    coverage = np.mean(hits)
    assert 0.93 <= coverage <= 0.97, coverage
