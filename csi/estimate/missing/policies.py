"""Missing-data policies, missingness types and the ``missing`` report every result carries.

Policies (``missing=`` of :func:`csi.fit`)
------------------------------------------
``"em"`` (default for PLS, PLSc, weighted PLS and the index)
    The items' mean and covariance are the EM (saturated maximum-likelihood, MAR) estimates
    from per-pattern sufficient statistics (:mod:`csi.estimate.missing.em`); every respondent
    with at least one answered item is used.
``"fiml"`` (CB-SEM)
    Casewise (full-information) ML by pattern (:mod:`csi.estimate.missing.fiml`).
``"pairwise"``
    Pairwise-complete correlations (PLS only).
``"mean"``
    Item-mean replacement (SEMinR's ``mean_replacement``; biased under MAR, kept to reproduce
    published values).
``"listwise"``
    Respondents with any missing item are dropped.

Missingness types
-----------------
Every missing cell is one of :data:`MISSING_TYPES`: ``dont_know`` (the scale's don't-know
code), ``not_shown`` (``show_if`` false, platform code -3), ``skipped`` (jump logic, platform
code -2) and ``no_answer`` (blank where the question was shown, and any other missing code).
Where the import recorded the types (``ResponseBatch.missing_types``), they are used as
given; otherwise they are read off the codes in the data.

The report
----------
``{"policy", "n_total", "n_used", "by_type", "by_item", "em"}``: respondents in the data,
respondents the estimate uses, missing cells per type, per item and type, and
``{"iterations", "converged"}`` of the EM fit (None for other policies).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["warn_dropped", "MISSING_TYPES", "POLICIES", "PLATFORM_CODE_TYPES", "code_type", "missing_report",
           "type_counts", "DROP_WARN_SHARE"]

MISSING_TYPES = ("dont_know", "not_shown", "skipped", "no_answer")
POLICIES = ("em", "fiml", "pairwise", "mean", "listwise")
#: platform export codes (Wenjuanxing / Tencent-style): -2 skipped by jump logic, -3 not shown.
PLATFORM_CODE_TYPES = {-2.0: "skipped", -3.0: "not_shown"}
#: a warning is raised when a policy drops more than this share of the respondents.
DROP_WARN_SHARE = 0.05


def code_type(code: float, dont_know: float | None) -> str:
    """The missingness type a missing code stands for.

    >>> code_type(99, 99), code_type(-2, 99), code_type(-3, None), code_type(-99, 99)
    ('dont_know', 'skipped', 'not_shown', 'no_answer')
    """
    if dont_know is not None and float(code) == float(dont_know):
        return "dont_know"
    return PLATFORM_CODE_TYPES.get(float(code), "no_answer")


def type_counts(x_raw: np.ndarray, specs, types: pd.DataFrame | None, index: pd.Index,
                item_ids, *, nan_mask: np.ndarray | None = None,
                code_cols: list[int] | None = None) -> np.ndarray:
    """(p, 4) counts of missing cells per item and type (order of :data:`MISSING_TYPES`).

    ``x_raw`` holds the values as they came (codes not yet replaced); NaN cells are typed by
    ``types`` (same index, a column per item, values in :data:`MISSING_TYPES`) when given,
    else counted as ``no_answer``. A caller that has them passes ``nan_mask`` (``isnan(x_raw)``)
    and ``code_cols`` (the columns whose value range holds a missing code; others hold none).
    """
    p = len(item_ids)
    out = np.zeros((p, len(MISSING_TYPES)), dtype=np.int64)
    pos = {t: k for k, t in enumerate(MISSING_TYPES)}
    tcols = None
    if types is not None:
        tcols = types.reindex(index=index)
    with_codes = set(range(p)) if code_cols is None else set(code_cols)
    for c, sp in enumerate(specs):
        col = x_raw[:, c]
        nan = np.isnan(col) if nan_mask is None else nan_mask[:, c]
        for code in (sp.missing_codes if c in with_codes else ()):
            k = int((col == code).sum())
            if k:
                out[c, pos[code_type(code, getattr(sp, "dont_know", None))]] += k
        n_nan = int(np.count_nonzero(nan))
        if not n_nan:
            continue
        if tcols is not None and item_ids[c] in tcols.columns:
            vals = tcols[item_ids[c]].to_numpy(dtype=object)[nan]
            for t in MISSING_TYPES:
                out[c, pos[t]] += int(np.sum(vals == t))
            out[c, pos["no_answer"]] += int(np.sum(~np.isin(vals, MISSING_TYPES)))
        else:
            out[c, pos["no_answer"]] += n_nan
    return out


def missing_report(policy: str, n_total: int, n_used: int, counts: np.ndarray, item_ids,
                   em: dict | None = None) -> dict:
    """The ``missing`` dict of a result (keys exactly as documented in the module)."""
    by_item = {str(it): {t: int(counts[c, k]) for k, t in enumerate(MISSING_TYPES)}
               for c, it in enumerate(item_ids)}
    by_type = {t: int(counts[:, k].sum()) for k, t in enumerate(MISSING_TYPES)}
    return {"policy": policy, "n_total": int(n_total), "n_used": int(n_used), "by_type": by_type,
            "by_item": by_item, "em": em}


def warn_dropped(report: dict, stacklevel: int = 2) -> None:
    """:class:`~csi.errors.MissingDataWarning` when the policy uses fewer than 95% of respondents."""
    import warnings

    from csi.errors import MissingDataWarning

    n_total, n_used = report["n_total"], report["n_used"]
    dropped = n_total - n_used
    if n_total and dropped > DROP_WARN_SHARE * n_total:
        types = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in report["by_type"].items() if v)
        warnings.warn(
            f"missing={report['policy']!r} uses {n_used} of {n_total} respondents "
            f"({dropped} dropped, {100 * dropped / n_total:.1f}%); missing answers: {types or 'none'}. "
            "missing='em' uses every respondent with an answer", MissingDataWarning,
            stacklevel=stacklevel + 1)
