"""PatternLikelihood: the one casewise normal likelihood behind complete-data ML and FIML."""

from __future__ import annotations

import numpy as np
import pytest

from csi.estimate.cbsem.likelihood import PatternLikelihood
from csi.estimate.missing.patterns import PatternMoments


def _data(seed=0, n=200, p=5, share=0.15):
    rng = np.random.default_rng(seed)
    L = rng.normal(size=(p, p)) * 0.4 + np.eye(p)
    x = rng.normal(size=(n, p)) @ L.T + 3.0
    x[rng.random((n, p)) < share] = np.nan
    x[np.isnan(x).all(axis=1), 0] = 3.0
    return x


def _brute_force(x, sigma, mu):
    """-2 logL (no 2 pi) summed row by row over each row's observed items."""
    f = 0.0
    for row in x:
        o = ~np.isnan(row)
        S = sigma[np.ix_(o, o)]
        r = row[o] - mu[o]
        f += np.linalg.slogdet(S)[1] + r @ np.linalg.solve(S, r)
    return f


def test_value_equals_the_row_by_row_likelihood():
    x = _data()
    pm, _ = PatternMoments.from_arrays(x, list("abcde"), center=np.full(5, 2.5))
    lik = PatternLikelihood(pm.masks, pm.n, pm.sums, pm.cross)
    rng = np.random.default_rng(1)
    A = rng.normal(size=(5, 5))
    sigma = A @ A.T + 2 * np.eye(5)
    mu = rng.normal(size=5) + 3.0
    assert lik.value(sigma, mu - pm.center) == pytest.approx(_brute_force(x, sigma, mu), rel=1e-12)
    bad = sigma.copy()
    bad[0, 0] = -1.0
    assert lik.value(bad, mu - pm.center) == np.inf


def test_complete_case_is_the_ml_discrepancy():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(50, 4))
    S = np.cov(x, rowvar=False, bias=True)
    sigma = S + 0.3 * np.eye(4)
    F = np.linalg.slogdet(sigma)[1] + np.trace(S @ np.linalg.inv(sigma)) - np.linalg.slogdet(S)[1] - 4
    assert PatternLikelihood.complete(S).value(sigma) - np.linalg.slogdet(S)[1] - 4 == pytest.approx(F, abs=1e-12)


def test_gradient_and_information_against_differences():
    x = _data(seed=3)
    pm, _ = PatternMoments.from_arrays(x, list("abcde"))
    lik = PatternLikelihood(pm.masks, pm.n, pm.sums, pm.cross)
    rng = np.random.default_rng(4)
    A = rng.normal(size=(5, 5))
    sigma = A @ A.T + 2 * np.eye(5)
    d = rng.normal(size=5) * 0.1
    f, G, gmu, invs = lik.gradient(sigma, d)
    assert f == pytest.approx(lik.value(sigma, d), rel=1e-14)
    h = 1e-6
    for i, j in [(0, 0), (1, 3), (4, 2)]:
        E = np.zeros((5, 5))
        E[i, j] = E[j, i] = h
        num = (lik.value(sigma + E, d) - lik.value(sigma - E, d)) / (2 * h)
        assert num == pytest.approx(G[i, j] * (1 if i == j else 2), rel=1e-5)
    e = np.zeros(5)
    e[2] = h
    assert (lik.value(sigma, d + e) - lik.value(sigma, d - e)) / (2 * h) == pytest.approx(gmu[2], rel=1e-5)
    # information: sum_k n_k tr(inv D_a inv D_b), here against a per-pattern loop
    D = np.stack([np.eye(5), np.outer(A[0], A[0]), np.ones((5, 5))])
    H, Hmu = lik.information(D, invs, means=True)
    ref = np.zeros((3, 3))
    ref_mu = np.zeros((5, 5))
    for k, mk in enumerate(pm.masks):
        o = np.flatnonzero(mk)
        inv = np.linalg.inv(sigma[np.ix_(o, o)])
        Ds = [inv @ Da[np.ix_(o, o)] for Da in D]
        ref += pm.n[k] * np.array([[np.trace(a @ b) for b in Ds] for a in Ds])
        ref_mu[np.ix_(o, o)] += 2 * pm.n[k] * inv
    np.testing.assert_allclose(H, ref, rtol=1e-12)
    np.testing.assert_allclose(Hmu, ref_mu, rtol=1e-12)
