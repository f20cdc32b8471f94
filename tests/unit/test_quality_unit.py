"""Hand-computed reliability and validity measures on tiny matrices."""

from __future__ import annotations

import numpy as np
import pytest

from csi.estimate.pls.algorithm import ModelArrays
from csi.estimate.quality.measurement import ave, cronbach_alpha, htmt, rho_c, srmr, vif
from csi.survey.model import ModelSpec


def test_cronbach_alpha_from_a_4x3_matrix():
    # items (4 respondents x 3 items):
    #   [1,2,2],[2,2,3],[3,4,3],[4,4,4]   -> all item pairs correlate; standardized alpha
    x = np.array([[1, 2, 2], [2, 2, 3], [3, 4, 3], [4, 4, 4]], dtype=float)
    r = np.corrcoef(x, rowvar=False)
    # centred: x1 [-1.5,-.5,.5,1.5], x2 [-1,-1,1,1], x3 [-1,0,0,1]
    # r12 = 4/sqrt(5*4) = .894427, r13 = 3/sqrt(5*2) = .948683, r23 = 2/sqrt(4*2) = .707107
    # sum(R) = 3 + 2*2.550217 = 8.100434; alpha = 3/2 * (1 - 3/8.100434) = 0.944474
    assert cronbach_alpha(r) == pytest.approx(0.944474, abs=1e-6)


def test_alpha_two_items():
    # 2/(2-1) * (1 - 2/(2 + 2*.6)) = 2 * (1 - .625) = .75
    assert cronbach_alpha(np.array([[1, .6], [.6, 1]])) == pytest.approx(0.75)
    assert cronbach_alpha(np.ones((1, 1))) == 1.0


def test_rho_c_and_ave():
    lam = np.array([0.8, 0.7, 0.6])
    # (sum l)^2 = 2.1^2 = 4.41; sum(1 - l^2) = .36 + .51 + .64 = 1.51 -> 4.41/5.92 = .744932
    assert rho_c(lam) == pytest.approx(4.41 / 5.92)
    # AVE = (.64 + .49 + .36)/3 = .496667
    assert ave(lam) == pytest.approx(1.49 / 3)


def test_htmt_hand_computed():
    # blocks a = {a1, a2}, b = {b1, b2}; within a: .6, within b: .4; between all .3
    # HTMT = .3 / sqrt(.6 * .4) = .3 / .489898 = .612372
    r = np.array([
        [1, .6, .3, .3],
        [.6, 1, .3, .3],
        [.3, .3, 1, .4],
        [.3, .3, .4, 1],
    ])
    ma = ModelArrays.from_model(ModelSpec.from_blocks({"a": ["a1", "a2"], "b": ["b1", "b2"]}, [("a", "b")]))
    assert htmt(r[None], ma, [(0, 1)])[0, 0] == pytest.approx(0.3 / np.sqrt(0.24))


def test_vif():
    # two predictors correlated .6: VIF = 1/(1 - .36) = 1.5625
    np.testing.assert_allclose(vif(np.array([[1, .6], [.6, 1]])), [1.5625, 1.5625])
    assert vif(np.ones((1, 1))).tolist() == [1.0]


def test_srmr_zero_when_model_reproduces_correlations():
    # one-factor blocks with loadings .8/.8 and .7/.7, construct correlation .5:
    # implied r(a1,a2) = .64, r(b1,b2) = .49, between = .8*.5*.7 = .28 -> residuals all 0
    r = np.array([
        [1, .64, .28, .28],
        [.64, 1, .28, .28],
        [.28, .28, 1, .49],
        [.28, .28, .49, 1],
    ])
    ma = ModelArrays.from_model(ModelSpec.from_blocks({"a": ["a1", "a2"], "b": ["b1", "b2"]}, [("a", "b")]))
    c = np.array([[1, .5], [.5, 1]])
    assert srmr(r, c, np.array([.8, .8, .7, .7]), ma) == pytest.approx(0.0, abs=1e-12)
