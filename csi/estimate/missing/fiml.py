"""Casewise (full-information) maximum likelihood for CB-SEM, by missingness pattern.

The log-likelihood of a pattern with observed items ``o`` depends on the data only through
its :class:`~csi.estimate.missing.patterns.PatternMoments` (count, sums, cross-products):
``-2 logL_k = n_k (o log 2pi + log|Sigma_oo|) + tr(Sigma_oo^-1 A_k)`` with ``A_k = sum
(x_o - mu_o)(x_o - mu_o)'``, so the objective is evaluated in O(P p^3) per call, however many
respondents there are. The model is semopy's description (``Sigma(theta)`` and its derivatives
as in :mod:`csi.estimate.cbsem.engine`) with a saturated mean structure (free item
intercepts), as lavaan's ``missing = "fiml"`` (alias ``"ml"``) with its defaults.

Optimisation: start from the ML fit to the EM covariance (two-stage), then L-BFGS-B on
(theta, mu) with the analytic gradient, polished by Newton steps on the numerical Hessian.
Standard errors: observed information (the numerical Hessian of ``-logL``), lavaan's
default for ``missing = "fiml"``. Checked against lavaan 0.6.14 (estimates and SEs to 1e-3)
on Political Democracy and a simulated ACSI data set with MAR missingness
(``tests/golden/test_missing_lavaan.py``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import semopy
from scipy.optimize import minimize

from csi.errors import DataError, ParameterError
from csi.estimate.cbsem.likelihood import PatternLikelihood
from csi.estimate.cbsem.step_halving import halve_until_lower
from csi.estimate.missing.em import em
from csi.estimate.missing.patterns import PatternMoments

__all__ = ["FimlObjective", "fit_sem_fiml", "refit_fiml"]


class FimlObjective:
    """``-2 logL / N`` (without the ``log 2pi`` constant) of a semopy model by pattern, on
    ``z = (theta, mu)``; the likelihood itself is
    :class:`~csi.estimate.cbsem.likelihood.PatternLikelihood` (shared with complete-data ML)."""

    def __init__(self, model: semopy.Model, pm: PatternMoments, n_theta: int):
        self.m, self.pm, self.k = model, pm, n_theta
        self.lik = PatternLikelihood(pm.masks, pm.n, pm.sums, pm.cross)
        self.center = np.asarray(pm.center, dtype=float)
        self.N = pm.n_total

    def _split(self, z):
        return z[:self.k], z[self.k:]

    def sigma(self, theta):
        self.m.update_matrices(theta)
        sigma, (mm, c) = self.m.calc_sigma()
        return sigma, mm, c

    def value_at(self, sigma, mu) -> float:
        """Objective at a given covariance and mean (e.g. the saturated EM solution)."""
        return self.lik.value(sigma, np.asarray(mu, dtype=float) - self.center) / self.N

    def f(self, z):
        theta, mu = self._split(z)
        sigma, _, _ = self.sigma(theta)
        return float(self.value_at(sigma, mu))

    def grad(self, z):
        return self.grad_info(z)[0]

    def grad_info(self, z, info: bool = False):
        """Gradient of :meth:`f` and, with ``info``, its expected Hessian (Fisher information / N)."""
        theta, mu = self._split(z)
        sigma, mm, c = self.sigma(theta)
        _, G, gmu, invs = self.lik.gradient(sigma, mu - self.center)
        if G is None:
            return np.full(len(z), np.nan), None
        D = np.stack(self.m.calc_sigma_grad(mm, c))
        g = np.concatenate([np.einsum("ij,kji->k", G, D), gmu]) / self.N
        if not info:
            return g, None
        Ht, Hmu = self.lik.information(D, invs, means=True)
        H = np.zeros((len(z), len(z)))
        H[:self.k, :self.k] = Ht
        H[self.k:, self.k:] = Hmu
        return g, H / self.N

    def expected_hessian(self, z):
        """Expected Hessian of :meth:`f` (Fisher information / N), theta and mu blocks."""
        return self.grad_info(z, info=True)[1]

    def hessian(self, z, h=1e-5):
        """Numerical Hessian of :meth:`f` (central differences of the analytic gradient)."""
        n = len(z)
        H = np.empty((n, n))
        for i in range(n):
            e = np.zeros(n)
            e[i] = h * max(1.0, abs(z[i]))
            H[i] = (self.grad(z + e) - self.grad(z - e)) / (2 * e[i])
        return 0.5 * (H + H.T)


def _fisher_scoring(obj: FimlObjective, z, max_steps: int = 200, gtol: float = 1e-11):
    """Fisher scoring with step halving from ``z``; stops at ``max|grad| < gtol``."""
    fz = obj.f(z)
    steps = 0
    for steps in range(1, max_steps + 1):  # noqa: B007
        g, H = obj.grad_info(z, info=True)
        if H is None or not np.all(np.isfinite(g)) or np.max(np.abs(g)) < gtol:
            break
        try:
            dz = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            break
        step = halve_until_lower(obj.f, z, dz, fz, tries=27, rel_tol=1e-15)  # t down to 1.5e-8
        if step is None:
            break
        z, fz = step
    return z, steps


def refit_fiml(obj: FimlObjective, z0, *, gtol: float = 1e-11):
    """FIML solution from the start ``z0``: Fisher scoring, and when that stops short of
    ``max|grad| < 1e-9``, L-BFGS-B then scoring again. Returns ``(z, max|grad|, iterations)``."""
    z, steps = _fisher_scoring(obj, np.asarray(z0, dtype=float), gtol=gtol)
    g = obj.grad(z)
    if not np.max(np.abs(g)) < 1e-9:
        res = minimize(obj.f, z, jac=obj.grad, method="L-BFGS-B",
                       options={"maxiter": 20000, "maxfun": 50000, "ftol": 1e-15, "gtol": 1e-11})
        z, steps2 = _fisher_scoring(obj, np.asarray(res.x, dtype=float), gtol=gtol)
        steps += int(res.nit) + steps2
        g = obj.grad(z)
    mg = float(np.max(np.abs(g)))
    return z, (mg if np.isfinite(mg) else np.inf), steps


def fit_sem_fiml(description: str, data: pd.DataFrame, *, seed=None, max_starts: int = 4):
    """:func:`_fit_sem_fiml` with single-threaded BLAS (its matrices are small: threads only
    cost, badly so on a loaded machine)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return _fit_sem_fiml(description, data, seed=seed, max_starts=max_starts)


def _fit_sem_fiml(description: str, data: pd.DataFrame, *, seed=None, max_starts: int = 4):
    """Fit a semopy/lavaan-style description by FIML on data with NaN = missing.

    Returns ``(sf, info)``: ``sf`` a :class:`~csi.estimate.cbsem.engine.SemFit` whose ``S`` is
    the EM (saturated ML) covariance, ``sigma`` the model-implied covariance, ``vcov`` from the
    observed information; ``info`` holds ``mean`` (model-implied item means), ``em`` (the
    :class:`~csi.estimate.missing.em.EMResult`), ``loglik``, ``loglik_h1``, ``chi2`` (the
    likelihood-ratio test against the saturated model), ``patterns`` and ``hessian`` (the
    numerical Hessian of ``-2 logL / N`` in ``(theta, mu)``; the bootstrap's refits take their
    Newton steps with its inverse).
    """
    from csi.estimate.cbsem.engine import SemFit, _minimize, _Problem
    from csi.estimate.cbsem.solution import _parameter_table

    try:
        model = semopy.Model(description)
    except Exception as exc:  # semopy raises bare exceptions on syntax errors
        raise ParameterError(f"cannot parse the CB-SEM model description: {exc}") from exc
    obs = list(model.vars["observed"])
    absent = [v for v in obs if v not in data.columns]
    if absent:
        raise DataError(f"the data has no column for observed variable(s) {', '.join(absent)}")
    sub = data[obs].astype("float64")
    pm = PatternMoments.from_frame(sub)
    r = em(pm)
    if pm.n_empty:
        raise DataError(f"{pm.n_empty} respondent(s) answered none of the items; drop them first")
    S = r.cov
    model.load(cov=pd.DataFrame(S, index=obs, columns=obs), n_samples=int(round(pm.n_total)))
    prob = _Problem(model, S=S)
    x0 = np.array(model.param_vals, dtype=float)
    x0, _, _, nit = _minimize(prob, x0)
    obj = FimlObjective(model, pm, len(x0))
    z, mg, steps = refit_fiml(obj, np.concatenate([x0, r.mean]))
    converged = bool(mg <= 1e-6)
    N = pm.n_total
    H = obj.hessian(z)
    k = len(x0)
    vcov = np.full((len(z), len(z)), np.nan)
    cond = np.inf
    if np.all(np.isfinite(H)):
        cond = float(np.linalg.cond(H))
        if cond < 1e14:
            vcov = np.linalg.inv(H * N / 2.0)  # observed information of logL = N/2 * Hess(f)
    x, mu = z[:k], z[k:]
    model.update_matrices(x)
    model.param_vals = x
    sigma, _ = model.calc_sigma()
    vx = vcov[:k, :k]
    params, mats = _parameter_table(model, x, vx)
    log2pi = np.log(2 * np.pi)
    n_obs_cells = float(pm.n @ pm.masks.sum(axis=1))
    loglik = -0.5 * (N * obj.f(z) + n_obs_cells * log2pi)
    loglik_h1 = -0.5 * (N * obj.value_at(r.cov, r.mean) + n_obs_cells * log2pi)
    latent = [v for v in model.vars["inner"] if v in model.vars["latent"]]
    sf = SemFit(params=params, observed=obs, inner=list(model.vars["inner"]), latent=latent,
                S=np.asarray(S), sigma=np.asarray(sigma), n_obs=int(round(N)),
                fmin=float(2 * (loglik_h1 - loglik) / N), n_free=k, converged=converged,
                n_iter=int(nit + steps), n_starts=1, max_grad=mg, vcov=vx, info_cond=cond,
                beta=mats[0], lam=mats[1], psi=mats[2], theta=mats[3], x=x, model=model)
    info = {"mean": mu, "mean_se": np.sqrt(np.clip(np.diag(vcov)[k:], 0, None)), "em": r, "hessian": H,
            "loglik": float(loglik), "loglik_h1": float(loglik_h1),
            "chi2": float(2 * (loglik_h1 - loglik)), "patterns": pm.n_patterns}
    return sf, info


def fiml_fit_indices(sf, info: dict, pm_sub: pd.DataFrame) -> dict:
    """Fit indices of a FIML solution: the chi-square is the likelihood-ratio test against the
    saturated (EM) model, the baseline is the independence model fitted by FIML (each item's
    observed mean and variance), CFI/TLI/RMSEA follow from them as in lavaan; SRMR compares the
    model-implied with the EM covariance.
    """
    import math

    from scipy.stats import chi2 as chi2_dist

    from csi.estimate.cbsem.fit_indices import fit_indices, rmsea_ci

    out = fit_indices(sf.S, sf.sigma, sf.n_obs, sf.n_free)
    p = sf.S.shape[0]
    df = p * (p + 1) // 2 - sf.n_free  # the mean structure is saturated in both models
    chi2 = max(info["chi2"], 0.0)
    x = pm_sub.to_numpy(dtype=float)
    ll_base = 0.0
    for j in range(p):
        col = x[~np.isnan(x[:, j]), j]
        var = col.var()
        ll_base += -0.5 * len(col) * (np.log(2 * np.pi) + np.log(var) + 1.0)
    b_chi2 = 2 * (info["loglik_h1"] - ll_base)
    b_df = p * (p - 1) // 2
    n = sf.n_obs
    t1 = max(chi2 - df, 0.0)
    t2 = max(chi2 - df, b_chi2 - b_df, 0.0)
    cfi = 1.0 if t2 == 0 else 1.0 - t1 / t2
    if df > 0 and b_df > 0:
        tli = (b_chi2 / b_df - chi2 / df) / (b_chi2 / b_df - 1.0)
        rmsea = math.sqrt(max(chi2 - df, 0.0) / (n * df))
    else:
        tli = rmsea = math.nan
    lo, hi = rmsea_ci(chi2, df, n)
    out.update(chi2=chi2, df=float(df), p_value=float(chi2_dist.sf(chi2, df)) if df > 0 else math.nan,
               cfi=cfi, tli=tli, rmsea=rmsea, rmsea_ci_low=lo, rmsea_ci_high=hi,
               baseline_chi2=b_chi2, baseline_df=float(b_df))
    return out
