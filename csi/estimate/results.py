"""Result objects shared by every estimator (PLS and CB-SEM).

:class:`IndexResult` is a frozen dataclass of labelled, tidy DataFrames with stable
``snake_case`` columns, so the dashboard and the drivers never branch on the estimator.
Nothing here is rounded; rounding belongs to ``csi.report``.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from functools import lru_cache
from typing import Any

import pandas as pd

__all__ = ["IndexResult", "INDEX_COLUMNS", "PATH_COLUMNS"]

#: 0-100 index per construct (higher is better), with bootstrap/analytic CI.
INDEX_COLUMNS = ["construct", "score", "se", "ci_low", "ci_high"]
#: structural paths and total effects; standardized coefficients.
PATH_COLUMNS = ["source", "target", "estimate", "se", "ci_low", "ci_high", "p_value"]


@lru_cache(maxsize=8)
def _defaults(cls) -> dict[str, Any]:
    """Field name -> default value or default factory (fields without either are left out);
    read-only, kept per class (``dataclasses.fields`` costs more than a small table)."""
    out = {}
    for f in fields(cls):
        if f.default is not MISSING:
            out[f.name] = f.default
        elif f.default_factory is not MISSING:
            out[f.name] = f.default_factory
    return out


def _none() -> None:
    # a factory, not a class-level default: a PLS result may then compute the field on first
    # access (IndexResult.deferred); other estimators leave it None
    return None


def _empty(cols: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})


@dataclass(frozen=True)
class IndexResult:
    """The outcome of :func:`csi.fit`: scores, paths, measurement model and diagnostics.

    Attributes
    ----------
    index : DataFrame
        ``construct, score, se, ci_low, ci_high`` -- mean 0-100 index per construct (higher is
        better; rescaled with the survey scale's theoretical bounds).
    scores : DataFrame
        One row per respondent (same index as the estimation data), one column per construct:
        per-respondent 0-100 index scores.
    path_coefficients : DataFrame
        ``source, target, estimate, se, ci_low, ci_high, p_value`` (standardized).
    total_effects : DataFrame
        Same columns as ``path_coefficients``.
    loadings, weights : DataFrame
        ``construct, item, estimate, se, ci_low, ci_high``.
    reliability : DataFrame
        ``construct, alpha, rho_a, rho_c, ave``.
    r2 : DataFrame
        ``construct, r2, r2_adj``.
    htmt : DataFrame
        ``construct_a, construct_b, estimate, ci_low, ci_high``.
    std_scores : DataFrame
        Standardized construct scores (PLS: unit sample variance), respondents x constructs.
    unstandardized_weights : DataFrame
        ``construct, item, estimate, ...``: raw-item index weights summing to 1 per block.
    admissibility : DataFrame
        ``check, status, detail`` -- cSEM-style status checks ("ok" / "warning" / "fail").
    effects : DataFrame or None
        ``source, target, direct, indirect, total`` for every connected pair (PLS).
    f2 : DataFrame or None
        ``source, target, f2``: Cohen's f² of each path (PLS).
    vif_outer : DataFrame or None
        ``construct, item, vif``: collinearity of each block's items (PLS).
    vif_inner : DataFrame or None
        ``source, target, vif``: collinearity of each construct's predecessors (PLS).
    cross_loadings : DataFrame or None
        Items x constructs: item-construct correlations (PLS).
    fornell_larcker : DataFrame or None
        Constructs x constructs: sqrt(AVE) on the diagonal, correlations below it (PLS).
    construct_correlations : DataFrame or None
        Constructs x constructs correlations (PLS).
    model, survey, options
        What the result was fitted on: the :class:`~csi.survey.model.ModelSpec`, the survey
        object when ``csi.fit`` was given one (None for a bare model or lavaan text) and the
        call's options after defaults.
    extra : dict
        Estimator-specific data: bootstrap bookkeeping (``bootstrap``), the replicates
        (``replicates``; IPMA and :meth:`conf_int` use them), the BCa jackknife; CB-SEM's
        parameter table and fit details. For PLS it also names the typed tables above under
        their attribute names (the same objects), for code written against the dict.
    """

    method: str
    n_obs: int
    index: pd.DataFrame = field(default_factory=lambda: _empty(INDEX_COLUMNS))
    scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    path_coefficients: pd.DataFrame = field(default_factory=lambda: _empty(PATH_COLUMNS))
    total_effects: pd.DataFrame = field(default_factory=lambda: _empty(PATH_COLUMNS))
    loadings: pd.DataFrame = field(default_factory=pd.DataFrame)
    weights: pd.DataFrame = field(default_factory=pd.DataFrame)
    reliability: pd.DataFrame = field(default_factory=pd.DataFrame)
    r2: pd.DataFrame = field(default_factory=pd.DataFrame)
    htmt: pd.DataFrame = field(default_factory=pd.DataFrame)
    admissibility: pd.DataFrame = field(default_factory=pd.DataFrame)
    n_iter: int | None = None
    converged: bool = True
    n_boot: int = 0
    survey_version: str | None = None
    missing: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    fit: dict[str, float] | None = field(default_factory=_none)  # global fit indices (PLS: srmr)
    extra: dict[str, Any] = field(default_factory=dict)  # estimator-specific data (see above)
    #: standardized construct scores (mean 0, unit sample variance), respondents x constructs.
    std_scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: ``construct, item, estimate, se, ci_low, ci_high``: weights on the raw items, summing
    #: to 1 per block (the ACSI index weights).
    unstandardized_weights: pd.DataFrame = field(default_factory=pd.DataFrame)

    #: what the result was fitted with: ``method, n_boot, alpha, ci, missing`` and, for PLS,
    #: ``weighting, consistent`` (the call's options, after defaults)
    options: dict[str, Any] = field(default_factory=dict)
    #: the :class:`~csi.survey.model.ModelSpec` that was estimated (None when not recorded)
    model: Any = None
    #: the survey object passed to :func:`csi.fit` (None when fitted from a bare model)
    survey: Any = None

    # -- estimator tables (PLS; None where the estimator has none) -------------------------
    effects: pd.DataFrame | None = field(default_factory=_none)
    f2: pd.DataFrame | None = field(default_factory=_none)
    vif_outer: pd.DataFrame | None = field(default_factory=_none)
    vif_inner: pd.DataFrame | None = field(default_factory=_none)
    cross_loadings: pd.DataFrame | None = field(default_factory=_none)
    fornell_larcker: pd.DataFrame | None = field(default_factory=_none)
    construct_correlations: pd.DataFrame | None = field(default_factory=_none)

    # -- construction with deferred tables --------------------------------------------------
    @classmethod
    def deferred(cls, eager: dict[str, Any], deferred: dict[str, Any]) -> IndexResult:
        """A result whose fields in ``deferred`` (name -> zero-argument callable) are computed on
        first access (then kept). Only fields without a class-level default may be deferred
        (those with a default factory: the tables and dicts); reading, comparing, copying or
        pickling the result gives the same values as an eagerly built one."""
        obj = cls.__new__(cls)
        obj.__dict__.update({f: v() if callable(v) else v for f, v in _defaults(cls).items()
                             if f not in eager and f not in deferred})
        obj.__dict__.update(eager)
        obj.__dict__["_deferred"] = dict(deferred)
        return obj

    def __getattr__(self, name):
        pending = self.__dict__.get("_deferred")
        if pending is not None and name in pending:
            value = pending[name]()  # two threads may both compute it: same value, no lock
            self.__dict__[name] = value
            pending.pop(name, None)
            return value
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __getstate__(self):
        for name in list(self.__dict__.get("_deferred", ())):
            getattr(self, name)
        state = dict(self.__dict__)
        state.pop("_deferred", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)

    # -- presentation -----------------------------------------------------------------------
    def summary(self):
        """A :class:`~csi.estimate.summary.Summary` (``__str__``, ``_repr_html_``, ``to_frames``)."""
        from csi.estimate.summary import Summary

        return Summary(self)

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Percentile intervals at level ``1 - alpha`` for paths, total effects and index means.

        Recomputed from the stored bootstrap replicates when present (``extra["replicates"]``).
        Without replicates: the stored ``ci_low``/``ci_high`` when ``alpha`` is the level they
        were computed at; CB-SEM's analytic intervals are recomputed as ``estimate -+ z se``;
        otherwise :class:`~csi.errors.ParameterError` (no interval at that level exists).
        Columns: ``table, source, target, estimate, ci_low, ci_high``.
        """
        from csi.estimate.summary import conf_int

        return conf_int(self, alpha)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (lists of records), the shape written by ``csi estimate --json``."""
        from csi.estimate.summary import to_dict

        return to_dict(self)
