"""Invariants of the driver statistics on random data (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from csi.drivers.ipma import quadrants
from csi.drivers.relative_importance import relative_weights, shapley_r2
from csi.drivers.repurchase import auc_delong, wilson_interval


def _data(seed: int, p: int, n: int = 40):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) @ rng.uniform(-1, 1, (p, p)) + rng.standard_normal((n, p))
    y = X @ rng.uniform(-1, 1, p) + rng.standard_normal(n)
    return pd.DataFrame(X, columns=[f"x{i}" for i in range(p)]), pd.Series(y)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), p=st.integers(1, 5))
def test_weights_are_nonnegative_and_sum_to_r2(seed, p):
    X, y = _data(seed, p)
    Z = np.column_stack([np.ones(len(X)), X.to_numpy()])
    resid = y - Z @ np.linalg.lstsq(Z, y, rcond=None)[0]
    r2 = 1 - resid.var() / y.var()
    rw = relative_weights(X, y)
    lmg = shapley_r2(X, y)
    assert (rw["raw_weight"] >= -1e-12).all() and (lmg["lmg"] >= -1e-12).all()
    assert np.isclose(rw["raw_weight"].sum(), r2, atol=1e-9)
    assert np.isclose(lmg["lmg"].sum(), r2, atol=1e-9)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), p=st.integers(2, 5), data=st.data())
def test_permuting_and_rescaling_predictors(seed, p, data):
    X, y = _data(seed, p)
    order = data.draw(st.permutations(list(X.columns)))
    scale = data.draw(st.floats(0.1, 10))
    base = relative_weights(X, y).set_index("predictor")["raw_weight"]
    moved = relative_weights(X[order] * scale + 3, y).set_index("predictor")["raw_weight"]
    np.testing.assert_allclose(moved[base.index], base, atol=1e-10)
    lb = shapley_r2(X, y).set_index("predictor")["lmg"]
    lm = shapley_r2(X[order] * scale + 3, y).set_index("predictor")["lmg"]
    np.testing.assert_allclose(lm[lb.index], lb, atol=1e-10)


@settings(max_examples=50, deadline=None)
@given(imp=st.lists(st.floats(0.0, 2.0), min_size=2, max_size=8), data=st.data())
def test_quadrants_follow_their_cuts(imp, data):
    perf = data.draw(st.lists(st.floats(0, 100), min_size=len(imp), max_size=len(imp)))
    labels, icut, pcut = quadrants(np.array(imp), np.array(perf))
    for i, p, lab in zip(imp, perf, labels, strict=True):
        important = i >= icut
        high = p >= pcut
        assert lab == {(True, False): "fix first", (True, True): "keep up",
                       (False, False): "low priority", (False, True): "possible overkill"}[(important, high)]


@settings(max_examples=50, deadline=None)
@given(k=st.integers(0, 50), extra=st.integers(1, 50))
def test_wilson_contains_the_proportion(k, extra):
    n = k + extra
    lo, hi = wilson_interval(k, n)
    assert 0 <= lo <= k / n <= hi <= 1


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_auc_is_rank_based(seed):
    rng = np.random.default_rng(seed)
    y = np.r_[np.zeros(10), np.ones(10)]
    p = rng.random(20)
    auc = auc_delong(y, p)[0]
    assert auc_delong(y, np.exp(3 * p))[0] == auc  # monotone transforms leave it unchanged
    assert np.isclose(auc_delong(y, -p)[0], 1 - auc)
    assert auc == np.mean([[a > b for b in p[y == 0]] for a in p[y == 1]])
