"""fit_cbsem: parameters, result shape, 0-100 index, single items, bootstrap, csi.fit dispatch."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import csi
from csi.errors import DataError, ParameterError
from csi.estimate.analysis.compare import COMPARE_COLUMNS, compare_estimators
from csi.estimate.cbsem.fit import fit_cbsem
from csi.estimate.cbsem.fit_indices import FIT_KEYS
from csi.survey.model import ConstructSpec, ItemSpec, ModelSpec

DATA = Path(__file__).resolve().parent.parent / "data" / "lavaan" / "acsi_sim.csv"


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(DATA).iloc[:300]


def small_model(single_loyalty: bool = True, with_complaint: bool = False) -> ModelSpec:
    cons = [ConstructSpec("quality", ("pq1", "pq2", "pq3")),
            ConstructSpec("satisfaction", ("sat1", "sat2", "sat3")),
            ConstructSpec("loyalty", ("loy1",) if single_loyalty else ("loy1", "loy2"))]
    paths = [("quality", "satisfaction"), ("satisfaction", "loyalty")]
    if with_complaint:
        cons.append(ConstructSpec("complaint", ("cmp1",), binary=True))
        paths += [("satisfaction", "complaint"), ("complaint", "loyalty")]
    items = {it: ItemSpec(it, 1, 10) for c in cons for it in c.items}
    if with_complaint:
        items["cmp1"] = ItemSpec("cmp1", 0, 1)
    return ModelSpec(tuple(cons), tuple(paths), items)


@pytest.fixture(scope="module")
def result(data):
    return fit_cbsem(small_model(with_complaint=True), data)


@pytest.mark.parametrize("kw,match", [
    ({"missing": "pairwise"}, r"'missing' parameter of fit_cbsem must be a str among \{'fiml', 'listwise', 'mean'\}"),
    ({"weights": np.ones(300)}, r"'weights' parameter is not supported by method='cbsem'"),
    ({"n_boot": -1}, r"'n_boot' parameter of fit_cbsem must be an int in the range \[0, inf\)"),  # one gate: [0, inf) as for fit
    ({"alpha": 0.7}, r"'alpha' parameter of fit_cbsem must be a float in the range \(0.0, 0.5\)"),
    ({"bogus": 1}, r"unexpected keyword argument\(s\): bogus"),
])
def test_parameter_errors(data, kw, match):
    with pytest.raises(ParameterError, match=match):
        fit_cbsem(small_model(), data, **kw)


def test_model_must_be_modelspec(data):
    with pytest.raises(ParameterError, match="must be a ModelSpec. Got str instead"):
        fit_cbsem("quality =~ pq1", data)


def test_missing_item_column_is_a_data_error(data):
    with pytest.raises(DataError, match="no column for model item"):
        fit_cbsem(small_model(), data.drop(columns="sat2"))


def test_pls_only_keywords_are_ignored(data):
    res = fit_cbsem(small_model(), data, weighting="path", consistent=False, progress=None)
    assert res.extra["ignored_keywords"] == ("consistent", "progress", "weighting")
    assert res.converged


def test_result_shape(result):
    assert result.method == "cbsem" and result.n_obs == 300
    assert list(result.fit) == list(FIT_KEYS)
    assert all(isinstance(v, float) for v in result.fit.values())
    pc = result.path_coefficients
    for col in ("source", "target", "estimate", "se", "ci_low", "ci_high", "p_value",
                "estimate_unstd", "se_unstd", "p_value_unstd"):
        assert col in pc.columns, col
    assert len(pc) == 4
    assert (pc["ci_low"] < pc["estimate"]).all() and (pc["estimate"] < pc["ci_high"]).all()
    assert set(result.r2["construct"]) == {"satisfaction", "loyalty", "complaint"}
    assert list(result.admissibility.columns) == ["check", "status", "detail"]
    assert result.reliability["rho_a"].isna().all()
    assert any("cmp1 (construct complaint)" in w for w in result.warnings)


def test_index_weights_sum_to_one_and_index_bounded(result):
    sums = result.weights.groupby("construct")["estimate"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0, atol=1e-12)
    assert ((result.scores >= 0) & (result.scores <= 100)).all().all()
    idx = result.index.set_index("construct")["score"]
    np.testing.assert_allclose(idx.to_numpy(), result.scores.mean().loc[idx.index].to_numpy())


def test_single_item_index_is_rescaled_item_mean(result, data):
    # u = 1: index = 100 * (mean - min) / (max - min) on the theoretical bounds
    idx = result.index.set_index("construct")["score"]
    assert idx["complaint"] == pytest.approx(100 * data["cmp1"].mean(), abs=1e-10)
    assert idx["loyalty"] == pytest.approx(100 * (data["loy1"].mean() - 1) / 9, abs=1e-10)


def test_std_scores_unit_variance(result):
    np.testing.assert_allclose(result.std_scores.std(ddof=1).to_numpy(), 1.0, atol=1e-10)
    np.testing.assert_allclose(result.std_scores.mean().to_numpy(), 0.0, atol=1e-10)


def test_single_item_reliability(data):
    # loyalty (one item, nothing downstream) reproduces var(loy1) exactly, so with the error
    # variance fixed to (1 - 0.75) var(loy1) its standardized loading is sqrt(0.75).
    res = fit_cbsem(small_model(), data, single_item_reliability=0.75)
    lo = res.loadings.set_index("item")["estimate"]
    assert lo["loy1"] == pytest.approx(math.sqrt(0.75), abs=1e-6)
    rel = res.reliability.set_index("construct")
    assert rel.loc["loyalty", "rho_c"] == pytest.approx(0.75, abs=1e-6)


def test_listwise_missing_codes(data):
    m = ModelSpec.from_blocks({"quality": ["pq1", "pq2", "pq3"], "satisfaction": ["sat1", "sat2", "sat3"]},
                              [("quality", "satisfaction")], scale=(1, 10), missing_codes=(-99,))
    d = data.copy()
    d.loc[d.index[:7], "pq2"] = -99
    res = fit_cbsem(m, d, missing="listwise")
    assert res.n_obs == 293 and res.missing["n_total"] - res.missing["n_used"] == 7
    assert len(res.scores) == 293 and res.scores.index.equals(d.index[7:])
    fi = fit_cbsem(m, d)  # default fiml: every respondent
    assert fi.n_obs == 300 and fi.missing["n_used"] == 300 and fi.missing["by_type"]["no_answer"] == 7
    assert len(fi.scores) == 300 and fi.scores.notna().all().all()


def test_bootstrap_reproducible_and_contains_estimate(data):
    a = fit_cbsem(small_model(), data, n_boot=20, seed=3)
    b = fit_cbsem(small_model(), data, n_boot=20, seed=3)
    pd.testing.assert_frame_equal(a.path_coefficients, b.path_coefficients)
    pc = a.path_coefficients
    assert (pc["ci_low"] <= pc["estimate"]).all() and (pc["estimate"] <= pc["ci_high"]).all()
    assert a.extra["bootstrap"]["n_valid"] == 20 and a.n_boot == 20
    assert a.extra["replicates"]["paths"].shape == (20, 2)
    assert a.index["se"].notna().all()


def test_through_csi_fit(data):
    res = csi.fit(small_model(), data, method="cbsem")
    assert res.method == "cbsem" and list(res.fit) == list(FIT_KEYS)


def test_compare_estimators(data, result):
    pls = csi.fit(small_model(with_complaint=True), data, method="pls", n_boot=0)
    cmp = compare_estimators(pls, result)
    assert list(cmp.columns) == COMPARE_COLUMNS
    paths = cmp[cmp["kind"] == "path"]
    assert len(paths) == 4 and paths[["pls", "cbsem"]].notna().all().all()
    np.testing.assert_allclose(paths["difference"], paths["cbsem"] - paths["pls"])
    assert set(cmp["kind"]) == {"path", "total_effect", "r2", "index", "loading", "rho_c"}
    # measurement-only quantities computed from the same item correlations agree
    key = ["construct_a", "construct_b"]
    h = pls.htmt.merge(result.htmt, on=key, suffixes=("_pls", "_cb"))
    assert len(h) == len(result.htmt) == 6
    np.testing.assert_allclose(h["estimate_pls"], h["estimate_cb"], atol=1e-10)
    a = pls.reliability.merge(result.reliability, on="construct", suffixes=("_pls", "_cb"))
    np.testing.assert_allclose(a["alpha_pls"], a["alpha_cb"], atol=1e-10)


def test_compare_estimators_rejects_non_results(result):
    with pytest.raises(ParameterError, match="'pls' parameter of compare_estimators"):
        compare_estimators(pd.DataFrame(), result)


def test_constant_item_is_a_data_error(data):
    d = data.assign(sat2=5)
    with pytest.raises(DataError, match="sat2 have the same answer for every respondent"):
        fit_cbsem(small_model(), d)


def test_duplicated_item_is_a_data_error(data):
    d = data.assign(sat3=data["sat1"])
    with pytest.raises(DataError, match="correlation matrix is singular"):
        fit_cbsem(small_model(), d)


def test_row_order_and_affine_recoding_leave_standardized_estimates_unchanged(data, result):
    m = small_model(with_complaint=True)
    shuffled = fit_cbsem(m, data.sample(frac=1.0, random_state=1))
    np.testing.assert_allclose(shuffled.path_coefficients["estimate"],
                               result.path_coefficients["estimate"], atol=1e-6)
    # sat1 on 0-18 instead of 1-10 (x' = 2x - 2, bounds updated): standardized estimates and
    # the 0-100 index do not change
    items = dict(m.items)
    items["sat1"] = ItemSpec("sat1", 0, 18)
    m2 = ModelSpec(m.constructs, m.paths, items)
    rev = fit_cbsem(m2, data.assign(sat1=2 * data["sat1"] - 2))
    np.testing.assert_allclose(rev.path_coefficients["estimate"],
                               result.path_coefficients["estimate"], atol=1e-6)
    np.testing.assert_allclose(rev.index["score"], result.index["score"], atol=1e-6)


def test_estimator_object(data, result):
    from csi.errors import NotFittedError
    from csi.estimate.cbsem.model import CBSEMModel

    est = CBSEMModel(max_starts=2)
    with pytest.raises(NotFittedError, match="call 'fit' before reading 'params_'"):
        _ = est.params_
    assert est.fit(small_model(with_complaint=True), data) is est
    pd.testing.assert_frame_equal(est.path_coefficients_, result.path_coefficients)
    assert est.fit_indices_ == result.fit
    assert {"lhs", "op", "rhs", "estimate", "se"} <= set(est.params_.columns)
    assert est.get_params()["max_starts"] == 2


def test_unidentified_model_is_refused(data):
    m = ModelSpec.from_blocks({"s": ["sat1", "sat2"]}, [], scale=(1, 10))
    with pytest.raises(ParameterError, match=r"not identified: it has 4 free parameters .* only 3 .*df = -1"):
        fit_cbsem(m, data)


def test_saturated_model_fit_flagged_untestable(data):
    m = ModelSpec.from_blocks({"s": ["sat1", "sat2", "sat3"]}, [], scale=(1, 10))
    res = fit_cbsem(m, data)
    # 1 up to rounding: a just-identified fit leaves an ML discrepancy of ~1e-16, which depends on
    # the BLAS (exactly 1.0 on one machine, 0.9999999999999997 on another)
    assert res.fit["df"] == 0.0 and res.fit["cfi"] == pytest.approx(1.0, abs=1e-12)
    adm = res.admissibility.set_index("check")
    assert adm.loc["fit_testable", "status"] == "warning"
    assert any("saturated model (df = 0)" in w for w in res.warnings)


def test_summary_conf_int_and_json_work_on_cbsem_results(result):
    import json

    assert "CBSEM" in str(result.summary())
    ci = result.conf_int()
    assert {"paths", "total_effects"} <= set(ci["table"])
    d = result.to_dict()
    json.dumps(d)
    assert d["method"] == "cbsem" and len(d["paths"]) == 4


def test_fiml_bootstrap_on_incomplete_data(data):
    # each resample is refitted by FIML (no longer refused); reproducible, every respondent kept
    d = data.copy()
    rng = np.random.default_rng(5)
    d = d.mask(rng.random(d.shape) < 0.08)
    d.loc[d.index[0], "pq1"] = 5.0  # a row with at least one answer
    m = small_model(single_loyalty=False)
    a = fit_cbsem(m, d, n_boot=12, seed=2)
    b = fit_cbsem(m, d, n_boot=12, seed=2)
    pd.testing.assert_frame_equal(a.path_coefficients, b.path_coefficients)
    assert a.missing["policy"] == "fiml" and a.n_obs == 300
    info = a.extra["bootstrap"]
    assert info["refit"] == "fiml" and info["n_valid"] == 12
    reps = a.extra["replicates"]["parameters"]
    assert reps.shape == (12, len(a.extra["parameters"]))
    free = a.extra["parameters"].set_index(["lhs", "op", "rhs"])
    loads = [k for k in free.index if k[1] == "=~" and free.loc[k, "free"]]
    assert (reps[loads].std() > 0).all()  # the loadings vary across resamples
    pc = a.path_coefficients
    assert (pc["ci_low"] <= pc["estimate"]).all() and (pc["estimate"] <= pc["ci_high"]).all()
    assert a.index["se"].notna().all()
