"""Scale-out engines: the model's moments computed where the responses live.

One moments query (:mod:`csi.engines.query`, SQLAlchemy Core; sqlglot for DuckDB and Spark SQL)
runs on pandas (the in-memory reference), DuckDB (Parquet/CSV), PostgreSQL (the store) and
Apache Spark; only per-cell sums (counts, sums, cross-products per group, bootstrap bucket and
missingness pattern) come back. :func:`fit_grouped` fits the pooled model and one model per
group from them, with bucket-bootstrap CIs.

What needs respondent rows (and how it scales)
----------------------------------------------
From moments (in the engine, any size): PLS paths, outer weights and loadings, R^2, the 0-100
index, reliability (alpha, rho_A, rho_C, AVE), HTMT, VIF, SRMR, total effects, IPMA importances
and performances (total effects and index means), per-group fits and their bootstrap CIs, and
EM for missing data: ``fit_grouped(..., missing="em")`` fits each group on EM's mean and
covariance from its per-(bucket, pattern) moments, with EM on every bucket resample for the
CIs. Filters run in the engine too: ``where=`` (values) and ``between=`` (date ranges).

Needs rows: per-respondent construct and index scores (``IndexResult.scores``), the repurchase
logit and what-if simulation (:mod:`csi.drivers.repurchase`, :mod:`csi.drivers.whatif`),
relative-importance and segment drivers on scores, complaint text, CB-SEM (semopy), BCa on the
row jackknife, and pairwise deletion. On large data these run on a seeded random sample of
respondents, drawn in the engine with the same hash as the buckets (the rows of buckets
``0..k-1`` of ``G``: a ``k/G`` sample whose size is reported); see :func:`sample_rows`.
"""

from __future__ import annotations

from csi._lazy import lazy_exports

_LAZY = {
    "fit_grouped": "csi.engines.grouped",
    "GroupedFit": "csi.engines.grouped",
    "default_min_n": "csi.engines.grouped",
    "CellMoments": "csi.engines.cells",
    "PatternMoments": "csi.engines.cells",
    "MomentsSpec": "csi.engines.query",
    "moments_query": "csi.engines.query",
    "cell_moments": "csi.engines.run",
    "open_source": "csi.engines.run",
    "ENGINES": "csi.engines.run",
    "pattern_moments": "csi.engines.patterns",
    "sample_rows": "csi.engines.sample",
}

__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_exports("csi.engines", _LAZY, globals())
