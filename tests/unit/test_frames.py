"""The fast table constructor gives the public constructor's frames (values, dtypes, labels)
and shares no memory with what it was given."""

from __future__ import annotations

import numpy as np
import pandas as pd

from csi.estimate.frames import columns, columns_frame, frame, labels, matrix, square


def test_frame_equals_the_public_constructor():
    cols = {"source": ["a", "b", "c"], "target": ["x", "y", "z"],
            "estimate": np.array([0.5, -0.1, np.nan]), "n": np.array([1, 2, 3]),
            "ok": np.array([True, False, True])}
    fast = frame({k: labels(v) if isinstance(v, list) else v for k, v in cols.items()})
    pd.testing.assert_frame_equal(fast, pd.DataFrame(cols))


def test_an_empty_label_column_is_object():
    # as the result tables always had it (a model without paths has empty path tables)
    fast = frame({"construct": labels([]), "estimate": np.zeros(0)})
    pd.testing.assert_frame_equal(fast, pd.DataFrame({"construct": pd.Series([], dtype=object),
                                                      "estimate": np.zeros(0)}))


def test_frame_copies_its_inputs():
    v, lab = np.array([1.0, 2.0]), labels(["a", "b"])
    f = frame({"construct": lab, "estimate": v})
    f.loc[0, "estimate"] = 9.0
    f.loc[1, "construct"] = "changed"
    assert v.tolist() == [1.0, 2.0]
    assert list(labels(["a", "b"])) == ["a", "b"]  # the cached label column is untouched


def test_labelled_matrices():
    m = np.arange(4.0).reshape(2, 2)
    pd.testing.assert_frame_equal(square(m, ["a", "b"]), pd.DataFrame(m, index=["a", "b"], columns=["a", "b"]))
    pd.testing.assert_frame_equal(matrix(m, ["r1", "r2"], ["a", "b"]),
                                  pd.DataFrame(m, index=["r1", "r2"], columns=["a", "b"]))
    out = square(m, ["a", "b"])
    out.iloc[0, 0] = 7.0
    assert m[0, 0] == 0.0
    assert columns(("a", "b")) is columns(["a", "b"])


def test_interleaved_columns_and_a_given_index_equal_the_public_constructor():
    # float columns between label columns (the float block is not one slice of positions)
    idx = pd.Index(["r1", "r2"], name="row")
    cols = {"a": ["x", "y"], "v": np.array([1.0, 2.0]), "b": ["u", "w"],
            "w": np.array([np.nan, -3.5]), "z": np.array([0.0, 1e300])}
    fast = frame({k: labels(v) if isinstance(v, list) else v for k, v in cols.items()}, index=idx)
    pd.testing.assert_frame_equal(fast, pd.DataFrame(cols, index=idx))
    fast.loc["r1", "w"] = 1.0  # writable, and the inputs are untouched
    assert np.isnan(cols["w"][0])


def test_columns_frame_is_the_transposed_array_without_a_copy():
    v = np.arange(6.0).reshape(2, 3)  # 2 columns x 3 rows
    idx = pd.Index([10, 11, 12])
    f = columns_frame(v, idx, columns(["a", "b"]))
    pd.testing.assert_frame_equal(f, pd.DataFrame(v.T, index=idx, columns=["a", "b"]))
    assert np.shares_memory(f["a"].to_numpy(), v)
