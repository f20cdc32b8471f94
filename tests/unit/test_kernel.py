"""The compiled bootstrap kernels (numba) equal the numpy code they stand in for.

Every kernel is checked against the numpy implementation it replaces (kept as the fallback
for ``CSI_JIT=0`` or a machine without numba): the PLS iteration for every scheme with Mode A
and Mode B blocks, at and before convergence, with a sign flip and with a broken matrix; the
moments; the counts; and a whole ``csi.fit`` bootstrap run in a process with ``CSI_JIT=0``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from csi.estimate.pls import kernel
from csi.estimate.pls.algorithm import ModelArrays, pls_weights_t
from csi.estimate.resample.bootstrap import _counts, _per_respondent_terms, moments_from_sums
from csi.survey.syntax import parse_lavaan

sys.path.insert(0, str(Path(__file__).parent))
from test_batch_algebra import LAV, _correlations  # noqa: E402

pytestmark = pytest.mark.skipif(not kernel.available(),
                                reason="numba is not installed (or CSI_JIT=0): nothing compiled to check")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ma():
    return ModelArrays.from_model(parse_lavaan(LAV, scale=(1, 7)))


def _both(Rt, ma, **kw):
    return pls_weights_t(Rt, ma, compiled=True, **kw), pls_weights_t(Rt, ma, compiled=False, **kw)


def _assert_same(a, b, atol=1e-12):
    np.testing.assert_array_equal(a.n_iter, b.n_iter)
    np.testing.assert_array_equal(a.converged, b.converged)
    np.testing.assert_allclose(a.w, b.w, atol=atol)
    np.testing.assert_allclose(a.rw, b.rw, atol=atol)
    np.testing.assert_allclose(a.C, b.C, atol=atol)


@pytest.mark.parametrize("scheme", ["path", "factorial", "centroid"])
def test_compiled_iteration_equals_numpy(ma, scheme):
    Rt = np.ascontiguousarray(_correlations(60, seed=7).transpose(1, 2, 0))
    a, b = _both(Rt, ma, scheme=scheme)
    assert a.converged.all()
    _assert_same(a, b)
    # warm start and a batch-first stack (what the bootstrap hands over) give the same
    w0 = a.w[:, 0]
    _assert_same(*_both(Rt, ma, scheme=scheme, w0=w0))
    Rf = np.ascontiguousarray(Rt.transpose(2, 0, 1))
    _assert_same(pls_weights_t(Rf.transpose(1, 2, 0), ma, scheme=scheme, compiled=True), b)


@pytest.mark.parametrize("max_iter", [1, 2, 3])
def test_compiled_iteration_stops_like_numpy(ma, max_iter):
    Rt = np.ascontiguousarray(_correlations(30, seed=8).transpose(1, 2, 0))
    a, b = _both(Rt, ma, max_iter=max_iter)
    assert not a.converged.any() and (a.n_iter == max_iter).all()
    _assert_same(a, b)


def test_compiled_iteration_applies_the_sign_rule(ma):
    Rt = np.ascontiguousarray(_correlations(20, seed=9).transpose(1, 2, 0))
    a, b = _both(Rt, ma, w0=-np.ones(ma.p))  # starts every construct upside down
    _assert_same(a, b)
    loads = a.rw[ma.item_block, np.arange(ma.p)]  # (p, B): each item's own loading
    assert (ma.member.T @ loads > 0).all()


def test_compiled_iteration_reports_a_broken_matrix(ma):
    Rt = np.ascontiguousarray(_correlations(4, seed=10).transpose(1, 2, 0))
    Rt[0, 1, 1] = Rt[1, 0, 1] = np.nan
    Rt[:3, :3, 2] = 0.0  # block A without variance: construct variance 0
    a, b = _both(Rt, ma)
    np.testing.assert_array_equal(a.converged, [True, False, False, True])
    np.testing.assert_array_equal(a.converged, b.converged)
    np.testing.assert_allclose(a.w[:, [0, 3]], b.w[:, [0, 3]], atol=1e-12)


def test_compiled_moments_equal_numpy():
    rng = np.random.default_rng(11)
    x = np.round(rng.normal(4, 1.5, size=(90, 6)).clip(1, 7))
    x[:, 5] = 3.0  # constant in every resample: flagged
    w = rng.uniform(0.5, 2.0, size=90)
    for wts in (None, w):
        FT, shift, tri = _per_respondent_terms(x, wts)
        counts = _counts(rng.integers(0, 90, size=(40, 90)), 90)
        MT = FT @ counts.T
        got = moments_from_sums(MT, shift, 6, tri, compiled=True)
        want = moments_from_sums(MT, shift, 6, tri, compiled=False)
        for g, e in zip(got, want, strict=True):
            np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-13)
        assert got[3].all()  # the constant item
        x5 = x.copy()
        x5[:, 5] = rng.integers(1, 8, size=90)
        FT, shift, tri = _per_respondent_terms(x5, wts)
        got = moments_from_sums(FT @ counts.T, shift, 6, tri, compiled=True)
        want = moments_from_sums(FT @ counts.T, shift, 6, tri, compiled=False)
        np.testing.assert_array_equal(got[3], want[3])
        np.testing.assert_allclose(got[2], want[2], atol=1e-13)


@pytest.mark.parametrize("n", [50, 5000])
def test_compiled_counts_equal_numpy(n):
    idx = np.random.default_rng(12).integers(0, n, size=(9, n))
    np.testing.assert_array_equal(_counts(idx, n, compiled=True), _counts(idx, n, compiled=False))


_FIT = """
import json, sys
import numpy as np, pandas as pd
import csi
from csi.estimate.pls import kernel
sys.path.insert(0, {here!r})
from test_batch_algebra import LAV
rng = np.random.default_rng(13)
a = rng.normal(size=300); b = 0.5 * a + rng.normal(size=300); c = 0.4 * a + 0.3 * b + rng.normal(size=300)
e = rng.normal(size=300); d = 0.6 * c + 0.3 * e + rng.normal(size=300)
cols = dict(a1=a, a2=a, a3=a, b1=b, b2=b, b3=b, c1=c, c2=c, d1=d, e1=e, e2=e, e3=e)
data = pd.DataFrame({{k: np.clip(np.round(4 + v + 0.8 * rng.normal(size=300)), 1, 7) for k, v in cols.items()}})
res = csi.fit(LAV, data, scale=(1, 7), n_boot=400, seed=5)
print(json.dumps({{"compiled": kernel.available(),
                   "paths": res.path_coefficients[["estimate", "se", "ci_low", "ci_high"]].to_numpy().tolist(),
                   "index": res.index[["score", "se", "ci_low", "ci_high"]].to_numpy().tolist(),
                   "htmt": res.htmt[["estimate", "ci_low", "ci_high"]].to_numpy().tolist()}}))
"""


def test_whole_bootstrap_equals_the_numpy_fallback():
    code = _FIT.format(here=str(Path(__file__).parent))
    out = {}
    for jit in ("1", "0"):
        env = {**os.environ, "CSI_JIT": jit}
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                             cwd=ROOT, check=True)
        out[jit] = json.loads(run.stdout)
    assert out["1"]["compiled"] and not out["0"]["compiled"]
    for key in ("paths", "index", "htmt"):
        np.testing.assert_allclose(out["1"][key], out["0"][key], rtol=1e-9, atol=1e-10)


def test_warm_up_compiles_the_kernels():
    from csi.estimate.pls.jit_warmup import warm_up

    assert warm_up() is True


@pytest.mark.parametrize("scheme", ["path", "factorial", "centroid"])
def test_compiled_single_matrix_equals_the_numpy_iteration(ma, scheme):
    from csi.estimate.pls.algorithm import pls_weights

    for R in _correlations(5, seed=14):
        got = pls_weights(R[None], ma, scheme=scheme, compiled=True)
        want = pls_weights(R[None], ma, scheme=scheme, compiled=False)
        np.testing.assert_array_equal(got[1], want[1])  # iterations
        np.testing.assert_array_equal(got[2], want[2])  # converged
        np.testing.assert_allclose(got[0], want[0], atol=1e-12)
        np.testing.assert_allclose(got[3], want[3], atol=1e-12)


@pytest.mark.parametrize("order", ["C", "F"])
def test_compiled_block_scores_equal_the_numpy_pass(order):
    # two scores per block from the block's own items (blocks of 2, 3 and 1 items), several
    # chunks and a short last one, in both layouts a DataFrame's values come in
    from csi.estimate.pls.scores import linear_scores

    rng = np.random.default_rng(3)
    n, bs = 3 * 256 + 41, np.array([0, 2, 5, 6], dtype=np.int64)
    x = np.asarray(rng.integers(1, 11, size=(n, 6)).astype(float), order=order)
    a, b = rng.normal(size=6), rng.uniform(0.1, 1.0, size=6)
    oa, ob = rng.normal(size=3), rng.normal(size=3)
    out = np.full((6, n), np.nan)
    kernel.block_scores(x, bs, a, b, oa, ob, 256, out)
    coef = np.zeros((6, 6))
    for c in range(3):
        coef[bs[c]:bs[c + 1], c], coef[bs[c]:bs[c + 1], 3 + c] = a[bs[c]:bs[c + 1]], b[bs[c]:bs[c + 1]]
    want = (np.ascontiguousarray(x) @ coef - np.concatenate([oa, ob])).T
    np.testing.assert_allclose(out, want, rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(out, linear_scores(x, coef, np.concatenate([oa, ob])), rtol=1e-13, atol=1e-12)


def test_large_fit_scores_through_the_kernel_equal_the_numpy_scores(monkeypatch):
    # a fit above the numpy chunk size: both score tables from the compiled pass equal the
    # numpy pass's (index scores on the 0-100 scale, standardized scores unit variance)
    import pandas as pd

    from csi.estimate.pls import scores as sc
    from csi.estimate.pls.model import PLSPathModel

    model = parse_lavaan(LAV, scale=(1, 7))
    rng = np.random.default_rng(5)
    n = sc.CHUNK_ROWS + 999
    z = rng.normal(size=(n, 1))
    data = pd.DataFrame(np.clip(np.round(4 + z + rng.normal(size=(n, len(model.item_ids)))), 1, 7),
                        columns=model.item_ids)
    est = PLSPathModel().fit(model, data)
    assert sc._compiled_pass(est._prep.x)
    std_k, idx_k = sc.both_scores(est, est._prep.x, est._prep.index, may_have_nan=False)
    monkeypatch.setattr(sc, "_compiled_pass", lambda xv: False)
    std_n, idx_n = sc.both_scores(est, est._prep.x, est._prep.index, may_have_nan=False)
    pd.testing.assert_frame_equal(std_k, std_n, rtol=1e-13, atol=1e-12)
    pd.testing.assert_frame_equal(idx_k, idx_n, rtol=1e-13, atol=1e-10)
    assert np.allclose(std_k.std(ddof=1), 1.0) and np.allclose(std_k.mean(), 0.0, atol=1e-12)
