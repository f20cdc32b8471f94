"""The moment bootstrap's arithmetic on sums: per-respondent terms, resample counts and the
moments of stacked sums (:mod:`csi.estimate.resample.bootstrap` for the method).

- :func:`_per_respondent_terms` -- ``FT`` (q, n), one column ``[w, w x, w vech(x x')]`` per
  respondent; a resample's sums are ``FT @ counts``;
- :func:`_counts` -- how often each respondent is drawn in each resample;
- :func:`moments_from_sums` -- means, SDs and correlation matrices (batch-last) of stacked sums;
- :class:`_Workspace` / :class:`_WorkspacePool` -- scratch buffers kept between chunks and calls.

The private names are shared with the other resampling code (MGA, MICOM, PLSpredict, the EM
bootstrap, the grouped engines), as they were when they lived in ``bootstrap``.
"""

from __future__ import annotations

import threading

import numpy as np

from csi.estimate.pls import kernel

__all__ = ["moments_from_sums"]

def _per_respondent_terms(x: np.ndarray, w: np.ndarray | None):
    """``FT`` (q, n): one column of terms ``[w, w x, w vech(x x')]`` per respondent, ``x``
    centred at the (weighted) mean ``shift``; built row by row on contiguous rows."""
    n, p = x.shape
    shift = x.mean(axis=0) if w is None else np.average(x, axis=0, weights=w)
    xcT = np.ascontiguousarray((x - shift).T)
    iu, ju = np.triu_indices(p)
    ww = np.ones(n) if w is None else np.asarray(w, dtype=float)
    FT = np.empty((1 + p + len(iu), n))
    FT[0] = ww
    np.multiply(xcT, ww, out=FT[1:1 + p])
    row = 1 + p
    wx = FT[1:1 + p]
    for i in range(p):  # rows (i, i..p-1) of the upper triangle, in triu_indices order
        np.multiply(wx[i], xcT[i:], out=FT[row:row + p - i])
        row += p - i
    return FT, shift, (iu, ju)


class _Workspace:
    """Scratch arrays for one chunk at a time, kept between chunks and between calls.

    Fresh memory is expensive here (every new page faults, and on a virtual machine a fault
    costs microseconds): the first chunk of a bootstrap used to spend ~15 ms faulting in its
    buffers. Buffers are flat and grow only; smaller shapes are views of their start.
    """

    def __init__(self) -> None:
        self.bufs: dict[str, np.ndarray] = {}

    def get(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        size = int(np.prod(shape))
        buf = self.bufs.get(name)
        if buf is None or buf.size < size:
            buf = self.bufs[name] = np.empty(size)
        return buf[:size].reshape(shape)

    @property
    def nbytes(self) -> int:
        return sum(b.nbytes for b in self.bufs.values())


class _WorkspacePool:
    """Workspaces handed to worker threads one at a time; up to ``keep`` idle ones of at
    most ``max_bytes`` each are kept for later calls (a long-running server reuses them)."""

    def __init__(self, keep: int = 2, max_bytes: int = 32 * 2**20) -> None:
        self._idle: list[_Workspace] = []
        self._lock = threading.Lock()
        self.keep, self.max_bytes = keep, max_bytes

    def acquire(self) -> _Workspace:
        with self._lock:
            return self._idle.pop() if self._idle else _Workspace()

    def release(self, ws: _Workspace) -> None:
        with self._lock:
            if len(self._idle) < self.keep and ws.nbytes <= self.max_bytes:
                self._idle.append(ws)


_POOL = _WorkspacePool()


def moments_from_sums(MT: np.ndarray, shift: np.ndarray, p: int, tri, ws: _Workspace | None = None,
                      compiled: bool | None = None):
    """Means, SDs, correlation matrices and a zero-variance flag from stacked sums.

    ``MT`` (q, B) holds one column of sums ``[w, w x, w vech(x x')]`` per resample (``x``
    centred at ``shift``; the upper triangle ``tri`` as stored). Covariances and correlations
    are formed on the upper triangle over contiguous rows of length ``B`` and expanded to the
    full symmetric matrices by one row gather at the end.

    Returns ``mean`` (B, p), ``sd`` (B, p), ``Rt`` (p, p, B) -- batch-last, as
    :func:`csi.estimate.pls.model.replicate_statistics` takes it -- ``zero`` (B,) and the weight
    totals ``nw`` (B,). With a workspace ``ws`` the big intermediates and ``Rt`` live in its
    buffers (valid until the next call in the same thread). ``compiled`` (default: when
    available) computes it all in one pass of :func:`csi.estimate.pls.kernel.moments_batch`.
    """
    iu, ju = tri
    B = MT.shape[1]
    if kernel.use(compiled):  # one pass, without the GIL
        Rt = np.empty((p, p, B)) if ws is None else ws.get("Rt", (p, p, B))
        mean, sd, zero, nw = np.empty((B, p)), np.empty((B, p)), np.empty(B, dtype=np.bool_), np.empty(B)
        kernel.moments_batch(MT, np.ascontiguousarray(shift, dtype=float), np.asarray(iu, dtype=np.int64),
                             np.asarray(ju, dtype=np.int64), Rt, mean, sd, zero, nw)
        return mean, sd, Rt, zero, nw
    nw = MT[0].copy()  # returned: must not be a view of a reused buffer
    m = MT[1:1 + p] / nw
    # (q, B); the products below are formed in place (fewer big temporaries)
    cov = np.take(m, iu, axis=0, out=None if ws is None else ws.get("cov", (len(iu), B)))
    cov *= m[ju]
    cov *= -nw
    cov += MT[1 + p:]
    cov /= nw - 1.0
    on_diag = np.flatnonzero(iu == ju)
    var = cov[on_diag]
    scale = (np.abs(shift) + 1.0) ** 2
    zero = (var <= 1e-20 * scale[:, None]).any(axis=0)
    sd = np.sqrt(np.clip(var, 1e-300, None))
    den = np.take(sd, iu, axis=0, out=None if ws is None else ws.get("den", (len(iu), B)))
    den *= sd[ju]
    r = np.divide(cov, den, out=cov)
    r[on_diag] = 1.0
    full = np.empty((p, p), dtype=int)
    full[iu, ju] = full[ju, iu] = np.arange(len(iu))
    Rt = np.take(r, full.ravel(), axis=0, out=None if ws is None else ws.get("Rt", (p * p, B)))
    Rt = Rt.reshape(p, p, B)
    return shift + m.T, sd.T, Rt, zero, nw


def _counts(idx: np.ndarray, n: int, out: np.ndarray | None = None,
            compiled: bool | None = None) -> np.ndarray:
    """(c, n) float64 counts: how often each respondent is drawn in each row of ``idx``."""
    c = idx.shape[0]
    counts = np.empty((c, n)) if out is None else out
    if kernel.use(compiled):
        kernel.counts_batch(np.ascontiguousarray(idx, dtype=np.int64), counts)
        return counts
    if n < 2000:  # many small rows: one bincount over offset indices
        flat = (idx + (np.arange(c) * n)[:, None]).ravel()
        counts.ravel()[:] = np.bincount(flat, minlength=c * n)
        return counts
    for r in range(c):  # no (c, n) int temporaries
        counts[r] = np.bincount(idx[r], minlength=n)
    return counts
