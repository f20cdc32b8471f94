"""Fit indices of csi's CB-SEM on hand-computed 2x2 cases (lavaan's conventions)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import chi2 as chi2_dist
from scipy.stats import ncx2

from csi.estimate.cbsem.fit_indices import (
    FIT_KEYS,
    baseline_chi2,
    fit_indices,
    ml_discrepancy,
    rmsea_ci,
    srmr,
)

S = np.array([[1.0, 0.5], [0.5, 1.0]])


def test_discrepancy_zero_at_perfect_fit():
    assert ml_discrepancy(S, S) == 0.0


def test_discrepancy_independence():
    # F = log|I| + tr(S) - log|S| - p = 0 + 2 - log(0.75) - 2 = -log(0.75)
    assert ml_discrepancy(S, np.eye(2)) == pytest.approx(-math.log(0.75), abs=1e-12)


def test_baseline_uses_diagonal_of_s_and_p_choose_2_df():
    # diag(S) = (4, 1), corr .5: chi2_0 = N (log 4 + log 1 - log(4 * 0.75)) = -N log 0.75
    s = np.array([[4.0, 1.0], [1.0, 1.0]])
    c, df = baseline_chi2(s, 200)
    assert c == pytest.approx(-200 * math.log(0.75), abs=1e-9)
    assert df == 1
    assert baseline_chi2(np.eye(5), 10)[1] == 10  # 5 * 4 / 2


def test_srmr_on_correlations_lower_triangle_with_diagonal():
    # residual correlations: diag 0, off-diagonal 0.5 -> sqrt(0.25 / 3)
    assert srmr(S, np.eye(2)) == pytest.approx(math.sqrt(0.25 / 3), abs=1e-12)
    # scale-free: the same on covariances with SDs 2 and 3
    d = np.diag([2.0, 3.0])
    assert srmr(d @ S @ d, d @ d) == pytest.approx(math.sqrt(0.25 / 3), abs=1e-12)


def test_independence_model_indices():
    # Sigma = I, N = 100, 2 free parameters (the two variances): df = 3 - 2 = 1 and
    # chi2 = chi2_0 = -100 log(0.75) = 28.768207, so CFI = TLI = 0 and
    # RMSEA = sqrt((28.768207 - 1) / (100 * 1)) = 0.526956.
    f = fit_indices(S, np.eye(2), 100, 2)
    assert f["chi2"] == pytest.approx(28.768207, abs=1e-6)
    assert f["df"] == 1.0
    assert f["p_value"] == pytest.approx(math.erfc(math.sqrt(28.768207 / 2)), rel=1e-5)
    assert f["cfi"] == pytest.approx(0.0, abs=1e-12)
    assert f["tli"] == pytest.approx(0.0, abs=1e-12)
    assert f["rmsea"] == pytest.approx(0.526956, abs=1e-6)
    assert f["srmr"] == pytest.approx(0.288675, abs=1e-6)
    assert set(FIT_KEYS) <= set(f)


def test_perfect_fit_indices():
    # chi2 = 0 < df: CFI = 1, RMSEA = 0, TLI = chi2_0 / (chi2_0 - 1) > 1 (not truncated)
    f = fit_indices(S, S, 100, 2)
    b = -100 * math.log(0.75)
    assert f["chi2"] == 0.0
    assert f["cfi"] == 1.0
    assert f["tli"] == pytest.approx(b / (b - 1), abs=1e-12)
    assert f["rmsea"] == 0.0 and f["rmsea_ci_low"] == 0.0
    assert f["srmr"] == 0.0


def test_saturated_model_has_nan_rmsea_and_tli():
    f = fit_indices(S, S, 100, 3)
    assert f["df"] == 0.0 and f["cfi"] == 1.0
    assert math.isnan(f["rmsea"]) and math.isnan(f["tli"]) and math.isnan(f["p_value"])


@pytest.mark.parametrize("chi2,df,n", [(108.04, 69, 500), (250.0, 40, 300), (30.0, 10, 150)])
def test_rmsea_ci_inverts_the_noncentral_chi2(chi2, df, n):
    lo, hi = rmsea_ci(chi2, df, n)
    lam_lo, lam_hi = lo**2 * n * df, hi**2 * n * df
    assert lo < math.sqrt(max(chi2 - df, 0) / (n * df)) < hi
    assert ncx2.cdf(chi2, df, lam_hi) == pytest.approx(0.05, abs=1e-8)
    if lam_lo > 0:
        assert ncx2.cdf(chi2, df, lam_lo) == pytest.approx(0.95, abs=1e-8)
    else:
        assert chi2_dist.cdf(chi2, df) < 0.95


def test_rmsea_ci_lower_bound_zero_when_chi2_small():
    lo, hi = rmsea_ci(5.0, 10, 100)
    assert lo == 0.0 and hi > 0
