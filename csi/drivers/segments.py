"""Segments and waves: index and driver results per group, and tests of two-group differences.

- :func:`group_results`: mean 0-100 index of every construct and driver lever per group of
  ``by`` (``wave`` or a segment question), with t intervals.
- :func:`ipma_by_group`: the construct-level importance-performance map within each group
  (score regressions re-run per group; scores fixed at the pooled estimate).
- :func:`compare_groups`: differences between two groups ``a - b`` in construct/lever indices
  and in the standardized structural paths, with **permutation p-values** (group labels
  shuffled between the two groups) and **bootstrap CIs** (each group resampled separately).
  Construct indices and structural paths come from a full PLS-MGA by default: the model,
  outer weights included, is re-estimated in each group, permutation and resample
  (:func:`csi.estimate.analysis.mga.permutation_mga`, Chin & Dibbern 2010). Driver levers (outside
  the model) and the ``reestimate=False`` variant use construct scores fixed at the pooled
  estimate (paths as OLS coefficients of standardized scores within each group).

Groups smaller than ``MIN_GROUP_N`` (30) are shown but flagged (``small_n``) with a
:class:`~csi.errors.SmallSampleWarning`; a comparison needs at least ``MIN_COMPARE_N`` (5)
respondents with complete scores per group (else :class:`~csi.errors.DataError`).
A binary construct's (complaint) "index" is the percentage who complained.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from csi.drivers.complaints import mean_interval
from csi.drivers.scores import (
    MIN_GROUP_N,
    check_resampling,
    construct_scores,
    group_labels,
    lever_scores,
)
from csi.errors import DataError, ParameterError, SmallSampleWarning
from csi.survey import Survey

__all__ = ["group_results", "compare_groups", "ipma_by_group", "MIN_COMPARE_N"]

MIN_COMPARE_N = 5


def _all_scores(survey: Survey, frame: pd.DataFrame, result) -> tuple[pd.DataFrame, list[str]]:
    sc = construct_scores(survey, frame, result)[list(survey.constructs)]
    kinds = ["construct"] * sc.shape[1]
    if survey.drivers is not None:
        lv = lever_scores(survey, frame)
        sc = pd.concat([sc, lv], axis=1)
        kinds += ["lever"] * lv.shape[1]
    return sc, kinds


def group_results(survey: Survey, frame: pd.DataFrame, by: str = "wave", result=None, *,
                  alpha: float = 0.05) -> pd.DataFrame:
    """Mean 0-100 index of each construct and lever per group of ``by``.

    Returns ``by, group, kind, name, n, mean, ci_low, ci_high, small_n`` (``kind`` is
    ``construct`` or ``lever``; ``n`` counts respondents with that score).
    """
    g = group_labels(survey, frame, by)
    sc, kinds = _all_scores(survey, frame, result)
    rows = []
    small = []
    for level in sorted(g.dropna().unique()):
        m = (g == level).fillna(False).to_numpy(bool)
        if m.sum() < MIN_GROUP_N:
            small.append(f"{level} (n={int(m.sum())})")
        for name, kind in zip(sc.columns, kinds, strict=True):
            mean, lo, hi, n = mean_interval(sc.loc[m, name], alpha)
            rows.append({"by": by, "group": str(level), "kind": kind, "name": name, "n": n,
                         "mean": mean, "ci_low": lo, "ci_high": hi, "small_n": bool(m.sum() < MIN_GROUP_N)})
    if small:
        warnings.warn(f"{by}: group(s) {', '.join(small)} have fewer than {MIN_GROUP_N} respondents; "
                      "their results are shown but unreliable.", SmallSampleWarning, stacklevel=2)
    return pd.DataFrame(rows)


def _stats(x: np.ndarray, W: np.ndarray, paths_ix) -> np.ndarray:
    """Means and standardized path coefficients for weight rows W (B, n): (B, k + n_paths)."""
    tot = W.sum(axis=1, keepdims=True)
    Wn = W / tot
    mean = Wn @ x
    k = x.shape[1]
    S = (Wn @ (x[:, :, None] * x[:, None, :]).reshape(len(x), -1)).reshape(len(W), k, k)
    cov = S - mean[:, :, None] * mean[:, None, :]
    sd = np.sqrt(np.clip(np.einsum("bii->bi", cov), 1e-300, None))
    R = cov / sd[:, :, None] / sd[:, None, :]
    cols = [mean]
    for t, preds in paths_ix:
        A = R[:, preds][:, :, preds]
        b = R[:, preds, t]
        with np.errstate(all="ignore"):
            try:
                coef = np.linalg.solve(A, b[..., None])[..., 0]
            except np.linalg.LinAlgError:
                coef = np.full((len(W), len(preds)), np.nan)
        cols.append(coef)
    return np.concatenate(cols, axis=1)


def compare_groups(survey: Survey, frame: pd.DataFrame, by: str, a: str, b: str, result=None, *,
                   n_perm: int = 1000, n_boot: int = 500, seed: int | None = 0,
                   alpha: float = 0.05, reestimate: bool = True) -> pd.DataFrame:
    """Differences between groups ``a`` and ``b`` of ``by`` (see the module docstring).

    With ``reestimate=True`` (default) the construct and path rows come from a full PLS-MGA
    (:func:`csi.estimate.analysis.mga.permutation_mga`): the PLS model, outer weights included, is
    re-estimated in both groups and in every permutation and resample; lever rows (driver
    battery, outside the model) are always score-based. When the model cannot be re-estimated
    in a group (too few complete respondents, a constant item) the score-based rows are kept and
    a :class:`~csi.errors.SmallSampleWarning` says why. ``method`` names the approach per row.

    Returns
    -------
    DataFrame
        ``kind (construct|lever|path), name, estimate_a, estimate_b, difference, ci_low,
        ci_high, p_value, n_a, n_b, small_n, method, p_adjusted, invariance`` -- index
        differences in 0-100 points, path differences in standardized units; ``p_value``
        from ``n_perm`` permutations (``(1 + #{|d*| >= |d|}) / (n_perm + 1)``),
        ``p_adjusted`` Holm-corrected over all rows; ``invariance`` the MICOM verdict
        (:func:`csi.estimate.analysis.micom.micom`, run first with the same permutations count and
        seed) of the construct, or the weaker of a path's two constructs.

    Raises
    ------
    ParameterError
        Unknown column or group.
    DataError
        A group with fewer than 5 complete respondents.
    """
    check_resampling("compare_groups", n_boot=n_boot, n_perm=n_perm, alpha=alpha)
    g = group_labels(survey, frame, by)
    levels = set(g.dropna().unique())
    for v in (a, b):
        if v not in levels:
            raise ParameterError(f"{by}={v!r} does not occur in the data; groups are {', '.join(sorted(levels))}.")
    if a == b:
        raise ParameterError("compare_groups needs two different groups.")
    sc, kinds = _all_scores(survey, frame, result)
    paths = [(s, t) for s, t in survey.effective_paths if s in sc and t in sc]
    names = list(sc.columns)
    data = sc.assign(__g__=g).dropna()
    data = data[data["__g__"].isin([a, b])]
    na, nb = int((data["__g__"] == a).sum()), int((data["__g__"] == b).sum())
    for v, n in ((a, na), (b, nb)):
        if n < MIN_COMPARE_N:
            raise DataError(f"{by}={v!r} has {n} respondents with complete scores; a comparison needs "
                            f"at least {MIN_COMPARE_N} (and {MIN_GROUP_N} for stable results).")
    if min(na, nb) < MIN_GROUP_N:
        warnings.warn(f"{by}: comparing {a} (n={na}) with {b} (n={nb}); groups under {MIN_GROUP_N} "
                      "respondents give unreliable results.", SmallSampleWarning, stacklevel=2)
    x = data[names].to_numpy(float)
    ga = (data["__g__"] == a).to_numpy()
    paths_ix = [(names.index(t), [names.index(s) for s, tt in paths if tt == t])
                for t in dict.fromkeys(t for _, t in paths)]
    labels = list(names) + [f"{s}->{t}" for t in dict.fromkeys(t for _, t in paths)
                            for s, tt in paths if tt == t]
    lkinds = list(kinds) + ["path"] * (len(labels) - len(names))
    est = _stats(x, np.vstack([ga, ~ga]).astype(float), paths_ix)
    diff = est[0] - est[1]
    rng = np.random.default_rng(seed)
    p = np.full(len(labels), np.nan)
    if n_perm > 0:
        perm = np.array([rng.permutation(ga) for _ in range(n_perm)])
        pa = _stats(x, perm.astype(float), paths_ix)
        pb = _stats(x, (~perm).astype(float), paths_ix)
        dp = pa - pb
        with np.errstate(invalid="ignore"):
            p = (1 + np.sum(np.abs(dp) >= np.abs(diff) - 1e-12, axis=0)) / (n_perm + 1)
    lo = hi = np.full(len(labels), np.nan)
    if n_boot > 0:
        ia, ib = np.flatnonzero(ga), np.flatnonzero(~ga)
        Wa = np.zeros((n_boot, len(x)))
        Wb = np.zeros((n_boot, len(x)))
        for r in range(n_boot):
            np.add.at(Wa[r], rng.choice(ia, len(ia)), 1.0)
            np.add.at(Wb[r], rng.choice(ib, len(ib)), 1.0)
        db = _stats(x, Wa, paths_ix) - _stats(x, Wb, paths_ix)
        lo, hi = np.nanquantile(db, [alpha / 2, 1 - alpha / 2], axis=0)
    out = pd.DataFrame({"kind": lkinds, "name": labels, "estimate_a": est[0], "estimate_b": est[1],
                        "difference": diff, "ci_low": lo, "ci_high": hi, "p_value": p,
                        "n_a": na, "n_b": nb, "small_n": min(na, nb) < MIN_GROUP_N,
                        "method": "scores"})
    if reestimate:
        out = _with_mga(survey, frame, by, a, b, out, n_perm=n_perm, n_boot=n_boot, seed=seed,
                        alpha=alpha)
    out = _with_holm(out)
    return _with_micom(survey, frame, by, a, b, out, n_perm=n_perm, seed=seed, alpha=alpha)


def _with_holm(out: pd.DataFrame) -> pd.DataFrame:
    """``p_adjusted``: Holm's step-down correction over all rows with a p-value."""
    from csi.drivers.complaints import _holm

    fin = out["p_value"].notna().to_numpy()
    adj = np.full(len(out), np.nan)
    if fin.any():
        adj[fin] = _holm(out.loc[fin, "p_value"].to_numpy(float))
    return out.assign(p_adjusted=adj)


_RANK = {"none": 0, "partial": 1, "full": 2}


def _with_micom(survey, frame, by, a, b, out, *, n_perm, seed, alpha) -> pd.DataFrame:
    """``invariance``: the MICOM verdict (none / partial / full) of each construct row, and of
    a path row the weaker verdict of its two constructs; empty for levers (outside the model)
    and when MICOM cannot run (then a :class:`SmallSampleWarning` says why)."""
    from csi.estimate.analysis.micom import micom

    verdict: dict[str, str] = {}
    if n_perm >= 20:
        try:
            mic = micom(survey.to_model(), frame, frame[by].astype("string"), a, b, n_perm=n_perm,
                        seed=seed, alpha=alpha)
            verdict = dict(zip(mic["construct"], mic["verdict"], strict=True))
        except DataError as exc:
            warnings.warn(f"{by}: {a} vs {b}: measurement invariance (MICOM) could not be tested "
                          f"({exc}); differences are shown without it.", SmallSampleWarning, stacklevel=3)

    def row_verdict(kind, name):
        if kind == "construct":
            return verdict.get(name)
        if kind == "path" and "->" in name:
            v = [verdict.get(c) for c in name.split("->")]
            return None if None in v else min(v, key=_RANK.__getitem__)
        return None

    return out.assign(invariance=[row_verdict(k, n) for k, n in zip(out["kind"], out["name"], strict=True)])


def _with_mga(survey, frame, by, a, b, out, **kw) -> pd.DataFrame:
    """Replace construct and path rows of ``out`` by re-estimated PLS-MGA results."""
    from csi.estimate.analysis.mga import permutation_mga

    try:
        mga = permutation_mga(survey.to_model(), frame, frame[by].astype("string"), a, b, **kw)
    except DataError as exc:
        warnings.warn(f"{by}: {a} vs {b}: the model could not be re-estimated per group ({exc}); "
                      "construct and path differences use the pooled scores.", SmallSampleWarning,
                      stacklevel=3)
        return out
    names = np.where(mga["kind"] == "path", mga["source"] + "->" + mga["target"], mga["construct"])
    mga = mga.assign(name=names).set_index("name")
    cols = ["estimate_a", "estimate_b", "difference", "ci_low", "ci_high", "p_value", "n_a", "n_b"]
    out = out.copy()
    hit = out["kind"].isin(["construct", "path"]) & out["name"].isin(mga.index)
    for col in cols:
        out[col] = out[col].astype(float)
        out.loc[hit, col] = mga.loc[out.loc[hit, "name"], col].to_numpy(float)
    out.loc[hit, "small_n"] = (out.loc[hit, ["n_a", "n_b"]].min(axis=1) < MIN_GROUP_N).to_numpy()
    out.loc[hit, "method"] = "pls_mga"
    return out.astype({"n_a": int, "n_b": int})


def ipma_by_group(survey: Survey, frame: pd.DataFrame, by: str = "wave", result=None, *,
                  target: str | None = None, n_boot: int = 200, seed: int | None = 0,
                  alpha: float = 0.05) -> pd.DataFrame:
    """Construct-level IPMA per group of ``by``: the columns of
    :func:`csi.drivers.ipma.importance_performance` plus ``by, group, n, small_n``.

    Groups with fewer than ``MIN_COMPARE_N`` complete respondents are left out with a
    :class:`~csi.errors.SmallSampleWarning`; groups under ``MIN_GROUP_N`` are flagged.
    """
    from csi.drivers.ipma import check_target, ipma_table

    check_resampling("ipma_by_group", n_boot=n_boot, alpha=alpha)
    target = check_target(survey, target)
    g = group_labels(survey, frame, by)
    scores = construct_scores(survey, frame, result)
    paths = survey.effective_paths
    binary = tuple(c for c, spec in survey.constructs.items() if spec.binary)
    names = list(dict.fromkeys([s for s, _ in paths] + [t for _, t in paths]))
    parts, small, skipped = [], [], []
    for level in sorted(g.dropna().unique()):
        m = (g == level).fillna(False).to_numpy(bool)
        sub = scores.loc[m]
        n = int(sub[names].dropna().shape[0])
        if n < max(MIN_COMPARE_N, len(names) + 1):
            skipped.append(f"{level} (n={n})")
            continue
        if n < MIN_GROUP_N:
            small.append(f"{level} (n={n})")
        t = ipma_table(sub, paths, target, exclude=binary, n_boot=n_boot, seed=seed, alpha=alpha)
        parts.append(t.assign(by=by, group=str(level), n=n, small_n=n < MIN_GROUP_N))
    if small or skipped:
        msg = f"{by}: "
        if skipped:
            msg += f"group(s) {', '.join(skipped)} left out (too few respondents); "
        if small:
            msg += f"group(s) {', '.join(small)} have fewer than {MIN_GROUP_N} respondents (flagged)"
        warnings.warn(msg.rstrip("; "), SmallSampleWarning, stacklevel=2)
    if not parts:
        raise DataError(f"no group of {by!r} has enough respondents for an importance-performance map.")
    out = pd.concat(parts, ignore_index=True)
    return out[["by", "group", "n", "small_n"] + [c for c in out.columns
                                                  if c not in ("by", "group", "n", "small_n")]]
