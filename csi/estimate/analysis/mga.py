"""PLS multigroup analysis (PLS-MGA): two-group differences with a permutation test.

For two groups ``a`` and ``b`` (two segments, two waves) the model is re-estimated in each
group, and the differences ``a - b`` of the standardized path coefficients and of the 0-100
construct index means are tested by permutation (Chin & Dibbern 2010; Henseler et al. 2016,
"Testing measurement invariance of composites using partial least squares", the permutation
step as in cSEM's ``testMGD(.approach_mgd = "Chin")`` and SmartPLS's permutation MGA):
group labels are shuffled ``n_perm`` times, *the whole PLS model (outer weights included) is
re-estimated in both permuted groups*, and

    p = (1 + #{ |d*| >= |d| }) / (n_valid + 1)

where ``d`` is the observed difference and ``d*`` the permuted ones. Bootstrap percentile
CIs of the difference resample each group separately. Every re-estimation runs on moments
(weighted sums of per-respondent cross-products), so a permutation costs one matrix product
plus a batched PLS iteration -- no per-permutation data copies.

Permutations or resamples in which an item has zero variance in a group, or PLS does not
converge, are excluded and counted (``n_perm_valid``, ``n_boot_valid``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csi.errors import DataError, ParameterError
from csi.estimate.pls.algorithm import ModelArrays
from csi.estimate.pls.model import check_number, replicate_statistics
from csi.estimate.prepare import prepare_data
from csi.estimate.resample.bootstrap import _per_respondent_terms, moments_from_sums
from csi.survey.model import ModelSpec

__all__ = ["permutation_mga", "MIN_MGA_N"]

#: Each group needs more respondents than the largest block has items (plus two).
MIN_MGA_N = 10
_CHUNK = 250


def _stats(weights: np.ndarray, FT: np.ndarray, shift, p, tri, ma, scheme):
    """(B, m) statistics [paths..., index...] for membership/count rows ``weights`` (B, n)."""
    mean, sd, Rt, zero, nw = moments_from_sums(FT @ weights.T, shift, p, tri)
    out = np.full((len(weights), len(ma.path_pairs) + ma.k), np.nan)
    good = ~zero
    if good.any():
        st = replicate_statistics(Rt[:, :, good], mean[good], sd[good], ma.arrays, nw[good], scheme=scheme,
                                  want_rho_a=False, want_htmt=False, want_w_matrix=False)
        ok = st["converged"]
        src, tgt = ma.path_index
        vals = np.concatenate([st["paths"][:, src, tgt], st["index"]], axis=1)
        vals[~ok] = np.nan
        out[good] = vals
    return out


class _Plan:
    def __init__(self, model: ModelSpec):
        self.arrays = ModelArrays.from_model(model)
        ids = list(model.construct_ids)
        self.k = len(ids)
        self.path_pairs = [(s, t) for t in model.endogenous for s in model.predecessors(t)]
        self.path_index = (np.array([ids.index(s) for s, _ in self.path_pairs], dtype=int),
                           np.array([ids.index(t) for _, t in self.path_pairs], dtype=int))
        self.construct_ids = ids


def permutation_mga(
    model: ModelSpec,
    data: pd.DataFrame,
    groups,
    a,
    b,
    *,
    n_perm: int = 1000,
    n_boot: int = 500,
    seed: int | None = 0,
    alpha: float = 0.05,
    missing: str = "listwise",
    weighting: str = "path",
) -> pd.DataFrame:
    """Two-group PLS-MGA: re-estimated differences with permutation p-values and bootstrap CIs.

    Parameters
    ----------
    model : ModelSpec
    data : DataFrame
        Item columns (as for :func:`csi.fit`) plus, when ``groups`` is a column name, the group column.
    groups : str or array-like
        Column of ``data`` holding the group label, or one label per row.
    a, b : labels
        The two groups compared (difference = ``a - b``).
    n_perm : int, default=1000
        Permutations of the group labels (0 skips the test).
    n_boot : int, default=500
        Bootstrap resamples within each group for the CI of the difference (0 skips).

    Returns
    -------
    DataFrame
        ``kind`` (``path`` | ``index``), ``source``, ``target`` (paths) or ``construct``
        (index), ``estimate_a``, ``estimate_b``, ``difference``, ``ci_low``, ``ci_high``,
        ``p_value``, ``n_a``, ``n_b``, ``n_perm_valid``, ``n_boot_valid``. Paths are
        standardized coefficients; index differences are in 0-100 points.

    Raises
    ------
    ParameterError
        Unknown group, ``a == b``, or invalid ``n_perm``/``n_boot``/``alpha``.
    DataError
        A group with fewer than :data:`MIN_MGA_N` complete respondents, or constant items.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from csi.survey.model import ModelSpec
    >>> rng = np.random.default_rng(0)
    >>> z = rng.normal(size=(400, 1)); y = 0.5 * z + rng.normal(size=(400, 1)) * 0.8
    >>> items = np.hstack([z + rng.normal(size=(400, 2)) * 0.6, y + rng.normal(size=(400, 2)) * 0.6])
    >>> df = pd.DataFrame(np.clip(np.round(items * 1.5 + 4), 1, 7), columns=["x1", "x2", "y1", "y2"])
    >>> df["g"] = np.where(np.arange(400) % 2 == 0, "a", "b")
    >>> m = ModelSpec.from_blocks({"X": ["x1", "x2"], "Y": ["y1", "y2"]}, [("X", "Y")], scale=(1, 7))
    >>> out = permutation_mga(m, df, "g", "a", "b", n_perm=99, n_boot=0, seed=1)
    >>> out[["kind", "source", "target"]].iloc[0].tolist(), bool(out["p_value"].iloc[0] > 0.05)
    (['path', 'X', 'Y'], True)
    """
    check_number("n_perm", n_perm, 0, np.inf, integer=True, func="permutation_mga")
    check_number("n_boot", n_boot, 0, np.inf, integer=True, func="permutation_mga")
    check_number("alpha", alpha, 0, 1, func="permutation_mga", closed="neither")
    labels = data[groups] if isinstance(groups, str) else pd.Series(np.asarray(groups), index=data.index)
    if len(labels) != len(data):
        raise ParameterError(f"'groups' has {len(labels)} labels; the data has {len(data)} rows.")
    present = set(labels.dropna().unique())
    for v in (a, b):
        if v not in present:
            raise ParameterError(f"group {v!r} does not occur in the data; groups are "
                                 f"{', '.join(map(str, sorted(present, key=str)))}.")
    if a == b:
        raise ParameterError("permutation_mga needs two different groups.")
    keep = labels.isin([a, b])
    prep = prepare_data(model, data.loc[keep.to_numpy()], missing=missing)
    x = prep.items.to_numpy(float)
    ga = (labels.loc[prep.items.index] == a).to_numpy()
    n_a, n_b = int(ga.sum()), int((~ga).sum())
    for v, n in ((a, n_a), (b, n_b)):
        if n < MIN_MGA_N:
            raise DataError(f"group {v!r} has {n} complete respondents; PLS-MGA needs at least {MIN_MGA_N} "
                            "per group (30 or more for stable results).")
    plan = _Plan(model)
    FT, shift, tri = _per_respondent_terms(x, None)
    p = x.shape[1]
    args = (FT, shift, p, tri, plan, weighting)
    obs = _stats(np.vstack([ga, ~ga]).astype(float), *args)
    if np.isnan(obs).any():
        raise DataError("the model cannot be estimated in both groups (an item is constant within a "
                        "group, or PLS did not converge); compare larger groups.")
    diff = obs[0] - obs[1]
    rng = np.random.default_rng(seed)

    p_value = np.full(diff.shape, np.nan)
    n_perm_valid = 0
    if n_perm:
        exceed = np.zeros(diff.shape)
        for start in range(0, n_perm, _CHUNK):
            c = min(_CHUNK, n_perm - start)
            perm = np.array([rng.permutation(ga) for _ in range(c)], dtype=float)
            d = _stats(perm, *args) - _stats(1.0 - perm, *args)
            valid = np.isfinite(d).all(axis=1)
            n_perm_valid += int(valid.sum())
            exceed += (np.abs(d[valid]) >= np.abs(diff) - 1e-12).sum(axis=0)
        p_value = (1.0 + exceed) / (n_perm_valid + 1.0)

    lo = hi = np.full(diff.shape, np.nan)
    n_boot_valid = 0
    if n_boot:
        ia, ib = np.flatnonzero(ga), np.flatnonzero(~ga)
        reps = []
        for start in range(0, n_boot, _CHUNK):
            c = min(_CHUNK, n_boot - start)
            ca = np.zeros((c, len(x)))
            cb = np.zeros((c, len(x)))
            rows = np.arange(c)[:, None]
            np.add.at(ca, (rows, rng.choice(ia, size=(c, len(ia)))), 1.0)
            np.add.at(cb, (rows, rng.choice(ib, size=(c, len(ib)))), 1.0)
            d = _stats(ca, *args) - _stats(cb, *args)
            reps.append(d[np.isfinite(d).all(axis=1)])
        reps = np.concatenate(reps)
        n_boot_valid = len(reps)
        if n_boot_valid > 1:
            lo, hi = np.quantile(reps, [alpha / 2, 1 - alpha / 2], axis=0)

    rows = [{"kind": "path", "source": s, "target": t, "construct": None} for s, t in plan.path_pairs]
    rows += [{"kind": "index", "source": None, "target": None, "construct": c} for c in plan.construct_ids]
    out = pd.DataFrame(rows)
    out["estimate_a"], out["estimate_b"], out["difference"] = obs[0], obs[1], diff
    out["ci_low"], out["ci_high"], out["p_value"] = lo, hi, p_value
    out["n_a"], out["n_b"] = n_a, n_b
    out["n_perm_valid"], out["n_boot_valid"] = n_perm_valid, n_boot_valid
    return out
