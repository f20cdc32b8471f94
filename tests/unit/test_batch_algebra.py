"""The batched (bootstrap) algebra equals the one-matrix algebra it replaces.

The bootstrap runs every resample through batch-last code (resamples on the last axis); these
tests pin it against the straightforward per-matrix computation: PLS weights for every
scheme with Mode A and Mode B blocks, the SPD solver, total effects, HTMT and the counts.
"""

from __future__ import annotations

import numpy as np
import pytest

from csi.estimate.pls import effects as fx
from csi.estimate.pls.algorithm import ModelArrays, pls_weights, pls_weights_t, solve_spd
from csi.estimate.quality import measurement as q
from csi.estimate.resample.bootstrap import _counts
from csi.survey.syntax import parse_lavaan

LAV = """
A =~ a1 + a2 + a3
B <~ b1 + b2 + b3
C =~ c1 + c2
D =~ d1
E =~ e1 + e2 + e3
B ~ A
C ~ A + B
D ~ C + E
"""


def _correlations(n_mats: int, seed: int = 0):
    """Correlation matrices of resampled data with a real structure (items in block order)."""
    rng = np.random.default_rng(seed)
    n = 120
    a = rng.normal(size=n)
    b = 0.5 * a + rng.normal(size=n)
    c = 0.4 * a + 0.3 * b + rng.normal(size=n)
    e = rng.normal(size=n)
    d = 0.6 * c + 0.3 * e + rng.normal(size=n)
    cols = [a, a, a, b, b, b, c, c, d, e, e, e]
    x = np.column_stack([z + 0.7 * rng.normal(size=n) for z in cols])
    out = []
    for _ in range(n_mats):
        idx = rng.integers(0, n, size=n)
        out.append(np.corrcoef(x[idx], rowvar=False))
    return np.array(out)


@pytest.fixture(scope="module")
def ma():
    return ModelArrays.from_model(parse_lavaan(LAV, scale=(1, 7)))


@pytest.mark.parametrize("scheme", ["path", "factorial", "centroid"])
def test_batched_weights_equal_one_matrix_at_a_time(ma, scheme):
    R = _correlations(40)
    W, n_iter, conv, RW = pls_weights(R, ma, scheme=scheme, compiled=False)
    assert conv.all()
    for b in range(len(R)):
        W1, it1, conv1, RW1 = pls_weights(R[b:b + 1], ma, scheme=scheme, compiled=False)  # 2-D path
        assert conv1[0] and it1[0] == n_iter[b]
        np.testing.assert_allclose(W[b], W1[0], atol=1e-12)
        np.testing.assert_allclose(RW[b], RW1[0], atol=1e-12)
    it = pls_weights_t(np.ascontiguousarray(R.transpose(1, 2, 0)), ma, scheme=scheme, compiled=False)
    np.testing.assert_array_equal(it.w.T, W.sum(axis=2))
    np.testing.assert_array_equal(it.rw.transpose(2, 1, 0), RW)
    np.testing.assert_array_equal(it.n_iter, n_iter)
    C = np.einsum("bpj,bpl->bjl", W, RW)  # W' R W from the weights and cross-loadings
    np.testing.assert_allclose(it.C.transpose(2, 0, 1), C, atol=1e-12)


def test_warm_start_reaches_the_same_fixed_point(ma):
    R = _correlations(25, seed=3)
    W, *_ = pls_weights(R, ma)
    W0, *_ = pls_weights(R, ma, w0=W[0].sum(axis=1))
    np.testing.assert_allclose(W0, W, atol=1e-6)


def test_solve_spd_batch_last_equals_lapack():
    rng = np.random.default_rng(1)
    A = rng.normal(size=(300, 4, 6))
    M = A @ A.transpose(0, 2, 1) + 0.1 * np.eye(4)  # (N, 4, 4) positive definite
    r = rng.normal(size=(300, 4))
    x = solve_spd(M.transpose(1, 2, 0), r.T).T
    np.testing.assert_allclose(x, np.linalg.solve(M, r[..., None])[..., 0], rtol=1e-10, atol=1e-12)


def test_total_effects_along_paths_equal_the_inverse():
    rng = np.random.default_rng(2)
    k = 6
    mask = np.triu(rng.random((k, k)) < 0.6, 1)
    perm = rng.permutation(k)  # constructs not in topological order
    mask = mask[np.ix_(perm, perm)]
    Bm = rng.normal(size=(50, k, k)) * mask
    expect = np.linalg.inv(np.eye(k) - Bm) - np.eye(k)
    np.testing.assert_allclose(fx.total_effects(Bm), expect, atol=1e-12)


def test_total_effects_of_a_cycle_fall_back_to_the_inverse():
    Bm = np.zeros((2, 3, 3))
    Bm[:, 0, 1] = Bm[:, 1, 2] = 0.5
    Bm[:, 2, 0] = 0.2
    expect = np.linalg.inv(np.eye(3) - Bm) - np.eye(3)
    np.testing.assert_allclose(fx.total_effects(Bm), expect, atol=1e-12)


def test_htmt_batch_last_equals_its_definition(ma):
    R = _correlations(10, seed=4)
    pairs = q.htmt_pairs(ma)
    got = q.htmt_t(np.ascontiguousarray(R.transpose(1, 2, 0)), ma, pairs)
    for b, r in enumerate(R):
        for j, (a, c) in enumerate(pairs):
            ba, bc = ma.blocks[a], ma.blocks[c]

            def mono(bl, r=r):
                if len(bl) < 2:
                    return 1.0
                sub = r[np.ix_(bl, bl)]
                return sub[~np.eye(len(bl), dtype=bool)].mean()

            expect = r[np.ix_(ba, bc)].mean() / np.sqrt(mono(ba) * mono(bc))
            assert got[b, j] == pytest.approx(expect, abs=1e-12)
    np.testing.assert_allclose(q.htmt(R, ma, pairs), got, atol=1e-15)


@pytest.mark.parametrize("n", [50, 5000])
def test_counts_both_ways_equal_bincount(n):
    idx = np.random.default_rng(5).integers(0, n, size=(7, n))
    counts = _counts(idx, n)
    assert counts.dtype == np.float64 and counts.shape == (7, n)
    for r in range(7):
        np.testing.assert_array_equal(counts[r], np.bincount(idx[r], minlength=n))
    np.testing.assert_array_equal(counts.sum(axis=1), n)


def test_workspace_pool_reuses_small_buffers_and_drops_large_ones():
    from csi.estimate.resample.bootstrap import _WorkspacePool

    pool = _WorkspacePool(keep=1, max_bytes=8000)
    ws = pool.acquire()
    a = ws.get("x", (10, 20))
    assert a.shape == (10, 20) and a.flags.c_contiguous
    b = ws.get("x", (5, 7))  # smaller: a view of the same memory
    assert np.shares_memory(a, b) and b.flags.c_contiguous
    pool.release(ws)
    assert pool.acquire() is ws  # kept (1,600 bytes <= 8,000)
    ws.get("big", (2000,))  # 16,000 bytes: too large to keep
    pool.release(ws)
    assert pool.acquire() is not ws
