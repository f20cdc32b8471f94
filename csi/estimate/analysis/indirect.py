"""Mediation: specific indirect effects and the direct/indirect/total decomposition.

A *specific indirect effect* is the effect transmitted along one mediation chain, e.g.
``expectation -> satisfaction -> loyalty``: the product of the standardized path coefficients
along the chain (Preacher & Hayes 2008; Hair et al. 2021, ch. 7; SEMinR
``specific_effect_significance``). The total indirect effect of ``x`` on ``y`` is the sum of
its specific indirect effects, and ``total = direct + indirect``.

Bootstrap standard errors and intervals come from **the same resamples as the paths**: each
resample's specific indirect effect is the product of that resample's path coefficients, so no
extra estimation runs. Percentile and BCa intervals are as in
:func:`csi.estimate.resample.bootstrap.interval` (BCa acceleration from the paths' jackknife).

Conventions
-----------
:func:`mediation` gives both tables for a PLS :class:`~csi.estimate.results.IndexResult`
(built on demand: a plain fit does not pay for them). ``path`` names a chain as its
constructs joined by ``" -> "``; ``mediators`` lists the
constructs strictly between the source and the target. Estimates are standardized.
Matches SEMinR's ``specific_effect_significance`` point estimates on corp_rep to 1e-6 (see
``tests/golden/test_seminr_quality.py``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csi.estimate.resample.bootstrap import interval

__all__ = ["mediation", "mediation_chains", "specific_indirect_effects", "effect_decomposition",
           "SEP"]

SEP = " -> "
#: columns of :func:`specific_indirect_effects`
SPECIFIC_COLUMNS = ["path", "source", "target", "mediators", "estimate", "se", "ci_low", "ci_high",
                    "p_value"]


def mediation_chains(paths) -> list[tuple[str, ...]]:
    """Every directed route with at least one mediator (two or more paths), in a stable order.

    ``paths`` is an iterable of ``(source, target)`` pairs (an acyclic structural model).

    Examples
    --------
    >>> mediation_chains([("e", "s"), ("s", "l"), ("e", "l"), ("q", "s")])
    [('e', 's', 'l'), ('q', 's', 'l')]
    """
    pairs = [(str(s), str(t)) for s, t in paths]
    succ: dict[str, list[str]] = {}
    for s, t in pairs:
        succ.setdefault(s, []).append(t)
    nodes = list(dict.fromkeys([x for p in pairs for x in p]))
    out: list[tuple[str, ...]] = []

    def walk(route: list[str]) -> None:
        for nxt in succ.get(route[-1], []):
            chain = [*route, nxt]
            if len(chain) >= 3:
                out.append(tuple(chain))
            walk(chain)

    for start in nodes:
        walk([start])
    return out


def _products(values: np.ndarray, cols: dict, chains) -> np.ndarray:
    """(B, n_chains) products of the path columns ``values`` (B, n_paths) along each chain."""
    out = np.ones((values.shape[0], len(chains)))
    for q, chain in enumerate(chains):
        for s, t in zip(chain[:-1], chain[1:], strict=True):
            out[:, q] *= values[:, cols[(s, t)]]
    return out


def specific_indirect_effects(path_table: pd.DataFrame, replicates=None, jackknife=None, *,
                              alpha: float = 0.05, ci: str = "percentile",
                              n: int | None = None) -> pd.DataFrame:
    """Specific indirect effects of every mediation chain with bootstrap SEs and CIs.

    Parameters
    ----------
    path_table : DataFrame
        ``source, target, estimate`` -- the standardized path coefficients (one row per path).
    replicates : ndarray (B, n_paths) or None
        Bootstrap replicates of the paths, columns in the row order of ``path_table``.
    jackknife : ndarray (J, n_paths) or None
        Jackknife replicates of the paths (needed for ``ci="bca"``).
    alpha : float, default=0.05
    ci : {"percentile", "bca"}, default="percentile"
    n : int or None
        Sample size (degrees of freedom of the p-value, Student's t with ``n - 1``).

    Returns
    -------
    DataFrame
        :data:`SPECIFIC_COLUMNS`; ``se``/``ci_*``/``p_value`` NaN without replicates.

    Examples
    --------
    >>> t = pd.DataFrame({"source": ["x", "m"], "target": ["m", "y"], "estimate": [0.5, 0.4]})
    >>> specific_indirect_effects(t)[["path", "estimate"]].to_dict("records")
    [{'path': 'x -> m -> y', 'estimate': 0.2}]
    """
    keys = list(zip(path_table["source"].astype(str), path_table["target"].astype(str), strict=True))
    cols = {k: j for j, k in enumerate(keys)}
    chains = mediation_chains(keys)
    est = _products(path_table["estimate"].to_numpy(float)[None], cols, chains)[0]
    if replicates is not None and len(chains) and np.asarray(replicates).shape[0] > 1:
        reps = _products(np.asarray(replicates, float), cols, chains)
        jk = None if jackknife is None else _products(np.asarray(jackknife, float), cols, chains)
        r = interval(est, reps, alpha=alpha, method=ci, jack=jk, n=n)
    else:
        nan = np.full(len(chains), np.nan)
        r = {"se": nan, "ci_low": nan, "ci_high": nan, "p_value": nan}
    return pd.DataFrame({
        "path": [SEP.join(c) for c in chains],
        "source": [c[0] for c in chains],
        "target": [c[-1] for c in chains],
        "mediators": [list(c[1:-1]) for c in chains],
        "estimate": est,
        "se": r["se"], "ci_low": r["ci_low"], "ci_high": r["ci_high"], "p_value": r["p_value"],
    }, columns=SPECIFIC_COLUMNS)


def effect_decomposition(effects: pd.DataFrame, path_table: pd.DataFrame, total_reps=None,
                         path_reps=None, total_jack=None, path_jack=None, *, alpha: float = 0.05,
                         ci: str = "percentile", n: int | None = None) -> pd.DataFrame:
    """Direct, total indirect and total effect of every connected pair, with intervals.

    ``effects`` has ``source, target, direct, indirect, total`` (point estimates);
    ``total_reps`` (B, m) are the total effects' replicates in the row order of ``effects``
    and ``path_reps`` the paths' replicates in the row order of ``path_table``. The indirect
    effect's replicate is the total's minus the direct path's (zero without a direct path).

    Returns
    -------
    DataFrame
        ``source, target, direct, indirect, total, indirect_se, indirect_ci_low,
        indirect_ci_high, indirect_p_value`` (standardized).
    """
    out = effects[["source", "target", "direct", "indirect", "total"]].copy().reset_index(drop=True)
    m = len(out)
    names = ("indirect_se", "indirect_ci_low", "indirect_ci_high", "indirect_p_value")
    if total_reps is None or path_reps is None or m == 0 or np.asarray(total_reps).shape[0] < 2:
        for c in names:
            out[c] = np.nan
        return out
    cols = {k: j for j, k in enumerate(zip(path_table["source"], path_table["target"], strict=True))}

    def indirect(T, P):
        T, P = np.asarray(T, float), np.asarray(P, float)
        d = np.zeros_like(T)
        for r, (s, t) in enumerate(zip(out["source"], out["target"], strict=True)):
            if (s, t) in cols:
                d[:, r] = P[:, cols[(s, t)]]
        return T - d

    reps = indirect(total_reps, path_reps)
    jk = None if total_jack is None or path_jack is None else indirect(total_jack, path_jack)
    r = interval(out["indirect"].to_numpy(float), reps, alpha=alpha, method=ci, jack=jk, n=n)
    out["indirect_se"], out["indirect_ci_low"] = r["se"], r["ci_low"]
    out["indirect_ci_high"], out["indirect_p_value"] = r["ci_high"], r["p_value"]
    return out


def mediation(result) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(specific_indirect, effect_decomposition)`` of a PLS result from :func:`csi.fit`.

    Intervals use the result's own bootstrap replicates, interval method (``ci``) and
    ``alpha``; without a bootstrap the SE/CI columns are NaN. CB-SEM results (no path
    replicates) give point estimates only.

    Examples
    --------
    >>> from csi.estimate.results import IndexResult
    >>> r = IndexResult("pls", 10, path_coefficients=pd.DataFrame(
    ...     {"source": ["x", "m"], "target": ["m", "y"], "estimate": [0.5, 0.4]}))
    >>> mediation(r)[0][["path", "estimate"]].to_dict("records")
    [{'path': 'x -> m -> y', 'estimate': 0.2}]
    """
    ex = result.extra or {}
    pc = result.path_coefficients
    reps = (ex.get("replicates") or {}) if result.method == "pls" else {}
    rp = reps.get("paths")
    rt = reps.get("total_effects")
    rp = None if rp is None or len(rp) < 2 else rp.to_numpy(float)
    rt = None if rt is None or rp is None else rt.to_numpy(float)
    jk = (ex.get("jackknife") or {}) if result.method == "pls" else {}
    opts = result.options or {}
    kw = {"alpha": opts.get("alpha", ex.get("alpha", 0.05)), "ci": opts.get("ci", "percentile"),
          "n": result.n_obs}
    spec = specific_indirect_effects(pc, rp, jk.get("paths"), **kw)
    eff = result.effects if result.method == "pls" else None
    if eff is None:
        eff = _effects_from_paths(pc)
    return spec, effect_decomposition(eff, pc, rt, rp, jk.get("total"), jk.get("paths"), **kw)


def _effects_from_paths(pc: pd.DataFrame) -> pd.DataFrame:
    """Direct/indirect/total effects of every connected pair from a path table alone."""
    keys = list(zip(pc["source"].astype(str), pc["target"].astype(str), strict=True))
    b = dict(zip(keys, pc["estimate"].astype(float), strict=True))
    spec = specific_indirect_effects(pc)
    ind = spec.groupby(["source", "target"], sort=False)["estimate"].sum().to_dict()
    pairs = list(dict.fromkeys(keys + list(ind)))
    return pd.DataFrame({"source": [s for s, _ in pairs], "target": [t for _, t in pairs],
                         "direct": [b.get(p, 0.0) for p in pairs],
                         "indirect": [ind.get(p, 0.0) for p in pairs],
                         "total": [b.get(p, 0.0) + ind.get(p, 0.0) for p in pairs]})
