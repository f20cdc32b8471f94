"""PLS-PM and CB-SEM side by side: paths, total effects, R², loadings and 0-100 indices.

Both estimators return an :class:`~csi.estimate.results.IndexResult` with the same tables, so
the comparison is a join on the table keys. Path coefficients, total effects and loadings
are standardized in both (PLS: standardized composites; CB-SEM: lavaan ``std.all``); R² is of
the construct (PLS: composite, CB-SEM: latent); the index is the mean 0-100 index score
(higher is better) from each estimator's own item weights.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csi.errors import ParameterError
from csi.estimate.results import IndexResult

__all__ = ["compare_estimators", "COMPARE_COLUMNS"]

#: columns of :func:`compare_estimators`; ``difference = cbsem - pls``.
COMPARE_COLUMNS = ["kind", "source", "target", "construct", "item", "pls", "cbsem", "difference"]

# kind -> (table attribute, key columns, value column)
_TABLES = (
    ("path", "path_coefficients", ("source", "target"), "estimate"),
    ("total_effect", "total_effects", ("source", "target"), "estimate"),
    ("r2", "r2", ("construct",), "r2"),
    ("index", "index", ("construct",), "score"),
    ("loading", "loadings", ("construct", "item"), "estimate"),
    ("rho_c", "reliability", ("construct",), "rho_c"),
)


def _side(res: IndexResult, table: str, keys: tuple[str, ...], value: str) -> pd.DataFrame:
    df = getattr(res, table)
    if df is None or df.empty or value not in df.columns or not set(keys) <= set(df.columns):
        return pd.DataFrame(columns=[*keys, "value"])
    out = df[list(keys)].copy()
    out["value"] = pd.to_numeric(df[value], errors="raise").astype(float)
    return out


def compare_estimators(pls: IndexResult, cbsem: IndexResult) -> pd.DataFrame:
    """Paths, total effects, R², index means, loadings and rho_c of two results side by side.

    Parameters
    ----------
    pls, cbsem : IndexResult
        Results of ``csi.fit(..., method="pls")`` and ``method="cbsem"`` on the same model
        (any two results work; the column names say which is which).

    Returns
    -------
    DataFrame
        :data:`COMPARE_COLUMNS`: one row per path/effect/construct/item found in either
        result (outer join; NaN where one side lacks it); ``difference = cbsem - pls``.
        Key columns that do not apply to a kind are empty strings.

    Examples
    --------
    >>> a = IndexResult("pls", 10, path_coefficients=pd.DataFrame(
    ...     {"source": ["q"], "target": ["s"], "estimate": [0.5]}))
    >>> b = IndexResult("cbsem", 10, path_coefficients=pd.DataFrame(
    ...     {"source": ["q"], "target": ["s"], "estimate": [0.625]}))
    >>> compare_estimators(a, b)[["kind", "source", "target", "pls", "cbsem", "difference"]]
       kind source target  pls  cbsem  difference
    0  path      q      s  0.5  0.625       0.125
    """
    for name, res in (("pls", pls), ("cbsem", cbsem)):
        if not isinstance(res, IndexResult):
            raise ParameterError(
                f"The {name!r} parameter of compare_estimators must be an IndexResult. "
                f"Got {type(res).__name__} instead."
            )
    parts = []
    for kind, table, keys, value in _TABLES:
        a = _side(pls, table, keys, value).rename(columns={"value": "pls"})
        b = _side(cbsem, table, keys, value).rename(columns={"value": "cbsem"})
        if a.empty and b.empty:
            continue
        m = a.merge(b, on=list(keys), how="outer", sort=False)
        m.insert(0, "kind", kind)
        parts.append(m)
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object if i < 5 else float)
                             for i, c in enumerate(COMPARE_COLUMNS)})
    out = pd.concat(parts, ignore_index=True)
    for c in ("source", "target", "construct", "item"):
        out[c] = out[c].fillna("").astype(str) if c in out.columns else ""
    out["pls"] = out["pls"].astype(float)
    out["cbsem"] = out["cbsem"].astype(float)
    out["difference"] = out["cbsem"] - out["pls"]
    return out[COMPARE_COLUMNS].reset_index(drop=True).astype(
        {"pls": np.float64, "cbsem": np.float64, "difference": np.float64})
