"""``fit_grouped``: a pooled fit and one fit per group from one moments query in an engine.

The engine returns per-(group, bucket) sums (:mod:`csi.engines.query`); the client adds them
up (pooled), fits each group with at least ``min_n`` respondents from its own moments
(:func:`csi.estimate.moment_fit.fit_moments`), and bootstraps every fit by resampling its
buckets. Groups are processed one partition at a time, so memory stays bounded for thousands
of groups. Respondent rows never leave the engine.

Seeds: the bucket hash uses ``seed``; the pooled resamples draw from
``default_rng([seed, 0])``; the groups share one draw of bucket counts from
``default_rng([seed, 1])`` (resample ``r`` weights bucket ``b`` of every group by the same
count; the buckets of two groups hold different respondents, so each group's replicates are
an ordinary bucket bootstrap of its own rows). A group's intervals therefore depend only on
its rows, the seed, the bucket count and ``n_boot`` -- not on the engine, the partitioning or
the other groups -- and all resamples of ~100 groups come from one matrix product.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from csi.engines.group_em import em_moments, fit_em_group
from csi.engines.group_fit import ModelLayout, fit_groups
from csi.engines.pattern_stack import PatternStack, pattern_stack
from csi.engines.query import MomentsSpec
from csi.engines.run import check_source, iter_cells, open_source
from csi.errors import CsiError, DataError, MissingDataWarning, ParameterError
from csi.estimate.missing.bucket_em import resample_em
from csi.estimate.missing.policies import DROP_WARN_SHARE
from csi.estimate.moment_fit import fit_moments
from csi.estimate.moments import Moments
from csi.estimate.resample.bootstrap import _counts
from csi.estimate.results import IndexResult

__all__ = ["GroupedFit", "fit_grouped", "default_min_n"]


@dataclass(frozen=True)
class GroupedFit:
    """Result of :func:`fit_grouped`.

    ``pooled``: the fit on all rows (:class:`IndexResult`); ``groups``: group key (the value, or
    a tuple with several ``by`` columns) -> :class:`~csi.engines.group_fit.GroupFit` (index,
    paths, outer weights, R^2 with CIs); ``skipped``: key -> reason (too few respondents, a
    constant item); ``n_obs``: key -> respondents of every group.
    """

    pooled: IndexResult
    groups: dict
    skipped: dict
    by: tuple
    n_obs: dict
    engine: str
    buckets: int
    min_n: int
    info: dict = field(default_factory=dict)

    def index_table(self) -> pd.DataFrame:
        """One row per fitted group and construct: the ``by`` columns, ``construct``, ``score``,
        ``se``, ``ci_low``, ``ci_high`` (0-100, higher is better) and ``n_obs``."""
        cols = [*self.by, "construct", "score", "se", "ci_low", "ci_high", "n_obs"]
        if not self.groups:
            return pd.DataFrame(columns=cols)
        fits = list(self.groups.values())
        cids = list(fits[0].layout.ma.construct_ids)
        k = len(cids)
        keys = [key if isinstance(key, tuple) else (key,) for key in self.groups]
        out = {b: np.repeat(np.array([kk[i] for kk in keys], dtype=object), k) for i, b in enumerate(self.by)}
        out["construct"] = cids * len(fits)
        out["score"] = np.concatenate([f.estimates["index"] for f in fits])
        nan = np.full(k, np.nan)
        for c in ("se", "ci_low", "ci_high"):
            out[c] = np.concatenate([f.intervals["index"][c] if f.intervals else nan for f in fits])
        out["n_obs"] = np.repeat([f.n_obs for f in fits], k)
        return pd.DataFrame(out, columns=cols)

    def to_dict(self) -> dict:
        """JSON-ready: ``pooled`` (as :meth:`IndexResult.to_dict`), ``groups`` (list of ``{key,
        n_obs, index, path_coefficients, r2}``), ``skipped`` (list of ``{key, n_obs, reason}``)."""
        def key_obj(key):
            vals = key if isinstance(key, tuple) else (key,)
            return {b: _plain(v) for b, v in zip(self.by, vals, strict=True)}

        def records(df: pd.DataFrame):
            return [{k: _plain(v) for k, v in r.items()} for r in df.to_dict("records")]

        groups = [{"key": key_obj(k), "n_obs": int(r.n_obs), "index": records(r.index),
                   "path_coefficients": records(r.path_coefficients), "r2": records(r.r2),
                   "warnings": list(r.warnings)}
                  for k, r in self.groups.items()]
        skipped = [{"key": key_obj(k), "n_obs": int(self.n_obs.get(k, 0)), "reason": why}
                   for k, why in self.skipped.items()]
        return {"engine": self.engine, "by": list(self.by), "buckets": self.buckets, "min_n": self.min_n,
                "pooled": self.pooled.to_dict(), "groups": groups, "skipped": skipped, "info": self.info}


def _plain(v):
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def default_min_n(spec) -> int:
    """The smallest group fitted by default: ten times the largest number of arrows pointing
    at a construct (structural predecessors, or items of a formative construct) -- the
    "10-times rule" (Hair et al., *A Primer on PLS-SEM*) -- and at least 30."""
    most = 1
    for c in spec.constructs:
        most = max(most, len(spec.predecessors(c.id)))
        if c.mode == "formative":
            most = max(most, len(c.items))
    return max(30, 10 * most)


def fit_grouped(
    model,
    source,
    *,
    by=(),
    engine: str = "pandas",
    n_boot: int = 500,
    buckets: int = 500,
    seed: int = 0,
    weights: str | None = None,
    where: dict | None = None,
    between: dict | None = None,
    min_n: int | None = None,
    id_column: str = "respondent_id",
    ci: str = "percentile",
    alpha: float = 0.05,
    weighting: str = "path",
    consistent: bool = False,
    table: str | None = None,
    master: str | None = None,
    scale=None,
    missing: str = "listwise",
) -> GroupedFit:
    """Pooled and per-group PLS fits with bucket-bootstrap CIs, computed where the data lives.

    Parameters
    ----------
    model : Survey, ModelSpec or lavaan str (then ``scale=(min, max)``)
    source : path, glob, DataFrame or database URL
        Parquet/CSV for ``duckdb``/``spark``/``pandas``; a DataFrame for any engine but
        ``postgres``; a PostgreSQL URL of a csi store (``postgres``; the survey's typed tables)
        or, with ``table=``, of any table with one column per item.
    by : str or sequence of str
        Group columns (e.g. ``"shop"``, ``("shop", "wave")``); empty: the pooled fit only.
    engine : {"pandas", "duckdb", "postgres", "spark"}, default="pandas"
    n_boot : int, default=500
        Bucket resamples per fit (0: point estimates only).
    buckets : int, default=500
        Bootstrap buckets G (see :mod:`csi.estimate.resample.buckets`).
    seed : int, default=0
    weights : str or None
        Column of sampling weights (positive).
    where : dict or None
        ``{column: value or [values]}`` rows to keep (e.g. ``{"wave": ["2026Q1"]}``).
    between : dict or None
        ``{column: (low, high)}`` half-open ranges to keep, ``low <= value < high`` (None: open).
        Numbers compare as numbers; dates, datetimes and ISO-8601 text (offsets allowed) as
        instants, the column cast to a timestamp with time zone and naive values read as UTC
        (:func:`csi.engines.query.time_bound`; a bad bound is a ParameterError naming the
        column), e.g. ``{"submitted_at": ("2026-01-01", "2026-04-01")}`` for the first quarter.
    min_n : int or None
        Groups with fewer respondents are skipped with the reason (default
        :func:`default_min_n`); never fitted on noise.
    id_column : str, default="respondent_id"
        Hashed into buckets with the seed (use a customer id when one customer answers often).
    missing : {"listwise", "em"}, default="listwise"
        ``"listwise"``: respondents with a missing item are left out (as :func:`csi.fit`); a
        :class:`~csi.errors.MissingDataWarning` when that drops more than 5% of the rows.
        ``"em"``: every respondent with an answer enters; each group is fitted on EM's
        saturated mean and covariance from its per-pattern moments (MAR), with CIs from EM on
        every bucket resample (:mod:`csi.estimate.missing.bucket_em`); the pooled fit's CIs
        likewise, from EM on every resample of all groups' buckets.

    Returns
    -------
    GroupedFit
        Index scores 0-100 (higher is better), standardized paths, R^2, each with CIs.
    """
    from csi.estimate.fit import resolve_model
    from csi.estimate.pls.model import check_number

    spec, _ = resolve_model(model, scale)
    by = (by,) if isinstance(by, str) else tuple(by)
    check_number("n_boot", n_boot, 0, np.inf, integer=True, func="fit_grouped")
    check_number("buckets", buckets, 2, 2**20, integer=True, func="fit_grouped")
    if not isinstance(seed, int | np.integer):
        raise ParameterError(f"The 'seed' parameter of fit_grouped must be an int. Got {seed!r} instead.")
    min_n = default_min_n(spec) if min_n is None else check_number("min_n", min_n, 2, np.inf, integer=True,
                                                                   func="fit_grouped")
    if missing not in ("listwise", "em"):
        raise ParameterError(f"The 'missing' parameter of fit_grouped must be a str among {{'listwise', 'em'}}. "
                             f"Got {missing!r} instead.")
    items = tuple(spec.items[i] for i in spec.item_ids)
    mspec = MomentsSpec.make(items, by=by, weight=weights, id_column=id_column,
                             buckets=buckets if n_boot > 0 else 0, seed=int(seed), where=where, between=between,
                             patterns=missing == "em")
    survey = model if hasattr(model, "to_model") else None
    src = open_source(engine, source, survey=survey, table=table, master=master)
    try:
        n_rows = check_source(src, mspec)
        if n_rows == 0:
            raise DataError(f"{src.name}: no rows{' match the filter' if where or between else ''}")
        kw = {"weighting": weighting, "consistent": consistent, "ci": ci, "alpha": alpha, "scale": scale}
        layout = ModelLayout.of(spec)
        pooled_parts: list = []
        shift = None
        groups, skipped, n_obs = {}, {}, {}
        passes = 0
        counts = None
        if mspec.buckets and by:
            counts = _counts(np.random.default_rng([int(seed), 1]).integers(0, mspec.buckets, (n_boot, mspec.buckets)),
                             mspec.buckets)
        pooled_em = _PooledPatterns() if missing == "em" else None
        for cells in iter_cells(src, mspec):
            passes += 1
            if not len(cells.n):
                continue
            if pooled_em is not None:
                pooled_em.add(cells)
            else:
                if shift is None:
                    shift = (cells.n @ cells.center) / cells.n.sum()
                pooled_parts.append(_pooled_part(cells, shift))
            if not by:
                continue
            fit_rows = {}
            for key_t, rows in cells.group_rows().items():
                key = key_t if len(by) > 1 else key_t[0]
                if pooled_em is not None:
                    answered = cells.keys["pattern"].to_numpy()[rows] != 0
                    n_g = int(cells.n_obs[rows][answered].sum())
                    what = "with at least one item answered"
                else:
                    n_g = int(cells.n_obs[rows].sum())
                    what = "with every item answered"
                n_obs[key] = n_g
                if n_g < min_n:
                    skipped[key] = f"{n_g} respondents {what}; the minimum is {min_n}"
                else:
                    fit_rows[key] = rows
            if pooled_em is not None:
                fits = {}
                for key, rows in fit_rows.items():
                    try:
                        fits[key] = fit_em_group(layout, cells, rows, counts=counts, weighting=weighting,
                                                 consistent=consistent, alpha=alpha)
                    except CsiError as exc:
                        fits[key] = str(exc)
            else:
                fits = fit_groups(layout, cells, fit_rows, counts=counts, weighting=weighting,
                                  consistent=consistent, alpha=alpha)
            for key, fit in fits.items():
                if isinstance(fit, str):
                    skipped[key] = fit
                else:
                    groups[key] = fit
        if pooled_em is not None:
            if pooled_em.stack is None:
                raise DataError(f"{src.name}: no respondent answered any item of the model")
            stack = pooled_em.stack
            mom, res = em_moments(stack)
            rep = None
            if mspec.buckets:  # EM on every bucket resample of all rows, as each group's CIs
                draw = _counts(np.random.default_rng([int(seed), 0]).integers(0, mspec.buckets,
                                                                            (n_boot, mspec.buckets)), mspec.buckets)
                rep = resample_em(stack.FTp, stack.masks, draw, res, stack.center)
            pooled = fit_moments(spec, mom, n_boot=n_boot if rep is not None else 0, resample_moments=rep,
                                 seed=np.random.default_rng([int(seed), 0]), **kw)
        else:
            if not pooled_parts:
                raise DataError(f"{src.name}: no respondent answered every item of the model")
            mom, FT = _pooled_total(pooled_parts, shift, mspec.buckets)
            pooled = fit_moments(spec, mom, bucket_sums=FT, bucket_shift=shift, n_boot=n_boot,
                                 seed=np.random.default_rng([int(seed), 0]), **kw)
        _warn_dropped(missing, n_rows, mom.n_obs, src.name)
    finally:
        src.close()
    order = sorted(groups, key=_sort_key)
    sk = sorted(skipped, key=_sort_key)
    return GroupedFit(pooled=pooled, groups={k: groups[k] for k in order}, skipped={k: skipped[k] for k in sk},
                      by=by, n_obs=n_obs, engine=engine, buckets=mspec.buckets, min_n=int(min_n),
                      info={"rows_read": n_rows, "rows_used": int(mom.n_obs), "missing": missing, "passes": passes,
                            "source": src.name})


def _warn_dropped(missing: str, n_rows: int, n_used: int, name: str) -> None:
    """:class:`MissingDataWarning` when the pooled fit uses fewer than 95% of the rows read."""
    dropped = n_rows - n_used
    if n_rows and dropped > DROP_WARN_SHARE * n_rows:
        why = ("had a missing item" if missing == "listwise" else "answered no item")
        hint = "; missing='em' uses every respondent with an answer" if missing == "listwise" else ""
        warnings.warn(f"{name}: the fits use {n_used} of {n_rows} rows ({dropped} dropped, "
                      f"{100 * dropped / n_rows:.1f}%, {why}){hint}", MissingDataWarning, stacklevel=3)


class _PooledPatterns:
    """The pooled (bucket, pattern) stack, added up pass by pass (every group's cells)."""

    def __init__(self) -> None:
        self.parts: list = []

    def add(self, cells) -> None:
        self.parts.append(pattern_stack(cells, np.arange(len(cells.n))))

    @property
    def stack(self):
        parts = [p for p in self.parts if p.n_obs]
        if not parts:
            return None
        codes = sorted({int((m * (1 << np.arange(m.size))).sum()) for p in parts for m in p.masks})
        pos = {c: k for k, c in enumerate(codes)}
        G, _, q = parts[0].FTp.shape
        FTp = np.zeros((G, len(codes), q))
        for p in parts:
            for k, m in enumerate(p.masks):
                FTp[:, pos[int((m * (1 << np.arange(m.size))).sum())]] += p.FTp[:, k]
        width = parts[0].masks.shape[1]
        masks = ((np.array(codes)[:, None] >> np.arange(width)) & 1).astype(bool)
        return PatternStack(parts[0].items, masks, parts[0].center, FTp, sum(p.n_obs for p in parts))


def _sort_key(key):
    vals = key if isinstance(key, tuple) else (key,)
    return tuple((v is None, str(v)) for v in vals)


def _pooled_part(cells, shift):
    """This partition's contribution to the pooled moments and bucket sums, about ``shift``."""
    mom = cells.moments(shift=shift)
    part = {"n": mom.n, "n_obs": mom.n_obs, "sums": mom.sums, "cross": mom.cross}
    if cells.buckets:
        part["FT"] = cells.bucket_terms(shift=shift)[0]
    return part


def _pooled_total(parts, shift, buckets) -> tuple[Moments, np.ndarray | None]:
    mom = Moments(n=float(sum(p["n"] for p in parts)), n_obs=int(sum(p["n_obs"] for p in parts)),
                  sums=sum(p["sums"] for p in parts), cross=sum(p["cross"] for p in parts),
                  shift=np.asarray(shift, dtype=float))
    FT = sum(p["FT"] for p in parts) if buckets else None
    return mom, FT
