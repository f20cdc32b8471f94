"""``CBSEMModel``: the sklearn-style estimator face of :func:`csi.estimate.cbsem.fit.fit_cbsem`.

``__init__`` stores hyperparameters only; :meth:`CBSEMModel.fit` checks them and the data and
returns ``self``; learned attributes end in ``_`` and raise
:class:`~csi.errors.NotFittedError` before ``fit`` -- the same contract as ``PLSPathModel``.
"""

from __future__ import annotations

import pandas as pd

from csi.errors import NotFittedError
from csi.survey.model import ModelSpec

__all__ = ["CBSEMModel"]

_FROM_RESULT = {
    "path_coefficients_": "path_coefficients",
    "total_effects_": "total_effects",
    "loadings_": "loadings",
    "unstandardized_weights_": "unstandardized_weights",
    "r2_": "r2",
    "index_": "index",
    "index_scores_": "scores",
    "scores_": "std_scores",
    "reliability_": "reliability",
    "htmt_": "htmt",
    "admissibility_": "admissibility",
    "converged_": "converged",
    "n_iter_": "n_iter",
    "n_obs_": "n_obs",
    "missing_": "missing",
    "fit_indices_": "fit",
}


class CBSEMModel:
    """Covariance-based SEM by ML (semopy model, csi optimization, lavaan-equal results).

    Parameters
    ----------
    single_item_reliability : float, default=1.0
        Assumed reliability of single-item constructs (error variance ``(1 - r) var(item)``).
    max_starts : int, default=4
        Starting points tried when the optimizer does not converge.
    n_boot : int, default=0
        Bootstrap resamples (0: delta-method SEs and normal CIs).
    alpha : float, default=0.05
    seed : int or None

    Attributes
    ----------
    result_ : IndexResult
    params_ : DataFrame -- lavaan-style parameter table (``lhs, op, rhs, estimate, se, ...``)
    path_coefficients_, total_effects_, loadings_, unstandardized_weights_, r2_, index_,
    index_scores_, scores_, reliability_, htmt_, admissibility_ : DataFrame
    fit_indices_ : dict -- ``chi2, df, p_value, cfi, tli, rmsea, rmsea_ci_low, rmsea_ci_high, srmr``
    converged_, n_iter_, n_obs_, missing_

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(5)
    >>> q = rng.normal(size=250); s = 0.5 * q + rng.normal(size=250)
    >>> df = pd.DataFrame({f"{n}{i}": np.clip(np.round(4 + v + 0.7 * rng.normal(size=250)), 1, 7)
    ...                    for n, v in (("q", q), ("s", s)) for i in (1, 2, 3)})
    >>> m = ModelSpec.from_blocks({"q": ["q1", "q2", "q3"], "s": ["s1", "s2", "s3"]}, [("q", "s")])
    >>> est = CBSEMModel().fit(m, df)
    >>> bool(est.converged_), est.path_coefficients_.shape[0]
    (True, 1)
    >>> CBSEMModel().r2_
    Traceback (most recent call last):
    ...
    csi.errors.NotFittedError: This CBSEMModel instance is not fitted yet; call 'fit' before reading 'r2_'.
    """

    def __init__(self, single_item_reliability=1.0, max_starts=4, n_boot=0, alpha=0.05,
                 seed=None):
        self.single_item_reliability = single_item_reliability
        self.max_starts = max_starts
        self.n_boot = n_boot
        self.alpha = alpha
        self.seed = seed

    def get_params(self, deep=True):
        return {k: getattr(self, k) for k in
                ("single_item_reliability", "max_starts", "n_boot", "alpha", "seed")}

    def __getattr__(self, name):
        if name in _FROM_RESULT and "result_" in self.__dict__:
            return getattr(self.__dict__["result_"], _FROM_RESULT[name])
        if name == "params_" and "result_" in self.__dict__:
            return self.__dict__["result_"].extra["parameters"]
        if name.endswith("_") and not name.startswith("__"):
            raise NotFittedError(
                f"This CBSEMModel instance is not fitted yet; call 'fit' before reading {name!r}."
            )
        raise AttributeError(name)

    def fit(self, model: ModelSpec, data: pd.DataFrame, *, missing: str = "listwise",
            survey_version: str | None = None) -> CBSEMModel:
        """Estimate on a respondent x item DataFrame (see :func:`~csi.estimate.cbsem.fit.fit_cbsem`)."""
        from csi.estimate.cbsem.fit import fit_cbsem

        self.result_ = fit_cbsem(
            model, data, missing=missing, seed=self.seed, n_boot=self.n_boot, alpha=self.alpha,
            single_item_reliability=self.single_item_reliability, max_starts=self.max_starts,
            survey_version=survey_version,
        )
        return self
