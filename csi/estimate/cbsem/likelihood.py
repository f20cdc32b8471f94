"""Normal log-likelihood of a covariance structure, casewise by missingness pattern.

One function family serves both ML fits: complete-data ML (:mod:`csi.estimate.cbsem.engine`,
one pattern with every item observed) and FIML (:mod:`csi.estimate.missing.fiml`, one
term per missingness pattern). For pattern ``k`` with observed items ``o``, weight ``n_k``,
sums ``s_k`` and cross-products ``C_k`` of the centred items ``y = x - center``, and
``d = mu - center``::

    A_k       = C_k - s_k d_o' - d_o s_k' + n_k d_o d_o'      (scatter about mu)
    -2 logL   = sum_k n_k log|Sigma_oo| + tr(Sigma_oo^-1 A_k)  (+ constants in 2 pi)
    dF/dSigma = sum_k n_k Sigma_oo^-1 - Sigma_oo^-1 A_k Sigma_oo^-1  (embedded in p x p)
    dF/dmu    = -2 sum_k Sigma_oo^-1 (s_k - n_k d_o)
    E[d2F]    = sum_k n_k tr(Sigma_oo^-1 D_a Sigma_oo^-1 D_b)   for parameters a, b
                (and 2 sum_k n_k Sigma_oo^-1 for the means)

with ``D_a = dSigma / dtheta_a``. Complete-data ML with the saturated mean is one pattern with
``n = 1``, ``C = S`` (the divisor-N covariance) and ``d = 0``: the value is then
``log|Sigma| + tr(S Sigma^-1)``, the ML discrepancy up to the constant ``log|S| + p``.

Patterns with the same number of observed items are evaluated together (batched Cholesky
factors and inverses), so a call costs a few numpy operations per pattern size, not per pattern.
"""

from __future__ import annotations

import numpy as np

__all__ = ["PatternLikelihood"]


class PatternLikelihood:
    """``-2 logL`` (without the ``log 2pi`` terms) of ``N(mu, Sigma)`` from pattern moments.

    Parameters
    ----------
    masks : ndarray (P, p) bool
        Observed items per pattern.
    n : ndarray (P,)
        Weight (respondents) per pattern.
    sums : ndarray (P, p)
        Sums of the centred items (0 where unobserved).
    cross : ndarray (P, p, p)
        Cross-products of the centred items (0 where unobserved).
    """

    def __init__(self, masks, n, sums, cross):
        masks = np.asarray(masks, dtype=bool)
        n = np.asarray(n, dtype=float)
        self.p = masks.shape[1]
        self.groups = []
        n_obs = masks.sum(axis=1)
        for q in sorted(set(n_obs.tolist()) - {0}):
            ks = np.flatnonzero((n_obs == q) & (n > 0))
            if not len(ks):
                continue
            o = np.array([np.flatnonzero(masks[k]) for k in ks], dtype=np.int64)  # (Pq, q)
            ii, jj = o[:, :, None], o[:, None, :]
            C = np.asarray(cross, dtype=float)[ks[:, None, None], ii, jj]
            s = np.asarray(sums, dtype=float)[ks[:, None], o]
            self.groups.append((o, ii, jj, n[ks], s, C))
        self.N = float(n.sum())

    @classmethod
    def complete(cls, S) -> PatternLikelihood:
        """One complete pattern of weight 1 with cross-products ``S`` (value at ``d = 0``:
        ``log|Sigma| + tr(S Sigma^-1)``)."""
        S = np.asarray(S, dtype=float)
        p = S.shape[0]
        return cls(np.ones((1, p), dtype=bool), np.ones(1), np.zeros((1, p)), S[None])

    def _factor(self, sigma, d):
        """Per group: (logdet (Pq,), inverse (Pq, q, q), scatter A (Pq, q, q)); None if a
        Sigma_oo is not positive definite."""
        out = []
        for o, ii, jj, nk, s, C in self.groups:
            So = sigma[ii, jj]
            try:
                L = np.linalg.cholesky(So)
            except np.linalg.LinAlgError:
                return None
            logdet = 2.0 * np.log(np.diagonal(L, axis1=1, axis2=2)).sum(axis=1)
            inv = np.linalg.inv(So)
            if d is None:
                A = C
            else:
                do = d[o]  # (Pq, q)
                sd = s[:, :, None] * do[:, None, :]
                A = C - sd - np.swapaxes(sd, 1, 2) + nk[:, None, None] * (do[:, :, None] * do[:, None, :])
            out.append((logdet, inv, A))
        return out

    def value(self, sigma, d=None) -> float:
        """``sum_k n_k log|Sigma_oo| + tr(Sigma_oo^-1 A_k)``; inf when a block is not PD.
        ``d`` (p,) is ``mu - center`` (None: 0)."""
        fac = self._factor(np.asarray(sigma, dtype=float), d)
        if fac is None:
            return np.inf
        f = 0.0
        for (_, _, _, nk, _, _), (logdet, inv, A) in zip(self.groups, fac, strict=True):
            f += nk @ logdet + np.einsum("kij,kji->", inv, A)
        return float(f) if np.isfinite(f) else np.inf

    def gradient(self, sigma, d=None):
        """``(value, dF/dSigma (p, p), dF/dmu (p,), inverses)``; ``(inf, None, None, None)``
        when a block is not PD. ``inverses`` (one (Pq, q, q) array per group) feed
        :meth:`information`."""
        sigma = np.asarray(sigma, dtype=float)
        fac = self._factor(sigma, d)
        if fac is None:
            return np.inf, None, None, None
        p = self.p
        f = 0.0
        G = np.zeros((p, p))
        gmu = np.zeros(p)
        invs = []
        for (o, ii, jj, nk, s, _), (logdet, inv, A) in zip(self.groups, fac, strict=True):
            f += nk @ logdet + np.einsum("kij,kji->", inv, A)
            np.add.at(G, (ii, jj), nk[:, None, None] * inv - inv @ A @ inv)
            if d is not None:
                r = s - nk[:, None] * d[o]
                np.add.at(gmu, o, -2.0 * np.einsum("kij,kj->ki", inv, r))
            invs.append(inv)
        return float(f), G, gmu, invs

    def information(self, D, invs, means: bool = False):
        """Expected Hessian of :meth:`value`: ``sum_k n_k tr(inv D_a inv D_b)`` (k, k) for
        ``D`` (k, p, p) the derivatives of Sigma; with ``means`` also the (p, p) mean block
        ``2 sum_k n_k Sigma_oo^-1`` (the cross block is 0)."""
        D = np.asarray(D, dtype=float)
        H = np.zeros((D.shape[0], D.shape[0]))
        Hmu = np.zeros((self.p, self.p)) if means else None
        k = D.shape[0]
        for (_, ii, jj, nk, _, _), inv in zip(self.groups, invs, strict=True):
            Pq, q = inv.shape[:2]
            Dt = D[:, ii, jj].transpose(1, 2, 0, 3).reshape(Pq, q, k * q)  # [g, j, (a, l)] = D_a[j, l]
            A = (inv @ Dt).reshape(Pq, q, k, q)  # [g, i, a, l] = (Sigma_oo^-1 D_a)[i, l]
            X = (A * nk[:, None, None, None]).transpose(2, 0, 1, 3).reshape(k, -1)  # [a, (g, i, l)]
            Y = A.transpose(2, 0, 3, 1).reshape(k, -1)  # [b, (g, i, l)] = (Sigma^-1 D_b)[l, i]
            H += X @ Y.T  # one product over every pattern: sum_g n_g tr(A_a A_b)
            if means:
                np.add.at(Hmu, (ii, jj), 2.0 * nk[:, None, None] * inv)
        return H if not means else (H, Hmu)
