"""Hand-computed 0-100 index values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi.estimate.index.scaling import (
    index_means,
    index_scores,
    to_index_scale,
    unstandardized_weights,
)
from csi.estimate.pls.algorithm import ModelArrays
from csi.survey.model import ModelSpec


def test_to_index_scale_1_10():
    # 1 -> 0, 10 -> 100, 5.5 -> 50 (theoretical bounds, not the sample's)
    np.testing.assert_allclose(to_index_scale([1, 10, 5.5], 1, 10), [0, 100, 50])


def _ma():
    return ModelArrays.from_model(
        ModelSpec.from_blocks({"a": ["a1", "a2"], "b": ["b1"]}, [("a", "b")], scale=(1, 10))
    )


def test_unstandardized_weights_and_index():
    ma = _ma()
    # standardized weights .6 and .5 with item SDs 2 and 1: u = .3, .5 -> normalized .375, .625
    W = np.zeros((1, 3, 2))
    W[0, 0, 0], W[0, 1, 0], W[0, 2, 1] = 0.6, 0.5, 1.0
    sd = np.array([[2.0, 1.0, 3.0]])
    u = unstandardized_weights(W, sd, ma)
    np.testing.assert_allclose(u[0], [0.375, 0.625, 1.0])
    # item means 7 and 4: score = .375*7 + .625*4 = 5.125 -> (5.125 - 1)/9*100 = 45.8333
    # b: mean 10 -> 100
    idx = index_means(u, np.array([[7.0, 4.0, 10.0]]), ma)
    np.testing.assert_allclose(idx[0], [412.5 / 9, 100.0])


def test_index_scores_per_respondent():
    ma = _ma()
    u = np.array([0.5, 0.5, 1.0])
    x = np.array([[1.0, 1.0, 10.0], [10.0, 10.0, 1.0], [4.0, 7.0, 5.5]])
    # row 3: a = (4 + 7)/2 = 5.5 -> 50; b = 5.5 -> 50
    np.testing.assert_allclose(index_scores(x, u, ma), [[0, 100], [100, 0], [50, 50]])


def test_index_on_fit_with_reverse_item():
    # reverse item r1 on 1-5 is recoded 6 - x before the index is built
    from csi.estimate.pls.model import PLSPathModel

    rng = np.random.default_rng(3)
    z = rng.normal(size=200)
    a = np.clip(np.round(3 + z[:, None] + rng.normal(size=(200, 2)) * .7), 1, 5)
    b = np.clip(np.round(3 + .5 * z[:, None] + rng.normal(size=(200, 2)) * .7), 1, 5)
    df = pd.DataFrame({"a1": a[:, 0], "r1": 6 - a[:, 1], "b1": b[:, 0], "b2": b[:, 1]})
    m = ModelSpec.from_blocks({"a": ["a1", "r1"], "b": ["b1", "b2"]}, [("a", "b")],
                              scale=(1, 5), reverse=["r1"])
    est = PLSPathModel().fit(m, df)
    assert (est.outer_weights_["estimate"] > 0).all()
    u = est.unstandardized_weights_.set_index("item")["estimate"]
    assert u["a1"] + u["r1"] == pytest.approx(1.0)
    s = est.index_scores_
    assert s.to_numpy().min() >= 0 and s.to_numpy().max() <= 100
    assert s["a"].mean() == pytest.approx(est.index_.set_index("construct")["score"]["a"])
