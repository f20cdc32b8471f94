"""PLSPathModel / fit: estimator contract, parameters, bad input, bootstrap bookkeeping."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from csi.errors import ConvergenceWarning, DataError, NotFittedError, ParameterError
from csi.estimate.fit import fit
from csi.estimate.moments import compute_moments, grouped_moments
from csi.estimate.pls.model import PLSPathModel

LAV = "A =~ a1 + a2 + a3\nB =~ b1 + b2\nC =~ c1 + c2\nB ~ A\nC ~ A + B"


def simulate(n=400, seed=0, scale=(1, 7)):
    """A -> B -> C with A -> C; items = loading * construct + noise, rounded to the scale."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = 0.5 * a + np.sqrt(0.75) * rng.normal(size=n)
    c = 0.3 * a + 0.4 * b + rng.normal(scale=0.8, size=n)
    mid, half = (scale[0] + scale[1]) / 2, (scale[1] - scale[0]) / 4
    cols = {}
    for name, z, k in (("a", a, 3), ("b", b, 2), ("c", c, 2)):
        for i in range(k):
            cols[f"{name}{i + 1}"] = np.clip(np.round(mid + half * (0.8 * z + 0.6 * rng.normal(size=n))), *scale)
    return pd.DataFrame(cols)


def _model():
    from csi.survey.syntax import parse_lavaan

    return parse_lavaan(LAV, scale=(1, 7))


def test_not_fitted():
    est = PLSPathModel()
    with pytest.raises(NotFittedError, match="not fitted yet"):
        _ = est.path_coefficients_
    with pytest.raises(NotFittedError):
        _ = est.scores_


def test_fit_returns_self_and_scores_have_unit_variance():
    est = PLSPathModel()
    assert est.fit(_model(), simulate()) is est
    s = est.scores_
    np.testing.assert_allclose(s.var(ddof=1).to_numpy(), 1.0, atol=1e-10)
    np.testing.assert_allclose(s.mean().to_numpy(), 0.0, atol=1e-10)
    # standardized path = regression of the scores
    beta = np.linalg.lstsq(s[["A"]].to_numpy(), s["B"].to_numpy(), rcond=None)[0][0]
    got = est.path_coefficients_.set_index(["source", "target"])["estimate"][("A", "B")]
    assert got == pytest.approx(beta)


def test_effects_decompose():
    est = PLSPathModel().fit(_model(), simulate())
    e = est.effects_.set_index(["source", "target"])
    p = est.path_coefficients_.set_index(["source", "target"])["estimate"]
    # total A->C = direct + A->B * B->C
    assert e.loc[("A", "C"), "total"] == pytest.approx(p[("A", "C")] + p[("A", "B")] * p[("B", "C")])
    assert e.loc[("A", "C"), "indirect"] == pytest.approx(p[("A", "B")] * p[("B", "C")])


@pytest.mark.parametrize("scheme", ["path", "factorial", "centroid"])
def test_schemes_converge_and_agree_roughly(scheme):
    est = PLSPathModel(weighting=scheme).fit(_model(), simulate())
    assert est.converged_
    assert est.path_coefficients_["estimate"].between(0, 1).all()


def test_consistent_pls_increases_paths_between_reflective_constructs():
    d = simulate(n=2000)
    plain = PLSPathModel().fit(_model(), d).path_coefficients_["estimate"]
    plsc = PLSPathModel(consistent=True).fit(_model(), d)
    # disattenuation: the A -> B path grows when reliabilities are below 1
    assert plsc.path_coefficients_["estimate"].iloc[0] > plain.iloc[0]
    assert (plsc.reliability_["rho_a"] < 1).all()


@pytest.mark.parametrize(
    ("kw", "msg"),
    [
        ({"weighting": "x"}, r"The 'weighting' parameter of PLSPathModel must be a str among"),
        ({"max_iter": 0}, r"The 'max_iter' parameter of PLSPathModel must be an int in the range \[1, inf\)\. Got 0"),
        ({"tol": -1.0}, r"The 'tol' parameter of PLSPathModel must be a float in the range \(0.0, inf\)"),
    ],
)
def test_parameter_errors(kw, msg):
    with pytest.raises(ParameterError, match=msg):
        PLSPathModel(**kw).fit(_model(), simulate())


def test_fit_parameter_errors():
    d = simulate()
    with pytest.raises(ParameterError, match=r"The 'n_boot' parameter of fit must be an int in the range \[0, inf\)"):
        fit(LAV, d, scale=(1, 7), n_boot=-1)
    with pytest.raises(ParameterError, match="'scale' parameter of fit is required"):
        fit(LAV, d)
    with pytest.raises(ParameterError, match=r"The 'method' parameter of fit must be a str among"):
        fit(LAV, d, scale=(1, 7), method="ols")


def test_constant_item():
    d = simulate().assign(b2=4.0)
    with pytest.raises(DataError, match=r"item\(s\) b2 are constant"):
        PLSPathModel().fit(_model(), d)


def test_collinear_items():
    d = simulate()
    d["a3"] = d["a1"]
    with pytest.raises(DataError, match=r"items 'a1' and 'a3' are perfectly collinear"):
        PLSPathModel().fit(_model(), d)


def test_non_convergence_is_flagged():
    with pytest.warns(ConvergenceWarning, match="did not converge in 1 iterations"):
        est = PLSPathModel(max_iter=1).fit(_model(), simulate())
    assert not est.converged_
    assert est.admissibility_.set_index("check").loc["convergence", "status"] == "fail"


def test_bootstrap_seeded_and_ci_contains_estimate():
    d = simulate()
    calls = []
    r1 = fit(LAV, d, scale=(1, 7), n_boot=300, seed=5, progress=lambda a, b: calls.append((a, b)))
    r2 = fit(LAV, d, scale=(1, 7), n_boot=300, seed=5)
    pd.testing.assert_frame_equal(r1.path_coefficients, r2.path_coefficients)
    assert calls[-1] == (300, 300)
    pc = r1.path_coefficients
    assert ((pc["ci_low"] <= pc["estimate"]) & (pc["estimate"] <= pc["ci_high"])).all()
    assert (pc["se"] > 0).all()
    assert r1.extra["replicates"]["total_effects"].shape == (300, 3)


def test_bootstrap_zero_variance_resamples_are_counted_not_fatal():
    # b2 is 1 for all but two respondents: many resamples see a constant item
    d = simulate(n=60, seed=2)
    d["b2"] = 1.0
    d.loc[[0, 1], "b2"] = 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = fit(LAV, d, scale=(1, 7), n_boot=200, seed=1)
    bs = r.extra["bootstrap"]
    assert bs["n_zero_variance"] > 0
    assert bs["n_valid"] == 200 - bs["n_zero_variance"] - bs["n_not_converged"]
    assert r.admissibility.set_index("check").loc["bootstrap_resamples", "status"] == "warning"


def test_bca_interval_and_to_dict_shape():
    r = fit(LAV, simulate(), scale=(1, 7), n_boot=200, seed=1, ci="bca")
    d = json.loads(json.dumps(r.to_dict()))
    for key in ("paths", "total_effects", "r2", "loadings", "weights", "index", "reliability",
                "htmt", "n", "n_boot", "converged", "iterations", "missing", "warnings"):
        assert key in d
    assert set(d["paths"][0]) == {"source", "target", "estimate", "se", "ci_low", "ci_high", "p_value"}
    assert set(d["htmt"][0]) == {"construct_a", "construct_b", "estimate", "ci_high"}
    assert "Path coefficients" in str(r.summary()) and "<h4>" in r.summary()._repr_html_()
    ci = r.conf_int(0.5)
    assert len(ci) and (ci["ci_high"] >= ci["ci_low"]).all()


def test_weighted_fit_equals_duplicated_rows():
    d = simulate(n=200)
    w = np.where(np.arange(200) % 2 == 0, 2.0, 1.0)
    dup = pd.concat([d, d.iloc[::2]], ignore_index=True)
    a = PLSPathModel().fit(_model(), d, weights=w).path_coefficients_["estimate"]
    b = PLSPathModel().fit(_model(), dup).path_coefficients_["estimate"]
    np.testing.assert_allclose(a, b, atol=1e-10)


def test_pairwise_missing_fit_and_bootstrap():
    d = simulate().astype(float)
    d.loc[:20, "a1"] = np.nan
    r = fit(LAV, d, scale=(1, 7), missing="pairwise", n_boot=50, seed=0)
    assert r.missing["by_type"]["no_answer"] == 21 and r.n_obs == 400
    assert r.path_coefficients["se"].notna().all()


def test_grouped_moments_equal_per_group_moments():
    d = simulate().to_numpy()
    g = np.arange(len(d)) % 3
    gm = grouped_moments(d, g)
    for lab in range(3):
        np.testing.assert_allclose(gm[lab].corr(), compute_moments(d[g == lab]).corr())


def test_fit_moments_matches_fit():
    d = simulate()
    est = PLSPathModel().fit(_model(), d)
    est2 = PLSPathModel().fit_moments(_model(), compute_moments(d[list(_model().item_ids)].to_numpy()))
    pd.testing.assert_frame_equal(est.path_coefficients_, est2.path_coefficients_)


def test_fit_groups_equals_separate_fits():
    from csi.estimate.groups import fit_groups

    d = simulate(n=600)
    seg = np.where(np.arange(600) < 300, "north", "south")
    fits = fit_groups(_model(), d.assign(segment=seg), "segment")
    assert set(fits) == {"north", "south"}
    alone = PLSPathModel().fit(_model(), d.iloc[300:])
    pd.testing.assert_frame_equal(fits["south"].path_coefficients_, alone.path_coefficients_)


def test_measurement_only_model_uses_first_principal_component():
    d = simulate()
    r = fit("A =~ a1 + a2 + a3", d, scale=(1, 7), n_boot=20, seed=0)
    w = r.weights["estimate"].to_numpy()
    ev = np.linalg.eigh(np.corrcoef(d[["a1", "a2", "a3"]].to_numpy(), rowvar=False))[1][:, -1]
    np.testing.assert_allclose(w / w.sum(), ev / ev.sum(), atol=1e-6)
    assert r.path_coefficients.empty and r.htmt.empty
