"""Per-segment / per-wave PLS fits from one grouped pass over the data."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from csi.errors import DataError, ParameterError, SmallSampleWarning
from csi.estimate.moments import grouped_moments
from csi.estimate.pls.model import PLSPathModel
from csi.estimate.prepare import prepare_data
from csi.survey.model import ModelSpec

__all__ = ["fit_groups"]


def fit_groups(
    model: ModelSpec,
    data: pd.DataFrame,
    by,
    *,
    weights=None,
    missing: str = "listwise",
    min_size: int | None = None,
    **params,
) -> dict[object, PLSPathModel]:
    """Fit one :class:`PLSPathModel` per group (segment, wave) from grouped moments.

    The data are checked once (:func:`~csi.estimate.prepare.prepare_data`), the moments of
    all groups come from one sorted pass (:func:`~csi.estimate.moments.grouped_moments`),
    and each group's model is fitted from its moments (no per-group data copies).

    Parameters
    ----------
    by : str or array-like
        Column of ``data`` holding the group label, or one label per row.
    min_size : int, optional
        Groups with fewer respondents are skipped with a :class:`SmallSampleWarning`
        (default: largest block size + 2).
    **params
        Hyperparameters of :class:`PLSPathModel` (``weighting``, ``consistent``, ...).

    Returns
    -------
    dict mapping group label -> fitted PLSPathModel (scores are not available: fitted
    from moments).
    """
    if missing == "pairwise":
        raise ParameterError(
            "The 'missing' parameter of fit_groups must be a str among {'listwise', 'mean'}. "
            "Got 'pairwise' instead."
        )
    labels = data[by] if isinstance(by, str) else pd.Series(np.asarray(by), index=data.index)
    if len(labels) != len(data):
        raise DataError(f"'by' has {len(labels)} labels; the data has {len(data)} rows")
    prep = prepare_data(model, data, missing=missing, weights=weights)
    g = labels.loc[prep.items.index].to_numpy()
    if pd.isna(g).any():
        raise DataError("the group labels ('by') contain missing values")
    need = min_size or max(len(c.items) for c in model.constructs) + 2
    out: dict[object, PLSPathModel] = {}
    for lab, mom in grouped_moments(prep.items.to_numpy(), g, prep.weights).items():
        if mom.n_obs < need:
            warnings.warn(f"group {lab!r} has {mom.n_obs} respondents (< {need}); skipped",
                          SmallSampleWarning, stacklevel=2)
            continue
        out[lab] = PLSPathModel(**params).fit_moments(model, mom)
    return out
