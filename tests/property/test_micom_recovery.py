"""Recovery tests of MICOM (csi.estimate.analysis.micom) on simulated groups with known (non-)invariance.

The population: X -> Y, three items each, ``item = lambda * construct + noise``. Invariant
groups share the loadings, means and variances; the non-invariant cases change one
construct's item loadings (composition), its mean, or its variance in group b.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi.errors import DataError, ParameterError
from csi.estimate.analysis.micom import MICOM_COLUMNS, micom
from csi.survey.model import ModelSpec

MODEL = ModelSpec.from_blocks({"X": ["x1", "x2", "x3"], "Y": ["y1", "y2", "y3"]}, [("X", "Y")],
                              scale=(-50, 50))
LAM = np.array([0.8, 0.7, 0.6])


def _group(rng, n, lam_x=LAM, shift_y=0.0, scale_y=1.0):
    x = rng.normal(size=n)
    y = (0.5 * x + np.sqrt(0.75) * rng.normal(size=n)) * scale_y + shift_y
    xi = x[:, None] * lam_x + rng.normal(size=(n, 3)) * np.sqrt(1 - lam_x**2)
    yi = y[:, None] * LAM + rng.normal(size=(n, 3)) * np.sqrt(1 - LAM**2)
    return np.hstack([xi, yi])


def _frame(a, b):
    df = pd.DataFrame(np.vstack([a, b]), columns=list(MODEL.item_ids))
    df["g"] = ["a"] * len(a) + ["b"] * len(b)
    return df


def test_columns_and_verdicts_known_noninvariance():
    rng = np.random.default_rng(3)
    # X's composition differs (x3 carries X in group b only), Y's mean is shifted by 0.5 SD
    a = _group(rng, 400, lam_x=np.array([0.85, 0.8, 0.05]))
    b = _group(rng, 400, lam_x=np.array([0.05, 0.3, 0.9]), shift_y=0.5)
    out = micom(MODEL, _frame(a, b), "g", n_perm=500, seed=0).set_index("construct")
    assert list(out.reset_index().columns) == MICOM_COLUMNS
    assert out.loc["X", "verdict"] == "none" and not out.loc["X", "compositional"]
    assert out.loc["X", "c"] < out.loc["X", "c_quantile"]
    assert out.loc["Y", "compositional"] and not out.loc["Y", "equal_mean"]
    assert out.loc["Y", "verdict"] == "partial"
    assert out.loc["Y", "mean_diff"] < 0  # a - b, b shifted up
    assert out["n_perm_valid"].eq(500).all()


def test_variance_difference_detected():
    rng = np.random.default_rng(4)
    out = micom(MODEL, _frame(_group(rng, 500), _group(rng, 500, scale_y=1.6)), "g",
                n_perm=500, seed=1).set_index("construct")
    assert not out.loc["Y", "equal_var"] and out.loc["Y", "verdict"] == "partial"
    assert out.loc["Y", "log_var_ratio"] < 0


def test_reproducible_and_symmetric_labels():
    rng = np.random.default_rng(5)
    df = _frame(_group(rng, 150), _group(rng, 150))
    one = micom(MODEL, df, "g", n_perm=99, seed=2)
    two = micom(MODEL, df, "g", n_perm=99, seed=2)
    pd.testing.assert_frame_equal(one, two)
    swapped = micom(MODEL, df, "g", "b", "a", n_perm=99, seed=2)
    np.testing.assert_allclose(swapped["mean_diff"], -one["mean_diff"], atol=1e-12)
    np.testing.assert_allclose(swapped["c"], one["c"], atol=1e-12)


def test_errors():
    rng = np.random.default_rng(6)
    df = _frame(_group(rng, 60), _group(rng, 60))
    with pytest.raises(ParameterError, match="group 'c' does not occur"):
        micom(MODEL, df, "g", "a", "c")
    with pytest.raises(ParameterError, match="'n_perm' parameter of micom"):
        micom(MODEL, df, "g", n_perm=5)
    with pytest.raises(ParameterError, match="column 'nope'"):
        micom(MODEL, df, "nope")
    three = df.assign(g=np.resize(["a", "b", "c"], len(df)))
    with pytest.raises(ParameterError, match="compares two groups; the data has 3"):
        micom(MODEL, three, "g")
    small = df.iloc[: 60 + 5]
    with pytest.raises(DataError, match="group 'b' has 5 complete respondents"):
        micom(MODEL, small, "g")
    const = df.copy()
    const.loc[const["g"] == "b", "x1"] = 1.0
    with pytest.raises(DataError, match="configural invariance fails.*group 'b'"):
        micom(MODEL, const, "g")


@pytest.mark.slow
def test_size_under_full_invariance():
    """Under full invariance each of the three tests rejects at about the nominal 5 %
    (200 replications x 2 constructs per test; accepted range 3-7 %)."""
    rng = np.random.default_rng(2026)
    rej = {"compositional": 0, "mean": 0, "var": 0}
    reps, total = 200, 0
    for r in range(reps):
        out = micom(MODEL, _frame(_group(rng, 120), _group(rng, 120)), "g", n_perm=99, seed=r)
        rej["compositional"] += int((~out["compositional"]).sum())
        rej["mean"] += int((~out["equal_mean"]).sum())
        rej["var"] += int((~out["equal_var"]).sum())
        total += len(out)
    rates = {k: v / total for k, v in rej.items()}
    assert all(0.03 <= v <= 0.07 for v in rates.values()), rates
