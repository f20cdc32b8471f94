"""PLS path modeling (PLS-PM) as an sklearn-style estimator: :class:`PLSPathModel`.

The estimator works on sufficient statistics: one pass over the data gives item means, SDs
and the p x p correlation matrix (:mod:`csi.estimate.moments`); the Lohmöller iteration
(:mod:`csi.estimate.pls.algorithm`), the structural model (:mod:`csi.estimate.pls.effects`), the
quality measures (:mod:`csi.estimate.quality.measurement`) and the 0-100 index
(:mod:`csi.estimate.index.scaling`) are algebra on those. Construct scores are computed only when
asked for (``scores_``, ``index_scores_``, :meth:`PLSPathModel.transform`).

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
from csi.estimate.index.scaling import index_means, unstandardized_weights
from csi.estimate.missing.policies import missing_report, warn_dropped
from csi.estimate.missing.scores import renormalised_index_scores, renormalised_std_scores
from csi.estimate.moments import Moments, compute_moments, pairwise_correlation
from csi.estimate.params import check, check_number, check_option
from csi.estimate.pls import effects as fx
from csi.estimate.pls.algorithm import ModelArrays, pls_weights, pls_weights_t
from csi.estimate.prepare import prepare_arrays, prepare_data
from csi.estimate.quality import measurement as q
from csi.survey.model import ModelSpec

__all__ = ["PLSPathModel", "replicate_statistics", "check_number"]


def replicate_statistics(Rt, mean, sd, ma: ModelArrays, n, *, scheme="path", tol=1e-7,
                         max_iter=300, consistent=False, pairs=None, want_rho_a=True, w0=None,
                         want_htmt=True, want_w_matrix=True):
    """All bootstrapped statistics for a stack of moments.

    ``Rt`` is the stack of item correlation matrices *batch-last*, shape (p, p, B) (as
    :func:`csi.estimate.resample.bootstrap.moments_from_sums` returns it); ``mean`` and ``sd`` are
    (B, p). Returns a dict of arrays with the batch axis first: ``weights``/``loadings``
    (B, p), ``paths``/``total`` (B, k, k), ``r2`` (B, k), ``index`` (B, k), ``htmt``
    (B, n_pairs), ``u`` (B, p), ``W`` (B, p, k; None with ``want_w_matrix=False``), ``C``
    (B, k, k), ``rho_a`` (B, k), ``n_iter`` and ``converged`` (B,).
    """
    it = pls_weights_t(Rt, ma, scheme=scheme, tol=tol, max_iter=max_iter, w0=w0)
    B = it.w.shape[1]
    weights = it.w.T
    need_W = want_w_matrix or consistent or want_rho_a
    W = weights[:, :, None] * ma.member if need_W else None
    with np.errstate(invalid="ignore", divide="ignore"):
        C = it.C.transpose(2, 0, 1)
        load = it.rw[ma.item_block, np.arange(ma.p)].T
        R = Rt.transpose(2, 0, 1)  # a view, for the PLSc measures only
        rhoa = fx.rho_a(R, W, ma) if (consistent or want_rho_a) else None
        if consistent:
            C = fx.consistent_correlations(C, rhoa)
            load = fx.consistent_loadings(R, W, rhoa, ma, load)
        ok = np.isfinite(C).all(axis=(1, 2))
        Cs = np.where(ok[:, None, None], C, np.eye(ma.k))
        try:
            Bm, r2 = fx.structural(Cs, ma)
            T = fx.total_effects(Bm)
        except np.linalg.LinAlgError:
            Bm = np.full((B, ma.k, ma.k), np.nan)
            r2 = np.full((B, ma.k), np.nan)
            T = Bm.copy()
        u = unstandardized_weights(weights, sd, ma)
        idx = index_means(u, mean, ma)
    conv = it.converged & ok
    return {
        "W": W,
        "weights": weights,
        "loadings": load,
        "C": C,
        "paths": Bm,
        "total": T,
        "r2": r2,
        "u": u,
        "index": idx,
        "htmt": q.htmt_t(Rt, ma, pairs if pairs is not None else q.htmt_pairs(ma)) if want_htmt else None,
        "rho_a": rhoa,
        "n_iter": it.n_iter,
        "converged": conv,
    }


def single_statistics(R, mean, sd, ma: ModelArrays, *, scheme="path", tol=1e-7, max_iter=300,
                      w0=None) -> dict:
    """:func:`replicate_statistics` for one correlation matrix (no PLSc, no rho_A, no HTMT).

    Same keys, without the leading batch axis; 2-D algebra (a single fit is dominated by
    call overhead, not arithmetic).
    """
    W, n_iter, conv, L = pls_weights(R[None], ma, scheme=scheme, tol=tol, max_iter=max_iter, w0=w0)
    W, L = W[0], L[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        C = W.T @ L
        d = np.sqrt(C.diagonal())
        C = C / (d[:, None] * d)
        ok = bool(np.isfinite(C).all())
        try:
            Bm, r2, T = fx.structural_single(C if ok else np.eye(ma.k), ma)
        except np.linalg.LinAlgError:
            Bm = np.full((ma.k, ma.k), np.nan)
            r2 = np.full(ma.k, np.nan)
            T = Bm.copy()
        u = unstandardized_weights(W[None], sd[None], ma)[0]
        idx = index_means(u, mean, ma)
    return {
        "W": W, "weights": W.sum(axis=1), "loadings": L.take(ma.flat.diag), "C": C,
        "paths": Bm, "total": T, "r2": r2, "u": u, "index": idx, "htmt": None, "rho_a": None,
        "n_iter": int(n_iter[0]), "converged": bool(conv[0]) and ok,
    }


def _check_collinear(R: np.ndarray, ma: ModelArrays) -> None:
    off = np.abs(R - np.eye(ma.p))
    if np.any(off > 1 - 1e-10):
        i, j = np.argwhere(np.triu(off > 1 - 1e-10, 1))[0]
        raise DataError(
            f"items {ma.item_ids[i]!r} and {ma.item_ids[j]!r} are perfectly collinear "
            "(correlation ±1); drop one of them"
        )
    for j in np.flatnonzero(ma.mode_b):
        b = ma.blocks[j]
        if len(b) > 1 and np.linalg.eigvalsh(R[np.ix_(b, b)]).min() < 1e-10:
            raise DataError(
                f"the items of formative construct {ma.construct_ids[j]!r} are linearly dependent; "
                "Mode B weights are not identified (drop a redundant item)"
            )


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

    #: result table -> the method that builds it (on first access)
    _TABLES = {
        "outer_weights_": "_build_weights", "unstandardized_weights_": "_build_unstandardized_weights",
        "loadings_": "_build_loadings", "cross_loadings_": "_build_cross_loadings",
        "construct_correlations_": "_build_construct_correlations",
        "path_coefficients_": "_build_paths", "total_pairs_": "_build_effects",
        "effects_": "_build_effects", "r2_": "_build_r2", "f2_": "_build_f2",
        "index_": "_build_index", "reliability_": "_build_reliability", "htmt_": "_build_htmt",
        "fornell_larcker_": "_build_fornell_larcker", "vif_outer_": "_build_vif_outer",
        "vif_inner_": "_build_vif_inner", "srmr_": "_build_srmr",
        "admissibility_": "_build_admissibility",
    }

    def __getattr__(self, name):
        # Result tables are built on first access, each by its own builder (a fit is algebra
        # on p x p matrices; the pandas tables cost more than the estimation at small n).
        if name in PLSPathModel._TABLES and "stats_" in self.__dict__:
            getattr(self, PLSPathModel._TABLES[name])()
            return self.__dict__[name]
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
        self.em_ = None
        self._patterns = None
        em_info = None
        if missing == "em" and np.isnan(x).any():
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
        elif missing == "pairwise" and np.isnan(x).any():
            mean, sd, R, _ = pairwise_correlation(x, prep.weights)
            n = float(len(x)) if prep.weights is None else float(prep.weights.sum())
            self._set_moments(model, R, mean, sd, n, len(x))
        elif missing == "pairwise":
            ma = ModelArrays.from_model(model)
            mom = compute_moments(x, prep.weights, shift=(ma.lo + ma.hi) / 2)
            self._fit_moments(model, mom)
        self._prep = prep
        self._items = None
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
        self._items = None
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
            _check_collinear(R, ma)
        for name in PLSPathModel._TABLES:  # a refit drops the previous fit's tables
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

    # Result tables, each built on first access by its builder (a fit is algebra on p x p
    # matrices; the pandas tables cost more than the estimation at small n).
    def _tables(self):
        """Build every result table (what reading all of them does one by one)."""
        for name in PLSPathModel._TABLES:
            getattr(self, name)

    def _labels(self):
        ma = self.arrays_
        cids = list(ma.construct_ids)
        return ma, self.stats_, cids, list(ma.item_ids), [cids[j] for j in ma.item_block]

    def _per_item(self, v):
        _, _, _, items, owner = self._labels()
        return pd.DataFrame({"construct": owner, "item": items, "estimate": np.asarray(v, float)})

    def _path_positions(self):
        ma, _, cids, _, _ = self._labels()
        pos = [(i, j) for i in range(ma.k) for j in range(ma.k) if ma.adj[i, j]]
        order = {c: n for n, c in enumerate(self.model_.topological_order())}
        pos.sort(key=lambda ij: (order[cids[ij[1]]], ij[0]))
        return pos, order

    def _build_weights(self):
        self.outer_weights_ = self._per_item(self.stats_["weights"])

    def _build_unstandardized_weights(self):
        self.unstandardized_weights_ = self._per_item(self.stats_["u"])

    def _build_loadings(self):
        self.loadings_ = self._per_item(self.stats_["loadings"])

    def _build_cross_loadings(self):
        ma, st, cids, items, _ = self._labels()
        self.cross_loadings_ = pd.DataFrame(self.corr_ @ st["W"], index=items, columns=cids)

    def _build_construct_correlations(self):
        _, st, cids, _, _ = self._labels()
        self.construct_correlations_ = pd.DataFrame(st["C"], index=cids, columns=cids)

    def _build_paths(self):
        _, st, cids, _, _ = self._labels()
        Bm = st["paths"]
        pos, _ = self._path_positions()
        self.path_coefficients_ = pd.DataFrame(
            {"source": [cids[i] for i, _ in pos], "target": [cids[j] for _, j in pos],
             "estimate": [Bm[i, j] for i, j in pos]}
        )

    def _build_effects(self):
        ma, st, cids, _, _ = self._labels()
        Bm, T = st["paths"], st["total"]
        _, order = self._path_positions()
        reach = [(i, j) for i in range(ma.k) for j in range(ma.k) if self._reachable(i, j)]
        reach.sort(key=lambda ij: (order[cids[ij[1]]], order[cids[ij[0]]]))
        self.total_pairs_ = reach
        self.effects_ = pd.DataFrame(
            {"source": [cids[i] for i, _ in reach], "target": [cids[j] for _, j in reach],
             "direct": [Bm[i, j] for i, j in reach],
             "indirect": [T[i, j] - Bm[i, j] for i, j in reach],
             "total": [T[i, j] for i, j in reach]}
        )

    def _build_r2(self):
        ma, st, cids, _, _ = self._labels()
        n_pred = np.array([len(ma.preds[j]) for j in range(ma.k)])
        r2 = st["r2"]
        endo = list(ma.endogenous)
        self.r2_ = pd.DataFrame(
            {"construct": [cids[j] for j in endo], "r2": r2[endo],
             "r2_adj": fx.adjusted_r2(r2[endo], self.n_obs_, n_pred[endo])}
        )

    def _build_f2(self):
        ma, st, cids, _, _ = self._labels()
        pos, _ = self._path_positions()
        f2 = fx.f_squared(st["C"][None], ma)
        self.f2_ = pd.DataFrame(
            {"source": [cids[i] for i, _ in pos], "target": [cids[j] for _, j in pos],
             "f2": [f2[i, j] for i, j in pos]}
        )

    def _build_index(self):
        _, st, cids, _, _ = self._labels()
        self.index_ = pd.DataFrame({"construct": cids, "score": st["index"]})

    def _build_reliability(self):
        ma, st, cids, _, _ = self._labels()
        if st["rho_a"] is None:
            st["rho_a"] = fx.rho_a(self.corr_[None], st["W"][None], ma)[0]
        R = self.corr_
        cols: dict[str, list] = {"alpha": [], "rho_c": [], "ave": []}
        for j, b in enumerate(ma.blocks):
            lam = st["loadings"][b]
            refl = not ma.mode_b[j]
            cols["alpha"].append(q.cronbach_alpha(R[np.ix_(b, b)]) if refl else np.nan)
            cols["rho_c"].append(q.rho_c(lam) if refl else np.nan)
            cols["ave"].append(q.ave(lam) if refl else np.nan)
        self.reliability_ = pd.DataFrame({  # columns, not records: one dtype inference each
            "construct": cids, "alpha": np.array(cols["alpha"], float),
            "rho_a": np.asarray(st["rho_a"], float), "rho_c": np.array(cols["rho_c"], float),
            "ave": np.array(cols["ave"], float)})

    def _build_htmt(self):
        ma, st, cids, _, _ = self._labels()
        if st["htmt"] is None:
            st["htmt"] = q.htmt(self.corr_[None], ma, self.htmt_pairs_)[0]
        self.htmt_ = pd.DataFrame(
            {"construct_a": [cids[a] for a, _ in self.htmt_pairs_],
             "construct_b": [cids[b] for _, b in self.htmt_pairs_],
             "estimate": np.asarray(st["htmt"], float)}
        )

    def _build_fornell_larcker(self):
        _, st, cids, _, _ = self._labels()
        self.fornell_larcker_ = q.fornell_larcker(st["C"], self.reliability_["ave"].to_numpy(), cids)

    def _build_vif_outer(self):
        ma, _, _, items, owner = self._labels()
        R = self.corr_
        self.vif_outer_ = pd.DataFrame(
            {"construct": owner, "item": items,
             "vif": np.concatenate([q.vif(R[np.ix_(b, b)]) for b in ma.blocks])}
        )

    def _build_vif_inner(self):
        ma, st, cids, _, _ = self._labels()
        C = st["C"]
        vin = []
        for j in ma.endogenous:
            pr = ma.preds[j]
            for i, v in zip(pr, q.vif(C[np.ix_(pr, pr)]), strict=True):
                vin.append({"source": cids[i], "target": cids[j], "vif": float(v)})
        self.vif_inner_ = pd.DataFrame(vin, columns=["source", "target", "vif"])

    def _build_srmr(self):
        ma, st, _, _, _ = self._labels()
        self.srmr_ = q.srmr(self.corr_, st["C"], st["loadings"], ma)

    def _build_admissibility(self):
        ma, st, _, _, _ = self._labels()
        self.admissibility_ = q.admissibility(
            converged=self.converged_, n_iter=self.n_iter_, loadings=st["loadings"],
            reliab=self.reliability_, C=st["C"], u=st["u"], ma=ma,
        )

    def _reachable(self, i: int, j: int) -> bool:
        ma = self.arrays_
        seen, stack = set(), [i]
        while stack:
            a = stack.pop()
            for b in ma.succs[a]:
                if b == j:
                    return True
                if b not in seen:
                    seen.add(b)
                    stack.append(int(b))
        return False

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
        return self._std_scores(items)

    def _std_scores(self, items: pd.DataFrame) -> pd.DataFrame:
        # (x - mean)/sd @ W without an n x p temporary
        xv = items.to_numpy()
        if np.isnan(xv).any():
            z = renormalised_std_scores(xv, self.stats_["W"], self.item_mean_, self.item_std_)
            return pd.DataFrame(z, index=items.index, columns=list(self.arrays_.construct_ids))
        Ws = self.stats_["W"] / self.item_std_[:, None]
        z = xv @ Ws - self.item_mean_ @ Ws
        return pd.DataFrame(z, index=items.index, columns=list(self.arrays_.construct_ids))

    def _has_items(self) -> bool:
        """Whether the fit saw respondent data (not only moments)."""
        return self.__dict__.get("_prep") is not None

    def _item_values(self) -> np.ndarray:
        """The prepared items (n, p) as float64 (no copy)."""
        return self._prep.x

    def _need_items(self, what):
        if not self._has_items():
            raise NotFittedError(f"{what} needs respondent data; fitted from moments only")
        if self._items is None:
            self._items = self._prep.items()
        return self._items

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
        """Standardized and 0-100 index scores together: without missing answers both are
        linear in the items, so one pass over the data (one (n, p) x (p, 2k) product) gives
        both -- at a million respondents the pass is the cost."""
        items = self._need_items(what)
        xv, ma, st = items.to_numpy(), self.arrays_, self.stats_
        cols = pd.Index(list(ma.construct_ids))
        # the missing-data report counts missing answers: no scan of the data when there are none
        if self.missing_.get("n_missing_values", 1) > 0 and np.isnan(xv).any():
            self._scores = self._std_scores(items)
            s = renormalised_index_scores(xv, st["u"], ma.member, ma.lo, ma.hi)
            self._index_scores = pd.DataFrame(s, index=items.index, columns=cols)
            return
        Ws = st["W"] / self.item_std_[:, None]  # (x - mean)/sd @ W without an n x p temporary
        um = st["u"][:, None] * ma.member  # index: 100 (x - lo) um / ((hi - lo) um)
        den = (ma.hi - ma.lo) @ um
        k = ma.k
        coef = np.hstack([Ws, um * (100.0 / den)])  # (p, 2k)
        # constructs x respondents: each half is one contiguous (k, n) block, the layout a
        # DataFrame keeps its columns in, so the frames below copy nothing
        both = coef.T @ xv.T
        both[:k] -= (self.item_mean_ @ Ws)[:, None]
        both[k:] -= ((ma.lo @ um) * (100.0 / den))[:, None]
        self._scores = pd.DataFrame(both[:k].T, index=items.index, columns=cols, copy=False)
        self._index_scores = pd.DataFrame(both[k:].T, index=items.index, columns=cols, copy=False)
