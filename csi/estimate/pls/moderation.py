"""Moderation: interaction terms in PLS path models, with simple slopes.

An interaction ``x:z -> y`` (lavaan notation; ``y ~ x + z + x:z``) says that the effect of
``x`` on ``y`` depends on the moderator ``z``. Two ways of measuring the interaction
construct ``x*z`` (Henseler & Chin 2010; Hair et al. 2021, *PLS-SEM Using R*, ch. 8; as
SEMinR's ``interaction_term``):

- ``"two_stage"`` (default): stage 1 estimates the main-effects model (interaction paths
  removed); the product of the standardized construct scores of ``x`` and ``z`` is the
  single item of ``x*z`` in stage 2, where the whole model is estimated again.
- ``"product_indicator"``: every product of a standardized item of ``x`` with a
  standardized item of ``z`` is an item of ``x*z`` (Mode A), estimated in one stage.

Paths are standardized. The interaction construct's scores are rescaled as SEMinR does
(Henseler & Chin's variance adjustment: the standardized score times the loading-weighted
mean SD of its items) before the structural regressions, so the interaction path is on the
scale of a product of standardized main effects; the simple slope of ``x`` at
``z = m`` SDs is ``b_x + m * b_xz``. With ``n_boot > 0`` the whole procedure (both stages)
is repeated on each bootstrap resample of the respondents, as SEMinR's ``bootstrap_model``
does: ``se`` (bootstrap SD), percentile ``ci_low``/``ci_high`` for paths and slopes;
resamples in which an item is constant or PLS fails are excluded and counted
(``n_boot_valid``).

Matches seminr-py 0.2.1 (``interaction_term``, both methods) on corp_rep (Hair et al. 2021,
ch. 8: switching costs moderate CUSA -> CUSL) to 1e-6 (``tests/golden/test_seminr_models.py``).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from csi.errors import ParameterError
from csi.estimate.pls.model import PLSPathModel
from csi.estimate.prepare import check_option, prepare_data
from csi.survey.model import ConstructSpec, ItemSpec, ModelSpec

__all__ = ["fit_moderation", "parse_interactions", "ModerationResult", "METHODS"]

METHODS = ("two_stage", "product_indicator")
_BIG = 1e12  # product items carry no theoretical scale: bounds that accept any value


def parse_interactions(text: str) -> tuple[str, list[tuple[str, str, str]]]:
    """Split lavaan text into the main-effects model and its interactions ``(x, z, y)``.

    Examples
    --------
    >>> parse_interactions("S =~ s1\\nY ~ X + Z + X:Z")
    ('S =~ s1\\nY ~ X + Z', [('X', 'Z', 'Y')])
    """
    out, lines = [], []
    for line in text.splitlines():
        m = re.match(r"^\s*([A-Za-z_][\w.]*)\s*~(?![~=])\s*(.+)$", line)
        if not m:
            lines.append(line)
            continue
        y, rhs = m.group(1), [t.strip() for t in m.group(2).split("+")]
        keep = []
        for t in rhs:
            if ":" in t:
                x, z = (v.strip() for v in t.split(":", 1))
                out.append((x, z, y))
            else:
                keep.append(t)
        if keep:
            lines.append(f"{y} ~ {' + '.join(keep)}")
    return "\n".join(lines), out


@dataclass(frozen=True)
class ModerationResult:
    """Stage-2 fit of a moderated model.

    ``paths`` (``source, target, estimate``; interaction rows named ``x*z``; with a
    bootstrap also ``se, ci_low, ci_high, n_boot_valid``), ``simple_slopes``
    (``interaction, source, moderator, target, moderator_sd, slope``, same interval
    columns), ``r2`` (``construct, r2``), ``model`` (the stage-2 :class:`ModelSpec`),
    ``estimator`` (its fitted PLSPathModel) and ``method``."""

    paths: pd.DataFrame
    simple_slopes: pd.DataFrame
    r2: pd.DataFrame
    model: ModelSpec
    estimator: PLSPathModel
    method: str


def _standardize(a: np.ndarray) -> np.ndarray:
    return (a - a.mean(axis=0)) / a.std(axis=0, ddof=1)


def fit_moderation(model, data: pd.DataFrame, interactions=None, *, method: str | None = None,
                   missing: str = "listwise", weighting: str = "path", scale=None,
                   slopes=(-1.0, 0.0, 1.0), n_boot: int = 0, seed=0,
                   alpha: float = 0.05) -> ModerationResult:
    """Estimate a PLS model with interaction terms and the simple slopes.

    Parameters
    ----------
    model : ModelSpec, Survey or str
        The main-effects model. A survey's ``interactions:`` (YAML, e.g. ``- quality:value ->
        satisfaction``) and lavaan text's ``x:z`` terms (``y ~ x + z + x:z``; then
        ``scale=(min, max)`` is required) are used when ``interactions`` is not given.
    data : DataFrame
    interactions : list of (x, z, y), optional
        Interactions to add (in addition to those in lavaan text). ``x`` and ``z`` must
        both predict ``y`` in the main-effects model.
    method : {"two_stage", "product_indicator"} or None
        Default: the survey's ``method`` of its first interaction, else ``"two_stage"``.
    missing : {"listwise", "mean"}, default="listwise"
    slopes : moderator values in SDs for the simple slopes, default (-1, 0, 1)
    n_boot : int, default=0
        Bootstrap resamples (both stages re-run on each); 0 = no SEs/CIs.
    seed : int, Generator or None, default=0
    alpha : float, default=0.05

    Returns
    -------
    ModerationResult
    """
    from csi.estimate.fit import resolve_model
    from csi.estimate.pls.model import check_number

    check_number("n_boot", n_boot, 0, np.inf, integer=True, func="fit_moderation")
    declared = list(getattr(model, "interactions", None) or []) if not isinstance(model, str) else []
    if method is None:
        method = declared[0].method if declared and interactions is None else "two_stage"
    check_option("method", method, METHODS, func="fit_moderation")
    check_option("missing", missing, ("listwise", "mean"), func="fit_moderation")
    found: list[tuple[str, str, str]] = []
    if isinstance(model, str):
        model, found = parse_interactions(model)
    elif interactions is None:
        found = [(x.source, x.moderator, x.target) for x in declared]
    spec, _ = resolve_model(model, scale)
    inter = found + [tuple(t) for t in (interactions or [])]
    if not inter:
        raise ParameterError("fit_moderation needs at least one interaction (x, z, y) or 'x:z' term.")
    for x, z, y in inter:
        for c in (x, z, y):
            if c not in spec.construct_ids:
                raise ParameterError(f"interaction {x}:{z} -> {y}: unknown construct {c!r}; constructs "
                                     f"are {', '.join(spec.construct_ids)}.")
        for c in (x, z):
            if (c, y) not in spec.paths:
                raise ParameterError(f"interaction {x}:{z} -> {y}: the main effect {c} -> {y} is not "
                                     "in the model (add it: a moderated path keeps both main effects).")
    items = prepare_data(spec, data, missing=missing).items
    res = _estimate(spec, items, inter, method, weighting, slopes)
    if n_boot:
        _bootstrap(res, spec, items, inter, method, weighting, slopes, n_boot, seed, alpha)
    return res


def _estimate(spec, items, inter, method, weighting, slopes) -> ModerationResult:
    """Both stages on recoded complete ``items`` (no missing values, no reverse coding left)."""
    extra_cols: dict[str, np.ndarray] = {}
    new_constructs: list[ConstructSpec] = []
    if method == "two_stage":
        plain1 = ModelSpec(tuple(ConstructSpec(c.id, c.items, c.mode, c.binary) for c in spec.constructs),
                           spec.paths, {i: ItemSpec(i, spec.items[i].scale_min, spec.items[i].scale_max)
                                        for i in spec.item_ids})
        sc = PLSPathModel(weighting=weighting).fit(plain1, items).scores_
    for x, z, _y in inter:
        name = f"{x}*{z}"
        if method == "two_stage":
            col = f"{name}_intxn"
            extra_cols[col] = sc[x].to_numpy() * sc[z].to_numpy()
            new_constructs.append(ConstructSpec(name, (col,)))
        else:
            xi, zi = spec.construct(x).items, spec.construct(z).items
            xs, zs = _standardize(items[list(xi)].to_numpy()), _standardize(items[list(zi)].to_numpy())
            cols = []
            for a, ia in enumerate(xi):
                for b, ib in enumerate(zi):
                    cols.append(f"{ia}*{ib}")
                    extra_cols[cols[-1]] = xs[:, a] * zs[:, b]
            new_constructs.append(ConstructSpec(name, tuple(cols)))
    # stage 2: recoded items (no reverse, no missing codes) plus the interaction items
    base = {i: ItemSpec(i, spec.items[i].scale_min, spec.items[i].scale_max) for i in spec.item_ids}
    for c in new_constructs:
        for i in c.items:
            base[i] = ItemSpec(i, -_BIG, _BIG)
    plain = tuple(ConstructSpec(c.id, c.items, c.mode, c.binary) for c in spec.constructs)
    spec2 = ModelSpec(plain + tuple(new_constructs),
                      spec.paths + tuple((f"{x}*{z}", y) for x, z, y in inter), base)
    frame2 = items.assign(**extra_cols)
    est = PLSPathModel(weighting=weighting).fit(spec2, frame2, missing="listwise")
    paths, r2 = _adjusted_paths(est, spec2, frame2, {c.id for c in new_constructs})
    rows = []
    for x, z, y in inter:
        bx = paths.loc[(paths.source == x) & (paths.target == y), "estimate"].iloc[0]
        bxz = paths.loc[(paths.source == f"{x}*{z}") & (paths.target == y), "estimate"].iloc[0]
        for m in slopes:
            rows.append({"interaction": f"{x}*{z}", "source": x, "moderator": z, "target": y,
                         "moderator_sd": float(m), "slope": float(bx + m * bxz)})
    return ModerationResult(paths, pd.DataFrame(rows), r2, spec2, est, method)


def _bootstrap(res, spec, items, inter, method, weighting, slopes, n_boot, seed, alpha) -> None:
    """Adds ``se, ci_low, ci_high`` to ``res.paths`` and ``res.simple_slopes`` (in place)."""
    from csi.errors import CsiError

    rng = np.random.default_rng(seed)
    n = len(items)
    P, S = [], []
    for _ in range(n_boot):
        sample = items.iloc[rng.integers(0, n, size=n)].reset_index(drop=True)
        try:
            with warnings.catch_warnings():  # a failed resample is counted, not shown
                warnings.simplefilter("ignore")
                r = _estimate(spec, sample, inter, method, weighting, slopes)
        except (CsiError, np.linalg.LinAlgError):
            continue
        if not r.estimator.converged_:
            continue
        P.append(r.paths["estimate"].to_numpy())
        S.append(r.simple_slopes["slope"].to_numpy())
    q = (alpha / 2, 1 - alpha / 2)
    for table, reps in ((res.paths, P), (res.simple_slopes, S)):
        if len(reps) > 1:
            a = np.array(reps)
            table["se"] = a.std(axis=0, ddof=1)
            table["ci_low"], table["ci_high"] = np.quantile(a, q, axis=0)
        else:
            table["se"] = table["ci_low"] = table["ci_high"] = np.nan
        table["n_boot_valid"] = len(reps)


def _adjusted_paths(est: PLSPathModel, spec: ModelSpec, frame: pd.DataFrame, inter: set[str]):
    """Path coefficients and R² with the interaction scores rescaled (Henseler & Chin 2010:
    standardized score x loading-weighted mean item SD), as SEMinR."""
    S = est.scores_.copy()
    load = est.loadings_.set_index(["construct", "item"])["estimate"]
    for c in inter:
        its = spec.construct(c).items
        lam = np.abs(np.array([load[(c, i)] for i in its]))
        sds = frame[list(its)].std(ddof=1).to_numpy()
        S[c] = S[c] * float((sds * lam).sum() / lam.sum())
    rows, r2 = [], []
    for y in spec.endogenous:
        pr = list(spec.predecessors(y))
        X = S[pr].to_numpy()
        yv = S[y].to_numpy()
        Xc, yc = X - X.mean(axis=0), yv - yv.mean()
        beta = np.linalg.solve(Xc.T @ Xc, Xc.T @ yc)
        res = yc - Xc @ beta
        r2.append({"construct": y, "r2": float(1 - res @ res / (yc @ yc))})
        rows += [{"source": s, "target": y, "estimate": float(b)} for s, b in zip(pr, beta, strict=True)]
    return pd.DataFrame(rows), pd.DataFrame(r2)
