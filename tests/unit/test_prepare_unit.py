"""prepare_data: recoding, missing policies and every bad-input error."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi.errors import DataError, ParameterError
from csi.estimate.prepare import prepare_data
from csi.survey.model import ModelSpec


def _model(**kw):
    return ModelSpec.from_blocks({"a": ["a1", "a2"], "b": ["b1"]}, [("a", "b")], scale=(1, 5), **kw)


def _df():
    return pd.DataFrame({"a1": [1, 2, 3, 4, 5], "a2": [2, 3, -99, 5, 4], "b1": [1, 3, 5, 2, 4]},
                        index=list("vwxyz"))


def test_listwise_counts_and_drop():
    p = prepare_data(_model(missing_codes=(-99,)), _df())
    assert list(p.items.index) == ["v", "w", "y", "z"]
    assert p.missing == {"policy": "listwise", "n_missing_values": 1, "n_respondents_affected": 1,
                         "n_dropped": 1, "by_item": {"a1": 0, "a2": 1, "b1": 0}}
    assert p.items.dtypes.eq("float64").all() and list(p.items.columns) == ["a1", "a2", "b1"]


def test_mean_replacement_uses_item_mean():
    p = prepare_data(_model(missing_codes=(-99,)), _df(), missing="mean")
    # mean of a2 over answered rows: (2 + 3 + 5 + 4)/4 = 3.5
    assert p.items.loc["x", "a2"] == 3.5 and p.missing["n_dropped"] == 0


def test_pairwise_keeps_nan():
    p = prepare_data(_model(missing_codes=(-99,)), _df(), missing="pairwise")
    assert np.isnan(p.items.loc["x", "a2"]) and len(p.items) == 5


def test_reverse_item_recoded():
    p = prepare_data(_model(missing_codes=(-99,), reverse=["a1"]), _df())
    assert p.items["a1"].tolist() == [5, 4, 2, 1]  # 1 + 5 - x


def test_weights_column_aligned_after_listwise():
    df = _df().assign(w=[1.0, 2.0, 3.0, 4.0, 5.0])
    p = prepare_data(_model(missing_codes=(-99,)), df, weights="w")
    assert p.weights.tolist() == [1.0, 2.0, 4.0, 5.0]


def test_unknown_columns():
    with pytest.raises(DataError, match=r"no column for model item\(s\) b1; columns present: a1, a2"):
        prepare_data(_model(), _df().drop(columns="b1"))


def test_non_numeric_cell():
    df = _df().astype({"a1": object})
    df.loc["w", "a1"] = "two"
    with pytest.raises(DataError, match=r"item 'a1', row 'w': non-numeric value 'two'"):
        prepare_data(_model(missing_codes=(-99,)), df)


def test_out_of_scale_value_is_an_error():
    with pytest.raises(DataError, match=r"item 'a2', row 'x': value -99 is outside the scale \[1, 5\]"):
        prepare_data(_model(), _df())
    df = _df()
    df.loc["v", "b1"] = 6
    with pytest.raises(DataError, match=r"item 'b1', row 'v': value 6 is outside"):
        prepare_data(_model(missing_codes=(-99,)), df)


def test_all_missing_column():
    df = _df().assign(b1=np.nan)
    with pytest.raises(DataError, match=r"item 'b1' has no valid values"):
        prepare_data(_model(), df.assign(a2=[2, 3, 4, 5, 4]))


def test_too_few_rows():
    with pytest.raises(DataError, match=r"too few respondents: 2 complete row\(s\)"):
        prepare_data(_model(), _df().iloc[:2])


def test_bad_weights():
    with pytest.raises(DataError, match=r"expected a positive finite sampling weight"):
        prepare_data(_model(missing_codes=(-99,)), _df(), weights=np.array([1, 0, 1, 1, 1.0]))
    with pytest.raises(DataError, match=r"weights column 'nope' is not in the data"):
        prepare_data(_model(missing_codes=(-99,)), _df(), weights="nope")


def test_missing_parameter_message():
    with pytest.raises(ParameterError) as exc:
        prepare_data(_model(), _df(), missing="x")
    assert str(exc.value) == (
        "The 'missing' parameter of fit must be a str among {'em', 'fiml', 'pairwise', 'mean', 'listwise'}. "
        "Got 'x' instead."
    )


@pytest.mark.parametrize("order", ["C", "F"])
def test_value_range_is_the_min_and_max_of_every_value(order):
    # read in row blocks for large C-ordered data: the same (min, max) as x.min(), x.max();
    # NaN anywhere (here in the last, short block) makes both NaN; infinities are kept
    from csi.estimate.item_values import RANGE_ROWS, _value_range

    rng = np.random.default_rng(0)
    x = np.asarray(rng.integers(1, 8, size=(3 * RANGE_ROWS + 7, 5)).astype(float), order=order)
    x[RANGE_ROWS + 3, 2], x[-1, 4] = 0.5, 9.0
    assert _value_range(x) == (0.5, 9.0)
    y = x.copy(order=order)
    y[-2, 1] = -np.inf
    assert _value_range(y) == (-np.inf, 9.0)
    y[-1, 0] = np.nan
    assert all(np.isnan(v) for v in _value_range(y))
    assert _value_range(x[:10]) == (float(x[:10].min()), float(x[:10].max()))
