"""PLS-MGA permutation test (csi.estimate.analysis.mga) and its use in drivers.compare_groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import csi
from csi.errors import DataError, ParameterError
from csi.estimate.analysis.mga import permutation_mga
from csi.survey.model import ModelSpec

MODEL = ModelSpec.from_blocks({"X": ["x1", "x2", "x3"], "Y": ["y1", "y2", "y3"]}, [("X", "Y")], scale=(1, 7))


def _group(n, beta, rng, shift=0.0):
    x = rng.normal(size=n)
    y = beta * x + np.sqrt(1 - beta**2) * rng.normal(size=n)
    cols = {}
    for name, lat in (("x", x), ("y", y)):
        for j in (1, 2, 3):
            val = 4 + shift + 1.2 * (0.8 * lat + 0.6 * rng.normal(size=n))
            cols[f"{name}{j}"] = np.clip(np.round(val), 1, 7)
    return pd.DataFrame(cols)


def _two_groups(beta_a, beta_b, n=300, seed=0, shift_b=0.0):
    rng = np.random.default_rng(seed)
    df = pd.concat([_group(n, beta_a, rng).assign(g="a"), _group(n, beta_b, rng, shift_b).assign(g="b")],
                   ignore_index=True)
    return df


def test_group_estimates_equal_separate_fits():
    df = _two_groups(0.6, 0.3)
    out = permutation_mga(MODEL, df, "g", "a", "b", n_perm=0, n_boot=0)
    for grp, col in (("a", "estimate_a"), ("b", "estimate_b")):
        sub = df[df["g"] == grp].drop(columns="g")
        path = csi.PLSPathModel().fit(MODEL, sub).path_coefficients_["estimate"].iloc[0]
        assert out.loc[out["kind"] == "path", col].iloc[0] == pytest.approx(path, abs=1e-10)
        res = csi.fit(MODEL, sub, n_boot=0)
        idx = res.index.set_index("construct")["score"]
        got = out[out["kind"] == "index"].set_index("construct")[col]
        np.testing.assert_allclose(got[idx.index].to_numpy(), idx.to_numpy(), atol=1e-9)
    assert out["n_a"].iloc[0] == 300 and out["n_b"].iloc[0] == 300
    np.testing.assert_allclose(out["difference"], out["estimate_a"] - out["estimate_b"])


def test_detects_a_true_path_difference_and_index_shift():
    df = _two_groups(0.7, 0.1, shift_b=-0.8, seed=1)
    out = permutation_mga(MODEL, df, "g", "a", "b", n_perm=299, n_boot=199, seed=2)
    path = out[out["kind"] == "path"].iloc[0]
    assert path["difference"] > 0.3 and path["p_value"] < 0.01
    assert path["ci_low"] <= path["difference"] <= path["ci_high"] and path["ci_low"] > 0
    idx = out[out["kind"] == "index"]
    assert (idx["p_value"] < 0.01).all() and (idx["difference"] > 0).all()


def test_no_difference_gives_large_p_values_on_average():
    ps = []
    for seed in range(8):
        df = _two_groups(0.5, 0.5, n=150, seed=10 + seed)
        out = permutation_mga(MODEL, df, "g", "a", "b", n_perm=199, n_boot=0, seed=seed)
        ps.append(out.loc[out["kind"] == "path", "p_value"].iloc[0])
    ps = np.array(ps)
    assert ((ps > 0) & (ps <= 1)).all()
    assert np.mean(ps) > 0.2  # under H0 p is uniform (mean 0.5); a broken test gives ~0


def test_row_order_does_not_change_results():
    df = _two_groups(0.6, 0.4, n=120, seed=3)
    a = permutation_mga(MODEL, df, "g", "a", "b", n_perm=0, n_boot=0)
    b = permutation_mga(MODEL, df.sample(frac=1, random_state=1), "g", "a", "b", n_perm=0, n_boot=0)
    np.testing.assert_allclose(a["difference"], b["difference"], atol=1e-12)


def test_bad_input():
    df = _two_groups(0.6, 0.4, n=60, seed=4)
    with pytest.raises(ParameterError, match="group 'c' does not occur"):
        permutation_mga(MODEL, df, "g", "a", "c")
    with pytest.raises(ParameterError, match="two different groups"):
        permutation_mga(MODEL, df, "g", "a", "a")
    with pytest.raises(ParameterError, match="'n_perm' parameter of permutation_mga"):
        permutation_mga(MODEL, df, "g", "a", "b", n_perm=-1)
    small = pd.concat([df[df["g"] == "a"], df[df["g"] == "b"].head(4)])
    with pytest.raises(DataError, match="group 'b' has 4 complete respondents"):
        permutation_mga(MODEL, small, "g", "a", "b")
    const = df.copy()
    const.loc[const["g"] == "b", "x1"] = 4.0
    with pytest.raises(DataError, match="cannot be estimated in both groups"):
        permutation_mga(MODEL, const, "g", "a", "b", n_perm=0, n_boot=0)


def test_compare_groups_uses_mga_for_model_rows(flagship, root):
    from csi.drivers.segments import compare_groups

    frame = pd.read_csv(root / "sample_data" / "ecommerce_responses.csv")
    out = compare_groups(flagship, frame, "channel", "jd", "tmall", n_perm=99, n_boot=50, seed=0)
    assert set(out.loc[out["kind"].isin(["construct", "path"]), "method"]) == {"pls_mga"}
    assert set(out.loc[out["kind"] == "lever", "method"]) == {"scores"}
    mga = permutation_mga(flagship.to_model(), frame, "channel", "jd", "tmall", n_perm=0, n_boot=0)
    got = out.set_index("name").loc["satisfaction->loyalty", "estimate_a"]
    want = mga[(mga["source"] == "satisfaction") & (mga["target"] == "loyalty")]["estimate_a"].iloc[0]
    assert got == pytest.approx(want, abs=1e-12)
    old = compare_groups(flagship, frame, "channel", "jd", "tmall", n_perm=0, n_boot=0, reestimate=False)
    assert set(old["method"]) == {"scores"}
