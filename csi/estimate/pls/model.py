"""PLS path modeling (PLS-PM) as an sklearn-style estimator: :class:`PLSPathModel`.

The estimator works on sufficient statistics: one pass over the data gives item means, SDs
and the p x p correlation matrix (:mod:`csi.estimate.moments`); the Lohmöller iteration
(:mod:`csi.estimate.pls.algorithm`), the structural model (:mod:`csi.estimate.pls.effects`), the
quality measures (:mod:`csi.estimate.quality.measurement`) and the 0-100 index
(:mod:`csi.estimate.index.scaling`) are algebra on those (:mod:`csi.estimate.pls.statistics`).
The result tables are built on first access (:mod:`csi.estimate.pls.tables`); construct scores
only when asked for (``scores_``, ``index_scores_``, :meth:`PLSPathModel.transform`;
:mod:`csi.estimate.pls.scores`).

Matches SEMinR (``estimate_pls``, path weighting) on the corporate-reputation data to 1e-6
(see ``tests/golden/test_corp_rep.py``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from csi.errors import (
    ConvergenceWarning,
    DataError,
    NotFittedError,
    ParameterError,
    SmallSampleWarning,
)
from csi.estimate.missing.policies import missing_report, warn_dropped
from csi.estimate.moments import Moments, compute_moments, pairwise_correlation
from csi.estimate.params import check, check_number, check_option
from csi.estimate.pls import scores as sc
from csi.estimate.pls.algorithm import ModelArrays
from csi.estimate.pls.statistics import check_collinear, replicate_statistics, single_statistics
from csi.estimate.pls.tables import BUILDERS
from csi.estimate.prepare import prepare_arrays, prepare_data
from csi.estimate.quality import measurement as q
from csi.survey.model import ModelSpec

__all__ = ["PLSPathModel", "replicate_statistics", "single_statistics", "check_number"]

#: the former private name (``csi.engines.group_fit`` imports it)
_check_collinear = check_collinear


class PLSPathModel:
    """PLS path model estimator (Lohmöller/Wold PLS-PM; optional consistent PLSc).

    Parameters
    ----------
    weighting : {"path", "factorial", "centroid"}, default="path"
        Inner weighting scheme.
    max_iter : int, default=300
    tol : float, default=1e-7
        Stop when the summed absolute change of the standardized outer weights is below ``tol``.
    consistent : bool, default=False
        Dijkstra-Henseler PLSc correction (rho_A) for reflective constructs.

    Attributes
    ----------
    outer_weights_ : DataFrame ``construct, item, estimate`` (standardized items)
    unstandardized_weights_ : DataFrame ``construct, item, estimate`` (raw items, sum 1 per block)
    loadings_ : DataFrame ``construct, item, estimate``
    cross_loadings_ : DataFrame (items x constructs) item-construct correlations
    path_coefficients_ : DataFrame ``source, target, estimate`` (standardized)
    effects_ : DataFrame ``source, target, direct, indirect, total``
    r2_ : DataFrame ``construct, r2, r2_adj``
    f2_ : DataFrame ``source, target, f2``
    construct_correlations_ : DataFrame (k x k)
    index_ : DataFrame ``construct, score`` -- mean 0-100 index (higher is better)
    reliability_ : DataFrame ``construct, alpha, rho_a, rho_c, ave``
    htmt_ : DataFrame ``construct_a, construct_b, estimate``
    vif_outer_, vif_inner_, fornell_larcker_ : DataFrame
    srmr_ : float
    admissibility_ : DataFrame ``check, status, detail``
    scores_ : DataFrame -- standardized construct scores (computed on first access)
    index_scores_ : DataFrame -- per-respondent 0-100 index scores (computed on first access)
    n_obs_, n_iter_, converged_, missing_

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> z = rng.normal(size=(200, 1))
    >>> df = pd.DataFrame(np.clip(np.round(4 + z + rng.normal(size=(200, 4))), 1, 7),
    ...                   columns=["a1", "a2", "b1", "b2"])
    >>> m = ModelSpec.from_blocks({"a": ["a1", "a2"], "b": ["b1", "b2"]}, [("a", "b")])
    >>> est = PLSPathModel().fit(m, df)
    >>> bool(est.converged_), est.path_coefficients_.shape
    (True, (1, 3))
    """

    #: True in :mod:`csi.estimate.pls.higher_order`'s repeated-indicator model (items copied to
    #: the higher-order construct are collinear with themselves by design)
    _repeated_items = False

    def __init__(self, weighting="path", max_iter=300, tol=1e-7, consistent=False):
        self.weighting = weighting
        self.max_iter = max_iter
        self.tol = tol
        self.consistent = consistent

    def __getattr__(self, name):
        # Result tables are built on first access, each by its own builder (a fit is algebra
        # on p x p matrices; the pandas tables cost more than the estimation at small n).
        build = BUILDERS.get(name)
        if build is not None and "stats_" in self.__dict__:
            value = self.__dict__[name] = build(self)
            return value
        if name.endswith("_") and not name.startswith("__"):
            raise NotFittedError(
                f"This PLSPathModel instance is not fitted yet; call 'fit' before reading {name!r}."
            )
        raise AttributeError(name)

    def get_params(self, deep=True):
        return {k: getattr(self, k) for k in ("weighting", "max_iter", "tol", "consistent")}

    def _validate_params(self):
        for name in ("weighting", "max_iter", "tol"):
            check(name, getattr(self, name), func="PLSPathModel")
        if not isinstance(self.consistent, bool | np.bool_):
            raise ParameterError(
                f"The 'consistent' parameter of PLSPathModel must be a bool. Got {self.consistent!r} instead."
            )

    # -- fitting ----------------------------------------------------------------------------
    def fit(self, model: ModelSpec, data: pd.DataFrame, *, weights=None, missing="em",
            missing_types=None):
        """Fit on a respondent x item DataFrame; returns ``self``.

        ``data`` is checked and recoded by :func:`~csi.estimate.prepare.prepare_data`
        (missing codes, scale bounds, reverse items, ``missing`` policy, sampling ``weights``).
        ``missing="em"`` (default) estimates from the EM mean and covariance of the items
        (:mod:`csi.estimate.missing`); ``missing_types`` is the import's typed-missingness
        frame, used for the ``missing_`` report.
        """
        self._validate_params()
        if not isinstance(model, ModelSpec):
            raise ParameterError(
                f"The 'model' parameter of PLSPathModel.fit must be a ModelSpec. Got {type(model).__name__} instead."
            )
        check_option("missing", missing, ("em", "pairwise", "mean", "listwise"), func="PLSPathModel.fit")
        prep = prepare_arrays(model, data, missing=missing, weights=weights, missing_types=missing_types)
        x = prep.x
        # NaNs left by the policy (em, pairwise); clean data (none counted) are not scanned
        holes = missing in ("em", "pairwise") and prep.may_have_nan() and bool(np.isnan(x).any())
        self.em_ = None
        self._patterns = None
        em_info = None
        if missing == "em" and holes:
            from csi.estimate.missing import PatternMoments, em

            ma = ModelArrays.from_model(model)
            pm, codes = PatternMoments.from_arrays(x, model.item_ids, prep.weights,
                                                   center=(ma.lo + ma.hi) / 2)
            r = em(pm)
            if r.ridge:
                warnings.warn(f"EM's covariance is singular with {r.n:g} respondents for {len(model.item_ids)} "
                              f"items: estimated with a ridge of {r.ridge:g} of each item's variance "
                              "(regularised EM); treat these estimates as unstable", SmallSampleWarning,
                              stacklevel=2)
            if not r.converged:
                warnings.warn(f"EM did not converge in {r.iterations} iterations; the item means "
                              "and covariance are not the ML estimates", ConvergenceWarning, stacklevel=2)
            cov = r.cov_unbiased()
            sd = np.sqrt(np.diag(cov))
            R = cov / np.outer(sd, sd)
            np.fill_diagonal(R, 1.0)
            self._set_moments(model, R, r.mean, sd, r.n, len(x))
            self.em_, self._patterns = r, (pm, codes)
            em_info = {"iterations": r.iterations, "converged": r.converged, "ridge": r.ridge}
        elif missing == "em":
            em_info = {"iterations": 0, "converged": True}  # complete data: the sample moments
        if missing == "em" and self.em_ is None or missing in ("listwise", "mean"):
            ma = ModelArrays.from_model(model)
            mom = compute_moments(x, prep.weights, shift=(ma.lo + ma.hi) / 2)
            self._fit_moments(model, mom)
        elif missing == "pairwise" and holes:
            mean, sd, R, _ = pairwise_correlation(x, prep.weights)
            n = float(len(x)) if prep.weights is None else float(prep.weights.sum())
            self._set_moments(model, R, mean, sd, n, len(x))
        elif missing == "pairwise":
            ma = ModelArrays.from_model(model)
            mom = compute_moments(x, prep.weights, shift=(ma.lo + ma.hi) / 2)
            self._fit_moments(model, mom)
        self._prep = prep
        self._weights = prep.weights
        self.missing_ = missing_report(missing, prep.n_total, len(x), prep.type_counts,
                                       model.item_ids, em=em_info)
        warn_dropped(self.missing_, stacklevel=3)
        self.weights_used_ = prep.weights is not None
        return self

    def fit_moments(self, model: ModelSpec, moments: Moments):
        """Fit from precomputed :class:`~csi.estimate.moments.Moments` (e.g. from a database).

        Items must be in ``model.item_ids`` order, already recoded; no scores are available.
        """
        self._validate_params()
        self._fit_moments(model, moments)
        self._prep = None
        self.missing_ = missing_report("none", moments.n_obs, moments.n_obs,
                                       np.zeros((len(model.item_ids), 4), dtype=np.int64),
                                       model.item_ids)
        self.em_ = None
        self._patterns = None
        self.weights_used_ = False
        return self

    def _fit_moments(self, model, mom: Moments):
        cov = mom.cov()
        sd = np.sqrt(np.clip(np.diag(cov), 0.0, None))  # Moments.std() without a second cov
        const = [model.item_ids[i] for i in np.flatnonzero(sd <= 1e-12 * (1 + np.abs(mom.mean)))]
        if const:
            raise DataError(
                f"item(s) {', '.join(const)} are constant (zero variance) in the estimation sample; "
                "drop them from the model"
            )
        self._set_moments(model, mom.corr(cov), mom.mean, sd, mom.n, mom.n_obs)

    def _set_moments(self, model, R, mean, sd, n, n_obs):
        ma = ModelArrays.from_model(model)
        if not np.all(np.isfinite(R)):
            raise DataError("the item correlation matrix has undefined entries (constant items?)")
        if not self._repeated_items:  # the repeated-indicator HOC model copies items on purpose
            check_collinear(R, ma)
        for name in BUILDERS:  # a refit drops the previous fit's tables
            self.__dict__.pop(name, None)
        self.model_ = model
        self.arrays_ = ma
        self.corr_ = R
        self.item_mean_ = mean
        self.item_std_ = sd
        self.n_obs_ = int(n_obs)
        self.n_weight_ = float(n)
        self.htmt_pairs_ = q.htmt_pairs(ma)
        if self.consistent:
            st = replicate_statistics(
                R[:, :, None], mean[None], sd[None], ma, n, scheme=self.weighting, tol=self.tol,
                max_iter=self.max_iter, consistent=True, want_rho_a=False, want_htmt=False,
            )
            st = {k: (None if v is None else v[0]) for k, v in st.items()}
        else:
            st = single_statistics(R, mean, sd, ma, scheme=self.weighting, tol=self.tol,
                                   max_iter=self.max_iter)
        self.stats_ = st
        self.n_iter_ = int(st["n_iter"])
        self.converged_ = bool(st["converged"])
        if not self.converged_:
            warnings.warn(
                f"PLS did not converge in {self.max_iter} iterations (tol={self.tol:g}); "
                "results are flagged as not converged",
                ConvergenceWarning,
                stacklevel=3,
            )

    def _tables(self):
        """Build every result table (what reading all of them does one by one)."""
        for name in BUILDERS:
            getattr(self, name)

    # -- scores -----------------------------------------------------------------------------
    def transform(self, data: pd.DataFrame) -> pd.DataFrame:
        """Standardized construct scores for ``data`` (respondents x constructs).

        Items are standardized with the fitted means/SDs, so on the training data the scores
        have mean 0 and unit sample variance. A respondent with missing items is scored from
        the items they answered, the block's weights renormalised
        (:mod:`csi.estimate.missing.scores`); NaN only where a whole block is missing.
        """
        if "stats_" not in self.__dict__:
            raise NotFittedError("This PLSPathModel instance is not fitted yet; call 'fit' first.")
        items = prepare_data(self.model_, data, missing="pairwise").items
        return sc.std_scores(self, items.to_numpy(), items.index)

    def _has_items(self) -> bool:
        """Whether the fit saw respondent data (not only moments)."""
        return self.__dict__.get("_prep") is not None

    def _item_values(self) -> np.ndarray:
        """The prepared items (n, p) as float64 (no copy)."""
        return self._prep.x

    def _need_items(self, what):
        if not self._has_items():
            raise NotFittedError(f"{what} needs respondent data; fitted from moments only")
        return self._prep

    @property
    def scores_(self) -> pd.DataFrame:
        """Standardized construct scores (mean 0, unit sample variance) per respondent."""
        if "_scores" not in self.__dict__:
            self._both_scores("scores_")
        return self._scores

    @property
    def index_scores_(self) -> pd.DataFrame:
        """Per-respondent 0-100 index scores (raw items, unstandardized weights)."""
        if "_index_scores" not in self.__dict__:
            self._both_scores("index_scores_")
        return self._index_scores

    def _both_scores(self, what: str) -> None:
        """Standardized and 0-100 index scores together (one pass over the data)."""
        prep = self._need_items(what)
        self._scores, self._index_scores = sc.both_scores(self, prep.x, prep.index,
                                                          may_have_nan=prep.may_have_nan())
