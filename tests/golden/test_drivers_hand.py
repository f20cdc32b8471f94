"""Driver statistics against values worked out by hand (the reasoning is in the comments).

Provenance: every reference value below is derived analytically in this file; the data are
constructed so that the sample moments equal the stated ones exactly. A published relative-
weights example (Johnson 2000, Table 1) could not be reproduced because its raw inputs are
not published in full; the two-predictor closed form below is used instead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi.drivers.impacts import impacts_from_scores
from csi.drivers.ipma import ipma_table, total_effects_from_scores
from csi.drivers.relative_importance import relative_weights, shapley_r2


def exact_corr_data(R: np.ndarray, n: int = 60, seed: int = 0) -> np.ndarray:
    """n x k data whose sample correlation matrix is exactly R (whitened noise x chol(R)')."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, len(R)))
    z -= z.mean(axis=0)
    L = np.linalg.cholesky(np.cov(z, rowvar=False))
    w = z @ np.linalg.inv(L).T  # sample covariance exactly I
    return w @ np.linalg.cholesky(R).T


class TestRelativeWeightsTwoPredictors:
    # R_xx = [[1, .6], [.6, 1]], r_xy = (.5, .3).
    # Eigen: 1 +- .6 with vectors (1, 1)/sqrt2, (1, -1)/sqrt2, so
    # L = R^(1/2) = [[p, q], [q, p]] with p = (sqrt1.6 + sqrt.4)/2 = .948683 (p^2 = .9),
    # q = (sqrt1.6 - sqrt.4)/2 = .316228 (q^2 = .1); det L = .8.
    # b = L^-1 r_xy = ((p .5 - q .3), (p .3 - q .5)) / .8 = (.474342, .158114): b^2 = (.225, .025).
    # raw_1 = p^2 .225 + q^2 .025 = .205; raw_2 = q^2 .225 + p^2 .025 = .045; sum .25.
    # R^2 = r' R^-1 r = (.25 + .09 - 2 * .6 * .15) / .64 = .25.
    # LMG: lmg_1 = (r1^2 + (R^2 - r2^2)) / 2 = (.25 + .16) / 2 = .205; lmg_2 = (.09 + 0) / 2 = .045.
    R = np.array([[1.0, 0.6, 0.5], [0.6, 1.0, 0.3], [0.5, 0.3, 1.0]])

    @pytest.fixture
    def xy(self):
        d = exact_corr_data(self.R)
        return pd.DataFrame(d[:, :2], columns=["x1", "x2"]), pd.Series(d[:, 2])

    def test_raw_weights(self, xy):
        rw = relative_weights(*xy)
        np.testing.assert_allclose(rw["raw_weight"], [0.205, 0.045], atol=1e-10)
        np.testing.assert_allclose(rw["rescaled_weight"], [0.82, 0.18], atol=1e-10)

    def test_lmg(self, xy):
        lmg = shapley_r2(*xy)
        np.testing.assert_allclose(lmg["lmg"], [0.205, 0.045], atol=1e-10)

    def test_equal_predictors_equal_shares(self):
        # x1, x2 exchangeable: equal validities .4 and both .2 with x3 (validity .1)
        R = np.array([[1, .5, .2, .4], [.5, 1, .2, .4], [.2, .2, 1, .1], [.4, .4, .1, 1]])
        d = exact_corr_data(R, n=80, seed=3)
        X, y = pd.DataFrame(d[:, :3], columns=["a", "b", "c"]), pd.Series(d[:, 3])
        rw = relative_weights(X, y)["raw_weight"].to_numpy()
        lmg = shapley_r2(X, y)["lmg"].to_numpy()
        assert rw[0] == pytest.approx(rw[1], abs=1e-12)
        assert lmg[0] == pytest.approx(lmg[1], abs=1e-12)
        # R^2 = r' R^-1 r
        r2 = R[3, :3] @ np.linalg.solve(R[:3, :3], R[3, :3])
        assert rw.sum() == pytest.approx(r2, abs=1e-12)
        assert lmg.sum() == pytest.approx(r2, abs=1e-12)


class TestIPMAHandExample:
    # Six respondents, 0-100 scores. a = 0..50. b = 20 + .5 a + e_b with e_b = (5,-5,0,0,-5,5),
    # orthogonal to 1 and a, so OLS gives b ~ a: .5 exactly. c = 10 + .4 a + .6 b + e_c with e_c
    # orthogonal to 1, a and b, so c ~ a + b gives (.4, .6) exactly.
    # Total effects on c: a: .4 + .5 * .6 = .7; b: .6. Performance: means of a and b.
    a = np.array([0.0, 10, 20, 30, 40, 50])
    e_b = np.array([5.0, -5, 0, 0, -5, 5])

    @pytest.fixture
    def scores(self):
        b = 20 + 0.5 * self.a + self.e_b
        Z = np.column_stack([np.ones(6), self.a, b])
        e = np.array([1.0, -2, 0, 3, -1, 2])
        e_c = e - Z @ np.linalg.lstsq(Z, e, rcond=None)[0]
        c = 10 + 0.4 * self.a + 0.6 * b + e_c
        return pd.DataFrame({"a": self.a, "b": b, "c": c})

    def test_total_effects(self, scores):
        te = total_effects_from_scores(scores, [("a", "b"), ("a", "c"), ("b", "c")])
        got = te.set_index(["source", "target"])["total_effect"]
        assert got[("a", "b")] == pytest.approx(0.5, abs=1e-10)
        assert got[("a", "c")] == pytest.approx(0.7, abs=1e-10)
        assert got[("b", "c")] == pytest.approx(0.6, abs=1e-10)

    def test_ipma_table(self, scores):
        items = pd.DataFrame({"a1": [0.0, 20, 20, 40, 40, 60], "a2": [0.0, 6.6666667, 20, 26.666667, 40, 46.666667]})
        weights = pd.DataFrame({"construct": ["a", "a"], "item": ["a1", "a2"], "weight": [0.25, 0.75]})
        t = ipma_table(scores, [("a", "b"), ("a", "c"), ("b", "c")], "c", items=items,
                       item_weights=weights, n_boot=0)
        con = t[t["level"] == "construct"].set_index("name")
        assert con.loc["a", "importance"] == pytest.approx(0.7, abs=1e-10)
        assert con.loc["b", "importance"] == pytest.approx(0.6, abs=1e-10)
        assert con.loc["a", "performance"] == pytest.approx(25.0)
        assert con.loc["b", "performance"] == pytest.approx(32.5)  # (25+20+30+35+35+50)/6
        # cuts: mean importance .65; importance-weighted performance (.7*25 + .6*32.5)/1.3 = 28.4615
        # a: .7 >= .65 and 25 < 28.46 -> fix first; b: .6 < .65 and 32.5 >= 28.46 -> possible overkill
        assert con.loc["a", "quadrant"] == "fix first"
        assert con.loc["b", "quadrant"] == "possible overkill"
        it = t[t["level"] == "item"].set_index("name")
        assert it.loc["a1", "importance"] == pytest.approx(0.7 * 0.25)
        assert it.loc["a2", "importance"] == pytest.approx(0.7 * 0.75)
        assert it.loc["a1", "performance"] == pytest.approx(30.0)

    def test_impacts_are_five_times_total_effects(self, scores):
        imp = impacts_from_scores(scores, [("a", "b"), ("a", "c"), ("b", "c")], "c", n_boot=0)
        got = imp.set_index("driver")["impact"]
        assert got["a"] == pytest.approx(3.5) and got["b"] == pytest.approx(3.0)

    def test_bootstrap_ci_contains_estimate(self, scores):
        big = pd.concat([scores] * 20, ignore_index=True)
        big["c"] = big["c"] + np.tile(np.linspace(-1, 1, 20), 6)
        t = ipma_table(big, [("a", "b"), ("a", "c"), ("b", "c")], "c", n_boot=200, seed=1)
        assert (t["importance_ci_low"] <= t["importance"]).all()
        assert (t["importance"] <= t["importance_ci_high"]).all()
