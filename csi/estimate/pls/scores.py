"""Per-respondent scores of a fitted PLS model: standardized construct scores and 0-100 index
scores, from the prepared items.

Without missing answers both are linear in the items -- ``z = (x - mean)/sd @ W`` and
``s = 100 (x - lo) um / ((hi - lo) um)`` with ``um`` the unstandardized weights per block --
so one pass over the data gives both (:func:`linear_scores`: one (p, 2k) coefficient
matrix, the data read once in row chunks, the constants subtracted while a chunk is in
cache; for large data the compiled :func:`csi.estimate.pls.kernel.block_scores`, which reads
each item once for its own block's two scores). A respondent with missing items is scored from the items they answered, the block's
weights renormalised (:mod:`csi.estimate.missing.scores`).
"""

from __future__ import annotations

import mmap

import numpy as np
import pandas as pd

from csi.estimate.frames import columns, columns_frame
from csi.estimate.missing.scores import renormalised_index_scores, renormalised_std_scores
from csi.estimate.pls import kernel

__all__ = ["both_scores", "linear_scores", "std_scores"]

#: rows per chunk of the scoring pass (a chunk's items and scores stay in cache)
CHUNK_ROWS = 8192
#: rows per chunk of the compiled pass (:func:`csi.estimate.pls.kernel.block_scores`)
KERNEL_CHUNK = 256
#: from this many respondents the compiled pass is used even when numba is not loaded yet
#: (its import and the cached kernels, ~0.2 s once per process, against ~40 ms saved a call
#: at a million respondents); below it only once a bootstrap or a warm-up has loaded them
KERNEL_LOAD_ROWS = 200_000


#: score outputs from this size are mapped with the kernel's default pages (:func:`_fresh`)
SMALL_PAGES_BYTES = 32 * 2**20


def _fresh(shape: tuple[int, int]) -> np.ndarray:
    """An uninitialised float64 array for a large score output (C order), in anonymous private
    memory with the kernel's default 4 KB pages.

    numpy asks the kernel for transparent huge pages for every array from 4 MB (madvise);
    where the kernel's THP defrag setting is "madvise" the first write then waits for memory
    compaction: measured 120-320 ms of system time for the 112 MB of a million respondents'
    two score tables on a busy machine (about 20 ms when it goes well), against a steady
    35-50 ms of 4 KB page faults. This is this one allocation's choice; numpy's setting for
    everything else is left alone. Smaller outputs, and systems without ``MAP_PRIVATE``,
    use ``numpy.empty``.
    """
    nbytes = int(np.prod(shape)) * 8
    flags = getattr(mmap, "MAP_PRIVATE", None)
    if nbytes < SMALL_PAGES_BYTES or flags is None:
        return np.empty(shape)
    buf = mmap.mmap(-1, nbytes, flags=flags)  # unmapped when the last array using it goes
    return np.frombuffer(buf, dtype=np.float64).reshape(shape)


def _compiled_pass(xv: np.ndarray) -> bool:
    """Whether :func:`both_scores` scores ``xv`` with the compiled kernel: large, float64, one
    of the two contiguous layouts (each is compiled once; others take the numpy path)."""
    n = xv.shape[0]
    if n <= CHUNK_ROWS or xv.dtype != np.float64 or not (xv.flags.c_contiguous or xv.flags.f_contiguous):
        return False
    return kernel.loaded() or (n >= KERNEL_LOAD_ROWS and kernel.available())


def linear_scores(x: np.ndarray, coef: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """``(x @ coef - offset).T``: (m, n) for items ``x`` (n, p), ``coef`` (p, m), ``offset`` (m,).

    Constructs x respondents, the layout a DataFrame keeps its columns in (a frame of rows
    ``a:b`` of the result copies nothing). Large data are scored in row chunks, each column of
    ``coef`` only over its nonzero rows: PLS weights are block-diagonal (a construct's score
    reads its own block's items), so a dense product would spend ~k times the arithmetic.
    """
    n, p = x.shape
    if n <= CHUNK_ROWS:
        out = np.ascontiguousarray(coef.T) @ x.T
        out -= offset[:, None]
        return out
    spans = []
    for j in range(coef.shape[1]):
        nz = np.flatnonzero(coef[:, j])
        a, b = (int(nz[0]), int(nz[-1]) + 1) if len(nz) else (0, 0)
        spans.append((a, b, np.ascontiguousarray(coef[a:b, j])))
    out = _fresh((coef.shape[1], n))
    buf = np.empty((p, CHUNK_ROWS))
    for s in range(0, n, CHUNK_ROWS):
        e = min(n, s + CHUNK_ROWS)
        xt = buf[:, : e - s]
        np.copyto(xt, x[s:e].T)  # items x respondents: each item's chunk is one contiguous row
        for j, (a, b, c) in enumerate(spans):
            row = out[j, s:e]
            if b > a:
                np.dot(c, xt[a:b], out=row)
                row -= offset[j]
            else:
                row[:] = -offset[j]
    return out


def std_scores(est, xv: np.ndarray, index: pd.Index) -> pd.DataFrame:
    """Standardized construct scores of items ``xv`` (n, p) with row labels ``index`` (fitted
    means and SDs; respondents x constructs)."""
    cols = columns(est.arrays_.construct_ids)
    if np.isnan(xv).any():
        z = renormalised_std_scores(xv, est.stats_["W"], est.item_mean_, est.item_std_)
        return pd.DataFrame(z, index=index, columns=cols)
    Ws = est.stats_["W"] / est.item_std_[:, None]  # (x - mean)/sd @ W without an n x p temporary
    z = linear_scores(xv, Ws, est.item_mean_ @ Ws)
    return columns_frame(z, index, cols)


def both_scores(est, xv: np.ndarray, index: pd.Index, *, may_have_nan: bool = True
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(standardized scores, 0-100 index scores)`` of the fitted items ``xv`` (n, p) with row
    labels ``index`` (one pass over the data when no answer is missing).

    ``may_have_nan=False`` (prepare counted no missing answer) skips the scan for NaN."""
    ma, st = est.arrays_, est.stats_
    cols = columns(ma.construct_ids)
    if may_have_nan and np.isnan(xv).any():
        s = renormalised_index_scores(xv, st["u"], ma.member, ma.lo, ma.hi)
        return std_scores(est, xv, index), pd.DataFrame(s, index=index, columns=cols)
    Ws = st["W"] / est.item_std_[:, None]
    um = st["u"][:, None] * ma.member  # index: 100 (x - lo) um / ((hi - lo) um)
    scale = 100.0 / ((ma.hi - ma.lo) @ um)
    coef = np.hstack([Ws, um * scale])
    offset = np.concatenate([est.item_mean_ @ Ws, (ma.lo @ um) * scale])
    k = ma.k
    if _compiled_pass(xv):  # one compiled pass: each item read once, both scores written
        both = _fresh((2 * k, len(xv)))
        bs, ar = ma.kernel_args[0], np.arange(ma.p)
        kernel.block_scores(xv, bs, coef[ar, ma.item_block], coef[ar, k + ma.item_block],
                            offset[:k], offset[k:], KERNEL_CHUNK, both)
    else:
        both = linear_scores(xv, coef, offset)
    return columns_frame(both[:k], index, cols), columns_frame(both[k:], index, cols)
