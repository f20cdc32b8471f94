"""Maximum-likelihood CB-SEM on a semopy model description: robust optimization, SEs, std. solution.

semopy parses the lavaan-style description and builds the RAM-like matrices
(``Beta``, ``Lambda``, ``Psi``, ``Theta``) and their derivatives; csi drives the optimization
and computes standard errors and the standardized solution itself.

Conventions (identical to lavaan 0.6 ``sem(..., estimator = "ML")`` with complete data)
-----------------------------------------------------------------------------------
- ``S`` is the *biased* sample covariance (divisor ``N``); the ML discrepancy is
  ``F = log|Sigma| + tr(S Sigma^-1) - log|S| - p`` and the model chi-square is ``N * F``.
- Variances are *not* bounded at zero (semopy bounds them; lavaan does not): a Heywood case
  shows up as a negative variance and is flagged by
  :func:`csi.estimate.cbsem.admissibility.check_admissibility` instead of hiding at the bound.
- Optimization: Fisher scoring (expected Hessian, step halving) on semopy's analytic
  derivatives; if it does not converge, scipy L-BFGS-B from the same start with tight
  tolerances, polished by Fisher scoring,
  until ``max|grad F| < 1e-9`` (converged means ``<= 1e-6``). If that fails from
  semopy's starting values, up to ``max_starts - 1`` perturbed starts (``seed``) are tried
  and the converged solution with the smallest ``F`` is kept.
- Standard errors from the expected information ``N/2 * tr(Sigma^-1 dSigma_i Sigma^-1 dSigma_j)``
  (lavaan's default ``information = "expected"``). Standardized estimates follow lavaan's
  ``std.all`` with ``cov.std = TRUE`` (residual covariances become residual correlations);
  their SEs use the delta method with a central-difference Jacobian.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import semopy
from scipy.optimize import minimize

from csi.errors import DataError, ParameterError
from csi.estimate.cbsem.likelihood import PatternLikelihood
from csi.estimate.cbsem.solution import (  # importable from here as before the split
    PARAM_COLUMNS,
    _delta_se,  # noqa: F401
    _param_locations,  # noqa: F401
    _parameter_table,
    _row_label,  # noqa: F401
    _standardize,  # noqa: F401
)
from csi.estimate.cbsem.step_halving import halve_until_lower
from csi.estimate.params import check

__all__ = ["SemFit", "fit_sem", "PARAM_COLUMNS"]

_GRAD_TOL = 1e-9  # max |dF/dtheta| accepted as converged after polishing
_GRAD_OK = 1e-6  # looser bound still reported as converged (flat but PD solutions)


@dataclass
class SemFit:
    """A fitted ML structural equation model (all arrays in semopy's variable order).

    Attributes
    ----------
    params : DataFrame
        :data:`PARAM_COLUMNS`; ``op`` is lavaan's (``=~`` loading, ``~`` regression,
        ``~~`` (co)variance); ``*_std`` are lavaan ``std.all`` values.
    observed, inner : list of str
        Observed variables (rows of ``Lambda``) and inner variables (constructs, and observed
        variables that take part in regressions).
    S, sigma : ndarray
        Sample (divisor N) and model-implied covariance of ``observed``.
    n_obs : int
        Respondents used (N).
    fmin : float
        ML discrepancy ``F`` at the solution; chi-square is ``n_obs * fmin``.
    n_free : int
        Free parameters.
    converged, n_iter, n_starts, max_grad : convergence report.
    vcov : ndarray
        Covariance of the free parameters (NaN when the information matrix is singular).
    info_cond : float
        Condition number of the expected information matrix (inf when singular).
    beta, lam, psi, theta : ndarray
        Estimated matrices.
    """

    params: pd.DataFrame
    observed: list[str]
    inner: list[str]
    latent: list[str]
    S: np.ndarray
    sigma: np.ndarray
    n_obs: int
    fmin: float
    n_free: int
    converged: bool
    n_iter: int
    n_starts: int
    max_grad: float
    vcov: np.ndarray
    info_cond: float
    beta: np.ndarray
    lam: np.ndarray
    psi: np.ndarray
    theta: np.ndarray
    x: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    model: Any = field(repr=False, default=None)

    def delta(self, func: Callable[..., np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Value and delta-method SE of ``func(beta, lam, psi, theta)`` (a 1-D array).

        The Jacobian is taken by central differences in the free parameters; the SE is
        ``sqrt(diag(J V J'))`` with ``V`` = :attr:`vcov` (NaN where ``J V J'`` vanishes).
        """
        val = np.asarray(func(self.beta, self.lam, self.psi, self.theta), dtype=float)
        return val, _delta_se(self.model, self.x, self.vcov, func)

    @property
    def inner_cov(self) -> np.ndarray:
        """Model-implied covariance of the inner variables, ``C Psi C'`` with ``C = (I-B)^-1``."""
        c = np.linalg.inv(np.eye(len(self.inner)) - self.beta)
        return c @ self.psi @ c.T


# -- objective ---------------------------------------------------------------------------------
class _Problem:
    """ML discrepancy, gradient and expected Hessian of a loaded semopy model (the one-pattern
    case of :class:`~csi.estimate.cbsem.likelihood.PatternLikelihood`)."""

    def __init__(self, model: semopy.Model, S: np.ndarray | None = None):
        self.m = model
        self.S = model.mx_cov if S is None else S
        self.p = self.S.shape[0]
        sign, self.logdet_s = np.linalg.slogdet(self.S)
        if sign <= 0:
            raise DataError(
                "the item covariance matrix is singular (an item is constant or a linear "
                "combination of others); remove duplicated or constant items"
            )
        self.lik = PatternLikelihood.complete(self.S)

    def _sigma(self, x):
        self.m.update_matrices(x)
        sigma, (mm, c) = self.m.calc_sigma()
        return sigma, mm, c

    def f(self, x) -> float:
        sigma, _, _ = self._sigma(x)
        val = self.lik.value(sigma) - self.logdet_s - self.p
        return float(val) if np.isfinite(val) else np.inf

    def grad_hess(self, x, hess: bool = True):
        sigma, mm, c = self._sigma(x)
        _, G, _, invs = self.lik.gradient(sigma)
        if G is None:
            return None, None
        D = np.stack(self.m.calc_sigma_grad(mm, c))  # (k, p, p)
        g = np.einsum("ij,kji->k", G, D)
        if not hess:
            return g, None
        return g, self.lik.information(D, invs)

    def grad(self, x):
        g, _ = self.grad_hess(x, hess=False)
        return np.full(len(x), np.nan) if g is None else g


def _polish(prob: _Problem, x: np.ndarray, max_steps: int = 100) -> tuple[np.ndarray, int]:
    """Fisher scoring with step halving from ``x``; returns (x, steps).

    Stops when ``max|grad| < 1e-9``, when the Newton decrement ``g' H^-1 g`` falls below
    ``1e-20`` (F cannot improve within double precision), or when no step size decreases F.
    """
    fx = prob.f(x)
    steps = 0
    for steps in range(1, max_steps + 1):  # noqa: B007
        g, h = prob.grad_hess(x)
        if g is None or not np.all(np.isfinite(g)) or np.max(np.abs(g)) < _GRAD_TOL:
            break
        try:
            d = np.linalg.solve(h, g)
        except np.linalg.LinAlgError:
            d = np.linalg.lstsq(h, g, rcond=None)[0]
        if 0 <= g @ d < 1e-20:
            break
        step = halve_until_lower(prob.f, x, d, fx, tries=40, rel_tol=1e-14)
        if step is None:
            break
        x, fx = step
    return x, steps


def _minimize(prob: _Problem, x0: np.ndarray) -> tuple[np.ndarray, float, float, int]:
    """Fisher scoring from ``x0``; if it does not converge, L-BFGS-B from ``x0`` then Fisher scoring.

    Returns (x, F, max|grad|, iterations).
    """
    x0 = np.asarray(x0, dtype=float)
    if not np.isfinite(prob.f(x0)):
        return x0, np.inf, np.inf, 0

    def report(x):
        g = prob.grad(x)
        return float(np.max(np.abs(g))) if np.all(np.isfinite(g)) else np.inf

    x, steps = _polish(prob, x0, max_steps=50)
    mg = report(x)
    if mg <= _GRAD_TOL:
        return x, prob.f(x), mg, steps
    res = minimize(prob.f, x0, jac=prob.grad, method="L-BFGS-B",
                   options={"maxiter": 20000, "maxfun": 50000, "ftol": 1e-15, "gtol": 1e-10})
    x, steps2 = _polish(prob, np.asarray(res.x, dtype=float))
    return x, prob.f(x), report(x), steps + int(res.nit) + steps2


def _check_covariance(sub: pd.DataFrame) -> None:
    """Raise DataError for constant items or a singular covariance matrix (before semopy would
    silently replace it by a nearby positive-definite matrix)."""
    x = sub.to_numpy(float)
    var = x.var(axis=0)
    const = [c for c, v in zip(sub.columns, var, strict=True) if not v > 0]
    if const:
        raise DataError(
            f"item(s) {', '.join(map(str, const))} have the same answer for every respondent "
            "(zero variance); CB-SEM cannot use them -- drop them from the model"
        )
    r = np.corrcoef(x, rowvar=False)
    eig = np.linalg.eigvalsh(r)
    if eig.min() <= 1e-10 * eig.max():
        raise DataError(
            "the item correlation matrix is singular (an item is a linear combination of "
            f"others, or there are fewer respondents ({x.shape[0]}) than items ({x.shape[1]})); "
            "remove duplicated items"
        )


# -- public ------------------------------------------------------------------------------------
def fit_sem(
    description: str,
    data: pd.DataFrame,
    *,
    seed: int | None = None,
    max_starts: int = 4,
) -> SemFit:
    """Fit a lavaan-style model description by ML (lavaan-equal estimates, SEs and std. solution).

    Parameters
    ----------
    description : str
        semopy/lavaan syntax (``=~``, ``~``, ``~~``, fixed values such as ``0*x``).
    data : DataFrame
        Complete numeric data; columns include every observed variable.
    seed : int, optional
        Seed for the perturbed restarts (used only when the first start fails).
    max_starts : int, default=4
        Starting points tried at most (semopy's starts first).

    Returns
    -------
    SemFit

    Raises
    ------
    DataError
        Missing values or a singular covariance matrix.
    ParameterError
        The description cannot be parsed by semopy, or it has more free parameters than
        distinct variances and covariances (negative df: not identified).

    Notes
    -----
    Checked against lavaan 0.6.14 on Bollen's Political Democracy model and on a simulated
    ACSI model (``tests/golden/test_cbsem_lavaan.py``): estimates, SEs and ``std.all`` to 1e-3.
    """
    check("max_starts", max_starts, func="fit_sem")
    try:
        model = semopy.Model(description)
    except Exception as exc:  # semopy raises bare exceptions on syntax errors
        raise ParameterError(f"cannot parse the CB-SEM model description: {exc}") from exc
    obs = list(model.vars["observed"])
    absent = [v for v in obs if v not in data.columns]
    if absent:
        raise DataError(f"the data has no column for observed variable(s) {', '.join(absent)}")
    sub = data[obs].astype("float64")
    if sub.isna().to_numpy().any():
        raise DataError("CB-SEM needs complete data; apply a missing-data policy first")
    _check_covariance(sub)
    model.load(sub)
    prob = _Problem(model)
    x_default = np.array(model.param_vals, dtype=float)
    n_moments = len(obs) * (len(obs) + 1) // 2
    if x_default.size > n_moments:
        raise ParameterError(
            f"the CB-SEM model is not identified: it has {x_default.size} free parameters but the "
            f"{len(obs)} items give only {n_moments} distinct variances and covariances "
            f"(df = {n_moments - x_default.size}); a construct needs at least 3 items, or 2 items "
            "and a path to another construct"
        )
    rng = np.random.default_rng(seed)
    tried: list[tuple[np.ndarray, float, float]] = []
    n_iter_total = 0
    for attempt in range(max_starts):
        if attempt == 0:
            x0 = x_default
        else:
            scale = 0.25 * attempt * (np.abs(x_default) + 0.1)
            x0 = x_default + rng.normal(0.0, 1.0, x_default.shape) * scale
        x, fx, mg, nit = _minimize(prob, x0)
        n_iter_total += nit
        tried.append((x, fx, mg))
        if np.isfinite(fx) and mg <= _GRAD_OK:
            break
    n_starts = len(tried)
    ok = [t for t in tried if np.isfinite(t[1]) and t[2] <= _GRAD_OK]
    x, fx, mg = min(ok or tried, key=lambda t: (t[1], t[2]))
    converged = bool(np.isfinite(fx) and mg <= _GRAD_OK)
    g, h = prob.grad_hess(x)
    model.update_matrices(x)
    model.param_vals = x
    sigma, _ = model.calc_sigma()
    n = int(sub.shape[0])
    n_free = len(x)

    vcov = np.full((n_free, n_free), np.nan)
    cond = np.inf
    if h is not None and np.all(np.isfinite(h)):
        cond = float(np.linalg.cond(h))
        if np.isfinite(cond) and cond < 1e14:
            vcov = np.linalg.inv(h) * (2.0 / n)

    params, mats = _parameter_table(model, x, vcov)
    latent = [v for v in model.vars["inner"] if v in model.vars["latent"]]
    return SemFit(
        params=params, observed=obs, inner=list(model.vars["inner"]), latent=latent,
        S=np.array(model.mx_cov), sigma=np.array(sigma), n_obs=n, fmin=float(fx),
        n_free=n_free, converged=converged, n_iter=n_iter_total, n_starts=n_starts,
        max_grad=float(mg), vcov=vcov, info_cond=cond,
        beta=mats[0], lam=mats[1], psi=mats[2], theta=mats[3], x=x, model=model,
    )
