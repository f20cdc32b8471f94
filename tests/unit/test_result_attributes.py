"""Typed result attributes and what a result was fitted on (issue 12)."""

from __future__ import annotations

import warnings
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import csi
from csi.estimate.moments import CHUNK_ROWS as MOMENT_ROWS
from csi.estimate.moments import compute_moments
from csi.estimate.pls import effects as fx
from csi.estimate.pls.algorithm import ModelArrays
from csi.estimate.pls.model import PLSPathModel
from csi.estimate.pls.scores import CHUNK_ROWS as SCORE_ROWS
from csi.estimate.pls.scores import linear_scores
from csi.estimate.quality import measurement as q
from csi.estimate.results import IndexResult

ROOT = Path(__file__).resolve().parents[2]
TYPED = ("effects", "f2", "vif_outer", "vif_inner", "cross_loadings", "fornell_larcker",
         "construct_correlations")
LAV = "Q =~ q1 + q2 + q3\nS =~ s1 + s2\nL =~ l1 + l2\nS ~ Q\nL ~ Q + S"


def _data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    q_ = rng.normal(size=n)
    s = 0.6 * q_ + 0.8 * rng.normal(size=n)
    lat = {"q": q_, "s": s, "l": 0.3 * q_ + 0.5 * s + 0.7 * rng.normal(size=n)}
    cols = {f"{c}{i}": lat[c] + 0.6 * rng.normal(size=n) for c, k in (("q", 3), ("s", 2), ("l", 2))
            for i in range(1, k + 1)}
    return pd.DataFrame({k: np.clip(np.round(4 + 1.2 * v), 1, 7) for k, v in cols.items()})


def test_typed_tables_are_dataclass_fields_none_without_an_estimate():
    names = {f.name for f in fields(IndexResult)}
    assert set(TYPED) | {"survey", "model", "options"} <= names
    bare = IndexResult("cbsem", 10)
    assert all(getattr(bare, t) is None for t in TYPED) and bare.survey is None


def test_pls_result_tables_are_the_attributes_and_extra_names_the_same_objects():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = csi.fit(LAV, _data(), scale=(1, 7), n_boot=0)
    for t in TYPED:
        assert isinstance(getattr(res, t), pd.DataFrame)
        assert res.extra[t] is getattr(res, t)
    # f² from one inverse equals refitting each reduced regression; VIFs their pseudo-inverse
    est = PLSPathModel().fit(csi.parse_lavaan(LAV, scale=(1, 7)), _data())
    ma, C = est.arrays_, est.stats_["C"]
    ref = fx.f_squared(C[None], ma)
    for row in res.f2.itertuples(index=False):
        i, j = ma.construct_ids.index(row.source), ma.construct_ids.index(row.target)
        assert row.f2 == pytest.approx(ref[i, j], rel=1e-12)
    for row in res.vif_inner.itertuples(index=False):
        j = ma.construct_ids.index(row.target)
        pr = list(ma.preds[j])
        i = pr.index(ma.construct_ids.index(row.source))
        assert row.vif == pytest.approx(q.vif(C[np.ix_(pr, pr)])[i], rel=1e-12)


def test_result_keeps_the_survey_it_was_fitted_on():
    survey = csi.load_survey(ROOT / "surveys" / "ecommerce_csi.yaml")
    data = pd.read_csv(ROOT / "sample_data" / "ecommerce_responses.csv").head(400)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = csi.fit(survey, data, n_boot=0)
        bare = csi.fit(survey.to_model(), data, n_boot=0)
        text = csi.fit(LAV, _data(), scale=(1, 7), n_boot=0)
    assert res.survey is survey and res.model.construct_ids == survey.to_model().construct_ids
    assert res.options["method"] == "pls" and res.survey_version == str(survey.version)
    assert bare.survey is None and text.survey is None


def test_single_fit_quality_values_equal_their_per_block_definitions():
    m = csi.parse_lavaan("Q =~ q1 + q2 + q3\nS <~ s1 + s2\nL =~ l1\nS ~ Q\nL ~ Q + S", scale=(1, 7))
    d = _data().rename(columns={"l2": "unused"})
    est = PLSPathModel().fit(m, d)
    ma, R, st = est.arrays_, est.corr_, est.stats_
    rel = q.reliability_single(R, st["loadings"], st["W"], ma)
    rho = fx.rho_a(R[None], st["W"][None], ma)[0]
    for j, b in enumerate(ma.blocks):
        lam = st["loadings"][b]
        assert rel["rho_a"][j] == pytest.approx(rho[j], rel=1e-12)
        if ma.mode_b[j]:
            assert np.isnan([rel["alpha"][j], rel["rho_c"][j], rel["ave"][j]]).all()
        else:
            assert rel["alpha"][j] == pytest.approx(q.cronbach_alpha(R[np.ix_(b, b)]), rel=1e-12)
            assert rel["rho_c"][j] == pytest.approx(q.rho_c(lam), rel=1e-12)
            assert rel["ave"][j] == pytest.approx(q.ave(lam), rel=1e-12)
    np.testing.assert_allclose(q.item_vif(R, ma), np.concatenate([q.vif(R[np.ix_(b, b)]) for b in ma.blocks]),
                               rtol=1e-12)
    pairs = q.htmt_pairs(ma)
    np.testing.assert_allclose(q.htmt_single(R, ma, pairs), q.htmt(R[None], ma, pairs)[0], rtol=1e-12)


def test_item_vif_of_a_singular_block_falls_back_to_the_pseudo_inverse():
    ma = ModelArrays.from_model(csi.parse_lavaan("A =~ a1 + a2\nB =~ b1\nB ~ A", scale=(1, 7)))
    R = np.array([[1.0, 1.0, 0.3], [1.0, 1.0, 0.3], [0.3, 0.3, 1.0]])  # a1 == a2
    np.testing.assert_allclose(q.item_vif(R, ma), np.concatenate([q.vif(R[:2, :2]), [1.0]]))


def test_chunked_passes_equal_one_product():
    rng = np.random.default_rng(1)
    n = 2 * max(SCORE_ROWS, 2 * MOMENT_ROWS) + 17  # several chunks and a short last one
    x = rng.integers(1, 8, size=(n, 5)).astype(float)
    coef = np.zeros((5, 3))
    coef[:2, 0], coef[2:, 1] = [0.4, 0.6], [0.2, 0.3, 0.5]  # blocks; column 2 all zero
    off = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(linear_scores(x, coef, off), (x @ coef - off).T, rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(linear_scores(np.asfortranarray(x), coef, off), (x @ coef - off).T,
                               rtol=1e-13, atol=1e-12)
    shift, w = np.full(5, 4.0), rng.uniform(0.5, 2.0, size=n)
    for wt in (None, w):
        m = compute_moments(x, wt, shift)
        xc = x - shift
        ww = np.ones(n) if wt is None else wt
        np.testing.assert_allclose(m.sums, ww @ xc, rtol=1e-12)
        np.testing.assert_allclose(m.cross, (xc * ww[:, None]).T @ xc, rtol=1e-12)


def test_large_score_outputs_in_their_own_mapping_behave_as_arrays(monkeypatch):
    # scores above SMALL_PAGES_BYTES live in an anonymous private mapping (4 KB pages, not
    # numpy's huge-page advice): same values, writable, C order, picklable
    import pickle

    from csi.estimate.pls import scores as sc

    monkeypatch.setattr(sc, "SMALL_PAGES_BYTES", 1024)
    rng = np.random.default_rng(2)
    n = SCORE_ROWS + 500
    x = rng.integers(1, 8, size=(n, 4)).astype(float)
    coef = np.zeros((4, 2))
    coef[:2, 0], coef[2:, 1] = [0.5, 0.5], [0.3, 0.7]
    out = linear_scores(x, coef, np.array([1.0, 2.0]))
    assert not out.flags.owndata  # the mapping owns the memory, not numpy
    np.testing.assert_allclose(out, (x @ coef - [1.0, 2.0]).T, rtol=1e-13, atol=1e-12)
    assert out.flags.c_contiguous and out.flags.writeable
    frame = pd.DataFrame(out.T, copy=False)
    frame.iloc[0, 0] = 99.0
    back = pickle.loads(pickle.dumps(frame))
    pd.testing.assert_frame_equal(back, frame)
    small = sc._fresh((2, 10))
    assert small.base is None  # small outputs: numpy's own allocation
