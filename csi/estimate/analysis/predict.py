"""PLSpredict (Shmueli et al. 2016, 2019): out-of-sample predictive power of the items.

Procedure (as SEMinR's ``predict_pls``)
---------------------------------------
For each repetition the respondents are shuffled and cut into ``folds`` contiguous blocks
(R's ``cut(seq_len(n), breaks=k)``). For each fold the PLS model is estimated on the other
folds -- from moments: *the training moments are the full-sample moments minus the fold's*,
so all ``folds x reps`` fits are one matrix product plus one batched PLS iteration -- and
the held-out respondents are predicted:

1. items standardized with the training means and SDs; construct scores with the training
   outer weights;
2. endogenous constructs predicted from their direct antecedents' scores (``"DA"``, the
   default) or from the exogenous constructs through the whole model (``"EA"``, earliest
   antecedents), with the training path coefficients;
3. item predictions ``score_hat * loading * sd + mean`` (training loadings, means, SDs).

Benchmarks: **LM** -- each endogenous item regressed (OLS with intercept, training rows) on
the items of the construct's direct antecedents (DA) or of all exogenous constructs (EA), as
in SEMinR; **naive mean** -- the item's training mean. With ``reps > 1`` each respondent's
predictions are averaged over the repetitions before the errors are taken (SEMinR/SmartPLS).

Metrics per endogenous item (original item units): ``rmse``, ``mae`` of PLS, ``lm_rmse``,
``lm_mae`` of LM, ``naive_rmse``, and ``q2_predict = 1 - SSE_pls / SSE_naive`` (above 0: PLS
beats the training mean; ``lm_q2_predict`` likewise for LM).

:func:`cvpat` tests whether PLS's out-of-sample loss is below the LM or indicator-average
benchmark's (Liengaard et al. 2021), on the same predictions.

Matches seminr-py 0.2.1 ``predict_pls`` (one repetition, the same fold assignment) on
corp_rep to 1e-6 (``tests/golden/test_seminr_predict.py``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csi.errors import DataError, ParameterError
from csi.estimate.pls.algorithm import ModelArrays
from csi.estimate.pls.model import check_number, replicate_statistics
from csi.estimate.prepare import check_option, prepare_arrays
from csi.estimate.resample.bootstrap import _per_respondent_terms, moments_from_sums
from csi.survey.model import ModelSpec

__all__ = ["predict_pls", "cvpat", "cut_folds", "PREDICT_COLUMNS", "TECHNIQUES"]

TECHNIQUES = ("DA", "EA")
#: columns of :func:`predict_pls` (item-level metrics in the item's own units).
PREDICT_COLUMNS = ["construct", "item", "q2_predict", "rmse", "mae", "lm_rmse", "lm_mae",
                   "lm_q2_predict", "naive_rmse", "naive_mae"]


def cut_folds(n: int, k: int) -> np.ndarray:
    """0-based fold of each position ``0..n-1``: R's ``cut(seq_len(n), breaks=k)``.

    Examples
    --------
    >>> cut_folds(7, 3).tolist()
    [0, 0, 0, 1, 1, 2, 2]
    """
    pos = np.arange(1, n + 1, dtype=float)
    breaks = 1 + np.arange(k + 1) * (n - 1) / k
    breaks[0], breaks[k] = 1 - (n - 1) / 1000, n + (n - 1) / 1000
    # interval (breaks[f], breaks[f + 1]] (right-closed, as R's cut)
    return np.searchsorted(breaks, pos, side="left") - 1


def _fold_ids(n: int, folds: int, reps: int, seed, fold_ids) -> np.ndarray:
    """(reps, n) fold ids 0..folds-1."""
    if fold_ids is not None:
        f = np.asarray(fold_ids)
        f = f[None] if f.ndim == 1 else f
        if f.ndim != 2 or f.shape[1] != n or not np.issubdtype(f.dtype, np.integer):
            raise ParameterError(f"'fold_ids' must be integers, one per estimation row ({n}) per "
                                 f"repetition; got shape {np.shape(fold_ids)}.")
        return f.astype(np.int64)
    rng = np.random.default_rng(seed)
    base = cut_folds(n, folds)
    out = np.empty((reps, n), dtype=np.int64)
    for r in range(reps):
        out[r, rng.permutation(n)] = base  # position i of the shuffled order -> fold base[i]
    return out


def _errors(model, data, *, folds, reps, seed, technique, fold_ids, missing, weighting,
            consistent, scale):
    """Out-of-sample prediction errors (n, m) of PLS, LM and the training mean for the m
    endogenous items (predictions averaged over the repetitions)."""
    from csi.estimate.fit import resolve_model

    spec, _ = resolve_model(model, scale)
    check_option("technique", technique, TECHNIQUES, func="predict_pls")
    if missing == "pairwise":
        raise ParameterError("predict_pls needs complete items: missing='pairwise' is not possible "
                             "(use 'listwise' or an imputing policy such as 'mean').")
    check_number("reps", reps, 1, np.inf, integer=True, func="predict_pls")
    prep = prepare_arrays(spec, data, missing=missing)
    x = np.asarray(prep.x, dtype=float)
    if np.isnan(x).any():
        raise DataError(f"the missing={missing!r} policy left missing values; use 'listwise' or 'mean'.")
    n = len(x)
    check_number("folds", folds, 2, max(n, 2), integer=True, func="predict_pls")
    ma = ModelArrays.from_model(spec)
    if not len(ma.endogenous):
        raise ParameterError("predict_pls needs a model with at least one structural path.")
    F = _fold_ids(n, folds, reps, seed, fold_ids)
    n_folds = int(F.max()) + 1
    # one training sample per (repetition, fold): membership rows (B, n)
    train = np.concatenate([(F[r][None, :] != np.arange(n_folds)[:, None]) for r in range(len(F))])
    test = ~train
    if (test.sum(axis=1) == 0).any():
        raise ParameterError("every fold needs at least one respondent (fewer folds, please).")
    FT, shift, tri = _per_respondent_terms(x, None)
    mean, sd, Rt, zero, nw = moments_from_sums(FT @ train.T.astype(float), shift, ma.p, tri)
    if zero.any():
        raise DataError("an item is constant in a training sample of PLSpredict; use fewer folds "
                        "or drop the item.")
    Rt = np.array(Rt)  # the scratch buffers are not ours to keep
    st = replicate_statistics(Rt, mean, sd, ma, nw, scheme=weighting, consistent=consistent,
                              want_rho_a=False, want_htmt=False, want_w_matrix=True)
    if not st["converged"].all():
        raise DataError("PLS did not converge in a training sample of PLSpredict.")
    endo_items = np.concatenate([ma.blocks[j] for j in ma.endogenous])
    order = _ea_order(ma) if technique == "EA" else None
    pls_sum = np.zeros((n, len(endo_items)))
    lm_sum = np.zeros_like(pls_sum)
    naive_sum = np.zeros_like(pls_sum)
    lm_x = {j: _lm_predictors(ma, j, technique) for j in ma.endogenous}
    for b in range(len(train)):
        rows = np.flatnonzero(test[b])
        z = (x[rows] - mean[b]) / sd[b]
        scores = z @ st["W"][b]
        Bm = st["paths"][b]
        if order is None:
            pred = scores @ Bm
        else:
            pred = scores.copy()
            pred[:, order] = 0.0
            for j in order:
                pred[:, j] = pred @ Bm[:, j]
        it = endo_items
        pls_sum[rows] += pred[:, ma.item_block[it]] * st["loadings"][b, it] * sd[b, it] + mean[b, it]
        naive_sum[rows] += mean[b, it]
        cov = Rt[:, :, b] * np.outer(sd[b], sd[b])
        col = 0
        for j in ma.endogenous:
            ys, xs = ma.blocks[j], lm_x[j]
            beta = np.linalg.solve(cov[np.ix_(xs, xs)], cov[np.ix_(xs, ys)])
            lm_sum[rows, col:col + len(ys)] = lm_sum[rows, col:col + len(ys)] + \
                (x[np.ix_(rows, xs)] - mean[b, xs]) @ beta + mean[b, ys]
            col += len(ys)
    n_reps = len(F)
    actual = x[:, endo_items]
    return ma, endo_items, actual - pls_sum / n_reps, actual - lm_sum / n_reps, \
        actual - naive_sum / n_reps


def predict_pls(
    model: ModelSpec,
    data: pd.DataFrame,
    *,
    folds: int = 10,
    reps: int = 10,
    seed=0,
    technique: str = "DA",
    fold_ids=None,
    missing: str = "listwise",
    weighting: str = "path",
    consistent: bool = False,
    scale=None,
) -> pd.DataFrame:
    """k-fold, repeated out-of-sample predictions of the endogenous constructs' items.

    Parameters
    ----------
    model : ModelSpec, Survey or lavaan text (then ``scale=(min, max)``)
    data : DataFrame
        One row per respondent, item ids as columns.
    folds : int, default=10
        Number of folds ``k`` (2 .. n).
    reps : int, default=10
        Repetitions with fresh random fold assignments (predictions averaged).
    seed : int, Generator or None, default=0
        Seeds the shuffles (``numpy.random.default_rng(seed)``): reproducible folds.
    technique : {"DA", "EA"}, default="DA"
        Direct-antecedent or earliest-antecedent prediction (see the module docstring).
    fold_ids : array of int, shape (n,) or (reps, n), optional
        An explicit fold (0-based) per estimation row and repetition; overrides
        ``folds``/``reps``/``seed``.
    missing, weighting, consistent
        As :func:`csi.fit`. ``missing="mean"`` replaces with full-sample means first (as
        SEMinR does); any policy that leaves complete items works, ``"pairwise"`` does not
        (predictions need every item).

    Returns
    -------
    DataFrame
        :data:`PREDICT_COLUMNS`, one row per item of an endogenous construct (model order).

    Raises
    ------
    ParameterError
        Bad ``folds``/``reps``/``technique``/``fold_ids``.
    DataError
        A training sample in which an item is constant or PLS does not converge.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> z = rng.normal(size=(300, 1)); y = 0.6 * z + 0.8 * rng.normal(size=(300, 1))
    >>> x = np.hstack([z + 0.5 * rng.normal(size=(300, 2)), y + 0.5 * rng.normal(size=(300, 2))])
    >>> df = pd.DataFrame(np.clip(np.round(4 + 1.2 * x), 1, 7), columns=["x1", "x2", "y1", "y2"])
    >>> m = ModelSpec.from_blocks({"X": ["x1", "x2"], "Y": ["y1", "y2"]}, [("X", "Y")], scale=(1, 7))
    >>> out = predict_pls(m, df, folds=5, reps=2, seed=1)
    >>> out["item"].tolist(), bool((out["q2_predict"] > 0.1).all())
    (['y1', 'y2'], True)
    """
    ma, endo_items, err, err_lm, err_nv = _errors(
        model, data, folds=folds, reps=reps, seed=seed, technique=technique, fold_ids=fold_ids,
        missing=missing, weighting=weighting, consistent=consistent, scale=scale)
    n = len(err)
    sse_nv = (err_nv**2).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = pd.DataFrame({
            "construct": [ma.construct_ids[ma.item_block[i]] for i in endo_items],
            "item": [ma.item_ids[i] for i in endo_items],
            "q2_predict": 1.0 - (err**2).sum(axis=0) / sse_nv,
            "rmse": np.sqrt((err**2).mean(axis=0)),
            "mae": np.abs(err).mean(axis=0),
            "lm_rmse": np.sqrt((err_lm**2).mean(axis=0)),
            "lm_mae": np.abs(err_lm).mean(axis=0),
            "lm_q2_predict": 1.0 - (err_lm**2).sum(axis=0) / sse_nv,
            "naive_rmse": np.sqrt(sse_nv / n),
            "naive_mae": np.abs(err_nv).mean(axis=0),
        }, columns=PREDICT_COLUMNS)
    return out


def _lm_predictors(ma: ModelArrays, j: int, technique: str) -> np.ndarray:
    """Item positions of the LM benchmark's regressors for endogenous construct ``j``."""
    src = ma.preds[j] if technique == "DA" else [c for c in range(ma.k) if not len(ma.preds[c])]
    return np.concatenate([ma.blocks[c] for c in src])


def _ea_order(ma: ModelArrays) -> list[int]:
    """Endogenous constructs in dependency order (each after its predecessors)."""
    done = {j for j in range(ma.k) if not len(ma.preds[j])}
    order: list[int] = []
    pending = [int(j) for j in ma.endogenous]
    while pending:
        for j in pending:
            if all(int(i) in done for i in ma.preds[j]):
                order.append(j)
                done.add(j)
                pending.remove(j)
                break
    return order


def predict_records(model, data: pd.DataFrame, *, missing_codes=(), **kw) -> list[dict]:
    """:func:`predict_pls` as JSON-ready records (``csi estimate --predict``): one dict per
    item with :data:`PREDICT_COLUMNS` (NaN -> None)."""
    if isinstance(model, str) and missing_codes:
        from csi.survey.syntax import parse_lavaan

        model = parse_lavaan(model, scale=kw.pop("scale"), missing_codes=tuple(missing_codes))
    return _records(predict_pls(model, data, **kw))


def cvpat_records(model, data: pd.DataFrame, *, missing_codes=(), **kw) -> list[dict]:
    """:func:`cvpat` against LM and IA as JSON-ready records (``csi estimate --predict``)."""
    if isinstance(model, str) and missing_codes:
        from csi.survey.syntax import parse_lavaan

        model = parse_lavaan(model, scale=kw.pop("scale"), missing_codes=tuple(missing_codes))
    return [r for b in ("LM", "IA") for r in _records(cvpat(model, data, benchmark=b, **kw))]


def _records(table: pd.DataFrame) -> list[dict]:
    return [{k: (None if isinstance(v, float) and not np.isfinite(v) else
                 (float(v) if isinstance(v, np.floating | float) else v))
             for k, v in rec.items()} for rec in table.to_dict(orient="records")]


def cvpat(model, data: pd.DataFrame, *, benchmark: str = "LM", **kw) -> pd.DataFrame:
    """CVPAT (Liengaard et al. 2021): does PLS predict the endogenous items better than a benchmark?

    Per respondent, the loss is the squared out-of-sample prediction error summed over the
    items of each endogenous construct (and over all of them: row ``construct="overall"``);
    ``D_i = loss_benchmark_i - loss_pls_i``. The test is a one-sided paired t-test of
    ``mean(D) > 0``: ``t = mean(D) / (sd(D) / sqrt(n))``, ``p`` from Student's t with
    ``n - 1`` degrees of freedom. ``benchmark="LM"`` (the linear model on the antecedents'
    items) or ``"IA"`` (indicator averages: each item's training mean). The predictions are
    those of :func:`predict_pls` (``**kw`` as there: folds, reps, seed, technique, ...).

    Returns
    -------
    DataFrame
        ``construct, benchmark, loss_pls, loss_benchmark, difference, t, p_value`` (losses
        are mean squared errors per respondent, summed over the construct's items; positive
        ``difference``: PLS predicts better).
    """
    from scipy import special

    check_option("benchmark", benchmark, ("LM", "IA"), func="cvpat")
    ma, endo_items, err, err_lm, err_nv = _errors(
        model, data, folds=kw.pop("folds", 10), reps=kw.pop("reps", 10), seed=kw.pop("seed", 0),
        technique=kw.pop("technique", "DA"), fold_ids=kw.pop("fold_ids", None),
        missing=kw.pop("missing", "listwise"), weighting=kw.pop("weighting", "path"),
        consistent=kw.pop("consistent", False), scale=kw.pop("scale", None))
    if kw:
        raise ParameterError(f"cvpat got unexpected keyword argument(s): {', '.join(sorted(kw))}")
    bench = err_lm if benchmark == "LM" else err_nv
    owner = ma.item_block[endo_items]
    groups = [(ma.construct_ids[j], owner == j) for j in ma.endogenous] + [("overall", owner >= 0)]
    rows = []
    n = len(err)
    for name, cols in groups:
        lp = (err[:, cols] ** 2).sum(axis=1)
        lb = (bench[:, cols] ** 2).sum(axis=1)
        d = lb - lp
        sd = d.std(ddof=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            t = d.mean() / (sd / np.sqrt(n))
            p = float(special.stdtr(n - 1, -t)) if np.isfinite(t) else np.nan
        rows.append({"construct": name, "benchmark": benchmark, "loss_pls": lp.mean(),
                     "loss_benchmark": lb.mean(), "difference": d.mean(), "t": t, "p_value": p})
    return pd.DataFrame(rows)
