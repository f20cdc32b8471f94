"""Turn a response DataFrame into estimator-ready items: checked, recoded, missing handled.

:func:`prepare_data` is the single gate every estimator (PLS and CB-SEM) passes data through:

1. every model item must be a column (else :class:`~csi.errors.DataError` naming the missing
   columns and the columns that exist);
2. cells must be numeric (text is an error naming item, row label and value);
3. an item's declared ``missing_codes`` (e.g. -99, a "don't know" code) become missing;
4. any other value outside the item's theoretical ``[scale_min, scale_max]`` is an error --
   a value outside the scale never reaches an estimator;
5. reverse items are recoded ``scale_min + scale_max - x``;
6. the ``missing`` policy is applied and what it touched is counted, per item and
   missingness type (:mod:`csi.estimate.missing.policies`).

Missing-data policies
---------------------
``"em"`` / ``"fiml"``
    NaNs are kept; respondents with no answered item are dropped (they carry no
    information); the estimator works on per-pattern moments (EM, casewise ML).
``"listwise"``
    Respondents with any missing item are dropped (counted in ``n_dropped``).
``"pairwise"``
    NaNs are kept; estimators compute pairwise-complete moments.
``"mean"``
    Each missing value is replaced by its item's mean over the respondents who answered
    (SEMinR's ``mean_replacement``; needed to reproduce the corp_rep reference values).

Items shown only to some respondents (``show_if`` in the survey) are structurally missing
for the others. The survey says how they enter with the item's ``not_shown`` rule
(:data:`NOT_SHOWN_RULES`):

``impute``
    the unshown answers are missing at random given the display condition (it depends on an
    observed answer) and are handled by the fit's policy, whatever it is;
``listwise``
    the model uses only the respondents who answered the item (those not shown it are
    dropped before the fit's policy handles the other gaps);
``em``, ``fiml``, ``pairwise``, ``mean``
    the item may only be estimated under that policy (``em`` and ``fiml`` are the same
    saturated-ML treatment, for PLS and CB-SEM); another policy is refused.

Without a rule any policy refuses the item with a :class:`~csi.errors.DataError` naming the
item, its construct and the condition.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
import pandas as pd

from csi.errors import DataError
from csi.estimate.item_values import (
    _check_columns,
    _check_enough,
    _float_items,
    _value_range,
    _weights,
)
from csi.estimate.missing.policies import POLICIES, type_counts
from csi.estimate.params import check_option
from csi.survey.model import ModelSpec

__all__ = ["PreparedData", "PreparedArrays", "prepare_data", "prepare_arrays", "MISSING_POLICIES",
           "check_option"]

MISSING_POLICIES = POLICIES
#: the ``not_shown`` rules an item with ``show_if`` may carry (module docstring).
NOT_SHOWN_RULES = ("impute", "listwise", "em", "fiml", "pairwise", "mean")


@dataclass(frozen=True)
class PreparedData:
    """Items ready for estimation.

    Attributes
    ----------
    items : DataFrame
        float64, columns = ``model.item_ids`` (block order), index = the input index; missing
        codes replaced by NaN, reverse items recoded (``min + max - x``). After listwise
        deletion only complete rows remain; after ``"mean"`` there are no NaNs; after
        ``"pairwise"`` NaNs remain.
    weights : ndarray or None
        Sampling weights aligned with ``items.index`` (positive, finite), or None.
    missing : dict
        ``{"policy", "n_missing_values", "n_respondents_affected", "n_dropped", "by_item"}``;
        ``by_item`` maps item id -> number of missing values (before the policy).
    """

    items: pd.DataFrame
    weights: np.ndarray | None
    missing: dict
    type_counts: np.ndarray | None = None  # (p, 4) missing cells per item and type


@dataclass(frozen=True)
class PreparedArrays:
    """:class:`PreparedData` as arrays (no DataFrame is built when the data are clean).

    Attributes
    ----------
    x : ndarray, shape (n, p)
        float64 items (the ``items`` values of :class:`PreparedData`; may be a read-only view
        of the caller's data).
    index : Index
        Row labels of ``x``.
    columns : Index
        ``model.item_ids``.
    weights, missing
        As in :class:`PreparedData`.
    """

    x: np.ndarray
    index: pd.Index
    columns: pd.Index
    weights: np.ndarray | None
    missing: dict
    frame: pd.DataFrame | None = None  # the items frame when the missing policy built one
    type_counts: np.ndarray | None = None  # (p, 4) per item and missingness type (before the policy)
    n_total: int = 0  # rows of the input data

    def may_have_nan(self) -> bool:
        """False when ``x`` holds no NaN (prepare counted no missing cell), without a scan of
        the data; True when it counted some (a policy may have removed them since)."""
        return self.missing["n_missing_values"] > 0

    def items(self) -> pd.DataFrame:
        """The items as a DataFrame (``PreparedData.items``)."""
        if self.frame is not None:
            return self.frame
        return pd.DataFrame(self.x, index=self.index, columns=self.columns, copy=False)


@dataclass(frozen=True)
class _ItemPlan:
    """Per-model item constants used on every call (cached per ModelSpec object)."""

    item_ids: list
    specs: list
    lo: np.ndarray
    hi: np.ndarray
    codes_all: frozenset
    rev: np.ndarray
    max_block: int


_PLANS: dict[int, tuple[weakref.ref, _ItemPlan]] = {}


def _item_plan(model: ModelSpec) -> _ItemPlan:
    hit = _PLANS.get(id(model))
    if hit is not None and hit[0]() is model:
        return hit[1]
    item_ids = list(model.item_ids)
    specs = [model.items[it] for it in item_ids]
    plan = _ItemPlan(
        item_ids=item_ids,
        specs=specs,
        lo=np.array([sp.scale_min for sp in specs], dtype=float),
        hi=np.array([sp.scale_max for sp in specs], dtype=float),
        codes_all=frozenset(code for sp in specs for code in sp.missing_codes),
        rev=np.array([sp.reverse for sp in specs], dtype=bool),
        max_block=max(len(c.items) for c in model.constructs),
    )
    _PLANS[id(model)] = (weakref.ref(model), plan)
    weakref.finalize(model, _PLANS.pop, id(model), None)
    return plan


def _row_label(index: pd.Index, pos: int) -> str:
    return repr(index[pos])


def prepare_data(
    model: ModelSpec,
    data: pd.DataFrame,
    *,
    missing: str = "listwise",
    weights: str | np.ndarray | pd.Series | None = None,
    missing_types: pd.DataFrame | None = None,
) -> PreparedData:
    """Check and recode the model's items; apply the missing-data policy.

    Parameters
    ----------
    model : ModelSpec
        Item ids, theoretical scale bounds, reverse flags and missing codes.
    data : DataFrame
        One row per respondent; columns include every item id (other columns are ignored).
    missing : {"listwise", "pairwise", "mean"}, default="listwise"
        Missing-data policy (see module docstring). Counts are always reported.
    weights : str, array-like or None
        Sampling weights: the name of a column of ``data`` or an array with one positive
        weight per row of ``data``.
    missing_types : DataFrame or None
        The import's missingness types (``ResponseBatch.missing_types``: same index, a column
        per item, ``dont_know``/``not_shown``/``skipped``/``no_answer``) for the NaN cells.

    Returns
    -------
    PreparedData

    Raises
    ------
    DataError
        Unknown item columns, non-numeric cells, out-of-scale values that are not missing
        codes, all-missing items, bad weights, or fewer complete respondents than the
        largest block has items.
    ParameterError
        ``missing`` not one of the policies.

    Examples
    --------
    >>> m = ModelSpec.from_blocks({"a": ["a1", "a2"], "b": ["b1"]}, [("a", "b")],
    ...                           scale=(1, 5), missing_codes=(-99,))
    >>> df = pd.DataFrame({"a1": [1, 2, 3, 4], "a2": [2, -99, 4, 5], "b1": [1, 3, 5, 2]})
    >>> p = prepare_data(m, df)
    >>> len(p.items), p.missing["n_dropped"]
    (3, 1)
    """
    prep = prepare_arrays(model, data, missing=missing, weights=weights, missing_types=missing_types)
    return PreparedData(items=prep.items(), weights=prep.weights, missing=prep.missing,
                        type_counts=prep.type_counts)


def prepare_arrays(
    model: ModelSpec,
    data: pd.DataFrame,
    *,
    missing: str = "listwise",
    weights: str | np.ndarray | pd.Series | None = None,
    missing_types: pd.DataFrame | None = None,
) -> PreparedArrays:
    """:func:`prepare_data` without building the items DataFrame (same checks and errors).

    Estimators use this: clean all-numeric data (no missing, every value in scale, no reverse
    items) pass as a read-only float64 view with no pandas work beyond the column lookup.
    """
    check_option("missing", missing, MISSING_POLICIES)
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"data must be a pandas DataFrame; got {type(data).__name__}")
    plan = _item_plan(model)
    item_ids = plan.item_ids
    _check_structural(plan.specs, model, missing)
    col_list = _check_columns(data, item_ids)
    w = _weights(data, weights)

    specs, lo, hi = plan.specs, plan.lo, plan.hi
    sub = data if col_list == item_ids else data[item_ids]
    x, owned = _float_items(data, sub, item_ids)  # owned: x may be written (not the caller's)
    # Fast path (two flat read-only passes): no NaN/inf, no missing code present, all in scale.
    gmn, gmx = _value_range(x)  # NaN propagates (data with a missing answer are not clean)
    codes_all = plan.codes_all
    clean = (
        np.isfinite(gmn) and np.isfinite(gmx) and gmn >= lo.max() and gmx <= hi.min()
        and not any(gmn <= code <= gmx for code in codes_all)
    )
    code_cols: list[int] = []
    if not clean:  # per-item ranges, NaN ignored (fmin/fmax): one pass each
        mn, mx = np.fmin.reduce(x, axis=0), np.fmax.reduce(x, axis=0)
        nan_mask = np.isnan(x)
        n_nan_col = _count_per_column(nan_mask)
        code_cols = [
            c for c, sp in enumerate(specs)
            if sp.missing_codes and any(mn[c] <= code <= mx[c] for code in sp.missing_codes)
        ]
        clean = not n_nan_col.any() and not code_cols and bool((mn >= lo).all() and (mx <= hi).all())
    if clean:
        nan_mask = None
        n_nan_col = np.zeros(len(item_ids), dtype=int)
        counts = np.zeros((len(item_ids), 4), dtype=np.int64)
    else:
        if code_cols and not owned:  # missing codes are replaced in place below
            x, owned = np.array(x, dtype="float64", copy=True), True
        if np.isinf(mn).any() or np.isinf(mx).any():
            r, c = np.argwhere(np.isinf(x))[0]
            raise DataError(f"item {item_ids[c]!r}, row {_row_label(data.index, r)}: infinite value")
        counts = type_counts(x, specs, missing_types, data.index, item_ids, nan_mask=nan_mask,
                             code_cols=code_cols)
        for c in code_cols:
            col = x[:, c]
            is_code = np.isin(col, np.asarray(specs[c].missing_codes, dtype=float))
            col[is_code] = np.nan
            nan_mask[:, c] |= is_code
            n_nan_col[c] = np.count_nonzero(nan_mask[:, c])
            mn[c], mx[c] = np.fmin.reduce(col), np.fmax.reduce(col)
        out_cols = np.flatnonzero((mn < lo) | (mx > hi))
        if out_cols.size:  # locate the first value outside its scale
            c = int(out_cols[0])
            col_bad = (x[:, c] < lo[c]) | (x[:, c] > hi[c])
            spec = specs[c]
            pos = int(np.flatnonzero(col_bad)[0])
            nbad = int(col_bad.sum())
            extra = f" ({nbad} values in all)" if nbad > 1 else ""
            hint = (
                f"; declared missing codes: {tuple(spec.missing_codes)}"
                if spec.missing_codes
                else "; if it means 'no answer', declare it as a missing code"
            )
            raise DataError(
                f"item {spec.id!r}, row {_row_label(data.index, pos)}: value {x[pos, c]:g} is outside "
                f"the scale [{spec.scale_min:g}, {spec.scale_max:g}]{extra}{hint}"
            )
        for c in np.flatnonzero(n_nan_col == len(x)):
            raise DataError(f"item {item_ids[c]!r} has no valid values (all {len(x)} are missing)")
    by_item = (dict.fromkeys(item_ids, 0) if nan_mask is None
               else {it: int(v) for it, v in zip(item_ids, n_nan_col, strict=True)})
    rev = plan.rev
    if rev.any():
        if not owned:
            x, owned = np.array(x, dtype="float64", copy=True), True
        x[:, rev] = lo[rev] + hi[rev] - x[:, rev]
    index, frame = data.index, None
    shown = _shown_only(specs, nan_mask)
    n_subgroup = 0
    if shown is not None:  # `not_shown: listwise`: only the respondents shown the item(s)
        n_subgroup = int((~shown).sum())
        x, index, nan_mask = x[shown], index[shown], nan_mask[shown]
        n_nan_col = _count_per_column(nan_mask)
        if w is not None:
            w = w[shown]
    n_nan_row = None if nan_mask is None else _count_per_row(nan_mask)
    row_missing = None if n_nan_row is None else n_nan_row > 0
    info = {
        "policy": missing,
        "n_missing_values": int(n_nan_col.sum()),
        "n_respondents_affected": 0 if row_missing is None else int(row_missing.sum()),
        "n_dropped": n_subgroup,
        "by_item": by_item,
    }
    if missing == "listwise" and info["n_respondents_affected"]:
        keep = ~row_missing
        info["n_dropped"] += int(row_missing.sum())
        frame = pd.DataFrame(x, index=index, columns=sub.columns, copy=False).loc[keep]
        if w is not None:
            w = w[keep]
    elif missing == "mean" and info["n_missing_values"]:
        items = pd.DataFrame(x, index=index, columns=sub.columns, copy=False)
        frame = items.fillna(items.mean())
    elif missing in ("em", "fiml") and row_missing is not None:
        empty = n_nan_row == nan_mask.shape[1]
        if empty.any():  # no answered item: no information on the items
            info["n_dropped"] += int(empty.sum())
            frame = pd.DataFrame(x, index=index, columns=sub.columns, copy=False).loc[~empty]
            if w is not None:
                w = w[~empty]
    if frame is not None:
        x, index = frame.to_numpy(), frame.index

    _check_enough(len(x), info["n_dropped"], plan.max_block)
    return PreparedArrays(x=x, index=index, columns=sub.columns, weights=w, missing=info,
                          frame=frame, type_counts=counts, n_total=len(data))


def _count_per_column(mask: np.ndarray) -> np.ndarray:
    """True cells per column of a boolean (n, p) array (count_nonzero per column: a bit count,
    ~10x faster than ``mask.sum(axis=0)``, which widens every cell to an integer first)."""
    return np.array([np.count_nonzero(mask[:, c]) for c in range(mask.shape[1])], dtype=np.int64)


def _count_per_row(mask: np.ndarray) -> np.ndarray:
    """True cells per row of a boolean (n, p) array, summed as bytes (p < 65,536)."""
    return mask.view(np.uint8).sum(axis=1, dtype=np.uint8 if mask.shape[1] < 256 else np.uint16)


def _check_structural(specs, model, missing: str) -> None:
    """Refuse items shown only to a subgroup unless the survey says how they enter under ``missing``."""
    ml = ("em", "fiml")
    for sp in specs:
        cond = getattr(sp, "shown_if", None)
        if not cond:
            continue
        rule = getattr(sp, "not_shown", None)
        owner = next((c.id for c in model.constructs if sp.id in c.items), "?")
        at = getattr(sp, "show_if_at", None)
        if rule is None:
            raise DataError(
                (f"{at}: " if at else "")
                + f"item {sp.id!r} of construct {owner!r} is shown only when {cond} (show_if): the "
                "respondents not shown it are missing by design, not at random, and the model "
                "would impute or drop them. Say how it enters: set `not_shown: impute` on the item "
                "in the survey (treat the unshown answers as missing at random given the "
                "condition), `not_shown: listwise` (use only the respondents shown it), or the one "
                "policy it may be estimated under (em, fiml, pairwise, mean); or remove the item "
                "from the model's constructs")
        if rule in ("impute", "listwise") or rule == missing or (rule in ml and missing in ml):
            continue
        raise DataError(
            f"item {sp.id!r} of construct {owner!r} (shown only when {cond}) has `not_shown: {rule}` "
            f"in the survey, so it may only be estimated with missing={rule!r}; this fit uses "
            f"missing={missing!r}. Fit with missing={rule!r} or change the item's rule")


def _shown_only(specs, nan_mask):
    """Rows kept by the items' ``not_shown: listwise`` rules (None: no such item has a gap)."""
    cols = [c for c, sp in enumerate(specs)
            if getattr(sp, "shown_if", None) and getattr(sp, "not_shown", None) == "listwise"]
    if not cols or nan_mask is None:
        return None
    gone = nan_mask[:, cols].any(axis=1)
    return ~gone if gone.any() else None
